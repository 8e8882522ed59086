"""Every reader of outside input under hypothesis, and every fuzz finding replayed.

The targets are fuzz/targets.py's (the ones ``make fuzz`` runs under atheris): each
must read its input or refuse it with JudgePanel's own typed error, whatever the
bytes. Here each runs on the seed corpus and every crash file kept beside it, on
random bytes, and on seeds mutated the way a fuzzer would (bytes flipped, cut,
repeated), a bounded number of examples each so that ``make test`` stays quick.
"""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fuzz.targets import TARGETS, run_one
from judgepanel.errors import FileFormatError, JudgePanelError, ValidationError
from judgepanel.model.rubric.definition import Rubric
from judgepanel.model.staff.prepare.importing.sources import read_table
from judgepanel.text import clean_text, normalise_breaks, text_problem

CORPUS = Path(__file__).resolve().parents[1] / "fuzz" / "corpus"
QUICK = settings(max_examples=25, deadline=None, derandomize=True, database=None,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _seeds(target: str) -> list[bytes]:
    return [path.read_bytes() for path in sorted((CORPUS / target).iterdir())]


def test_every_target_has_seeds() -> None:
    assert sorted(p.name for p in CORPUS.iterdir()) == sorted(TARGETS)
    assert all(_seeds(name) for name in TARGETS)


@pytest.mark.parametrize("path", sorted(CORPUS.glob("*/*")), ids=lambda p: f"{p.parent.name}/"
                         f"{p.name}")
def test_the_corpus_replays(path: Path) -> None:
    """Seeds are read; kept findings (``crash-*``) are refused in words, never a crash."""
    accepted = run_one(TARGETS[path.parent.name], path.read_bytes())
    assert accepted or path.name.startswith("crash-")


@st.composite
def mutated(draw: st.DrawFn, seeds: list[bytes]) -> bytes:
    """A seed changed the way libFuzzer changes one: flips, cuts, inserts, repeats."""
    data = bytearray(draw(st.sampled_from(seeds)))
    for _ in range(draw(st.integers(1, 6))):
        if not data:
            break
        at = draw(st.integers(0, len(data) - 1))
        kind = draw(st.sampled_from(["flip", "cut", "insert", "repeat", "truncate"]))
        if kind == "flip":
            data[at] = draw(st.integers(0, 255))
        elif kind == "cut":
            del data[at:at + draw(st.integers(1, 64))]
        elif kind == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=16))
        elif kind == "repeat":
            data[at:at] = data[at:at + 32] * draw(st.integers(2, 50))
        else:
            del data[at:]
    return bytes(data)


@pytest.mark.parametrize("target", sorted(TARGETS))
@QUICK
@given(data=st.data())
def test_targets_read_or_refuse_anything(target: str, data: st.DataObject) -> None:
    raw = data.draw(st.one_of(st.binary(max_size=512), mutated(_seeds(target))))
    run_one(TARGETS[target], raw)  # anything but a typed refusal fails the test


# --- properties of particular readers ----------------------------------------------


@QUICK
@given(st.text(max_size=200))
def test_cleaned_text_passes_the_policy(text: str) -> None:
    for multiline in (True, False):
        cleaned, removed = clean_text(text, multiline=multiline)
        assert text_problem(cleaned, multiline=multiline) is None
        if multiline and text_problem(normalise_breaks(text), multiline=True) is None:
            assert cleaned == normalise_breaks(text) and not removed


_WORD = st.text(alphabet=st.characters(categories=["L", "N"]), min_size=1, max_size=12)
_CELL = st.lists(_WORD, min_size=1, max_size=4).map(" ".join)


@QUICK
@given(st.lists(_WORD, min_size=1, max_size=6, unique=True).flatmap(
    lambda header: st.tuples(st.just(header), st.lists(
        st.lists(_CELL, min_size=len(header), max_size=len(header)), max_size=8))))
def test_a_csv_reads_back_what_was_written(tmp_path_factory: pytest.TempPathFactory,
                                          table: tuple[list[str], list[list[str]]]) -> None:
    header, rows = table
    out = io.StringIO(newline="")
    csv.writer(out).writerows([header, *rows])
    path = tmp_path_factory.mktemp("csv") / "round-trip.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    read = read_table(path)
    assert list(read.headers) == header
    assert [[r.values[h] for h in header] for r in read.rows] == rows


_NUMBER = st.one_of(st.integers(), st.integers(-(10**400), 10**400),
                    st.floats(allow_nan=True, allow_infinity=True))


@QUICK
@given(weight=_NUMBER, low=_NUMBER, high=_NUMBER, step=_NUMBER, below=_NUMBER)
def test_rubric_numbers_are_checked_never_crashed_on(weight: float, low: float, high: float,
                                                    step: float, below: float) -> None:
    data = {"name": "R", "criteria": [{
        "key": "a", "title": "A", "weight": weight,
        "scale": {"min": low, "max": high, "step": step}, "comment": {"below": below}}]}
    try:
        rubric = Rubric.from_dict(data)
    except ValidationError as error:
        assert len(str(error)) < 400
        return
    criterion = rubric.criteria[0]
    assert math.isfinite(criterion.weight) and 0 < criterion.weight <= 1000
    assert all(abs(v) <= 1_000_000 for v in (criterion.min, criterion.max, criterion.step))


@QUICK
@given(score=st.one_of(_NUMBER, st.text(max_size=5), st.none(), st.booleans()))
def test_any_score_is_read_within_bounds_or_refused(score: object) -> None:
    import copy
    import json

    seed = json.loads(_seeds("results")[0])
    document = copy.deepcopy(seed)
    document["reviews"][0]["scores"][0]["score"] = score
    try:
        text = json.dumps(document, sort_keys=True, indent=2, ensure_ascii=False)
    except (ValueError, OverflowError):
        return
    try:
        TARGETS["results"](text.encode())
    except (FileFormatError, JudgePanelError) as error:
        assert len(str(error)) + len(error.detail) < 600
        return
    assert isinstance(score, int | float) and not isinstance(score, bool)
    assert math.isfinite(score) and abs(score) <= 1_000_000
