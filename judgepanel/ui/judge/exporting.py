"""What the judge sends and brings back, from the Send results screen.

- Sign and export the results file, named as a person would ("Results – PROGRAM – JUDGE
  – v2.jpresults") in the folder used last, with the score-sheet choice remembered.
- Export a score sheet (.xlsx or .csv) and import a filled one, with a preview of
  every change (or every cell that cannot be used) before anything is applied.
- Take the work to another computer: a work file ("Work – PROGRAM – JUDGE –
  v3.jpwork") of the work as it stands, complete or not, for the judge alone
  (``model.judge.export.carry_work``).
- Continue from one's own results file or work file (made on another computer, or
  before a reinstall): a preview, then the bundle's work is brought here
  (``model.judge.restore``).

Long work (signing, reading a results file with scrypt-free but ZIP-checking reads)
goes through the task runner; this object asks and shows, the model decides.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QDialog, QFileDialog, QProgressDialog, QWidget

from judgepanel.crypto.identity import Identity
from judgepanel.errors import JudgePanelError
from judgepanel.formats.detect import RESULTS_SUFFIX, WORK_SUFFIX
from judgepanel.model.judge.export import CarriedWork
from judgepanel.model.judge.records import ExportRecord
from judgepanel.model.judge.restore import OwnResults, read_own_results
from judgepanel.model.judge.session import JudgingSession
from judgepanel.model.judge.sheet import SheetPlan, plan_sheet, read_sheet, write_sheet
from judgepanel.ui.judge.autosave import write_scoresheet
from judgepanel.ui.judge.card_panel import documents_folder
from judgepanel.ui.judge.sheet_dialog import continue_preview, sheet_preview
from judgepanel.ui.judge.submit import SubmitPage
from judgepanel.ui.tasks import TaskRunner

if TYPE_CHECKING:
    from PySide6.QtCore import QSettings

EXPORT_FOLDER, WITH_SHEET, SHEET_FOLDER = ("judge/export_folder", "judge/with_score_sheet",
                                           "judge/sheet_folder")
AskSave = Callable[[QWidget, str], str]
AskOpen = Callable[[QWidget, str], str]
RunDialog = Callable[[QDialog], int]
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


def export_file_name(program: str, judge: str, version: int, *, work: bool = False) -> str:
    """"Results – Mayors' Recognition 2026 – Amara Okafor – v2.jpresults", safe on any disk
    (with ``work``: "Work – … – v2.jpwork", a work file)."""
    def part(text: str) -> str:
        return " ".join(_UNSAFE.sub(" ", text).split())[:60].strip(" .")

    kind, suffix = ("Work", WORK_SUFFIX) if work else ("Results", RESULTS_SUFFIX)
    return f"{kind} – {part(program)} – {part(judge)} – v{version}{suffix}"


def ask_export_path(parent: QWidget, suggested: str) -> str:
    path, _ = QFileDialog.getSaveFileName(parent, parent.tr("Export your results"), suggested,
                                          parent.tr("JudgePanel results (*.jpresults)"))
    return path


def ask_work_path(parent: QWidget, suggested: str) -> str:
    path, _ = QFileDialog.getSaveFileName(
        parent, parent.tr("Take your work to another computer"), suggested,
        parent.tr("JudgePanel work file (*.jpwork)"))
    return path


def ask_sheet_save(parent: QWidget, suggested: str) -> str:
    path, _ = QFileDialog.getSaveFileName(
        parent, parent.tr("Export a score sheet"), suggested,
        parent.tr("Workbook (*.xlsx);;CSV, for any spreadsheet (*.csv)"))
    return path


def ask_sheet_open(parent: QWidget, folder: str) -> str:
    path, _ = QFileDialog.getOpenFileName(parent, parent.tr("Import a filled score sheet"),
                                          folder, parent.tr("Score sheets (*.xlsx *.csv)"))
    return path


def ask_results_open(parent: QWidget, folder: str) -> str:
    path, _ = QFileDialog.getOpenFileName(
        parent, parent.tr("Continue from my results file or work file"), folder,
        parent.tr("Your results or work file (*.jpresults *.jpwork);;"
                  "JudgePanel results (*.jpresults);;JudgePanel work file (*.jpwork)"))
    return path


class ExportActions(QObject):
    """The Send results screen's actions for one open session."""

    changed = Signal()  # answers were brought in (sheet, results file): screens reload
    exported = Signal(object, str)  # ExportRecord, a note about the PDF score sheet
    carried = Signal(str)  # a work file was saved: what to tell the judge

    def __init__(self, session: JudgingSession, identity: Identity, runner: TaskRunner,
                 submit: SubmitPage, settings: QSettings | None, parent: QWidget, *,
                 ask_path: AskSave = ask_export_path, ask_sheet: AskSave = ask_sheet_save,
                 ask_work: AskSave = ask_work_path,
                 ask_sheet_file: AskOpen = ask_sheet_open,
                 ask_results: AskOpen = ask_results_open,
                 run_dialog: RunDialog = lambda dialog: dialog.exec()) -> None:
        super().__init__(parent)
        self.session, self.identity, self.runner, self.submit = session, identity, runner, submit
        self.settings, self.widget = settings, parent
        self.ask_path, self.ask_sheet, self.ask_sheet_file = ask_path, ask_sheet, ask_sheet_file
        self.ask_results, self.run_dialog, self.ask_work = ask_results, run_dialog, ask_work
        submit.with_sheet.setChecked(self._setting(WITH_SHEET, "false") == "true")
        submit.with_sheet.toggled.connect(
            lambda on: self._remember(WITH_SHEET, "true" if on else "false"))

    # --- settings ---------------------------------------------------------------------

    def _setting(self, key: str, default: str) -> str:
        value = self.settings.value(key, default) if self.settings is not None else default
        return str(value or default)

    def _remember(self, key: str, value: str) -> None:
        if self.settings is not None:
            self.settings.setValue(key, value)

    def _folder(self, key: str) -> Path:
        remembered = Path(self._setting(key, ""))
        return remembered if str(remembered) not in ("", ".") and remembered.is_dir() else (
            documents_folder())

    # --- the results file ------------------------------------------------------------------

    def suggested_export_path(self, *, work: bool = False) -> str:
        info = self.session.info
        version = max((e.sequence for e in self.session.exports()), default=0) + 1
        return str(self._folder(EXPORT_FOLDER)
                   / export_file_name(info.program_name, info.judge_name, version, work=work))

    def export(self, with_sheet: bool = False) -> None:
        path = self.ask_path(self.widget, self.suggested_export_path())
        if not path:
            return
        if not path.endswith(".jpresults"):
            path += ".jpresults"
        self._remember(EXPORT_FOLDER, str(Path(path).parent))
        session, identity = self.session, self.identity

        def work(_progress: object) -> tuple[ExportRecord, str]:
            record = session.export(Path(path), identity)
            return record, (write_scoresheet(session, record) if with_sheet else "")

        def done(result: object) -> None:
            assert isinstance(result, tuple)
            self.exported.emit(*result)

        self._in_background(self.widget.tr("Signing and encrypting your results…"), work, done)

    # --- the work file ---------------------------------------------------------------------

    def carry(self) -> None:
        """Save the work as it stands (complete or not) in a work file, in the background."""
        path = self.ask_work(self.widget, self.suggested_export_path(work=True))
        if not path:
            return
        if not path.lower().endswith(WORK_SUFFIX):
            path += WORK_SUFFIX
        self._remember(EXPORT_FOLDER, str(Path(path).parent))
        session, identity = self.session, self.identity

        def done(result: object) -> None:
            assert isinstance(result, CarriedWork)
            self.carried.emit(self.carried_text(result))

        self._in_background(self.widget.tr("Signing and encrypting your work…"),
                            lambda _p: session.carry(Path(path), identity), done)

    def carried_text(self, carried: CarriedWork) -> str:
        tr = self.widget.tr
        text = tr("Your work (version {n}) is saved in {path}. On your other computer, open "
                  "your bundle, then choose Continue from my results file or work file… and "
                  "this file. It is for you alone: do not send it to the program staff.").format(
                      n=carried.record.sequence, path=carried.record.path)
        if carried.left_out:
            text += " " + tr("Not in it: your comments on criteria you have not scored yet "
                             "({items}). Give those a score, then save your work again.").format(
                                 items="; ".join(carried.left_out))
        return text

    def _in_background(self, text: str, work: Callable[[Any], object],
                       then: Callable[[object], None], *, at_once: bool = True) -> None:
        """Run ``work(progress)`` off the GUI thread behind a window-modal busy dialog
        saying ``text``, then ``then(result)``; a refusal is shown on the Send results
        page. Not ``at_once``: the dialog shows only if the work lasts past 300 ms (no
        flash for a small bundle); only for work that writes nothing."""
        dialog = QProgressDialog(text, "", 0, 0, self.widget)
        dialog.setCancelButton(None)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(0 if at_once else 300)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        dialog.setAccessibleName(text)
        if at_once:
            dialog.show()
        else:
            dialog.setValue(0)  # starts the 300 ms count (without it, it never shows)

        def done(result: object) -> None:
            dialog.close()
            then(result)

        def failed(error: JudgePanelError) -> None:
            dialog.close()
            self.submit.show_result(str(error))

        self.task = self.runner.start(work, on_done=done, on_error=failed)

    # --- score sheets ------------------------------------------------------------------

    def export_sheet(self) -> None:
        info = self.session.info
        name = f"Score sheet – {info.program_name} – {info.judge_name}.xlsx"
        path = self.ask_sheet(self.widget, str(self._folder(SHEET_FOLDER)
                                               / _UNSAFE.sub(" ", name)))
        if not path:
            return
        if not path.lower().endswith((".xlsx", ".csv")):
            path += ".xlsx"
        self._remember(SHEET_FOLDER, str(Path(path).parent))
        session = self.session

        def done(written: object) -> None:
            self.submit.show_result(self.widget.tr(
                "Your score sheet is {path}. Fill it in, then choose Import score sheet… here.")
                .format(path=written))

        # In the background: a sheet of hundreds of applications takes a while to write.
        self._in_background(self.widget.tr("Writing your score sheet…"),
                            lambda _p: write_sheet(session, path), done)

    def import_sheet(self) -> None:
        path = self.ask_sheet_file(self.widget, str(self._folder(SHEET_FOLDER)))
        if not path:
            return
        session = self.session
        self.runner.start(lambda _p: plan_sheet(session, read_sheet(path)),
                          on_done=lambda plan: self.preview_sheet(plan, Path(path).name),
                          on_error=lambda error: self.submit.show_result(str(error)))

    def preview_sheet(self, plan: object, name: str) -> None:
        """Show what the sheet changes (or what is wrong in it); apply on the judge's word."""
        assert isinstance(plan, SheetPlan)
        preview = sheet_preview(plan, name, self.widget)
        if self.run_dialog(preview) != QDialog.DialogCode.Accepted or plan.problems:
            return
        session = self.session
        edits = [c.edit for c in plan.changes]

        def done(count: object) -> None:
            self.changed.emit()
            tr = self.widget.tr
            self.submit.show_result(tr("1 value from the score sheet was saved.") if count == 1
                                    else tr("{n} values from the score sheet were saved.")
                                    .format(n=count))

        # Modal at once: it writes the workspace (a whole bundle's values), so no score
        # is typed meanwhile.
        self._in_background(self.widget.tr("Saving the values from the score sheet…"),
                            lambda _p: session.apply(edits), done)

    # --- continuing from a results file or work file ----------------------------------

    def continue_from_file(self, path: str | None = None) -> None:
        chosen = path or self.ask_results(self.widget, str(self._folder(EXPORT_FOLDER)))
        if not chosen:
            return
        identity = self.identity
        self.runner.start(lambda _p: read_own_results(chosen, identity),
                          on_done=self.continue_from, on_error=lambda error:
                          self.submit.show_result(str(error)))

    def continue_from(self, own: object) -> None:
        """Count what continuing from the file would change, off the GUI thread (a bundle
        of hundreds of applications takes a while), then preview it."""
        assert isinstance(own, OwnResults)
        session = self.session

        def work(_progress: object) -> tuple[int, bool]:
            return (session.differences_from(own),
                    any(p.declared for p in session.progress()))

        def done(result: object) -> None:
            assert isinstance(result, tuple)
            self.preview_continue(own, *result)

        self._in_background(self.widget.tr("Comparing the file with your work here…"), work,
                            done, at_once=False)

    def preview_continue(self, own: OwnResults, differences: int, local: bool) -> None:
        """Show what the file holds (and what it replaces here); bring its work here, in the
        background, on the judge's word."""
        preview = continue_preview(own, differences, local, self.widget,
                                   applications=len(self.session.applications))
        if self.run_dialog(preview) != QDialog.DialogCode.Accepted:
            return
        session = self.session

        def done(record: object) -> None:
            assert isinstance(record, ExportRecord)
            self.changed.emit()
            tr = self.widget.tr
            self.submit.show_result((tr("Your work from your work file (version {n}) is here; "
                                        "your next export builds on it.") if own.work_file else
                                     tr("Your work from version {n} of your results is here; "
                                        "your next export builds on it.")).format(
                                            n=record.sequence))

        # Modal at once: this writes the workspace, so no score is typed meanwhile.
        self._in_background(self.widget.tr("Bringing your work here…"),
                            lambda _p: session.continue_from(own), done)
