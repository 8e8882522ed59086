"""“Use an identity file…”: a demo identity or an exported backup, imported into this
computer's store from the unlock dialog; and colours that read on light and dark."""

from __future__ import annotations

from pathlib import Path

import pytest
from keyring.backends import fail
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QLabel

from judgepanel.crypto.identity import Identity
from judgepanel.formats.keystore import IdentityStore
from judgepanel.model.demo.files import write_demo_identity
from judgepanel.ui.judge.card_panel import documents_folder
from judgepanel.ui.judge.look import muted, warning
from judgepanel.ui.judge.unlock import UnlockDialog
from judgepanel.ui.tasks import TaskRunner

WAIT = 10_000


def dialog_for(qtbot, store: IdentityStore, path: Path) -> UnlockDialog:  # type: ignore[no-untyped-def]
    dialog = UnlockDialog(store, TaskRunner(), ask_identity=lambda _parent, _folder: str(path))
    qtbot.addWidget(dialog)
    return dialog


def demo_file(tmp_path: Path, identity: Identity) -> Path:
    write_demo_identity(tmp_path / "keys", tmp_path / "cards", "ana", identity)
    return tmp_path / "keys" / "ana.identity"


def test_a_demo_identity_file_is_imported_on_first_run(qtbot, tmp_path: Path) -> None:
    ana = Identity.generate("Ana Judge", "judge")
    (tmp_path / "keys").mkdir()
    (tmp_path / "cards").mkdir()
    store = IdentityStore(tmp_path / "ids", work_factor=10)
    dialog = dialog_for(qtbot, store, demo_file(tmp_path, ana))
    assert dialog.pages.currentWidget() is dialog.create_page  # first run: nothing stored
    dialog.create_file_button.click()  # plain file, keyring works: no question to ask
    qtbot.waitUntil(lambda: dialog.identity is not None, timeout=WAIT)
    assert dialog.identity == ana and dialog.result() == UnlockDialog.DialogCode.Accepted
    assert [c.fingerprint for c in store.list()] == [ana.fingerprint]
    assert store.secret_location(ana.fingerprint) == "keyring"
    assert store.load(ana.fingerprint) == ana


def test_an_exported_identity_asks_for_its_passphrase(qtbot, tmp_path: Path) -> None:
    elsewhere = IdentityStore(tmp_path / "old-computer", work_factor=10)
    ana = elsewhere.create("Ana Judge", "judge", passphrase="old one")
    backup = tmp_path / "ana.identity.age"
    elsewhere.export_identity_file(ana.fingerprint, backup, passphrase="correct horse",
                                   current_passphrase="old one")
    store = IdentityStore(tmp_path / "ids", work_factor=10)
    store.create("Someone Earlier", "judge")
    dialog = dialog_for(qtbot, store, backup)
    assert dialog.pages.currentWidget() is dialog.choose_page
    dialog.file_button.click()
    assert dialog.pages.currentWidget() is dialog.import_page
    assert "protected by a passphrase" in dialog.import_intro.text()
    assert dialog.import_new.isHidden() and dialog.default_button() is dialog.import_button
    dialog.import_file()
    assert "type the passphrase" in dialog.error.text()
    dialog.import_passphrase.setText("wrong horse")
    dialog.import_file()
    qtbot.waitUntil(lambda: "Wrong passphrase" in dialog.error.text(), timeout=WAIT)
    assert dialog.identity is None and store.secret_location(ana.fingerprint) is None
    dialog.import_passphrase.setText("correct horse")
    dialog.import_file()
    qtbot.waitUntil(lambda: dialog.identity is not None, timeout=WAIT)
    assert dialog.identity == ana
    assert store.secret_location(ana.fingerprint) == "keyring"


def test_without_a_keyring_the_imported_identity_gets_a_passphrase(qtbot,
                                                                   tmp_path: Path) -> None:
    ana = Identity.generate("Ana Judge", "judge")
    (tmp_path / "keys").mkdir()
    (tmp_path / "cards").mkdir()
    store = IdentityStore(tmp_path / "ids", backend=fail.Keyring(), work_factor=10)
    assert not store.keyring_usable()
    dialog = dialog_for(qtbot, store, demo_file(tmp_path, ana))
    dialog.create_file_button.click()
    assert dialog.pages.currentWidget() is dialog.import_page
    assert not dialog.import_new.isHidden() and dialog.import_passphrase.isHidden()
    dialog.import_new.first.setText("abc")
    dialog.import_file()
    assert "too short" in dialog.error.text()  # issue 14: a 3-character one was accepted
    dialog.import_new.first.setText("lantern orchard ribbon")
    dialog.import_new.repeat.setText("a different one")
    dialog.import_file()
    assert "differ" in dialog.error.text()
    dialog.import_new.repeat.setText("lantern orchard ribbon")
    dialog.import_file()
    qtbot.waitUntil(lambda: dialog.identity is not None, timeout=WAIT)
    assert store.secret_location(ana.fingerprint) == "file"
    assert store.load(ana.fingerprint, passphrase="lantern orchard ribbon") == ana


