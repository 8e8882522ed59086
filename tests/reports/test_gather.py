"""gather(): which scores count, read from a real staff workspace built through the ORM."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pytest
from pypdf import PdfReader

from judgepanel.model.rubric.criterion import Criterion
from judgepanel.model.rubric.definition import Rubric
from judgepanel.model.staff.prepare.conflicts import declare
from judgepanel.model.staff.prepare.rounds import add_round, save_rubric
from judgepanel.model.staff.schema.program import Application, Judge
from judgepanel.model.staff.schema.results import IssuedBundle, ReceivedResults, Review, Score
from judgepanel.model.staff.workspace import StaffWorkspace
from judgepanel.reports import build_report
from judgepanel.reports.gather import gather, options_from_settings

T0 = dt.datetime(2026, 4, 1, 8, 0, tzinfo=dt.UTC)


def _results(session, bundle: IssuedBundle, judge: Judge, seq: int, status: str,  # type: ignore[no-untyped-def]
             scores: dict[int, tuple[int, int]], *, comment: str = "") -> ReceivedResults:
    raw = f"{judge.id}-{seq}-{status}".encode()
    results = ReceivedResults(issued_bundle_id=bundle.id, judge_id=judge.id, raw=raw,
                              raw_sha256=hashlib.sha256(raw).hexdigest(), sequence=seq,
                              status=status, received_at=T0 + dt.timedelta(days=seq))
    session.add(results)
    session.flush()
    for app_id, (impact, feasibility) in scores.items():
        session.add(Score(results_id=results.id, application_id=app_id, criterion_key="impact",
                          value=impact, comment=comment))
        session.add(Score(results_id=results.id, application_id=app_id,
                          criterion_key="feasibility", value=feasibility))
        session.add(Review(results_id=results.id, application_id=app_id,
                           overall_comment=f"overall view {seq}"))
    return results


@pytest.fixture()
def workspace(tmp_path: Path) -> StaffWorkspace:
    ws = StaffWorkspace.create(tmp_path / "ws", "Prix Zoë", categories=["Mobility"])
    with ws.session() as s:
        program = ws.program(s)
        program.settings = {"reports": {"name_judges": False}, "disagreement_range": 25}
        round_ = add_round(s, program, "Première ronde", "staff")
        save_rubric(s, round_, Rubric("R", (Criterion("impact", "Impact", weight=3),
                                            Criterion("feasibility", "Feasibility")),
                                      tie_break="impact"), "staff")
        apps = [Application(program_id=program.id, ref=f"A-{i}", title=f"Projet {i} à Łódź",
                            organisation="São Paulo Org", fields={"summary": f"Summary {i}"})
                for i in range(1, 4)]
        judges = [Judge(program_id=program.id, name=name, age_recipient=f"age1{i}",
                        minisign_public_key=f"RW{i}", fingerprint=f"fp{i}")
                  for i, name in enumerate(("José", "Zoë", "Ana"))]
        s.add_all([*apps, *judges])
        s.flush()
        a1, a2, a3 = (a.id for a in apps)
        bundles = [IssuedBundle(round_id=round_.id, judge_id=j.id, bundle_id=f"b{j.id}",
                                manifest_sha256="0" * 64) for j in judges]
        s.add_all(bundles)
        s.flush()
        jose, zoe, ana = judges
        # José: an older file (seq 1) with low scores, then seq 2 that replaces them.
        _results(s, bundles[0], jose, 1, "accepted", {a1: (1, 1), a2: (1, 1)})
        _results(s, bundles[0], jose, 2, "accepted", {a1: (5, 5), a2: (3, 3)})
        # Zoë: a refused file never counts.
        _results(s, bundles[1], zoe, 1, "refused", {a1: (1, 1)}, comment="REFUSED-FILE")
        _results(s, bundles[1], zoe, 3, "accepted", {a1: (4, 4), a3: (2, 2)})
        # Ana scored A-3, but a confirmed conflict says her scores must never count.
        _results(s, bundles[2], ana, 1, "accepted", {a1: (3, 3), a3: (5, 5)},
                 comment="CONFLICTED-COMMENT")
        declare(s, ana, apps[2], "Works for the applicant", "staff")
    return ws


def test_gather_takes_newest_accepted_scores_and_drops_conflicts(
        workspace: StaffWorkspace) -> None:
    with workspace.session() as s:
        data = gather(s, workspace.program(s))
    by_pair = {(data.judge_name(r.judge), r.application): r for r in data.reviews}
    assert by_pair[("José", "A-1")].total == 100.0  # seq 2, not seq 1
    assert by_pair[("José", "A-2")].total == 50.0
    assert ("Ana", "A-3") not in by_pair
    assert ("Ana", "A-1") in by_pair
    assert all("REFUSED-FILE" not in c for r in data.reviews for c in r.comments.values())
    stats = data.standings.applications["A-3"]
    assert stats.n == 1 and stats.mean == 25.0
    assert data.app["A-1"].summary == "Summary 1"
    assert data.disagreement.max_range == 25
    assert not data.audit_problems and data.audit[0].action == "workspace.created"
    assert [r.application_id for r in data.ranking().rows][0] == "A-1"


def test_build_report_from_workspace(workspace: StaffWorkspace, tmp_path: Path) -> None:
    out = build_report("dossier", workspace, None, tmp_path / "d.pdf")
    text = " ".join("".join(p.extract_text() for p in PdfReader(out).pages).split())
    assert "CONFLICTED-COMMENT" in text  # Ana's A-1 comment is fine ...
    a3 = text[text.index("Projet 3 à Łódź"):]
    assert "CONFLICTED-COMMENT" not in a3  # ... her A-3 review is not there.
    assert "Works for the applicant" in a3
    assert "José" not in text and "Zoë" in text  # program name only, judges lettered


def test_options_from_settings_and_overrides(workspace: StaffWorkspace) -> None:
    with workspace.session() as s:
        program = workspace.program(s)
        program.settings = {"reports": {"name_judges": True}, "ranking_basis": "normalised"}
        options = options_from_settings(program, feedback_scores=True, basis=None)
    # "normalised", the old name of z, reads as z
    assert options.name_judges and options.feedback_scores and options.basis == "z"


def test_cli_report_is_reproducible(workspace: StaffWorkspace, tmp_path: Path) -> None:
    from judgepanel.cli import main

    folder = workspace.folder
    workspace.close()
    outs = []
    for name in ("a.pdf", "b.pdf"):
        code = main(["staff", "report", "ranking", "-w", str(folder), "--out",
                     str(tmp_path / name)])
        assert code == 0
        outs.append((tmp_path / name).read_bytes())
    assert outs[0] == outs[1] and outs[0].startswith(b"%PDF")
