"""The panel meeting screen, split by feature.

``screen`` is the screen (the agenda read in the background, moving through it, the
application shown, saving and clearing decisions); ``reviews`` the reviews side by side;
``decision`` the decision form (outcome, award, reason, the decision so far);
``full_window`` what the meeting shows, which becomes a window of its own, full screen
and in larger type, to share on a screen.
"""
