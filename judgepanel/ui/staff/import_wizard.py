"""Importing applications: pick a file, map its columns, see every bad row, then import.

Nothing is written until the officer presses Import: "Check" runs the same
validation the import runs (``importing.validate``) and lists every problem
with its row and column. With bad rows, Import needs "Import only the good
rows" ticked, exactly like the CLI's ``--good-rows-only``.

Workbooks with several sheets offer a choice of sheet; any number of columns
may hold attachment file names; the list separator (between categories or
file names in one cell) is the officer's to set, as spreadsheets differ.
Without a reference column the dialog says how references will be made, and rows
repeating applications already in the program are refused unless the officer
ticks "Add them anyway" (the CLI's ``--allow-duplicates``; greyed when a column holds
references, which then tell applications apart). With a reference column,
rows that look like one application sent twice under two references are listed apart,
calmly: they are imported all the same, for the officer to check.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
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
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from judgepanel.model.staff.prepare.importing.mapping import ColumnMapping
from judgepanel.model.staff.prepare.importing.rows import PossibleDuplicate, RowProblem
from judgepanel.model.staff.prepare.importing.workflow import ImportOutcome, ImportReport
from judgepanel.ui.staff.context import APPLICATIONS, StaffContext
from judgepanel.ui.staff.table_model import BAD, WARN, Column, RowsModel, RowsTable, tone, tr

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


def sheet_names(path: Path) -> tuple[str, ...]:
    """The sheets of an .xlsx workbook (empty for other files), read without loading cells."""
    if path.suffix.lower() != ".xlsx":
        return ()
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True)
    except Exception:  # noqa: BLE001 - read_table refuses the file with a plain message
        return ()
    try:
        return tuple(book.sheetnames)
    finally:
        book.close()


def _preview(path: Path, sheet: str | None) -> tuple[Any, tuple[str, ...]]:
    from judgepanel.model.staff.prepare.importing.workflow import preview

    return preview(path, rows=8, sheet=sheet), sheet_names(path)


class ImportDialog(QDialog):
    """The column-mapping import. ``load(path)`` and ``check()`` are public for tests."""

    def __init__(self, ctx: StaffContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle(self.tr("Import applications"))
        self.resize(980, 660)  # fits a 1024 x 700 screen
        self.path: Path | None = None
        self.sheet: str | None = None
        self.headers: tuple[str, ...] = ()
        self.report: ImportReport | None = None
        self.outcome: ImportOutcome | None = None
        layout = QVBoxLayout(self)

        files = QFormLayout()
        pick = QHBoxLayout()
        self.file_edit = QLineEdit()
        self.file_edit.setPlaceholderText(self.tr("type a path and press Enter, or choose"))
        self.file_edit.setAccessibleName(self.tr("Spreadsheet file"))
        self.file_edit.returnPressed.connect(self._typed_file)
        self.file_edit.editingFinished.connect(self._typed_file)
        choose = QPushButton(self.tr("&Choose…"))
        choose.clicked.connect(self._choose_file)
        pick.addWidget(self.file_edit)
        pick.addWidget(choose)
        # A label names its field through a buddy, or its "&" would show as typed.
        file_label = QLabel(self.tr("&Spreadsheet (CSV, XLSX, JSON):"))
        file_label.setBuddy(self.file_edit)
        files.addRow(file_label, pick)
        folder = QHBoxLayout()
        self.folder_edit = QLineEdit()
        self.folder_edit.setPlaceholderText(self.tr("the folder holding the attachment files"))
        self.folder_edit.setAccessibleName(self.tr("Attachments folder"))
        self.folder_edit.textChanged.connect(self._invalidate)
        choose_folder = QPushButton(self.tr("C&hoose…"))
        choose_folder.clicked.connect(self._choose_folder)
        folder.addWidget(self.folder_edit)
        folder.addWidget(choose_folder)
        folder_label = QLabel(self.tr("&Attachments folder:"))
        folder_label.setBuddy(self.folder_edit)
        files.addRow(folder_label, folder)
        options = QHBoxLayout()
        self.sheet_box = QComboBox()
        self.sheet_box.setAccessibleName(self.tr("Sheet"))
        self.sheet_box.setEnabled(False)
        self.sheet_box.setToolTip(self.tr("Workbooks only: the sheet that lists the "
                                          "applications"))
        self.sheet_box.currentIndexChanged.connect(self._sheet_chosen)
        sheet_label = QLabel(self.tr("S&heet:"))
        sheet_label.setBuddy(self.sheet_box)
        self.separator_edit = QLineEdit(";")
        self.separator_edit.setMaxLength(3)
        self.separator_edit.setMaximumWidth(60)
        self.separator_edit.setAccessibleName(self.tr("List separator"))
        self.separator_edit.setToolTip(self.tr(
            "What separates several categories or file names in one cell"))
        self.separator_edit.textChanged.connect(self._invalidate)
        separator_label = QLabel(self.tr("&List separator:"))
        separator_label.setBuddy(self.separator_edit)
        for widget in (sheet_label, self.sheet_box, separator_label, self.separator_edit):
            options.addWidget(widget)
        options.addStretch(1)
        files.addRow(options)
        layout.addLayout(files)

        mapping_box = QGroupBox(self.tr("Which column holds what"))
        grid = QGridLayout(mapping_box)
        self.combos: dict[str, QComboBox] = {}
        labels = field_labels()
        for i, name in enumerate(FIELDS):
            combo = QComboBox()
            combo.setAccessibleName(labels[name])
            combo.currentIndexChanged.connect(self._invalidate)
            label = QLabel(labels[name] + ":")
            label.setBuddy(combo)
            grid.addWidget(label, i // 3, (i % 3) * 2)
            grid.addWidget(combo, i // 3, (i % 3) * 2 + 1)
            self.combos[name] = combo
        self.attachment_list = QListWidget()
        self.attachment_list.setAccessibleName(labels["attachments"])
        self.attachment_list.setToolTip(self.tr("Tick every column that names attachment "
                                                "files"))
        self.attachment_list.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.attachment_list.setMaximumHeight(90)
        self.attachment_list.itemChanged.connect(lambda _i: self._invalidate())
        attachments_label = QLabel(self.tr("Attachment columns (tick any number):"))
        attachments_label.setBuddy(self.attachment_list)
        row = (len(FIELDS) + 2) // 3
        grid.addWidget(attachments_label, row, 0, 1, 2)
        grid.addWidget(self.attachment_list, row, 2, 1, 4)
        self.refs_note = QLabel()
        self.refs_note.setWordWrap(True)
        self.refs_note.setAccessibleName(self.tr("References"))
        grid.addWidget(self.refs_note, row + 1, 0, 1, 6)
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
            Column(self.tr("Column"), lambda p: p.column or self.tr("(the whole row)")),
            Column(self.tr("Problem"), lambda p: p.reason),
        ], self)
        self.problems = RowsTable(self.problem_model, self.tr("Rows with problems"), search=False)
        layout.addWidget(self.problems, 2)
        self.notices = self._notices_box()
        layout.addWidget(self.notices)

        self.good_only = QCheckBox(self.tr("Import only the &good rows (skip the rows listed)"))
        self.good_only.setEnabled(False)
        layout.addWidget(self.good_only)
        self.allow_duplicates = QCheckBox(self.tr(
            "Rows that repeat an application already in the program: a&dd them anyway"))
        self.allow_duplicates.setToolTip(self.tr(
            "Without a reference column, a row with the same title, organisation and e-mail "
            "as an application already imported is refused, so importing a sheet twice "
            "adds nothing. Tick this only for applications that really are new."))
        self.allow_duplicates.toggled.connect(lambda _on: self._invalidate())
        layout.addWidget(self.allow_duplicates)
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

    def _notices_box(self) -> QWidget:
        """Rows that look like one application sent twice: shown only when there are some."""
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        heading = QLabel(self.tr(
            "To check: these rows look like an application sent twice (same title, "
            "organisation and contact e-mail under another reference). They will be "
            "imported all the same."))
        heading.setWordWrap(True)
        column.addWidget(heading)
        self.notice_model: RowsModel[PossibleDuplicate] = RowsModel([
            Column(self.tr("Row"), lambda d: d.row, align_right=True, tooltip=str),
            Column(self.tr("Reference"), lambda d: d.ref, tooltip=str),
            Column(self.tr("Looks like"), self._looks_like, tooltip=str),
        ], self)
        self.notice_table = RowsTable(self.notice_model, self.tr("Rows to check"),
                                      search=False)
        heading.setBuddy(self.notice_table.view)
        column.addWidget(self.notice_table)
        box.hide()
        return box

    def _looks_like(self, duplicate: PossibleDuplicate) -> str:
        if duplicate.like_row is None:
            return self.tr("{ref}, already in the program").format(ref=duplicate.like_ref)
        return self.tr("{ref} on row {row}").format(ref=duplicate.like_ref,
                                                   row=duplicate.like_row)

    # --- file and mapping ------------------------------------------------------------

    def _typed_file(self) -> None:
        text = self.file_edit.text().strip()
        if not text:
            return
        typed = Path(text).expanduser()
        if typed != self.path:
            self.load(typed)

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

    def load(self, path: Path, sheet: str | None = None) -> None:
        """Read the first rows, the sheets and the guessed mapping (in the background)."""
        self.path = Path(path)
        self.sheet = sheet
        self.file_edit.setText(str(path))
        if not self.folder_edit.text() and (self.path.parent / "attachments").is_dir():
            self.folder_edit.setText(str(self.path.parent / "attachments"))
        target = self.path
        self.ctx.run(lambda _p: _preview(target, sheet), on_done=self._show_preview,
                     parent=self)

    def _sheet_chosen(self) -> None:
        sheet = self.sheet_box.currentData()
        if self.path is not None and sheet is not None and sheet != self.sheet:
            self.load(self.path, sheet)

    def _show_preview(self, result: tuple[Any, tuple[str, ...]]) -> None:
        preview, sheets = result
        self.sheet_box.blockSignals(True)
        self.sheet_box.clear()
        for name in sheets:
            self.sheet_box.addItem(name, name)
        if sheets:
            self.sheet_box.setCurrentIndex(max(self.sheet_box.findData(self.sheet), 0))
            self.sheet = self.sheet_box.currentData()
        self.sheet_box.setEnabled(len(sheets) > 1)
        self.sheet_box.blockSignals(False)
        self.headers = tuple(preview.headers)
        self.preview_model.columns = [Column(h, _cell(h)) for h in self.headers]
        self.preview.set_rows(preview.rows)
        guessed: ColumnMapping = preview.mapping
        for name, combo in self.combos.items():
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(self.tr("(none)"), None)
            for header in self.headers:
                combo.addItem(header, header)
            combo.setCurrentIndex(max(combo.findData(getattr(guessed, name)), 0))
            combo.blockSignals(False)
        self.attachment_list.blockSignals(True)
        self.attachment_list.clear()
        for header in self.headers:
            item = QListWidgetItem(header)
            item.setData(Qt.ItemDataRole.UserRole, header)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if header in guessed.attachments
                               else Qt.CheckState.Unchecked)
            self.attachment_list.addItem(item)
        self.attachment_list.blockSignals(False)
        rows = self.tr("{rows} rows.").format(rows=preview.total_rows)
        if preview.title_rows:  # a title above the headings, as exports often have
            rows = self.tr("{rows} rows below the headings on row {header} (what is above "
                           "them is the sheet's title).").format(
                rows=preview.total_rows, header=preview.header_row)
        self.status.setText(rows + " " + self.tr("Check the columns, then press Check."))
        self._invalidate()
        self.check_button.setEnabled(True)

    def attachment_columns(self) -> tuple[str, ...]:
        """The ticked attachment columns, in the file's order."""
        items = (self.attachment_list.item(i) for i in range(self.attachment_list.count()))
        return tuple(str(item.data(Qt.ItemDataRole.UserRole)) for item in items
                     if item.checkState() == Qt.CheckState.Checked)

    def set_attachment_columns(self, columns: tuple[str, ...]) -> None:
        for i in range(self.attachment_list.count()):
            item = self.attachment_list.item(i)
            item.setCheckState(Qt.CheckState.Checked
                               if item.data(Qt.ItemDataRole.UserRole) in columns
                               else Qt.CheckState.Unchecked)

    def mapping(self) -> ColumnMapping:
        chosen = {name: combo.currentData() for name, combo in self.combos.items()}
        base = ColumnMapping.guess(self.headers)
        return replace(base, **chosen, attachments=self.attachment_columns(),
                       separator=self.separator_edit.text())

    def _invalidate(self) -> None:
        self.report = None
        self.problem_model.set_rows([])
        self.notice_table.set_rows([])
        self.notices.hide()
        self.problems.show()
        self._set_ready(False)
        self._show_refs_note()

    def _show_refs_note(self) -> None:
        """Where references come from; a warning colour when they will be made up."""
        if not self.headers:
            self.refs_note.clear()
            return
        mapping = self.mapping()
        self.refs_note.setText(mapping.references_note().replace(
            " (`--map ref=COLUMN`)", ""))
        colour = "" if mapping.ref else f"color: {tone(WARN).name()}"
        self.refs_note.setStyleSheet(colour)
        # With references, they tell applications apart: the box would change nothing.
        self.allow_duplicates.setEnabled(not mapping.ref)

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
        from judgepanel.model.staff.prepare.importing.sources import read_table
        from judgepanel.model.staff.prepare.importing.workflow import validate

        path, mapping, folder, ws = self.path, self.mapping(), self._folder(), self.ctx.workspace
        sheet, duplicates = self.sheet, self.allow_duplicates.isChecked()

        def work(progress: Any) -> ImportReport:
            table = read_table(path, sheet=sheet)
            with ws.session() as session:
                return validate(session, ws.program(session), table, mapping,
                                attachments_dir=folder, source=path, sheet=sheet,
                                allow_duplicates=duplicates, progress=progress)

        self.ctx.run(work, on_done=self._show_report, parent=self,
                     label=self.tr("Checking every row…"), cancellable=True)

    def _show_report(self, report: ImportReport) -> None:
        self.report = report
        self.problem_model.set_rows(report.problems)
        self.problems.view.resizeColumnsToContents()
        self.notice_table.set_rows(report.possible_duplicates)
        view = self.notice_table.view  # as tall as its rows, up to four, so as not to crowd
        view.setFixedHeight(view.horizontalHeader().sizeHint().height() + 2 * view.frameWidth()
                            + view.verticalHeader().defaultSectionSize()
                            * min(max(len(report.possible_duplicates), 1), 4))
        self.notices.setVisible(bool(report.possible_duplicates))
        self.problems.setVisible(bool(report.problems) or not report.possible_duplicates)
        if report.ok and report.possible_duplicates:
            self.status.setText(self.tr(
                "All {n} rows are good, but some look like an application sent twice "
                "(listed below): worth a check. Press Import to add all {n} rows.")
                .format(n=report.total_rows))
        elif report.ok:
            self.status.setText(self.tr("All {n} rows are good. Press Import to add them.")
                                .format(n=report.total_rows))
        elif report.duplicate_rows and len(report.duplicate_rows) == len(report.bad_rows):
            self.status.setText(self.tr(
                "{bad} of {n} rows repeat applications already in the program (listed "
                "below); nothing has been imported. Importing them would add them twice. "
                "Tick “Import only the good rows” to add the others, or “add them anyway” "
                "if they really are new.").format(bad=len(report.bad_rows),
                                                  n=report.total_rows))
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
        from judgepanel.model.staff.prepare.importing.workflow import import_file

        path, mapping, folder, ws = self.path, self.mapping(), self._folder(), self.ctx.workspace
        good_only, sheet = self.good_only.isChecked(), self.sheet
        duplicates = self.allow_duplicates.isChecked()
        self.ctx.run(lambda progress: import_file(ws, path, mapping, attachments_dir=folder,
                                                  good_rows_only=good_only, sheet=sheet,
                                                  allow_duplicates=duplicates,
                                                  progress=progress),
                     on_done=self._imported, parent=self,
                     label=self.tr("Importing applications…"), cancellable=True)

    def _imported(self, outcome: ImportOutcome) -> None:
        self.outcome = outcome
        self.ctx.changed.emit(APPLICATIONS)
        self.accept()
