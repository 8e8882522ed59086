"""Coverage-guided fuzzing of every reader of outside input (``make fuzz``; docs/security.md)."""
