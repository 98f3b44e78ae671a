"""Metrics as NumPy functions (``gn.metrics.accuracy`` ...): see gradnote.train.metrics."""

from .train.metrics import *  # noqa: F401,F403
from .train.metrics import __all__  # noqa: F401
