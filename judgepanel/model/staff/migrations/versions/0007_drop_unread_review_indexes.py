"""Drop three indexes that nothing reads and every merged review paid for.

Revision ID: 0007
Revises: 0006
Create Date: 2027-01-13 10:00:00

``reviews.application_id``, ``declarations.application_id`` and
``declarations.judge_id``: every query reads reviews and declarations by results
file (through the index of their unique constraint, see 0004), never by application
or judge. An index on a foreign key would also serve the database's check when a
referenced row is deleted, but applications and judges are never deleted (a judge
is withdrawn, an application stays for the record). A national merge inserts
10,000 reviews and 10,000 declarations, and the three indexes cost it 12 ms of
B-tree inserts (see bench/bench_scale.py). Downgrading recreates them.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DROPPED = (
    ("reviews", "application_id"),
    ("declarations", "application_id"),
    ("declarations", "judge_id"),
)


def upgrade() -> None:
    for table, column in DROPPED:
        op.drop_index(f"ix_{table}_{column}", table_name=table)


def downgrade() -> None:
    for table, column in DROPPED:
        op.create_index(f"ix_{table}_{column}", table, [column])
