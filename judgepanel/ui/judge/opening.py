"""Opening a bundle in the main window: unlock, open in the background, show its facts.

Why a separate object: the main window only knows that a file was chosen; this flow
turns a ``.jpbundle`` path into a judge page (identity, background opening with
progress, the bundle facts first, then the work) and shows every refusal from the
formats layer as the plain message it carries. One refusal is a question: a bundle
signed by another staff key than earlier bundles of its program. The judge is warned
and may, once the staff confirmed the new key by phone, open it anyway (re-pinning).

The identity is unlocked once per session and kept for the next file opened (a
passphrase prompt on every File > Open was one too many). A bundle that fails to open
leaves the bundle already open as it was. A results file or work file opened here is
recognised (``open_results``): the judge's own is offered to continue from.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import (
    QFileDialog,
    QMessageBox,
    QProgressDialog,
    QWidget,
)

from judgepanel.crypto.identity import Identity
from judgepanel.errors import IdentityError, JudgePanelError, WrongKeyError
from judgepanel.formats.detect import is_work_file
from judgepanel.formats.keystore import IdentityStore
from judgepanel.model.judge.bundle_readers import VERIFY_LABEL
from judgepanel.model.judge.restore import OwnResults, read_own_results
from judgepanel.model.judge.schema import StaffKeyChangedError
from judgepanel.model.judge.session import JudgingSession
from judgepanel.model.judge.workspace import JudgeWorkspace
from judgepanel.progress import Progress
from judgepanel.ui.judge.bundle_info import BundleInfoPage
from judgepanel.ui.judge.exporting import RunDialog, ask_export_path
from judgepanel.ui.judge.judge_page import AskExportPath, JudgePage
from judgepanel.ui.judge.unlock import UnlockDialog
from judgepanel.ui.tasks import TaskRunner

if TYPE_CHECKING:
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import (
        QMainWindow,
        QStackedWidget,
    )

Unlock = Callable[[QWidget, IdentityStore, TaskRunner, str], Identity | None]  # str: the file
AskContinue = Callable[[QWidget, OwnResults], bool]
AskBundle = Callable[[QWidget, OwnResults], str]
ShowError = Callable[[QWidget, str, str], None]
ConfirmNewStaffKey = Callable[[QWidget, StaffKeyChangedError], bool]


def unlock_with_dialog(parent: QWidget, store: IdentityStore, runner: TaskRunner,
                       opening: str) -> Identity | None:
    """Ask for the identity to open ``opening`` with ("": none in particular)."""
    dialog = UnlockDialog(store, runner, parent, near=Path(opening) if opening else None)
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


def ask_to_continue(parent: QWidget, own: OwnResults) -> bool:
    """A results file or work file of the judge's own: say what it is; True to continue
    from it."""
    content = own.content
    when = own.created.astimezone().strftime("%Y-%m-%d %H:%M")
    names = dict(program=content.program.name, round=content.round.name,
                 n=content.sequence, when=when)
    if own.work_file:
        title = parent.tr("Your work file")
        text = parent.tr("This is your work file for {program} — {round}: your work as you "
                         "saved it on {when} (version {n}), to take it to another "
                         "computer.").format(**names)
        more = parent.tr("Continue from it: JudgePanel opens its bundle and brings back your "
                         "declarations, scores and comments. It is for you alone: do not "
                         "send it to the program staff.")
    else:
        title = parent.tr("Your results file")
        text = parent.tr("This is your results file for {program} — {round}: version "
                         "{n} of your results, exported on {when}.").format(**names)
        more = parent.tr("Send it to the program staff as it is. Or, on a new computer, "
                         "continue from it: JudgePanel opens its bundle and brings back your "
                         "declarations, scores and comments.")
    box = QMessageBox(QMessageBox.Icon.Information, title, text,
                      QMessageBox.StandardButton.NoButton, parent)
    box.setInformativeText(more)
    go = box.addButton(parent.tr("&Continue from this file"), QMessageBox.ButtonRole.AcceptRole)
    close = box.addButton(parent.tr("Close"), QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(go)
    box.setEscapeButton(close)
    box.exec()
    return box.clickedButton() is go


def ask_bundle_for(parent: QWidget, own: OwnResults) -> str:
    path, _ = QFileDialog.getOpenFileName(
        parent, parent.tr("Choose the bundle this file answers ({id})").format(
            id=own.content.bundle_id), str(own.path.parent),
        parent.tr("Judging bundles (*.jpbundle)"))
    return path


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
                 confirm_key: ConfirmNewStaffKey = confirm_new_staff_key,
                 settings: QSettings | None = None,
                 ask_continue: AskContinue = ask_to_continue,
                 ask_bundle: AskBundle = ask_bundle_for) -> None:
        super().__init__(window)
        self.settings = settings
        self.ask_continue, self.ask_bundle = ask_continue, ask_bundle
        self.run_dialog: RunDialog = lambda dialog: dialog.exec()  # tests answer for the judge
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
        if self.identity is not None:  # unlocked once this session: no second prompt
            self.open_with(path, self.identity, ask_again=True)
            return
        identity = self.unlocked(path)
        if identity is not None:
            self.open_with(path, identity)

    def unlocked(self, opening: str) -> Identity | None:
        """The judge's identity: the one unlocked this session, or ask for it now (to open
        the file ``opening``: choosing an identity file starts beside it)."""
        if self.identity is not None:
            return self.identity
        store = self.store if self.store is not None else IdentityStore()
        try:
            identity = self.unlock(self.window, store, self.runner, opening)
        except JudgePanelError as error:
            self._fail(error)
            return None
        self.identity = identity
        return identity

    def open_with(self, path: str, identity: Identity, *,
                  accept_staff_key: str | None = None, ask_again: bool = False,
                  then: Callable[[JudgingSession], None] | None = None) -> None:
        """Open ``path`` with an already unlocked identity (also the tests' entry point).

        ``accept_staff_key``: the new staff fingerprint the judge accepted in
        :func:`confirm_new_staff_key` for this very bundle. ``ask_again``: the identity
        is the one kept from earlier; if the bundle is not for it, unlock another.
        ``then`` runs with the opened session (continuing from a results file).
        """
        self.identity = identity
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
            self.close_current()  # only now: a bundle that fails leaves this one open
            self._opened(session, identity)
            if then is not None:
                then(session)

        def failed(error: JudgePanelError) -> None:
            dialog.close()
            if isinstance(error, StaffKeyChangedError) and accept_staff_key is None:
                self.last_error = str(error)
                if self.confirm_key(self.window, error):
                    self.open_with(path, identity, accept_staff_key=error.offered, then=then)
                return
            if ask_again and isinstance(error, WrongKeyError | IdentityError):
                self.identity = None  # made for another of this person's identities
                other = self.unlocked(path)
                if other is not None and other != identity:
                    self.open_with(path, other, then=then)
                    return
            self._fail(error)

        self.runner.start(lambda report: open_and_verify(
            path, identity, workspace, report, accept_staff_key=accept_staff_key),
            on_done=done, on_error=failed, on_progress=progress)

    # --- a results file ------------------------------------------------------------------

    def open_results(self, path: str) -> None:
        """Recognise a results file: the judge's own is offered to continue from; any other
        is named for what it is. The bundle open now stays open either way."""
        identity = self.unlocked(path)
        if identity is None:
            return
        self.runner.start(lambda _p: read_own_results(path, identity),
                          on_done=self._own_results,
                          on_error=lambda error: self._not_own_results(path, error))

    def _not_own_results(self, path: str, error: JudgePanelError) -> None:
        if is_work_file(path):
            self._not_own_work(path, error)
            return
        self.last_error = self.window.tr(
            "“{name}” is a JudgePanel results file: the signed answers a judge sends to the "
            "program staff, who merge them.").format(name=Path(path).name) + " "
        if isinstance(error, WrongKeyError | IdentityError):
            self.last_error += self.window.tr(
                "It cannot be opened with your identity: it was made by an older JudgePanel "
                "(whose results files only the staff can open) or by another judge. Send it "
                "to the program staff; to go on judging, open your bundle.")
        else:
            self.last_error += str(error)
        self.error(self.window, self.window.tr("This is a results file"), self.last_error)

    def _not_own_work(self, path: str, error: JudgePanelError) -> None:
        tr = self.window.tr
        self.last_error = tr("“{name}” is a JudgePanel work file: a judge's unfinished work, "
                             "saved to take it to another computer.").format(
                                 name=Path(path).name) + " "
        self.last_error += (tr("It cannot be opened with your identity: it is another "
                               "judge's work, or was saved with another of your identities.")
                            if isinstance(error, WrongKeyError | IdentityError)
                            else str(error))
        self.error(self.window, tr("This is a work file"), self.last_error)

    def _own_results(self, own: object) -> None:
        assert isinstance(own, OwnResults)
        if not self.ask_continue(self.window, own):
            return
        if self.page is not None and self.page.session.info.bundle_id == own.content.bundle_id:
            self.show_judging()
            self.page.tabs.setCurrentWidget(self.page.submit)
            self.page.sending.continue_from(own)
            return
        bundle = self._bundle_of(own) or self.ask_bundle(self.window, own)
        if not bundle or self.identity is None:
            return

        def then(_session: JudgingSession) -> None:
            if self.page is not None:
                self.show_judging()
                self.page.tabs.setCurrentWidget(self.page.submit)
                self.page.sending.continue_from(own)

        self.open_with(bundle, self.identity, then=then)

    def _bundle_of(self, own: OwnResults) -> str:
        """The bundle file these results answer, if this computer opened it before."""
        try:
            if self.workspace is None:
                self.workspace = JudgeWorkspace.open(self.workspace_path)
        except JudgePanelError:
            return ""
        for row in self.workspace.bundles():
            if row.bundle_id == own.content.bundle_id and Path(row.path).is_file():
                return row.path
        return ""

    def _fail(self, error: JudgePanelError) -> None:
        self.last_error = str(error)
        self.error(self.window, self.window.tr("The bundle cannot be opened"), str(error))

    def _opened(self, session: JudgingSession, identity: Identity) -> None:
        info = session.info
        self.window.setWindowTitle(self.window.tr("{program} — {round} — {judge}").format(
            program=info.program_name, round=info.round_name, judge=info.judge_name))
        self.page = JudgePage(session, identity, self.runner, ask_path=self.ask_path,
                              settings=self.settings, run_dialog=self.run_dialog)
        self.page.details_requested.connect(self.show_details)
        self.pages.addWidget(self.page)
        self.info_page = BundleInfoPage()
        self.info_page.show_info(
            info, len(session.applications),
            first_from_this_key=session.first_bundle_from_this_staff_key())
        self.info_page.continue_requested.connect(self.show_judging)
        self.pages.addWidget(self.info_page)
        first_time = all(not p.declared for p in session.progress())
        if first_time:
            self.pages.setCurrentWidget(self.info_page)
        else:
            self.show_judging()

    def show_details(self) -> None:
        """The bundle's facts again, staff fingerprint included; Continue goes back."""
        if self.info_page is not None:
            self.info_page.continue_button.setText(self.window.tr("&Back to judging"))
            self.pages.setCurrentWidget(self.info_page)
            self.info_page.continue_button.setFocus()

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
