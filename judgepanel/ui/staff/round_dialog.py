"""Editing a later round: take applications out of it before any bundle holds them.

Lists what the round holds (``rounds.round_members``); an application a bundle of the
round already holds is shown as such and cannot be taken out. Taking one out also
takes away its assignments in the round; Ctrl+Z puts both back (``undo.take_out_of_round``).
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPushButton,
    QVBoxLayout,
)

from judgepanel.model.staff.prepare.rounds import RoundMember, round_by_id, round_members
from judgepanel.ui.staff.context import ASSIGNMENTS, StaffContext
from judgepanel.ui.staff.table_model import MUTED, Column, RowsModel, RowsTable, tr
from judgepanel.ui.staff.undo import take_out_of_round

if TYPE_CHECKING:
    from PySide6.QtWidgets import (
        QWidget,
    )


class RoundDialog(QDialog):
    def __init__(self, ctx: StaffContext, round_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.round_id = round_id
        self.setWindowTitle(self.tr("Edit this round"))
        self.resize(640, 480)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr(
            "Applications this round holds. One a judge's bundle already holds cannot be "
            "taken out; taking one out also takes away its assignments (Ctrl+Z puts them "
            "back).")))
        self.model: RowsModel[RoundMember] = RowsModel([
            Column(tr("Reference"), lambda m: m.ref),
            Column(tr("Title"), lambda m: m.title),
            Column(tr("In a bundle"), lambda m: m.bundled,
                   tone=lambda m: MUTED if m.bundled else None),
        ], self)
        self.table = RowsTable(self.model, self.tr("Applications in this round"))
        layout.addWidget(self.table, 1)
        self.remove_button = QPushButton(self.tr("&Take out of this round"))
        self.remove_button.clicked.connect(self.take_out_selected)
        layout.addWidget(self.remove_button)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setAccessibleName(self.tr("Last action"))
        layout.addWidget(self.status)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        ctx.changed.connect(self._changed)
        self.reload()

    def _changed(self, topic: str) -> None:
        if topic == ASSIGNMENTS and self.isVisible():
            self.reload()

    def reload(self) -> None:
        round_id = self.round_id
        self.ctx.read(lambda s: round_members(s, round_by_id(s, round_id)),
                      self.table.set_rows, parent=self)

    def take_out_selected(self) -> None:
        chosen = [m for m in self.table.selected_rows() if not m.bundled]
        held = [m.ref for m in self.table.selected_rows() if m.bundled]
        if held:
            self.status.setText(self.tr("{refs}: a judge's bundle already holds them, so they "
                                        "stay.").format(refs=", ".join(held)))
        for member in chosen:
            take_out_of_round(self.ctx, self.round_id, member.id,
                              self.tr("Take {ref} out of the round").format(ref=member.ref),
                              on_done=functools.partial(self._done, member.ref))

    def _done(self, ref: str) -> None:
        self.status.setText(self.tr("Took {ref} out of the round (Ctrl+Z puts it back).")
                            .format(ref=ref))
