"""The domain: everything JudgePanel knows and decides, with no screen (no Qt).

Rooms, and what each may import (``tests/test_architecture.py`` checks it;
docs/architecture.md draws the map):

- ``storage``: engines, column types, bulk row I/O, the hash-chain algorithm. No
  domain rules; imports no other room.
- ``rubric``: what a rubric is and its rules (pure). Imports no other room.
- ``scoring``: pure maths on reviews (totals, statistics, ranking, funding). May
  import ``rubric``.
- ``staff``: the staff workspace and the round's steps. May import storage, rubric,
  scoring; never ``judge``.
- ``judge``: the judge workspace and the judging session. May import storage, rubric,
  scoring; never ``staff``.
- ``demo``: the demo program, built through the real workflows of both sides.
"""
