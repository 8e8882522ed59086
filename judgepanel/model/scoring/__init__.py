"""Scoring: pure maths on reviews, no database.

``totals`` (a review's total and whether it is complete), ``statistics`` (per
application, per judge, the panel's agreement), ``ranking`` (ranks, ties,
disagreement, shortlists) and ``funding`` (the funding line). May import ``rubric``.
"""
