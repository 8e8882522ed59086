"""PDF reports built with reportlab. No Qt."""
