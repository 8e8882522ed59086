"""The staff app: a sidebar of screens, a round chooser and undo, over one open workspace."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTime, QTimer
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QStackedWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from judgepanel.model.staff.activity import Activity
from judgepanel.model.staff.overview import rounds_of
from judgepanel.model.staff.workspace import StaffWorkspace
from judgepanel.ui.staff.applications import ApplicationsScreen
from judgepanel.ui.staff.assignment import AssignmentScreen
from judgepanel.ui.staff.audit_view import AuditScreen
from judgepanel.ui.staff.bundles import BundlesScreen
from judgepanel.ui.staff.conflicts import ConflictsScreen
from judgepanel.ui.staff.context import PROGRAM, StaffContext
from judgepanel.ui.staff.judges import JudgesScreen
from judgepanel.ui.staff.leaderboard.screen import LeaderboardScreen
from judgepanel.ui.staff.meeting.screen import MeetingScreen
from judgepanel.ui.staff.overview import OverviewScreen
from judgepanel.ui.staff.results_inbox import ResultsInboxScreen
from judgepanel.ui.staff.rubric_editor.screen import RubricScreen
from judgepanel.ui.staff.screen import Screen
from judgepanel.ui.staff.unsaved import CLOSE
from judgepanel.ui.tasks import TaskRunner

if TYPE_CHECKING:
    from PySide6.QtCore import QSettings
    from PySide6.QtGui import QCloseEvent

SCREENS: tuple[tuple[str, type[Screen]], ...] = (
    ("overview", OverviewScreen),
    ("rubric", RubricScreen),
    ("applications", ApplicationsScreen),
    ("judges", JudgesScreen),
    ("conflicts", ConflictsScreen),
    ("assignment", AssignmentScreen),
    ("bundles", BundlesScreen),
    ("results", ResultsInboxScreen),
    ("leaderboard", LeaderboardScreen),
    ("meeting", MeetingScreen),
    ("audit", AuditScreen),
)


class ScreenSet(Mapping[str, Screen]):
    """The page's screens by key, each built the first time it is asked for.

    Why: building all eleven took 28-56 ms of the GUI thread as a program opened
    (``bench staff_ui``: most of that stall); a screen takes 1-5 ms, paid when it is
    first shown. Until then the stack holds an empty placeholder in its place, so the
    sidebar's rows and the stack's pages keep the same order. ``built`` is told of each
    screen as it is built.
    """

    def __init__(self, ctx: StaffContext, stack: QStackedWidget,
                 kinds: tuple[tuple[str, type[Screen]], ...],
                 built: Callable[[Screen], None] = lambda _screen: None) -> None:
        self._ctx, self._stack, self._tell_built = ctx, stack, built
        self._kinds = dict(kinds)
        self._built: dict[str, Screen] = {}
        self._placeholders: dict[str, QWidget] = {}
        for key in self._kinds:
            self._placeholders[key] = placeholder = QWidget()
            stack.addWidget(placeholder)

    def __getitem__(self, key: str) -> Screen:
        screen = self._built.get(key)
        if screen is None:
            kind = self._kinds[key]  # an unknown key raises KeyError, as a dict would
            placeholder = self._placeholders.pop(key)
            screen = self._built[key] = kind(self._ctx)
            current = self._stack.currentWidget() is placeholder
            self._stack.insertWidget(self._stack.indexOf(placeholder), screen)
            if current:
                self._stack.setCurrentWidget(screen)
            self._stack.removeWidget(placeholder)
            placeholder.deleteLater()
            self._tell_built(screen)
        return screen

    def __contains__(self, key: object) -> bool:
        return key in self._kinds

    def __iter__(self) -> Iterator[str]:
        return iter(self._kinds)

    def __len__(self) -> int:
        return len(self._kinds)


class StaffPage(QWidget):
    """One open program. The workspace is opened here and closed by :meth:`shutdown`.

    Screens are reached from the sidebar (or Ctrl+1 … Ctrl+0); each loads its own
    data in the background when shown. ``workspace`` is a folder to open, or a workspace
    already open (a shared program is opened off the GUI thread: it is on a server).
    On a shared program a line at the foot says what other officers changed last.
    While the screen shown reads a round just chosen (and takes no action on what it
    still shows of the round before), the toolbar says which round it is reading.
    """

    def __init__(self, workspace: Path | str | StaffWorkspace, runner: TaskRunner,
                 settings: QSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        if not isinstance(workspace, StaffWorkspace):
            workspace = StaffWorkspace.open(workspace)
        self.program_name = ""
        self.ctx = StaffContext(workspace, runner, settings, self)
        self.setAccessibleName(self.tr("Program"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.toolbar = QToolBar(self.tr("Program"))
        self.toolbar.setAccessibleName(self.tr("Program toolbar"))
        self.program_label = QLabel()
        self.toolbar.addWidget(self.program_label)
        self.toolbar.addSeparator()
        round_label = QLabel(self.tr(" &Round: "))
        self.round_box = QComboBox()
        self.round_box.setAccessibleName(self.tr("Round"))
        self.round_box.setMinimumWidth(200)
        round_label.setBuddy(self.round_box)
        self.round_box.currentIndexChanged.connect(self._round_picked)
        self.toolbar.addWidget(round_label)
        self.toolbar.addWidget(self.round_box)
        self.toolbar.addSeparator()
        self.undo_action = self.ctx.undo_stack.createUndoAction(self, self.tr("&Undo"))
        self.undo_action.setShortcut(QKeySequence.StandardKey.Undo)
        self.redo_action = self.ctx.undo_stack.createRedoAction(self, self.tr("&Redo"))
        self.redo_action.setShortcut(QKeySequence.StandardKey.Redo)
        self.toolbar.addAction(self.undo_action)
        self.toolbar.addAction(self.redo_action)
        self.reading_label = QLabel()
        self.reading_label.setAccessibleName(self.tr("Reading the round you chose"))
        self.reading_label.setContentsMargins(12, 0, 0, 0)
        self.reading_mark = self.toolbar.addWidget(self.reading_label)
        self.reading_mark.setVisible(False)
        layout.addWidget(self.toolbar)

        body = QHBoxLayout()
        self.sidebar = QListWidget()
        self.sidebar.setAccessibleName(self.tr("Screens"))
        self.sidebar.setFixedWidth(190)
        self.sidebar.setSpacing(3)
        self.stack = QStackedWidget()
        self.screens = ScreenSet(self.ctx, self.stack, SCREENS, self._screen_built)
        self.stack.currentChanged.connect(lambda _i: self._reading())
        for key, kind in SCREENS:
            item = QListWidgetItem(kind.translated_title())
            item.setData(Qt.ItemDataRole.UserRole, key)
            self.sidebar.addItem(item)
        self.sidebar.currentRowChanged.connect(self._row_chosen)
        for number in range(min(len(self.screens), 10)):
            shortcut = QKeySequence(f"Ctrl+{(number + 1) % 10}")
            action = self.toolbar.addAction("")
            action.setVisible(False)
            action.setShortcut(shortcut)
            action.triggered.connect((lambda n: lambda: self.sidebar.setCurrentRow(n))(number))
            self.addAction(action)
        body.addWidget(self.sidebar)
        body.addWidget(self.stack, 1)
        layout.addLayout(body, 1)
        self.news_label = QLabel()
        self.news_label.setAccessibleName(self.tr("Changes by other officers"))
        self.news_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByKeyboard
                                                | Qt.TextInteractionFlag.TextSelectableByMouse)
        self.news_label.setContentsMargins(8, 2, 8, 4)
        self.news_label.setVisible(False)
        layout.addWidget(self.news_label)
        self.ctx.changed.connect(self._program_changed)
        self.ctx.round_changed.connect(self._round_chosen)
        self.ctx.news.connect(self._show_news)
        self.ctx.navigate.connect(self._navigate)
        self._load_rounds(select_latest=True)
        self.sidebar.setCurrentRow(0)
        self.ctx.watch()

    @property
    def workspace(self) -> StaffWorkspace:
        return self.ctx.workspace

    def _row_chosen(self, row: int) -> None:
        if 0 <= row < len(SCREENS):
            self.stack.setCurrentWidget(self.screens[SCREENS[row][0]])

    def show_screen(self, key: str) -> Screen:
        """Switch to a screen by key (``overview``, ``rubric``, … ``audit``)."""
        self.sidebar.setCurrentRow(list(self.screens).index(key))
        return self.screens[key]

    def _navigate(self, key: str) -> None:
        """A link on a screen (the dashboard's): show that screen and put focus in it."""
        if key not in self.screens:
            return
        screen = self.show_screen(key)
        first = next((w for w in screen.findChildren(QWidget)
                      if w.isVisibleTo(screen) and w.isEnabled()
                      and w.focusPolicy() & Qt.FocusPolicy.TabFocus), None)
        (first or screen).setFocus()

    def _screen_built(self, screen: Screen) -> None:
        screen.reading_changed.connect(self._reading)

    def _reading(self) -> None:
        """Say which round the screen shown is reading, while it shows the mark."""
        screen = self.stack.currentWidget()
        if not isinstance(screen, Screen) or not screen.reading:
            self.reading_mark.setVisible(False)
            return
        index = self.round_box.findData(screen.reading_round)
        name = self.round_box.itemText(index) if index >= 0 else ""
        self.reading_label.setText(self.tr("Reading “{round}”…").format(round=name)
                                   if name else self.tr("Reading…"))
        self.reading_mark.setVisible(True)

    def _program_changed(self, topic: str) -> None:
        if topic == PROGRAM:
            self._load_rounds(select_latest=False)

    def _show_news(self, news: list[Activity]) -> None:
        """Say who changed what: the newest change, and how many came with it."""
        latest = news[-1]
        text = self.tr("{time} {who} {what}").format(
            time=QTime.currentTime().toString("HH:mm"), who=latest.actor, what=latest.words)
        if len(news) > 1:
            text += self.tr(" (and {n} more changes)").format(n=len(news) - 1)
        self.news_label.setText(text)
        self.news_label.setToolTip("\n".join(str(item) for item in news[-10:]))
        self.news_label.setVisible(True)

    def _round_picked(self, _index: int) -> None:
        self.ctx.set_round(self.round_box.currentData())
        if self.ctx.round_id != self.round_box.currentData():
            self.round_box.blockSignals(True)  # the round stays: so does the chooser
            self.round_box.setCurrentIndex(self.round_box.findData(self.ctx.round_id))
            self.round_box.blockSignals(False)

    def _round_chosen(self, round_id: int) -> None:
        index = self.round_box.findData(round_id)
        if index >= 0 and index != self.round_box.currentIndex():
            self.round_box.setCurrentIndex(index)
        elif index < 0:
            self._load_rounds(select_latest=False)

    def _load_rounds(self, *, select_latest: bool) -> None:
        """Read the rounds now (a handful of rows) so every screen starts with a round."""
        with self.workspace.session() as session:
            program = self.workspace.program(session)
            name, rounds = program.name, rounds_of(session, program)
        self.program_name = name
        self.program_label.setText(f"<b>{name}</b>")
        wanted = rounds[-1].id if select_latest and rounds else self.ctx.round_id
        self.round_box.blockSignals(True)
        self.round_box.clear()
        for r in rounds:
            self.round_box.addItem(r.label, r.id)
        self.round_box.blockSignals(False)
        index = self.round_box.findData(wanted)
        if index < 0 and rounds:
            index = len(rounds) - 1
        self.round_box.setCurrentIndex(index)
        self.ctx.set_round(self.round_box.currentData())

    def may_close(self, then: Callable[[], object]) -> bool:
        """Whether the program may close now: each screen holding work not saved asks
        first (``StaffContext.may_leave``). False: the officer kept it open, or chose to
        save, and ``then`` (the close, asked for again) runs once the work is saved, and
        once every screen has heard of it (not from inside the save's own callback)."""
        return self.ctx.may_leave(CLOSE, lambda: QTimer.singleShot(0, then))

    def shutdown(self) -> None:
        """Stop background work (results still on their way are dropped), close the workspace."""
        self.ctx.stop_watching()
        self.ctx.runner.close(10_000)
        self.workspace.close()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt override)
        self.shutdown()
        super().closeEvent(event)
