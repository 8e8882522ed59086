"""Shortlisting into the next round: the rule, a preview of who goes through, then create.

Where: the ranking on screen (overall, or the one category shown), or every
category at once (the top N of each; an application in several categories is
taken once). Nothing is created until the officer presses Create: every change of
the rule asks the model for a new plan (``shortlist.plan_shortlist``, in the
background, through ``request_plan``), and the preview lists each application the
rule picks with its rank and score. Applications tied at the cut-off are marked,
and any application can be unticked to leave it out (the model's ``exclude``): "Top
8" with a tie no longer silently makes a round of 9. The round made can be undone
(Ctrl+Z) until bundles are built for it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
)

from judgepanel.model.staff.decide.shortlist import ShortlistPlan
from judgepanel.model.staff.prepare.rounds import round_by_id
from judgepanel.ui.staff.context import StaffContext
from judgepanel.ui.staff.table_model import WARN, number_text, tone

if TYPE_CHECKING:
    from PySide6.QtWidgets import (
        QWidget,
    )


@dataclass(frozen=True)
class ShortlistChoice:
    name: str
    top: int | None
    threshold: float | None
    per_category: bool
    exclude: tuple[str, ...] = ()


class ShortlistDialog(QDialog):
    """The rule and the preview. ``request_plan(choice)`` is called (debounced) whenever
    the rule changes; the caller answers with :meth:`show_plan`."""

    def __init__(self, category: str | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Shortlist into the next round"))
        self.resize(640, 560)
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.name_edit = QLineEdit(self.tr("Final round"))
        name_label = QLabel(self.tr("&Name of the new round:"))
        name_label.setBuddy(self.name_edit)
        form.addRow(name_label, self.name_edit)
        self.by_top = QRadioButton(self.tr("The &top"))
        self.by_top.setChecked(True)
        self.top_spin = QSpinBox()
        self.top_spin.setRange(1, 100000)
        self.top_spin.setValue(10)
        self.top_spin.setAccessibleName(self.tr("How many"))
        form.addRow(self.by_top, self.top_spin)
        self.by_score = QRadioButton(self.tr("Every application scoring at &least"))
        self.score_spin = QDoubleSpinBox()
        self.score_spin.setRange(0, 100)
        self.score_spin.setValue(60)
        self.score_spin.setAccessibleName(self.tr("Minimum score"))
        form.addRow(self.by_score, self.score_spin)
        self.per_category_box = QCheckBox(self.tr("In &every category (the top of each)"))
        self.per_category_box.setToolTip(self.tr(
            "Apply the rule within each category; an application in several categories "
            "goes through once"))
        where = (self.tr("Otherwise the overall ranking is used.") if category is None else
                 self.tr("Otherwise only the category “{name}” is used.").format(name=category))
        form.addRow(self.per_category_box)
        form.addRow(QLabel(where))
        layout.addLayout(form)

        preview_label = QLabel(self.tr("Who goes &through (untick to leave one out):"))
        self.preview = QListWidget()
        self.preview.setAccessibleName(self.tr("Shortlist preview"))
        preview_label.setBuddy(self.preview)
        self.preview.itemChanged.connect(lambda _item: self._show_counts())
        layout.addWidget(preview_label)
        layout.addWidget(self.preview, 1)
        self.counts = QLabel(self.tr("Working out the shortlist…"))
        self.counts.setWordWrap(True)
        self.counts.setAccessibleName(self.tr("Shortlist summary"))
        layout.addWidget(self.counts)
        self.warnings = QLabel()
        self.warnings.setWordWrap(True)
        self.warnings.setAccessibleName(self.tr("Warnings"))
        layout.addWidget(self.warnings)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.create_button = self.buttons.addButton(self.tr("&Create the round"),
                                                    QDialogButtonBox.ButtonRole.AcceptRole)
        self.create_button.setEnabled(False)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

        self.plan: ShortlistPlan | None = None
        self.request_plan: Callable[[ShortlistChoice], None] = lambda _choice: None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(250)
        self._timer.timeout.connect(self.ask_plan)
        for signal in (self.by_top.toggled, self.top_spin.valueChanged,
                       self.score_spin.valueChanged, self.per_category_box.toggled):
            signal.connect(lambda *_a: self._rule_changed())

    # --- the rule ---------------------------------------------------------------------

    def name(self) -> str:
        return self.name_edit.text()

    def top(self) -> int | None:
        return self.top_spin.value() if self.by_top.isChecked() else None

    def threshold(self) -> float | None:
        return self.score_spin.value() if self.by_score.isChecked() else None

    def _rule_changed(self) -> None:
        self.plan = None
        self.create_button.setEnabled(False)
        self.counts.setText(self.tr("Working out the shortlist…"))
        self._timer.start()

    def ask_plan(self) -> None:
        """Ask for the plan of the rule as it stands (no exclusions: the preview keeps them)."""
        self._timer.stop()
        self.request_plan(ShortlistChoice(self.name(), self.top(), self.threshold(),
                                          self.per_category_box.isChecked()))

    # --- the preview --------------------------------------------------------------------

    def show_plan(self, plan: ShortlistPlan) -> None:
        """Show who the rule picks; tied ones are marked; earlier unticks are kept."""
        left_out = set(self.excluded())
        self.plan = plan
        self.preview.blockSignals(True)
        self.preview.clear()
        for entry in plan.entries:
            text = self.tr("{rank}. {ref}  {title}  ({score})").format(
                rank=entry.rank, ref=entry.ref, title=entry.title,
                score=number_text(entry.score, 1))
            if entry.tied:
                text += "  " + self.tr("— tied at the cut-off")
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, entry.ref)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked if entry.ref in left_out
                               else Qt.CheckState.Checked)
            if entry.tied:
                item.setForeground(tone(WARN))
            self.preview.addItem(item)
        self.preview.blockSignals(False)
        self.warnings.setText("\n".join(w for w in plan.warnings
                                        if not w.startswith("A tie at the cut-off")))
        self._show_counts()

    def show_problem(self, message: str) -> None:
        """The rule cannot be worked out (say why); nothing can be created from it."""
        self.plan = None
        self.preview.clear()
        self.counts.setText(message)
        self.create_button.setEnabled(False)

    def excluded(self) -> tuple[str, ...]:
        items = (self.preview.item(i) for i in range(self.preview.count()))
        return tuple(str(i.data(Qt.ItemDataRole.UserRole)) for i in items
                     if i.checkState() == Qt.CheckState.Unchecked)

    def _show_counts(self) -> None:
        plan = self.plan
        if plan is None:
            return
        left_out = set(self.excluded())
        going = [e for e in plan.entries if e.ref not in left_out]
        tied = [e.ref for e in plan.entries if e.tied]
        parts = [self.tr("{n} applications go through.").format(n=len(going))]
        if tied:
            parts.append(self.tr("{n} are tied at the cut-off ({refs}): untick those to "
                                 "leave out to keep to the number.").format(
                n=len(tied), refs=", ".join(tied)))
        if left_out:
            parts.append(self.tr("Left out: {refs}.").format(refs=", ".join(sorted(left_out))))
        self.counts.setText(" ".join(parts))
        self.create_button.setEnabled(bool(going) and bool(self.name().strip()))

    def choice(self) -> ShortlistChoice:
        return ShortlistChoice(self.name(), self.top(), self.threshold(),
                               self.per_category_box.isChecked(), self.excluded())


def ask_shortlist(parent: QWidget, category: str | None, plan: Any) -> ShortlistChoice | None:
    """The officer's shortlist after previewing it; ``plan(choice, show, problem)`` works
    out each preview (in the background) and answers through ``show`` or ``problem``."""
    dialog = ShortlistDialog(category, parent)
    dialog.request_plan = lambda choice: plan(choice, dialog.show_plan, dialog.show_problem)
    dialog.ask_plan()
    return dialog.choice() if dialog.exec() == QDialog.DialogCode.Accepted else None


def plan_in_background(ctx: StaffContext, choice: ShortlistChoice, basis: str,
                       category: str | None, show: Callable[[ShortlistPlan], None],
                       problem: Callable[[str], None]) -> None:
    """Work out the plan of ``choice`` on the round shown, off the GUI thread; the dialog
    gets it through ``show``, or the refusal's words through ``problem``."""
    from judgepanel.model.staff.decide.shortlist import plan_shortlist

    round_id, ws = ctx.round_id, ctx.workspace

    def work(_progress: Any) -> ShortlistPlan:
        with ws.session() as session:
            return plan_shortlist(session, round_by_id(session, round_id), top=choice.top,
                                  threshold=choice.threshold, basis=basis,  # type: ignore[arg-type]
                                  category=category, per_category=choice.per_category)

    ctx.run(work, on_done=show, on_error=lambda error: problem(error.message))
