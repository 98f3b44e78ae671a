"""Keras spelling of gradnote.callbacks."""

from .. import callbacks as _callbacks
from ..callbacks import *  # noqa: F401,F403
from ..callbacks import __all__  # noqa: F401


def __getattr__(name):  # TensorBoard loads lazily there
    return getattr(_callbacks, name)
