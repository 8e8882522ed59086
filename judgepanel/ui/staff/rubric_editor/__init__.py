"""The rubric editor, split by feature.

``screen`` is the screen (loading the round's rubric, editing, saving, the questions
and lines about edits not saved); ``criteria`` the criteria table's model (the rubric's
dict form, edited in place); ``preview`` what a judge sees of the rubric.
"""
