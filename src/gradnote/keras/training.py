"""Keras's compile / fit / evaluate / predict, for any gradnote model, over the one loop in gradnote.train.

    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["acc"])
    history = model.fit(x, y, batch_size=32, epochs=5, validation_split=0.2)
    loss, acc = model.evaluate(x_test, y_test)
    probs = model.predict(x_test)

keras.Model's methods call these functions; so does nn.Sequential's deprecated compile/fit (through
the hook this package installs there, so nn imports nothing from here). Losses by name or Loss object
(gradnote.train.losses: a softmax/sigmoid output that remembers its logits gets the stable
log-sum-exp form, whatever the container), or a callable loss(out, target). The model's own losses
(Layer.losses: add_loss, kernel/bias/activity regularizers) are added to the data loss in fit and
evaluate, so the logged loss includes them, as Keras's does; weight constraints run after every update.
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
from ..train.losses import as_loop_loss
from . import multi_io, optimizers, weight_options
from .graph import Layer
from .multi_io import leaves, rebuild, take

__all__ = ["compile", "evaluate", "fit", "predict", "predict_on_batch", "test_on_batch", "train_on_batch"]


# ----- compile / fit / evaluate / predict -------------------------------------------------------
class Compiled:
    """What compile() stores on the model (a plain object, so it never becomes a sub-module)."""

    def __init__(self, optimizer, loss, metrics, loss_weights=None, weighted_metrics=None):
        self.optimizer, self.loss, self.metrics = optimizer, loss, metrics
        self.metric_specs = list(metrics or []) if not isinstance(metrics, dict) else metrics
        self.loss_weights, self.weighted_metrics = loss_weights, weighted_metrics


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


def _metric_leaves(metrics):
    for m in metrics.values() if isinstance(metrics, dict) else metrics or []:
        if isinstance(m, (list, tuple)):
            yield from _metric_leaves(m)
        elif m is not None:
            yield m


def compile(model, optimizer="rmsprop", loss=None, metrics=None, loss_weights=None, weighted_metrics=None) -> None:
    """Configure training: optimizer (name, gn.optimizers object or gradnote.optim optimiser),
    loss (name or callable; for several outputs one for all, a list or a dict by output name), metrics
    (list of names, functions or Metric objects; per output a list of lists or a dict), loss_weights (a
    number, or one per output) and weighted_metrics (metrics that take the sample weights, as Keras)."""
    if isinstance(metrics, (str,)) or callable(metrics):
        metrics = [metrics]
    if isinstance(weighted_metrics, (str,)) or callable(weighted_metrics):
        weighted_metrics = [weighted_metrics]
    for what, value in (("metrics", metrics), ("weighted_metrics", weighted_metrics)):
        if value is not None and not isinstance(value, (list, tuple, dict)):
            raise TypeError(f"compile: {what} must be a list (or a dict by output name), got {type(value).__name__}")
    names = multi_io.output_names(model)
    if loss is None and names and any(True for _ in _metric_leaves(metrics)):
        raise ValueError("compile: per-output metrics of a model with several outputs need a loss; pass loss=")
    if loss is None:
        names = None  # loss=None: the model's own losses (add_loss) are the whole loss, as Keras allows
    specs = [] if loss is None else multi_io.per_output(loss, names, "loss") if names else [loss]
    if not names and isinstance(loss, (list, tuple, dict)):
        specs = list(loss.values()) if isinstance(loss, dict) else list(loss)
        if len(specs) != 1:
            raise ValueError(f"compile: the model has one output, got {len(specs)} losses")
        loss = specs[0]
    keys = [as_loop_loss(s)[1] for s in specs if s is not None]  # validate the names now
    for m in [*_metric_leaves(metrics), *_metric_leaves(weighted_metrics)]:
        metrics_mod.get(m, keys[0] if len(keys) == 1 else None)
    if names:
        multi_io.per_output(loss_weights, names, "loss_weights")
    elif loss_weights is not None:
        w = loss_weights if not isinstance(loss_weights, (list, tuple, dict)) else leaves(loss_weights)
        if isinstance(w, list) and len(w) != 1:
            raise ValueError(f"compile: the model has one output, got {len(w)} loss_weights")
        loss_weights = float(w[0] if isinstance(w, list) else w)
    opt = optimizers.get(optimizer)
    if not (_is_keras_optimizer(opt) or (hasattr(opt, "step") and hasattr(opt, "param_groups"))):
        raise TypeError(f"compile: optimizer must be a name ({', '.join(optimizers.OPTIMIZER_NAMES)}) or an "
                        f"optimizer object, got {type(opt).__name__}")
    _build_from_input_shape(model)
    if _is_keras_optimizer(opt) and not _unbuilt(model):
        opt.bind(model.parameters())
    model.__dict__["_compiled"] = Compiled(opt, loss, metrics, loss_weights, weighted_metrics)
    model.__dict__["optimizer"] = opt
    model.__dict__["stop_training"] = False


def _compiled(model, what: str) -> Compiled:
    c = model.__dict__.get("_compiled")
    if c is None:
        raise RuntimeError(f"{what}: call model.compile(optimizer, loss, metrics) first")
    return c


def _array(a, name: str, what: str, strings: bool = False) -> np.ndarray:
    """a as an ndarray with a sample axis; numbers, or (strings=True, for the inputs) strings as an object
    array, which no cast touches: a model's TextVectorization / StringLookup / Hashing takes them."""
    if isinstance(a, Tensor):
        return a.data
    if isinstance(a, (list, tuple)) and a and isinstance(a[0], Tensor):
        a = [t.data for t in a]
    arr = np.asarray(a)
    if arr.ndim == 0:
        raise ValueError(f"{what}: {name} must have a sample axis, got a scalar")
    if strings and arr.dtype.kind in "OSU":
        return arr.astype(object)
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{what}: {name} must be numeric{' (or strings)' if strings else ''}, got dtype {arr.dtype}")
    return arr


