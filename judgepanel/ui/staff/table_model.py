"""One thin, read-only Qt table model over a list of plain rows, and the table around it.

Every staff list (applications, judges, conflicts, bundles, results, audit,
leaderboard) is a list of frozen rows from the model's read queries; a
screen only says which columns to show (:class:`Column`). Sorting and
searching go through a QSortFilterProxyModel, so the rows stay as given; text
sorts naturally ("Project 3" before "Project 19"), and rows that compare equal keep
the model's order, so the same data always shows in the same order.

Numbers, money and dates read in the user's locale (QLocale: "8.000,00" and
"06.01.27" in German, "8,000.00" and "1/6/27" in American English), through
:func:`number_text`, :func:`money_text` and :func:`date_text`; every screen uses them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QDate,
    QDateTime,
    QLocale,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    QTime,
)
from PySide6.QtGui import QBrush, QColor, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHeaderView,
    QLineEdit,
    QStyle,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from judgepanel.text import natural_key

if TYPE_CHECKING:
    from PySide6.QtCore import (
        QSize,
    )

R = TypeVar("R")
Index = QModelIndex | QPersistentModelIndex
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
ROW_ROLE = Qt.ItemDataRole.UserRole + 2
FIT_ROWS = 25  # rows measured when fitting column widths: about what a window shows

# Tones for status text; picked against the palette so light and dark both read well.
GOOD, BAD, WARN, MUTED = "good", "bad", "warn", "muted"
_TONES = {GOOD: ("#1b6e20", "#81c784"), BAD: ("#b3261e", "#ef9a9a"),
          WARN: ("#8a5300", "#ffcc80"), MUTED: ("#5f6368", "#9aa0a6")}


def tr(text: str) -> str:
    """Translate text that is not owned by one widget (column titles, shared words)."""
    return QCoreApplication.translate("staff", text)


def is_dark(palette: QPalette | None = None) -> bool:
    palette = palette or QApplication.palette()
    return palette.color(QPalette.ColorRole.Base).lightness() < 128


def tone(name: str) -> QColor:
    light, dark = _TONES[name]
    return QColor(dark if is_dark() else light)


def _localised(text: str, locale: QLocale) -> str:
    """``1,234.5`` (Python's grouping) with this locale's separators."""
    group, point = locale.groupSeparator(), locale.decimalPoint()
    return "".join(group if ch == "," else point if ch == "." else ch for ch in text)


def number_text(value: float | Decimal, decimals: int = 1) -> str:
    """A number in the user's locale, grouped, with ``decimals`` places."""
    return _localised(f"{value:,.{decimals}f}", QLocale())


def money_text(value: Decimal | None) -> str:
    """An amount of money, exactly to the cent, in the user's locale ("" for None)."""
    return "" if value is None else _localised(f"{value:,.2f}", QLocale())


def date_format(locale: QLocale | None = None) -> str:
    """The user's short date format with a four-digit year; ISO (2027-01-06) when the
    system names no locale (Qt's "C" locale would show "6 01 2027")."""
    locale = locale or QLocale()
    if locale.language() == QLocale.Language.C:
        return "yyyy-MM-dd"
    text = locale.dateFormat(QLocale.FormatType.ShortFormat)
    return text if "yyyy" in text else text.replace("yy", "yyyy")


def date_text(value: dt.date | dt.datetime | None, *, time: bool = True) -> str:
    """A date (or a moment, on this computer's clock) in the user's short locale format."""
    if value is None:
        return ""
    locale = QLocale()
    if isinstance(value, dt.datetime):
        local = value.astimezone() if value.tzinfo is not None else value
        day = QDate(local.year, local.month, local.day)
        if not time:
            return locale.toString(day, date_format(locale))
        clock = ("HH:mm" if locale.language() == QLocale.Language.C
                 else locale.timeFormat(QLocale.FormatType.ShortFormat))
        return locale.toString(QDateTime(day, QTime(local.hour, local.minute)),
                               f"{date_format(locale)} {clock}")
    return locale.toString(QDate(value.year, value.month, value.day), date_format(locale))


def text_of(value: Any) -> str:
    """How a plain value reads in a cell (dates local and short, money with separators)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return tr("yes") if value else ""
    if isinstance(value, float):
        return number_text(value, 1)
    if isinstance(value, Decimal):
        return money_text(value)
    if isinstance(value, dt.datetime | dt.date):
        return date_text(value)
    if isinstance(value, tuple | list):
        return "; ".join(text_of(v) for v in value)
    return str(value)


def _sort_key(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.datetime):
        return value.timestamp()
    if isinstance(value, tuple | list):
        return text_of(value)
    return value


@dataclass(frozen=True)
class Column(Generic[R]):
    """One column: its header, its value for a row, and optionally a tone and a tooltip.

    ``heading_tip`` is the header's tooltip: the whole wording of a short title ("Adj.
    rank": the rank by the score adjusted for judge leniency), so a narrow window needs
    no wide headings and loses no meaning."""

    title: str
    value: Callable[[R], Any]
    tone: Callable[[R], str | None] | None = None
    tooltip: Callable[[R], str] | None = None
    align_right: bool = False
    heading_tip: str = ""


# Qt's item roles as plain ints, for the data() methods Qt calls thousands of times a
# paint (an enum member's lookup costs more than the comparison it is used in): this
# model's, and the assignment grid's.
DISPLAY_ROLE_INT = Qt.ItemDataRole.DisplayRole.value
TOOLTIP_ROLE_INT = Qt.ItemDataRole.ToolTipRole.value
FOREGROUND_ROLE_INT = Qt.ItemDataRole.ForegroundRole.value
_SORT, _ROW = int(SORT_ROLE), int(ROW_ROLE)
_ALIGNMENT = Qt.ItemDataRole.TextAlignmentRole.value
_ROLES = frozenset({DISPLAY_ROLE_INT, _SORT, _ROW, TOOLTIP_ROLE_INT, FOREGROUND_ROLE_INT,
                    _ALIGNMENT})
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)


class RowsModel(QAbstractTableModel, Generic[R]):
    """Rows of plain objects shown through ``columns``; replace them with :meth:`set_rows`."""

    def __init__(self, columns: Sequence[Column[R]], parent: Any = None) -> None:
        super().__init__(parent)
        self.columns = list(columns)
        self.rows: list[R] = []

    def set_rows(self, rows: Sequence[R]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def row_at(self, row: int) -> R:
        return self.rows[row]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # Qt asks every cell for about eight roles when it sizes a column or paints; most
        # are roles no column uses. Those are answered first, before any other work: on
        # a 2,000-row board, fitting the columns made 8,700 calls, 30 ms of the GUI thread.
        if role not in _ROLES or not index.isValid() or index.row() >= len(self.rows):
            return None
        row = self.rows[index.row()]
        column = self.columns[index.column()]
        if role == DISPLAY_ROLE_INT:
            return text_of(column.value(row))
        if role == _SORT:
            return _sort_key(column.value(row))
        if role == _ROW:
            return index.row()
        if role == TOOLTIP_ROLE_INT:
            if column.tooltip is not None:
                return column.tooltip(row)
            text = text_of(column.value(row))
            return text if len(text) > 40 else None
        if role == FOREGROUND_ROLE_INT:
            if column.tone is None:
                return None
            name = column.tone(row)
            return QBrush(tone(name)) if name else None
        # _ALIGNMENT
        return _RIGHT if column.align_right else None

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        horizontal = orientation == Qt.Orientation.Horizontal
        if horizontal and not 0 <= section < len(self.columns):
            return None
        if role == Qt.ItemDataRole.ToolTipRole:
            return (self.columns[section].heading_tip or None) if horizontal else None
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        return self.columns[section].title if horizontal else str(section + 1)


class FilterProxy(QSortFilterProxyModel):
    """Sorts by the real values and searches every column, case and accents aside."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setFilterKeyColumn(-1)

    def lessThan(self, left: Index, right: Index) -> bool:  # noqa: N802
        a, b = left.data(SORT_ROLE), right.data(SORT_ROLE)
        if isinstance(a, str) and isinstance(b, str):
            return natural_key(a) < natural_key(b)
        try:
            return bool(a < b)
        except TypeError:
            return str(a) < str(b)


class SortedColumnHeader(QHeaderView):
    """A horizontal header that keeps room for the sort arrow in the sorted column only.

    Qt reserves it in every column of a sortable table (about 20 pixels each: a whole
    column's worth across the leaderboard), which pushed the money and decision columns
    out of a 1024-pixel window. The column sorted on is widened when it becomes so."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Horizontal, parent)
        self.setSectionsClickable(True)  # as the header QTableView makes for itself
        self.setHighlightSections(True)
        self.sortIndicatorChanged.connect(self._fit_sorted)

    def sectionSizeFromContents(self, logical_index: int) -> QSize:  # noqa: N802 (Qt)
        size = super().sectionSizeFromContents(logical_index)
        if self.isSortIndicatorShown() and logical_index != self.sortIndicatorSection():
            margin = self.style().pixelMetric(QStyle.PixelMetric.PM_HeaderMargin, None, self)
            size.setWidth(max(size.width() - size.height() - margin, margin))
        return size

    def _fit_sorted(self, section: int, _order: Qt.SortOrder) -> None:
        if 0 <= section < self.count() and section != self.count() - 1:
            self.resizeSection(section, max(self.sectionSize(section),
                                            self.sectionSizeHint(section)))


class RowsTable(QWidget):
    """A searchable, sortable table over a :class:`RowsModel` (search box optional)."""

    def __init__(self, model: RowsModel[Any], name: str, *, search: bool = True,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.proxy = FilterProxy(self)
        self.proxy.setSourceModel(model)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.search = QLineEdit()
        self.search.setPlaceholderText(self.tr("Search…"))
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName(self.tr("Search {name}").format(name=name))
        self.search.textChanged.connect(self.proxy.setFilterFixedString)
        if search:
            layout.addWidget(self.search)
        else:
            self.search.hide()
        self.view = QTableView()
        self.view.setHorizontalHeader(SortedColumnHeader(self.view))
        self.view.setModel(self.proxy)
        self.view.setAccessibleName(name)
        # Tab moves on to the next control instead of through every cell (a keyboard
        # trap on a 2,000-row table); the arrow keys move between cells.
        self.view.setTabKeyNavigation(False)
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setAlternatingRowColors(True)
        self.view.setWordWrap(False)
        self.view.verticalHeader().setVisible(False)
        self.view.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.view.horizontalHeader().setStretchLastSection(True)
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        # Fit columns to the first rows only: measuring all 2,000 rows of a large
        # program (Qt's default is 1,000) held the GUI thread for a fifth of a second.
        self.view.horizontalHeader().setResizeContentsPrecision(FIT_ROWS)
        layout.addWidget(self.view)

    def set_rows(self, rows: Sequence[Any]) -> None:
        self.model.set_rows(rows)
        self.view.resizeColumnsToContents()
        header = self.view.horizontalHeader()
        for section in range(header.count() - 1):
            header.resizeSection(section, min(header.sectionSize(section), 320))

    def selected_rows(self) -> list[Any]:
        picked = sorted({self.proxy.mapToSource(i).row()
                         for i in self.view.selectionModel().selectedRows()})
        return [self.model.row_at(r) for r in picked]

    def current_row(self) -> Any | None:
        index = self.view.currentIndex()
        if not index.isValid():
            return None
        return self.model.row_at(self.proxy.mapToSource(index).row())
