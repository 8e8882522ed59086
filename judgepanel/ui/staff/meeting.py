"""The panel meeting: one application at a time, in discussion order, to share on a screen.

The agenda (``decide.meeting.agenda``, read in the background) puts the top of the
ranking first, then the applications flagged for disagreement, then the rest. For
the application shown: its rank, raw and adjusted scores, the anonymised reviews side
by side (Judge A, B, … per criterion, with the panel comments), the judges with a
conflict (not taking part), and the decision with its reason, entered here and saved
in the background (``undo.change_decision``: undoable, refused with the new value if
another officer decided meanwhile).

Keyboard first: Page Down / Alt+Right next, Page Up / Alt+Left previous, Ctrl+D to
the decision, Ctrl+Enter saves it and moves on, F11 (or *Full window*) shows the
meeting alone, full screen, in large type; Escape leaves it. Progress is shown as
"12 of 40 decided".
"""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from judgepanel.errors import JudgePanelError
from judgepanel.model.staff.decide.meeting import (
    DISAGREEMENT,
    TOP,
    UNSCORED,
    Meeting,
    MeetingItem,
    agenda,
)
from judgepanel.model.staff.prepare.rounds import round_by_id
from judgepanel.reports.data import letters
from judgepanel.ui.flow_layout import FlowLayout
from judgepanel.ui.staff.award_dialog import parse_amount
from judgepanel.ui.staff.context import (
    ASSIGNMENTS,
    AWARDS,
    CONFLICTS,
    DECISIONS,
    PROGRAM,
    RESULTS,
    StaffContext,
)
from judgepanel.ui.staff.screen import Screen
from judgepanel.ui.staff.table_model import money_text, tr
from judgepanel.ui.staff.undo import DecisionState, change_decision

SCALE = 1.35  # the meeting's type, against the app's: readable on a shared screen
FULL_SCALE = 1.7


def _score(value: float | None) -> str:
    return "—" if value is None else f"{value:g}"


def _points(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


class MeetingBody(QWidget):
    """What the meeting shows; a window of its own in full-window mode (Escape leaves)."""

    def __init__(self, screen: MeetingScreen) -> None:
        super().__init__()
        self.owner = screen

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt override)
        if event.key() == Qt.Key.Key_Escape and self.isWindow():
            self.owner.set_full_window(False)
            return
        super().keyPressEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt override)
        if self.isWindow():
            event.ignore()
            self.owner.set_full_window(False)
            return
        super().closeEvent(event)


