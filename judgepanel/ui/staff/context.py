"""What every staff screen shares: the open workspace, background work, undo, change news.

Why one object: screens never call each other. A screen that changes the
workspace announces it once (``changed.emit(topic)``) and every screen decides
for itself whether to reload (the "changes announced once" habit). Long work
always goes through the one :class:`TaskRunner`; the progress dialog and the
error box live here so every screen shows them alike. The dialog helpers are
plain attributes so tests can replace them without patching Qt.

In a program several officers share, the context also watches for the others' work
(:meth:`StaffContext.watch`): every few seconds it reads the audit entries after the
newest one it has seen (``model.staff.activity``), announces their topics on
``changed`` exactly as a local change would (so every screen reloads what it shows,
with no code of its own), and tells ``news`` who changed what. A local edit another
officer made stale is refused with the new value and its screen reloaded; one that
merely collided with theirs is done again (``StaffWorkspace.run``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import (
    QFileDialog,
    QInputDialog,
    QLineEdit,
    QMessageBox,
    QProgressDialog,
)

from judgepanel.crypto.identity import Identity
from judgepanel.errors import (
    Cancelled,
    ConcurrentChangeError,
    IdentityError,
    JudgePanelError,
    StaleEditError,
)
from judgepanel.model.staff.activity import Activity, activity_since, latest_seq
from judgepanel.model.staff.workspace import StaffWorkspace
from judgepanel.progress import Progress
from judgepanel.ui.staff.table_model import tr
from judgepanel.ui.staff.unsaved import ROUND, Guard
from judgepanel.ui.tasks import Task, TaskRunner

if TYPE_CHECKING:
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import (
        QWidget,
    )
    from sqlalchemy.orm import Session

log = logging.getLogger(__name__)
T = TypeVar("T")

# Topics announced on ``StaffContext.changed`` (a screen reloads on the ones it shows).
PROGRAM, RUBRIC, APPLICATIONS, JUDGES, CONFLICTS, ASSIGNMENTS, BUNDLES, RESULTS, AWARDS = (
    "program", "rubric", "applications", "judges", "conflicts", "assignments", "bundles",
    "results", "awards")
DECISIONS = "decisions"
EVERYTHING = "*"
# What another officer's change touches, by the family of its audit action.
FAMILY_TOPICS: dict[str, tuple[str, ...]] = {
    "applications": (APPLICATIONS,), "assignment": (ASSIGNMENTS,), "award": (AWARDS,),
    "decision": (DECISIONS, AWARDS),
    "conflict": (CONFLICTS, ASSIGNMENTS), "conflicts": (CONFLICTS, ASSIGNMENTS),
    "judge": (JUDGES,), "bundle": (BUNDLES,), "results": (RESULTS, CONFLICTS),
    "rubric": (RUBRIC,), "round": (PROGRAM,), "program": (PROGRAM,),
}
WATCH_INTERVAL_MS = 3000


def topics_of(news: list[Activity]) -> list[str]:
    """The topics to announce for these changes, each once (unknown ones: everything)."""
    topics: dict[str, None] = {}
    for item in news:
        for topic in FAMILY_TOPICS.get(item.family, (EVERYTHING,)):
            topics[topic] = None
    return [EVERYTHING] if EVERYTHING in topics else list(topics)


class StaffContext(QObject):
    """The open program as the screens see it. One per :class:`StaffPage`."""

    changed = Signal(str)
    round_changed = Signal(int)
    # A round was deleted here (its shortlist undone): work not saved in it goes with it,
    # without a question, and the screen that held it says so.
    round_deleted = Signal(int)
    news = Signal(object)  # list[Activity]: other officers' changes, oldest first
    # A screen asks for another screen by key (the dashboard's links); the page shows it.
    navigate = Signal(str)

    def __init__(self, workspace: StaffWorkspace, runner: TaskRunner, settings: QSettings,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.runner = runner
        self.settings = settings
        self.undo_stack = QUndoStack(self)
        self.round_id: int | None = None
        self.busy = 0  # background tasks running (tests wait for 0)
        self.last_error: JudgePanelError | None = None
        self._identity: Identity | None = None
        # Dialog hooks (tests replace these with plain functions).
        self.show_error: Callable[[QWidget | None, JudgePanelError], None] = _error_box
        self.ask_text: Callable[[QWidget | None, str, str], str | None] = _ask_text
        self.ask_identity_file: Callable[[QWidget | None], Path | None] = _ask_identity_file
        self.ask_passphrase: Callable[[QWidget | None, str], str | None] = _ask_passphrase
        # Asked before the work shown is left (another round, the program closing): a
        # screen holding unsaved work asks the person (see may_leave).
        self.guards: list[Guard] = []
        # A save chosen in answer to that question, on its way (tasks started while the
        # guards asked), and the step to take once it lands: the latest one asked for.
        self._guarding = False
        self._leave_saves = 0
        self._after_save: Callable[[], object] = lambda: None
        # Watching the shared program for other officers' changes (see :meth:`watch`).
        self.seen_seq: int | None = None
        self._looking = False
        self.watch_timer = QTimer(self)
        self.watch_timer.timeout.connect(self.look_for_news)

    # --- the round ---------------------------------------------------------------

    def set_round(self, round_id: int | None) -> None:
        """Show ``round_id`` on every screen, unless a screen with unsaved work asked first
        and the person kept the round (or it changes once that work is saved). None: the
        round shown was deleted, and work not saved in it with it, unasked."""
        if round_id == self.round_id or (
                round_id is not None
                and not self.may_leave(ROUND, lambda: self.set_round(round_id))):
            return
        self.round_id = round_id
        if round_id is not None:
            self.round_changed.emit(round_id)

    def may_leave(self, leaving: str, then: Callable[[], object]) -> bool:
        """Whether the work shown may be left now for ``leaving`` (``unsaved.ROUND`` or
        ``CLOSE``): each screen holding unsaved work asks, in turn. False: the person
        stayed, or chose to save, and ``then`` (the step asked for, again) runs once it
        is saved; a save refused runs nothing, and its screen says why.

        Asked again while that save is on its way (the window closed twice), nothing is
        asked: the step waits for the same save, and only the latest one asked runs."""
        self._after_save = then
        if self._leave_saves:
            return False
        self._guarding = True
        try:
            return all(guard(leaving, lambda: self._after_save()) for guard in self.guards)
        finally:
            self._guarding = False

    # --- background work -----------------------------------------------------------

    def run(self, work: Callable[[Progress], T], *,
            on_done: Callable[[T], None], parent: QWidget | None = None,
            label: str | None = None, cancellable: bool = False,
            on_error: Callable[[JudgePanelError], None] | None = None) -> Task:
        """Run ``work(progress)`` off the GUI thread; with ``label`` a progress dialog shows.

        ``on_done`` and ``on_error`` arrive on the GUI thread. A cancelled task is
        silent; any other refusal is shown with its plain message (and kept in
        ``last_error`` for tests).
        """
        dialog: QProgressDialog | None = None
        task_ref: list[Task] = []
        if label is not None:
            dialog = QProgressDialog(label, self.tr("Cancel") if cancellable else "", 0, 0,
                                     parent)
            dialog.setWindowTitle(self.tr("Working…"))
            dialog.setWindowModality(Qt.WindowModality.WindowModal)
            dialog.setMinimumDuration(300)
            dialog.setAutoClose(False)
            dialog.setAutoReset(False)
            if not cancellable:
                dialog.setCancelButton(None)
            # Qt counts the 300 ms from the first value: without one, a step that reports
            # no progress showed nothing (and left the window usable) for 4 seconds.
            dialog.setValue(0)
            def cancel() -> None:
                if task_ref:
                    task_ref[0].cancel()

            dialog.canceled.connect(cancel)

        def progress(done: int, total: int, text: str) -> None:
            if dialog is not None:
                dialog.setMaximum(max(total, 0))
                dialog.setValue(min(done, total) if total else 0)
                if text:
                    dialog.setLabelText(text)

        saving_to_leave = self._guarding  # a save chosen before leaving (may_leave)

        def finish() -> None:
            self.busy -= 1
            self._leave_saves -= saving_to_leave
            if dialog is not None:
                dialog.close()
                dialog.deleteLater()

        def done(result: Any) -> None:
            finish()
            on_done(result)

        def failed(error: JudgePanelError) -> None:
            finish()
            if isinstance(error, Cancelled):
                return
            self.last_error = error
            log.info("refused: %s (%s)", error.message, error.detail)
            if on_error is not None:
                on_error(error)
            else:
                self.show_error(parent, error)

        self.busy += 1
        self._leave_saves += saving_to_leave
        task = self.runner.start(work, on_done=done, on_error=failed, on_progress=progress)
        task_ref.append(task)
        return task

    def read(self, query: Callable[[Session], T], on_done: Callable[[T], None], *,
             parent: QWidget | None = None,
             on_error: Callable[[JudgePanelError], None] | None = None) -> Task:
        """Run a read-only ``query(session)`` in the background (no progress dialog).

        On a shared program the query sees one moment of it (a snapshot), never half
        of another officer's step. A refusal goes to ``on_error``, else the error box.
        """
        def work(_progress: Progress) -> T:
            with self.workspace.session(snapshot=True) as session:
                return query(session)

        return self.run(work, on_done=on_done, parent=parent, on_error=on_error)

    def write(self, change: Callable[[Session], T], on_done: Callable[[T], None], *,
              topic: str, parent: QWidget | None = None, label: str | None = None,
              on_error: Callable[[JudgePanelError], None] | None = None) -> Task:
        """Run ``change(session)`` in one transaction, then announce ``topic``.

        A change that collided with another officer's is done again; one made from a
        view they changed since is refused with the new value (``on_error``, else the
        error box), and ``topic`` is announced so the screen shows it.
        """
        def work(_progress: Progress) -> T:
            return self.workspace.run(change)

        def done(result: T) -> None:
            on_done(result)
            self.changed.emit(topic)

        def refused(error: JudgePanelError) -> None:
            if on_error is not None:
                on_error(error)
            else:
                self.show_error(parent, error)
            if isinstance(error, StaleEditError | ConcurrentChangeError):
                self.changed.emit(topic)

        return self.run(work, on_done=done, parent=parent, label=label, on_error=refused)

    # --- other officers' changes ---------------------------------------------------------

    def watch(self, interval_ms: int = WATCH_INTERVAL_MS) -> None:
        """Look for other officers' changes every ``interval_ms`` (a shared program only)."""
        if self.workspace.shared:
            self.look_for_news()
            self.watch_timer.start(interval_ms)

    def stop_watching(self) -> None:
        self.watch_timer.stop()

    def look_for_news(self) -> None:
        """Read the audit entries after the newest seen (in the background); announce them."""
        if self._looking:
            return  # the previous look has not come back yet
        self._looking = True
        since = self.seen_seq

        def work(_progress: Progress) -> tuple[int, list[Activity]]:
            with self.workspace.session() as session:
                if since is None:
                    return latest_seq(session), []
                found = activity_since(session, since)
                return (found[-1].seq if found else since), found

        def done(result: tuple[int, list[Activity]]) -> None:
            self._looking = False
            seq, found = result
            self.seen_seq = max(seq, self.seen_seq or 0)
            mine = self.workspace.written_seqs
            news = [a for a in found if a.seq not in mine]
            if news:
                for topic in topics_of(news):
                    self.changed.emit(topic)
                self.news.emit(news)

        def failed(error: JudgePanelError) -> None:
            self._looking = False
            log.info("could not look for other officers' changes: %s", error.detail)

        self.runner.start(work, on_done=done, on_error=failed)

    # --- the staff identity --------------------------------------------------------------

    def staff_identity(self, parent: QWidget | None = None) -> Identity | None:
        """The program's staff identity: from this computer, else from a file the user picks.

        Kept for the session so building and merging ask once. Returns None when
        the user gives up; a wrong identity is refused with a plain message.
        """
        if self._identity is not None:
            return self._identity
        from judgepanel.formats.keystore import IdentityStore, PassphraseNeededError

        with self.workspace.session() as session:
            program = self.workspace.program(session)
            recipient, key = program.staff_age_recipient, program.staff_minisign_key
        if not recipient or not key:
            self.show_error(parent, IdentityError(
                "This program has no staff identity yet, so bundles cannot be signed. "
                "Create the program again with the wizard, or set one with the command line."))
            return None
        from judgepanel.crypto.identity import fingerprint

        expected = fingerprint(recipient, key)
        store = IdentityStore()
        identity: Identity | None = None
        try:
            if store.secret_location(expected) is not None:
                passphrase = None
                if store.needs_passphrase(expected):
                    passphrase = self.ask_passphrase(parent, expected)
                    if passphrase is None:
                        return None
                identity = store.load(expected, passphrase=passphrase)
            else:
                path = self.ask_identity_file(parent)
                if path is None:
                    return None
                from judgepanel.formats.identity_file import read_identity_file

                passphrase = (self.ask_passphrase(parent, path.name)
                              if path.name.endswith(".age") else None)
                identity = read_identity_file(path, passphrase=passphrase)
        except PassphraseNeededError as error:
            self.show_error(parent, error)
            return None
        except JudgePanelError as error:
            self.show_error(parent, error)
            return None
        if identity.fingerprint != expected:
            self.show_error(parent, IdentityError(
                "This is not the staff identity of this program, so it could not read the "
                "judges' results. Choose the identity the program was set up with.",
                detail=f"got {identity.fingerprint}, expected {expected}"))
            return None
        self._identity = identity
        return identity

    def forget_identity(self) -> None:
        self._identity = None


def _error_box(parent: QWidget | None, error: JudgePanelError) -> None:
    box = QMessageBox(QMessageBox.Icon.Warning, tr("JudgePanel"), error.message,
                      QMessageBox.StandardButton.Ok, parent)
    rows = getattr(error, "rows", None)
    details = [error.detail] if error.detail else []
    if rows:
        details += [f"row {r}: {p}" for r, p in rows]
    if details:
        box.setDetailedText("\n".join(details))
    box.exec()


def _ask_text(parent: QWidget | None, title: str, label: str) -> str | None:
    text, ok = QInputDialog.getMultiLineText(parent, title, label)
    return text if ok else None


def _ask_identity_file(parent: QWidget | None) -> Path | None:
    path, _ = QFileDialog.getOpenFileName(
        parent, tr("Choose the program's staff identity"), "",
        tr("JudgePanel identities (*.identity *.identity.age);;All files (*)"))
    return Path(path) if path else None


def _ask_passphrase(parent: QWidget | None, what: str) -> str | None:
    text, ok = QInputDialog.getText(
        parent, tr("Passphrase"),
        tr("The staff identity {what} is protected by a passphrase:").format(what=what),
        QLineEdit.EchoMode.Password)
    return text if ok else None
