"""Opening a bundle in the main window: unlock, open in the background, show its facts.

Why a separate object: the main window only knows that a file was chosen; this flow
turns a ``.jpbundle`` path into a judge page (identity, background opening with
progress, the bundle facts first, then the work) and shows every refusal from the
formats layer as the plain message it carries. One refusal is a question: a bundle
signed by another staff key than earlier bundles of its program. The judge is warned
and may, once the staff confirmed the new key by phone, open it anyway (re-pinning).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QMainWindow, QMessageBox, QProgressDialog, QStackedWidget, QWidget

from judgepanel.crypto.identity import Identity
from judgepanel.errors import JudgePanelError
from judgepanel.formats.keystore import IdentityStore
from judgepanel.model.judge.bundle_readers import VERIFY_LABEL
from judgepanel.model.judge.schema import StaffKeyChangedError
from judgepanel.model.judge.session import JudgingSession
from judgepanel.model.judge.workspace import JudgeWorkspace
from judgepanel.progress import Progress
from judgepanel.ui.judge.bundle_info import BundleInfoPage
from judgepanel.ui.judge.judge_page import AskExportPath, JudgePage, ask_export_path
from judgepanel.ui.judge.unlock import UnlockDialog
from judgepanel.ui.tasks import TaskRunner

Unlock = Callable[[QWidget, IdentityStore, TaskRunner], Identity | None]
ShowError = Callable[[QWidget, str, str], None]
ConfirmNewStaffKey = Callable[[QWidget, StaffKeyChangedError], bool]


def unlock_with_dialog(parent: QWidget, store: IdentityStore,
                       runner: TaskRunner) -> Identity | None:
    dialog = UnlockDialog(store, runner, parent)
    return dialog.identity if dialog.exec() else None


def open_and_verify(path: str, identity: Identity, workspace: JudgeWorkspace,
                    progress: Progress, *, accept_staff_key: str | None = None
                    ) -> JudgingSession:
    """The background half of opening: decrypt and check the signature (and the staff
    key pinned for the program), then hash-check every member, so a damaged bundle is
    refused before the judge declares anything."""
    session = JudgingSession.open(path, [identity], workspace,
                                  accept_staff_key=accept_staff_key)
    try:
        session.verify(progress)
    except BaseException:
        session.close()
        raise
    return session


def show_error(parent: QWidget, title: str, message: str) -> None:
    QMessageBox.warning(parent, title, message)


def confirm_new_staff_key(parent: QWidget, error: StaffKeyChangedError) -> bool:
    """Warn about a changed staff key; True only if the judge explicitly trusts the new one.

    The safe answer is the default (Escape and Enter both refuse).
    """
    box = QMessageBox(QMessageBox.Icon.Warning, parent.tr("Different staff key"),
                      error.message, QMessageBox.StandardButton.NoButton, parent)
    box.setInformativeText(parent.tr(
        "Earlier bundles of this program: {old}\nThis bundle: {new}\n\nOnly if the program "
        "staff confirmed the new fingerprint to you by phone, choose to trust it.").format(
            old=error.pinned, new=error.offered))
    refuse = box.addButton(parent.tr("Do not open"), QMessageBox.ButtonRole.RejectRole)
    trust = box.addButton(parent.tr("The staff confirmed it: trust the new key"),
                          QMessageBox.ButtonRole.AcceptRole)
    box.setDefaultButton(refuse)
    box.setEscapeButton(refuse)
    box.exec()
    return box.clickedButton() is trust


class JudgeFlow(QObject):
    """Connect to ``MainWindow.file_opened``; owns the open session and its pages."""

    def __init__(self, window: QMainWindow, pages: QStackedWidget, *,
                 store: IdentityStore | None = None,
                 workspace_path: Path | None = None,
                 unlock: Unlock = unlock_with_dialog,
                 ask_path: AskExportPath = ask_export_path,
                 error: ShowError = show_error,
                 confirm_key: ConfirmNewStaffKey = confirm_new_staff_key) -> None:
        super().__init__(window)
        self.window = window
        self.pages = pages
        self.store = store
        self.workspace_path = workspace_path
        self.unlock = unlock
        self.ask_path = ask_path
        self.error = error
        self.confirm_key = confirm_key
        self.runner = TaskRunner(self)
        self.workspace: JudgeWorkspace | None = None
        self.page: JudgePage | None = None
        self.info_page: BundleInfoPage | None = None
        self.opening_dialog: QProgressDialog | None = None
        self.identity: Identity | None = None
        self.last_error: str = ""

    # --- opening ------------------------------------------------------------------

    def open_bundle(self, path: str) -> None:
        """Start opening ``path``; folders (staff programs) are not the judge's business."""
        if Path(path).is_dir():
            return
        if not Path(path).is_file():
            # Calm and non-blocking: a stale recent-files entry is not an emergency.
            self.last_error = self.window.tr("{path} cannot be found. Was it moved or "
                                             "renamed?").format(path=path)
            self.window.statusBar().showMessage(self.last_error, 10_000)
            return
        store = self.store if self.store is not None else IdentityStore()
        try:
            identity = self.unlock(self.window, store, self.runner)
        except JudgePanelError as error:
            self._fail(error)
            return
        if identity is None:
            return
        self.identity = identity
        self.open_with(path, identity)

    def open_with(self, path: str, identity: Identity, *,
                  accept_staff_key: str | None = None) -> None:
        """Open ``path`` with an already unlocked identity (also the tests' entry point).

        ``accept_staff_key``: the new staff fingerprint the judge accepted in
        :func:`confirm_new_staff_key` for this very bundle.
        """
        self.identity = identity
        self.close_current()
        try:
            if self.workspace is None:
                self.workspace = JudgeWorkspace.open(self.workspace_path)
        except JudgePanelError as error:
            self._fail(error)
            return
        workspace = self.workspace
        dialog = QProgressDialog(self.window.tr("Opening the bundle…"), "", 0, 0, self.window)
        dialog.setWindowTitle(self.window.tr("Opening your bundle"))
        dialog.setCancelButton(None)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(300)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        dialog.setAccessibleName(self.window.tr("Opening progress"))
        self.opening_dialog = dialog

        def progress(done: int, total: int, label: str) -> None:
            if label == VERIFY_LABEL:
                dialog.setLabelText(self.window.tr("Checking the bundle… {done} of {total}")
                                    .format(done=done, total=total))
            dialog.setMaximum(max(total, 1))
            dialog.setValue(done)

        def done(session: object) -> None:
            dialog.close()
            assert isinstance(session, JudgingSession)
            self._opened(session, identity)

        def failed(error: JudgePanelError) -> None:
            dialog.close()
            if isinstance(error, StaffKeyChangedError) and accept_staff_key is None:
                self.last_error = str(error)
                if self.confirm_key(self.window, error):
                    self.open_with(path, identity, accept_staff_key=error.offered)
                return
            self._fail(error)

        self.runner.start(lambda report: open_and_verify(
            path, identity, workspace, report, accept_staff_key=accept_staff_key),
            on_done=done, on_error=failed, on_progress=progress)

    def _fail(self, error: JudgePanelError) -> None:
        self.last_error = str(error)
        self.error(self.window, self.window.tr("The bundle cannot be opened"), str(error))

    def _opened(self, session: JudgingSession, identity: Identity) -> None:
        info = session.info
        self.window.setWindowTitle(self.window.tr("{program} — {round} — {judge}").format(
            program=info.program_name, round=info.round_name, judge=info.judge_name))
        self.page = JudgePage(session, identity, self.runner, ask_path=self.ask_path)
        self.pages.addWidget(self.page)
        first_time = all(not p.declared for p in session.progress())
        if first_time:
            self.info_page = BundleInfoPage()
            self.info_page.show_info(
                info, len(session.applications),
                first_from_this_key=session.first_bundle_from_this_staff_key())
            self.info_page.continue_requested.connect(self.show_judging)
            self.pages.addWidget(self.info_page)
            self.pages.setCurrentWidget(self.info_page)
        else:
            self.show_judging()

    def show_judging(self) -> None:
        if self.page is not None:
            self.pages.setCurrentWidget(self.page)
            self.page.tabs.currentWidget().setFocus()

    # --- closing ------------------------------------------------------------------------

    def close_current(self) -> None:
        """Save and release the open bundle (before another one or on quitting)."""
        if self.page is not None:
            self.page.close_session()
            self.pages.removeWidget(self.page)
            self.page.deleteLater()
            self.page = None
        if self.info_page is not None:
            self.pages.removeWidget(self.info_page)
            self.info_page.deleteLater()
            self.info_page = None

    def shutdown(self) -> None:
        self.runner.close(5000)
        self.close_current()
        if self.workspace is not None:
            self.workspace.close()
            self.workspace = None
