"""Keras-2-style optimisers (``gn.optimizers.Adam(lr=...)``): the same objects as gradnote.keras.optimizers."""

from .keras.optimizers import *  # noqa: F401,F403
from .keras.optimizers import KERAS_EPSILON, __all__  # noqa: F401
