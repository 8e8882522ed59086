"""The staff reports as the screen names them, in the officer's language.

Why here: the reports package lays out PDFs without Qt, so its titles are plain
English; the leaderboard's report chooser needs them through tr(). A kind added
to ``REPORT_KINDS`` without a line here still shows (in English) and the
translation test points at it.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from judgepanel.reports import REPORT_KINDS


def _tr(text: str) -> str:
    return QCoreApplication.translate("staff.reports", text)


def report_choices() -> list[tuple[str, str, str]]:
    """(name, title, description) of every report kind, translated where known."""
    known = {
        "ranking": (_tr("Ranking report"),
                    _tr("method, ranking, charts, agreement, categories and funding line")),
        "dossier": (_tr("Application dossiers"),
                    _tr("every judge's scores, comments for the panel and feedback for the "
                        "applicant per application, flags and conflicts")),
        "coi": (_tr("Conflict-of-interest register"),
                _tr("every finding, declaration and decision with reasons and times")),
        "activity": (_tr("Judge activity"),
                     _tr("who returned what, when, with which sequence; who is late")),
        "feedback": (_tr("Feedback to applicants"),
                     _tr("judges' feedback for each applicant (never their comments for the "
                         "panel), without names or scores unless allowed")),
        "compendium": (_tr("Compendium"),
                       _tr("best practices (recognition) or funded initiatives (grants): the "
                           "selected applications' summaries for publication")),
        "decisions": (_tr("Decisions"),
                      _tr("each decision of the panel with its reason and scores; every "
                          "departure from the ranking called out")),
        "audit": (_tr("Audit log"), _tr("the audit log with its chain check")),
    }
    return [(kind.name, *known.get(kind.name, (kind.title, kind.description)))
            for kind in REPORT_KINDS.values()]
