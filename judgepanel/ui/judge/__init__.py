"""The judge's screens: unlock, bundle facts, declarations, reading, scoring, submitting.

Every rule lives in ``judgepanel.model.judge.session``; these widgets only show and ask.
"""
