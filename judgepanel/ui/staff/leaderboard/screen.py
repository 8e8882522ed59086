"""Leaderboard: raw, adjusted and z scores and ranks side by side, flags, funding line.

Everything shown comes from ``leaderboard.compute_all`` and the panel's decisions
(``decisions.load_decisions``), read together in the background, again whenever
results, awards or decisions change; double-clicking an application opens its
reviews (``reviews.ReviewsDialog``, its feedback for the applicant read first). In a
grants round staff set partial (or zero, or full) awards; the funding line is
recomputed by the model, drawn across the table where the budget runs out
(``funding_line``), and the change can be undone. Shortlisting (overall, within the
category shown, or in every category) previews who goes through first and can be
undone; it, the CSV/XLSX export and the PDF reports call the same functions as the
command line.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
)

from judgepanel.errors import JudgePanelError, StaleEditError
from judgepanel.model.scoring.basis_checks import BasisWarning
from judgepanel.model.staff.decide.decisions import DecisionInfo
from judgepanel.model.staff.decide.leaderboard import BoardRow, JudgeRow, Leaderboard, RoundBoards
from judgepanel.model.staff.prepare.rounds import round_by_id
from judgepanel.model.staff.results.feedback import Feedback
from judgepanel.ui.staff.award_dialog import AwardAgain, AwardAnswer, ask_award
from judgepanel.ui.staff.context import (
    ASSIGNMENTS,
    AWARDS,
    DECISIONS,
    PROGRAM,
    RESULTS,
    StaffContext,
)
from judgepanel.ui.staff.funding_line import FundingLineDelegate
from judgepanel.ui.staff.leaderboard.columns import (
    TITLE_MIN,
    TITLE_WIDTH,
    board_columns,
    judge_columns,
)
from judgepanel.ui.staff.leaderboard.reviews import ReviewsDialog
from judgepanel.ui.staff.report_names import report_choices
from judgepanel.ui.staff.report_options import (
    ask_compendium_field,
    ask_summary_field,
    write_report,
)
from judgepanel.ui.staff.screen import Screen
from judgepanel.ui.staff.shortlist_dialog import ask_shortlist, plan_in_background
from judgepanel.ui.staff.table_model import RowsModel, RowsTable, money_text, tr

if TYPE_CHECKING:
    from PySide6.QtWidgets import (
        QDialog,
        QWidget,
    )


class LeaderboardScreen(Screen):
    topics = frozenset({RESULTS, ASSIGNMENTS, PROGRAM, AWARDS, DECISIONS})
    title_text = "Leaderboard"

    def __init__(self, ctx: StaffContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
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
        self.decisions: Mapping[str, DecisionInfo] = {}  # by ref, read with the boards
        self.model: RowsModel[BoardRow] = RowsModel(board_columns(self.decisions_of), self)
        self.table = RowsTable(self.model, self.tr("Ranking"))
        # activated: a double click, or Enter on the focused row (keyboard users).
        self.table.view.activated.connect(lambda _i: self.open_reviews())
        self.funding_line = FundingLineDelegate(self.table.view, self._ref_at, self)
        self.funding_line.in_rank_order = self._in_rank_order
        self.table.view.setItemDelegate(self.funding_line)
        # The column sorted on widens for its arrow: the title gives the room back.
        self.table.view.horizontalHeader().sortIndicatorChanged.connect(
            lambda _section, _order: self._narrow_title())
        split.addWidget(self.table)
        self.judge_model: RowsModel[JudgeRow] = RowsModel(judge_columns(), self)
        self.judges = RowsTable(self.judge_model, self.tr("Judges"), search=False)
        # Its last column holds numbers: kept beside the others, not stretched away.
        self.judges.view.horizontalHeader().setStretchLastSection(False)
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
        from judgepanel.model.staff.decide.decisions import load_decisions
        from judgepanel.model.staff.decide.leaderboard import compute_all

        round_id, basis = self.ctx.round_id, self.basis.currentData()
        if round_id is None:
            return

        def query(s: Any) -> tuple[RoundBoards, Mapping[str, DecisionInfo]]:
            round_ = round_by_id(s, round_id)
            return compute_all(s, round_, basis=basis), load_decisions(s, round_)

        self.load(query, self._loaded)

    def decisions_of(self, ref: str) -> DecisionInfo | None:
        """The panel's decision on ``ref`` as last read (the Decision column's source)."""
        return self.decisions.get(ref)

    def _loaded(self, loaded: tuple[RoundBoards, Mapping[str, DecisionInfo]]) -> None:
        boards, self.decisions = loaded
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
            if f.tied_at_line:  # the model's words, as for the bases' warnings below
                parts.append(f.tie_note())
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
        """Elide long titles so the ranking, the money and the panel's decision fit the
        window: at most TITLE_WIDTH, narrower in a small window (down to TITLE_MIN)."""
        titles = [c.title for c in self.model.columns]
        view = self.table.view
        title, decision = titles.index(tr("Title")), titles.index(tr("Decision"))
        others = sum(view.columnWidth(c) for c in range(decision + 1)
                     if c != title and not view.isColumnHidden(c))
        room = max(view.viewport().width() - others, TITLE_MIN)
        view.horizontalHeader().resizeSection(
            title, min(view.columnWidth(title), TITLE_WIDTH, room))

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
        wanted = {"adjusted": tr("Adj. rank"), "raw": tr("Raw rank"),
                  "z": tr("z rank")}.get(self.basis.currentData())
        return (self.model.columns[column].title == wanted
                and self.table.proxy.sortOrder() == Qt.SortOrder.AscendingOrder)

    def open_reviews(self) -> None:
        """The selected application's reviews, once its feedback is read (background)."""
        from judgepanel.model.staff.results.feedback import program_feedback

        board, row, round_id = self.board(), self.table.current_row(), self.ctx.round_id
        if board is None or row is None or round_id is None:
            return
        reviews = [r for r in board.reviews if r.application.ref == row.application.ref]

        def query(s: Any) -> Feedback:
            return program_feedback(s, round_by_id(s, round_id).program, reviews)

        def show(feedback: Feedback) -> None:
            if self.dialog is not None and self.dialog.isVisible():
                return  # asked twice before the first read came back: one dialog
            self.dialog = ReviewsDialog(board, row, feedback, self)
            self.dialog.open()

        self.ctx.read(query, show, parent=self)

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