def _param_dtype(model):
    for p in model.parameters():
        return p.dtype
    return xp.dtype(xp.float32)


def _sample_shape(model):
    """The shape of one input sample, when the model declares it or has seen data; else None."""
    d = model.__dict__
    shape = d.get("input_shape") or getattr(next(iter(model.children()), None), "input_shape", None)
    if shape is None and d.get("_last_input") is not None:
        shape = d["_last_input"][0]
    return tuple(shape) if shape is not None else None


def _takes_indices(model) -> bool:
    first = next((m for m in model.modules() if not list(m.children())), None)
    return isinstance(first, nn.Embedding)


def _check_finite(a: np.ndarray, name: str, what: str) -> None:
    """Warn (as a RuntimeWarning naming the first bad sample) when the data holds NaN/inf: Keras trains on
    silently to `loss nan`. A warning, not an error, so TerminateOnNaN-style experiments still run."""
    if a.dtype.kind == "f" and not np.isfinite(a).all():
        import warnings

        bad = ~np.isfinite(a.reshape(len(a), -1))
        warnings.warn(f"{what}: {name} holds {int(bad.sum())} NaN/inf values (first in sample "
                      f"{int(bad.any(1).argmax())}); training on them makes the loss nan: drop or impute them",
                      RuntimeWarning, stacklevel=4)


def _prepare_x(model, x, what: str) -> np.ndarray:
    x = _array(x, "x", what, strings=True)
    if x.dtype.kind == "O":  # strings: (N,) texts for an Input of shape (None, 1) are Keras's usual form
        return x
    if x.dtype.kind in "biu" and not _takes_indices(model):
        x = x.astype(_param_dtype(model))  # as Keras casts integer pixels (uint8 images) to the layer's dtype
    if x.dtype.kind == "f" and x.dtype != _param_dtype(model):
        x = x.astype(_param_dtype(model))
    known = _sample_shape(model)
    if known is not None and x.ndim == len(known) and x.ndim >= 1:
        raise ValueError(f"{what}: x of shape {x.shape} has no batch axis; the model takes samples of shape "
                         f"{known}, so x must be (N, {', '.join('None' if s is None else str(s) for s in known)})"
                         f"; for one sample pass x[None] (or x[i:i + 1])")
    return x


def _many_inputs(model, x) -> bool:
    """Whether x is a structure of several inputs: a dict, or a list / tuple for a model with several Inputs."""
    names = multi_io.input_names(model)
    return isinstance(x, dict) or (isinstance(x, (list, tuple)) and names is not None and len(names) > 1)


def _many_outputs(model, y) -> bool:
    return isinstance(y, dict) or (isinstance(y, (list, tuple)) and multi_io.output_names(model) is not None)


