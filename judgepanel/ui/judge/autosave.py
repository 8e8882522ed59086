"""Saving as the judge works: edits go to the judging session, which commits each one.

Scores and confidence commit at once; typed text a moment after the judge stops
typing, and always before anything else happens (the page flushes on every switch,
export and close). ``saved`` fires only after the commit returned, so the page's
"Saved" indicator never claims more than the workspace holds.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal

from judgepanel.errors import JudgePanelError
from judgepanel.model.judge.records import ExportRecord
from judgepanel.model.judge.session import JudgingSession

TEXT_DELAY_MS = 400


def write_scoresheet(session: JudgingSession, record: ExportRecord) -> str:
    """The judge's own PDF beside the results file (reports package); a note for the judge."""
    try:
        from judgepanel.reports import scoresheet
    except ImportError:
        return ""
    pdf = record.path.with_suffix(".pdf")
    try:
        scoresheet.build(scoresheet.sheet_from_session(session, sequence=record.sequence), pdf)
    except (JudgePanelError, OSError) as error:
        return QCoreApplication.translate("Autosaver", "The score sheet could not be made: "
                                          "{why}").format(why=error)
    return QCoreApplication.translate("Autosaver", "Your score sheet is {path}.").format(
        path=pdf)


class Autosaver(QObject):
    """Sends edits to the session: scores at once, text after a short pause."""

    saved = Signal(str)  # application id
    failed = Signal(str)  # a message for the judge
    pending = Signal()

    def __init__(self, session: JudgingSession, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self._pending: dict[tuple[str, str, str], Any] = {}
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(TEXT_DELAY_MS)
        self.timer.timeout.connect(self.flush)

    def edit(self, app_id: str, kind: str, key: str, value: Any) -> None:
        self._pending[(app_id, kind, key)] = value
        self.pending.emit()
        if kind in ("score", "confidence"):
            self.flush()
        else:
            self.timer.start()

    def has_pending(self) -> bool:
        return bool(self._pending)

    def flush(self) -> None:
        self.timer.stop()
        pending, self._pending = self._pending, {}
        touched: list[str] = []
        for (app_id, kind, key), value in pending.items():
            try:
                self._apply(app_id, kind, key, value)
            except JudgePanelError as error:
                self.failed.emit(str(error))
                continue
            if app_id not in touched:
                touched.append(app_id)
        for app_id in touched:
            self.saved.emit(app_id)

    def _apply(self, app_id: str, kind: str, key: str, value: Any) -> None:
        s = self.session
        if kind == "score":
            s.set_score(app_id, key, value)
        elif kind == "comment":
            s.set_comment(app_id, key, value)
        elif kind == "feedback":
            s.set_feedback(app_id, key, value)
        elif kind == "overall":
            s.set_overall_comment(app_id, value)
        elif kind == "overall_feedback":
            s.set_overall_feedback(app_id, value)
        elif kind == "confidence":
            s.set_confidence(app_id, value)
        elif kind == "note":
            s.set_private_note(app_id, value)
        else:  # pragma: no cover - a programming error
            raise ValueError(kind)
