"""Training loop (to be written)."""
