"""A bundle signed by another staff key than earlier ones of its program: warn, then ask."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from judgepanel.crypto.identity import Identity
from judgepanel.model.judge.schema import StaffKeyChangedError
from judgepanel.model.judge.workspace import JudgeWorkspace
from judgepanel.ui.main_window import MainWindow
from tests.ui.judge.conftest import Program, build_bundle, make_window

WAIT = 10_000


@dataclass
class Judge:
    """The window plus what the judge was shown: questions asked, errors displayed."""

    window: MainWindow
    answer: bool
    asked: list[StaffKeyChangedError] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def confirm(self, _parent: object, error: StaffKeyChangedError) -> bool:
        self.asked.append(error)
        return self.answer

    @property
    def workspace(self) -> JudgeWorkspace:
        assert self.window.judge.workspace is not None
        return self.window.judge.workspace


def judge_window(qtbot, tmp_path: Path, program: Program, *, answer: bool) -> Judge:  # type: ignore[no-untyped-def]
    """A window that has opened the program's first bundle (so its staff key is pinned)."""
    judge = Judge(make_window(qtbot, tmp_path), answer)
    judge.window.judge.error = lambda _parent, _title, message: judge.errors.append(message)
    judge.window.judge.confirm_key = judge.confirm
    judge.window.show()
    qtbot.waitExposed(judge.window)
    judge.window.judge.open_with(str(program.bundle), program.judge)
    qtbot.waitUntil(lambda: judge.window.judge.page is not None, timeout=WAIT)
    assert judge.workspace.staff_key("P-2026") is not None
    return judge


def test_a_changed_staff_key_asks_and_refusing_opens_nothing(qtbot, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                             program: Program) -> None:
    judge = judge_window(qtbot, tmp_path, program, answer=False)
    forger = Identity.generate("Program Staff", "staff")
    forged = build_bundle(tmp_path / "..", program.judge, forger, bundle_id="B-ui-2")
    judge.window.judge.open_with(str(forged), program.judge)
    qtbot.waitUntil(lambda: bool(judge.asked or judge.errors), timeout=WAIT)
    judge.window.judge.runner.wait(WAIT)
    # the forged bundle opened nothing; the bundle already open stays open (issue 14)
    assert judge.window.judge.page is not None
    assert judge.window.judge.page.session.info.bundle_id == "B-ui-1"
    assert judge.errors == []  # one question, not an error box as well
    (error,) = judge.asked
    assert (error.pinned, error.offered) == (program.staff.fingerprint, forger.fingerprint)
    assert "different staff key" in judge.window.judge.last_error
    pin = judge.workspace.staff_key("P-2026")
    assert pin is not None and pin.fingerprint == program.staff.fingerprint
    assert [b.bundle_id for b in judge.workspace.bundles()] == ["B-ui-1"]


def test_accepting_the_new_key_opens_the_bundle_and_repins(qtbot, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                           program: Program) -> None:
    judge = judge_window(qtbot, tmp_path, program, answer=True)
    new_staff = Identity.generate("Program Staff", "staff")
    renewed = build_bundle(tmp_path / "..", program.judge, new_staff, bundle_id="B-ui-3")
    judge.window.judge.open_with(str(renewed), program.judge)
    qtbot.waitUntil(lambda: bool(judge.errors) or (
        judge.window.judge.page is not None
        and judge.window.judge.page.session.info.bundle_id == "B-ui-3"), timeout=WAIT)
    assert judge.errors == []
    assert judge.window.judge.page is not None
    assert judge.window.judge.page.session.info.bundle_id == "B-ui-3"
    assert [e.offered for e in judge.asked] == [new_staff.fingerprint]
    pin = judge.workspace.staff_key("P-2026")
    assert pin is not None and pin.fingerprint == new_staff.fingerprint
    assert [e.action for e in judge.workspace.audit_events("staff_key.")] == [
        "staff_key.pinned", "staff_key.replaced"]


def test_the_warning_refuses_by_default(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Escape (or Enter on the default button) never trusts a new key."""
    from PySide6.QtCore import Qt, QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    from judgepanel.ui.judge.opening import confirm_new_staff_key

    window = make_window(qtbot, tmp_path)
    error = StaffKeyChangedError("P-2026", "AAAA-AAAA-AAAA-AAAA", "BBBB-BBBB-BBBB-BBBB", "x")
    seen: list[str] = []

    def press(key: Qt.Key) -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, lambda: press(key))
            return
        seen.append(box.text() + "\n" + box.informativeText())
        qtbot.keyClick(box, key)

    for key in (Qt.Key.Key_Escape, Qt.Key.Key_Return):
        QTimer.singleShot(0, lambda key=key: press(key))
        assert confirm_new_staff_key(window, error) is False
    assert "different staff key" in seen[0]
    assert "AAAA-AAAA-AAAA-AAAA" in seen[0] and "BBBB-BBBB-BBBB-BBBB" in seen[0]
