"""Keras-style layers (``gn.layers.Dense`` ...): the same classes as gradnote.keras.layers."""

from .keras.layers import *  # noqa: F401,F403
from .keras.layers import __all__  # noqa: F401
