"""The merge's bulk paths on PostgreSQL: the same files, the same outcome as on SQLite.

``bulk.insert_rows`` hands rows to the driver itself (psycopg takes named
parameters, SQLite positional ones), and the audit entries of a batch go in
together; this runs a merge, a replacement and the leaderboard on both databases
and compares what they hold.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select

from judgepanel.model.staff import audit
from judgepanel.model.staff.bundles.building import build_bundles
from judgepanel.model.staff.decide.leaderboard import compute
from judgepanel.model.staff.results.merging import merge_results
from judgepanel.model.staff.schema.program import Round
from judgepanel.model.staff.schema.results import Declaration, Review, Score
from tests.model.flows import JUDGES, complete_results, make_flow, open_bundle, write_judge_results


def _merge_and_rank(root: Path, url: str | None) -> dict[str, Any]:
    flow = make_flow(root, url=url)
    try:
        built = build_bundles(flow.workspace, flow.round_id, flow.staff, root / "bundles")
        (root / "results").mkdir()
        paths = []
        for bundle in built:
            for sequence in (1, 2):  # the second export replaces the first
                with open_bundle(flow, bundle) as opened:
                    document = complete_results(opened, sequence=sequence)
                paths.append(write_judge_results(
                    flow, root / "results" / f"{bundle.judge_id}-{sequence}.jpresults",
                    document, flow.judges[bundle.judge_name]))
        first = merge_results(flow.workspace, paths[0::2], flow.staff)
        second = merge_results(flow.workspace, paths[1::2], flow.staff)
        with flow.workspace.session() as session:
            board = compute(session, session.get_one(Round, flow.round_id))
            return {
                "statuses": [r.status for r in first.rows + second.rows],
                "scores": sorted(session.execute(select(
                    Score.application_id, Score.criterion_key, Score.value, Score.comment))),
                "reviews": sorted(session.execute(select(
                    Review.application_id, Review.overall_comment, Review.confidence))),
                "declarations": sorted(session.execute(select(
                    Declaration.application_id, Declaration.conflict, Declaration.reason))),
                "declared_at": {d.tzinfo is not None for d in session.scalars(
                    select(Declaration.declared_at))},
                "board": [(r.application.ref, r.rank_raw, r.stats.mean) for r in board.rows],
                "audit": [e.action for e in audit.events(session, "results.")],
                "broken": audit.check(session),
            }
    finally:
        flow.workspace.close()


def test_merge_and_rank_on_postgresql_match_sqlite(postgres_url: str, tmp_path: Path) -> None:
    on_sqlite = _merge_and_rank(tmp_path / "sqlite", None)
    on_postgres = _merge_and_rank(tmp_path / "postgres", postgres_url)
    assert on_sqlite["statuses"] == ["accepted"] * (2 * len(JUDGES))
    assert on_sqlite["scores"] and on_sqlite["declarations"]
    assert on_sqlite["broken"] == [] == on_postgres["broken"]
    assert on_sqlite["declared_at"] == {True} == on_postgres["declared_at"]
    for key in ("statuses", "reviews", "declarations", "board", "audit"):
        assert on_postgres[key] == on_sqlite[key], key
    # Application ids match (same build order); only replaced rows are gone on both.
    assert on_postgres["scores"] == on_sqlite["scores"]
