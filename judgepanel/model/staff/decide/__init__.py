"""From reviews to decisions."""
