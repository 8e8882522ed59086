"""Leaderboard: raw, adjusted and z scores and ranks side by side, flags, funding line.

Everything shown comes from ``leaderboard.compute_all`` (run in the background);
double-clicking an application opens its reviews. In a grants round staff set
partial (or zero, or full) awards; the funding line is recomputed by the model,
drawn across the table where the budget runs out (``funding_line``), and the change
can be undone. Shortlisting (overall, within the category shown, or in every
category) previews who goes through first and can be undone; it, the CSV/XLSX export
and the PDF reports call the same functions as the command line.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from judgepanel.errors import JudgePanelError, StaleEditError
from judgepanel.model.scoring.basis_checks import BasisWarning
from judgepanel.model.staff.decide.leaderboard import BoardRow, JudgeRow, Leaderboard, RoundBoards
from judgepanel.model.staff.prepare.rounds import round_by_id
from judgepanel.model.staff.results.round_reviews import ReviewRecord
from judgepanel.ui.staff.award_dialog import AwardAgain, AwardAnswer, ask_award
from judgepanel.ui.staff.context import ASSIGNMENTS, AWARDS, PROGRAM, RESULTS, StaffContext
from judgepanel.ui.staff.funding_line import FundingLineDelegate
from judgepanel.ui.staff.report_names import report_choices
from judgepanel.ui.staff.report_options import (
    ask_compendium_field,
    ask_summary_field,
    write_report,
)
from judgepanel.ui.staff.screen import Screen
from judgepanel.ui.staff.shortlist_dialog import ask_shortlist, plan_in_background
from judgepanel.ui.staff.table_model import (
    BAD,
    GOOD,
    MUTED,
    WARN,
    Column,
    RowsModel,
    RowsTable,
    money_text,
    tr,
)

TITLE_WIDTH = 230  # pixels; long titles are elided and shown whole in their tooltip


def board_columns(board_of: Any) -> list[Column[BoardRow]]:
    """The ranking's columns, most wanted first.

    Why this order: a 1280-pixel window shows about the first eight columns, so the
    money a grants decision turns on (requested, awarded, where the funding line
    falls) comes right after the scores, and the review count and spread follow.
    """
    return [
        Column(tr("Rank (adjusted)"), lambda r: r.rank_adjusted, align_right=True),
        Column(tr("Rank (raw)"), lambda r: r.rank_raw, align_right=True),
        Column(tr("Reference"), lambda r: r.application.ref),
        Column(tr("Title"), lambda r: r.application.title),
        Column(tr("Adjusted"), lambda r: r.stats.adjusted, align_right=True,
               tooltip=lambda r: _adjusted_tip(r)),
        Column(tr("Mean (0–100)"), lambda r: r.stats.mean, align_right=True),
        Column(tr("Requested"), lambda r: r.application.requested, align_right=True),
        Column(tr("Awarded"), lambda r: r.funding.awarded if r.funding else None,
               align_right=True),
        Column(tr("Funding"), lambda r: r.funding.status if r.funding else "",
               tone=lambda r: None if r.funding is None else
               (MUTED if r.funding.below_line else GOOD),
               tooltip=lambda r: tr("Below the funding line: the budget ran out above")
               if r.funding is not None and r.funding.below_line else ""),
        Column(tr("Reviews"), lambda r: r.stats.n, align_right=True),
        Column(tr("SD"), lambda r: r.stats.summary.sd, align_right=True),
        Column(tr("Range"), lambda r: r.stats.summary.range, align_right=True),
        Column(tr("Rank (z)"), lambda r: r.rank_z, align_right=True),
        Column(tr("z (0–100)"), lambda r: r.stats.z_display, align_right=True),
        Column(tr("Flags"), lambda r: r.flags, tone=lambda r: WARN if r.flags else None),
        Column(tr("Missing"), lambda r: tuple(j.name for j in r.missing),
               tone=lambda r: BAD if r.missing else None),
        Column(tr("Conflicted"), lambda r: tuple(j.name for j in r.conflicted)),
    ]


def _adjusted_tip(row: BoardRow) -> str:
    se = row.stats.adjusted_se
    if se is None:
        return ""
    return tr("Standard error {se:.1f}: the score an average judge would give is within about "
              "{twice:.1f} points of this, 19 times in 20").format(se=se, twice=2 * se)


def judge_columns() -> list[Column[JudgeRow]]:
    return [
        Column(tr("Judge"), lambda j: j.judge.name),
        Column(tr("Assigned"), lambda j: j.assigned, align_right=True),
        Column(tr("Reviews"), lambda j: j.stats.n if j.stats else 0, align_right=True),
        Column(tr("Missing"), lambda j: j.missing, align_right=True,
               tone=lambda j: BAD if j.missing else None),
        Column(tr("Conflicted"), lambda j: j.conflicted, align_right=True),
        Column(tr("Mean"), lambda j: j.stats.mean if j.stats else None, align_right=True),
        Column(tr("Spread"), lambda j: j.stats.spread if j.stats else None, align_right=True),
        Column(tr("Leniency (+ kinder, − harsher)"),
               lambda j: j.stats.leniency if j.stats else None, align_right=True,
               tone=lambda j: WARN if j.stats and j.stats.leniency is not None
               and abs(j.stats.leniency) >= 10 else None),
        Column(tr("Offset (model)"), lambda j: j.offset.offset if j.offset else None,
               align_right=True,
               tooltip=lambda j: tr("Estimated leniency in points, standard error {se:.1f}; "
                                    "the adjusted scores take it out").format(se=j.offset.se)
               if j.offset and j.offset.se is not None else ""),
    ]


def review_columns(board: Leaderboard) -> list[Column[ReviewRecord]]:
    columns: list[Column[ReviewRecord]] = [
        Column(tr("Judge"), lambda r: r.judge.name),
        Column(tr("Total (0–100)"), lambda r: r.total, align_right=True),
    ]
    for criterion in board.rubric.criteria:
        columns.append(Column(criterion.title, (lambda k: lambda r: r.scores.get(k))(
            criterion.key), tooltip=(lambda k: lambda r: r.comments.get(k, ""))(criterion.key),
            align_right=True))
    columns += [Column(tr("Overall comment (for the panel)"), lambda r: r.overall_comment),
                Column(tr("Counts?"), lambda r: r.excluded or tr("yes"),
                       tone=lambda r: None if r.counted else MUTED)]
    return columns


class ReviewsDialog(QDialog):
    """One application's reviews, every criterion and comment (the drill-down)."""

    def __init__(self, board: Leaderboard, row: BoardRow, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        app = row.application
        self.setWindowTitle(self.tr("Reviews of {ref}").format(ref=app.ref))
        self.resize(900, 420)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"<b>{app.ref}</b> — {app.title}"))
        self.model: RowsModel[ReviewRecord] = RowsModel(review_columns(board), self)
        table = RowsTable(self.model, self.tr("Reviews"), search=False)
        table.set_rows([r for r in board.reviews if r.application.ref == app.ref])
        layout.addWidget(table)
        close = QPushButton(self.tr("Close"))
        close.clicked.connect(self.accept)
        layout.addWidget(close)


