"""The staff workspace: one program's database, and the steps of a round.

At this level: ``schema`` (every table, one module), ``migrations`` (Alembic),
``location`` (a folder or a database address), ``workspace`` (opening, sessions,
upgrades), ``locks``, ``transfer`` and ``activity`` (a program several officers
share: who may do what at once, copying it in and out, what the others did),
``settings`` (program settings and their defaults), ``audit`` (the staff audit log),
``identity`` (the program's staff key), ``attachments`` (the content-addressed file
store) and ``overview`` (the round at a glance, the app's first screen, and ``staff
round list``). The round's steps are packages, in the order a round runs: ``prepare``,
``bundles``, ``results``, ``decide``; a later step may import an earlier one, never the
other way round. May import storage, rubric and scoring; never ``judge``.
"""
