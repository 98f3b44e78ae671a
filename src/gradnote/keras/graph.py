"""Symbolic tensors for Keras's functional API: ``keras.Input`` and layers called on it.

    inputs = keras.Input(shape=(784,))
    x = layers.Dense(64, activation="relu")(inputs)
    outputs = layers.Dense(10, activation="softmax")(x)
    model = keras.Model(inputs, outputs)

Calling a Keras layer on a KerasTensor records a node (layer, input tensors) and returns a new
KerasTensor whose shape comes from running the layer once on zeros of batch size 1 (eval mode,
no graph), which also builds the layer's lazily sized weights. ``Model(inputs, outputs)`` then
replays the nodes in order on real tensors (see gradnote.keras.models).
"""

from __future__ import annotations

import functools
import inspect
import re
import weakref
from itertools import count

from ..autograd import Tensor, no_grad
from ..backend import xp
from ..nn import Module

__all__ = ["Input", "KerasTensor", "Layer", "mask_of", "nodes_between", "set_mask"]


# An axis left None in keras.Input is traced at two lengths; the output axes that differ stay None. The
# lengths must outlast the strided convolutions and poolings of real models (Conv1D(128, 7, strides=3)
# twice needs at least 25 steps) and stay apart after them, so they are 64 and 128, not 1 and 2.
EXAMPLE_LENGTHS = (64, 128)


class KerasTensor:
    """A placeholder (shape with None for the batch axis, dtype) and the layer call that made it."""

    def __init__(self, shape: tuple, dtype, layer=None, inputs=(), index=None, name=None):
        self.shape, self.dtype, self.layer, self.inputs, self.index = tuple(shape), xp.dtype(dtype), layer, \
            tuple(inputs), index
        self.name = name

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def example(self, unknown: int = EXAMPLE_LENGTHS[0]) -> Tensor:
        """Zeros of this shape with batch size 1 (other unknown lengths become `unknown`)."""
        shape = (1, *(unknown if d is None else d for d in self.shape[1:]))
        return Tensor._wrap(xp.zeros(shape, dtype=self.dtype))

    @property
    def has_unknown(self) -> bool:
        return any(d is None for d in self.shape[1:])

    def __repr__(self) -> str:
        made_by = f", made by {self.layer.name}" if self.layer is not None else ""
        return f"<KerasTensor shape={self.shape}, dtype={self.dtype}{made_by}>"


def Input(shape=None, batch_size=None, dtype="float32", name=None, batch_shape=None) -> KerasTensor:
    """A model input of per-sample `shape` (the batch axis is left out), as keras.Input.

    >>> keras_input = Input(shape=(784,)); keras_input.shape
    (None, 784)
    """
    if batch_shape is not None:
        full = tuple(batch_shape)
    else:
        if shape is None:
            raise ValueError("Input: pass shape=(...) (per sample, without the batch axis)")
        shape = (shape,) if isinstance(shape, int) else tuple(shape)
        if not all(d is None or (isinstance(d, int) and d >= 0) for d in shape):
            raise ValueError(f"Input: shape must hold non-negative ints or None, got {shape!r}")
        full = (batch_size, *shape)
    return KerasTensor(full, dtype, name=name)


def _symbolic(args) -> bool:
    for a in args:
        if isinstance(a, KerasTensor) or (isinstance(a, (list, tuple)) and _symbolic(a)):
            return True
    return False


def _examples(a, unknown: int = EXAMPLE_LENGTHS[0]):
    if isinstance(a, KerasTensor):
        return a.example(unknown)
    if isinstance(a, (list, tuple)):
        return type(a)(_examples(v, unknown) for v in a)
    return a


def _snake(name: str) -> str:
    """Keras's layer names: Conv2D -> conv2d, MaxPooling2D -> max_pooling2d."""
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", re.sub(r"(.)([A-Z][a-z0-9]+)", r"\1_\2", name)).lower()


_COUNTERS: dict[str, count] = {}

_MASKS: dict[int, tuple] = {}  # id(tensor) -> (weakref to it, bool mask (N, T)): Keras's implicit masks


def set_mask(t: Tensor, mask) -> Tensor:
    """Attach a Keras mask (bool ndarray (N, T), True = a real step) to `t`; returns t."""
    key = id(t)
    _MASKS[key] = (weakref.ref(t, lambda _, key=key: _MASKS.pop(key, None)), mask)
    return t


def mask_of(t) -> object:
    """The mask attached to `t` by set_mask (Embedding(mask_zero=True) and the layers it flows through), or None."""
    entry = _MASKS.get(id(t))
    return entry[1] if entry is not None and entry[0]() is t else None


