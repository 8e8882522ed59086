"""Assignment: the automatic draw with its parameters, then a judges × applications grid.

The grid is a checkable matrix (rows: applications, columns: judges); a tick
assigns, an untick removes, each undoable. Conflicted pairs are shown and
cannot be ticked (one assigned before the conflict came to light can be
unticked). Column headers carry each judge's load, the last column each
application's coverage: the reviews that can count, so a pair in conflict is
not coverage. The automatic draw shows its plan first and writes only when the
officer agrees; a draw that would leave applications short says so and asks.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QLabel,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTableView,
)

from judgepanel.model.staff.prepare.assignments import (
    AssignmentMatrix,
    AssignmentOutcome,
    load_matrix,
)
from judgepanel.model.staff.prepare.rounds import round_by_id
from judgepanel.ui.flow_layout import FlowLayout
from judgepanel.ui.staff.context import ASSIGNMENTS, CONFLICTS, JUDGES, StaffContext
from judgepanel.ui.staff.screen import Screen
from judgepanel.ui.staff.table_model import (
    BAD,
    DISPLAY_ROLE_INT,
    FIT_ROWS,
    FOREGROUND_ROLE_INT,
    TOOLTIP_ROLE_INT,
    WARN,
    tone,
    tr,
)
from judgepanel.ui.staff.undo import set_assigned

if TYPE_CHECKING:
    from PySide6.QtWidgets import (
        QWidget,
    )

Index = QModelIndex | QPersistentModelIndex

# The roles the grid answers, as plain ints (see table_model).
_CHECK = Qt.ItemDataRole.CheckStateRole.value
_ACCESSIBLE = Qt.ItemDataRole.AccessibleTextRole.value
_ROLES = frozenset({DISPLAY_ROLE_INT, FOREGROUND_ROLE_INT, TOOLTIP_ROLE_INT, _CHECK, _ACCESSIBLE})


class MatrixModel(QAbstractTableModel):
    """Applications × judges; CheckStateRole edits ask for a change via ``toggle_requested``."""

    toggle_requested = Signal(int, int, bool)  # judge id, application id, assign?

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.matrix: AssignmentMatrix | None = None
        self.per_application = 3
        self._loads: dict[int, int] = {}
        self._coverage: dict[int, tuple[int, int]] = {}

    def set_matrix(self, matrix: AssignmentMatrix) -> None:
        self.beginResetModel()
        self.matrix = matrix
        self._loads = {j: 0 for j, _ in matrix.judges}
        self._coverage = matrix.coverage()
        for judge_id, app_id in matrix.assigned:
            if judge_id in self._loads and app_id in self._coverage:
                self._loads[judge_id] += 1
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() or self.matrix is None else len(self.matrix.applications)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() or self.matrix is None else len(self.matrix.judges) + 1

    def _pair(self, index: Index) -> tuple[int, int] | None:
        m = self.matrix
        if m is None or not index.isValid() or index.column() >= len(m.judges):
            return None
        return m.judges[index.column()][0], m.applications[index.row()][0]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # Qt asks each painted cell for about seven roles, most of them roles the grid
        # does not use: they are answered before any other work (as table_model does).
        m = self.matrix
        if role not in _ROLES or m is None or not index.isValid():
            return None
        app_id = m.applications[index.row()][0]
        if index.column() == len(m.judges):  # coverage: reviews that can count
            count, assigned = self._coverage[app_id]
            if role == DISPLAY_ROLE_INT:
                return f"{count}/{self.per_application}"
            if role == FOREGROUND_ROLE_INT and count < self.per_application:
                return QBrush(tone(WARN))
            if role == TOOLTIP_ROLE_INT and assigned > count:
                return tr("{n} assigned, of whom {x} cannot count (conflict of interest)"
                          ).format(n=assigned, x=assigned - count)
            return None
        pair = self._pair(index)
        assert pair is not None
        if role == _CHECK and (pair not in m.blocked or pair in m.assigned):
            return (Qt.CheckState.Checked if pair in m.assigned else Qt.CheckState.Unchecked)
        if pair in m.blocked:
            if role == DISPLAY_ROLE_INT:
                return "✕"
            if role == FOREGROUND_ROLE_INT:
                return QBrush(tone(BAD))
            if role == TOOLTIP_ROLE_INT:
                return (tr("Conflict of interest: this review cannot count; untick to take "
                           "the application away") if pair in m.assigned
                        else tr("Conflict of interest: cannot be assigned"))
        if role == _ACCESSIBLE:
            state = tr("assigned") if pair in m.assigned else tr("not assigned")
            return f"{m.judges[index.column()][1]}, {m.applications[index.row()][1]}: {state}"
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        pair = self._pair(index)
        if pair is None or self.matrix is None:
            return base if index.isValid() else Qt.ItemFlag.NoItemFlags
        if pair in self.matrix.blocked and pair not in self.matrix.assigned:
            return Qt.ItemFlag.ItemIsSelectable
        return base | Qt.ItemFlag.ItemIsUserCheckable

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        pair = self._pair(index)
        if role != Qt.ItemDataRole.CheckStateRole or pair is None or self.matrix is None:
            return False
        if pair in self.matrix.blocked and pair not in self.matrix.assigned:
            return False
        wanted = Qt.CheckState(value) == Qt.CheckState.Checked if not isinstance(value, bool) \
            else value
        if wanted == (pair in self.matrix.assigned):
            return False
        self.toggle_requested.emit(pair[0], pair[1], wanted)
        return False  # the grid changes when the workspace has taken the change

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        m = self.matrix
        if m is None or role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        if orientation == Qt.Orientation.Vertical:
            if not 0 <= section < len(m.applications):
                return None
            _id, ref, title = m.applications[section]
            return ref if role == Qt.ItemDataRole.DisplayRole else title
        if section == len(m.judges):
            return tr("Coverage")
        if not 0 <= section < len(m.judges):
            return None
        judge_id, name = m.judges[section]
        first = name.split()[0] if name.split() else name
        if role == Qt.ItemDataRole.ToolTipRole:
            return tr("{name}: {n} applications").format(name=name,
                                                                  n=self._loads[judge_id])
        return f"{first}\n({self._loads[judge_id]})"

    def loads(self) -> dict[int, int]:
        return dict(self._loads)


def _confirm_plan(parent: QWidget, text: str, short: bool) -> bool:
    box = QMessageBox(QMessageBox.Icon.Warning if short else QMessageBox.Icon.Question,
                      tr("Assign automatically"), text, parent=parent)
    go = box.addButton(tr("Assign what is possible") if short else tr("Assign"),
                       QMessageBox.ButtonRole.AcceptRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.exec()
    return box.clickedButton() is go


class AssignmentScreen(Screen):
    topics = frozenset({ASSIGNMENTS, CONFLICTS, JUDGES})
    title_text = "Assignment"

    def __init__(self, ctx: StaffContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        bar = FlowLayout()  # a second line when the window is narrow (1024 px)
        self.per_application = QSpinBox()
        self.per_application.setRange(1, 20)
        self.per_application.setValue(3)
        self.per_application.setAccessibleName(self.tr("Judges per application"))
        self.max_load = QSpinBox()
        self.max_load.setRange(0, 10000)
        self.max_load.setSpecialValueText(self.tr("no limit"))
        self.max_load.setAccessibleName(self.tr("Most applications per judge"))
        self.seed = QSpinBox()
        self.seed.setRange(0, 1_000_000)
        self.seed.setAccessibleName(self.tr("Draw number"))
        self.by_category = QCheckBox(self.tr("Keep judges to their category panels"))
        self.by_category.setChecked(True)
        self.run_button = QPushButton(self.tr("Assign &automatically"))
        self.run_button.clicked.connect(self.run_auto)
        for text, widget in ((self.tr("Judges per application:"), self.per_application),
                             (self.tr("At most per judge:"), self.max_load),
                             (self.tr("Draw:"), self.seed)):
            label = QLabel(text)
            label.setBuddy(widget)
            bar.add_group(label, widget)
        bar.add_group(self.by_category, self.run_button)
        self.layout_.addLayout(bar)
        self.hint(self.tr("Tick a cell to assign an application to a judge, untick to take it "
                          "away (Ctrl+Z undoes). ✕ marks a conflict of interest. The number "
                          "under each judge is their load; the last column is coverage."))
        self.model = MatrixModel(self)
        self.model.toggle_requested.connect(self._toggle)
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setAccessibleName(self.tr("Assignment grid"))
        self.view.setTabKeyNavigation(False)  # Tab leaves the grid; arrows move in it
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setAlternatingRowColors(True)
        self.view.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.view.verticalHeader().setResizeContentsPrecision(FIT_ROWS)
        self.layout_.addWidget(self.view, 1)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName(self.tr("Assignment result"))
        self.layout_.addWidget(self.summary)
        self.per_application.valueChanged.connect(self._coverage_target)
        # Dialog hook (tests replace it): shown the plan, does the officer go ahead?
        self.confirm_plan: Callable[[QWidget, str, bool], bool] = _confirm_plan

    def _coverage_target(self, value: int) -> None:
        self.model.per_application = value
        rows, column = self.model.rowCount(), self.model.columnCount() - 1
        if rows:
            self.model.dataChanged.emit(self.model.index(0, column),
                                        self.model.index(rows - 1, column))

    def reload(self) -> None:
        ws, round_id = self.ctx.workspace, self.ctx.round_id
        if round_id is None:
            return

        def query(session: Any) -> AssignmentMatrix:
            round_ = round_by_id(session, round_id)
            return load_matrix(session, ws.program(session), round_)

        self.load(query, self._show)

    def _show(self, matrix: AssignmentMatrix) -> None:
        self.model.set_matrix(matrix)
        self._fit_columns()

    def _fit_columns(self) -> None:
        """Size each column to its header (every cell is a tick box, narrower than a name).

        Measured from the header texts alone: asking Qt to fit 120 judge columns to
        their contents calls the model tens of thousands of times on the GUI thread.
        """
        header, metrics = self.view.horizontalHeader(), self.view.fontMetrics()
        padding = metrics.horizontalAdvance("MM")
        for column in range(self.model.columnCount()):
            text = str(self.model.headerData(column, Qt.Orientation.Horizontal) or "")
            width = max((metrics.horizontalAdvance(line) for line in text.splitlines()),
                        default=0)
            header.resizeSection(column, max(width + padding, 40))

    def _toggle(self, judge_id: int, application_id: int, assign: bool) -> None:
        m = self.model.matrix
        if m is None:
            return
        judge = dict(m.judges)[judge_id]
        ref = next(r for a, r, _t in m.applications if a == application_id)
        text = (self.tr("Assign {ref} to {judge}") if assign
                else self.tr("Remove {ref} from {judge}")).format(ref=ref, judge=judge)
        set_assigned(self.ctx, m.round_id, judge_id, application_id, assign, text)

    def run_auto(self) -> None:
        """Work out the plan (writing nothing), show it, and assign only if confirmed."""
        from judgepanel.model.staff.prepare.assignments import auto_assign

        ws, round_id = self.ctx.workspace, self.ctx.round_id
        if round_id is None:
            return
        per, load = self.per_application.value(), self.max_load.value() or None
        seed, by_category = self.seed.value(), self.by_category.isChecked()

        def plan(session: Any) -> tuple[AssignmentOutcome, dict[int, str]]:
            outcome = auto_assign(session, round_by_id(session, round_id), ws.actor,
                                  per_application=per, max_load=load, by_category=by_category,
                                  seed=seed, check=True)
            return outcome, {j.id: j.name for j in ws.program(session).judges}

        def change(session: Any) -> str:
            outcome = auto_assign(session, round_by_id(session, round_id), ws.actor,
                                  per_application=per, max_load=load, by_category=by_category,
                                  seed=seed, allow_short=True)
            return "<br>".join([outcome.summary(), *(str(u) for u in outcome.unmet)])

        def planned(result: tuple[AssignmentOutcome, dict[int, str]]) -> None:
            outcome, names = result
            if not outcome.added and not outcome.dropped:
                self.summary.setText(self.tr(
                    "Nothing to add: every application already has the judges this draw can "
                    "give it.") + "".join(f"<br>{u}" for u in outcome.unmet))
                return
            if not self.confirm_plan(self, self._plan_text(outcome, names),
                                     bool(outcome.unmet)):
                self.summary.setText(self.tr("Nothing was assigned."))
                return
            self.ctx.write(change, self.summary.setText, topic=ASSIGNMENTS, parent=self,
                           label=self.tr("Assigning judges…"))

        self.ctx.read(plan, planned, parent=self)

    def _plan_text(self, outcome: AssignmentOutcome, names: dict[int, str]) -> str:
        lines = [outcome.summary()]
        added: dict[int, int] = {}
        for judge_id, _app in outcome.added:
            added[judge_id] = added.get(judge_id, 0) + 1
        lines += [self.tr("{name}: {n} more (holding {total})").format(
            name=names.get(j, "?"), n=n, total=outcome.loads.get(j, n))
            for j, n in sorted(added.items(), key=lambda kv: names.get(kv[0], ""))]
        if outcome.unmet:
            lines.append(self.tr("These applications would stay short of judges:"))
            lines += [str(u) for u in outcome.unmet[:10]]
            if len(outcome.unmet) > 10:
                lines.append(self.tr("… and {n} more").format(n=len(outcome.unmet) - 10))
        return "\n".join(lines)
