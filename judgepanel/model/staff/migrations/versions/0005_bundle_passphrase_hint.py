"""How each passphrase bundle's passphrase was passed on, in the workspace.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-23 10:00:00

The staff app kept the hint an officer typed for a passphrase bundle ("read out
to Amara on 3 May") in one computer's settings, so officers sharing a program
did not see each other's. Upgrading adds a nullable ``issued_bundles.passphrase_hint``
(None for every existing bundle; the app still shows a hint it finds in this
computer's settings until one is saved in the workspace). Downgrading drops it.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("issued_bundles", sa.Column("passphrase_hint", sa.Text(), nullable=True))


def downgrade() -> None:
    # Plain DROP COLUMN, as in 0003: batch mode would rebuild a table others point at.
    op.drop_column("issued_bundles", "passphrase_hint")
