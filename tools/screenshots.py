"""Retake every screenshot in docs/screenshots from a freshly built demo.

Usage (from the repository root)::

    .venv/bin/python tools/screenshots.py [--out docs/screenshots] [--display :N]
                                          [--only NAME ...] [--keep]

Why a script: the guides show the app, and hand-made screenshots drift from it
(an old demo's due date read "238 days ago"). This builds the demo through the
real workflows, opens the real ``MainWindow`` in a private X server (Xvfb, so
the desktop's theme, fonts and scaling never leak into the docs) and puts each
screen in a realistic state through the same APIs the app uses, then saves the
file names README.md and docs/*-guide.md refer to. Nothing of the user's is
touched: JUDGEPANEL_HOME, the settings file and the demo live in a temporary
folder, and the keyring backend is the one that stores nothing.

``--display :N`` uses an X server you already run (for example under
``xvfb-run``) instead of starting ``Xvfb :94`` (or the next free number).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a plain script from a checkout
    sys.path.insert(0, str(ROOT))

SIZE = (1280, 800)
FIRST_DISPLAY = 94
JUDGE_SLUG = "amara-okafor"
COMPENDIUM_NOTE = "Clear steps another city could follow; worth sharing."


# Every file this script writes; the guides and README link to these names.
STAFF_SCREENS = ("overview", "rubric", "applications", "judges", "conflicts", "assignment",
                 "bundles", "results", "leaderboard", "audit")
JUDGE_SHOTS = ("judge-0-identity", "judge-1-info", "judge-2-declarations", "judge-3-score",
               "judge-4-pdf", "judge-5-overview", "judge-6-submit", "judge-7-continue",
               "staff-diverged")
"""Taken light and dark, at 1280 x 800 and (suffix ``-1024``) 1024 x 700."""
SMALL = (1024, 700)
# Dialogs, shot on their own (the officer's import and shortlist preview).
STAFF_DIALOGS = ("staff-import", "staff-shortlist")
DARK_SHOTS = ("staff-leaderboard-dark", "staff-overview-dark")
MEETING = "staff-meeting"  # the panel meeting, light and dark, 1280 x 800 and 1024 x 700
MEETING_FULL = "staff-meeting-full"  # its full-window mode, to share on a screen


def variants(name: str) -> list[str]:
    return [f"{name}{size}{tone}" for size in ("", "-1024") for tone in ("", "-dark")]


def all_names() -> list[str]:
    return ([f"staff-{key}" for key in STAFF_SCREENS] + list(STAFF_DIALOGS)
            + [v for name in JUDGE_SHOTS for v in variants(name)] + list(DARK_SHOTS)
            + variants(MEETING) + [MEETING_FULL])


# --- the X server -------------------------------------------------------------------------


def _free_display() -> int:
    for number in range(FIRST_DISPLAY, FIRST_DISPLAY + 50):
        if not (Path(f"/tmp/.X{number}-lock").exists()
                or Path(f"/tmp/.X11-unix/X{number}").exists()):
            return number
    raise SystemExit("No free X display number found for Xvfb.")


@contextmanager
def x_server(display: str | None) -> Iterator[str]:
    """The display to draw on: the one given, or a private Xvfb we start and stop."""
    if display:
        yield display
        return
    if shutil.which("Xvfb") is None:
        raise SystemExit("Xvfb is not installed (apt install xvfb), or pass --display.")
    number = _free_display()
    width, height = SIZE
    process = subprocess.Popen(
        ["Xvfb", f":{number}", "-screen", "0", f"{width}x{height}x24", "-nolisten", "tcp"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        socket = Path(f"/tmp/.X11-unix/X{number}")
        deadline = time.monotonic() + 10
        while not socket.exists():
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"Xvfb :{number} did not start.")
            time.sleep(0.05)
        yield f":{number}"
    finally:
        process.terminate()
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:
            process.kill()


# --- the shooting --------------------------------------------------------------------------


class Shooter:
    """One pass (light or dark) over a copy of the demo, with a fresh home and window."""

    def __init__(self, app: Any, demo: Path, work: Path, out: Path, *, dark: bool,
                 only: set[str], size: tuple[int, int] = SIZE) -> None:
        self.app, self.demo, self.out, self.dark, self.only = app, demo, out, dark, only
        self.work = work
        self.size = size
        self.written: list[Path] = []

    def variant(self, name: str) -> str:
        """``name`` for this pass: ``-1024`` for the small window, ``-dark`` for dark."""
        return name + ("-1024" if self.size == SMALL else "") + ("-dark" if self.dark else "")

    # helpers ---------------------------------------------------------------------------

    def wait(self, done: Callable[[], bool] = lambda: True, *, least: float = 0.3,
             timeout: float = 60.0) -> None:
        """Let Qt run until ``done()`` holds (and at least ``least`` seconds passed)."""
        start = time.monotonic()
        while True:
            self.app.processEvents()
            elapsed = time.monotonic() - start
            if elapsed >= least and done():
                return
            if elapsed > timeout:
                raise SystemExit("Timed out waiting for the app (see the window state).")
            time.sleep(0.01)

    def wanted(self, name: str) -> bool:
        return not self.only or name in self.only

    def shot(self, window: Any, name: str) -> None:
        self.wait(least=0.4)
        window.repaint()
        self.wait(least=0.1)
        screen = window.screen()
        pixmap = screen.grabWindow(window.winId())
        path = self.out / f"{name}.png"
        if not pixmap.save(str(path), "PNG"):
            raise SystemExit(f"Could not write {path}.")
        self.written.append(path)
        print("wrote", path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)

    def new_window(self, tag: str) -> Any:
        from PySide6.QtCore import QSettings

        from judgepanel.ui.main_window import MainWindow

        settings = QSettings(str(self.work / f"{tag}.ini"), QSettings.Format.IniFormat)
        window = MainWindow(settings)
        window.setGeometry(0, 0, *self.size)
        window.show()
        window.raise_()
        window.activateWindow()
        self.wait(least=0.3)
        return window

    def close(self, window: Any) -> None:
        window.close()
        window.deleteLater()
        self.wait(least=0.1)

    # staff ---------------------------------------------------------------------------------

    def staff_settled(self, window: Any) -> Callable[[], bool]:
        return lambda: window.staff_page is None or not window.staff_page.ctx.busy

    def open_program(self, window: Any, path: Path) -> Any:
        shown: list[str] = []
        window.program_shown.connect(shown.append)
        window.open_path(str(path))  # opened in the background
        self.wait(lambda: bool(shown) or not window.statusBar().currentMessage(), least=0.0)
        page = window.staff_page
        if page is None:
            raise SystemExit(f"The program at {path} did not open.")
        page.ctx.ask_identity_file = lambda _parent: self.demo / "keys" / "staff.identity"
        self.wait(self.staff_settled(window), least=0.5)
        return page

    def staff(self) -> None:
        names = [f"staff-{k}" for k in STAFF_SCREENS if k != "leaderboard"] + ["staff-import"]
        if self.dark:
            names = ["staff-overview-dark"]
        if self.size != SIZE or not any(self.wanted(n) for n in names):
            return
        window = self.new_window("staff")
        page = self.open_program(window, self.demo / "program")
        # The round at a glance last: it shows what the other screens left behind.
        keys = [k for k in page.screens if k not in ("leaderboard", "overview")]
        for key in [*keys, "overview"]:
            name = f"staff-{key}-dark" if self.dark else f"staff-{key}"
            if not self.wanted(name) or (self.dark and key != "overview"):
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

    # judge ----------------------------------------------------------------------------------

    def judge(self) -> None:
        if not any(self.wanted(self.variant(n)) for n in JUDGE_SHOTS):
            return
        from judgepanel.formats.identity_file import read_identity_file

        identity = read_identity_file(self.demo / "keys" / f"{JUDGE_SLUG}.identity")
        window = self.new_window("judge")
        if self.wanted(self.variant("judge-0-identity")):
            self.identity_shot(window, identity)
        flow = window.judge
        flow.open_with(str(self.demo / "bundles" / f"{JUDGE_SLUG}.jpbundle"), identity)
        self.wait(lambda: flow.page is not None or bool(flow.last_error), least=0.5)
        if flow.page is None:
            raise SystemExit(f"The judge bundle did not open: {flow.last_error}")
        page = flow.page
        if self.wanted(self.variant("judge-1-info")):
            self.shot(window, self.variant("judge-1-info"))  # a fresh workspace: facts first
        flow.show_judging()
        judged = self.judge_work(page.session)
        page.model.set_progress(page.session.progress())
        first_undeclared = next(p.application_id for p in page.session.progress()
                                if not p.declared)
        with_pdf = next(a for a in judged
                        if any(n.lower().endswith(".pdf")
                               for n in page.session.attachment_names(a)))
        if self.wanted(self.variant("judge-2-declarations")):
            page.go_to(first_undeclared, None)  # the declarations, at the next one to do
            self.shot(window, self.variant("judge-2-declarations"))
        if self.wanted(self.variant("judge-3-score")):
            halfway = next(p.application_id for p in page.session.progress()
                           if p.declared and not p.conflict and 0 < p.scored < p.criteria)
            self.score_view(page, halfway)
            window.activateWindow()
            page.panel.focus_first_unscored()  # where a judge starts: the row marked
            self.shot(window, self.variant("judge-3-score"))
        if self.wanted(self.variant("judge-4-pdf")):
            self.pdf_view(page, with_pdf)
            self.shot(window, self.variant("judge-4-pdf"))
        if self.wanted(self.variant("judge-5-overview")):
            page.tabs.setCurrentWidget(page.overview)
            self.shot(window, self.variant("judge-5-overview"))
        if self.wanted(self.variant("judge-6-submit")):
            page.tabs.setCurrentWidget(page.submit)
            self.shot(window, self.variant("judge-6-submit"))
        if self.wanted(self.variant("judge-7-continue")):
            self.continue_shot(window, page, identity)
        self.close_judge(window)
        if self.wanted(self.variant("staff-diverged")):
            self.diverged_shot()

    def dialog_shot(self, window: Any, dialog: Any, name: str) -> None:
        """A dialog over the window, as the judge sees it: the whole screen is grabbed."""
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        self.wait(least=0.5)
        frame = window.frameGeometry()
        dialog.move(frame.center() - dialog.rect().center())
        self.wait(least=0.3)
        pixmap = window.screen().grabWindow(0, 0, 0, *self.size)
        path = self.out / f"{name}.png"
        if not pixmap.save(str(path), "PNG"):
            raise SystemExit(f"Could not write {path}.")
        self.written.append(path)
        print("wrote", path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
        dialog.close()
        self.wait(least=0.1)

    def identity_shot(self, window: Any, identity: Any) -> None:
        from keyring.backends import fail

        from judgepanel.formats.keystore import IdentityStore
        from judgepanel.ui.judge.my_identity import MyIdentityDialog

        store = IdentityStore(self.work / f"ids-{self.variant('x')}", backend=fail.Keyring(),
                              work_factor=10)
        store.save(identity, passphrase="screenshots only")
        dialog = MyIdentityDialog(store, window.judge.runner, window)
        dialog.card_panel.status.setText(dialog.tr(
            "Your card was saved as /home/amara/Documents/amara-okafor-card.jpcard. Attach "
            "this file to an e-mail to the program staff."))
        self.dialog_shot(window, dialog, self.variant("judge-0-identity"))

    def pdf_view(self, page: Any, app_id: str) -> None:
        self.score_view(page, app_id)
        view = page.app_view
        name = next(n for n in page.session.attachment_names(app_id)
                    if n.lower().endswith(".pdf"))
        view.open_attachment(name)
        self.wait(lambda: not view.is_loading(), least=0.8)
        pdf = view.pdf
        if pdf is not None and pdf.search is not None:
            pdf.search.setText("the")
            deadline = time.monotonic() + 10
            while pdf.match_count() < 3 and time.monotonic() < deadline:
                self.wait(least=0.2)
            pdf.find_next()
            pdf.find_next()

    def continue_shot(self, window: Any, page: Any, identity: Any) -> None:
        from judgepanel.model.judge.restore import read_own_results
        from judgepanel.ui.judge.sheet_dialog import continue_preview

        own = read_own_results(self.demo / "results" / f"{JUDGE_SLUG}.jpresults", identity)
        dialog = continue_preview(own, page.session.differences_from(own), True, window)
        self.dialog_shot(window, dialog, self.variant("judge-7-continue"))

    def diverged_shot(self) -> None:
        """The staff's side: a judge's second computer sent an export made separately."""
        from judgepanel.formats.identity_file import read_identity_file
        from judgepanel.model.demo.build import simulate_judge
        from judgepanel.model.demo.content import JUDGES
        from judgepanel.ui.staff.diverged_dialog import DivergedDialog

        judge = next(j for j in JUDGES if j.slug == JUDGE_SLUG)
        laptop, _ = simulate_judge(
            self.demo / "bundles" / f"{judge.slug}.jpbundle",
            read_identity_file(self.demo / "keys" / f"{judge.slug}.identity"), judge,
            workspace_path=self.work / f"laptop-{self.variant('x')}.sqlite",
            out=self.work / f"laptop-{self.variant('x')}.jpresults", quality={}, seed=7)
        window = self.new_window("staff-diverged")
        page = self.open_program(window, self.demo / "program")
        inbox = page.show_screen("results")
        inbox.merge([laptop])
        self.wait(self.staff_settled(window), least=0.8)
        rows = inbox.diverged_model.rows
        if not rows:
            raise SystemExit("The second computer's export was not held as diverged.")
        dialog = DivergedDialog(rows[0], window)
        dialog.resize(min(900, self.size[0] - 60), min(560, self.size[1] - 80))
        dialog.note.setText("Amara confirmed by phone: the laptop's export is final.")
        self.dialog_shot(window, dialog, self.variant("staff-diverged"))
        self.close(window)

    def score_view(self, page: Any, app_id: str) -> None:
        page.go_to(app_id, None)  # read and score, at its first criterion
        self.wait(least=0.3)

    def close_judge(self, window: Any) -> None:
        window.judge.shutdown()
        self.close(window)

    @staticmethod
    def judge_work(session: Any) -> list[str]:
        """A judge half-way through: most declared, one conflict, several fully scored.

        Returns the applications scored in full (the first one is shown in the score shot).
        Everything goes through ``JudgingSession``, so it is saved as the app would save it.
        """
        import random

        from judgepanel.model.demo.content import applicant_feedback, review_comment

        rng = random.Random(2026)
        words = random.Random(18)  # feedback for the applicant: its own draws (issue #18)
        apps = [a.id for a in session.applications]
        declared = apps[: max(len(apps) - 7, 3)]
        conflict = declared[3]
        full = [a for a in declared[:9] if a != conflict]
        for app_id in declared:
            if app_id == conflict:
                session.declare(app_id, True, "I advised this city's human rights "
                                "commission on this initiative last year.")
            else:
                session.declare(app_id, False)
        for number, app_id in enumerate(declared):
            if app_id == conflict:
                continue
            criteria = session.rubric.criteria
            if app_id not in full:  # begun, not finished: the first two criteria only
                criteria = criteria[:2]
            merit = rng.uniform(0.35, 0.9)
            for criterion in criteria:
                span = criterion.max - criterion.min
                steps = round(span / criterion.step)
                value = criterion.min + round(
                    min(1.0, max(0.0, merit + rng.gauss(0, 0.15))) * steps) * criterion.step
                if not criterion.counts:
                    value = criterion.max if merit > 0.7 else criterion.min
                session.set_score(app_id, criterion.key, value)
                if not criterion.counts:  # advice (the compendium): say why when asked
                    if criterion.comment.requires_comment(value):
                        session.set_comment(app_id, criterion.key, COMPENDIUM_NOTE)
                elif criterion.comment.requires_comment(value) or rng.random() < 0.6:
                    session.set_comment(app_id, criterion.key,
                                        review_comment(rng, (value - criterion.min) / span * 100))
                if criterion.counts:
                    session.set_feedback(app_id, criterion.key, applicant_feedback(
                        words, (value - criterion.min) / span * 100))
            if app_id in full:
                session.set_overall_comment(app_id, review_comment(rng, merit * 100))
                session.set_overall_feedback(app_id, applicant_feedback(words, merit * 100))
                session.set_confidence(app_id, rng.choice((3, 4, 4, 5)))
            if number == 1:
                session.set_private_note(app_id, "Ask the others about the data source.")
        return full


def page_workspace(window: Any) -> Any:
    return window.staff_page.workspace


def run(out: Path, display: str, work: Path, only: set[str]) -> list[Path]:
    os.environ["DISPLAY"] = display
    os.environ["QT_QPA_PLATFORM"] = "xcb"
    os.environ.setdefault("QT_SCALE_FACTOR", "1")
    from PySide6.QtWidgets import QApplication

    from judgepanel.model.demo.build import build_demo
    from judgepanel.ui.appearance import dark_palette

    print("building the demo…")
    built = work / "demo"
    build_demo(built)
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(
        ["judgepanel-screenshots"])
    app.setStyle("Fusion")  # the same look on every machine (also Qt's default on Xvfb)
    light = app.palette()
    written: list[Path] = []
    for size in (SIZE, SMALL):
        for dark in (False, True):
            # Each pass works on its own copy and its own judge home, so each starts fresh.
            tag = ("dark" if dark else "light") + f"-{size[0]}"
            demo = work / f"demo-{tag}"
            shutil.copytree(built, demo)
            os.environ["JUDGEPANEL_HOME"] = str(work / f"home-{tag}")
            app.setPalette(dark_palette() if dark else light)
            shooter = Shooter(app, demo, work, out, dark=dark, only=only, size=size)
            shooter.staff()
            shooter.leaderboard()
            shooter.meeting()
            shooter.judge()
            written += shooter.written
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Retake docs/screenshots from a fresh demo.")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--display", help="an X display to use instead of a private Xvfb")
    parser.add_argument("--only", nargs="*", default=[], metavar="NAME",
                        help="only these shots (file names without .png)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args(argv)
    unknown = set(args.only) - set(all_names())
    if unknown:
        parser.error(f"unknown shots: {', '.join(sorted(unknown))}; "
                     f"known: {', '.join(all_names())}")
    args.out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="jp-screenshots-"))
    # Never the user's data or keyring: everything lives in the temporary folder.
    os.environ["JUDGEPANEL_HOME"] = str(work / "home")
    os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    try:
        with x_server(args.display) as display:
            written = run(args.out.resolve(), display, work, set(args.only))
    finally:
        if args.keep:
            print("kept", work)
        else:
            shutil.rmtree(work, ignore_errors=True)
    print(f"{len(written)} screenshots written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
