"""Work not saved when another round is asked for: the one question a screen holding such
work asks (Save, Discard, or Cancel to stay on the round), so every screen asks it alike.

A screen registers a guard in ``StaffContext.round_guards`` (see ``set_round``) and asks
through its own ``ask_unsaved`` attribute, which tests replace with a plain function.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QMessageBox, QWidget

from judgepanel.ui.staff.table_model import tr

# What the person chose for work not saved when another round was asked for.
SAVE, DISCARD, STAY = "save", "discard", "stay"
# (parent, title, what is not saved, the name of the round it belongs to) -> the choice.
AskUnsaved = Callable[[QWidget, str, str, str], str]


def ask_unsaved(parent: QWidget, title: str, text: str, round_name: str) -> str:
    """``text`` says what is not saved, in ``round_name``: SAVE, DISCARD or STAY."""
    box = QMessageBox(QMessageBox.Icon.Question, title, text, parent=parent)
    box.setInformativeText(tr("Save them before the round you chose shows, or discard "
                              "them. Cancel stays on “{round}”.").format(round=round_name))
    save = box.addButton(tr("&Save"), QMessageBox.ButtonRole.AcceptRole)
    discard = box.addButton(tr("&Discard changes"), QMessageBox.ButtonRole.DestructiveRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(save)
    box.exec()
    clicked = box.clickedButton()
    return SAVE if clicked is save else DISCARD if clicked is discard else STAY
