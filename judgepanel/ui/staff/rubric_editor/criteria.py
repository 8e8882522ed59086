"""The rubric editor's criteria table: each criterion a row of the rubric's own dict form
(``Criterion.to_dict``), edited in place; the share of the total is computed, and the
comment rules are edited as words ("below 3")."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)

from judgepanel.ui.staff.table_model import tr

Index = QModelIndex | QPersistentModelIndex
# (header, dict path); "share" is computed, the two text rules are edited as words.
# Headers are marked for lupdate here and translated when shown (headerData).
COLUMNS = ((QT_TRANSLATE_NOOP("staff", "Key"), "key"),
           (QT_TRANSLATE_NOOP("staff", "Title"), "title"),
           (QT_TRANSLATE_NOOP("staff", "Weight"), "weight"),
           (QT_TRANSLATE_NOOP("staff", "Share"), "share"),
           (QT_TRANSLATE_NOOP("staff", "Min"), "scale.min"),
           (QT_TRANSLATE_NOOP("staff", "Max"), "scale.max"),
           (QT_TRANSLATE_NOOP("staff", "Step"), "scale.step"),
           (QT_TRANSLATE_NOOP("staff", "Counts"), "counts"),
           (QT_TRANSLATE_NOOP("staff", "Panel comment"), "comment"),
           (QT_TRANSLATE_NOOP("staff", "Applicant feedback"), "applicant_feedback"))
TEXT_RULES = ("comment", "applicant_feedback")
RULE_TIPS = {
    "comment": QT_TRANSLATE_NOOP("staff", "When a comment for the panel is required: never, "
                                 "always, below 3, above 4 (scores strictly below or above)"),
    "applicant_feedback": QT_TRANSLATE_NOOP(
        "staff", "When feedback for the applicant is required: never, always, below 3, "
        "above 4 (scores strictly below or above)"),
}


def comment_text(value: Any) -> str:
    if isinstance(value, dict):
        (when, threshold), = value.items()
        return f"{when} {threshold:g}"
    return str(value)


def comment_value(text: str) -> Any:
    """'never', 'always', 'below 3', 'above 4' -> the rubric's comment value (checked later)."""
    words = text.strip().lower().split()
    if len(words) == 2 and words[0] in ("below", "above"):
        try:
            return {words[0]: float(words[1]) if "." in words[1] else int(words[1])}
        except ValueError:
            return text.strip()
    return words[0] if words else "never"


def number_value(text: str) -> float | int | str:
    """A number typed (an int when whole), or the text as typed: the rubric's own check
    then names what is wrong with it."""
    try:
        value = float(text)
    except ValueError:
        return text
    return int(value) if value.is_integer() else value


class CriteriaModel(QAbstractTableModel):
    """The criteria as editable rows of the rubric's dict form."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.criteria: list[dict[str, Any]] = []

    def set_criteria(self, criteria: list[dict[str, Any]]) -> None:
        self.beginResetModel()
        self.criteria = [dict(c, scale=dict(c.get("scale", {}))) for c in criteria]
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.criteria)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(COLUMNS)

    def _share(self, row: dict[str, Any]) -> str:
        if not row.get("counts", True):
            return tr("advice only")
        try:
            total = sum(float(c.get("weight", 1)) for c in self.criteria if c.get("counts", True))
            return f"{100 * float(row.get('weight', 1)) / total:.0f}%" if total else ""
        except (TypeError, ValueError):
            return ""

    def _get(self, row: dict[str, Any], path: str) -> Any:
        if path == "share":
            return self._share(row)
        if path.startswith("scale."):
            return row.get("scale", {}).get(path[6:])
        if path in TEXT_RULES:
            return comment_text(row.get(path, "never"))
        return row.get(path)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, path = self.criteria[index.row()], COLUMNS[index.column()][1]
        if path == "counts":
            if role == Qt.ItemDataRole.CheckStateRole:
                return Qt.CheckState.Checked if row.get("counts", True) else Qt.CheckState.Unchecked
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            value = self._get(row, path)
            return "" if value is None else str(value)
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        path = COLUMNS[index.column()][1]
        if path == "counts":
            return base | Qt.ItemFlag.ItemIsUserCheckable
        return base if path == "share" else base | Qt.ItemFlag.ItemIsEditable

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        if not index.isValid():
            return False
        row, path = self.criteria[index.row()], COLUMNS[index.column()][1]
        if path == "counts" and role == Qt.ItemDataRole.CheckStateRole:
            row["counts"] = Qt.CheckState(value) == Qt.CheckState.Checked
        elif role == Qt.ItemDataRole.EditRole and path not in ("share", "counts"):
            text = str(value)
            if path.startswith("scale."):
                row.setdefault("scale", {})[path[6:]] = number_value(text)
            elif path == "weight":
                row["weight"] = number_value(text)
            elif path in TEXT_RULES:
                row[path] = comment_value(text)
            else:
                row[path] = text.strip()
        else:
            return False
        self.dataChanged.emit(self.index(index.row(), 0),
                              self.index(index.row(), len(COLUMNS) - 1))
        self.dataChanged.emit(self.index(0, 3), self.index(len(self.criteria) - 1, 3))
        return True

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (role == Qt.ItemDataRole.ToolTipRole and orientation == Qt.Orientation.Horizontal
                and 0 <= section < len(COLUMNS) and COLUMNS[section][1] in RULE_TIPS):
            return tr(str(RULE_TIPS[COLUMNS[section][1]]))
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return tr(str(COLUMNS[section][0])) if 0 <= section < len(COLUMNS) else None
        return str(section + 1)

    def insert(self, position: int, criterion: dict[str, Any]) -> None:
        self.beginInsertRows(QModelIndex(), position, position)
        self.criteria.insert(position, criterion)
        self.endInsertRows()

    def remove(self, position: int) -> None:
        self.beginRemoveRows(QModelIndex(), position, position)
        del self.criteria[position]
        self.endRemoveRows()

