"""The judge workspace and the judging session."""
