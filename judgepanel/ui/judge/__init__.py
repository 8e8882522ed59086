"""The judge's screens: unlock, bundle facts, declarations, reading, scoring, submitting.

Every rule lives in ``judgepanel.model.judging``; these widgets only show and ask.
"""
