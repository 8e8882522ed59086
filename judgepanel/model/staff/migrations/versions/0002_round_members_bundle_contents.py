"""Round membership as rows, and what each issued bundle held as a column.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02 10:00:00

Until now a shortlisted round listed its applications in the program settings
(``settings["round_applications"]["<round id>"]``; a round without an entry held
every application) and what a bundle held was only in its ``bundle.issued``
audit entry. Upgrading moves both into tables:

- ``round_applications`` gets one row per application of every round after the
  first: the settings entry when there is one, else every application of the
  program (the old default), plus anything assigned in the round or sent in one
  of its bundles (the old code always counted those as members). The first
  round gets no rows: it holds every application by rule. The settings entry
  is removed. (Only shortlisting wrote entries, and always for a new, later
  round, so the first round never had one.)
- ``issued_bundles.applications`` is filled from the ``bundle.issued`` audit
  entries, which stay as they are (the audit log is never rewritten).

Downgrading writes the rows back into the settings, one entry per later round,
and drops the column (the audit entries still hold what it held).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.engine import Connection

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen names: a migration must not change when the app's code does.
SETTINGS_KEY = "round_applications"
ISSUED_ACTION = "bundle.issued"
FIRST_ROUND = 1

_programs = sa.table("programs", sa.column("id", sa.Integer), sa.column("settings", sa.JSON))
_rounds = sa.table("rounds", sa.column("id", sa.Integer), sa.column("program_id", sa.Integer),
                   sa.column("number", sa.Integer))
_applications = sa.table("applications", sa.column("id", sa.Integer),
                         sa.column("program_id", sa.Integer))
_assignments = sa.table("assignments", sa.column("round_id", sa.Integer),
                        sa.column("application_id", sa.Integer))
_issued = sa.table("issued_bundles", sa.column("id", sa.Integer),
                   sa.column("round_id", sa.Integer), sa.column("bundle_id", sa.String),
                   sa.column("applications", sa.JSON))
_audit = sa.table("audit_events", sa.column("seq", sa.Integer), sa.column("action", sa.String),
                  sa.column("details", sa.JSON))
_members = sa.table("round_applications", sa.column("round_id", sa.Integer),
                    sa.column("application_id", sa.Integer))


def upgrade() -> None:
    op.create_table(
        "round_applications",
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_round_applications_application_id_applications"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["rounds.id"],
            name=op.f("fk_round_applications_round_id_rounds"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("round_id", "application_id",
                                name=op.f("pk_round_applications")),
    )
    op.add_column("issued_bundles", sa.Column("applications", sa.JSON(), nullable=True))
    connection = op.get_bind()
    contents = _issued_contents(connection)
    _fill_bundle_contents(connection, contents)
    _move_round_members(connection, contents)


def downgrade() -> None:
    connection = op.get_bind()
    _members_back_to_settings(connection)
    # Plain DROP COLUMN (SQLite 3.35+, PostgreSQL): batch mode would rebuild the
    # table, which foreign keys from received_results forbid while they are on.
    op.drop_column("issued_bundles", "applications")
    op.drop_table("round_applications")


# --- upgrade ---------------------------------------------------------------------------


def _issued_contents(connection: Connection) -> dict[str, list[list[Any]]]:
    """bundle id -> [[bundle application id, application id], ...] from the audit log."""
    contents: dict[str, list[list[Any]]] = {}
    for (details,) in connection.execute(
            sa.select(_audit.c.details).where(_audit.c.action == ISSUED_ACTION)
            .order_by(_audit.c.seq)):
        if not isinstance(details, dict) or "bundle_id" not in details:
            continue
        pairs = details.get("applications")
        if not isinstance(pairs, list):
            continue
        contents[str(details["bundle_id"])] = [[str(k), int(v)] for k, v in pairs]
    return contents


def _fill_bundle_contents(connection: Connection, contents: dict[str, list[list[Any]]]) -> None:
    updates = [{"row_id": row_id, "held": contents[bundle_id]}
               for row_id, bundle_id in connection.execute(
                   sa.select(_issued.c.id, _issued.c.bundle_id)).all()
               if bundle_id in contents]
    if updates:
        connection.execute(
            _issued.update().where(_issued.c.id == sa.bindparam("row_id"))
            .values(applications=sa.bindparam("held", type_=sa.JSON)), updates)


def _move_round_members(connection: Connection, contents: dict[str, list[list[Any]]]) -> None:
    sent: dict[int, set[int]] = defaultdict(set)  # round id -> applications in its bundles
    for round_id, bundle_id in connection.execute(
            sa.select(_issued.c.round_id, _issued.c.bundle_id)):
        sent[round_id].update(int(app_id) for _, app_id in contents.get(bundle_id, ()))
    assigned: dict[int, set[int]] = defaultdict(set)
    for round_id, app_id in connection.execute(
            sa.select(_assignments.c.round_id, _assignments.c.application_id)):
        assigned[round_id].add(app_id)
    rows: list[dict[str, int]] = []
    programs = connection.execute(sa.select(_programs.c.id, _programs.c.settings)).all()
    for program_id, settings in programs:
        settings = dict(settings or {})
        entries = settings.pop(SETTINGS_KEY, None)
        listed_by_round = entries if isinstance(entries, dict) else {}
        program_apps = set(connection.scalars(
            sa.select(_applications.c.id).where(_applications.c.program_id == program_id)))
        for round_id, number in connection.execute(
                sa.select(_rounds.c.id, _rounds.c.number)
                .where(_rounds.c.program_id == program_id)).all():
            if number == FIRST_ROUND:
                continue
            listed = listed_by_round.get(str(round_id))
            held = program_apps if listed is None else {int(i) for i in listed}
            held = (held | assigned[round_id] | sent[round_id]) & program_apps
            rows.extend({"round_id": round_id, "application_id": a} for a in sorted(held))
        if entries is not None:
            connection.execute(_programs.update().where(_programs.c.id == program_id)
                               .values(settings=settings))
    if rows:
        connection.execute(_members.insert(), rows)


# --- downgrade -------------------------------------------------------------------------


def _members_back_to_settings(connection: Connection) -> None:
    held: dict[int, list[int]] = defaultdict(list)
    for round_id, app_id in connection.execute(
            sa.select(_members.c.round_id, _members.c.application_id)
            .order_by(_members.c.round_id, _members.c.application_id)):
        held[round_id].append(app_id)
    by_program: dict[int, dict[str, list[int]]] = defaultdict(dict)
    for round_id, program_id, number in connection.execute(
            sa.select(_rounds.c.id, _rounds.c.program_id, _rounds.c.number)):
        if number != FIRST_ROUND:  # an empty later round held nothing: say so explicitly
            by_program[program_id][str(round_id)] = held[round_id]
    programs = connection.execute(sa.select(_programs.c.id, _programs.c.settings)).all()
    for program_id, settings in programs:
        if program_id not in by_program:
            continue
        settings = dict(settings or {})
        settings[SETTINGS_KEY] = by_program[program_id]
        connection.execute(_programs.update().where(_programs.c.id == program_id)
                           .values(settings=settings))
