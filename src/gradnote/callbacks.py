"""Keras-style callbacks (``gn.callbacks.EarlyStopping`` ...): see gradnote.train.callbacks.

``TensorBoard`` and ``LivePlot`` (gradnote.viz) load on first use, with their optional dependencies
(tensorboardX, matplotlib); this module adds them to the one callback registry, CALLBACKS.
"""

from .train.callbacks import *  # noqa: F403
from .train.callbacks import (
    CALLBACKS,
    __all__,  # noqa: F401
)


def _tensorboard():
    from .viz.tensorboard import TensorBoard

    return TensorBoard


def _live_plot():
    from .viz.live import LivePlot

    return LivePlot


if "TensorBoard" not in CALLBACKS:
    CALLBACKS.register("TensorBoard", _tensorboard, lazy=True, path_argument="log_dir",
                       default_path="tensorboard", requires=("tensorboardX", "tensorboard"))
    CALLBACKS.register("LivePlot", _live_plot, lazy=True, path_argument="path",
                       default_path="live.png", requires=("matplotlib", "viz"))


def __getattr__(name):
    if name in ("TensorBoard", "LivePlot"):
        return CALLBACKS.lookup(name)
    raise AttributeError(f"module 'gradnote.callbacks' has no attribute {name!r}")
