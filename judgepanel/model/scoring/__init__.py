"""Scoring: pure maths on reviews, no database.

``totals`` (a review's total and whether it is complete), ``statistics`` (per
application, per judge, the panel's agreement), ``judge_effects`` (scores adjusted
for judge leniency: the additive model fitted by REML), ``basis_checks`` (when a
normalised basis is weak), ``ranking`` (ranks, ties, disagreement, shortlists) and
``funding`` (the funding line); ``linear_algebra`` is the small dense and
tridiagonal algebra ``judge_effects`` solves with, in plain Python. May import
``rubric``.
"""
