"""LivePlot: learning curves (and, for 2-D data, the decision boundary) redrawn while fit runs.

    model.fit(x, y, epochs=50, validation_split=0.2, callbacks=[gn.viz.LivePlot(data=(x, y))])

In a Jupyter notebook the figure is one output cell that is updated in place each time; elsewhere
(a terminal, a script) it is a PNG file rewritten atomically, so an image viewer that reloads the
file shows training as it goes.
"""

from __future__ import annotations

import os

import numpy as np

from ..train.callbacks import Callback
from .plots import _draw_history, _figure, _finish, _history_names, plot_decision_boundary


def in_notebook() -> bool:
    """True inside a Jupyter kernel (where IPython.display can update an output in place)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and "IPKernelApp" in getattr(shell, "config", {})


class LivePlot(Callback):
    """Redraw every `every` epochs: one panel per logged quantity (train vs validation) and, when
    `data=(x, y)` holds 2-D points, the current decision boundary over them.

    path: the PNG refreshed outside a notebook (default "live.png"); notebook: force (True/False)
    or detect (None) the notebook display. The last figure is kept as ``self.figure``.
    """

    def __init__(self, every: int = 1, data=None, path="live.png", notebook: bool | None = None,
                 verbose: int = 1):
        super().__init__()
        if isinstance(every, bool) or not isinstance(every, int) or every < 1:
            raise ValueError(f"LivePlot: every must be an int >= 1, got {every!r}")
        if data is not None:
            if not (isinstance(data, (tuple, list)) and len(data) == 2):
                raise ValueError("LivePlot: data must be a pair (x, y)")
            x = np.asarray(getattr(data[0], "data", data[0]))
            if x.ndim != 2 or x.shape[1] != 2:
                raise ValueError(f"LivePlot: data must hold 2-D points (N, 2) for the decision boundary, "
                                 f"got x of shape {x.shape}")
            data = (x, np.asarray(getattr(data[1], "data", data[1])))
        try:
            import matplotlib  # noqa: F401
        except ImportError as e:
            raise ImportError("LivePlot needs matplotlib, an optional extra: pip install 'gradnote[viz]'") from e
        self.every, self.data, self.verbose = every, data, verbose
        self.path = os.fspath(path) if path is not None else None
        self.notebook = in_notebook() if notebook is None else bool(notebook)
        self.logs: dict = {}
        self.figure = None
        self.draws = 0
        self._handle = None
        self._drawn_at = 0

    def on_train_begin(self, logs=None):
        self.logs, self._drawn_at = {}, 0
        if not self.notebook and self.path and self.verbose:
            print(f"LivePlot: learning curves refresh in {self.path} every {self.every} epoch(s)")

    def on_epoch_end(self, epoch, logs=None):
        for key, value in (logs or {}).items():
            if np.ndim(value) == 0 and not isinstance(value, str):
                self.logs.setdefault(key, []).append(float(value))
        if (epoch + 1) % self.every == 0:
            self.draw()

    def on_train_end(self, logs=None):
        if self._epochs() > self._drawn_at:
            self.draw()  # the last epochs, when they did not fall on `every`

    def _epochs(self) -> int:
        return max((len(v) for v in self.logs.values()), default=0)

    def draw(self):
        """Draw the current state now; returns the figure."""
        names = _history_names(self.logs)
        panels = len(names) + (self.data is not None)
        fig, axes = _figure(1, panels, size=(4.8, 3.6))
        for ax, name in zip(axes[0], names):
            _draw_history(ax, self.logs, name)
        if self.data is not None and self.model is not None:
            plot_decision_boundary(self.model, *self.data, resolution=100, ax=axes[0][-1])
        self.figure, self.draws, self._drawn_at = fig, self.draws + 1, self._epochs()
        if self.notebook:
            from IPython.display import display

            if self._handle is None:
                self._handle = display(fig, display_id=True)
            else:
                self._handle.update(fig)
        elif self.path:
            _finish(fig, self.path)
        return fig