def _prepare_inputs(model, x, what: str):
    """x as _prepare_x makes it, or each array of a structure of several inputs (a list in the model's input
    order, or a dict by Input name): integers stay integers for an integer Input (token ids), other numbers
    become the model's float dtype."""
    if not _many_inputs(model, x):
        return _prepare_x(model, x, what)
    names, dtypes = multi_io.input_names(model) or [], multi_io.input_dtypes(model) or []
    if isinstance(x, (list, tuple)) and len(x) != len(names):
        raise ValueError(f"{what}: the model has {len(names)} inputs {names}, got a list of {len(x)} arrays")
    keys = list(x) if isinstance(x, dict) else names
    kinds = dict(zip(names, dtypes))
    out = []
    for key, a in zip(keys, leaves(x)):
        a = _array(a, f"x[{key!r}]", what, strings=True)
        want = kinds.get(key)
        if (a.dtype.kind in "biu" and (want is None or want.kind == "f")) or \
                (a.dtype.kind == "f" and a.dtype != _param_dtype(model)):
            a = a.astype(_param_dtype(model))
        out.append(a)
    return rebuild(x, out)


def _prepare_targets(model, y, what: str):
    ys = [_array(a, "y" if len(leaves(y)) == 1 else f"y[{i!r}]", what)
          for i, a in zip(list(y) if isinstance(y, dict) else range(len(leaves(y))), leaves(y))] \
        if _many_outputs(model, y) else [_array(y, "y", what)]
    ys = [a.astype(_param_dtype(model)) if a.dtype.kind == "f" and a.dtype != _param_dtype(model) else a for a in ys]
    return rebuild(y, ys) if _many_outputs(model, y) else ys[0]


def _count(a) -> int:
    return len(leaves(a)[0])


def _prepare_xy(model, x, y, what: str):
    x = _prepare_inputs(model, x, what)
    if y is None:
        c = model.__dict__.get("_compiled")
        if c is None or c.loss is not None:
            raise ValueError(f"{what}: y is required (the model is compiled with a loss); only a model compiled "
                             "with loss=None, whose layers add_loss their own, trains without targets")
        y = np.zeros(_count(x), dtype=np.float32)  # no targets: a placeholder the loop carries along unused
    y = _prepare_targets(model, y, what)
    for name, part in (("x", x), ("y", y)):
        for a in leaves(part):
            _check_finite(a, name, what)
    counts = {f"{name}{'' if len(leaves(part)) == 1 else f'[{i}]'}": len(a)
              for name, part in (("x", x), ("y", y)) for i, a in enumerate(leaves(part))}
    if len(set(counts.values())) > 1:
        raise ValueError(f"{what}: x and y must have the same number of samples, got "
                         + ", ".join(f"len({k})={v}" for k, v in counts.items()))
    return x, y


def _loader(x, y, batch_size, shuffle: bool, weights=None):
    from ..data import DataLoader, TensorDataset

    batch_size = 32 if batch_size is None else batch_size
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive int, got {batch_size!r}")
    arrays = (*leaves(x), *leaves(y)) + (() if weights is None else (weights,))
    loader = DataLoader(TensorDataset(*arrays), batch_size=int(batch_size), shuffle=shuffle)
    if len(arrays) == 2 + (weights is not None) and not isinstance(x, (list, tuple, dict)) \
            and not isinstance(y, (list, tuple, dict)):
        return loader
    return _Structured(loader, x, y)


class _Structured:
    """A DataLoader over the flat arrays of structured x and y, yielding batches in their structures."""

    def __init__(self, loader, x, y):
        self.loader, self.x, self.y = loader, x, y

    def __len__(self) -> int:
        return len(self.loader)

    def __iter__(self):
        nx, ny = len(leaves(self.x)), len(leaves(self.y))
        for batch in self.loader:
            batch = list(batch)
            yield (rebuild(self.x, batch[:nx]), rebuild(self.y, batch[nx:nx + ny]), *batch[nx + ny:])

    def __getattr__(self, name):  # sampler, dataset, generator: what the loop and ResumeState read
        return getattr(self.__dict__["loader"], name)


