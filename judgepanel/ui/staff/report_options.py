"""The compendium's options: which form field holds each application's summary.

Forms name that field as they like ("Summary", "Practice summary", "Abstract"); the
report matches names without regard to case or spacing, and the officer picks the
field here (kept as the program setting ``summary_field``, so the command line and the
next report use the same one). Offered: the form fields the applications carry.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
)

from judgepanel.model.staff.prepare.rounds import round_by_id
from judgepanel.ui.staff.context import StaffContext
from judgepanel.ui.staff.table_model import tr

if TYPE_CHECKING:
    from PySide6.QtWidgets import (
        QWidget,
    )


class SummaryFieldDialog(QDialog):
    """Choose the summary field; ``field()`` is None for "the usual names"."""

    def __init__(self, fields: Sequence[str], current: str | None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Compendium"))
        form = QFormLayout(self)
        form.addRow(QLabel(self.tr(
            "Each application's text in the compendium comes from one field of the "
            "application form.")))
        self.fields = QComboBox()
        self.fields.setAccessibleName(self.tr("Summary field"))
        self.fields.addItem(self.tr("(the usual: Summary, Abstract, Description)"), None)
        for name in fields:
            self.fields.addItem(name, name)
        wanted = self.fields.findData(current) if current else 0
        if current and wanted < 0:
            self.fields.addItem(current, current)
            wanted = self.fields.count() - 1
        self.fields.setCurrentIndex(max(wanted, 0))
        label = QLabel(self.tr("&Summary from:"))
        label.setBuddy(self.fields)
        form.addRow(label, self.fields)
        self.remember = QCheckBox(self.tr("&Keep this choice for the program"))
        self.remember.setChecked(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        form.addRow(self.remember)
        form.addRow(buttons)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)

    def field(self) -> str | None:
        value = self.fields.currentData()
        return None if value is None else str(value)


def ask_summary_field(parent: QWidget, fields: Sequence[str], current: str | None
                      ) -> tuple[str | None, bool] | None:
    """(field or None, keep it for the program), or None when cancelled."""
    dialog = SummaryFieldDialog(fields, current, parent)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return dialog.field(), dialog.remember.isChecked()


AskField = Callable[[Any, Sequence[str], str | None], tuple[str | None, bool] | None]


def ask_compendium_field(ctx: StaffContext, parent: QWidget, ask: AskField,
                         then: Callable[[str | None, bool], None]) -> None:
    """Read the form's field names and the program's choice, ask which field holds the
    summaries, then ``then(field, keep it for the program)`` (not called on Cancel)."""
    from judgepanel.model.staff.prepare.applications import form_field_names
    from judgepanel.model.staff.settings import SUMMARY_FIELD, setting_value

    ws = ctx.workspace

    def query(session: Any) -> tuple[list[str], str | None]:
        program = ws.program(session)
        return form_field_names(session, program), setting_value(program, SUMMARY_FIELD)

    def asked(found: tuple[list[str], str | None]) -> None:
        answer = ask(parent, *found)
        if answer is not None:
            then(*answer)

    ctx.read(query, asked, parent=parent)


def write_report(ctx: StaffContext, parent: QWidget, kind: str, path: Path, *,
                 summary_field: str | None, keep_field: bool,
                 on_done: Callable[[Path], None]) -> None:
    """Write report ``kind`` of the round shown, in the background; the compendium takes
    its summaries from ``summary_field``, kept as the program's setting with ``keep_field``."""
    from judgepanel.model.staff.settings import SUMMARY_FIELD, set_setting
    from judgepanel.reports import build_report
    from judgepanel.reports.gather import options_from_settings

    round_id, ws = ctx.round_id, ctx.workspace

    def work(progress: Any) -> Path:
        with ws.session() as session:
            number = round_by_id(session, round_id).number
            program = ws.program(session)
            if keep_field:
                set_setting(session, program, SUMMARY_FIELD, summary_field, ws.actor)
            options = options_from_settings(program, summary_field=summary_field)
        return build_report(kind, ws, number, path, options=options, progress=progress)

    ctx.run(work, on_done=on_done, parent=parent, label=tr("Writing the report…"),
            cancellable=True)
