"""Keras spelling of gradnote.models."""

from ..models import LeNet5, Sequential  # noqa: F401

__all__ = ["LeNet5", "Sequential"]
