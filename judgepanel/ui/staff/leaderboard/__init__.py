"""The leaderboard screen, split by feature.

``screen`` is the screen (loading, the summary, awards, shortlist, exports and
reports); ``columns`` the ranking's and the judges' columns (the panel's decision
among them); ``reviews`` the drill-down dialog (one application's reviews, with each
judge's comments for the panel beside their feedback for the applicant).
"""
