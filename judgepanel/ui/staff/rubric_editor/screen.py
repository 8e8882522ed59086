"""The rubric editor: criteria, weights as shares, scales, level descriptors, comment rules.

The rows are the rubric's own dict form (``Criterion.to_dict``), so building the
preview is ``Rubric.from_dict`` — the very validation the CLI, the bundle and
the merge use; its error (naming the field) is shown instead of the preview.
Saving calls ``rounds.save_rubric``, which refuses once bundles are out.

The editor saves into the round whose rubric it shows, never into one chosen since
and still being read. Edits not saved are not dropped when another round is chosen:
the person is asked to save them, discard them, or stay on the round (Cancel); nor when
the program closes (the window, or another program opened in its place). Nor when
the round is reread (another officer's change, a refresh): the edits stay, and if the
rubric was changed elsewhere meanwhile a line at the top says so, with a button to
discard the edits and see that version. Saving replaces it (no dialog pops up from a
background reread while the person types).
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from judgepanel.errors import JudgePanelError, ValidationError
from judgepanel.model.rubric.definition import Rubric
from judgepanel.model.staff.overview import RUBRIC_SCREEN
from judgepanel.model.staff.prepare.rounds import round_by_id
from judgepanel.ui.staff.context import RUBRIC, StaffContext
from judgepanel.ui.staff.rubric_editor.criteria import CriteriaModel, number_value
from judgepanel.ui.staff.rubric_editor.preview import preview_html
from judgepanel.ui.staff.screen import Screen
from judgepanel.ui.staff.table_model import BAD, tone
from judgepanel.ui.staff.unsaved import DISCARD, SAVE, AskUnsaved, ask_unsaved

Shown = tuple[int, str, dict[str, Any] | None]  # a round's id and name, and its rubric


class RubricScreen(Screen):
    topics = frozenset({RUBRIC})
    title_text = "Rubric"

    def __init__(self, ctx: StaffContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.elsewhere = QWidget()  # shown while edits here meet a change made elsewhere
        row = QHBoxLayout(self.elsewhere)
        row.setContentsMargins(0, 0, 0, 0)
        self.elsewhere_text = QLabel()
        self.elsewhere_text.setWordWrap(True)
        self.elsewhere_text.setAccessibleName(self.tr("Rubric changed elsewhere"))
        discard = QPushButton(self.tr("&Discard my changes"))
        discard.clicked.connect(self.discard_edits)
        row.addWidget(self.elsewhere_text, 1)
        row.addWidget(discard)
        self.elsewhere.setVisible(False)
        self.layout_.addWidget(self.elsewhere)
        form = QFormLayout()
        self.name_edit = QLineEdit()
        self.name_edit.textChanged.connect(self._edited)
        form.addRow(self.tr("Rubric &name:"), self.name_edit)
        self.tie_edit = QLineEdit()
        self.tie_edit.setPlaceholderText(self.tr("key of the criterion that breaks ties"))
        self.tie_edit.textChanged.connect(self._edited)
        form.addRow(self.tr("&Tie-break:"), self.tie_edit)
        self.overall_feedback = QComboBox()
        self.overall_feedback.addItem(self.tr("optional"), "optional")
        self.overall_feedback.addItem(self.tr("required in every review"), "required")
        self.overall_feedback.setAccessibleName(self.tr("Overall feedback for the applicant"))
        self.overall_feedback.currentIndexChanged.connect(self._edited)
        form.addRow(self.tr("Overall &feedback for the applicant:"), self.overall_feedback)
        self.layout_.addLayout(form)
        split = QSplitter(Qt.Orientation.Horizontal)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        buttons = QHBoxLayout()
        for text, slot in ((self.tr("&Add criterion"), self.add_criterion),
                           (self.tr("Remo&ve"), self.remove_criterion),
                           (self.tr("&Save rubric"), self.save)):
            button = QPushButton(text)
            button.clicked.connect(slot)
            buttons.addWidget(button)
        buttons.addStretch(1)
        left_layout.addLayout(buttons)
        self.model = CriteriaModel(self)
        self.model.dataChanged.connect(self._edited)
        self.model.rowsInserted.connect(self._edited)
        self.model.rowsRemoved.connect(self._edited)
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setAccessibleName(self.tr("Criteria"))
        self.view.setTabKeyNavigation(False)  # Tab leaves the table; arrows move in it
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.selectionModel().currentRowChanged.connect(self._show_row)
        left_layout.addWidget(self.view, 2)
        detail = QFormLayout()
        self.guidance = QPlainTextEdit()
        self.guidance.setAccessibleName(self.tr("Guidance for judges"))
        self.guidance.setTabChangesFocus(True)  # no tab characters; Tab moves on
        self.guidance.textChanged.connect(self._store_detail)
        detail.addRow(self.tr("&Guidance:"), self.guidance)
        self.levels = QPlainTextEdit()
        self.levels.setAccessibleName(self.tr("Level descriptors"))
        self.levels.setTabChangesFocus(True)  # no tab characters; Tab moves on
        self.levels.setPlaceholderText(self.tr(
            "1 = No evidence\n3 = Some evidence\n5 = Strong evidence"))
        self.levels.textChanged.connect(self._store_detail)
        detail.addRow(self.tr("&Levels (score = words):"), self.levels)
        left_layout.addLayout(detail, 1)
        split.addWidget(left)
        self.preview = QTextBrowser()
        self.preview.setAccessibleName(self.tr("Preview of what a judge sees"))
        self.preview.setTabChangesFocus(True)  # Tab moves on instead of through links
        split.addWidget(self.preview)
        split.setSizes([780, 300])
        self.layout_.addWidget(split, 1)
        self.status = QLabel()
        self.status.setAccessibleName(self.tr("Rubric status"))
        self.layout_.addWidget(self.status)
        self._loading = False
        self.rubric: Rubric | None = None
        self.round_name = ""
        self.base: dict[str, Any] | None = None  # the round's rubric the edits started from
        self._edits = self._saved = 0  # edits made, and how many of them are saved
        # Dialog hook (tests replace it): save, discard or stay, before another round or
        # the program closing.
        self.ask_unsaved: AskUnsaved = ask_unsaved
        ctx.guards.append(self._may_leave)
        self._note = ""  # said in the status line once the next round's rubric shows
        ctx.round_deleted.connect(self._round_deleted)

    @property
    def unsaved(self) -> bool:
        return self._edits != self._saved

    def _edited(self) -> None:
        if not self._loading:
            self._edits += 1
            self.update_preview()

    def _may_leave(self, leaving: str, then: Callable[[], object]) -> bool:
        """Asked before another round shows or the program closes (``leaving``): edits not
        saved are saved (``then`` runs once they are), discarded, or the person stays."""
        if not self.unsaved:
            return True
        choice = self.ask_unsaved(self, self.tr("Rubric not saved"), self.tr(
            "The rubric of “{round}” has changes that are not saved.").format(
            round=self.round_name), leaving, self.round_name)
        if choice == DISCARD:
            self._saved = self._edits
            return True
        if choice == SAVE:
            self.save(then=then)
        return False

    def _round_deleted(self, round_id: int) -> None:
        """The round edited here was deleted: the edits go with it, unasked."""
        if round_id == self.shown_round and self.unsaved:
            self._saved = self._edits
            self._note = self.tr("“{round}” was deleted when its shortlist was undone; your "
                                 "changes to its rubric, not saved, went with it.").format(
                round=self.round_name)

    def reload(self) -> None:
        from judgepanel.model.staff.prepare.rounds import rubric_for_round

        round_id = self.ctx.round_id
        if round_id is None:
            return

        def query(session: Any) -> Shown:
            round_ = round_by_id(session, round_id)
            try:
                return round_id, round_.name, rubric_for_round(session, round_).to_dict()
            except ValidationError:
                return round_id, round_.name, None  # no rubric yet

        self.load(query, self._loaded)

    def _loaded(self, shown: Shown) -> None:
        round_id, self.round_name, data = shown
        if round_id == self.shown_round and self.unsaved:  # a reread of the round edited
            self._changed_elsewhere(data != self.base)  # the edits stay
            return
        if round_id != self.shown_round:  # still the round before (Screen.load)
            self.status.setText(self._note)  # what it said was about the round before
            self._note = ""
        self.base = data
        self._changed_elsewhere(False)
        data = data or {"name": self.tr("Rubric"), "criteria": [
            {"key": "impact", "title": self.tr("Impact"), "weight": 1,
             "scale": {"min": 1, "max": 5, "step": 1}, "levels": [], "counts": True,
             "comment": "never", "guidance": ""}]}
        self._loading = True
        self.name_edit.setText(data.get("name", ""))
        self.tie_edit.setText(data.get("tie_break", "") or "")
        self.overall_feedback.setCurrentIndex(
            self.overall_feedback.findData(data.get("overall_feedback", "optional")))
        self.model.set_criteria(data["criteria"])
        self._loading = False
        self.view.resizeColumnsToContents()
        title = self.view.fontMetrics().averageCharWidth() * 28  # long titles wrap their cell
        self.view.setColumnWidth(1, min(self.view.columnWidth(1), title))
        self.view.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        if self.model.criteria:
            self.view.setCurrentIndex(self.model.index(0, 1))
        self.update_preview()
        self._saved = self._edits

    def _show_row(self) -> None:
        row = self.view.currentIndex().row()
        self._loading = True
        if 0 <= row < len(self.model.criteria):
            c = self.model.criteria[row]
            self.guidance.setPlainText(c.get("guidance", ""))
            self.levels.setPlainText("\n".join(f"{lv['score']:g} = {lv['descriptor']}"
                                               for lv in c.get("levels", [])))
        self._loading = False

    def _store_detail(self) -> None:
        row = self.view.currentIndex().row()
        if self._loading or not 0 <= row < len(self.model.criteria):
            return
        c = self.model.criteria[row]
        c["guidance"] = self.guidance.toPlainText().strip()
        levels = []
        for line in self.levels.toPlainText().splitlines():
            score, sep, words = line.partition("=")
            if sep and score.strip():
                levels.append({"score": number_value(score.strip()), "descriptor": words.strip()})
        c["levels"] = levels
        self._edited()

    def current_rubric(self) -> Rubric:
        """The rubric as edited; raises ValidationError naming the field that is wrong."""
        data: dict[str, Any] = {"name": self.name_edit.text().strip(),
                                "criteria": self.model.criteria}
        if self.tie_edit.text().strip():
            data["tie_break"] = self.tie_edit.text().strip()
        if self.overall_feedback.currentData() == "required":
            data["overall_feedback"] = "required"
        return Rubric.from_dict(data)

    def update_preview(self) -> None:
        if self._loading:
            return
        try:
            self.rubric = self.current_rubric()
        except ValidationError as error:
            self.rubric = None
            where = f" ({error.path})" if error.path else ""
            self.preview.setHtml(f"<p style='color:{tone(BAD).name()}'>"
                                 f"{html.escape(error.message + where)}</p>")
            return
        self.preview.setHtml(preview_html(self.rubric))

    def add_criterion(self) -> None:
        n = len(self.model.criteria) + 1
        keys = {c.get("key") for c in self.model.criteria}
        key = next(f"criterion{i}" for i in range(n, n + 100) if f"criterion{i}" not in keys)
        self.model.insert(len(self.model.criteria), {
            "key": key, "title": self.tr("New criterion"), "guidance": "", "weight": 1,
            "scale": {"min": 1, "max": 5, "step": 1}, "levels": [], "counts": True,
            "comment": "never"})
        self.view.setCurrentIndex(self.model.index(n - 1, 1))

    def remove_criterion(self) -> None:
        row = self.view.currentIndex().row()
        if 0 <= row < len(self.model.criteria):
            self.model.remove(row)

    def save(self, then: Callable[[], object] | None = None) -> None:
        """Save into the round shown; ``then`` runs once it is saved. Not saved, the editor
        shows (when ``then`` was asked for from elsewhere) and the error says why."""
        from judgepanel.model.staff.prepare.rounds import save_rubric

        round_id = self.round_for_change(self.status.setText, self.tr(
            "Still reading the round you chose: save once its rubric shows."))
        if round_id is None:
            return
        try:
            rubric = self.current_rubric()
        except ValidationError as error:
            self._not_saved(error, then)
            return
        actor, edits = self.ctx.workspace.actor, self._edits

        def change(session: Any) -> None:
            save_rubric(session, round_by_id(session, round_id), rubric, actor)

        def saved(_result: None) -> None:
            self._saved = edits
            self.base = rubric.to_dict()  # edits from now on start from what was saved
            self._changed_elsewhere(False)
            self.status.setText(self.tr("Saved."))
            if then is not None:
                then()

        self.ctx.write(change, saved, topic=RUBRIC, parent=self,
                       on_error=lambda error: self._not_saved(error, then))

    def _not_saved(self, error: JudgePanelError, then: Callable[[], object] | None) -> None:
        """Say why the rubric was not saved; asked to save it before leaving it (``then``)
        from another screen, the editor shows first, so the officer sees what to fix."""
        if then is not None and not self.isVisible():
            self.ctx.navigate.emit(RUBRIC_SCREEN)
        self.ctx.show_error(self, error)

    def _changed_elsewhere(self, changed: bool) -> None:
        self.elsewhere_text.setText(self.tr(
            "<b>The rubric of “{round}” was changed elsewhere while you were editing it."
            "</b> Your changes are kept: saving them replaces that version.").format(
            round=html.escape(self.round_name)) if changed else "")
        self.elsewhere.setVisible(changed)

    def discard_edits(self) -> None:
        """Drop the edits not saved and show the round's rubric as it is now."""
        self._saved = self._edits
        self.refresh()
