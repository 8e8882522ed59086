"""Two exports of one judge that diverged, side by side, and the staff's recorded choice.

The merge holds an export that neither builds on the merged one nor is built on by it
(made on two computers from the same start). Here staff see every difference, per
application, and choose which export counts, with a note (required): the choice goes
to the audit log (``diverged.choose_export``). Keeping the merged one is the default:
it changes nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from judgepanel.model.staff.results.diverged import KEEP_MERGED, TAKE_HELD, DivergedListing

if TYPE_CHECKING:
    from PySide6.QtWidgets import (
        QWidget,
    )


def _when(listing_side: object) -> str:
    received = getattr(listing_side, "received_at", None)
    return received.astimezone().strftime("%Y-%m-%d %H:%M") if received else ""


class DivergedDialog(QDialog):
    """``choice`` is "merged" or "held" once accepted; ``note`` says why."""

    def __init__(self, listing: DivergedListing, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.listing = listing
        self.choice = ""
        self.setWindowTitle(self.tr("Two exports of {judge} diverged").format(
            judge=listing.judge))
        self.resize(900, 560)
        merged, held = listing.merged, listing.held
        intro = QLabel(self.tr(
            "{judge} sent two exports of {round} that were made separately (on two "
            "computers from the same start, or after starting again). The merged one "
            "counts until you choose. Call the judge if you are unsure which is final.")
            .format(judge=listing.judge, round=listing.round_name))
        intro.setWordWrap(True)
        sides = QLabel(self.tr(
            "Merged: export {a}, received {when_a} ({sum_a}).\nHeld: export {b}, received "
            "{when_b} ({sum_b}).").format(
                a=merged.sequence, when_a=_when(merged), sum_a=merged.summary(),
                b=held.sequence, when_b=_when(held), sum_b=held.summary()))
        sides.setWordWrap(True)
        self.table = QTableWidget(len(listing.differences), 4)
        self.table.setAccessibleName(self.tr("What differs"))
        self.table.setHorizontalHeaderLabels([
            self.tr("Application"), self.tr("What"),
            self.tr("Merged (export {n})").format(n=merged.sequence),
            self.tr("Held (export {n})").format(n=held.sequence)])
        for row, difference in enumerate(listing.differences):
            for column, text in enumerate((f"{difference.application_ref} — "
                                           f"{difference.application_title}",
                                           difference.what, difference.merged,
                                           difference.held)):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.table.setItem(row, column, item)
        header = self.table.horizontalHeader()
        for column in (0, 2, 3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.note = QLineEdit()
        self.note.setAccessibleName(self.tr("Why you chose (kept in the audit log)"))
        self.note.setPlaceholderText(self.tr("For example: the judge confirmed by phone that "
                                             "the laptop's export is final"))
        note_label = QLabel(self.tr("&Why (required):"))
        note_label.setBuddy(self.note)
        self.keep = QPushButton(self.tr("&Keep the merged export"))
        self.take = QPushButton(self.tr("&Take the held export"))
        cancel = QPushButton(self.tr("Decide later"))
        for button in (self.keep, self.take, cancel):
            button.setAutoDefault(False)
        self.keep.setDefault(True)  # the choice that changes nothing
        self.keep.clicked.connect(lambda: self._chose(KEEP_MERGED))
        self.take.clicked.connect(lambda: self._chose(TAKE_HELD))
        cancel.clicked.connect(self.reject)
        self.note.textChanged.connect(self._enable)
        note_row = QHBoxLayout()
        note_row.addWidget(note_label)
        note_row.addWidget(self.note, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(cancel)
        buttons.addStretch()
        buttons.addWidget(self.take)
        buttons.addWidget(self.keep)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(sides)
        layout.addWidget(self.table, 1)
        layout.addLayout(note_row)
        layout.addLayout(buttons)
        self._enable()
        self.note.setFocus()

    def default_button(self) -> QPushButton | None:
        return next((b for b in self.findChildren(QPushButton) if b.isDefault()), None)

    def _enable(self) -> None:
        ready = bool(self.note.text().strip())
        self.keep.setEnabled(ready)
        self.take.setEnabled(ready)

    def _chose(self, choice: str) -> None:
        self.choice = choice
        self.accept()
