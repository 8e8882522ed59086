"""Scoring: pure maths on reviews, no database.

``totals`` (a review's total and whether it is complete), ``statistics`` (per
application, per judge, the panel's agreement), ``judge_effects`` (scores adjusted
for judge leniency: the additive model fitted by REML), ``basis_checks`` (when a
normalised basis is weak), ``ranking`` (ranks, ties, disagreement, shortlists) and
``funding`` (the funding line). May import ``rubric``; numpy is used by
``judge_effects`` only.
"""
