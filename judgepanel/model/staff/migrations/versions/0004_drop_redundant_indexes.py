"""Drop four indexes that no query needs and every merged score paid for.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-16 10:00:00

``scores.results_id``, ``reviews.results_id`` and ``declarations.results_id``
each lead a unique constraint (``results_id, application_id[, criterion_key]``)
whose index serves every lookup by results file; their own indexes were
duplicates. ``scores.application_id`` had no reader: scores are always read by
results file. A national merge inserts 60,000 scores, and each index costs a
B-tree insert per row (see bench/bench_scale.py). Downgrading recreates them.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DROPPED = (
    ("scores", "results_id"),
    ("scores", "application_id"),
    ("reviews", "results_id"),
    ("declarations", "results_id"),
)


def upgrade() -> None:
    for table, column in DROPPED:
        op.drop_index(f"ix_{table}_{column}", table_name=table)


def downgrade() -> None:
    for table, column in DROPPED:
        op.create_index(f"ix_{table}_{column}", table, [column])
