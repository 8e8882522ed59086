"""Applications: the searchable table, filters by category, and one application's detail."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QPushButton,
    QSplitter,
    QTextBrowser,
)

from judgepanel.model.staff.prepare.applications import ApplicationListing, load_applications
from judgepanel.ui.staff.context import APPLICATIONS, StaffContext
from judgepanel.ui.staff.screen import Screen
from judgepanel.ui.staff.table_model import Column, RowsModel, RowsTable, text_of, tr

if TYPE_CHECKING:
    from PySide6.QtWidgets import (
        QDialog,
        QWidget,
    )


def application_columns() -> list[Column[ApplicationListing]]:
    return [
        Column(tr("Reference"), lambda r: r.ref),
        Column(tr("Title"), lambda r: r.title),
        Column(tr("Organisation"), lambda r: r.organisation),
        Column(tr("City"), lambda r: r.city),
        Column(tr("Categories"), lambda r: r.categories),
        Column(tr("Requested"), lambda r: r.requested, align_right=True),
        Column(tr("Attachments"), lambda r: len(r.attachments), align_right=True),
    ]


class ApplicationsScreen(Screen):
    topics = frozenset({APPLICATIONS})
    title_text = "Applications"
    follows_round = False  # the whole program's rows, whichever round is chosen

    def __init__(self, ctx: StaffContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        bar = QHBoxLayout()
        self.import_button = QPushButton(self.tr("&Import from a spreadsheet…"))
        self.import_button.setAccessibleName(self.tr("Import applications"))
        self.import_button.clicked.connect(self.open_import)
        bar.addWidget(self.import_button)
        self.category = QComboBox()
        self.category.setAccessibleName(self.tr("Filter by category"))
        self.category.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.category.currentIndexChanged.connect(self._filter)
        bar.addWidget(self.category)
        bar.addStretch(1)
        self.layout_.addLayout(bar)
        split = QSplitter(Qt.Orientation.Vertical)
        self.model: RowsModel[ApplicationListing] = RowsModel(application_columns(), self)
        self.table = RowsTable(self.model, self.tr("Applications"))
        self.table.view.selectionModel().currentRowChanged.connect(self._show_detail)
        split.addWidget(self.table)
        self.detail = QTextBrowser()
        self.detail.setAccessibleName(self.tr("Application detail"))
        self.detail.setOpenLinks(False)
        split.addWidget(self.detail)
        split.setSizes([400, 250])
        self.layout_.addWidget(split, 1)
        self.all_rows: list[ApplicationListing] = []
        self.import_dialog: QDialog | None = None

    def reload(self) -> None:
        ws = self.ctx.workspace
        self.load(lambda s: load_applications(s, ws.program(s)), self._show)

    def _show(self, data: list[ApplicationListing]) -> None:
        self.all_rows = data
        current = self.category.currentData()
        names = sorted({c for r in data for c in r.categories})
        self.category.blockSignals(True)
        self.category.clear()
        self.category.addItem(self.tr("All categories"), None)
        for name in names:
            self.category.addItem(name, name)
        index = self.category.findData(current)
        self.category.setCurrentIndex(max(index, 0))
        self.category.blockSignals(False)
        self._filter()

    def _filter(self) -> None:
        wanted = self.category.currentData()
        self.table.set_rows([r for r in self.all_rows if wanted is None or wanted in r.categories])

    def _show_detail(self) -> None:
        row = self.table.current_row()
        if row is None:
            self.detail.clear()
            return
        self.detail.setHtml(detail_html(row))

    def open_import(self) -> None:
        from judgepanel.ui.staff.import_wizard import ImportDialog

        self.import_dialog = ImportDialog(self.ctx, self)
        self.import_dialog.open()


def _esc(text: str) -> str:
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace("\n", "<br>"))


def detail_html(row: ApplicationListing) -> str:
    parts = [f"<h3>{_esc(row.ref)} — {_esc(row.title)}</h3>", "<table>"]
    facts = [(tr("Organisation"), row.organisation), (tr("City"), row.city),
             (tr("Contact"), f"{row.contact} <{row.email}>" if row.email else row.contact),
             (tr("Categories"), text_of(row.categories)),
             (tr("Requested"), text_of(row.requested)), (tr("Imported from"), row.source)]
    facts += list(row.fields)
    for name, value in facts:
        if value:
            parts.append(f"<tr><td valign='top'><b>{_esc(name)}</b></td>"
                         f"<td>{_esc(str(value))}</td></tr>")
    parts.append("</table>")
    if row.attachments:
        parts.append(f"<h4>{tr('Attachments')}</h4><ul>")
        for a in row.attachments:
            parts.append(f"<li>{_esc(a.name)} ({_esc(a.label)}, {a.size:,} bytes, "
                         f"{_esc(a.media_type)})</li>")
        parts.append("</ul>")
    return "".join(parts)
