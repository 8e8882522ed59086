"""From reviews to decisions: the leaderboard (statistics, rankings, funding line), awards,
shortlists into a next round, and exports. May import every earlier step.
"""
