"""The base of every staff screen: reload on the changes it shows, only when visible.

Why lazy: a change announced while a screen is hidden only marks it stale, so
opening a 2,000-application program does not reload ten screens at once.

Reloads go through :meth:`Screen.load`, which shows only the newest one's result:
background work runs on two threads, so a read started before a change can
finish after the read started because of it, and would put stale rows back.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget

from judgepanel.ui.staff.context import EVERYTHING, StaffContext

T = TypeVar("T")


class Screen(QWidget):
    """A page in the staff app. Subclasses set ``topics`` and implement :meth:`reload`."""

    topics: frozenset[str] = frozenset()
    title_text = ""  # the screen's title, untranslated (see translated_title)

    @classmethod
    def translated_title(cls) -> str:
        """The title, translated as ``self.tr`` would: the sidebar lists it before the
        screen is built (the page builds a screen when it is first shown)."""
        return QCoreApplication.translate(cls.__name__, cls.title_text)

    def __init__(self, ctx: StaffContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        title = self.translated_title()
        self.ctx = ctx
        self.title = title
        self.setAccessibleName(title)
        self._stale = True
        self._loads = 0  # reloads started; only the newest one's result is shown
        ctx.changed.connect(self._on_changed)
        ctx.round_changed.connect(lambda _id: self._on_changed(EVERYTHING))
        self.layout_ = QVBoxLayout(self)
        heading = QLabel(f"<h2>{title}</h2>")
        heading.setAccessibleName(title)
        self.layout_.addWidget(heading)

    def hint(self, text: str) -> QLabel:
        """A short line under the heading saying what this screen is for."""
        label = QLabel(text)
        label.setWordWrap(True)
        label.setFrameShape(QFrame.Shape.NoFrame)
        self.layout_.addWidget(label)
        return label

    def _on_changed(self, topic: str) -> None:
        if topic == EVERYTHING or topic in self.topics or not self.topics:
            self._stale = True
            if self.isVisible():
                self.refresh()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt override)
        super().showEvent(event)
        if self._stale:
            self.refresh()

    def refresh(self) -> None:
        self._stale = False
        self.reload()

    def load(self, query: Callable[[Any], T], show: Callable[[T], None]) -> None:
        """Run ``query(session)`` in the background and ``show`` its result, unless a newer
        load of this screen has started meanwhile (its result will follow)."""
        self._loads += 1
        ticket = self._loads

        def deliver(result: T) -> None:
            if ticket == self._loads:
                show(result)

        self.ctx.read(query, deliver, parent=self)

    def round_for_change(self, shown_round: int | None, say: Callable[[str], None],
                         still_reading: str) -> int | None:
        """The round a change made on this screen goes to: the round whose data it shows.

        None while a round chosen since is still being read (``say`` tells the person
        ``still_reading``): the screen shows the round before, and a change made from
        it would land in the new round."""
        chosen = self.ctx.round_id
        if shown_round is None or chosen is None:
            return None
        if shown_round != chosen:
            say(still_reading)
            return None
        return shown_round

    def reload(self) -> None:
        """Start loading this screen's data in the background (through :meth:`load`)."""
