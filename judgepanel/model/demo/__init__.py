"""The demo program, built through the real workflows."""
