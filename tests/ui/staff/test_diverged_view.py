"""The results inbox holds an export that diverged and shows the two side by side; the
staff's choice (with its reason) decides which counts and is audited."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QDialog

from judgepanel.formats.identity_file import read_identity_file
from judgepanel.model.demo.build import simulate_judge
from judgepanel.model.demo.content import JUDGES
from judgepanel.model.staff import audit
from judgepanel.ui.staff.diverged_dialog import DivergedDialog
from tests.ui.staff.conftest import wait_idle


def test_a_diverged_export_is_held_compared_and_chosen(demo: Path, make_page: Any, qtbot: Any,
                                                       tmp_path: Path) -> None:
    page, errors = make_page(demo / "program")
    page.ctx._identity = read_identity_file(demo / "keys" / "staff.identity")
    judge = JUDGES[0]
    laptop, _ = simulate_judge(demo / "bundles" / f"{judge.slug}.jpbundle",
                               read_identity_file(demo / "keys" / f"{judge.slug}.identity"),
                               judge, workspace_path=tmp_path / "laptop.sqlite",
                               out=tmp_path / "laptop.jpresults", quality={}, seed=99)
    inbox = page.show_screen("results")
    inbox.merge([laptop])
    wait_idle(qtbot, page.ctx, timeout=60_000)
    row, = inbox.batch_model.rows
    assert (row.status, row.reason) == ("held", "diverged")  # not "already merged"
    assert "held" in inbox.summary.text()
    assert "held" in inbox.batch_model.data(inbox.batch_model.index(0, 3))
    wait_idle(qtbot, page.ctx)
    assert not inbox.diverged_box.isHidden() and inbox.diverged_model.rowCount() == 1
    listing = inbox.diverged_model.rows[0]
    assert listing.judge == judge.name and listing.differences

    seen: list[DivergedDialog] = []

    def choose(dialog: QDialog) -> int:
        assert isinstance(dialog, DivergedDialog)
        seen.append(dialog)
        assert dialog.default_button() is dialog.keep  # the choice that changes nothing
        assert not dialog.keep.isEnabled()  # a reason first
        assert dialog.table.rowCount() == len(listing.differences)
        dialog.note.setText("The judge says the laptop's export is the final one.")
        dialog.take.click()
        return int(dialog.result())

    inbox.compare(run=choose)
    wait_idle(qtbot, page.ctx)
    assert seen and not errors, [e.message for e in errors]
    assert inbox.diverged_model.rowCount() == 0 and inbox.diverged_box.isHidden()
    with page.workspace.session() as session:
        entry, = audit.events(session, "results.diverged_chosen")
        assert entry.details["kept"] == "held" and "laptop" in entry.details["note"]
    statuses = {r.file_name: r.status for r in inbox.history_model.rows}
    assert statuses["laptop.jpresults"] == "accepted"
