"""The panel's decisions: one row per application and round, versioned like awards.

Revision ID: 0010
Revises: 0009
Create Date: 2027-02-10 10:00:00

``decisions`` holds the outcome (a name from the program's outcome list, or NULL once
cleared), the reason, who decided and when, and the row version officers sharing a
program edit from (``storage.versions``). Downgrading drops the table (the audit log
keeps every decision made).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=100), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("decided_by", sa.String(length=200), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.Column("changed_by", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(["application_id"], ["applications.id"],
                                name=op.f("fk_decisions_application_id_applications")),
        sa.ForeignKeyConstraint(["round_id"], ["rounds.id"], ondelete="CASCADE",
                                name=op.f("fk_decisions_round_id_rounds")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decisions")),
        sa.UniqueConstraint("round_id", "application_id",
                            name=op.f("uq_decisions_round_id_application_id")),
    )


def downgrade() -> None:
    op.drop_table("decisions")
