"""Preparing a round: categories, rounds and their rubrics, importing applications,
enrolling judges, screening conflicts of interest, and assigning judges (the pure
planner and the workspace side). Imports no later step (bundles, results, decide).
"""
