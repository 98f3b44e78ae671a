"""Figures (matplotlib, optional extra) and TensorBoard logging for gradnote runs.

    from gradnote import viz
    viz.plot_history(history, path="curves.png")
    viz.plot_activations(path="activations.png")
    model.fit(x, y, epochs=20, callbacks=[viz.LivePlot(data=(x, y))])   # curves redrawn while training
"""

from .attention import plot_attention  # noqa: F401
from .generative import make_grid, plot_generative  # noqa: F401
from .plots import (  # noqa: F401
    ACTIVATIONS,
    gradient_stats,
    plot_activations,
    plot_bars,
    plot_confusion_matrix,
    plot_curves,
    plot_decision_boundary,
    plot_feature_maps,
    plot_filters,
    plot_gradient_flow,
    plot_history,
    plot_lr_schedule,
    save_figure,
)


def __getattr__(name):
    if name == "TensorBoard":  # imports the training package; loaded on first use
        from .tensorboard import TensorBoard

        return TensorBoard
    if name == "LivePlot":
        from .live import LivePlot

        return LivePlot
    raise AttributeError(f"module 'gradnote.viz' has no attribute {name!r}")
