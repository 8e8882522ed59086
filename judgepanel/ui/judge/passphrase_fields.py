"""Choosing a passphrase: typed twice, with a plain hint on its strength as it is typed.

A passphrase protects a judge's keys (and the backups they export), so a short or
easily guessed one is refused (``crypto.passphrase.passphrase_strength``), and the
hint says what works instead, before the judge presses anything.
"""

from __future__ import annotations

from PySide6.QtWidgets import QFormLayout, QLabel, QLineEdit, QWidget

from judgepanel.crypto.passphrase import MIN_LENGTH, passphrase_strength
from judgepanel.ui.judge.look import muted, span, warning


class NewPassphrase(QWidget):
    """Two password fields and a hint; :meth:`problem` is "" when the passphrase may be used."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.first = QLineEdit()
        self.first.setEchoMode(QLineEdit.EchoMode.Password)
        self.first.setAccessibleName(self.tr("New passphrase"))
        self.repeat = QLineEdit()
        self.repeat.setEchoMode(QLineEdit.EchoMode.Password)
        self.repeat.setAccessibleName(self.tr("Repeat the passphrase"))
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.hint.setAccessibleName(self.tr("Passphrase strength"))
        self.first.textChanged.connect(self._update)
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        label = QLabel(self.tr("&Passphrase:"))
        label.setBuddy(self.first)
        again = QLabel(self.tr("Re&peat it:"))
        again.setBuddy(self.repeat)
        form.addRow(label, self.first)
        form.addRow(again, self.repeat)
        form.addRow("", self.hint)
        self._update()

    def text(self) -> str:
        return self.first.text()

    def clear(self) -> None:
        self.first.clear()
        self.repeat.clear()

    def advice(self) -> str:
        return self.tr("Use at least {n} characters. A few unrelated words work well, like "
                       "“lamp river cactus plenty”.").format(n=MIN_LENGTH)

    def problem(self) -> str:
        """Why the passphrase cannot be used yet, in plain words ("" when it can)."""
        text = self.first.text()
        if not text:
            return self.tr("Please choose a passphrase.")
        strength = passphrase_strength(text)
        if strength.problem == "short":
            return self.tr("This passphrase is too short.") + " " + self.advice()
        if strength.problem == "guessable":
            return self.tr("This passphrase is too easy to guess (common words, names, dates "
                           "or keyboard runs).") + " " + self.advice()
        if text != self.repeat.text():
            return self.tr("The two passphrases differ. Type them again.")
        return ""

    def _update(self) -> None:
        text = self.first.text()
        if not text:
            self.hint.setText(span(muted(self), self.advice()))
            return
        strength = passphrase_strength(text)
        if strength.ok:
            self.hint.setText(span(muted(self), self.tr("Strong enough ✓")))
        else:
            words = (self.tr("Too short.") if strength.problem == "short"
                     else self.tr("Too easy to guess."))
            self.hint.setText(span(warning(self), words + " " + self.advice()))