class Layer(Module):
    """What every Keras layer adds to its nn module: a Keras name and calls on symbolic tensors."""

    @property
    def name(self) -> str:
        if "_name" not in self.__dict__:
            base = _snake(type(self).__name__)
            n = next(_COUNTERS.setdefault(base, count()))
            self.__dict__["_name"] = base if n == 0 else f"{base}_{n}"
        return self.__dict__["_name"]

    @name.setter
    def name(self, value: str) -> None:
        self.__dict__["_name"] = str(value)

    passes_mask = False  # Keras's supports_masking: the input's mask is the output's

    def __init_subclass__(cls, **kwargs):
        """Every Keras layer takes name= (Dense(1, name="predictions")); a layer whose __init__ does not name
        it gets it here, set after construction."""
        super().__init_subclass__(**kwargs)
        init = cls.__dict__.get("__init__")
        if init is None or "name" in inspect.signature(init).parameters:
            return

        @functools.wraps(init)
        def named_init(self, *args, name=None, **kw):
            init(self, *args, **kw)
            if name is not None:
                if not isinstance(name, str) or not name:
                    raise ValueError(f"{cls.__name__}: name must be a non-empty string, got {name!r}")
                self.__dict__["_name"] = name  # Module.__setattr__ would not reach the property

        cls.__init__ = named_init

    def __call__(self, *args, **kwargs):
        if not _symbolic(args):
            out = super().__call__(*args, **kwargs)
            mask = mask_of(args[0]) if args and self.passes_mask else None
            if mask is not None and isinstance(out, Tensor) and tuple(out.shape[:2]) == mask.shape:
                set_mask(out, mask)
            return out
        was_training = self.training
        self.eval()
        try:
            with no_grad():
                out = super().__call__(*_examples(args), **kwargs)
                # lengths left unknown (None) in the inputs: the output axes that follow them stay None
                other = super().__call__(*_examples(args, EXAMPLE_LENGTHS[1]), **kwargs) if any(
                    t.has_unknown for t in _flat(args)) else out
        finally:
            self.train(was_training)
        return _symbolic_outputs(out, self, args, other)

    @property
    def built(self) -> bool:
        """Whether the weights exist (lazily sized layers build at their first call)."""
        return getattr(self, "weight", True) is not None

    def count_params(self) -> int:
        """Number of weights, trainable or not (BatchNormalization's moving statistics too), as Keras."""
        return weight_count(self)

    def get_weights(self) -> list:
        """Copies of the parameters and buffers, in state-dict order (as ndarrays)."""
        return [xp.array(v, copy=True) for v in self.state_dict().values()]

    def set_weights(self, weights) -> None:
        """Set every parameter and buffer from a list in get_weights' order."""
        sd = self.state_dict()
        weights = list(weights)
        if len(weights) != len(sd):
            raise ValueError(f"{self.name}.set_weights: expected {len(sd)} arrays, got {len(weights)}")
        for (k, target), w in zip(sd.items(), weights):
            w = xp.asarray(w)
            if w.shape != target.shape:
                raise ValueError(f"{self.name}.set_weights: {k} has shape {target.shape}, got {w.shape}")
            target[...] = w


def _known(a: Tensor, b: Tensor) -> tuple:
    return (None, *(d if d == e else None for d, e in zip(a.shape[1:], b.shape[1:])))


def weight_count(module) -> int:
    """Parameters plus float buffers (Keras's non-trainable weights); integer counters are left out."""
    params = dict(module.named_parameters())
    return sum(p.data.size for p in params.values()) + sum(
        v.size for k, v in module.state_dict().items() if k not in params and getattr(v, "dtype", None) is not None
        and v.dtype.kind == "f")


def _symbolic_outputs(out, layer, args, other):
    if isinstance(out, Tensor):
        return KerasTensor(_known(out, other), out.dtype, layer, args)
    if isinstance(out, (tuple, list)):
        return tuple(KerasTensor(_known(o, p), o.dtype, layer, args, index=i)
                     for i, (o, p) in enumerate(zip(out, other)))
    raise TypeError(f"{layer.name}: a symbolic call returned {type(out).__name__}, expected Tensors")


def _flat(items):
    for a in items:
        if isinstance(a, (list, tuple)):
            yield from _flat(a)
        elif isinstance(a, KerasTensor):
            yield a


def nodes_between(inputs, outputs) -> list:
    """The KerasTensors made by layer calls from `inputs` to `outputs`, in an order that computes them
    (iterative depth-first post-order); raises if an output needs an input that was not given."""
    given = {id(t) for t in inputs}
    order, seen, stack = [], set(given), [(t, False) for t in reversed(outputs)]
    while stack:
        t, expanded = stack.pop()
        if id(t) in seen and not expanded:
            continue
        if expanded:
            order.append(t)
            continue
        if t.layer is None:
            raise ValueError(f"Model: {t} is an Input that is not among the model's inputs")
        seen.add(id(t))
        stack.append((t, True))
        stack.extend((p, False) for p in _flat(t.inputs) if id(p) not in seen)
    return order
