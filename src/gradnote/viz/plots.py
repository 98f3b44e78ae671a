"""Figures for the notes' lessons, drawn with matplotlib's object API (no pyplot global state).

Every function returns a ``matplotlib.figure.Figure``; pass ``path=`` to also save it as PNG.
matplotlib is an optional extra (``pip install gradnote[viz]``) imported only when a plot is made.
"""

from __future__ import annotations

import io

import numpy as np

from ..autograd import Tensor, no_grad

ACTIVATIONS = ("step", "sigmoid", "tanh", "relu", "leaky_relu", "gelu")


def _figure(nrows: int = 1, ncols: int = 1, size=(6.4, 4.0)):
    try:
        from matplotlib.figure import Figure
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ImportError("gradnote.viz needs matplotlib: pip install 'gradnote[viz]'") from e
    fig = Figure(figsize=(size[0] * ncols, size[1] * nrows), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False)
    return fig, axes


def _finish(fig, path):
    if path is not None:
        from ..io import atomic_write

        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=100)
        atomic_write(path, buf.getvalue())
    return fig


def _integer_ticks(ax) -> None:
    """Epochs and steps are whole numbers: no 2.5 on the axis."""
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True))


def _logs(history) -> dict:
    """Accept a History object, its .history dict, or a list of per-epoch dicts."""
    logs = getattr(history, "history", history)
    if isinstance(logs, list):
        keys = {k for row in logs for k in row}
        logs = {k: [row.get(k, np.nan) for row in logs] for k in sorted(keys)}
    return dict(logs)


def _history_names(logs: dict) -> list:
    names = [k for k in logs if not k.startswith("val_") and k not in ("lr", "learning_rate", "epoch")]
    if not names:
        raise ValueError(f"plot_history: nothing to plot in logs with keys {sorted(logs)}")
    return names


def _draw_history(ax, logs: dict, name: str) -> None:
    """Train and validation curves of one quantity, epochs counted from 1 as fit prints them."""
    epochs = np.arange(1, len(logs[name]) + 1)
    ax.plot(epochs, logs[name], marker="o", label=f"train {name}")
    if f"val_{name}" in logs:
        ax.plot(np.arange(1, len(logs[f"val_{name}"]) + 1), logs[f"val_{name}"], marker="s",
                label=f"validation {name}")
    ax.set_xlabel("epoch")
    ax.set_title(name)
    _integer_ticks(ax)
    ax.legend()
    ax.grid(alpha=0.3)


def plot_history(history, path=None, confusion=None, class_names=None):
    """Learning curves: one panel per quantity (loss, each metric), training vs validation; with
    `confusion` (the trained model's (K, K) confusion matrix), a last panel drawing it as
    plot_confusion_matrix does, so one figure shows how a classifier learnt and where it still errs.

    >>> len(plot_history({"loss": [0.9, 0.4]}, confusion=[[5, 1], [0, 6]]).axes)  # curve, matrix, colour bar
    3
    """
    logs = _logs(history)
    names = _history_names(logs)
    cm = None if confusion is None else _square_matrix("plot_history", confusion)
    fig, axes = _figure(1, len(names) + (cm is not None))
    for ax, name in zip(axes[0], names):
        _draw_history(ax, logs, name)
    if cm is not None:
        _draw_confusion(axes[0][-1], cm, class_names)
    return _finish(fig, path)


def plot_curves(series: dict, xlabel: str = "epoch", ylabel: str = "loss", title=None, start: int = 1,
                logy: bool = False, path=None):
    """Several named curves on one axes (one optimiser, regulariser, ... per line), x counted from `start`.

    series: name -> sequence of values.
    """
    if not series:
        raise ValueError("plot_curves: no curves given")
    fig, axes = _figure()
    ax = axes[0][0]
    for name, values in series.items():
        values = np.asarray(values, dtype=float).reshape(-1)
        ax.plot(np.arange(start, start + len(values)), values, marker=".", label=str(name))
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if logy:
        ax.set_yscale("log")
    if title:
        ax.set_title(title)
    _integer_ticks(ax)
    ax.legend()
    ax.grid(alpha=0.3)
    return _finish(fig, path)


