"""Conflicts of interest first: the judge answers for each application, from its summary.

Only the public summary (title, applicant, organisation, city, categories) is shown
here; the application itself stays closed until this answer is given. The page asks,
the session decides: ``declare_requested`` goes to ``JudgingSession.declare`` and the
outcome (or its refusal) comes back through :meth:`show_declaration` / :meth:`show_error`.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QItemSelectionModel, Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QPushButton,
    QRadioButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from judgepanel.model.judge.records import ApplicationSummary, DeclarationState
from judgepanel.ui.judge.look import span, warning
from judgepanel.ui.judge.models import OverviewModel

if TYPE_CHECKING:
    from PySide6.QtCore import QModelIndex, QObject


class DeclarationsPage(QWidget):
    """List of assigned applications on the left, the declaration form on the right."""

    declare_requested = Signal(str, bool, str)
    current_changed = Signal(str)
    read_and_score = Signal()  # every application is declared: on to the next step

    def __init__(self, model: OverviewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self._app_id: str | None = None

        intro = QLabel(self.tr(
            "Before you read an application, say whether you have a conflict of interest "
            "with it: a personal, professional or financial tie to the applicant, the "
            "organisation or the people named. Only the summary is shown here."))
        intro.setWordWrap(True)

        self.list = QListView()
        self.list.setModel(model)
        self.list.setModelColumn(OverviewModel.TITLE)
        self.list.setAccessibleName(self.tr("Applications to declare"))
        self.list.setUniformItemSizes(True)
        self.list.selectionModel().currentChanged.connect(self._current_changed)

        self.title = QLabel()
        self.title.setWordWrap(True)
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.title.setFont(font)
        self.facts = QFormLayout()
        self.reference = self._fact()
        self.applicant = self._fact()
        self.organisation = self._fact()
        self.city = self._fact()
        self.categories = self._fact()
        self.facts.addRow(self.tr("Reference:"), self.reference)
        self.facts.addRow(self.tr("Applicant:"), self.applicant)
        self.facts.addRow(self.tr("Organisation:"), self.organisation)
        self.facts.addRow(self.tr("City:"), self.city)
        self.facts.addRow(self.tr("Categories:"), self.categories)

        self.no_conflict = QRadioButton(self.tr("&No conflict of interest"))
        # Alt+C: Alt+H is the Help menu's (issue 14).
        self.conflict = QRadioButton(self.tr("I have a &conflict of interest"))
        for choice in (self.no_conflict, self.conflict):
            choice.installEventFilter(self)  # Enter on a choice saves, as in the reason
        self.choice = QButtonGroup(self)
        self.choice.addButton(self.no_conflict)
        self.choice.addButton(self.conflict)
        self.reason = QLineEdit()
        self.reason.setAccessibleName(self.tr("Reason for the conflict of interest"))
        self.reason.setPlaceholderText(self.tr("Why? For example: I advise this organisation"))
        reason_label = QLabel(self.tr("&Reason:"))
        reason_label.setBuddy(self.reason)
        self.conflict.toggled.connect(self.reason.setEnabled)
        self.conflict.toggled.connect(reason_label.setEnabled)
        self.reason.setEnabled(False)
        reason_label.setEnabled(False)
        self.reason.returnPressed.connect(self.save)

        self.save_button = QPushButton(self.tr("&Save and go to the next"))
        self.save_button.setAccessibleName(self.tr("Save the declaration and go to the next"))
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.save)
        QShortcut(QKeySequence("Ctrl+Return"), self, self.save,
                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setAccessibleName(self.tr("Declaration status"))
        self.done_box = QWidget()
        self.done_text = QLabel()
        self.done_text.setWordWrap(True)
        self.done_text.setAccessibleName(self.tr("All declared"))
        self.next_step = QPushButton(self.tr("&Go to Read and score"))
        self.next_step.clicked.connect(self.read_and_score)
        self.next_step.setAutoDefault(True)  # Enter on it goes there, as Space does
        done_layout = QVBoxLayout(self.done_box)
        done_layout.setContentsMargins(0, 8, 0, 0)
        done_layout.addWidget(self.done_text)
        done_layout.addWidget(self.next_step, alignment=Qt.AlignmentFlag.AlignLeft)
        self.done_box.hide()

        reason_row = QHBoxLayout()
        reason_row.addWidget(reason_label)
        reason_row.addWidget(self.reason, stretch=1)
        form = QWidget()
        form_layout = QVBoxLayout(form)
        form_layout.addWidget(self.title)
        form_layout.addLayout(self.facts)
        form_layout.addSpacing(16)
        form_layout.addWidget(self.no_conflict)
        form_layout.addWidget(self.conflict)
        form_layout.addLayout(reason_row)
        form_layout.addSpacing(8)
        form_layout.addWidget(self.save_button, alignment=Qt.AlignmentFlag.AlignLeft)
        form_layout.addWidget(self.status)
        form_layout.addWidget(self.done_box)
        form_layout.addStretch()
        self.form = form

        splitter = QSplitter()
        splitter.addWidget(self.list)
        splitter.addWidget(form)
        splitter.setSizes([380, 700])
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(splitter, stretch=1)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        if (event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent)
                and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)):
            if watched is self.conflict and not self.conflict.isChecked():
                self.conflict.setChecked(True)
            if watched is self.no_conflict and not self.no_conflict.isChecked():
                self.no_conflict.setChecked(True)
            if self.conflict.isChecked() and not self.reason.text().strip():
                self.reason.setFocus()  # a conflict needs its reason first
            else:
                self.save()
            return True
        return super().eventFilter(watched, event)

    def _fact(self) -> QLabel:
        label = QLabel()
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setWordWrap(True)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        return label

    # --- showing ------------------------------------------------------------------

    def current_app(self) -> str | None:
        return self._app_id

    def select(self, app_id: str) -> None:
        index = self.model.index(self.model.row_of(app_id), OverviewModel.TITLE)
        self.list.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        self.list.scrollTo(index)

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid():
            self.current_changed.emit(self.model.app_id(current.row()))

    def show_summary(self, summary: ApplicationSummary,
                     declaration: DeclarationState | None) -> None:
        self._app_id = summary.id
        self.title.setText(summary.title)
        self.reference.setText(summary.id)
        self.applicant.setText(summary.applicant or "—")
        self.organisation.setText(summary.organisation or "—")
        self.city.setText(summary.city or "—")
        self.categories.setText(", ".join(summary.categories) or "—")
        self.show_declaration(declaration)

    def show_declaration(self, declaration: DeclarationState | None) -> None:
        self.choice.setExclusive(False)
        self.no_conflict.setChecked(declaration is not None and not declaration.conflict)
        self.conflict.setChecked(declaration is not None and declaration.conflict)
        self.choice.setExclusive(True)
        self.reason.setText(declaration.reason if declaration and declaration.conflict else "")
        self.reason.setEnabled(self.conflict.isChecked())
        if declaration is None:
            self.status.setText(self.tr("Not declared yet."))
        else:
            when = declaration.declared_at.astimezone().strftime("%Y-%m-%d %H:%M")
            what = self.tr("Conflict") if declaration.conflict else self.tr("No conflict")
            self.status.setText(self.tr("Saved: {what} ({when}). You can change it until you "
                                        "send your results.").format(what=what, when=when))

    def show_error(self, message: str) -> None:
        self.status.setText(span(warning(self), html.escape(message)))

    # --- asking -------------------------------------------------------------------

    def save(self) -> None:
        if self._app_id is None:
            return
        if not (self.no_conflict.isChecked() or self.conflict.isChecked()):
            self.show_error(self.tr("Choose “No conflict of interest” or “I have a conflict "
                                    "of interest” first."))
            self.no_conflict.setFocus()
            return
        self.declare_requested.emit(self._app_id, self.conflict.isChecked(),
                                    self.reason.text() if self.conflict.isChecked() else "")

    def go_next(self) -> None:
        """After a saved declaration: the next undeclared one (or simply the next)."""
        if self._app_id is None:
            return
        start = self.model.row_of(self._app_id)
        count = self.model.rowCount()
        for offset in range(1, count + 1):
            row = (start + offset) % count
            progress = self.model.progress(self.model.app_id(row))
            if progress is None or not progress.declared:
                self.select(self.model.app_id(row))
                self.no_conflict.setFocus()
                return
        self.show_all_declared(count)

    def show_all_declared(self, count: int) -> None:
        """Nothing left to declare: say what comes next, and offer it (Enter goes there)."""
        self.done_text.setText(self.tr(
            "All {n} applications are declared. Now read and score them: Read and score "
            "(Ctrl+2). You can still change a declaration here until you send your "
            "results.").format(n=count))
        self.done_box.show()
        self.next_step.setFocus()

    def refresh_done(self) -> None:
        """Hide the "all declared" note again when something is undeclared."""
        rows = [self.model.progress(self.model.app_id(r)) for r in range(self.model.rowCount())]
        if not all(p is not None and p.declared for p in rows):
            self.done_box.hide()
