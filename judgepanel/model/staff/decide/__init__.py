"""From reviews to decisions: the leaderboard (statistics, rankings, funding line), awards,
shortlists into a next round, exports, and the ranking of a table of scores from outside
(``table_ranking``). May import every earlier step.
"""
