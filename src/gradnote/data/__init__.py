"""Data pipeline (to be written)."""
