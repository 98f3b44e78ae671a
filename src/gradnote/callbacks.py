"""Keras-style callbacks (``gn.callbacks.EarlyStopping`` ...): see gradnote.train.callbacks.

``TensorBoard`` (gradnote.viz.tensorboard) loads on first use, with its optional tensorboardX dependency.
"""

from .train.callbacks import *  # noqa: F403
from .train.callbacks import __all__  # noqa: F401


def __getattr__(name):
    if name == "TensorBoard":
        from .viz.tensorboard import TensorBoard

        return TensorBoard
    raise AttributeError(f"module 'gradnote.callbacks' has no attribute {name!r}")
