"""The flow layout: one line when it fits, groups wrapped whole, stretches, right to left."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton, QWidget

from judgepanel.ui.flow_layout import FlowLayout


def _row(qtbot: Any) -> tuple[QWidget, FlowLayout, QLabel, QPushButton, QPushButton]:
    window = QWidget()
    qtbot.addWidget(window)
    flow = FlowLayout(window)
    flow.setContentsMargins(0, 0, 0, 0)
    label, back, on = QLabel("Application 3 of 40"), QPushButton("Previous"), QPushButton("Next")
    flow.addWidget(label)
    flow.addStretch()
    flow.add_group(back, on)
    return window, flow, label, back, on


def test_one_line_when_it_fits_and_the_group_wraps_whole(qtbot: Any) -> None:
    window, flow, label, back, on = _row(qtbot)
    one_line = flow.sizeHint().width()
    assert flow.minimumSize().width() < one_line  # narrower than the row: it wraps
    window.resize(one_line + 200, 100)
    window.show()
    qtbot.waitUntil(lambda: on.geometry().right() == window.width() - 1)  # the stretch
    assert back.y() == on.y() and abs(label.geometry().center().y()
                                      - back.geometry().center().y()) <= 1
    assert flow.heightForWidth(one_line) < flow.heightForWidth(one_line - 1)
    window.resize(one_line - 1, 100)
    qtbot.waitUntil(lambda: back.y() > label.geometry().bottom())
    assert back.x() == 0 and on.y() == back.y()  # the group together, at the start


def test_a_hidden_widget_takes_no_room_and_right_to_left_mirrors(qtbot: Any) -> None:
    window, flow, label, back, on = _row(qtbot)
    before = flow.sizeHint().width()
    label.hide()
    assert flow.sizeHint().width() <= before - label.sizeHint().width()
    window.resize(flow.sizeHint().width(), 100)
    window.show()
    qtbot.waitUntil(lambda: back.x() == 0)
    window.setLayoutDirection(Qt.LayoutDirection.RightToLeft)
    qtbot.waitUntil(lambda: on.x() == 0)
    assert back.x() > on.x()