def _is_batch_source(x) -> bool:
    """A DataLoader, keras.utils.Sequence or iterator (generator) of batches, rather than arrays."""
    from ..data import DataLoader
    from ..utils.keras_utils import Sequence

    return isinstance(x, (DataLoader, Sequence)) or hasattr(x, "__next__")


def _class_weights(y, class_weight: dict, what: str) -> np.ndarray:
    labels = np.asarray(y.data if isinstance(y, Tensor) else y)
    if labels.ndim > 1 and labels.shape[-1] > 1:
        labels = labels.argmax(-1)
    labels = labels.reshape(len(labels), -1)[:, 0].astype(np.int64)
    missing = sorted(set(np.unique(labels).tolist()) - set(class_weight))
    if missing:
        raise ValueError(f"{what}: class_weight has no weight for class(es) {missing}")
    return np.array([class_weight[c] for c in labels.tolist()], dtype=np.float32)


def _sample_weights(y, sample_weight, class_weight, what: str):
    """Keras's per-sample weights: sample_weight times class_weight[label] (None when neither is given)."""
    w = None
    if sample_weight is not None:
        w = np.asarray(sample_weight.data if isinstance(sample_weight, Tensor) else sample_weight, np.float32)
        if w.shape != (len(y),):
            raise ValueError(f"{what}: sample_weight must have shape ({len(y)},), got {w.shape}")
    if class_weight is not None:
        if not isinstance(class_weight, dict):
            raise TypeError(f"{what}: class_weight must be a dict {{class: weight}}, got {type(class_weight).__name__}")
        cw = _class_weights(y, class_weight, what)
        w = cw if w is None else w * cw
    return w


class _Batches:
    """Batches of a DataLoader, Sequence or generator as (x, y, sample_weight) Tensors in the model's dtype."""

    def __init__(self, model, source, class_weight=None, what: str = "fit"):
        self.model, self.source, self.class_weight, self.what = model, source, class_weight, what
        self._it = iter(source) if hasattr(source, "__next__") else None

    def __len__(self) -> int:
        return len(self.source)

    def __iter__(self):
        if self._it is not None:
            return self
        return (self._convert(b) for b in self.source)

    def _convert(self, batch):
        if not isinstance(batch, (tuple, list)) or len(batch) not in (2, 3):
            raise TypeError(f"{self.what}: each batch must be (x, y) or (x, y, sample_weight), got "
                            f"{type(batch).__name__}")
        x, y = _tensors(self.model, batch[0], _many_inputs(self.model, batch[0])), \
            _tensors(self.model, batch[1], _many_outputs(self.model, batch[1]))
        w = batch[2] if len(batch) == 3 else None
        w = _sample_weights(leaves(y)[0].data, w, self.class_weight, self.what)
        return (x, y) if w is None else (x, y, w)


class _IteratorBatches(_Batches):
    """A generator's batches: one pass, read on across epochs (the loop sees __next__)."""

    def __next__(self):
        return self._convert(next(self._it))


def _tensor(model, a) -> Tensor:
    if isinstance(a, Tensor):
        if a.dtype.kind == "f" and a.dtype != _param_dtype(model):
            return Tensor._wrap(a.data.astype(_param_dtype(model)))
        return a
    a = np.asarray(a)
    if a.dtype.kind in "OSU":  # strings stay an ndarray (Tensors hold numbers)
        return a.astype(object)
    return Tensor._wrap(a.astype(_param_dtype(model)) if a.dtype.kind == "f" else a)


def _tensors(model, a, many: bool):
    """_tensor of one array, or of every array of a structure of several inputs / outputs."""
    return rebuild(a, [_tensor(model, v) for v in leaves(a)]) if many else _tensor(model, a)


def _batch_source(model, x, class_weight, what):
    cls = _IteratorBatches if hasattr(x, "__next__") else _Batches
    return cls(model, x, class_weight, what)


def _first_x(source):
    for batch in source:
        return batch[0]
    raise ValueError("fit: the batch source yielded no batches")


def _build(model, x) -> None:
    """Create lazily sized weights with one forward pass on a sample (eval mode: no random draws)."""
    if _unbuilt(model):
        was = model.training
        model.eval()
        first = take(x, slice(0, 1))
        with no_grad():
            model(rebuild(first, [_tensor(model, v) for v in leaves(first)]) if isinstance(first, (list, tuple, dict))
                  else _tensor(model, first))
        model.train(was)


