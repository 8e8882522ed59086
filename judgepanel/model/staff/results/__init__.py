"""Results: merging judges' results files (every check, every refusal) and deciding which
reviews count. May import ``prepare`` and ``bundles``.
"""
