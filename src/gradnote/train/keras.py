"""Keras-style compile / fit / evaluate / predict for any gradnote model (nn.Sequential has them as methods).

    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["acc"])
    history = model.fit(x, y, batch_size=32, epochs=5, validation_split=0.2)
    loss, acc = model.evaluate(x_test, y_test)
    probs = model.predict(x_test)

Losses by name: "mse", "mae", "huber", "binary_crossentropy", "categorical_crossentropy",
"sparse_categorical_crossentropy"; or a loss module / function loss(out, target).

Stable softmax (and sigmoid) outputs: when the model's last layer is a softmax (Dense(...,
activation="softmax"), Activation("softmax"), nn.Softmax) and the loss is categorical or
sparse categorical cross-entropy, training and evaluate compute the loss with
F.cross_entropy on the logits before that softmax (log-sum-exp, finite for any logits), and
metrics see the softmax of those logits; likewise a final sigmoid with binary_crossentropy
uses binary_cross_entropy_with_logits. predict() still returns the model's real output.
Without such a last layer the probabilities are clipped to [1e-7, 1 - 1e-7] before the log,
as Keras does.
"""

from __future__ import annotations

import math

import numpy as np

from .. import functional as F
from ..autograd import Tensor, no_grad
from ..backend import xp
from .loop import Head, Loop

__all__ = ["LOSS_NAMES", "compile", "evaluate", "fit", "get_loss", "predict"]

EPSILON = 1e-7

_ALIASES = {"mean_squared_error": "mse", "mean_absolute_error": "mae", "huber_loss": "huber"}
LOSS_NAMES = sorted(["mse", "mae", "huber", "binary_crossentropy", "categorical_crossentropy",
                     "sparse_categorical_crossentropy", *_ALIASES])


def _like(y: Tensor, out: Tensor, name: str) -> Tensor:
    if y.shape == out.shape:
        return y
    if y.data.size == out.data.size:
        return Tensor._wrap(y.data.reshape(out.shape))
    raise ValueError(f"{name}: targets of shape {y.shape} do not match the model output {out.shape}")


def _float_target(y: Tensor, out: Tensor, name: str) -> Tensor:
    y = _like(y, out, name)
    return y if y.dtype == out.dtype else Tensor._wrap(y.data.astype(out.dtype))


def _sparse_target(y: Tensor, out: Tensor, name: str) -> Tensor:
    t = y.data.reshape(-1) if y.ndim == 2 and y.shape[1] == 1 else y.data
    if t.dtype.kind == "f":
        if not np.all(t == np.round(t)):
            raise ValueError(f"{name}: targets must be integer class indices, got non-integer floats")
        t = t.astype(np.int64)
    if len(t) and (t.min() < 0 or t.max() >= out.shape[-1]):
        raise ValueError(f"{name}: class indices must lie in [0, {out.shape[-1]}), got [{t.min()}, {t.max()}]")
    return Tensor._wrap(t.astype(np.int64, copy=False))


def _categorical_target(y: Tensor, out: Tensor, name: str) -> Tensor:
    if y.shape != out.shape:
        raise ValueError(f"{name}: targets must be one-hot of the output's shape {out.shape}, got {y.shape}; "
                         "for integer labels use 'sparse_categorical_crossentropy'")
    return y if y.dtype == out.dtype else Tensor._wrap(y.data.astype(out.dtype))


def _clipped_log(p: Tensor) -> Tensor:
    return p.clip(EPSILON, 1 - EPSILON).log()


def get_loss(name: str, fused: bool):
    """loss(out, y) for a Keras loss name; fused: `out` are logits (the final activation was split off)."""
    key = _ALIASES.get(name.lower(), name.lower()) if isinstance(name, str) else None
    if key == "mse":
        return lambda out, y: F.mse_loss(out, _float_target(y, out, name))
    if key == "mae":
        return lambda out, y: F.l1_loss(out, _float_target(y, out, name))
    if key == "huber":
        return lambda out, y: F.huber_loss(out, _float_target(y, out, name))
    if key == "binary_crossentropy":
        if fused:
            return lambda out, y: F.binary_cross_entropy_with_logits(out, _float_target(y, out, name))

        def bce(out, y):
            t = _float_target(y, out, name)
            return -(t * _clipped_log(out) + (1 - t) * _clipped_log(1 - out)).mean()
        return bce
    if key == "categorical_crossentropy":
        if fused:
            return lambda out, y: F.cross_entropy(out, _categorical_target(y, out, name))
        return lambda out, y: -(_categorical_target(y, out, name) * _clipped_log(out)).sum(axis=-1).mean()
    if key == "sparse_categorical_crossentropy":
        if fused:
            return lambda out, y: F.cross_entropy(out, _sparse_target(y, out, name))
        return lambda out, y: F.nll_loss(_clipped_log(out), _sparse_target(y, out, name))
    raise ValueError(f"unknown loss {name!r}; valid names: {', '.join(LOSS_NAMES)}")


