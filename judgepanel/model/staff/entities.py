"""All staff-workspace entities in one import.

Importing this module registers every table on ``Base.metadata`` (Alembic's
env.py and the schema test rely on that). The mappings themselves live in
``entities_program`` (what staff prepare) and ``entities_review`` (what
happens during judging), to keep each module readable.
"""

from __future__ import annotations

from judgepanel.model.staff.entities_program import (
    Application,
    Attachment,
    Category,
    Conflict,
    CriterionRow,
    Judge,
    JudgeAffiliation,
    Program,
    Round,
    RubricRow,
    application_categories,
    judge_categories,
)
from judgepanel.model.staff.entities_review import (
    Assignment,
    AuditEvent,
    Declaration,
    IssuedBundle,
    ReceivedResults,
    Review,
    Score,
)
from judgepanel.model.storage.engine import Base

__all__ = [
    "Application",
    "Assignment",
    "Attachment",
    "AuditEvent",
    "Base",
    "Category",
    "Conflict",
    "CriterionRow",
    "Declaration",
    "IssuedBundle",
    "Judge",
    "JudgeAffiliation",
    "Program",
    "ReceivedResults",
    "Review",
    "Round",
    "RubricRow",
    "Score",
    "application_categories",
    "judge_categories",
]
