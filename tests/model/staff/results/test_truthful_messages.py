"""Refusals that say what is known, and only that (issue 15, item 7)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from judgepanel.model.rubric.criterion import Criterion
from judgepanel.model.staff.bundles.building import build_bundles
from judgepanel.model.staff.results.merging import merge_results
from tests.model.flows import Flow, complete_results, make_flow, open_bundle, write_judge_results

MARIA = "Maria López"


@pytest.fixture
def flow(tmp_path: Path) -> Iterator[Flow]:
    f = make_flow(tmp_path)
    yield f
    f.workspace.close()


def _results(flow: Flow, path: Path, **kwargs: object) -> Path:
    with flow.workspace.session() as session:
        round_id = flow.round(session).id
    built = {b.judge_name: b for b in build_bundles(flow.workspace, round_id, flow.staff,
                                                    flow.root / "out")}
    with open_bundle(flow, built[MARIA]) as opened:
        document = complete_results(opened, **kwargs)  # type: ignore[arg-type]
    return write_judge_results(flow, path, document, flow.judges[MARIA])


def test_a_header_damaged_on_the_way_is_not_called_another_programs_file(
        flow: Flow) -> None:
    path = _results(flow, flow.root / "maria.jpresults")
    raw = bytearray(path.read_bytes())
    stanza = raw.index(b"\n", raw.index(b"-> X25519")) + 3  # inside the wrapped file key
    # Another base64 letter, so the header still parses (a bit flip could leave the
    # alphabet, '+' to '*', and make it a different, unrelated refusal).
    raw[stanza] = ord("B") if raw[stanza] == ord("A") else ord("A")
    damaged = flow.root / "damaged.jpresults"
    damaged.write_bytes(bytes(raw))
    (row,) = merge_results(flow.workspace, [damaged], flow.staff).rows
    assert row.status == "refused" and row.reason == "wrong_key"
    assert "header was damaged on the way" in row.message
    assert "it belongs to another program" in row.message  # named as one possibility only
    assert "either" in row.message


def test_an_off_scale_score_is_told_with_one_full_stop(flow: Flow) -> None:
    def off_scale(_app: str, criterion: Criterion) -> float:
        return criterion.max + 1

    path = _results(flow, flow.root / "maria.jpresults", score=off_scale)
    (row,) = merge_results(flow.workspace, [path], flow.staff).rows
    assert row.reason == "invalid_score"
    assert "is not on the scale (1 to 5)" in row.message
    assert ".." not in row.message
