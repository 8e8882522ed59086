"""Work not saved when it is about to be left: the one question a screen holding such
work asks (Save, Discard, or Cancel to stay), so every screen asks it alike.

Work is left when another round is chosen, when the program closes (the window closes,
or another program opens in its place), or, in the meeting, when another application
shows. A screen registers a guard in ``StaffContext.guards`` (see ``may_leave``) and asks
through its own ``ask_unsaved`` attribute, which tests replace with a plain function.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QMessageBox, QWidget

from judgepanel.ui.staff.table_model import tr

# What the person chose for work not saved when it was about to be left.
SAVE, DISCARD, STAY = "save", "discard", "stay"
# What leaves the work: another round, the program closing, another application shown.
ROUND, CLOSE, APPLICATION = "round", "close", "application"
# (parent, title, what is not saved, what leaves it, where Cancel stays) -> the choice.
AskUnsaved = Callable[[QWidget, str, str, str, str], str]
# A screen's guard: (what leaves its work, what to do again once the work is saved) ->
# whether it may be left now (False: the person stayed, or it goes once saved).
Guard = Callable[[str, Callable[[], object]], bool]


def ask_unsaved(parent: QWidget, title: str, text: str, leaving: str, place: str) -> str:
    """``text`` says what is not saved, in ``place`` (a round, or in the meeting an
    application), before ``leaving`` (ROUND, CLOSE or APPLICATION): SAVE, DISCARD or
    STAY."""
    box = QMessageBox(QMessageBox.Icon.Question, title, text, parent=parent)
    box.setInformativeText(what_next(leaving, place))
    save = box.addButton(tr("&Save"), QMessageBox.ButtonRole.AcceptRole)
    discard = box.addButton(tr("&Discard changes"), QMessageBox.ButtonRole.DestructiveRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(save)
    box.exec()
    clicked = box.clickedButton()
    return SAVE if clicked is save else DISCARD if clicked is discard else STAY


def what_next(leaving: str, place: str) -> str:
    """The question's second line: what each answer does, before ``leaving``."""
    if leaving == CLOSE:
        return tr("Save them before the program closes, or discard them. Cancel keeps the "
                  "program open.")
    if leaving == APPLICATION:
        return tr("Save them before the application you chose shows, or discard them. "
                  "Cancel stays on {application}.").format(application=place)
    return tr("Save them before the round you chose shows, or discard them. Cancel stays "
              "on “{round}”.").format(round=place)
