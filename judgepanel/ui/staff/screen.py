"""The base of every staff screen: reload on the changes it shows, only when visible.

Why lazy: a change announced while a screen is hidden only marks it stale, so
opening a 2,000-application program does not reload ten screens at once.

Reloads go through :meth:`Screen.load`, which shows only the newest one's result:
background work runs on two threads, so a read started before a change can
finish after the read started because of it, and would put stale rows back.

While a screen reads a round other than the one its rows are from (a round was just
chosen), it is *reading*: after :data:`READING_MARK_DELAY_MS` (so a fast read shows
nothing) the screen is disabled: its actions grey, its tables take no input (they keep
their pixels: see ``_mark``), and ``reading_changed`` tells the page, which says which
round is being read. The rows still shown are the round before: nothing may be done to
them. The mark goes when the read lands, or fails (the error shows as for any read).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from PySide6.QtCore import QCoreApplication, QTimer, Signal
from PySide6.QtWidgets import QAbstractItemView, QFrame, QLabel, QVBoxLayout, QWidget

from judgepanel.errors import JudgePanelError
from judgepanel.ui.staff.context import EVERYTHING, StaffContext

if TYPE_CHECKING:
    from PySide6.QtGui import QShowEvent

T = TypeVar("T")

READING_MARK_DELAY_MS = 150  # a read that lands sooner shows no mark (no flicker)


class Screen(QWidget):
    """A page in the staff app. Subclasses set ``topics`` and implement :meth:`reload`."""

    topics: frozenset[str] = frozenset()
    title_text = ""  # the screen's title, untranslated (see translated_title)
    # Whether the rows depend on the chosen round. A screen of the whole program
    # (applications, judges…) rereads the same rows when a round is chosen: no mark.
    follows_round = True
    # The page shows or hides its "Reading …" line (see :attr:`reading_round`).
    reading_changed = Signal()

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
        # The round of the rows shown (set once ``show`` has them: while it runs, still
        # the round before), and the round the newest load reads.
        self.shown_round: int | None = None
        self._wanted_round: int | None = None
        self.reading = False  # the mark shows: the screen is disabled
        self._mark_timer = QTimer(self)
        self._mark_timer.setSingleShot(True)
        self._mark_timer.timeout.connect(self._mark)
        ctx.changed.connect(self._on_changed)
        ctx.round_changed.connect(lambda _id: self._on_changed(EVERYTHING))
        self.layout_ = QVBoxLayout(self)
        heading = QLabel(f"<h2>{title}</h2>")
        heading.setAccessibleName(title)
        self.layout_.addWidget(heading)

    @property
    def reading_round(self) -> int | None:
        """The round being read while the mark shows (None when it does not)."""
        return self._wanted_round if self.reading else None

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
        load of this screen has started meanwhile (its result will follow).

        The load reads the round chosen now; until it lands the screen is marked as
        reading when that is not the round it shows (see the module docstring)."""
        self._loads += 1
        ticket = self._loads
        round_id = self.ctx.round_id if self.follows_round else None
        self._start_reading(round_id)

        def deliver(result: T) -> None:
            if ticket == self._loads:
                self._stop_reading()
                show(result)  # the same turn of the event loop: no frame in between
                self.shown_round = round_id

        def failed(error: JudgePanelError) -> None:
            if ticket == self._loads:
                self._stop_reading()
                self._stale = True  # shown again, it tries again
            self.ctx.show_error(self, error)

        self.ctx.read(query, deliver, parent=self, on_error=failed)

    def _start_reading(self, round_id: int | None) -> None:
        if round_id == self.shown_round:
            self._stop_reading()  # a reread of the round shown: no mark
            return
        self._wanted_round = round_id
        if self.reading:  # marked already: name the newer round
            self.reading_changed.emit()
        elif not self._mark_timer.isActive():
            self._mark_timer.start(READING_MARK_DELAY_MS)

    def _mark(self) -> None:
        self.reading = True
        # The tables keep the pixels they have: repainting them greyed would call their
        # Python models for every cell while the read holds the interpreter (a 300 ms
        # stall on a 2,000-row board). Disabled, they take no input all the same.
        for view in self.findChildren(QAbstractItemView):
            view.setUpdatesEnabled(False)
        self.setEnabled(False)  # greys every action on the rows
        self.reading_changed.emit()

    def _stop_reading(self) -> None:
        self._mark_timer.stop()
        if self.reading:
            self.reading = False
            self.setEnabled(True)
            for view in self.findChildren(QAbstractItemView):
                view.setUpdatesEnabled(True)
            self.reading_changed.emit()

    def round_for_change(self, say: Callable[[str], None], still_reading: str) -> int | None:
        """The round a change made on this screen goes to: the round whose data it shows.

        None while a round chosen since is still being read (``say`` tells the person
        ``still_reading``): the screen shows the round before, and a change made from
        it would land in the new round."""
        chosen = self.ctx.round_id
        if self.shown_round is None or chosen is None:
            return None
        if self.shown_round != chosen:
            say(still_reading)
            return None
        return self.shown_round

    def reload(self) -> None:
        """Start loading this screen's data in the background (through :meth:`load`)."""