class LeaderboardScreen(Screen):
    topics = frozenset({RESULTS, ASSIGNMENTS, PROGRAM, AWARDS})

    def __init__(self, ctx: StaffContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, self.tr("Leaderboard"), parent)
        bar = QHBoxLayout()
        self.category = QComboBox()
        self.category.setAccessibleName(self.tr("Category"))
        self.category.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.category.currentIndexChanged.connect(self._show_board)
        self.basis = QComboBox()
        self.basis.setAccessibleName(self.tr("Rank by"))
        # The default first (ranking.DEFAULT_BASIS: docs/scoring.md says why).
        self.basis.addItem(self.tr("Rank by score adjusted for judge leniency"), "adjusted")
        self.basis.addItem(self.tr("Rank by raw mean"), "raw")
        self.basis.addItem(self.tr("Rank by z-score (per judge)"), "z")
        self.basis.currentIndexChanged.connect(lambda _i: self.reload())
        self.award_button = QPushButton(self.tr("Set &award…"))
        self.award_button.setToolTip(self.tr(
            "Grants: award the selected application in full, in part or not at all; "
            "the funding line follows"))
        self.award_button.clicked.connect(self.edit_award)
        self.shortlist_button = QPushButton(self.tr("&Shortlist…"))
        self.shortlist_button.clicked.connect(self._ask_shortlist)
        self.export_button = QPushButton(self.tr("&Export…"))
        self.export_button.clicked.connect(self._ask_export)
        self.report_kind = QComboBox()
        self.report_kind.setAccessibleName(self.tr("Report"))
        for name, title, description in report_choices():
            self.report_kind.addItem(title, name)
            self.report_kind.setItemData(self.report_kind.count() - 1, description,
                                         Qt.ItemDataRole.ToolTipRole)
        self.report_button = QPushButton(self.tr("Write &report…"))
        self.report_button.clicked.connect(self._ask_report)
        # Two rows, so the screen fits a 1024-pixel window: what is shown, then actions.
        bar.addWidget(self.category)
        bar.addWidget(self.basis)
        bar.addStretch(1)
        self.layout_.addLayout(bar)
        actions = QHBoxLayout()
        for action in (self.award_button, self.shortlist_button, self.export_button,
                       self.report_kind, self.report_button):
            actions.addWidget(action)
        actions.addStretch(1)
        self.layout_.addLayout(actions)
        self.headline = QLabel()
        self.headline.setWordWrap(True)
        self.headline.setAccessibleName(self.tr("Panel summary"))
        self.layout_.addWidget(self.headline)
        split = QSplitter(Qt.Orientation.Vertical)
        self.model: RowsModel[BoardRow] = RowsModel(board_columns(None), self)
        self.table = RowsTable(self.model, self.tr("Ranking"))
        # activated: a double click, or Enter on the focused row (keyboard users).
        self.table.view.activated.connect(lambda _i: self.open_reviews())
        self.funding_line = FundingLineDelegate(self.table.view, self._ref_at, self)
        self.funding_line.in_rank_order = self._in_rank_order
        self.table.view.setItemDelegate(self.funding_line)
        split.addWidget(self.table)
        self.judge_model: RowsModel[JudgeRow] = RowsModel(judge_columns(), self)
        self.judges = RowsTable(self.judge_model, self.tr("Judges"), search=False)
        split.addWidget(self.judges)
        split.setSizes([480, 180])
        self.layout_.addWidget(split, 1)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setAccessibleName(self.tr("Last action"))
        self.layout_.addWidget(self.status)
        self.boards: RoundBoards | None = None
        self.dialog: QDialog | None = None
        # Dialog hooks (tests replace these).
        self.ask_award: Callable[..., AwardAnswer | None] = ask_award
        self.ask_shortlist: Callable[[QWidget, str | None, Any], Any] = ask_shortlist
        self.ask_summary_field: Callable[..., tuple[str | None, bool] | None] = (
            ask_summary_field)

    # --- loading ---------------------------------------------------------------------

    def reload(self) -> None:
        from judgepanel.model.staff.decide.leaderboard import compute_all

        round_id, basis = self.ctx.round_id, self.basis.currentData()
        if round_id is None:
            return
        self.load(lambda s: compute_all(s, round_by_id(s, round_id), basis=basis),
                  self._loaded)

    def _loaded(self, boards: RoundBoards) -> None:
        self.boards = boards
        current = self.category.currentData()
        self.category.blockSignals(True)
        self.category.clear()
        self.category.addItem(self.tr("Overall"), None)
        for key, board in boards.by_category.items():
            if board.category is not None:
                self.category.addItem(board.category.name, key)
        self.category.setCurrentIndex(max(self.category.findData(current), 0))
        self.category.blockSignals(False)
        self._show_board()

    def board(self) -> Leaderboard | None:
        if self.boards is None:
            return None
        key = self.category.currentData()
        return self.boards.overall if key is None else self.boards.by_category.get(key)

    def _show_board(self) -> None:
        board = self.board()
        if board is None:
            return
        self.award_button.setEnabled(board.funding is not None)
        self.award_button.setVisible(board.funding is not None)
        current = self.table.current_row()
        self.funding_line.line_at = board.funding.line_at if board.funding else None
        self._show_money_columns(board)  # before the rows: set_rows fits what is shown
        self.table.set_rows(board.rows)
        self._narrow_title()
        if current is not None:  # keep the application selected across a reload
            refs = [r.application.ref for r in board.rows]
            if current.application.ref in refs:
                self.table.view.selectRow(self.table.proxy.mapFromSource(
                    self.model.index(refs.index(current.application.ref), 0)).row())
        # The judges' table one turn of the event loop later: the two tables fitted to
        # their contents in one go held the GUI thread for over 100 ms on a national
        # round (2,000 applications, 120 judges); one at a time, each stays well below.
        QTimer.singleShot(0, self, self._show_judges)
        alpha = "—" if board.alpha is None else f"{board.alpha:.2f}"
        parts = [self.tr("Round {n} ({name}); panel agreement (Krippendorff's alpha): {alpha}; "
                         "disagreement flagged above a range of {r:g} or SD of {sd:g} points.")
                 .format(n=board.round_number, name=board.round_name, alpha=alpha,
                         r=board.disagreement.max_range or 0,
                         sd=board.disagreement.max_sd or 0)]
        if board.funding is not None:
            f = board.funding
            parts.append(self.tr("Budget {budget}; awarded {awarded}; remaining "
                                 "{left}{line}.").format(
                budget=money_text(f.budget), awarded=money_text(f.total_awarded),
                left=money_text(f.remaining),
                line=self.tr("; funding line at {ref} (the dashed line in the table)").format(
                    ref=f.line_at) if f.line_at else ""))
        counts = board.reviews_per_judge
        if counts:
            middle = counts[len(counts) // 2]
            parts.append(self.tr("Reviews per judge: about {mid} (from {low} to {high})."
                                 ).format(mid=middle, low=counts[0], high=counts[-1]))
        parts += [self._warning_text(w) for w in board.warnings]
        if board.open_conflicts:
            parts.append(self.tr("{n} undecided conflicts touch counted reviews (see "
                                 "Conflicts).").format(n=len(board.open_conflicts)))
        parts += list(board.problems)
        self.headline.setText("<br>".join(parts))

    def _show_judges(self) -> None:
        board = self.board()
        if board is not None:
            self.judges.set_rows(board.judges)

    def _warning_text(self, warning: BasisWarning) -> str:
        """The model's warning in this screen's (translated) words."""
        v = warning.values
        if warning.basis == "z":
            if warning.kind == "confined":
                return self.tr("z ranking: {n} of {m} judges reviewed in one category only; "
                               "their z-scores erase differences in quality between "
                               "categories.").format(n=int(v["confined"]), m=int(v["judges"]))
            return self.tr("z ranking: judges have a median of {n:g} reviews each; z-scores "
                           "need about 20 per judge and rank less accurately with fewer."
                           ).format(n=v["median"])
        if warning.kind == "pieces":
            return self.tr("Adjusted ranking: the judges form {n} groups that share no "
                           "application; between groups, adjusted scores compare as the mean "
                           "totals do.").format(n=int(v["groups"]))
        if warning.kind == "few_reviews":
            return self.tr("Adjusted ranking: judges have a median of {n:g} reviews each; "
                           "their leniency is uncertain, so the adjusted scores stay close to "
                           "the mean totals.").format(n=v["median"])
        return self.tr("Adjusted ranking: no application has two counted reviews, so the "
                       "adjusted score is the mean total.")

    def _show_money_columns(self, board: Leaderboard) -> None:
        """No money columns in a round that has no budget (and no requested amounts).

        Called before the rows are set, so ``set_rows`` fits every column then shown to
        its contents: a column shown again (switching from a round without a budget to
        one with) used to keep the width it had when hidden, and looked squashed."""
        titles = [c.title for c in self.model.columns]
        view = self.table.view
        no_requests = all(r.application.requested is None for r in board.rows)
        view.setColumnHidden(titles.index(tr("Requested")), board.funding is None
                             and no_requests)
        for name in (tr("Awarded"), tr("Funding")):
            view.setColumnHidden(titles.index(name), board.funding is None)

    def _narrow_title(self) -> None:
        """Keep the ranking within a 1280-pixel window: long titles are elided."""
        titles = [c.title for c in self.model.columns]
        header = self.table.view.horizontalHeader()
        title = titles.index(tr("Title"))
        header.resizeSection(title, min(header.sectionSize(title), TITLE_WIDTH))

    def _ref_at(self, proxy_row: int) -> str | None:
        index = self.table.proxy.index(proxy_row, 0)
        if not index.isValid():
            return None
        return self.model.row_at(self.table.proxy.mapToSource(index).row()).application.ref

    def _in_rank_order(self) -> bool:
        """Whether the table shows the ranking's order (unsorted, or sorted by a rank)."""
        column = self.table.proxy.sortColumn()
        if column < 0:
            return True
        wanted = {"adjusted": tr("Rank (adjusted)"), "raw": tr("Rank (raw)"),
                  "z": tr("Rank (z)")}.get(self.basis.currentData())
        return (self.model.columns[column].title == wanted
                and self.table.proxy.sortOrder() == Qt.SortOrder.AscendingOrder)

    def open_reviews(self) -> None:
        board, row = self.board(), self.table.current_row()
        if board is None or row is None:
            return
        self.dialog = ReviewsDialog(board, row, self)
        self.dialog.open()

    # --- shortlist, export, reports -------------------------------------------------------

    def edit_award(self) -> None:
        """Set the selected application's award (grants rounds); undo puts it back."""
        board, row = self.board(), self.table.current_row()
        if board is None or board.funding is None or row is None:
            return
        self._award(row, None)

    def _award(self, row: BoardRow, again: AwardAgain | None) -> None:
        """Ask (again, with what was typed and why it was refused) and set the award."""
        from judgepanel.ui.staff.undo import change_award

        answer = self.ask_award(self, row) if again is None else self.ask_award(self, row,
                                                                               again)
        if answer is None:
            return
        amount, note = answer
        app = row.application
        if amount == app.awarded:
            return

        def refused(error: JudgePanelError) -> None:
            self.status.setText(error.message)
            if again is None and not isinstance(error, StaleEditError):
                # asked once more, never in a loop; a stale one is shown anew instead
                self._award(row, (money_text(amount), note, error.message))

        change_award(self.ctx, app.id, app.awarded, amount, note,
                     self.tr("Award for {ref}").format(ref=app.ref), on_error=refused,
                     version=app.version)

    def _ask_shortlist(self) -> None:
        choice = self.ask_shortlist(self, self.category.currentText()
                                    if self.category.currentData() is not None else None,
                                    self._plan_shortlist)
        if choice is not None:
            self.shortlist(choice.name, top=choice.top, threshold=choice.threshold,
                           per_category=choice.per_category, exclude=choice.exclude)

    def _plan_shortlist(self, choice: Any, show: Callable[[Any], None],
                        problem: Callable[[str], None]) -> None:
        """Who the rule would take (worked out in the background), for the preview."""
        category = None if choice.per_category else self.category.currentData()
        plan_in_background(self.ctx, choice, self.basis.currentData(), category, show,
                           problem)

    def shortlist(self, name: str, *, top: int | None, threshold: float | None,
                  per_category: bool = False, exclude: tuple[str, ...] = ()) -> None:
        """Shortlist into a new round: overall, within the category shown, or in every one.

        ``per_category`` takes the top N (or those above the threshold) of every
        category; otherwise the ranking shown (overall or one category) is used.
        ``exclude`` leaves applications out (a tie settled). Ctrl+Z deletes the round.
        """
        from judgepanel.ui.staff.undo import ShortlistRule, shortlist_round

        round_id = self.ctx.round_id
        if round_id is None:
            return
        rule = ShortlistRule(round_id, name, top, threshold, self.basis.currentData(),
                             None if per_category else self.category.currentData(),
                             per_category, exclude)

        def done(count: int, warnings: tuple[str, ...]) -> None:
            self.status.setText("<br>".join([self.tr(
                "Created “{name}” with {n} applications (Ctrl+Z deletes it again). Assign "
                "judges and build bundles for it.").format(name=name, n=count), *warnings]))

        shortlist_round(self.ctx, rule, self.tr("Shortlist into “{name}”").format(name=name),
                        done, parent=self)

    def _ask_export(self) -> None:
        path, chosen = QFileDialog.getSaveFileName(
            self, self.tr("Export the scores"), "scores.xlsx",
            self.tr("Excel workbook (*.xlsx);;CSV files in a folder (*)"))
        if path:
            self.export(Path(path), "xlsx" if path.lower().endswith(".xlsx") else "csv")

    def export(self, path: Path, fmt: str) -> None:
        from judgepanel.model.staff.decide.exports import export_csv, export_xlsx

        round_id, basis, ws = self.ctx.round_id, self.basis.currentData(), self.ctx.workspace

        def work(_progress: Any) -> list[Path]:
            with ws.session() as session:
                round_ = round_by_id(session, round_id)
                if fmt == "xlsx":
                    return [export_xlsx(session, round_, path, basis=basis)]
                return export_csv(session, round_, path, basis=basis)

        self.ctx.run(work, on_done=lambda files: self.status.setText(
            self.tr("Exported: {files}").format(files=", ".join(str(f) for f in files))),
            parent=self, label=self.tr("Exporting…"))

    def _ask_report(self) -> None:
        kind = self.report_kind.currentData()
        if kind == "compendium":  # which form field holds the summaries, asked first
            ask_compendium_field(self.ctx, self, self.ask_summary_field,
                                 lambda field, keep: self._save_report(kind, field, keep))
        else:
            self._save_report(kind, None, False)

    def _save_report(self, kind: str, field: str | None, keep: bool) -> None:
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Write the report"), f"{kind}.pdf",
                                              self.tr("PDF (*.pdf)"))
        if path:
            self.report(kind, Path(path), summary_field=field, keep_field=keep)

    def report(self, kind: str, path: Path, *, summary_field: str | None = None,
               keep_field: bool = False) -> None:
        """Write a report (the compendium's summaries from ``summary_field``)."""
        write_report(self.ctx, self, kind, path, summary_field=summary_field,
                     keep_field=keep_field, on_done=lambda out: self.status.setText(
                         self.tr("Wrote {path}").format(path=out)))
