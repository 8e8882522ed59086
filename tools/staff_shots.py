"""The staff app's screenshots: every screen, the import and shortlist dialogs, the
leaderboard and the panel meeting (light and dark, full window)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from shooting import (
    MEETING,
    MEETING_FULL,
    ROOT,
    SIZE,
    Shooter,
    page_workspace,
    staff_screen_shots,
)


class StaffShooter(Shooter):
    """A pass's staff shots."""

    def staff(self) -> None:
        # The shot list, not the page's screens: the meeting has shots of its own, and
        # walking every screen wrote staff-meeting.png twice (the second over the first).
        shots = staff_screen_shots(self.dark)
        names = [name for _key, name in shots] + ([] if self.dark else ["staff-import"])
        if self.size != SIZE or not any(self.wanted(n) for n in names):
            return
        window = self.new_window("staff")
        page = self.open_program(window, self.demo / "program")
        for key, name in shots:
            if not self.wanted(name):
                continue
            screen = page.show_screen(key)
            self.wait(self.staff_settled(window), least=0.5)
            self.prepare_staff(key, screen, window)
            self.shot(window, name)
        if not self.dark and self.wanted("staff-import"):
            self.import_dialog(page, window)
        self.close(window)

    def lone_dialog_shot(self, dialog: Any, name: str) -> None:
        """A dialog on its own (a window of its own: the main window's grab leaves it out)."""
        self.wait(least=0.5)
        dialog.repaint()
        self.wait(least=0.1)
        path = self.out / f"{name}.png"
        if not dialog.grab().save(str(path), "PNG"):
            raise SystemExit(f"Could not write {path}.")
        self.written.append(path)
        print("wrote", path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)

    def import_dialog(self, page: Any, window: Any) -> None:
        """The demo's sheet again, without its reference column: every row is named as a
        repeat of an application already imported, and the dialog says how references
        would be made."""
        import csv

        from judgepanel.ui.staff.import_wizard import ImportDialog

        source = self.demo / "source" / "recognition" / "recognition-applications.csv"
        with open(source, encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.DictReader(handle))
        sheet = source.with_name("applications-again.csv")  # beside attachments/
        kept = [h for h in rows[0] if h != "Reference"]
        with open(sheet, "w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, kept, extrasaction="ignore")
            writer.writeheader()
            writer.writerows(rows)
        dialog = ImportDialog(page.ctx, window)
        dialog.resize(980, 660)
        dialog.show()
        dialog.load(sheet)
        settled = self.staff_settled(window)
        self.wait(settled, least=0.5)
        dialog.check()
        self.wait(lambda: settled() and dialog.report is not None, least=0.5)
        self.lone_dialog_shot(dialog, "staff-import")
        dialog.close()

    def prepare_staff(self, key: str, screen: Any, window: Any) -> None:
        """Each screen as staff would leave it mid-program (a row chosen, a check run)."""
        settled = self.staff_settled(window)
        if key == "applications":
            screen.table.view.selectRow(2)
        elif key == "judges":
            screen.table.view.selectRow(0)
        elif key == "audit":
            screen.check_chain()
            self.wait(settled)
        elif key == "overview":
            # One judge loses an application after their bundle went out: outdated.
            from sqlalchemy import select

            from judgepanel.model.staff.schema.program import Assignment

            with page_workspace(window).session() as session:
                row = session.scalars(select(Assignment).order_by(Assignment.id.desc())).first()
                if row is not None:
                    session.delete(row)
            window.staff_page.ctx.changed.emit("assignments")
            self.wait(settled)
        elif key == "bundles":
            # One judge without an identity gets a passphrase bundle; two are ticked as sent.
            screen.folder.setText(str(self.demo / "program" / "bundles"))
            screen.scrypt_work_factor = 10
            last = screen.judges[-1][0]
            screen.choose_judges = lambda _p, _judges, _selected: [last]
            screen.show_passphrases = lambda _p, issued: {
                issued[0].bundle_id: "read out by phone, Mon 10:00"}
            screen.ask_passphrase_bundles()
            self.wait(settled)
            for row in (1, 2):
                screen.table.view.selectRow(row)
                screen.toggle_sent()
                self.wait(settled)
            screen.table.view.clearSelection()

    def leaderboard(self) -> None:
        name = "staff-leaderboard-dark" if self.dark else "staff-leaderboard"
        if self.size != SIZE or (not self.wanted(name)
                                 and (self.dark or not self.wanted("staff-shortlist"))):
            return
        window = self.new_window("grants")
        page = self.open_program(window, self.demo / "grants" / "program")
        board = page.show_screen("leaderboard")
        settled = self.staff_settled(window)
        self.wait(lambda: settled() and board.board() is not None, least=0.5)
        rows = board.board().rows
        board.table.view.selectRow(1)
        requested = rows[1].application.requested or Decimal(0)
        amount = (requested * Decimal("0.6")).quantize(Decimal("1"))
        board.ask_award = lambda _p, _row: (amount, "Partial award agreed by the panel")
        board.edit_award()
        self.wait(settled, least=0.6)
        self.decide(page, rows[0].application.ref, "funded",
                    "Clearest plan and the widest reach")
        self.wait(settled, least=0.6)
        board.table.view.selectRow(1)
        if self.wanted(name):
            self.shot(window, name)
        if not self.dark and self.wanted("staff-shortlist"):
            self.shortlist_dialog(board, window)
        self.close(window)

    @staticmethod
    def decide(page: Any, ref: str, outcome: str, reason: str) -> None:
        """The panel's decision on ``ref``, made through the model as the meeting makes it."""
        from judgepanel.model.staff.decide.decisions import set_decision
        from judgepanel.model.staff.prepare.rounds import round_by_id
        from judgepanel.ui.staff.context import DECISIONS

        round_id = page.ctx.round_id

        def change(session: Any) -> None:
            round_ = round_by_id(session, round_id)
            app = next(a for a in round_.program.applications if a.ref == ref)
            set_decision(session, round_, app, outcome, reason, "Screenshots")

        page.ctx.write(change, lambda _r: None, topic=DECISIONS)

    def meeting(self) -> None:
        """The panel meeting on the recognition demo, two applications decided."""
        name = self.variant(MEETING)
        full = self.size == SIZE and not self.dark and self.wanted(MEETING_FULL)
        if not self.wanted(name) and not full:
            return
        window = self.new_window("meeting")
        page = self.open_program(window, self.demo / "program")
        meeting = page.show_screen("meeting")
        form = meeting.decision
        settled = self.staff_settled(window)
        self.wait(lambda: settled() and meeting.meeting is not None, least=0.5)
        for outcome, reason in (("winner", "Clearest evidence of impact, and it lasted"),
                                ("finalist", "Strong, but a smaller reach")):
            form.outcome.setCurrentIndex(form.outcome.findData(outcome))
            form.reason.setPlainText(reason)
            meeting.save_and_next()
            self.wait(settled, least=0.4)
        form.outcome.setCurrentIndex(form.outcome.findData("honourable mention"))
        form.reason.setPlainText("A model for small towns")
        form.reason.setFocus()
        if self.wanted(name):
            self.shot(window, name)
        if full:
            meeting.set_full_window(True)
            self.wait(least=0.5)
            self.shot(meeting.body, MEETING_FULL)
            meeting.set_full_window(False)
        from judgepanel.ui.staff.unsaved import DISCARD

        meeting.ask_unsaved = lambda *_args: DISCARD  # typed for the picture only
        self.close(window)

    def shortlist_dialog(self, board: Any, window: Any) -> None:
        """The shortlist's preview, the top 5 (a tie at the cut-off shows when there is one)."""
        from PySide6.QtCore import Qt

        from judgepanel.ui.staff.shortlist_dialog import ShortlistDialog

        dialog = ShortlistDialog(None, window)
        dialog.name_edit.setText("Final round")
        dialog.request_plan = lambda choice: board._plan_shortlist(
            choice, dialog.show_plan, dialog.show_problem)
        dialog.top_spin.setValue(5)
        dialog.show()
        dialog.ask_plan()
        self.wait(lambda: dialog.plan is not None, least=0.5)
        if dialog.preview.count() > 5:  # leave the last tied one out, as staff would
            dialog.preview.item(dialog.preview.count() - 1).setCheckState(
                Qt.CheckState.Unchecked)
        self.lone_dialog_shot(dialog, "staff-shortlist")
        dialog.close()

