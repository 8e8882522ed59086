"""The first staff-workspace schema.

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-24 22:17:53.518247
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# Frozen copies of the app's column types: a migration must not change when
# judgepanel.model.storage.engine does. Money is NUMERIC(14, 2); timestamps are UTC.
MONEY = sa.Numeric(precision=14, scale=2)

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=100), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
        sa.UniqueConstraint("hash", name=op.f("uq_audit_events_hash")),
        sa.UniqueConstraint("prev_hash", name=op.f("uq_audit_events_prev_hash")),
        sa.UniqueConstraint("seq", name=op.f("uq_audit_events_seq")),
    )
    op.create_index(op.f("ix_audit_events_action"), "audit_events", ["action"])

    op.create_table(
        "programs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("staff_age_recipient", sa.String(length=200), nullable=True),
        sa.Column("staff_minisign_key", sa.String(length=200), nullable=True),
        sa.Column("settings", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_programs")),
    )
    op.create_table(
        "applications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("ref", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("organisation", sa.String(length=300), nullable=False),
        sa.Column("city", sa.String(length=200), nullable=False),
        sa.Column("contact_name", sa.String(length=200), nullable=False),
        sa.Column("contact_email", sa.String(length=320), nullable=False),
        sa.Column("requested_amount", MONEY, nullable=True),
        sa.Column("awarded_amount", MONEY, nullable=True),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("source", sa.String(length=300), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["program_id"], ["programs.id"], name=op.f("fk_applications_program_id_programs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_applications")),
        sa.UniqueConstraint("program_id", "ref", name=op.f("uq_applications_program_id_ref")),
    )
    op.create_index(op.f("ix_applications_program_id"), "applications", ["program_id"])

    op.create_table(
        "categories",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("budget", MONEY, nullable=True),
        sa.ForeignKeyConstraint(
            ["program_id"], ["programs.id"], name=op.f("fk_categories_program_id_programs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_categories")),
        sa.UniqueConstraint("program_id", "key", name=op.f("uq_categories_program_id_key")),
    )
    op.create_index(op.f("ix_categories_program_id"), "categories", ["program_id"])

    op.create_table(
        "judges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=100), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("organisation", sa.String(length=300), nullable=False),
        sa.Column("city", sa.String(length=200), nullable=False),
        sa.Column("age_recipient", sa.String(length=200), nullable=False),
        sa.Column("minisign_public_key", sa.String(length=200), nullable=False),
        sa.Column("fingerprint", sa.String(length=100), nullable=False),
        sa.Column("card_text", sa.Text(), nullable=False),
        sa.Column("flag", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("enrolled_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["program_id"], ["programs.id"], name=op.f("fk_judges_program_id_programs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_judges")),
        sa.UniqueConstraint(
            "program_id", "fingerprint", name=op.f("uq_judges_program_id_fingerprint")
        ),
    )
    op.create_index(op.f("ix_judges_program_id"), "judges", ["program_id"])

    op.create_table(
        "rounds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("budget", MONEY, nullable=True),
        sa.Column("hidden_fields", sa.JSON(), nullable=False),
        sa.Column("hidden_attachment_labels", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["program_id"], ["programs.id"], name=op.f("fk_rounds_program_id_programs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rounds")),
        sa.UniqueConstraint("program_id", "number", name=op.f("uq_rounds_program_id_number")),
    )
    op.create_index(op.f("ix_rounds_program_id"), "rounds", ["program_id"])

    op.create_table(
        "application_categories",
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_application_categories_application_id_applications"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["categories.id"],
            name=op.f("fk_application_categories_category_id_categories"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "application_id", "category_id", name=op.f("pk_application_categories")
        ),
    )
    op.create_table(
        "assignments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("judge_id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_assignments_application_id_applications"),
        ),
        sa.ForeignKeyConstraint(
            ["judge_id"], ["judges.id"], name=op.f("fk_assignments_judge_id_judges")
        ),
        sa.ForeignKeyConstraint(
            ["round_id"], ["rounds.id"], name=op.f("fk_assignments_round_id_rounds")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assignments")),
        sa.UniqueConstraint(
            "round_id",
            "judge_id",
            "application_id",
            name=op.f("uq_assignments_round_id_judge_id_application_id"),
        ),
    )
    op.create_index(op.f("ix_assignments_application_id"), "assignments", ["application_id"])
    op.create_index(op.f("ix_assignments_judge_id"), "assignments", ["judge_id"])
    op.create_index(op.f("ix_assignments_round_id"), "assignments", ["round_id"])

    op.create_table(
        "attachments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("withheld", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_attachments_application_id_applications"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attachments")),
        sa.UniqueConstraint(
            "application_id", "name", name=op.f("uq_attachments_application_id_name")
        ),
    )
    op.create_index(op.f("ix_attachments_application_id"), "attachments", ["application_id"])
    op.create_index(op.f("ix_attachments_sha256"), "attachments", ["sha256"])

    op.create_table(
        "conflicts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("judge_id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("detected_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.String(length=200), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_conflicts_application_id_applications"),
        ),
        sa.ForeignKeyConstraint(
            ["judge_id"], ["judges.id"], name=op.f("fk_conflicts_judge_id_judges")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conflicts")),
        sa.UniqueConstraint(
            "judge_id",
            "application_id",
            "source",
            name=op.f("uq_conflicts_judge_id_application_id_source"),
        ),
    )
    op.create_index(op.f("ix_conflicts_application_id"), "conflicts", ["application_id"])
    op.create_index(op.f("ix_conflicts_judge_id"), "conflicts", ["judge_id"])

    op.create_table(
        "issued_bundles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("judge_id", sa.Integer(), nullable=False),
        sa.Column("bundle_id", sa.String(length=64), nullable=False),
        sa.Column("manifest_sha256", sa.String(length=64), nullable=False),
        sa.Column("recipients", sa.JSON(), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=True),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("superseded", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["judge_id"], ["judges.id"], name=op.f("fk_issued_bundles_judge_id_judges")
        ),
        sa.ForeignKeyConstraint(
            ["round_id"], ["rounds.id"], name=op.f("fk_issued_bundles_round_id_rounds")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_issued_bundles")),
        sa.UniqueConstraint("bundle_id", name=op.f("uq_issued_bundles_bundle_id")),
    )
    op.create_index(op.f("ix_issued_bundles_judge_id"), "issued_bundles", ["judge_id"])
    op.create_index(op.f("ix_issued_bundles_round_id"), "issued_bundles", ["round_id"])

    op.create_table(
        "judge_affiliations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("judge_id", sa.Integer(), nullable=False),
        sa.Column("value", sa.String(length=300), nullable=False),
        sa.Column("note", sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(
            ["judge_id"],
            ["judges.id"],
            name=op.f("fk_judge_affiliations_judge_id_judges"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_judge_affiliations")),
        sa.UniqueConstraint("judge_id", "value", name=op.f("uq_judge_affiliations_judge_id_value")),
    )
    op.create_index(op.f("ix_judge_affiliations_judge_id"), "judge_affiliations", ["judge_id"])

    op.create_table(
        "judge_categories",
        sa.Column("judge_id", sa.Integer(), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["categories.id"],
            name=op.f("fk_judge_categories_category_id_categories"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["judge_id"],
            ["judges.id"],
            name=op.f("fk_judge_categories_judge_id_judges"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("judge_id", "category_id", name=op.f("pk_judge_categories")),
    )
    op.create_table(
        "rubrics",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("tie_break", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["round_id"], ["rounds.id"], name=op.f("fk_rubrics_round_id_rounds"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rubrics")),
        sa.UniqueConstraint("round_id", name=op.f("uq_rubrics_round_id")),
    )
    op.create_table(
        "criteria",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rubric_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("guidance", sa.Text(), nullable=False),
        sa.Column("weight", sa.Float(), nullable=False),
        sa.Column("scale_min", sa.Float(), nullable=False),
        sa.Column("scale_max", sa.Float(), nullable=False),
        sa.Column("step", sa.Float(), nullable=False),
        sa.Column("levels", sa.JSON(), nullable=False),
        sa.Column("counts", sa.Boolean(), nullable=False),
        sa.Column("comment_when", sa.String(length=10), nullable=False),
        sa.Column("comment_threshold", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["rubric_id"],
            ["rubrics.id"],
            name=op.f("fk_criteria_rubric_id_rubrics"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_criteria")),
        sa.UniqueConstraint("rubric_id", "key", name=op.f("uq_criteria_rubric_id_key")),
    )
    op.create_index(op.f("ix_criteria_rubric_id"), "criteria", ["rubric_id"])

    op.create_table(
        "received_results",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("issued_bundle_id", sa.Integer(), nullable=True),
        sa.Column("judge_id", sa.Integer(), nullable=True),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("raw", sa.LargeBinary(), nullable=False),
        sa.Column("raw_sha256", sa.String(length=64), nullable=False),
        sa.Column("signer", sa.String(length=200), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("refusal_reason", sa.String(length=64), nullable=True),
        sa.Column("refusal_message", sa.Text(), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["issued_bundle_id"],
            ["issued_bundles.id"],
            name=op.f("fk_received_results_issued_bundle_id_issued_bundles"),
        ),
        sa.ForeignKeyConstraint(
            ["judge_id"], ["judges.id"], name=op.f("fk_received_results_judge_id_judges")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_received_results")),
    )
    op.create_index(
        op.f("ix_received_results_issued_bundle_id"), "received_results", ["issued_bundle_id"]
    )
    op.create_index(op.f("ix_received_results_judge_id"), "received_results", ["judge_id"])
    op.create_index(op.f("ix_received_results_raw_sha256"), "received_results", ["raw_sha256"])

    op.create_table(
        "declarations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("judge_id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("results_id", sa.Integer(), nullable=True),
        sa.Column("conflict", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("declared_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_declarations_application_id_applications"),
        ),
        sa.ForeignKeyConstraint(
            ["judge_id"], ["judges.id"], name=op.f("fk_declarations_judge_id_judges")
        ),
        sa.ForeignKeyConstraint(
            ["results_id"],
            ["received_results.id"],
            name=op.f("fk_declarations_results_id_received_results"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_declarations")),
        sa.UniqueConstraint(
            "results_id", "application_id", name=op.f("uq_declarations_results_id_application_id")
        ),
    )
    op.create_index(op.f("ix_declarations_application_id"), "declarations", ["application_id"])
    op.create_index(op.f("ix_declarations_judge_id"), "declarations", ["judge_id"])
    op.create_index(op.f("ix_declarations_results_id"), "declarations", ["results_id"])

    op.create_table(
        "reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("results_id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("overall_comment", sa.Text(), nullable=False),
        sa.Column("confidence", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_reviews_application_id_applications"),
        ),
        sa.ForeignKeyConstraint(
            ["results_id"],
            ["received_results.id"],
            name=op.f("fk_reviews_results_id_received_results"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reviews")),
        sa.UniqueConstraint(
            "results_id", "application_id", name=op.f("uq_reviews_results_id_application_id")
        ),
    )
    op.create_index(op.f("ix_reviews_application_id"), "reviews", ["application_id"])
    op.create_index(op.f("ix_reviews_results_id"), "reviews", ["results_id"])

    op.create_table(
        "scores",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("results_id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("criterion_key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_scores_application_id_applications"),
        ),
        sa.ForeignKeyConstraint(
            ["results_id"],
            ["received_results.id"],
            name=op.f("fk_scores_results_id_received_results"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scores")),
        sa.UniqueConstraint(
            "results_id",
            "application_id",
            "criterion_key",
            name=op.f("uq_scores_results_id_application_id_criterion_key"),
        ),
    )
    op.create_index(op.f("ix_scores_application_id"), "scores", ["application_id"])
    op.create_index(op.f("ix_scores_results_id"), "scores", ["results_id"])


def downgrade() -> None:
    # Children first; dropping a table drops its indexes.
    for table in (
        "scores",
        "reviews",
        "declarations",
        "received_results",
        "criteria",
        "rubrics",
        "judge_categories",
        "judge_affiliations",
        "issued_bundles",
        "conflicts",
        "attachments",
        "assignments",
        "application_categories",
        "rounds",
        "judges",
        "categories",
        "applications",
        "programs",
        "audit_events",
    ):
        op.drop_table(table)
