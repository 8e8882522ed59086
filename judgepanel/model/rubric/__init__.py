"""Rubrics: what a rubric is and the rules its scores follow (pure, no database).

``definition`` (the rubric and its TOML file), ``criterion`` (a scored question and
its scale), ``levels``, ``comments`` (when a comment is required) and ``fields`` (the
checks and limits they share). Staff, judges and the merge all use these rules.
Imports nothing else from the model.
"""
