"""The main window: a stack of pages (start, judging, program) under one menu bar."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMainWindow, QMessageBox, QStackedWidget

from judgepanel import __version__
from judgepanel.formats.detect import (
    CARD_SUFFIX,
    RESULTS_SUFFIX,
    WORK_SUFFIX,
    FileKind,
    detect_file,
)
from judgepanel.ui.appearance import appearance_menu
from judgepanel.ui.drops import accept_file_drag, dropped_files
from judgepanel.ui.icons import icon
from judgepanel.ui.incoming import Choose, IncomingFiles, ask_choice
from judgepanel.ui.start_page import StartPage

if TYPE_CHECKING:
    from PySide6.QtCore import QSettings
    from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent
    from PySide6.QtWidgets import QWidget

    from judgepanel.model.staff.location import PasswordAnswer
    from judgepanel.model.staff.workspace import StaffWorkspace
    from judgepanel.ui.judge.opening import JudgeFlow
    from judgepanel.ui.staff.page import StaffPage
    from judgepanel.ui.staff.shared_dialog import SharedAddress
    from judgepanel.ui.tasks import TaskRunner

RECENT_KEY = "recent/files"
RECENT_LIMIT = 8


class MainWindow(QMainWindow):
    """Owns the pages and the menus; features plug their pages into the stack."""

    file_opened = Signal(str)
    program_shown = Signal(str)  # a program's staff app is up (its folder or address)
    program_closed = Signal()  # its staff app is gone (what it held is garbage now)

    def __init__(self, settings: QSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.setWindowTitle(self.tr("JudgePanel"))
        self.setWindowIcon(icon("judgepanel"))
        self.setAcceptDrops(True)
        self.resize(1280, 800)

        self.pages = QStackedWidget()
        self.start_page = StartPage()
        self.start_page.open_bundle_requested.connect(self.choose_bundle)
        self.start_page.open_program_requested.connect(self.choose_program)
        self.start_page.recent_requested.connect(self.open_path)
        self.start_page.identity_requested.connect(self.show_identity)
        self.pages.addWidget(self.start_page)
        self.setCentralWidget(self.pages)
        self._build_menus()
        self.start_page.set_recent(self.recent_files())
        self.statusBar().showMessage(self.tr("Ready"))
        # The judge side: a .jpbundle opened from anywhere (menu, drop, recent, CLI).
        # Made on first use, so the model and crypto imports do not slow the first window.
        self._judge: JudgeFlow | None = None
        self._judge_waiting: list[Callable[[JudgeFlow], None]] = []  # see with_judge
        # The staff side: a program workspace folder, one at a time.
        self.staff_page: StaffPage | None = None
        self.program_path: str | None = None
        self._opening: str | None = None  # the program being opened: only the last one shows
        # Results files and cards: merge, check or enroll (questions through a hook).
        self.incoming = IncomingFiles(self, self)
        self.choose: Choose = ask_choice
        # A shared program: its address and password are asked through hooks (tests).
        self.ask_shared_address: Callable[[QWidget, str], SharedAddress | None] = \
            _ask_shared_address
        self.ask_server_password: Callable[[QWidget, str], PasswordAnswer | None] = \
            _ask_server_password

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu(self.tr("&File"))
        self.open_action = QAction(self.tr("&Open…"), self)
        self.open_action.setToolTip(self.tr("A judging bundle, or one of your results files"))
        self.open_action.setShortcut(QKeySequence.StandardKey.Open)
        self.open_action.triggered.connect(self.choose_bundle)
        file_menu.addAction(self.open_action)
        self.open_program_action = QAction(self.tr("Open &Program…"), self)
        self.open_program_action.setShortcut(QKeySequence("Ctrl+Shift+O"))
        self.open_program_action.triggered.connect(self.choose_program)
        file_menu.addAction(self.open_program_action)
        self.open_shared_action = QAction(self.tr("Open &Shared Program…"), self)
        self.open_shared_action.triggered.connect(lambda: self.open_shared())
        file_menu.addAction(self.open_shared_action)
        file_menu.addSeparator()
        quit_action = QAction(self.tr("&Quit"), self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)

        # The judge's identity, with no bundle needed (a new judge sends their card first).
        identity_menu = self.menuBar().addMenu(self.tr("My &identity"))
        self.identity_action = QAction(self.tr("My &identity…"), self)
        self.identity_action.setToolTip(self.tr("Create your identity, show your fingerprint, "
                                                "save or copy your card, export or import "
                                                "an identity file"))
        self.identity_action.triggered.connect(self.show_identity)
        identity_menu.addAction(self.identity_action)

        view_menu = self.menuBar().addMenu(self.tr("&View"))
        appearance = view_menu.addMenu(self.tr("&Appearance"))
        self.appearance_group = appearance_menu(appearance, self.settings)

        help_menu = self.menuBar().addMenu(self.tr("&Help"))
        about = QAction(self.tr("&About JudgePanel"), self)
        about.triggered.connect(self.show_about)
        help_menu.addAction(about)

    # --- opening -------------------------------------------------------------

    def choose_bundle(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, self.tr("Open a judging bundle, a results file or a work file"), "",
            self.tr("JudgePanel files (*.jpbundle *.jpresults *.jpwork);;Judging bundles "
                    "(*.jpbundle);;Results files (*.jpresults);;Work files (*.jpwork)"))
        if path:
            self.open_path(path)

    def show_identity(self) -> None:
        """My identity: create, show, save or copy the card, export or import. No bundle
        needed."""
        def show(judge: JudgeFlow) -> None:
            from judgepanel.formats.keystore import IdentityStore
            from judgepanel.ui.judge.my_identity import MyIdentityDialog

            store = judge.store if judge.store is not None else IdentityStore()
            MyIdentityDialog(store, judge.runner, self).exec()

        self.with_judge(show)

    def choose_program(self) -> None:
        """Open an existing program folder, or create a new program."""
        box = QMessageBox(self)
        box.setWindowTitle(self.tr("Open or create a program"))
        box.setText(self.tr("Open a program you already have, or create a new one?"))
        open_button = box.addButton(self.tr("Open a program folder…"),
                                    QMessageBox.ButtonRole.AcceptRole)
        create_button = box.addButton(self.tr("Create a new program…"),
                                      QMessageBox.ButtonRole.ActionRole)
        shared_button = box.addButton(self.tr("Open a shared program…"),
                                      QMessageBox.ButtonRole.ActionRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        if box.clickedButton() is shared_button:
            self.open_shared()
        elif box.clickedButton() is open_button:
            path = QFileDialog.getExistingDirectory(self, self.tr("Open a program folder"))
            if path:
                self.open_path(path)
        elif box.clickedButton() is create_button:
            from judgepanel.ui.staff.program_wizard import create_program_dialog

            created = create_program_dialog(self)
            if created is not None:
                self.open_path(str(created))

    def open_path(self, path: str) -> None:
        """Open what ``path`` is: a bundle for judging, a program folder in the staff app,
        a results file to merge or check, a card to read and enroll; a database address
        (``postgresql://…``) is a shared program; a judge's work file to continue from."""
        if "://" in path:
            self.open_shared(path)
            return
        path = os.path.abspath(path)  # recent files must still work from another folder
        self.file_opened.emit(path)
        kind = file_kind(path)
        if kind is FileKind.RESULTS:
            self.incoming.results(path)
        elif kind is FileKind.WORK:
            self.incoming.work(path)
        elif kind is FileKind.CARD:
            self.incoming.card(path)
        elif kind is None:
            self.open_program(path)  # remembered once it opens
        else:
            self.remember(path)
            self.with_judge(lambda judge: judge.open_bundle(path))

    @property
    def judging(self) -> bool:
        """Whether a judge's bundle is open (a results file is then most likely theirs)."""
        return self._judge is not None and self._judge.page is not None

    def continue_judging(self, path: str) -> None:
        """A results file (or work file) the judge says is theirs: recognised, and offered
        to continue from; the bundle open now stays open if it is not."""
        self.with_judge(lambda judge: judge.open_results(path))

    def receive(self, path: str) -> None:
        """A later launch handed over ``path`` (or "" to come to the front)."""
        if self.isMinimized():
            self.showNormal()
        self.raise_()
        self.activateWindow()
        if path:
            self.open_path(path)

    def open_program(self, path: str, then: Callable[[], None] | None = None) -> None:
        """Show the staff app for the program workspace in ``path``; ``then`` runs once it
        shows (not when the folder is refused). The workspace is opened off the GUI
        thread, as a shared one is: an older program's database is upgraded on opening,
        and a folder may sit on a slow network share. ``program_shown`` follows, and the
        folder goes to the top of the recent files (only then: not when the officer kept
        the open program, nor when the folder is refused)."""
        from judgepanel.ui.tasks import TaskRunner

        if not self.may_close_program(lambda: self.open_program(path, then)):
            return
        where = self._opening = os.path.abspath(path)
        runner = TaskRunner(self)
        self.statusBar().showMessage(self.tr("Opening {program}…").format(
            program=Path(where).name))

        def opened(workspace: StaffWorkspace) -> None:
            if self._open_page(workspace, runner, where):
                self.remember(where)
                if then is not None:
                    then()

        runner.start(lambda _progress: open_workspace(where), on_done=opened,
                     on_error=lambda error: self._refuse_program(runner, error, where))

    def _refuse_program(self, runner: TaskRunner, error: Exception, where: str) -> None:
        """``where`` could not be opened: say why, unless another program was asked for
        since (then the user has moved on)."""
        runner.close(0)
        if self._opening != where:
            return
        self._opening = None
        self.statusBar().clearMessage()
        QMessageBox.warning(self, self.tr("This program cannot be opened"), str(error))

    def open_shared(self, address: str | None = None, password: str | None = None,
                    remember: bool = False) -> None:
        """Open a program shared on a database server: its address asked for when not
        given, connected off the GUI thread, the password asked when the server wants
        one. The recent list keeps the address, never a password."""
        from judgepanel.errors import JudgePanelError, ServerLoginError
        from judgepanel.model.staff.location import locate, remember_password, url_password
        from judgepanel.ui.tasks import TaskRunner

        if address is None:
            answer = self.ask_shared_address(self, "")
            if answer is None:
                return
            address, password = answer.address, answer.password
        try:
            password = password or url_password(address)
            address = locate(address).display  # a password typed into it goes no further
        except JudgePanelError as error:
            QMessageBox.warning(self, self.tr("This program cannot be opened"), str(error))
            return
        if not self.may_close_program(lambda: self.open_shared(address, password, remember)):
            return
        runner = TaskRunner(self)
        self._opening = address
        self.statusBar().showMessage(self.tr("Connecting to {address}…").format(
            address=address))

        def opened(workspace: StaffWorkspace) -> None:
            if remember and password:
                remember_password(workspace.location, password)
            if self._open_page(workspace, runner, workspace.location.display):
                self.remember(workspace.location.display)

        def refused(error: JudgePanelError) -> None:
            if isinstance(error, ServerLoginError) and self._opening == address:
                self._opening = None
                self.statusBar().clearMessage()
                runner.close(0)
                user = locate(address).url.username or ""
                question = (self.tr("The server refused that password for “{user}”. Try "
                                    "again.") if password else
                            self.tr("The server asks for the password of “{user}”."))
                answer = self.ask_server_password(self, question.format(user=user))
                if answer is not None:
                    self.open_shared(address, answer.password, answer.remember)
                return
            self._refuse_program(runner, error, address)

        runner.start(lambda _progress: open_workspace(address, password),
                     on_done=opened, on_error=refused)

    def _open_page(self, workspace: StaffWorkspace, runner: TaskRunner, where: str) -> bool:
        """Show the staff app over an open ``workspace``; False when it cannot be shown,
        or when another program was asked for while this one opened (it is closed)."""
        from judgepanel.errors import JudgePanelError
        from judgepanel.ui.staff.page import StaffPage

        if self._opening != where:  # another program was asked for meanwhile
            workspace.close()
            runner.close(0)
            return False
        try:
            page = StaffPage(workspace, runner, self.settings)
        except JudgePanelError as error:
            workspace.close()
            self._refuse_program(runner, error, where)
            return False
        self._opening = None
        self.statusBar().clearMessage()
        self.close_program()
        self.staff_page = page
        self.program_path = where
        self.pages.addWidget(page)
        self.pages.setCurrentWidget(page)
        self.setWindowTitle(self.tr("{program} — JudgePanel").format(program=page.program_name))
        self.program_shown.emit(where)
        return True

    def may_close_program(self, then: Callable[[], object]) -> bool:
        """Whether the program open (if any) may close now: work not saved in it is asked
        about first. False: the officer kept it open, or chose to save, and ``then`` (the
        step that closes it, again) runs once the work is saved; a save refused runs
        nothing, and the screen holding the work says why."""
        return self.staff_page is None or self.staff_page.may_close(then)

    def close_program(self) -> None:
        if self.staff_page is not None:
            self.staff_page.shutdown()
            self.pages.removeWidget(self.staff_page)
            self.staff_page.deleteLater()
            self.staff_page = None
            self.program_path = None
            self.program_closed.emit()

    # --- recent files ----------------------------------------------------------

    def recent_files(self) -> list[str]:
        value = self.settings.value(RECENT_KEY, [])
        if isinstance(value, str):
            return [value]
        if isinstance(value, list | tuple):
            return [str(v) for v in value]
        return []

    def remember(self, path: str) -> None:
        paths = [path] + [p for p in self.recent_files() if p != path]
        self.settings.setValue(RECENT_KEY, paths[:RECENT_LIMIT])
        self.settings.sync()  # kept even if the app is killed
        self.start_page.set_recent(self.recent_files())

    # --- drag and drop -----------------------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 (Qt override)
        accept_file_drag(event)

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 (Qt override)
        if paths := dropped_files(event):
            self.open_path(str(paths[0]))  # one bundle or program at a time

    def show_about(self) -> None:
        QMessageBox.about(
            self,
            self.tr("About JudgePanel"),
            self.tr(
                "<b>JudgePanel {version}</b><p>Offline, end-to-end encrypted judging "
                "for award and grant programs.</p>"
            ).format(version=__version__),
        )

    @property
    def judge(self) -> JudgeFlow:
        """The judge flow (unlock, open, judge page), created when first needed."""
        if self._judge is None:
            from judgepanel.ui.judge.opening import JudgeFlow

            self._judge = JudgeFlow(self, self.pages, settings=self.settings)
        return self._judge

    def with_judge(self, action: Callable[[JudgeFlow], None]) -> None:
        """Run ``action`` with the judge flow. The first time, its modules (the judge's
        model, SQLAlchemy, the cryptography: about half a second) are imported off the GUI
        thread first, so the window does not freeze before the passphrase is asked."""
        if self._judge is not None:
            action(self._judge)
            return
        self._judge_waiting.append(action)
        if len(self._judge_waiting) > 1:
            return  # the import is under way: this action runs after it
        from judgepanel.ui.tasks import TaskRunner

        runner = TaskRunner(self)
        self.statusBar().showMessage(self.tr("Opening…"))

        def loaded(_module: object) -> None:
            runner.close(0)  # its one task is done: the flow has runners of its own
            self.statusBar().clearMessage()
            waiting, self._judge_waiting = self._judge_waiting, []
            for each in waiting:
                each(self.judge)

        def failed(error: Exception) -> None:  # pragma: no cover - an installation fault
            runner.close(0)
            self._judge_waiting = []
            self.statusBar().clearMessage()
            QMessageBox.warning(self, self.tr("Judging cannot start"), str(error))

        runner.start(lambda _progress: import_judging(), on_done=loaded, on_error=failed)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt override)
        if not self.may_close_program(self.close):
            event.ignore()
            return
        if self._judge is not None:
            self._judge.shutdown()
        self.incoming.shutdown()
        self.close_program()
        self.settings.sync()
        super().closeEvent(event)