def test_a_staff_identity_file_is_refused_in_plain_words(qtbot, tmp_path: Path) -> None:
    staff = Identity.generate("Program Staff", "staff")
    (tmp_path / "keys").mkdir()
    (tmp_path / "cards").mkdir()
    store = IdentityStore(tmp_path / "ids", work_factor=10)
    dialog = dialog_for(qtbot, store, demo_file(tmp_path, staff))
    dialog.create_file_button.click()
    qtbot.waitUntil(lambda: "program staff, not to a judge" in dialog.error.text(),
                    timeout=WAIT)
    assert dialog.identity is None and store.list() == []
    assert dialog.pages.isEnabled()


def test_a_file_that_is_no_identity_says_so(qtbot, tmp_path: Path) -> None:
    junk = tmp_path / "notes.txt"
    junk.write_text("hello")
    store = IdentityStore(tmp_path / "ids", work_factor=10)
    dialog = dialog_for(qtbot, store, junk)
    dialog.create_file_button.click()
    qtbot.waitUntil(lambda: bool(dialog.error.text())
                    and "Reading" not in dialog.error.text(), timeout=WAIT)
    assert dialog.identity is None and store.list() == []


def test_choosing_an_identity_file_starts_beside_the_bundle(qtbot, tmp_path: Path) -> None:
    """Not in the home folder: staff send the identity file with the bundle. Trying again
    starts where the last file was; with no bundle, where a backup is suggested."""
    downloads, stick = tmp_path / "Downloads", tmp_path / "USB stick"
    downloads.mkdir()
    stick.mkdir()
    junk = stick / "notes.txt"
    junk.write_text("hello")
    store = IdentityStore(tmp_path / "ids", work_factor=10)
    asked: list[str] = []

    def ask(_parent: object, folder: str) -> str:
        asked.append(folder)
        return str(junk)

    dialog = UnlockDialog(store, TaskRunner(), ask_identity=ask,
                          near=downloads / "Bundle – Mayors' Recognition.jpbundle")
    qtbot.addWidget(dialog)
    dialog.create_file_button.click()
    qtbot.waitUntil(lambda: bool(dialog.error.text())
                    and "Reading" not in dialog.error.text(), timeout=WAIT)
    dialog.create_file_button.click()  # not an identity: choose again
    assert asked[0] == str(downloads) and asked[1] == str(stick)
    alone = UnlockDialog(store, TaskRunner(), ask_identity=ask)  # My identity: no bundle
    qtbot.addWidget(alone)
    alone.choose_identity_file()
    assert asked[2] == str(documents_folder())  # where a backup is suggested


def _contrast(a: QColor, b: QColor) -> float:
    def luminance(c: QColor) -> float:
        def channel(v: float) -> float:
            return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4
        return (0.2126 * channel(c.redF()) + 0.7152 * channel(c.greenF())
                + 0.0722 * channel(c.blueF()))
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


@pytest.mark.parametrize("window, text", [("#efefef", "#000000"), ("#ffffff", "#1a1a1a"),
                                          ("#353535", "#ffffff"), ("#1e1e1e", "#dddddd")])
def test_emphasis_colours_read_on_light_and_dark_windows(qtbot, window: str,
                                                         text: str) -> None:
    label = QLabel()
    qtbot.addWidget(label)
    palette = QPalette(QApplication.palette())
    palette.setColor(QPalette.ColorRole.Window, QColor(window))
    palette.setColor(QPalette.ColorRole.WindowText, QColor(text))
    label.setPalette(palette)
    background = QColor(window)
    assert _contrast(QColor(muted(label)), background) >= 4.5
    assert _contrast(QColor(warning(label)), background) >= 4.5
    assert _contrast(QColor("gray"), QColor("#353535")) < 3.5  # what was used before
