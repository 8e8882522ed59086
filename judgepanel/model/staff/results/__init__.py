"""Merging results files and deciding which reviews count."""
