"""Results files and cards handed to the window (command line, double-click, drop, a
second launch): each is offered the action a person expects.

- A ``.jpresults``: merge it into the open program, or into a recent one (opened
  first), or just check it and show what ``judgepanel verify`` says.
- A ``.jpwork`` (a judge's unfinished work, for them alone): continue judging from it;
  with a program open, first say what it is (staff cannot merge it).
- A ``.jpcard``: show the person's name and fingerprint and, with a program open,
  offer to enroll it.

Bundles and program folders go straight to the judge and staff apps (MainWindow).
Every question goes through ``window.choose`` (tests replace it).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QMessageBox

from judgepanel.errors import JudgePanelError
from judgepanel.formats.detect import WORK_FILE_IS_NOT_RESULTS
from judgepanel.ui.tasks import TaskRunner

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

    from judgepanel.ui.staff.page import StaffPage

RECENT_PROGRAMS_OFFERED = 3
VERIFY = "verify"
CONTINUE = "continue"  # a judge's own results file: continue judging from it
ENROLL = "enroll"
MERGE_HERE = "merge:"


def tr(text: str) -> str:
    return QCoreApplication.translate("IncomingFiles", text)


class Choose(Protocol):
    def __call__(self, parent: QWidget, title: str, text: str,
                 choices: Sequence[tuple[str, str]], details: str = "") -> str | None: ...


def ask_choice(parent: QWidget, title: str, text: str, choices: Sequence[tuple[str, str]],
               details: str = "") -> str | None:
    """A message with one button per choice (key, label) and Cancel/Close; the key chosen."""
    box = QMessageBox(parent)
    box.setWindowTitle(title)
    box.setText(text)
    if details:
        box.setDetailedText(details)
    buttons: dict[object, str] = {}
    for index, (key, label) in enumerate(choices):
        role = (QMessageBox.ButtonRole.AcceptRole if index == 0
                else QMessageBox.ButtonRole.ActionRole)
        buttons[box.addButton(label, role)] = key
    box.addButton(QMessageBox.StandardButton.Cancel if choices
                  else QMessageBox.StandardButton.Close)
    box.exec()
    return buttons.get(box.clickedButton())


class Window(Protocol):
    """What these offers need of the main window (which owns an IncomingFiles)."""

    staff_page: StaffPage | None
    program_path: str | None
    choose: Choose

    @property
    def judging(self) -> bool: ...

    def recent_files(self) -> list[str]: ...

    def open_program(self, path: str, then: Callable[[], None] | None = None) -> None: ...

    def continue_judging(self, path: str) -> None: ...


class IncomingFiles:
    """Offers what to do with a results file or a card given to ``window``."""

    def __init__(self, parent: QWidget, window: Window) -> None:
        self.parent = parent  # dialogs and background work belong to it
        self.window = window
        self._runner: TaskRunner | None = None

    @property
    def runner(self) -> TaskRunner:
        if self._runner is None:
            self._runner = TaskRunner(self.parent)
        return self._runner

    def recent_programs(self) -> list[str]:
        """Program folders opened before (newest first), the open one left out."""
        current = self.window.program_path
        return [p for p in self.window.recent_files()
                if p != current and Path(p).is_dir()][:RECENT_PROGRAMS_OFFERED]

    # --- results --------------------------------------------------------------------

    def results(self, path: str) -> None:
        window = self.window
        choices: list[tuple[str, str]] = []
        if window.staff_page is not None:
            choices.append((MERGE_HERE, tr("Merge into {program}").format(
                program=window.staff_page.program_name)))
        for folder in self.recent_programs():
            choices.append((MERGE_HERE + folder, tr("Open {program} and merge").format(
                program=Path(folder).name)))
        if window.staff_page is None:  # a judge's own file: first when judging (issue 14)
            mine = (CONTINUE, tr("It is mine: continue judging from it"))
            choices.insert(0 if window.judging else len(choices), mine)
        choices.append((VERIFY, tr("Check the file")))
        text = tr("{file} is a results file a judge sent back.").format(file=Path(path).name)
        merging = any(key.startswith(MERGE_HERE) for key, _label in choices)
        text += " " + (tr("Merge it into a program, or check who signed it?") if merging
                       else tr("No program is open: open one to merge it, or check the file "
                               "now (who signed it, and whether it is intact)."))
        if any(key == CONTINUE for key, _label in choices):
            text += " " + tr("If it is your own, you can continue judging from it (on a new "
                             "computer, for example).")
        key = window.choose(self.parent, tr("Results file"), text, choices)
        if key == VERIFY:
            self.verify(path)
        elif key == CONTINUE:
            window.continue_judging(path)
        elif key is not None and key.startswith(MERGE_HERE):
            self.merge(path, key.removeprefix(MERGE_HERE) or None)

    def work(self, path: str) -> None:
        """A work file is the judge's: continue from it (a program open: say what it is)."""
        window = self.window
        if window.staff_page is not None and not window.judging:
            key = window.choose(
                self.parent, tr("A judge's unfinished work"),
                WORK_FILE_IS_NOT_RESULTS + " " + tr("If it is your own work, you can "
                                                    "continue judging from it."),
                [(CONTINUE, tr("It is mine: continue judging from it"))])
            if key != CONTINUE:
                return
        window.continue_judging(path)

    def merge(self, path: str, program: str | None) -> None:
        """Merge ``path`` into the open program, or into ``program`` once it has opened
        (when it cannot be, the window says why and nothing is merged)."""
        if program is not None:
            self.window.open_program(program, then=lambda: self.merge(path, None))
            return
        if self.window.staff_page is None:
            return
        inbox: Any = self.window.staff_page.show_screen("results")
        inbox.merge([Path(path)])

    def verify(self, path: str) -> None:
        """Run ``judgepanel verify``'s checks off the GUI thread and show its lines."""
        from judgepanel.formats.inspection import Report, local_identities, verify_file

        def work(_progress: Any) -> tuple[bool, str]:
            out = io.StringIO()
            ok = verify_file(Path(path), Report(out), local_identities)
            return ok, out.getvalue()

        def done(result: tuple[bool, str]) -> None:
            ok, lines = result
            summary = (tr("Every check passed.") if ok
                       else tr("Some checks failed: see the details."))
            self.window.choose(self.parent, tr("Checking {file}").format(file=Path(path).name),
                               summary, [], lines)

        def failed(error: JudgePanelError) -> None:
            self.window.choose(self.parent, tr("The file cannot be checked"), str(error), [])

        self.runner.start(work, on_done=done, on_error=failed)

    # --- cards ----------------------------------------------------------------------

    def card(self, path: str) -> None:
        from judgepanel.formats.card import read_card

        window = self.window
        try:
            card = read_card(Path(path))
        except JudgePanelError as error:
            window.choose(self.parent, tr("This card cannot be read"), str(error), [])
            return
        text = tr("Identity card of {name} ({role}).\n\nFingerprint: {fingerprint}\n\n"
                  "Call {name} and read the fingerprint aloud: it must match the one on "
                  "their screen before you enroll the card.").format(
            name=card.name, role=card.role, fingerprint=card.fingerprint)
        choices: list[tuple[str, str]] = []
        if window.staff_page is not None:
            choices.append((ENROLL, tr("Enroll in {program}").format(
                program=window.staff_page.program_name)))
        else:
            text += "\n\n" + tr("To enroll this judge, open the program first, then open "
                                "the card again (or drop it on the Judges screen).")
        if window.choose(self.parent, tr("Identity card"), text, choices) == ENROLL \
                and window.staff_page is not None:
            judges: Any = window.staff_page.show_screen("judges")
            judges.enroll([Path(path)])

    def shutdown(self) -> None:
        if self._runner is not None:
            self._runner.close(5_000)
