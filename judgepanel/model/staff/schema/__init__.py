"""The staff workspace's tables: one program, what staff prepare and what judging brings back.

Typed SQLAlchemy 2 mappings using only portable column types, so the same tables work
in SQLite and PostgreSQL; Alembic's migrations (``staff/migrations``) build them, and
a test checks that the migrated schema and these mappings agree. Rows that belong
wholly to a parent (criteria, attachments, affiliations) are deleted with it;
everything else is kept, because an audit trail must not lose its subjects.

What staff prepare: the program, its categories, rounds, rubrics, applications and
judges. What happens during judging: assignments, issued bundles, received results
(with the raw file bytes, so any accepted score can be traced back to, and re-verified
against, the signed file the judge sent), reviews, scores and declarations, which
point at the results file they came from; and the append-only audit log.

Split by feature: ``base`` (the declarative base, JSON column types, association
tables), ``program`` (what staff prepare), ``results`` (what judging brings back),
``decisions`` (the panel's decisions) and ``audit_log``. Import each name from its
module; importing this package maps every table (SQLAlchemy resolves the relationships
between modules by class name, so all of them must be loaded).
"""

from judgepanel.model.staff.schema import audit_log, base, decisions, program, results

MODULES = (base, program, results, decisions, audit_log)
