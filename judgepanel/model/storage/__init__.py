"""Storage: how a workspace keeps its data, with no domain rule.

``engine`` opens databases (SQLite with its durability pragmas, or PostgreSQL);
``types`` holds the portable column types; ``bulk`` moves many plain rows in and out;
``hash_chain`` is the append-only audit log's columns and algorithm, for any
workspace's log table; ``versions`` gives editable rows a version so a stale edit is
refused; ``gc_pause`` pauses the garbage collector for a bulk step.
Imports nothing else from the model.
"""