class MeetingScreen(Screen):
    topics = frozenset({RESULTS, CONFLICTS, ASSIGNMENTS, AWARDS, DECISIONS, PROGRAM})
    title_text = "Panel meeting"

    def __init__(self, ctx: StaffContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.hint(self.tr("One application at a time, in the order the panel discusses "
                          "them: the top of the ranking, then those the judges disagree on, "
                          "then the rest. Page Down / Page Up move on and back, Ctrl+D "
                          "goes to the decision, Ctrl+Enter saves it and moves on, F11 "
                          "shows the meeting full screen."))
        self.meeting: Meeting | None = None
        self.position = 0
        self._full = False
        self.body = MeetingBody(self)
        self.body.setAccessibleName(self.tr("Panel meeting"))
        self.body.setWindowTitle(self.tr("Panel meeting"))
        outer = self.body_layout = QVBoxLayout(self.body)
        outer.setContentsMargins(0, 0, 0, 0)

        bar = FlowLayout()
        self.progress = QLabel()
        self.progress.setAccessibleName(self.tr("Progress"))
        self.place = QLabel()
        self.place.setAccessibleName(self.tr("Position in the agenda"))
        self.top_box = QSpinBox()
        self.top_box.setRange(0, 9999)
        self.top_box.setValue(10)
        self.top_box.setAccessibleName(self.tr("Top of the ranking discussed first"))
        top_label = QLabel(self.tr("&Top first:"))
        top_label.setBuddy(self.top_box)
        self.top_box.editingFinished.connect(self.refresh)
        self.previous_button = QPushButton(self.tr("◀ &Previous"))
        self.next_button = QPushButton(self.tr("&Next ▶"))
        self.full_button = QPushButton(self.tr("&Full window"))
        self.full_button.setCheckable(True)
        self.previous_button.clicked.connect(lambda: self.go(self.position - 1))
        self.next_button.clicked.connect(lambda: self.go(self.position + 1))
        self.full_button.toggled.connect(self.set_full_window)
        bar.addWidget(self.progress)
        bar.addWidget(self.place)
        bar.addStretch()  # the controls at the right; on a line of their own when narrow
        bar.add_group(top_label, self.top_box, self.previous_button, self.next_button,
                      self.full_button)
        outer.addLayout(bar)

        self.heading = QLabel()
        self.heading.setWordWrap(True)
        self.heading.setAccessibleName(self.tr("Application"))
        self.heading.setTextFormat(Qt.TextFormat.RichText)
        self.facts = QLabel()
        self.facts.setWordWrap(True)
        self.facts.setAccessibleName(self.tr("Scores"))
        self.absent = QLabel()
        self.absent.setWordWrap(True)
        self.absent.setAccessibleName(self.tr("Judges not taking part"))
        for widget in (self.heading, self.facts, self.absent):
            widget.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByKeyboard
                                           | Qt.TextInteractionFlag.TextSelectableByMouse)
            outer.addWidget(widget)

        self.reviews = QTableWidget()
        self.reviews.setAccessibleName(self.tr("Reviews side by side"))
        self.reviews.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.reviews.setWordWrap(True)
        self.reviews.setTabKeyNavigation(False)
        self.reviews.verticalHeader().setVisible(False)
        self.reviews.verticalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents)
        outer.addWidget(self.reviews, 1)

        form = QFormLayout()
        self.outcome = QComboBox()
        self.outcome.setAccessibleName(self.tr("Decision"))
        self.outcome.currentIndexChanged.connect(self._outcome_chosen)
        self.amount = QLineEdit()
        self.amount.setAccessibleName(self.tr("Award"))
        self.amount.setPlaceholderText(self.tr("empty: the award set, else the amount "
                                               "requested"))
        self.amount_label = QLabel(self.tr("&Award:"))
        self.amount_label.setBuddy(self.amount)
        self.reason = QPlainTextEdit()
        self.reason.setAccessibleName(self.tr("Reason for the decision"))
        self.reason.setTabChangesFocus(True)
        self.reason.setPlaceholderText(self.tr("Why the panel decided so (required; the "
                                               "Decisions report prints it)"))
        self.reason.setMaximumHeight(90)
        decision_label = QLabel(self.tr("&Decision:"))
        decision_label.setBuddy(self.outcome)
        reason_label = QLabel(self.tr("&Reason:"))
        reason_label.setBuddy(self.reason)
        form.addRow(decision_label, self.outcome)
        form.addRow(self.amount_label, self.amount)
        form.addRow(reason_label, self.reason)
        outer.addLayout(form)
        buttons = QHBoxLayout()
        self.current = QLabel()
        self.current.setAccessibleName(self.tr("Decision so far"))
        self.current.setWordWrap(True)
        self.save_button = QPushButton(self.tr("&Save decision (Ctrl+Enter)"))
        self.save_button.setDefault(True)
        self.clear_button = QPushButton(self.tr("C&lear decision"))
        self.save_button.clicked.connect(lambda: self.save())
        self.amount.returnPressed.connect(lambda: self.save())
        self.clear_button.clicked.connect(self.clear)
        self.problem = QLabel()
        self.problem.setAccessibleName(self.tr("Why the decision was not saved"))
        self.problem.setWordWrap(True)
        self.problem.setVisible(False)
        outer.addWidget(self.problem)
        buttons.addWidget(self.current, 1)
        buttons.addWidget(self.clear_button)
        buttons.addWidget(self.save_button)
        outer.addLayout(buttons)
        self.layout_.addWidget(self.body, 1)

        for keys, slot in (
            (("PgDown", "Alt+Right"), lambda: self.go(self.position + 1)),
            (("PgUp", "Alt+Left"), lambda: self.go(self.position - 1)),
            (("Ctrl+D",), self.focus_decision),
            (("Ctrl+Return", "Ctrl+Enter"), self.save_and_next),
            (("F11",), lambda: self.full_button.toggle()),
        ):
            for key in keys:
                shortcut = QShortcut(QKeySequence(key), self.body)
                shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
                shortcut.activated.connect(slot)
        self._scale(SCALE)

    # --- loading ------------------------------------------------------------------------

    def reload(self) -> None:
        round_id, top = self.ctx.round_id, self.top_box.value()
        if round_id is None:
            self.meeting = None
            self.show_item()
            return
        self.load(lambda s: agenda(s, round_by_id(s, round_id), top=top), self._loaded)

    def _loaded(self, meeting: Meeting) -> None:
        shown = self.item()
        if self.meeting is not None and self.meeting.round_id != meeting.round_id:
            self._problem("")  # what it said was about the round before
        self.meeting = meeting
        refs = [i.ref for i in meeting.items]
        if shown is not None and shown.ref in refs:  # stay on it through a reload
            self.position = refs.index(shown.ref)
        self.position = max(0, min(self.position, len(refs) - 1))
        self.show_item(keep_typing=shown is not None and shown.ref in refs)

    def item(self) -> MeetingItem | None:
        if self.meeting is None or not self.meeting.items:
            return None
        return self.meeting.items[self.position]

    # --- showing ------------------------------------------------------------------------

    def _scale(self, factor: float) -> None:
        font = self.body.font()
        base = self.font().pointSizeF()
        font.setPointSizeF(base * factor if base > 0 else 12 * factor)
        self.body.setFont(font)

    def go(self, position: int) -> None:
        if self.meeting is None or not self.meeting.items:
            return
        self.position = max(0, min(position, len(self.meeting.items) - 1))
        self._problem("")
        self.show_item()

    def show_item(self, *, keep_typing: bool = False) -> None:
        meeting, item = self.meeting, self.item()
        total = len(meeting.items) if meeting else 0
        decided = meeting.decided if meeting else 0
        self.progress.setText(self.tr("<b>{decided} of {total} decided</b>").format(
            decided=decided, total=total))
        for widget in (self.previous_button, self.next_button, self.outcome, self.reason,
                       self.save_button, self.clear_button, self.amount):
            widget.setEnabled(item is not None)
        if meeting is None or item is None:
            self.place.setText("")
            self.heading.setText(self.tr("No applications in this round yet."))
            self.facts.setText("")
            self.absent.setText("")
            self.absent.setVisible(False)
            self.reviews.clear()
            self.reviews.setRowCount(0)
            self.reviews.setColumnCount(0)
            self.current.setText("")
            return
        why = {TOP: self.tr("top of the ranking"), DISAGREEMENT: self.tr("judges disagree"),
               UNSCORED: self.tr("no scores yet")}.get(item.group, self.tr("the rest"))
        self.place.setText(self.tr("Application {n} of {total} · {why}").format(
            n=self.position + 1, total=total, why=why))
        self.previous_button.setEnabled(self.position > 0)
        self.next_button.setEnabled(self.position < total - 1)
        self.heading.setText(f"<span style='font-size:x-large; font-weight:600'>"
                             f"{_escape(item.ref)} — {_escape(item.title)}</span>")
        rank = "—" if item.rank is None else str(item.rank)
        facts = (f"{item.organisation}\n" if item.organisation else "") + self.tr(
            "Rank {rank} · raw mean {raw} · adjusted {adjusted} · {n} reviews").format(
            rank=rank, raw=_points(item.raw), adjusted=_points(item.adjusted),
            n=len(item.reviews))
        if item.requested:
            facts += self.tr(" · requested {amount}").format(amount=item.requested)
        if item.flags:
            facts += "\n" + self.tr("Disagreement: {why}").format(why="; ".join(item.flags))
        self.facts.setText(facts)
        self.absent.setText(self.tr("Not taking part (conflict of interest): {judges}").format(
            judges=", ".join(self.tr("Judge {letter}").format(letter=letters(j))
                             for j in item.conflicted)) if item.conflicted else "")
        self.absent.setVisible(bool(item.conflicted))
        self._fill_reviews(meeting, item)
        if not keep_typing:
            self._fill_decision(meeting, item)
        self._show_current(item)

    def _fill_reviews(self, meeting: Meeting, item: MeetingItem) -> None:
        table = self.reviews
        table.clear()
        rows = [title for _, title in meeting.criteria] + [self.tr("Total (0–100)"),
                                                           self.tr("Overall")]
        table.setRowCount(len(rows))
        table.setColumnCount(len(item.reviews) + 1)
        table.setHorizontalHeaderLabels(
            [self.tr("Criterion")] + [self.tr("Judge {letter}").format(letter=letters(r.judge))
                                      for r in item.reviews])
        bold = table.font()
        bold.setBold(True)
        for row, title in enumerate(rows):
            head = QTableWidgetItem(title)
            head.setFont(bold)
            table.setItem(row, 0, head)
        for column, review in enumerate(item.reviews, start=1):
            for row in range(len(meeting.criteria)):
                text = _score(review.scores[row])
                if review.comments[row].strip():
                    text += f"\n{review.comments[row].strip()}"
                table.setItem(row, column, QTableWidgetItem(text))
            table.setItem(len(meeting.criteria), column, QTableWidgetItem(_points(review.total)))
            table.setItem(len(meeting.criteria) + 1, column,
                          QTableWidgetItem(review.overall_comment.strip()))
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        # The criteria wrap in a quarter of the width; the judges share the rest.
        table.setColumnWidth(0, max(140, table.viewport().width() // 4))
        table.resizeRowsToContents()

    def _fill_decision(self, meeting: Meeting, item: MeetingItem) -> None:
        self.outcome.blockSignals(True)
        self.outcome.clear()
        self.outcome.addItem(self.tr("(no decision)"), None)
        for choice in meeting.outcomes:
            self.outcome.addItem(outcome_label(choice.name), choice.name)
        decision = item.decision
        index = self.outcome.findData(decision.outcome) if decision else 0
        self.outcome.setCurrentIndex(max(index, 0))
        self.outcome.blockSignals(False)
        self.reason.setPlainText(decision.reason if decision else "")
        self.amount.setText(money_text(decision.award) if decision and decision.award
                            else "")
        self._outcome_chosen()

    def _show_current(self, item: MeetingItem) -> None:
        d = item.decision
        if d is None:
            self.current.setText(self.tr("Not decided yet."))
            return
        award = f" ({money_text(d.award)})" if d.award else ""
        when = d.decided_at.strftime("%Y-%m-%d %H:%M") if d.decided_at else ""
        self.current.setText(self.tr("Decided: {outcome}{award}, by {who}, {when} UTC").format(
            outcome=outcome_label(d.outcome), award=award, who=d.decided_by, when=when))

    def _outcome_chosen(self) -> None:
        funds = self._funds(self.outcome.currentData())
        self.amount.setVisible(funds)
        self.amount_label.setVisible(funds)

    # --- deciding -----------------------------------------------------------------------

    def focus_decision(self) -> None:
        self.outcome.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def _funds(self, name: object) -> bool:
        """Whether the outcome called ``name`` sets the award."""
        return self.meeting is not None and any(
            o.award and o.name == name for o in self.meeting.outcomes)

    def _state(self, item: MeetingItem) -> DecisionState | None:
        """The decision as it is now, for undo to put back."""
        d = item.decision
        if d is None:
            return None
        return DecisionState(d.outcome, d.reason, d.award if self._funds(d.outcome) else None)

    def _decidable(self) -> tuple[MeetingItem, int] | None:
        """The item shown and the round to decide it in: the round shown (None while a
        round chosen since is still being read; the screen says so)."""
        item = self.item()
        if item is None:
            return None
        round_id = self.round_for_change(self._problem, self.tr(
            "Still reading the round you chose: decide once its applications show."))
        return None if round_id is None else (item, round_id)

    def save(self, *, then_next: bool = False) -> None:
        if (decidable := self._decidable()) is None:
            return
        item, round_id = decidable
        outcome = self.outcome.currentData()
        if outcome is None:
            if item.decision is not None:
                self.clear()
            else:
                self._problem(self.tr("Choose a decision first (Ctrl+D)."))
            return
        amount: Decimal | None = None
        if self.amount.isVisible() and self.amount.text().strip():
            try:
                amount = parse_amount(self.amount.text())
            except ValueError:
                self._problem(self.tr("“{text}” is not an amount of money.").format(
                    text=self.amount.text()))
                return
        after = DecisionState(outcome, self.reason.toPlainText(), amount)
        if not after.reason.strip():
            self._problem(self.tr("Give the reason for the decision."))
            self.reason.setFocus()
            return
        change_decision(self.ctx, round_id, item.application_id, self._state(item), after,
                        self.tr("Decide {ref}: {outcome}").format(
                            ref=item.ref, outcome=outcome_label(outcome)),
                        version=item.version, on_error=self._refused)
        if then_next:
            self.go(self.position + 1)

    def save_and_next(self) -> None:
        self.save(then_next=True)

    def clear(self) -> None:
        if (decidable := self._decidable()) is None or decidable[0].decision is None:
            return
        item, round_id = decidable
        change_decision(self.ctx, round_id, item.application_id, self._state(item), None,
                        self.tr("Clear the decision on {ref}").format(ref=item.ref),
                        version=item.version, on_error=self._refused)

    def _problem(self, text: str) -> None:
        self.problem.setText(f"<b>{_escape(text)}</b>" if text else "")
        self.problem.setVisible(bool(text))

    def _refused(self, error: JudgePanelError) -> None:
        self._problem(error.message)

    # --- full window --------------------------------------------------------------------

    def set_full_window(self, on: bool) -> None:
        """Show the meeting alone, full screen and in larger type (on a shared screen)."""
        if on == self._full:
            return
        self._full = on
        self.full_button.blockSignals(True)
        self.full_button.setChecked(on)
        self.full_button.blockSignals(False)
        if on:
            self.layout_.removeWidget(self.body)
            self.body.setParent(None)
            self.body.setWindowFlag(Qt.WindowType.Window, True)
            self.body_layout.setContentsMargins(24, 16, 24, 16)
            self._scale(FULL_SCALE)
            self.body.setGeometry(self.screen().geometry())  # also without a window manager
            self.body.showFullScreen()
        else:
            self.body.hide()
            self.body.setWindowFlag(Qt.WindowType.Window, False)
            self.body_layout.setContentsMargins(0, 0, 0, 0)
            self._scale(SCALE)
            self.layout_.addWidget(self.body, 1)
            self.body.show()
        self.show_item(keep_typing=True)  # the criteria's own bold font takes the new size
        self.body.activateWindow()
        self.next_button.setFocus()


def outcome_label(name: str) -> str:
    """An outcome as the officer reads it: the default outcomes in their language, a
    program's own outcome names as the program wrote them."""
    known = {"winner": tr("winner"), "finalist": tr("finalist"),
             "honourable mention": tr("honourable mention"),
             "not selected": tr("not selected"), "funded": tr("funded"),
             "not funded": tr("not funded")}
    return known.get(name, name)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
