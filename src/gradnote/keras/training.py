"""Keras's compile / fit / evaluate / predict, for any gradnote model, over the one loop in gradnote.train.

    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["acc"])
    history = model.fit(x, y, batch_size=32, epochs=5, validation_split=0.2)
    loss, acc = model.evaluate(x_test, y_test)
    probs = model.predict(x_test)

keras.Model's methods call these functions; so does nn.Sequential's deprecated compile/fit (through
the hook this package installs there, so nn imports nothing from here). Losses by name or Loss object
(gradnote.train.losses: a softmax/sigmoid output that remembers its logits gets the stable
log-sum-exp form, whatever the container), or a callable loss(out, target).
"""

from __future__ import annotations

import math

import numpy as np

from .. import nn
from ..autograd import Tensor, no_grad
from ..backend import xp
from ..train import metrics as metrics_mod
from ..train.checkpoint import load_checkpoint
from ..train.loop import Loop
from ..train.losses import _ALIASES, as_loop_loss
from . import optimizers

__all__ = ["compile", "evaluate", "fit", "predict"]


# ----- compile / fit / evaluate / predict -------------------------------------------------------
class Compiled:
    """What compile() stores on the model (a plain object, so it never becomes a sub-module)."""

    def __init__(self, optimizer, loss, metrics):
        self.optimizer, self.loss, self.metric_specs = optimizer, loss, list(metrics or [])


def _unbuilt(model) -> bool:
    return any(getattr(m, "built", True) is False or (isinstance(m, (nn.Linear, nn.Conv2d)) and m.weight is None)
               for m in model.modules())


def _build_from_input_shape(model) -> None:
    """Build lazily-sized layers now when the first layer declares input_shape (as Keras builds at compile),
    by one forward pass on zeros in eval mode (no batch statistics or dropout touched, no graph)."""
    shape = model.__dict__.get("input_shape") or getattr(next(iter(model.children()), None), "input_shape", None)
    if not _unbuilt(model) or not shape:
        return
    was_training = model.training
    model.eval()
    try:
        with no_grad():
            model(Tensor._wrap(np.zeros((1, *shape), dtype=np.float32)))
    finally:
        model.train(was_training)


def _is_keras_optimizer(opt) -> bool:
    return isinstance(opt, optimizers.Optimizer)


def compile(model, optimizer="rmsprop", loss=None, metrics=None) -> None:
    """Configure training: optimizer (name, gn.optimizers object or gradnote.optim optimiser),
    loss (name or callable), metrics (list of names, functions or Metric objects)."""
    if loss is None:
        raise ValueError("compile: a loss is required (e.g. loss='mse')")
    if isinstance(metrics, (str,)) or callable(metrics):
        metrics = [metrics]
    if metrics is not None and not isinstance(metrics, (list, tuple)):
        raise TypeError(f"compile: metrics must be a list, got {type(metrics).__name__}")
    as_loop_loss(loss)  # validate the name now
    key = _ALIASES.get(loss.lower(), loss.lower()) if isinstance(loss, str) else None
    for m in metrics or []:
        metrics_mod.get(m, key)
    opt = optimizers.get(optimizer)
    if not (_is_keras_optimizer(opt) or (hasattr(opt, "step") and hasattr(opt, "param_groups"))):
        raise TypeError(f"compile: optimizer must be a name ({', '.join(optimizers.OPTIMIZER_NAMES)}) or an "
                        f"optimizer object, got {type(opt).__name__}")
    _build_from_input_shape(model)
    if _is_keras_optimizer(opt) and not _unbuilt(model):
        opt.bind(model.parameters())
    model.__dict__["_compiled"] = Compiled(opt, loss, metrics)
    model.__dict__["optimizer"] = opt
    model.__dict__["stop_training"] = False


def _compiled(model, what: str) -> Compiled:
    c = model.__dict__.get("_compiled")
    if c is None:
        raise RuntimeError(f"{what}: call model.compile(optimizer, loss, metrics) first")
    return c


def _array(a, name: str, what: str) -> np.ndarray:
    if isinstance(a, Tensor):
        return a.data
    if isinstance(a, (list, tuple)) and a and isinstance(a[0], Tensor):
        a = [t.data for t in a]
    arr = np.asarray(a)
    if arr.ndim == 0:
        raise ValueError(f"{what}: {name} must have a sample axis, got a scalar")
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{what}: {name} must be numeric, got dtype {arr.dtype}")
    return arr


def _param_dtype(model):
    for p in model.parameters():
        return p.dtype
    return xp.dtype(xp.float32)


def _prepare_x(model, x, what: str) -> np.ndarray:
    x = _array(x, "x", what)
    if x.dtype.kind == "f" and x.dtype != _param_dtype(model):
        x = x.astype(_param_dtype(model))
    return x


