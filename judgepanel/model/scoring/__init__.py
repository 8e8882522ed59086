"""Scoring: pure maths on reviews."""
