"""Preparing a round."""
