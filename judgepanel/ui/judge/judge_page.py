"""The judge's page: declarations, reading and scoring, overview and submit, tied together.

The page owns the judging session for as long as the bundle is open. Each edit goes
to the session (which commits it) through :class:`Autosaver`; scores commit at once,
typed text a moment after the judge stops typing (and before anything else happens:
switching application, exporting, closing). The "Saved" indicator only says saved
after the commit returned, so killing the app never loses what it showed as saved.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QItemSelectionModel, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListView,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from judgepanel.crypto.identity import Identity
from judgepanel.errors import JudgePanelError
from judgepanel.model.judge.records import AppProgress, ExportRecord
from judgepanel.model.judge.session import JudgingSession
from judgepanel.ui.judge.application_view import ApplicationView
from judgepanel.ui.judge.autosave import Autosaver
from judgepanel.ui.judge.bundle_info import due_text
from judgepanel.ui.judge.declarations import DeclarationsPage
from judgepanel.ui.judge.exporting import ExportActions, RunDialog, ask_export_path
from judgepanel.ui.judge.look import warning
from judgepanel.ui.judge.models import OverviewModel
from judgepanel.ui.judge.overview import OverviewPage, distribution
from judgepanel.ui.judge.scoring_panel import ScoringPanel
from judgepanel.ui.judge.submit import SubmitPage
from judgepanel.ui.judge.unable_dialog import UnableDialog
from judgepanel.ui.tasks import TaskRunner

if TYPE_CHECKING:
    from PySide6.QtCore import QModelIndex, QSettings

VIEWS = ("declarations", "score", "overview", "submit")
AskExportPath = Callable[[QWidget, str], str]
READING_SPLIT, FIELDS_SPLIT = "judge/reading_splitter", "judge/fields_splitter"
AskReason = Callable[[QWidget, str], str | None]


def ask_unable_reason(parent: QWidget, title: str) -> str | None:
    """The reason a judge cannot review an application (None: they changed their mind)."""
    dialog = UnableDialog(title, parent)
    return dialog.reason.text().strip() if dialog.exec() else None


class JudgePage(QWidget):
    """Everything a judge does with one open bundle."""

    closed = Signal()
    details_requested = Signal()  # the bundle's facts again (the staff fingerprint)

    def __init__(self, session: JudgingSession, identity: Identity, runner: TaskRunner,
                 parent: QWidget | None = None, *,
                 ask_path: AskExportPath = ask_export_path,
                 settings: QSettings | None = None,
                 ask_reason: AskReason = ask_unable_reason,
                 run_dialog: RunDialog = lambda dialog: dialog.exec()) -> None:
        super().__init__(parent)
        self.session = session
        self.identity = identity
        self.runner = runner
        self.settings = settings
        self.ask_reason = ask_reason
        self.current: str | None = None
        self.autosaver = Autosaver(session, self)
        self.autosaver.saved.connect(self._saved)
        self.autosaver.failed.connect(self._save_failed)
        self.autosaver.pending.connect(lambda: self._indicate(self.tr("Saving…")))

        self.model = OverviewModel(session.applications, self)
        self.model.set_progress(session.progress())
        self._build()
        self.sending = ExportActions(session, identity, runner, self.submit, settings, self,
                                     ask_path=ask_path, run_dialog=run_dialog)
        self.sending.exported.connect(self._exported)
        self.sending.changed.connect(self.reload)
        self.submit.export_requested.connect(self.export)
        self.submit.sheet_export_requested.connect(self._export_sheet)
        self.submit.sheet_import_requested.connect(self._import_sheet)
        self.submit.continue_requested.connect(lambda: self.sending.continue_from_file())
        self.submit.carry_requested.connect(self._carry)
        self.sending.carried.connect(self._carried)
        self._shortcuts()
        self._restore()
        self._restore_splitters()

    # --- layout -------------------------------------------------------------------

    def _build(self) -> None:
        info = self.session.info
        self.heading = QLabel(f"<b>{self._esc(info.program_name)}</b> — "
                              f"{self._esc(info.round_name)}")
        self.due = QLabel(self.tr("Due {due}").format(due=due_text(info.due)))
        self.saved_label = QLabel()
        self.saved_label.setAccessibleName(self.tr("Save status"))
        self.details_button = QPushButton(self.tr("Bundle &details"))
        self.details_button.setToolTip(self.tr("Who signed this bundle, and the staff "
                                               "fingerprint to compare"))
        self.details_button.clicked.connect(self.details_requested)
        top = QHBoxLayout()
        top.addWidget(self.heading)
        top.addSpacing(16)
        top.addWidget(self.due)
        top.addSpacing(16)
        top.addWidget(self.details_button)
        top.addStretch()
        top.addWidget(self.saved_label)

        self.declarations = DeclarationsPage(self.model)
        self.declarations.current_changed.connect(self._declaration_selected)
        self.declarations.declare_requested.connect(self._declare)
        self.declarations.read_and_score.connect(self._start_scoring)

        self.app_list = QListView()
        self.app_list.setModel(self.model)
        self.app_list.setModelColumn(OverviewModel.TITLE)
        self.app_list.setUniformItemSizes(True)
        self.app_list.setAccessibleName(self.tr("Applications"))
        self.app_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.app_list.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.app_list.selectionModel().currentChanged.connect(self._list_changed)
        self.app_view = ApplicationView(self.runner)
        self.panel = ScoringPanel(self.session.rubric)
        self.panel.edited.connect(self._edited)
        self.panel.unable_requested.connect(self._mark_unable)
        self.panel.unable_withdrawn.connect(lambda: self._set_unable(None))
        self.panel.setMinimumWidth(340)
        self.app_list.setMinimumWidth(120)
        reading = QSplitter()
        reading.addWidget(self.app_list)
        reading.addWidget(self.app_view)
        reading.addWidget(self.panel)
        reading.setStretchFactor(0, 1)
        reading.setStretchFactor(1, 3)
        reading.setStretchFactor(2, 2)
        reading.setSizes([230, 560, 430])
        self.reading = reading

        self.overview = OverviewPage(self.model, self.session.rubric)
        self.overview.open_requested.connect(lambda a: self.go_to(a, None))
        self.submit = SubmitPage()
        self.submit.go_to.connect(self.go_to)

        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.declarations, self.tr("1 · Declarations"))
        self.tabs.addTab(reading, self.tr("2 · Read and score"))
        self.tabs.addTab(self.overview, self.tr("3 · Overview"))
        self.tabs.addTab(self.submit, self.tr("4 · Send results"))
        self.tabs.currentChanged.connect(self._tab_changed)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.addLayout(top)
        layout.addWidget(self.tabs, stretch=1)

    @staticmethod
    def _esc(text: str) -> str:
        import html

        return html.escape(text)

    def _shortcuts(self) -> None:
        context = Qt.ShortcutContext.WidgetWithChildrenShortcut
        for keys, slot in (
            (("Ctrl+PgDown", "Alt+Right"), lambda: self.step_application(1)),
            (("Ctrl+PgUp", "Alt+Left"), lambda: self.step_application(-1)),
            (("Alt+Down",), lambda: self.panel.move_criterion(1)),
            (("Alt+Up",), lambda: self.panel.move_criterion(-1)),
            (("Alt+Home",), self.first_criterion),
        ):
            for key in keys:
                QShortcut(QKeySequence(key), self, slot, context=context)
        for number in range(len(VIEWS)):
            QShortcut(QKeySequence(f"Ctrl+{number + 1}"), self,
                      lambda n=number: self.tabs.setCurrentIndex(n), context=context)

    def _restore(self) -> None:
        """Back to where the judge was; first time: declarations if any are missing."""
        position = self.session.position()
        app_id = position.application_id or self.session.applications[0].id
        undeclared = any(not p.declared for p in self.session.progress())
        view = position.view if position.view in VIEWS else (
            "declarations" if undeclared else "score")
        self._select_in(self.app_list, app_id)
        self._select_in(self.declarations.list, app_id)
        self.show_application(app_id)
        self.tabs.setCurrentIndex(VIEWS.index(view))
        self._tab_changed(self.tabs.currentIndex())
        self._indicate(self.tr("All changes saved"))

    # --- navigation ---------------------------------------------------------------

    def _select_in(self, view: QListView, app_id: str) -> None:
        index = self.model.index(self.model.row_of(app_id), OverviewModel.TITLE)
        if view.currentIndex() != index:
            view.selectionModel().setCurrentIndex(
                index, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        view.scrollTo(index)

    def _list_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid():
            self.show_application(self.model.app_id(current.row()))

    def _declaration_selected(self, app_id: str) -> None:
        self.declarations.show_summary(self.model.summary(app_id),
                                       self.session.declaration(app_id))

    def step_application(self, step: int) -> None:
        """Next or previous application; when reading, start at its first unscored criterion
        (focus never stays in the field of the last one, where a digit typed went into the
        private notes: issue 14)."""
        if self.current is None:
            return
        row = self.model.row_of(self.current) + step
        if 0 <= row < self.model.rowCount():
            app_id = self.model.app_id(row)
            if self.tabs.currentWidget() is self.declarations:
                self._select_in(self.declarations.list, app_id)
                self.declarations.no_conflict.setFocus()
            else:
                self.tabs.setCurrentWidget(self.reading)
                self._select_in(self.app_list, app_id)
                self.panel.focus_first_unscored()

    def first_criterion(self) -> None:
        """Alt+Home: the first criterion of the application being read."""
        if self.tabs.currentWidget() is not self.reading:
            self.tabs.setCurrentWidget(self.reading)
        self.panel.verticalScrollBar().setValue(0)
        self.panel.focus_criterion(0)

    def _start_scoring(self) -> None:
        """From the declarations, all made: the first application to score, its first gap."""
        progress = self.session.progress()
        target = next((p.application_id for p in progress
                       if p.declared and not p.conflict and not p.complete),
                      self.current or self.session.applications[0].id)
        self.tabs.setCurrentWidget(self.reading)
        self._select_in(self.app_list, target)
        self.panel.focus_first_unscored()

    def go_to(self, app_id: str, criterion: object) -> None:
        """From a problem or the overview: the right screen, application and criterion."""
        declared = self.session.declaration(app_id) is not None
        if not declared:
            self.tabs.setCurrentWidget(self.declarations)
            self._select_in(self.declarations.list, app_id)
            self.declarations.no_conflict.setFocus()
            return
        self.tabs.setCurrentWidget(self.reading)
        self._select_in(self.app_list, app_id)
        self.panel.focus_missing(criterion if isinstance(criterion, str) else None)

    def show_application(self, app_id: str) -> None:
        """Open one application in the reading pane (the switch the benchmark times)."""
        self.autosaver.flush()
        self.current = app_id
        summary = self.model.summary(app_id)
        summary_dict = {"id": summary.id, "title": summary.title, "applicant": summary.applicant,
                        "organisation": summary.organisation, "city": summary.city}
        review = self.session.review(app_id)
        declaration = review.declaration
        if declaration is None:
            reason = self.tr("Declare first whether you have a conflict of interest with this "
                             "application (Declarations, Ctrl+1); it opens after that.")
            self.app_view.show_locked(summary_dict, reason)
        elif declaration.conflict:
            reason = self.tr("You declared a conflict of interest with this application, so "
                             "it stays closed and cannot be scored. Change your declaration "
                             "if that was a mistake.")
            self.app_view.show_locked(summary_dict, reason)
        else:
            reason = ""
            try:
                document = self.session.application(app_id)
                names = self.session.attachment_names(app_id)
            except JudgePanelError as error:
                self.app_view.show_locked(summary_dict, str(error))
            else:
                session = self.session

                def load(name: str) -> bytes:
                    return session.attachment(app_id, name)

                self.app_view.show_application(summary_dict, document, names, load)
        scorable = declaration is not None and not declaration.conflict
        self.panel.show_review(review, scorable=scorable, reason=reason)
        self._remember()

    def _remember(self) -> None:
        try:
            self.session.set_position(self.current, VIEWS[self.tabs.currentIndex()]
                                      if self.tabs.currentIndex() >= 0 else "")
        except JudgePanelError as error:  # where the judge was is a convenience, not work
            self._save_failed(str(error))

    def _tab_changed(self, index: int) -> None:
        self.autosaver.flush()
        widget = self.tabs.widget(index)
        if widget is self.overview:
            self.refresh_overview()
        elif widget is self.submit:
            self.refresh_submit()
        elif widget is self.declarations and self.current is not None:
            self._select_in(self.declarations.list, self.current)
            self._declaration_selected(self.current)
        elif widget is self.reading and self.current is not None:
            self._select_in(self.app_list, self.current)
            self.show_application(self.current)
        if hasattr(self, "overview"):
            self._remember()

    # --- declaring ------------------------------------------------------------------

    def _declare(self, app_id: str, conflict: bool, reason: str) -> None:
        try:
            declaration = self.session.declare(app_id, conflict, reason)
        except JudgePanelError as error:
            self.declarations.show_error(str(error))
            return
        self.declarations.show_declaration(declaration)
        self._refresh_row(app_id)
        self._indicate(self._saved_text())
        self.declarations.go_next()
        self.declarations.refresh_done()

    # --- scoring ----------------------------------------------------------------------

    def _edited(self, kind: str, key: str, value: object) -> None:
        if self.current is not None:
            self.autosaver.edit(self.current, kind, key, value)

    def _saved(self, app_id: str) -> None:
        progress = self._refresh_row(app_id)
        if app_id == self.current:
            self.panel.set_total(progress.total if progress.declared and not progress.conflict
                                 else None)
        if not self.autosaver.has_pending():
            self._indicate(self._saved_text())

    def _save_failed(self, message: str) -> None:
        self._indicate(self.tr("Not saved: {why}").format(why=message), error=True)

    def _refresh_row(self, app_id: str) -> AppProgress:
        progress = self.session.progress(app_id)
        self.model.update_one(progress)
        return progress

    def _saved_text(self) -> str:
        return self.tr("✓ Saved {time}").format(time=dt.datetime.now().strftime("%H:%M:%S"))

    def _indicate(self, text: str, *, error: bool = False) -> None:
        self.saved_label.setText(text)
        self.saved_label.setStyleSheet(f"color: {warning(self)}" if error else "")

    # --- overview and submit -----------------------------------------------------------

    def refresh_overview(self) -> None:
        self.autosaver.flush()
        self.model.set_progress(self.session.progress())
        counts = distribution(self.session.rubric, self.session.scores().values())
        self.overview.refresh(counts)

    def refresh_submit(self) -> None:
        self.autosaver.flush()
        self.submit.show_state(self.session.problems(), self.session.exports(),
                               self.session.changed_since_export)

    def suggested_export_path(self) -> str:
        return self.sending.suggested_export_path()

    def export(self, with_sheet: bool = False) -> None:
        self.autosaver.flush()
        self.sending.export(with_sheet)

    def _carry(self) -> None:
        self.autosaver.flush()
        self.sending.carry()

    def _carried(self, text: str) -> None:
        self.refresh_submit()
        self.submit.show_result(text)

    def _export_sheet(self) -> None:
        self.autosaver.flush()
        self.sending.export_sheet()

    def _import_sheet(self) -> None:
        self.autosaver.flush()
        self.sending.import_sheet()

    def _exported(self, record: ExportRecord, sheet_note: str) -> None:
        self.refresh_submit()
        text = self.tr("Exported version {n} to {path}. Send this file to the program "
                       "staff.").format(n=record.sequence, path=record.path)
        self.submit.show_result(f"{text} {sheet_note}".strip())
        self._indicate(self._saved_text())

    def reload(self) -> None:
        """Many answers came in at once (a score sheet, a results file): show them all."""
        self.model.set_progress(self.session.progress())
        if self.current is not None:
            self.show_application(self.current)
            self._declaration_selected(self.current)
        self.refresh_submit()
        self._indicate(self._saved_text())

    # --- unable to review -----------------------------------------------------------------

    def _mark_unable(self) -> None:
        if self.current is None:
            return
        reason = self.ask_reason(self, self.model.summary(self.current).title)
        if reason:
            self._set_unable(reason)

    def _set_unable(self, reason: str | None) -> None:
        if self.current is None:
            return
        self.autosaver.flush()
        try:
            self.session.set_unable(self.current, reason)
        except JudgePanelError as error:
            self._save_failed(str(error))
            return
        self._refresh_row(self.current)
        self.show_application(self.current)
        self._indicate(self._saved_text())
        if reason is None:
            self.panel.focus_first_unscored()

    # --- remembered layout -------------------------------------------------------------

    def _restore_splitters(self) -> None:
        for key, splitter in ((READING_SPLIT, self.reading),
                              (FIELDS_SPLIT, self.app_view.splitter)):
            value = self.settings.value(key) if self.settings is not None else None
            restored = value is not None and splitter.restoreState(value)
            if restored and splitter is self.app_view.splitter:
                self.app_view.user_sized = True
            splitter.splitterMoved.connect(
                lambda *_, k=key, sp=splitter: self._save_splitter(k, sp))

    def _save_splitter(self, key: str, splitter: QSplitter) -> None:
        if self.settings is not None:
            self.settings.setValue(key, splitter.saveState())

    # --- closing ------------------------------------------------------------------------

    def close_session(self) -> None:
        """Save what is pending and release the bundle (the app is closing)."""
        self.autosaver.flush()
        self.session.close()
        self.closed.emit()
