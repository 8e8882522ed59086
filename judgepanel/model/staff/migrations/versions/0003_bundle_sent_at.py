"""When each issued bundle was sent, in the workspace (shared by every officer).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-09 10:00:00

The staff app used to keep its "sent" ticks in one computer's settings, so two
officers sharing a program saw different checklists. Upgrading adds a nullable
``issued_bundles.sent_at``: every existing bundle starts as not sent (the old
ticks lived outside the database and cannot be read here). Downgrading drops
the column; the ``bundle.sent`` audit entries keep the record.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("issued_bundles",
                  sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    # Plain DROP COLUMN (SQLite 3.35+, PostgreSQL): batch mode would rebuild the
    # table, which foreign keys from received_results forbid while they are on.
    op.drop_column("issued_bundles", "sent_at")
