"""Keras-style callbacks (``gn.callbacks.EarlyStopping`` ...): see gradnote.train.callbacks."""

from .train.callbacks import *  # noqa: F401,F403
from .train.callbacks import __all__  # noqa: F401