# ----- the stable head ---------------------------------------------------------------------------
def _softmax_np(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _sigmoid_np(z):
    return np.exp(-np.logaddexp(0, -z)).astype(z.dtype, copy=False)


class FusedHead(Head):
    """Runs a Sequential up to its final softmax/sigmoid: the loss gets logits, metrics probabilities."""

    def __init__(self, activation: str, dense: bool):
        self.activation, self.dense = activation, dense

    def forward(self, model, x):
        layers = list(model)
        for layer in layers[:-1]:
            x = layer(x)
        return layers[-1].pre_activation(x) if self.dense else x

    def predictions(self, out):
        return _softmax_np(out) if self.activation == "softmax" else _sigmoid_np(out)


def _final_activation(model):
    """('softmax'|'sigmoid', is_dense) when the model ends in that activation, else None."""
    from .. import layers as L

    try:
        last = list(model)[-1]
    except (TypeError, IndexError):
        return None
    if isinstance(last, L.Dense) and isinstance(last.activation, str):
        act = last.activation.lower()
        return (act, True) if act in ("softmax", "sigmoid") else None
    if isinstance(last, L.Activation) and isinstance(last.activation, str):
        act = last.activation.lower()
        return (act, False) if act in ("softmax", "sigmoid") else None
    name = type(last).__name__
    if name == "Softmax" and getattr(last, "dim", getattr(last, "axis", -1)) in (-1, 1):
        return ("softmax", False)
    if name == "Sigmoid":
        return ("sigmoid", False)
    return None


def resolve_loss(loss, model):
    """(loss_fn, head, loss_name) for a Keras loss name or a loss module/function."""
    if isinstance(loss, str):
        key = _ALIASES.get(loss.lower(), loss.lower())
        final = _final_activation(model)
        fused = final is not None and (
            (final[0] == "softmax" and key in ("categorical_crossentropy", "sparse_categorical_crossentropy"))
            or (final[0] == "sigmoid" and key == "binary_crossentropy"))
        fn = get_loss(loss, fused)
        return fn, (FusedHead(*final) if fused else Head()), key
    if callable(loss):
        return loss, Head(), type(loss).__name__
    raise TypeError(f"compile: loss must be a name ({', '.join(LOSS_NAMES)}) or a callable, "
                    f"got {type(loss).__name__}")


# ----- compile / fit / evaluate / predict -------------------------------------------------------
class Compiled:
    """What compile() stores on the model (a plain object, so it never becomes a sub-module)."""

    def __init__(self, optimizer, loss, metrics):
        self.optimizer, self.loss, self.metric_specs = optimizer, loss, list(metrics or [])


def _unbuilt(model) -> bool:
    return any(getattr(m, "built", True) is False for m in model.modules())


def _build_from_input_shape(model) -> None:
    """Build lazily-sized layers now when the first layer declares input_shape (as Keras builds at compile),
    by one forward pass on zeros in eval mode (no batch statistics or dropout touched, no graph)."""
    first = next(iter(model.children()), None)
    shape = getattr(first, "input_shape", None)
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
    from .. import optimizers

    return isinstance(opt, optimizers.Optimizer)


def compile(model, optimizer="rmsprop", loss=None, metrics=None) -> None:
    """Configure training: optimizer (name, gn.optimizers object or gradnote.optim optimiser),
    loss (name or callable), metrics (list of names, functions or Metric objects)."""
    from .. import optimizers
    from . import metrics as metrics_mod

    if loss is None:
        raise ValueError("compile: a loss is required (e.g. loss='mse')")
    if isinstance(metrics, (str,)) or callable(metrics):
        metrics = [metrics]
    if metrics is not None and not isinstance(metrics, (list, tuple)):
        raise TypeError(f"compile: metrics must be a list, got {type(metrics).__name__}")
    resolve_loss(loss, model)  # validate the name now
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
    loss_fn, head, key = resolve_loss(c.loss, model)
    if _is_keras_optimizer(c.optimizer) and not c.optimizer.bound:
        c.optimizer.bind(model.parameters())
    return Loop(model, loss_fn, c.optimizer, metrics=c.metric_specs, head=head, verbose=verbose, loss_name=key)


def fit(model, x=None, y=None, batch_size: int = 32, epochs: int = 1, verbose: int = 1, callbacks=None,
        validation_split: float = 0.0, validation_data=None, shuffle: bool = True, initial_epoch: int = 0,
        resume=None):
    """Train on arrays x (N, ...) and y (N, ...); returns a History (history.history: per-epoch lists).

    validation_split takes the LAST fraction of x, y (before shuffling), as Keras does;
    validation_data=(x_val, y_val) overrides it. resume: a checkpoint path or dict written by
    ModelCheckpoint / gn.train.save_checkpoint: continue that run exactly.
    """
    from .checkpoint import load_checkpoint

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