def plot_bars(groups: dict, ylabel: str = "", title=None, path=None, percent: bool = False):
    """Grouped bars: groups maps a group name (a variant) to {quantity: value}, one colour per quantity."""
    if not groups:
        raise ValueError("plot_bars: no groups given")
    names = list(groups)
    quantities = list(dict.fromkeys(q for g in groups.values() for q in g))
    fig, axes = _figure(1, 1, size=(max(6.4, 1.2 * len(names)), 4.0))
    ax = axes[0][0]
    width = 0.8 / len(quantities)
    for j, q in enumerate(quantities):
        values = [groups[n].get(q, np.nan) for n in names]
        ax.bar(np.arange(len(names)) + (j - (len(quantities) - 1) / 2) * width, values, width, label=str(q))
    ax.set_xticks(range(len(names)), names)
    ax.set_ylabel(ylabel)
    if percent:
        from matplotlib.ticker import PercentFormatter

        ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    if title:
        ax.set_title(title)
    ax.legend()
    ax.grid(alpha=0.3, axis="y")
    return _finish(fig, path)


def plot_activations(names=ACTIVATIONS, path=None):
    """Each activation (top) and its derivative (bottom), the derivative taken by gradnote's autograd."""
    from .. import functional as F

    x = np.linspace(-5, 5, 401)
    fig, axes = _figure(2, len(names), size=(3.2, 3.0))
    for i, name in enumerate(names):
        fn = getattr(F, name)
        t = Tensor(x, requires_grad=True)
        y = fn(t)
        y.sum().backward()
        axes[0][i].plot(x, y.data)
        axes[0][i].set_title(name)
        axes[1][i].plot(x, t.grad, color="tab:orange")
        axes[1][i].set_title(f"d {name} / dx")
        for ax in (axes[0][i], axes[1][i]):
            ax.axhline(0, color="gray", lw=0.5)
            ax.grid(alpha=0.3)
    return _finish(fig, path)


def gradient_stats(model) -> dict:
    """Mean |grad| of each weight parameter (name -> float), the quantity plot_gradient_flow draws."""
    return {name: float(np.abs(p.grad).mean()) for name, p in model.named_parameters()
            if p.grad is not None and p.data.ndim > 1}


def plot_gradient_flow(records, labels=None, path=None, ylabel: str = "mean |grad|"):
    """Gradient size per layer (x axis, input to output) on a log scale; one line per record.

    records: one dict from ``gradient_stats(model)`` (layer name -> value), a list of them, or a dict
    of named records ({"sigmoid": stats, "relu": stats}) whose names become the legend. labels: legend
    entries for a list; a list without labels is drawn dark (first) to light (last), without a legend.
    Layers are matched by position, so records of different models of the same depth compare.
    Vanishing gradients show as lines falling steeply towards the input layers.
    """
    if isinstance(records, dict) and records and all(isinstance(v, dict) for v in records.values()):
        labels, records = list(records), list(records.values())
    elif isinstance(records, dict):
        records = [records]
    records = list(records)
    if not records:
        raise ValueError("plot_gradient_flow: no gradient records given")
    if labels is not None and len(labels) != len(records):
        raise ValueError(f"plot_gradient_flow: {len(labels)} labels for {len(records)} records")
    depth = max(len(r) for r in records)
    names = list(records[0]) if len({tuple(r) for r in records}) == 1 else [f"layer {i + 1}" for i in range(depth)]
    fig, axes = _figure(1, 1, size=(max(6.4, 0.6 * depth), 4.0))
    ax = axes[0][0]
    cmap = _colormap("tab10" if labels is not None else "viridis")
    for i, rec in enumerate(records):
        values = list(rec.values()) + [np.nan] * (depth - len(rec))
        color = cmap(i % 10) if labels is not None else cmap(0.85 * i / max(len(records) - 1, 1))
        ax.plot(range(depth), values, marker="o", color=color, label=None if labels is None else str(labels[i]))
    ax.set_yscale("log")
    ax.set_xticks(range(depth), names, rotation=45, ha="right")
    ax.set_xlabel("layer (input -> output)")
    ax.set_ylabel(ylabel)
    ax.set_title("gradient flow" if labels is not None or len(records) == 1
                 else f"gradient flow, {len(records)} records (dark: first, light: last)")
    ax.grid(alpha=0.3)
    if labels is not None:
        ax.legend()
    return _finish(fig, path)