def _model_losses(model) -> list:
    """The losses the model's layers recorded in its last forward pass (add_loss, weight and activity
    regularizers): Layer.losses, or its layers' for a container that is not a Keras layer."""
    if hasattr(type(model), "losses"):
        return model.losses
    return [v for child in model.children() for v in getattr(child, "losses", [])]


def _with_model_losses(model, loss_fn):
    """loss_fn plus the model's own losses, as Keras's compute_loss adds model.losses to the data loss."""

    def loss(out, y, *sample_weight):
        value = loss_fn(out, y, *sample_weight)
        for extra in _model_losses(model):
            value = value + extra
        return value

    return loss


def _weighted_names(metrics: list, weighted: list) -> list:
    """Keras's names for weighted_metrics: a name an unweighted metric already logs gets "weighted_" before it."""
    taken = {m.name for m in metrics}
    for m in weighted:
        if m.name in taken:
            m.name = f"weighted_{m.name}"
    return weighted


def _make_loop(model, verbose: int) -> Loop:
    """The Loop for a compiled model; a Keras model logs its rate as Keras 3 does ("learning_rate"), gradnote's
    own modules (nn.Sequential's compile, `gradnote train`) as gn.train does ("lr")."""
    c = _compiled(model, "fit")
    names = multi_io.output_names(model)
    if c.loss is None:  # the layers' add_loss losses are the whole loss (Keras's compile without a loss)
        loss_fn, key, names = _only_model_losses(model), None, None
        metrics = [metrics_mod.get(m) for m in c.metric_specs]
        weighted = [metrics_mod.get(m) for m in c.weighted_metrics or []]
    elif names:  # several outputs: one loss each, logged as <output>_loss, metrics as <output>_<metric>
        combined = multi_io.OutputsLoss(multi_io.per_output(c.loss, names, "loss"),
                                        multi_io.per_output(c.loss_weights, names, "loss_weights", 1.0), names)
        loss_fn, key = combined, None
        metrics = [multi_io.OutputLoss(combined, i) for i, fn in enumerate(combined.fns) if fn is not None]
        metrics += multi_io.output_metrics(c.metrics, combined, "metrics")
        weighted = multi_io.output_metrics(c.weighted_metrics, combined, "weighted_metrics")
    else:
        loss_fn, key = as_loop_loss(c.loss, keras_order=isinstance(model, Layer))
        if c.loss_weights is not None and c.loss_weights != 1.0:
            loss_fn = _scaled(loss_fn, c.loss_weights)
        metrics = [metrics_mod.get(m, key) for m in c.metric_specs]
        weighted = [metrics_mod.get(m, key) for m in c.weighted_metrics or []]
    if c.loss is not None:
        loss_fn = _with_model_losses(model, loss_fn)
    if _is_keras_optimizer(c.optimizer) and not c.optimizer.bound:
        c.optimizer.bind(model.parameters())
    return Loop(model, loss_fn, c.optimizer, metrics=metrics, weighted_metrics=_weighted_names(metrics, weighted),
                verbose=verbose, loss_name=key, lr_name="learning_rate" if isinstance(model, Layer) else "lr")


def _only_model_losses(model):
    def loss(out, y, *sample_weight):
        extra = _model_losses(model)
        if not extra:
            raise ValueError("fit: the model was compiled without a loss and its layers added none (add_loss); "
                             "pass loss= to compile")
        total = extra[0]
        for value in extra[1:]:
            total = total + value
        return total

    return loss


def _scaled(loss_fn, weight: float):
    def loss(out, y, *sample_weight):
        return loss_fn(out, y, *sample_weight) * weight

    return loss


