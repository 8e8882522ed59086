"""Results format 2 at staff: export ids, held exports, "unable to review".

Revision ID: 0008
Revises: 0007
Create Date: 2027-02-01 10:00:00

Results files now carry an export id and the ids of the exports they supersede, so
the merge can tell a repeat from an older export, a newer one, and one made on
another computer from the same start (docs/merging.md, "Which export is newer").
Upgrading adds to ``received_results``: ``export_id`` (every row received so far was
a version-1 file: it gets the id made from its file's SHA-256, ``v1-`` and the first
32 hexadecimal digits, as ``formats.results.lineage.legacy_export_id`` makes it),
``supersedes`` (JSON, empty for those) and ``results_json`` (the document of an
export held for staff to choose). It creates ``unable_reviews``: an application a
judge could not review, with the reason, per results file. Downgrading drops them
(a held or set-aside file then reads as refused).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from judgepanel.model.storage.types import UTCDateTime

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("received_results", sa.Column("export_id", sa.String(64), nullable=True))
    op.add_column("received_results", sa.Column("supersedes", sa.JSON(), nullable=True))
    op.add_column("received_results", sa.Column("results_json", sa.Text(), nullable=True))
    op.execute("UPDATE received_results SET export_id = 'v1-' || substr(raw_sha256, 1, 32)")
    op.create_table(
        "unable_reviews",
        sa.Column("results_id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("judge_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("declared_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["results_id"], ["received_results.id"],
                                name="fk_unable_reviews_results_id_received_results"),
        sa.ForeignKeyConstraint(["application_id"], ["applications.id"],
                                name="fk_unable_reviews_application_id_applications"),
        sa.ForeignKeyConstraint(["judge_id"], ["judges.id"],
                                name="fk_unable_reviews_judge_id_judges"),
        sa.PrimaryKeyConstraint("results_id", "application_id", name="pk_unable_reviews"),
    )


def downgrade() -> None:
    op.drop_table("unable_reviews")
    op.execute("UPDATE received_results SET status = 'refused', "
               "refusal_reason = 'diverged' WHERE status IN ('held', 'set_aside')")
    # Plain DROP COLUMN, as in 0003: batch mode would rebuild a table others point at.
    for column in ("results_json", "supersedes", "export_id"):
        op.drop_column("received_results", column)