def _colormap(name):
    import matplotlib

    return matplotlib.colormaps[name]


def plot_decision_boundary(model, x, y, resolution: int = 200, path=None, class_names=None,
                           feature_names=("$x_1$", "$x_2$"), ax=None):
    """Class regions of a 2-D classifier over the data's bounding box, with the points on top.

    model maps (N, 2) float32 tensors to (N, classes) scores (or (N, 1) / (N,) for binary).
    Each class has its own saturated colour (tab10), named in the legend; ax: draw into this axes.
    """
    x, y = np.asarray(x, dtype=np.float32), np.asarray(y)
    if x.ndim != 2 or x.shape[1] != 2:
        raise ValueError(f"plot_decision_boundary: needs 2-D points of shape (N, 2), got {x.shape}")
    if len(y) != len(x):
        raise ValueError(f"plot_decision_boundary: {len(x)} points but {len(y)} labels")
    lo, hi = x.min(0) - 0.5, x.max(0) + 0.5
    gx, gy = np.meshgrid(np.linspace(lo[0], hi[0], resolution), np.linspace(lo[1], hi[1], resolution))
    grid = np.stack([gx.ravel(), gy.ravel()], 1).astype(np.float32)
    was_training = getattr(model, "training", False)
    if hasattr(model, "eval"):
        model.eval()
    with no_grad():
        scores = np.asarray(model(Tensor._wrap(grid)).data)
    if hasattr(model, "train"):
        model.train(was_training)
    labels = scores.argmax(-1) if scores.ndim == 2 and scores.shape[1] > 1 else (scores.reshape(-1) > 0).astype(int)
    n_classes = int(max(labels.max(), y.max() if y.size else 0)) + 1
    names = list(class_names) if class_names is not None else [f"class {k}" for k in range(n_classes)]
    from matplotlib.colors import ListedColormap

    # a diverging map put the middle of three classes at near-white; tab10's colours are all saturated
    colors = [_colormap("tab10")(k % 10) for k in range(n_classes)]
    cmap = ListedColormap(colors)
    fig = None
    if ax is None:
        fig, axes = _figure()
        ax = axes[0][0]
    ax.contourf(gx, gy, labels.reshape(gx.shape), levels=np.arange(n_classes + 1) - 0.5, alpha=0.25, cmap=cmap)
    for k in range(n_classes):
        pts = x[y == k]
        ax.scatter(pts[:, 0], pts[:, 1], color=colors[k], edgecolors="k", linewidths=0.5, s=18,
                   label=names[k] if k < len(names) else f"class {k}")
    ax.set_xlabel(feature_names[0])
    ax.set_ylabel(feature_names[1])
    ax.set_title("decision boundary")
    ax.legend(loc="best", fontsize=8)
    return _finish(fig, path) if fig is not None else ax.figure


def _square_matrix(op: str, cm) -> np.ndarray:
    cm = np.asarray(cm)
    if cm.ndim != 2 or cm.shape[0] != cm.shape[1]:
        raise ValueError(f"{op}: needs a square confusion matrix, got shape {cm.shape}")
    return cm


def plot_confusion_matrix(cm, class_names=None, path=None):
    """A confusion matrix (rows: true class, columns: predicted) with counts written in the cells."""
    cm = _square_matrix("plot_confusion_matrix", cm)
    n = cm.shape[0]
    fig, axes = _figure(1, 1, size=(max(4.0, 0.5 * n), max(4.0, 0.5 * n)))
    _draw_confusion(axes[0][0], cm, class_names)
    return _finish(fig, path)


