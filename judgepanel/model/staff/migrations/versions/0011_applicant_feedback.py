"""Two texts per review at staff: feedback for the applicant beside the panel's comments.

Revision ID: 0011
Revises: 0010
Create Date: 2027-02-15 10:00:00

Results format 3 carries, beside each comment for the panel, feedback for the
applicant (per criterion and overall), and a rubric says when that feedback is
required (docs/rubrics.md). Upgrading adds ``scores.feedback`` and
``reviews.overall_feedback`` (empty for every review received so far: those files
were versions 1 and 2, whose comments were written for the panel),
``received_results.format_version`` (NULL for those files: before version 3), and the
rubric's feedback rules (``criteria.feedback_when`` / ``feedback_threshold``,
``rubrics.overall_feedback_required``; "never" and false: optional, as every rubric
so far). Downgrading drops them; feedback received in the meantime is lost with them.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ADDED: tuple[tuple[str, sa.Column[object]], ...] = (
    ("scores", sa.Column("feedback", sa.Text(), nullable=False, server_default="")),
    ("reviews", sa.Column("overall_feedback", sa.Text(), nullable=False, server_default="")),
    ("received_results", sa.Column("format_version", sa.Integer(), nullable=True)),
    ("criteria", sa.Column("feedback_when", sa.String(10), nullable=False,
                           server_default="never")),
    ("criteria", sa.Column("feedback_threshold", sa.Float(), nullable=True)),
    ("rubrics", sa.Column("overall_feedback_required", sa.Boolean(), nullable=False,
                          server_default=sa.false())),
)


def upgrade() -> None:
    for table, column in ADDED:
        op.add_column(table, column)


def downgrade() -> None:
    # Plain DROP COLUMN, as in 0003 and 0008: batch mode would rebuild tables others
    # point at.
    for table, column in reversed(ADDED):
        op.drop_column(table, column.name)
