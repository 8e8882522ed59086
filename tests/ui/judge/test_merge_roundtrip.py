"""The file the judge app exports is accepted by the staff merge (the whole round trip)."""

from __future__ import annotations

from pathlib import Path

from judgepanel.model.staff.bundles.building import build_bundles
from judgepanel.model.staff.results.merging import merge_results
from tests.model.flows import make_flow
from tests.ui.judge.conftest import Program
from tests.ui.judge.test_judge_flow import WAIT, declare, open_bundle, page_of, score_all


def test_the_exported_file_merges_on_the_staff_side(qtbot, tmp_path: Path) -> None:
    flow = make_flow(tmp_path / "staff")
    try:
        built = build_bundles(flow.workspace, flow.round_id, flow.staff, tmp_path / "bundles")
        mine = built[0]
        judge = flow.judges[mine.judge_name]
        program = Program(mine.path, judge, flow.staff, mine.bundle_id, list(mine.applications))
        window = open_bundle(qtbot, tmp_path, program)
        page = page_of(window)
        first, *rest = program.app_ids
        declare(page, first, True, "I sit on its board")
        for app_id in rest:
            declare(page, app_id, False)
            score_all(page, app_id, 3)
        page.tabs.setCurrentWidget(page.submit)
        assert page.submit.export_button.isEnabled()
        page.submit.export_button.click()
        qtbot.waitUntil(lambda: page.submit.exports_model.rowCount() == 1, timeout=WAIT)
        report = merge_results(flow.workspace, [tmp_path / "out.jpresults"], flow.staff)
        assert [r.status for r in report.rows] == ["accepted"], report.rows
    finally:
        flow.workspace.close()