def _draw_confusion(ax, cm: np.ndarray, class_names=None) -> None:
    n = cm.shape[0]
    names = list(class_names) if class_names is not None else [str(i) for i in range(n)]
    if len(names) != n:
        raise ValueError(f"plot_confusion_matrix: {len(names)} class names for a {n} x {n} matrix")
    im = ax.imshow(cm, cmap="Blues")
    ax.figure.colorbar(im, ax=ax)
    ax.set_xticks(range(n), names)
    ax.set_yticks(range(n), names)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title("confusion matrix")
    for i in range(n):
        for j in range(n):
            ax.text(j, i, str(cm[i, j]), ha="center", va="center",
                    color="white" if cm[i, j] > cm.max() / 2 else "black", fontsize=8)


def _grid_images(images, title, cmap="gray", path=None, symmetric: bool = False):
    """Images on one shared colour scale (so cells compare), with the colour bar that reads it."""
    n = len(images)
    cols = min(n, 8)
    rows = (n + cols - 1) // cols
    fig, axes = _figure(rows, cols, size=(1.6, 1.6))
    lo, hi = float(np.min(images)), float(np.max(images))
    if symmetric:  # weights: zero is the middle (white) of the diverging map
        lo, hi = -max(abs(lo), abs(hi), 1e-12), max(abs(lo), abs(hi), 1e-12)
    im = None
    for k, ax in enumerate(axes.ravel()):
        ax.axis("off")
        if k < n:
            im = ax.imshow(images[k], cmap=cmap, vmin=lo, vmax=hi)
            ax.set_title(str(k), fontsize=8)
    fig.colorbar(im, ax=axes.ravel().tolist(), shrink=0.8)
    fig.suptitle(title)
    return _finish(fig, path)


def plot_filters(weight, path=None):
    """Conv filters, one image per output channel (weight: (out, in, kh, kw); input channels averaged),
    on one colour scale centred at zero, with its colour bar."""
    w = np.asarray(getattr(weight, "data", weight))
    if w.ndim != 4:
        raise ValueError(f"plot_filters: expected a conv weight (out, in, kh, kw), got shape {w.shape}")
    return _grid_images(w.mean(axis=1), "conv filters", cmap="bwr", path=path, symmetric=True)


def plot_feature_maps(maps, path=None):
    """Feature maps of one image: (C, H, W), or (N, C, H, W) of which the first image is shown."""
    m = np.asarray(getattr(maps, "data", maps))
    if m.ndim == 4:
        m = m[0]
    if m.ndim != 3:
        raise ValueError(f"plot_feature_maps: expected (C, H, W) or (N, C, H, W), got shape {m.shape}")
    return _grid_images(m, "feature maps", path=path)


def plot_lr_schedule(lrs, path=None, unit: str = "epoch"):
    """Learning rate per epoch (history["lr"]) or per step (unit="step"), counted from 1 as the
    learning curves count epochs; `lrs` is a sequence of rates."""
    if unit not in ("epoch", "step"):
        raise ValueError(f"plot_lr_schedule: unit must be 'epoch' or 'step', got {unit!r}")
    lrs = np.asarray(lrs, dtype=float).reshape(-1)
    if lrs.size == 0:
        raise ValueError("plot_lr_schedule: no learning rates given")
    fig, axes = _figure()
    ax = axes[0][0]
    ax.plot(np.arange(1, len(lrs) + 1), lrs, marker=".")
    _integer_ticks(ax)
    ax.set_xlabel(unit)
    ax.set_ylabel("learning rate")
    ax.set_title("learning-rate schedule")
    ax.grid(alpha=0.3)
    return _finish(fig, path)


def save_figure(draw, path) -> str | None:
    """Call draw(path) to save a lesson's figure as a PNG and say where; without matplotlib, say so in one
    line and go on (the lesson's table is printed either way). Returns the path, or None when skipped."""
    try:
        draw(path)
    except ImportError as e:
        print(f"figure skipped: {e}")
        return None
    print(f"figure: {path}")
    return str(path)
