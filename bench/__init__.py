"""Benchmarks against the reference tools (``make bench``); never part of ``make test``."""