def fit(model, x=None, y=None, batch_size=None, epochs: int = 1, verbose=1, callbacks=None,
        validation_split: float = 0.0, validation_data=None, shuffle: bool = True, class_weight=None,
        sample_weight=None, initial_epoch: int = 0, steps_per_epoch=None, validation_steps=None,
        validation_batch_size=None, resume=None):
    """Train on arrays x (N, ...) and y (N, ...), or on a DataLoader / keras.utils.Sequence / generator of
    (x, y) or (x, y, sample_weight) batches (y then None); returns a History (per-epoch lists).

    validation_split takes the LAST fraction of x, y (before shuffling), as Keras does;
    validation_data=(x_val, y_val[, w_val]) or a batch source overrides it. class_weight {class:
    weight} and sample_weight (N,) weight each sample's loss. steps_per_epoch: batches per epoch
    (a generator is read on across epochs); validation_steps: batches per validation. resume: a
    checkpoint path or dict written by ModelCheckpoint / gn.train.save_checkpoint: continue that run
    exactly.
    """
    verbose = 1 if verbose == "auto" else verbose
    source = x if _is_batch_source(x) else None
    callbacks = list(callbacks or [])
    if source is not None:
        if y is not None or sample_weight is not None:
            raise ValueError("fit: with a DataLoader or generator, y and sample_weight come from its batches")
        if validation_split:
            raise ValueError("fit: validation_split needs arrays; pass validation_data with a batch source")
        train = _batch_source(model, source, class_weight, "fit")
        if not hasattr(source, "__next__"):
            _build(model, _first_x(train))
        if hasattr(source, "on_epoch_end"):
            from ..train.callbacks import LambdaCallback

            callbacks.append(LambdaCallback(on_epoch_end=lambda epoch, logs: source.on_epoch_end()))
    else:
        if x is None:
            raise ValueError("fit: x and y are required (or pass a DataLoader / generator of batches as x)")
        x, y = _prepare_xy(model, x, y, "fit")
        w = _sample_weights(leaves(y)[0], sample_weight, class_weight, "fit")
    if not 0 <= validation_split < 1:
        raise ValueError(f"fit: validation_split must be in [0, 1), got {validation_split!r}")
    val_loader = None
    val_batch = validation_batch_size or batch_size
    if validation_data is not None:
        if _is_batch_source(validation_data):
            val_loader = _batch_source(model, validation_data, None, "fit(validation_data)")
        else:
            if not isinstance(validation_data, (tuple, list)) or len(validation_data) not in (2, 3):
                raise ValueError("fit: validation_data must be (x_val, y_val), (x_val, y_val, sample_weight_val) "
                                 "or a DataLoader / generator")
            xv, yv = _prepare_xy(model, *validation_data[:2], "fit(validation_data)")
            wv = _sample_weights(leaves(yv)[0], validation_data[2] if len(validation_data) == 3 else None, None,
                                 "fit(validation_data)")
            val_loader = _loader(xv, yv, val_batch, False, wv)
    elif validation_split > 0:
        n = _count(x)
        split_at = math.ceil(n * (1 - validation_split))
        if split_at == n or split_at == 0:
            raise ValueError(f"fit: validation_split={validation_split} leaves no samples for "
                             f"{'validation' if split_at == n else 'training'} from {n} samples")
        head, tail = slice(None, split_at), slice(split_at, None)
        x, xv, y, yv = take(x, head), take(x, tail), take(y, head), take(y, tail)
        w, wv = (None, None) if w is None else (w[:split_at], w[split_at:])
        val_loader = _loader(xv, yv, val_batch, False, wv)
    if source is None:
        if _count(x) == 0:
            raise ValueError("fit: x is empty")
        _build(model, x)
        train = _loader(x, y, batch_size, shuffle, w)
    loop = _make_loop(model, verbose)
    if weight_options.has_constraints(model):
        callbacks.insert(0, weight_options.ApplyConstraints())  # before user callbacks: they see the update
    state = None
    if resume is not None:
        state = load_checkpoint(resume, model, loop.optimizer) if not isinstance(resume, dict) else resume
        if isinstance(resume, dict):
            model.load_state_dict(state["model"])
            loop.optimizer.load_state_dict(state["optimizer"])
    history = loop.fit(train, epochs, initial_epoch=initial_epoch, val_loader=val_loader, callbacks=callbacks,
                       resume=state, steps_per_epoch=steps_per_epoch, validation_steps=validation_steps)
    model.__dict__["history"] = history
    return history


def evaluate(model, x=None, y=None, batch_size=None, verbose: int = 0, sample_weight=None, steps=None,
             return_dict: bool = False):
    """Loss (and metrics) on x, y (or a batch source) in eval mode: a float, or [loss, *metrics] when
    metrics were compiled (a dict with return_dict=True)."""
    if _is_batch_source(x):
        if y is not None:
            raise ValueError("evaluate: with a DataLoader or generator, y comes from its batches")
        source = _batch_source(model, x, None, "evaluate")
        if not hasattr(x, "__next__"):
            _build(model, _first_x(source))
    else:
        x, y = _prepare_xy(model, x, y, "evaluate")
        _build(model, x)
        source = _loader(x, y, batch_size, False, _sample_weights(leaves(y)[0], sample_weight, None, "evaluate"))
    loop = _make_loop(model, 0)
    logs = loop.evaluate(source, steps)
    if verbose:
        print(" - ".join(f"{k}: {v:.4f}" for k, v in logs.items()))
    return _returned(logs, return_dict)