def _prepare_xy(model, x, y, what: str):
    x = _prepare_x(model, x, what)
    y = _array(y, "y", what)
    if len(x) != len(y):
        raise ValueError(f"{what}: x and y must have the same number of samples, got len(x)={len(x)} "
                         f"and len(y)={len(y)}")
    if y.dtype.kind == "f" and y.dtype != _param_dtype(model):
        y = y.astype(_param_dtype(model))
    return x, y


def _loader(x, y, batch_size: int, shuffle: bool):
    from ..data import DataLoader, TensorDataset

    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive int, got {batch_size!r}")
    return DataLoader(TensorDataset(x, y), batch_size=int(batch_size), shuffle=shuffle)


def _build(model, x) -> None:
    """Create lazily sized weights with one forward pass on a sample (eval mode: no random draws)."""
    if _unbuilt(model):
        was = model.training
        model.eval()
        with no_grad():
            model(Tensor._wrap(x[:1]))
        model.train(was)


def _make_loop(model, verbose: int) -> Loop:
    c = _compiled(model, "fit")
    loss_fn, key = as_loop_loss(c.loss)
    if _is_keras_optimizer(c.optimizer) and not c.optimizer.bound:
        c.optimizer.bind(model.parameters())
    return Loop(model, loss_fn, c.optimizer, metrics=c.metric_specs, verbose=verbose, loss_name=key)


def fit(model, x=None, y=None, batch_size: int = 32, epochs: int = 1, verbose: int = 1, callbacks=None,
        validation_split: float = 0.0, validation_data=None, shuffle: bool = True, initial_epoch: int = 0,
        resume=None):
    """Train on arrays x (N, ...) and y (N, ...); returns a History (history.history: per-epoch lists).

    validation_split takes the LAST fraction of x, y (before shuffling), as Keras does;
    validation_data=(x_val, y_val) overrides it. resume: a checkpoint path or dict written by
    ModelCheckpoint / gn.train.save_checkpoint: continue that run exactly.
    """
    if x is None or y is None:
        raise ValueError("fit: x and y are required")
    x, y = _prepare_xy(model, x, y, "fit")
    if not 0 <= validation_split < 1:
        raise ValueError(f"fit: validation_split must be in [0, 1), got {validation_split!r}")
    val_loader = None
    if validation_data is not None:
        if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
            raise ValueError("fit: validation_data must be a pair (x_val, y_val)")
        xv, yv = _prepare_xy(model, *validation_data, "fit(validation_data)")
        val_loader = _loader(xv, yv, batch_size, False)
    elif validation_split > 0:
        split_at = math.ceil(len(x) * (1 - validation_split))
        if split_at == len(x) or split_at == 0:
            raise ValueError(f"fit: validation_split={validation_split} leaves no samples for "
                             f"{'validation' if split_at == len(x) else 'training'} from {len(x)} samples")
        x, xv, y, yv = x[:split_at], x[split_at:], y[:split_at], y[split_at:]
        val_loader = _loader(xv, yv, batch_size, False)
    if len(x) == 0:
        raise ValueError("fit: x is empty")
    _build(model, x)
    loop = _make_loop(model, verbose)
    state = None
    if resume is not None:
        state = load_checkpoint(resume, model, loop.optimizer) if not isinstance(resume, dict) else resume
        if isinstance(resume, dict):
            model.load_state_dict(state["model"])
            loop.optimizer.load_state_dict(state["optimizer"])
    history = loop.fit(_loader(x, y, batch_size, shuffle), epochs, initial_epoch=initial_epoch,
                       val_loader=val_loader, callbacks=callbacks, resume=state)
    model.__dict__["history"] = history
    return history


def evaluate(model, x=None, y=None, batch_size: int = 32, verbose: int = 0):
    """Loss (and metrics) on x, y in eval mode: a float, or [loss, *metrics] when metrics were compiled."""
    x, y = _prepare_xy(model, x, y, "evaluate")
    _build(model, x)
    loop = _make_loop(model, 0)
    logs = loop.evaluate(_loader(x, y, batch_size, False))
    if verbose:
        print(" - ".join(f"{k}: {v:.4f}" for k, v in logs.items()))
    values = list(logs.values())
    return values[0] if len(values) == 1 else values


def predict(model, x, batch_size: int = 32, verbose: int = 0) -> np.ndarray:
    """model(x) in batches, in eval mode, without a graph; returns an ndarray (N, ...)."""
    x = _prepare_x(model, x, "predict")
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
        raise ValueError(f"predict: batch_size must be a positive int, got {batch_size!r}")
    was = model.training
    model.eval()
    outs = []
    try:
        with no_grad():
            for i in range(0, len(x), batch_size):
                out = model(Tensor._wrap(x[i:i + batch_size]))
                outs.append(out.data if isinstance(out, Tensor) else np.asarray(out))
    finally:
        model.train(was)
    if not outs:
        raise ValueError("predict: x is empty")
    return np.concatenate(outs, axis=0)
