"""What several officers sharing one program need: attachments in the database, row versions.

Revision ID: 0009
Revises: 0008
Create Date: 2027-02-03 10:00:00

A program on a server keeps its attachments as rows (``attachment_chunks``: SHA-256,
position, up to 1 MiB of data) instead of in a folder only one computer sees; an SQLite
workspace leaves the table empty and keeps its folder. Applications and conflicts get a
``version`` (1 for every existing row) and ``changed_by`` (unknown for existing rows):
an edit made from an older version is refused instead of overwriting another officer's
(``storage.versions``). Downgrading drops the columns and the table (with any
attachments stored in it: copy the program to a folder first, ``judgepanel staff copy``).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

VERSIONED = ("applications", "conflicts")


def upgrade() -> None:
    op.create_table(
        "attachment_chunks",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("sha256", "position", name=op.f("pk_attachment_chunks")),
    )
    for table in VERSIONED:
        op.add_column(table, sa.Column("version", sa.Integer(), nullable=False,
                                       server_default=sa.text("1")))
        op.add_column(table, sa.Column("changed_by", sa.String(length=200), nullable=True))


def downgrade() -> None:
    # Plain DROP COLUMN, as in 0003: batch mode would rebuild tables others point at.
    for table in VERSIONED:
        op.drop_column(table, "changed_by")
        op.drop_column(table, "version")
    op.drop_table("attachment_chunks")