def predict(model, x, batch_size=None, verbose: int = 0, steps=None) -> np.ndarray:
    """model(x) in batches, in eval mode, without a graph; returns an ndarray (N, ...). x: an array, or a
    DataLoader / generator of batches x or (x, ...) (its first `steps` batches if given)."""
    batch_size = 32 if batch_size is None else batch_size
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
        raise ValueError(f"predict: batch_size must be a positive int, got {batch_size!r}")
    if _is_batch_source(x):
        import itertools

        def first(b):
            return b[0] if isinstance(b, tuple) or (isinstance(b, list) and not _many_inputs(model, b)) else b

        inputs = (_tensors(model, first(b), _many_inputs(model, first(b))) for b in itertools.islice(x, steps))
    else:
        arr = _prepare_inputs(model, x, "predict")
        inputs = (rebuild(arr, [_tensor(model, a) for a in leaves(take(arr, slice(i, i + batch_size)))])
                  for i in range(0, _count(arr), batch_size))
    was = model.training
    model.eval()
    outs = []
    try:
        with no_grad():
            for xb in inputs:
                out = model(xb)
                outs.append(rebuild(out, [v.data if isinstance(v, Tensor) else np.asarray(v) for v in leaves(out)])
                            if isinstance(out, (list, tuple, dict)) else
                            out.data if isinstance(out, Tensor) else np.asarray(out))
    finally:
        model.train(was)
    if not outs:
        raise ValueError("predict: x is empty")
    if isinstance(outs[0], (list, dict)):  # several outputs: a list (or dict) of arrays, as Keras
        return rebuild(outs[0], [np.concatenate([leaves(o)[i] for o in outs], axis=0)
                                 for i in range(len(leaves(outs[0])))])
    return np.concatenate(outs, axis=0)


def _batch_logs(model, x, y, sample_weight, class_weight, what: str):
    x, y = _prepare_xy(model, x, y, what)
    _build(model, x)
    w = _sample_weights(leaves(y)[0], sample_weight, class_weight, what)
    x = rebuild(x, [Tensor._wrap(a) for a in leaves(x)]) if isinstance(x, (list, tuple, dict)) else Tensor._wrap(x)
    y = rebuild(y, [Tensor._wrap(a) for a in leaves(y)]) if isinstance(y, (list, tuple, dict)) else Tensor._wrap(y)
    return _make_loop(model, 0), x, y, w


def _returned(logs: dict, return_dict: bool):
    if return_dict:
        return logs
    values = list(logs.values())
    return values[0] if len(values) == 1 else values


def train_on_batch(model, x, y=None, sample_weight=None, class_weight=None, return_dict: bool = False):
    """One optimiser update on the batch (x, y) in training mode, as Keras's train_on_batch: returns the
    batch's loss, or [loss, *metrics] when metrics were compiled (a dict with return_dict=True)."""
    loop, x, y, w = _batch_logs(model, x, y, sample_weight, class_weight, "train_on_batch")
    model.train()
    loop.train_step(x, y, w)
    if weight_options.has_constraints(model):
        weight_options.apply_constraints(model)
    return _returned(loop._results(), return_dict)


def test_on_batch(model, x, y=None, sample_weight=None, return_dict: bool = False):
    """Loss (and metrics) of the batch (x, y) in eval mode without a graph, as Keras's test_on_batch."""
    loop, x, y, w = _batch_logs(model, x, y, sample_weight, None, "test_on_batch")
    batch = (x, y) if w is None else (x, y, w)
    return _returned(loop.evaluate([batch]), return_dict)


def predict_on_batch(model, x):
    """The model's outputs for one batch x (an ndarray, or a list / dict of them for several outputs)."""
    return predict(model, x, batch_size=max(1, _count(_prepare_inputs(model, x, "predict_on_batch"))))
