"""Building bundles and the record of what was issued."""
