"""Importing applications: pick a file, map its columns, see every bad row, then import.

Nothing is written until the officer presses Import: "Check" runs the same
validation the import runs (``importing.validate``) and lists every problem
with its row and column. With bad rows, Import needs "Import only the good
rows" ticked, exactly like the CLI's ``--good-rows-only``.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from judgepanel.model.importing import ColumnMapping, ImportOutcome, ImportReport, RowProblem
from judgepanel.ui.staff.context import APPLICATIONS, StaffContext
from judgepanel.ui.staff.table_model import BAD, Column, RowsModel, RowsTable, tr

FIELDS = ("ref", "title", "organisation", "city", "contact_name", "contact_email",
          "requested_amount", "categories")


def field_labels() -> dict[str, str]:
    return {"ref": tr("Reference"), "title": tr("Title (required)"),
            "organisation": tr("Organisation"), "city": tr("City"),
            "contact_name": tr("Contact name"), "contact_email": tr("Contact e-mail"),
            "requested_amount": tr("Requested amount"), "categories": tr("Categories"),
            "attachments": tr("Attachment files")}


def _cell(header: str) -> Any:
    return lambda row: row.get(header)


class ImportDialog(QDialog):
    """The column-mapping import. ``load(path)`` and ``check()`` are public for tests."""

    def __init__(self, ctx: StaffContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle(self.tr("Import applications"))
        self.resize(1000, 720)
        self.path: Path | None = None
        self.headers: tuple[str, ...] = ()
        self.report: ImportReport | None = None
        self.outcome: ImportOutcome | None = None
        layout = QVBoxLayout(self)

        files = QFormLayout()
        pick = QHBoxLayout()
        self.file_edit = QLineEdit()
        self.file_edit.setReadOnly(True)
        self.file_edit.setAccessibleName(self.tr("Spreadsheet file"))
        choose = QPushButton(self.tr("&Choose…"))
        choose.clicked.connect(self._choose_file)
        pick.addWidget(self.file_edit)
        pick.addWidget(choose)
        files.addRow(self.tr("&Spreadsheet (CSV, XLSX, JSON):"), pick)
        folder = QHBoxLayout()
        self.folder_edit = QLineEdit()
        self.folder_edit.setPlaceholderText(self.tr("the folder holding the attachment files"))
        self.folder_edit.setAccessibleName(self.tr("Attachments folder"))
        self.folder_edit.textChanged.connect(self._invalidate)
        choose_folder = QPushButton(self.tr("C&hoose…"))
        choose_folder.clicked.connect(self._choose_folder)
        folder.addWidget(self.folder_edit)
        folder.addWidget(choose_folder)
        files.addRow(self.tr("&Attachments folder:"), folder)
        layout.addLayout(files)

        mapping_box = QGroupBox(self.tr("Which column holds what"))
        grid = QGridLayout(mapping_box)
        self.combos: dict[str, QComboBox] = {}
        labels = field_labels()
        for i, name in enumerate((*FIELDS, "attachments")):
            combo = QComboBox()
            combo.setAccessibleName(labels[name])
            combo.currentIndexChanged.connect(self._invalidate)
            label = QLabel(labels[name] + ":")
            label.setBuddy(combo)
            grid.addWidget(label, i // 3, (i % 3) * 2)
            grid.addWidget(combo, i // 3, (i % 3) * 2 + 1)
            self.combos[name] = combo
        layout.addWidget(mapping_box)

        layout.addWidget(QLabel(self.tr("First rows of the file:")))
        self.preview_model: RowsModel[dict[str, Any]] = RowsModel([], self)
        self.preview = RowsTable(self.preview_model, self.tr("Preview"), search=False)
        layout.addWidget(self.preview, 2)

        self.status = QLabel(self.tr("Choose a spreadsheet to begin."))
        self.status.setWordWrap(True)
        self.status.setAccessibleName(self.tr("Check result"))
        layout.addWidget(self.status)
        self.problem_model: RowsModel[RowProblem] = RowsModel([
            Column(self.tr("Row"), lambda p: p.row, tone=lambda p: BAD, align_right=True),
            Column(self.tr("Field"), lambda p: p.field),
            Column(self.tr("Problem"), lambda p: p.reason),
        ], self)
        self.problems = RowsTable(self.problem_model, self.tr("Rows with problems"), search=False)
        layout.addWidget(self.problems, 2)

        self.good_only = QCheckBox(self.tr("Import only the &good rows (skip the rows listed)"))
        self.good_only.setEnabled(False)
        layout.addWidget(self.good_only)
        buttons = QDialogButtonBox()
        self.check_button = buttons.addButton(self.tr("Chec&k"),
                                              QDialogButtonBox.ButtonRole.ActionRole)
        self.check_button.clicked.connect(self.check)
        self.import_button = buttons.addButton(self.tr("&Import"),
                                               QDialogButtonBox.ButtonRole.AcceptRole)
        self.import_button.clicked.connect(self.do_import)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel).clicked.connect(self.reject)
        layout.addWidget(buttons)
        self._set_ready(False)

    # --- file and mapping ------------------------------------------------------------

    def _choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, self.tr("Choose the applications spreadsheet"), "",
            self.tr("Spreadsheets (*.csv *.xlsx *.json);;All files (*)"))
        if path:
            self.load(Path(path))

    def _choose_folder(self) -> None:
        path = QFileDialog.getExistingDirectory(self, self.tr("Choose the attachments folder"))
        if path:
            self.folder_edit.setText(path)

    def load(self, path: Path) -> None:
        """Read the first rows and the guessed mapping (in the background)."""
        from judgepanel.model.importing import preview

        self.path = Path(path)
        self.file_edit.setText(str(path))
        if not self.folder_edit.text() and (self.path.parent / "attachments").is_dir():
            self.folder_edit.setText(str(self.path.parent / "attachments"))
        self.ctx.run(lambda _p: preview(path, rows=8), on_done=self._show_preview, parent=self)

    def _show_preview(self, result: Any) -> None:
        self.headers = tuple(result.headers)
        self.preview_model.columns = [Column(h, _cell(h)) for h in self.headers]
        self.preview.set_rows(result.rows)
        guessed: ColumnMapping = result.mapping
        for name, combo in self.combos.items():
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(self.tr("(none)"), None)
            for header in self.headers:
                combo.addItem(header, header)
            wanted = (guessed.attachments[0] if guessed.attachments else None) \
                if name == "attachments" else getattr(guessed, name)
            combo.setCurrentIndex(max(combo.findData(wanted), 0))
            combo.blockSignals(False)
        self.status.setText(self.tr("{rows} rows. Check the columns, then press Check.")
                            .format(rows=result.total_rows))
        self._invalidate()
        self.check_button.setEnabled(True)

    def mapping(self) -> ColumnMapping:
        chosen = {name: combo.currentData() for name, combo in self.combos.items()}
        attachments = chosen.pop("attachments")
        base = ColumnMapping.guess(self.headers)
        return replace(base, **chosen, attachments=(attachments,) if attachments else ())

    def _invalidate(self) -> None:
        self.report = None
        self.problem_model.set_rows([])
        self._set_ready(False)

    def _set_ready(self, ready: bool) -> None:
        self.import_button.setEnabled(ready)
        self.check_button.setEnabled(self.path is not None)

    def _folder(self) -> Path | None:
        text = self.folder_edit.text().strip()
        return Path(text) if text else None

    # --- check, then import ------------------------------------------------------------

    def check(self) -> None:
        """Validate every row with the chosen mapping; writes nothing."""
        if self.path is None:
            return
        from judgepanel.model.import_sources import read_table
        from judgepanel.model.importing import validate

        path, mapping, folder, ws = self.path, self.mapping(), self._folder(), self.ctx.workspace

        def work(progress: Any) -> ImportReport:
            table = read_table(path)
            with ws.session() as session:
                return validate(session, ws.program(session), table, mapping,
                                attachments_dir=folder, progress=progress)

        self.ctx.run(work, on_done=self._show_report, parent=self,
                     label=self.tr("Checking every row…"), cancellable=True)

    def _show_report(self, report: ImportReport) -> None:
        self.report = report
        self.problem_model.set_rows(report.problems)
        self.problems.view.resizeColumnsToContents()
        if report.ok:
            self.status.setText(self.tr("All {n} rows are good. Press Import to add them.")
                                .format(n=report.total_rows))
        else:
            self.status.setText(self.tr(
                "{bad} of {n} rows have problems (listed below); nothing has been imported. "
                "Fix the file and check again, or tick “Import only the good rows”.")
                .format(bad=len(report.bad_rows), n=report.total_rows))
        self.good_only.setEnabled(not report.ok)
        self.good_only.setChecked(False)
        self._set_ready(bool(report.good))

    def do_import(self) -> None:
        if self.path is None or self.report is None:
            return
        if not self.report.ok and not self.good_only.isChecked():
            self.status.setText(self.tr(
                "Nothing was imported: {bad} rows have problems. Tick “Import only the good "
                "rows” to import the others.").format(bad=len(self.report.bad_rows)))
            return
        from judgepanel.model.importing import import_file

        path, mapping, folder, ws = self.path, self.mapping(), self._folder(), self.ctx.workspace
        good_only = self.good_only.isChecked()
        self.ctx.run(lambda progress: import_file(ws, path, mapping, attachments_dir=folder,
                                                  good_rows_only=good_only, progress=progress),
                     on_done=self._imported, parent=self,
                     label=self.tr("Importing applications…"), cancellable=True)

    def _imported(self, outcome: ImportOutcome) -> None:
        self.outcome = outcome
        self.ctx.changed.emit(APPLICATIONS)
        self.accept()
