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

A decision typed and not saved is not dropped when another application shows (Next,
Previous, their keys), when another round is chosen, or when the program closes: the
officer is asked, as the rubric editor asks (``unsaved.ask_unsaved``), to save it for the
application and round it was typed for, discard it, or stay (Cancel). Ctrl+Enter saves
and moves on without asking.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QLabel, QPushButton, QSpinBox

from judgepanel.errors import JudgePanelError
from judgepanel.model.staff.decide.meeting import (
    DISAGREEMENT,
    TOP,
    UNSCORED,
    Meeting,
    MeetingItem,
    agenda,
)
from judgepanel.model.staff.overview import MEETING_SCREEN
from judgepanel.model.staff.prepare.rounds import round_by_id
from judgepanel.reports.data import letters
from judgepanel.ui.flow_layout import FlowLayout
from judgepanel.ui.staff.context import (
    ASSIGNMENTS,
    AWARDS,
    CONFLICTS,
    DECISIONS,
    PROGRAM,
    RESULTS,
    StaffContext,
)
from judgepanel.ui.staff.meeting.decision import DecisionForm, outcome_label
from judgepanel.ui.staff.meeting.full_window import SCALE, MeetingBody
from judgepanel.ui.staff.meeting.reviews import ReviewsTable, points_text
from judgepanel.ui.staff.screen import Screen
from judgepanel.ui.staff.undo import DecisionState, change_decision
from judgepanel.ui.staff.unsaved import (
    APPLICATION,
    DISCARD,
    SAVE,
    AskUnsaved,
    ask_unsaved,
)

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget


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
        self.body.left.connect(lambda: self.set_full_window(False))
        outer = self.body.body_layout

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

        self.reviews = ReviewsTable()
        outer.addWidget(self.reviews, 1)

        self.decision = DecisionForm()
        self.decision.save_button.clicked.connect(lambda: self.save())
        self.decision.amount.returnPressed.connect(lambda: self.save())
        self.decision.clear_button.clicked.connect(self.clear)
        outer.addWidget(self.decision)
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
        self.body.scale(SCALE)
        # Dialog hook (tests replace it): save, discard or stay, before another application,
        # another round or the program closing.
        self.ask_unsaved: AskUnsaved = ask_unsaved
        ctx.guards.append(self._may_leave)
        self._note = ""  # said once the next round shows
        ctx.round_deleted.connect(self._round_deleted)

    # --- loading ------------------------------------------------------------------------

    def reload(self) -> None:
        round_id, top = self.ctx.round_id, self.top_box.value()
        if round_id is None:
            self.meeting = None
            self.decision.outcomes = ()
            self.show_item()
            return
        self.load(lambda s: agenda(s, round_by_id(s, round_id), top=top), self._loaded)

    def _loaded(self, meeting: Meeting) -> None:
        shown = self.item()
        same_round = self.meeting is not None and self.meeting.round_id == meeting.round_id
        if self.meeting is not None and not same_round:
            self.decision.say(self._note)  # what it said was about the round before
            self._note = ""
        self.meeting = meeting
        self.decision.outcomes = meeting.outcomes
        refs = [i.ref for i in meeting.items]
        if shown is not None and shown.ref in refs:  # stay on it through a reload
            self.position = refs.index(shown.ref)
        self.position = max(0, min(self.position, len(refs) - 1))
        # What is typed stays through a reread of the round, never into another round.
        self.show_item(keep_typing=same_round and shown is not None and shown.ref in refs)

    def item(self) -> MeetingItem | None:
        if self.meeting is None or not self.meeting.items:
            return None
        return self.meeting.items[self.position]

    # --- showing ------------------------------------------------------------------------

    def go(self, position: int) -> None:
        """Show the application at ``position`` in the agenda, once a decision typed on the
        one shown and not saved is saved (then it shows), discarded, or kept (it stays)."""
        if self.meeting is None or not self.meeting.items:
            return
        position = max(0, min(position, len(self.meeting.items) - 1))
        if position != self.position and self._may_leave(
                APPLICATION, lambda: self.go(position)):
            self._show_position(position)

    def _show_position(self, position: int) -> None:
        """Show the application at ``position``, dropping anything typed on the one shown."""
        self.position = position
        self.decision.say("")
        self.show_item()

    def show_item(self, *, keep_typing: bool = False) -> None:
        meeting, item = self.meeting, self.item()
        total = len(meeting.items) if meeting else 0
        decided = meeting.decided if meeting else 0
        self.progress.setText(self.tr("<b>{decided} of {total} decided</b>").format(
            decided=decided, total=total))
        for widget in (self.previous_button, self.next_button):
            widget.setEnabled(item is not None)
        self.decision.enable(item is not None)
        if meeting is None or item is None:
            self.place.setText("")
            self.heading.setText(self.tr("No applications in this round yet."))
            self.facts.setText("")
            self.absent.setText("")
            self.absent.setVisible(False)
            self.reviews.show_none()
            self.decision.show_current(None)
            return
        why = {TOP: self.tr("top of the ranking"), DISAGREEMENT: self.tr("judges disagree"),
               UNSCORED: self.tr("no scores yet")}.get(item.group, self.tr("the rest"))
        self.place.setText(self.tr("Application {n} of {total} · {why}").format(
            n=self.position + 1, total=total, why=why))
        self.previous_button.setEnabled(self.position > 0)
        self.next_button.setEnabled(self.position < total - 1)
        self.heading.setText(f"<span style='font-size:x-large; font-weight:600'>"
                             f"{html.escape(item.ref, quote=False)} — "
                             f"{html.escape(item.title, quote=False)}</span>")
        rank = "—" if item.rank is None else str(item.rank)
        facts = (f"{item.organisation}\n" if item.organisation else "") + self.tr(
            "Rank {rank} · raw mean {raw} · adjusted {adjusted} · {n} reviews").format(
            rank=rank, raw=points_text(item.raw), adjusted=points_text(item.adjusted),
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
        self.reviews.show_reviews(meeting, item)
        if not keep_typing:
            self.decision.fill(item)
        self.decision.show_current(item)

    # --- deciding -----------------------------------------------------------------------

    def focus_decision(self) -> None:
        self.decision.outcome.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def _state(self, item: MeetingItem) -> DecisionState | None:
        """The decision as it is now, for undo to put back."""
        d = item.decision
        if d is None:
            return None
        return DecisionState(d.outcome, d.reason,
                             d.award if self.decision.funds(d.outcome) else None)

    def _decidable(self) -> tuple[MeetingItem, int] | None:
        """The item shown and the round to decide it in: the round shown (None while a
        round chosen since is still being read; the screen says so)."""
        item = self.item()
        if item is None:
            return None
        round_id = self.round_for_change(self.decision.say, self.tr(
            "Still reading the round you chose: decide once its applications show."))
        return None if round_id is None else (item, round_id)

    def save(self, *, then_next: bool = False, then: Callable[[], object] | None = None
             ) -> None:
        """Save the decision typed into the round shown; ``then`` runs once it is saved.
        Not saved, the form says why (shown, if the meeting was not: see ``_not_saved``)."""
        if (decidable := self._decidable()) is None:
            return
        item, round_id = decidable
        form = self.decision
        outcome = form.outcome.currentData()
        if outcome is None:
            if item.decision is not None:
                self.clear(then=then)
            else:
                self._not_saved(self.tr("Choose a decision first (Ctrl+D)."), then)
            return
        try:
            amount = form.award()
        except ValueError:
            self._not_saved(self.tr("“{text}” is not an amount of money.").format(
                text=form.amount.text()), then)
            return
        after = DecisionState(outcome, form.reason.toPlainText(), amount)
        if not after.reason.strip():
            self._not_saved(self.tr("Give the reason for the decision."), then)
            form.reason.setFocus()
            return
        change_decision(self.ctx, round_id, item.application_id, self._state(item), after,
                        self.tr("Decide {ref}: {outcome}").format(
                            ref=item.ref, outcome=outcome_label(outcome)),
                        version=item.version, on_error=self._refused(then),
                        on_done=self._saved(then))
        if then_next and self.meeting is not None:  # being saved: nothing to ask
            self._show_position(min(self.position + 1, len(self.meeting.items) - 1))

    def save_and_next(self) -> None:
        self.save(then_next=True)

    def clear(self, *, then: Callable[[], object] | None = None) -> None:
        if (decidable := self._decidable()) is None or decidable[0].decision is None:
            return
        item, round_id = decidable
        change_decision(self.ctx, round_id, item.application_id, self._state(item), None,
                        self.tr("Clear the decision on {ref}").format(ref=item.ref),
                        version=item.version, on_error=self._refused(then),
                        on_done=self._saved(then))

    def _saved(self, then: Callable[[], object] | None) -> Callable[[], None]:
        """What runs once a decision is recorded: what was typed until now is saved."""
        edits = self.decision.edits

        def saved() -> None:
            self.decision.saved(edits)
            if then is not None:
                then()
        return saved

    def _refused(self, then: Callable[[], object] | None
                 ) -> Callable[[JudgePanelError], None]:
        return lambda error: self._not_saved(error.message, then)

    def _not_saved(self, text: str, then: Callable[[], object] | None) -> None:
        """Say why the decision was not saved. Asked to save it before another round
        (``then``) from another screen, the officer is shown the meeting, to see why."""
        self.decision.say(text)
        if then is not None and not self.isVisible():
            self.ctx.navigate.emit(MEETING_SCREEN)

    def _round_deleted(self, round_id: int) -> None:
        """The round of the decision typed was deleted: the decision goes with it, unasked."""
        item = self.item()
        if (self.meeting is not None and self.meeting.round_id == round_id
                and item is not None and self.decision.unsaved(item)):
            self.decision.fill(item)
            self._note = self.tr("“{round}” was deleted when its shortlist was undone; the "
                                 "decision on {ref}, not saved, went with it.").format(
                round=self.meeting.round_name, ref=item.ref)

    def _may_leave(self, leaving: str, then: Callable[[], object]) -> bool:
        """Asked before another application or round shows, or the program closes
        (``leaving``): a decision typed and not saved is saved for the application and
        round it was typed for (``then`` runs once it is), discarded, or the officer stays
        with it."""
        item = self.item()
        if self.meeting is None or item is None or not self.decision.unsaved(item):
            return True
        name = self.meeting.round_name
        choice = self.ask_unsaved(self, self.tr("Decision not saved"), self.tr(
            "The decision on {ref} in “{round}” has changes that are not saved.").format(
            ref=item.ref, round=name), leaving, item.ref if leaving == APPLICATION else name)
        if choice == DISCARD:
            self.decision.fill(item)
            return True
        if choice == SAVE:
            self.save(then=then)
        return False

    # --- full window --------------------------------------------------------------------

    def set_full_window(self, on: bool) -> None:
        """Show the meeting alone, full screen and in larger type (on a shared screen)."""
        if on == self._full:
            return
        self._full = on
        self.full_button.blockSignals(True)
        self.full_button.setChecked(on)
        self.full_button.blockSignals(False)
        self.body.set_window(on)
        self.show_item(keep_typing=True)  # the criteria's own bold font takes the new size
        self.body.activateWindow()
        self.next_button.setFocus()
