"""Rubrics: what a rubric is and the rules its scores follow."""