def _ask_shared_address(parent: QWidget, address: str) -> SharedAddress | None:
    from judgepanel.ui.staff.shared_dialog import ask_shared_address

    return ask_shared_address(parent, address)


def _ask_server_password(parent: QWidget, question: str) -> PasswordAnswer | None:
    from judgepanel.ui.staff.shared_dialog import ask_server_password

    return ask_server_password(parent, question)


def file_kind(path: str) -> FileKind | None:
    """What ``path`` holds (None: a folder, which may be a program).

    A file that cannot be read yet is judged by its suffix, so the flow it goes to
    says what is wrong with it; anything else not ours goes to the bundle opener, which
    refuses it in plain words.
    """
    if Path(path).is_dir():
        return None
    kind = detect_file(Path(path))
    if kind is FileKind.UNKNOWN:
        suffix = Path(path).suffix.lower()
        return {RESULTS_SUFFIX: FileKind.RESULTS, WORK_SUFFIX: FileKind.WORK,
                CARD_SUFFIX: FileKind.CARD}.get(suffix, FileKind.UNKNOWN)
    return kind


def open_workspace(where: str, password: str | None = None) -> StaffWorkspace:
    """Open a program (off the GUI thread): the staff app's modules are imported here too.

    The model (SQLAlchemy, Alembic) and the staff screens take about a second to import
    the first time, which on the GUI thread would freeze the window as the program opens.
    """
    import judgepanel.ui.staff.page  # noqa: F401  (imported for its cost, see above)
    from judgepanel.model.staff.workspace import StaffWorkspace

    return StaffWorkspace.open(where, password=password)


def import_judging() -> None:
    """Import the judge's side of the app (off the GUI thread: see ``with_judge``)."""
    import judgepanel.ui.judge.my_identity  # noqa: F401
    import judgepanel.ui.judge.opening  # noqa: F401

