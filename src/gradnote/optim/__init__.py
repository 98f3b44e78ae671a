"""Optimisers (to be written)."""
