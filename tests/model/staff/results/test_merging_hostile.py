"""Hostile results files at merge (DESIGN.md section 4): each is refused, changing nothing.

Complements test_merging.py: containers that are well encrypted but not what a judge's
app writes, files cut short or extended, files signed by an enrolled judge for someone
else's bundle, and files from another program that shares the staff key.
"""

from __future__ import annotations

import dataclasses
import io
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from judgepanel.crypto.age import decrypt_bytes, encrypt_bytes
from judgepanel.model.staff.bundles.building import build_bundles
from tests.formats.crafting import RawEntry, build_zip
from tests.model.flows import complete_results, make_flow, open_bundle, write_judge_results
from tests.model.staff.results.test_merging import (
    KWAME,
    MARIA,
    Issued,
    assert_refused_changing_nothing,
)


@pytest.fixture
def issued(tmp_path: Path) -> Iterator[Issued]:
    flow = make_flow(tmp_path)
    built = build_bundles(flow.workspace, flow.round_id, flow.staff, tmp_path / "bundles")
    files = tmp_path / "results"
    files.mkdir()
    yield Issued(flow, {b.judge_name: b for b in built}, files)
    flow.workspace.close()


def members(issued: Issued, path: Path) -> list[tuple[str, bytes]]:
    payload = decrypt_bytes(path.read_bytes(), [issued.flow.staff.age])
    with zipfile.ZipFile(io.BytesIO(payload)) as archive:
        return [(info.filename, archive.read(info)) for info in archive.infolist()]


def resealed(issued: Issued, name: str, entries: list[tuple[str, bytes]]) -> Path:
    path = issued.files / name
    path.write_bytes(encrypt_bytes(build_zip([RawEntry(n, d) for n, d in entries]),
                                   [issued.flow.staff.recipient]))
    return path


@pytest.mark.parametrize("where", ["at the end", "before judge.pub"])
def test_a_genuine_file_rebuilt_with_an_extra_member_is_refused(issued: Issued,
                                                                where: str) -> None:
    entries = members(issued, issued.results(MARIA))
    assert [n for n, _ in entries] == ["results.json", "results.json.minisig", "judge.pub"]
    extra = ([*entries, ("notes.txt", b"private")] if where == "at the end"
             else [*entries[:2], ("extra.json", b"{}"), entries[2]])
    path = resealed(issued, "extra.jpresults", extra)
    assert_refused_changing_nothing(issued, path, "not_results", "damaged")


def test_a_genuine_file_rebuilt_unchanged_is_accepted(issued: Issued) -> None:
    """The control for the test above: re-sealing alone does not cause the refusal."""
    path = resealed(issued, "same.jpresults", members(issued, issued.results(MARIA)))
    assert issued.merge(path).rows[0].accepted


@pytest.mark.parametrize("cut", ["truncated", "appended", "last chunk dropped"])
def test_a_results_file_cut_short_or_extended_is_refused(issued: Issued, cut: str) -> None:
    data = issued.results(MARIA).read_bytes()
    bad = {"truncated": data[:-1], "appended": data + b"\0",
           "last chunk dropped": data[:-17]}[cut]
    path = issued.files / f"{cut}.jpresults"
    path.write_bytes(bad)
    assert_refused_changing_nothing(issued, path, "damaged")


@pytest.mark.parametrize("names", ["herself", "kwame"])
def test_signed_by_an_enrolled_judge_for_another_judges_bundle(issued: Issued,
                                                               names: str) -> None:
    """Maria's key is enrolled, and the signature is hers, but the bundle was Kwame's."""
    kwame = issued.bundles[KWAME]
    kwame_identity = issued.flow.judges[KWAME]

    def for_kwames_bundle(document: dict[str, Any]) -> None:
        document["bundle_id"] = kwame.bundle_id
        document["manifest_sha256"] = kwame.manifest_sha256
        if names == "kwame":
            document["judge"] = {"name": kwame_identity.name,
                                 "fingerprint": kwame_identity.fingerprint}

    path = issued.results(MARIA, edit=for_kwames_bundle, file=f"for-kwame-{names}")
    assert_refused_changing_nothing(issued, path, "wrong_judge", "signed by Maria López")


@pytest.mark.parametrize("relabelled", [False, True])
def test_results_from_another_program_sharing_the_staff_key_are_refused(
        issued: Issued, tmp_path: Path, relabelled: bool) -> None:
    """A staff member runs two programs with one identity: the files decrypt, but the
    bundle is not one this program issued (and its judge is not enrolled here).
    Relabelled to name this program's bundle for Maria, the signature is by a key not
    enrolled here, so it is refused before anything in it is believed."""
    other = dataclasses.replace(make_flow(tmp_path / "other"), staff=issued.flow.staff)
    try:
        (built,) = [b for b in build_bundles(other.workspace, other.round_id, other.staff,
                                             tmp_path / "other-bundles")
                    if b.judge_name == MARIA]
        with open_bundle(other, built) as opened:
            document = complete_results(opened)
        if relabelled:
            mine = issued.bundles[MARIA]
            document.update(bundle_id=mine.bundle_id, manifest_sha256=mine.manifest_sha256)
        path = write_judge_results(other, issued.files / "other-program.jpresults",
                                   document, other.judges[MARIA])
        if relabelled:
            assert_refused_changing_nothing(issued, path, "bad_signature")
        else:
            assert_refused_changing_nothing(issued, path, "unknown_bundle", "never issued")
    finally:
        other.workspace.close()
