"""JudgePanel: offline, end-to-end encrypted judging for award and grant programs."""

__version__ = "0.1.0"
