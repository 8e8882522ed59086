"""Scores keyed by (results file, application, criterion) and tied to their review.

Revision ID: 0006
Revises: 0005
Create Date: 2027-01-06 10:00:00

A national merge inserts 60,000 scores and the leaderboard reads them back by
results file. With a surrogate ``id`` each score cost two B-tree inserts (the
rowid table and the unique index on ``results_id, application_id,
criterion_key``) and each read went through the index to the table. Upgrading
drops ``id`` and makes that triple the primary key, ``pk_scores``; on SQLite the
table becomes WITHOUT ROWID, so the rows live in the key's own B-tree (other
databases have no rowid and ignore the option). Its two foreign keys, to
``received_results`` and ``applications``, become one to the review of the same
file and application, ``reviews (results_id, application_id)``: a score never
exists without that review, and the review's own keys still tie both to their
tables. See bench/bench_scale.py.

Every row is kept. The app always stores a review beside a file's scores, but
a score without one would break the new key: the upgrade counts them first and
refuses (nothing changed) rather than drop them. Downgrading restores ``id``
(numbered afresh), the two foreign keys and the unique constraint.

SQLite rebuilds the table (batch mode copies the rows); PostgreSQL alters it in place.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from judgepanel.errors import WorkspaceError

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KEY = ["results_id", "application_id", "criterion_key"]
REVIEW = ["results_id", "application_id"]
OLD_UNIQUE = "uq_scores_results_id_application_id_criterion_key"
OLD_FOREIGN = (
    ("fk_scores_results_id_received_results", "received_results", "results_id"),
    ("fk_scores_application_id_applications", "applications", "application_id"),
)
NEW_FOREIGN = "fk_scores_results_id_reviews"

_WITHOUT_REVIEW = sa.text(
    "SELECT count(*) FROM scores WHERE NOT EXISTS (SELECT 1 FROM reviews"
    " WHERE reviews.results_id = scores.results_id"
    " AND reviews.application_id = scores.application_id)"
)


def _refuse_scores_without_review() -> None:
    orphans = op.get_bind().scalar(_WITHOUT_REVIEW) or 0
    if orphans:
        raise WorkspaceError(
            "This workspace could not be upgraded: it holds scores that belong to no "
            "review, which this version cannot keep. Nothing was changed. Keep using the "
            "previous version of JudgePanel for this program and report the problem.",
            detail=f"migration 0006: {orphans} row(s) of scores have no row in reviews "
            "with the same (results_id, application_id)",
        )


def upgrade() -> None:
    _refuse_scores_without_review()
    with op.batch_alter_table("scores", table_kwargs={"sqlite_with_rowid": False}) as batch:
        batch.drop_constraint(OLD_UNIQUE, type_="unique")
        for name, _table, _column in OLD_FOREIGN:
            batch.drop_constraint(name, type_="foreignkey")
        batch.drop_constraint("pk_scores", type_="primary")
        batch.drop_column("id")
        batch.create_primary_key("pk_scores", KEY)
        batch.create_foreign_key(NEW_FOREIGN, "reviews", REVIEW, REVIEW)


def downgrade() -> None:
    with op.batch_alter_table("scores", table_kwargs={"sqlite_with_rowid": True}) as batch:
        batch.drop_constraint(NEW_FOREIGN, type_="foreignkey")
        batch.drop_constraint("pk_scores", type_="primary")
        batch.add_column(sa.Column("id", sa.Integer(), primary_key=True))
        batch.create_primary_key("pk_scores", ["id"])
        for name, table, column in OLD_FOREIGN:
            batch.create_foreign_key(name, table, [column], ["id"])
        batch.create_unique_constraint(OLD_UNIQUE, KEY)
