"""Symbolic tensors for Keras's functional API: ``keras.Input`` and layers called on it.

    inputs = keras.Input(shape=(784,))
    x = layers.Dense(64, activation="relu")(inputs)
    outputs = layers.Dense(10, activation="softmax")(x)
    model = keras.Model(inputs, outputs)

Calling a Keras layer on a KerasTensor records a node (layer, input tensors) and returns a new
KerasTensor whose shape comes from running the layer once on zeros of batch size 1 (eval mode,
no graph), which also builds the layer's lazily sized weights. ``Model(inputs, outputs)`` then
replays the nodes in order on real tensors (see gradnote.keras.models).

A keras.ops function or a Python operator applied to a KerasTensor (``x * 2 + 1``, ``x[:, :2]``,
``ops.mean(x, axis=-1)``) records a node too: ``symbolic_call`` wraps the call in a TensorOp layer,
so the functional Model replays ops exactly as it replays layers (one mechanism for both).
"""

from __future__ import annotations

import functools
import inspect
import numbers
import operator
import re
import weakref
from itertools import count

import numpy as np

from .. import backend
from ..autograd import Tensor, no_grad
from ..backend import xp
from ..device import to_arguments
from ..nn import Module, Parameter
from . import weight_options
from .arguments import apply_initializer
from .config import floatx

__all__ = ["OPS", "Input", "InputLayer", "KerasTensor", "Layer", "TensorOp", "holds_strings", "mask_of", "nodes_between",
           "saved_dtype", "set_mask", "symbolic_call"]


# An axis left None in keras.Input is traced at two lengths; the output axes that differ stay None. The
# lengths must outlast the strided convolutions and poolings of real models (Conv1D(128, 7, strides=3)
# twice needs at least 25 steps) and stay apart after them, so they are 64 and 128, not 1 and 2.
EXAMPLE_LENGTHS = (64, 128)


def _input_dtype(dtype):
    """A KerasTensor's dtype: Keras's "string" (or str) is NumPy's object dtype, holding Python strings
    (strings stay NumPy arrays on the host: Tensors hold numbers)."""
    return np.dtype(object) if dtype in ("string", str) else xp.dtype(dtype)


def holds_strings(a) -> bool:
    """Whether `a` is string data: a string KerasTensor, a str / bytes, an array of strings (str, bytes or
    object dtype), or a list / tuple / dict holding one.

    >>> holds_strings(["a movie"]), holds_strings(Input(shape=(1,), dtype="string")), holds_strings(np.ones(2))
    (True, True, False)
    """
    if isinstance(a, (str, bytes)):
        return True
    if isinstance(a, (KerasTensor, Tensor, *backend.array_types)):
        return a.dtype.kind in "OSU"
    if isinstance(a, (list, tuple)):
        return any(holds_strings(v) for v in a)
    if isinstance(a, dict):
        return any(holds_strings(v) for v in a.values())
    return False


class KerasTensor:
    """A placeholder (shape with None for the batch axis, dtype) and the layer call that made it."""

    def __init__(self, shape: tuple, dtype, layer=None, inputs=(), index=None, name=None, kwargs=None):
        self.shape, self.dtype, self.layer, self.inputs, self.index = tuple(shape), _input_dtype(dtype), layer, \
            tuple(inputs), index
        self.name = name
        self.kwargs = dict(kwargs or {})  # the call's keywords (initial_state=[h, c], training=True ...), replayed

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def example(self, unknown: int = EXAMPLE_LENGTHS[0]):
        """Zeros of this shape with batch size 1 (other unknown lengths become `unknown`); for a string
        input an ndarray of empty strings."""
        shape = (1, *(unknown if d is None else d for d in self.shape[1:]))
        if self.dtype.kind == "O":
            return np.full(shape, "", dtype=object)
        return Tensor._wrap(xp.zeros(shape, dtype=self.dtype))

    @property
    def has_unknown(self) -> bool:
        return any(d is None for d in self.shape[1:])

    def __repr__(self) -> str:
        made_by = f", made by {self.layer.name}" if self.layer is not None else ""
        return f"<KerasTensor shape={self.shape}, dtype={self.dtype}{made_by}>"

    # Python's operators and indexing record the operator as a graph node, as keras.ops functions do
    __hash__ = object.__hash__  # __eq__ is elementwise below; models keep KerasTensors by identity

    def __bool__(self):
        raise TypeError(f"{self!r} is symbolic: it has no truth value (use ops.cond or ops.where inside a layer)")

    def __getitem__(self, key): return symbolic_call("operator.getitem", self, key)
    def __neg__(self): return symbolic_call("operator.neg", self)
    def __pos__(self): return self
    def __abs__(self): return symbolic_call("operator.abs", self)
    def __invert__(self): return symbolic_call("operator.invert", self)
    def __add__(self, other): return symbolic_call("operator.add", self, other)
    def __radd__(self, other): return symbolic_call("operator.add", other, self)
    def __sub__(self, other): return symbolic_call("operator.sub", self, other)
    def __rsub__(self, other): return symbolic_call("operator.sub", other, self)
    def __mul__(self, other): return symbolic_call("operator.mul", self, other)
    def __rmul__(self, other): return symbolic_call("operator.mul", other, self)
    def __truediv__(self, other): return symbolic_call("operator.truediv", self, other)
    def __rtruediv__(self, other): return symbolic_call("operator.truediv", other, self)
    def __floordiv__(self, other): return symbolic_call("operator.floordiv", self, other)
    def __rfloordiv__(self, other): return symbolic_call("operator.floordiv", other, self)
    def __mod__(self, other): return symbolic_call("operator.mod", self, other)
    def __rmod__(self, other): return symbolic_call("operator.mod", other, self)
    def __pow__(self, other): return symbolic_call("operator.pow", self, other)
    def __rpow__(self, other): return symbolic_call("operator.pow", other, self)
    def __matmul__(self, other): return symbolic_call("operator.matmul", self, other)
    def __rmatmul__(self, other): return symbolic_call("operator.matmul", other, self)
    def __and__(self, other): return symbolic_call("operator.and_", self, other)
    def __rand__(self, other): return symbolic_call("operator.and_", other, self)
    def __or__(self, other): return symbolic_call("operator.or_", self, other)
    def __ror__(self, other): return symbolic_call("operator.or_", other, self)
    def __xor__(self, other): return symbolic_call("operator.xor", self, other)
    def __rxor__(self, other): return symbolic_call("operator.xor", other, self)
    def __lt__(self, other): return symbolic_call("operator.lt", self, other)
    def __le__(self, other): return symbolic_call("operator.le", self, other)
    def __gt__(self, other): return symbolic_call("operator.gt", self, other)
    def __ge__(self, other): return symbolic_call("operator.ge", self, other)
    def __eq__(self, other): return symbolic_call("operator.eq", self, other)
    def __ne__(self, other): return symbolic_call("operator.ne", self, other)


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
    return KerasTensor(full, dtype, name=name if name is not None else unique_name("input_layer"))


def _symbolic(args) -> bool:
    for a in args:
        if isinstance(a, KerasTensor) or (isinstance(a, (list, tuple)) and _symbolic(a)) or (
                isinstance(a, dict) and _symbolic(list(a.values()))):
            return True
    return False


def _examples(a, unknown: int = EXAMPLE_LENGTHS[0]):
    if isinstance(a, KerasTensor):
        return a.example(unknown)
    if isinstance(a, (list, tuple)):
        return type(a)(_examples(v, unknown) for v in a)
    if isinstance(a, dict):
        return {k: _examples(v, unknown) for k, v in a.items()}
    return a


def _snake(name: str) -> str:
    """Keras's layer names: Conv2D -> conv2d, MaxPooling2D -> max_pooling2d."""
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", re.sub(r"(.)([A-Z][a-z0-9]+)", r"\1_\2", name)).lower()


_COUNTERS: dict[str, count] = {}


def unique_name(base: str) -> str:
    """Keras's automatic names: base, base_1, base_2, ... (per base, for this session)."""
    n = next(_COUNTERS.setdefault(base, count()))
    return base if n == 0 else f"{base}_{n}"


def _check_name(layer: str, name) -> None:
    if not isinstance(name, str) or not name:
        raise ValueError(f"{layer}: name must be a non-empty string, got {name!r}")


@functools.cache
def _parameters(fn) -> frozenset:
    return frozenset(inspect.signature(fn).parameters)


def _converted(a):
    """NumPy arrays as Tensors, in one place for every layer: a numeric array (also inside a list, tuple or
    dict of inputs) is wrapped, keeping its dtype (Layer.__call__'s autocast then casts floats to the layer's
    compute dtype); Tensors, KerasTensors, strings and anything else pass through unchanged."""
    if isinstance(a, backend.array_types) and a.dtype.kind in "biuf":
        return Tensor._wrap(a)
    if isinstance(a, (list, tuple)) and any(isinstance(v, (backend.array_types, list, tuple, dict)) for v in a):
        return type(a)(_converted(v) for v in a)
    if isinstance(a, dict):
        return {k: _converted(v) for k, v in a.items()}
    return a


def _cast(a, dtype):
    """Keras's autocast: float Tensors (also in lists, tuples and dicts) in `dtype`, by a differentiable cast;
    integer, bool and symbolic values pass unchanged."""
    if isinstance(a, Tensor):
        return a.to(dtype) if a.dtype.kind == "f" and a.dtype != dtype else a
    if isinstance(a, (list, tuple)):
        return type(a)(_cast(v, dtype) for v in a)
    if isinstance(a, dict):
        return {k: _cast(v, dtype) for k, v in a.items()}
    return a


def _shapes(a):
    """Keras's input_shape of a call argument: a tuple (batch axis None when symbolic), a list for a list."""
    if isinstance(a, (list, tuple)):
        return [_shapes(v) for v in a]
    if isinstance(a, dict):
        return {k: _shapes(v) for k, v in a.items()}
    return tuple(a.shape) if hasattr(a, "shape") else None


class _mode:
    """Run a call in training mode `mode` (True/False), putting every module's own mode back after;
    None leaves the modes alone."""

    def __init__(self, layer, mode):
        self.layer, self.mode = layer, mode

    def __enter__(self):
        if self.mode is not None:
            self.saved = [(m, m.training) for m in self.layer.modules()]
            self.layer.train(bool(self.mode))

    def __exit__(self, *exc):
        if self.mode is not None:
            for m, was in self.saved:
                m.__dict__["training"] = was

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
    """What every Keras layer adds to its nn module: a Keras name, calls on symbolic tensors, and the
    surface keras-io's custom layers are written in.

    A subclass that defines ``call(self, inputs, training=None, mask=None)`` (instead of nn's forward) gets
    Keras's protocol: ``build(input_shape)`` runs once, with the first input's shape (a list of shapes for
    a list of inputs; the batch axis None on a symbolic call), before the first call; ``add_weight``
    makes Parameters (non-trainable ones are buffers); ``training`` is filled from train()/eval() (fit
    trains, evaluate/predict do not) when the caller leaves it None; ``compute_output_shape``, when
    defined, gives the shape of a symbolic call's output.

    >>> class Scale(Layer):
    ...     def build(self, input_shape): self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones")
    ...     def call(self, x): return x * self.w
    >>> Scale()(gn.ones(2, 3)).shape, len(list(Scale().parameters()))
    ((2, 3), 0)
    """

    def __init__(self, name: str | None = None, trainable: bool = True, dtype=None, **kwargs):
        unknown = set(kwargs) - {"input_shape", "input_dim", "autocast", "batch_input_shape", "batch_size"}
        if unknown:
            raise TypeError(f"{type(self).__name__}: unknown keyword argument(s) {sorted(unknown)} passed to "
                            "Layer.__init__")
        if name is not None:
            _check_name(type(self).__name__, name)
            self.__dict__["_name"] = name
        self.__dict__["_trainable"] = bool(trainable)
        self.__dict__["_dtype"] = None if dtype is None else _dtype_name(type(self).__name__, dtype)
        if not kwargs.get("autocast", True):
            self.__dict__["_autocast"] = False
        shape = kwargs.get("input_shape") or ((kwargs["input_dim"],) if kwargs.get("input_dim") else None)
        if shape:
            self.__dict__["input_shape"] = tuple(shape)

    @property
    def name(self) -> str:
        if "_name" not in self.__dict__:
            self.__dict__["_name"] = unique_name(_snake(type(self).__name__))
        return self.__dict__["_name"]

    @name.setter
    def name(self, value: str) -> None:
        self.__dict__["_name"] = str(value)

    passes_mask = False  # Keras's supports_masking: the input's mask is the output's

    def __init_subclass__(cls, **kwargs):
        """Every Keras layer takes name= (Dense(1, name="predictions")) and the *_regularizer /
        *_constraint keywords (keras.weight_options); a layer whose __init__ does not take them gets them
        here, set after construction."""
        super().__init_subclass__(**kwargs)
        init = cls.__dict__.get("__init__")
        if init is None:
            return
        params = inspect.signature(init).parameters
        takes_name, takes_dtype = "name" in params, "dtype" in params

        @functools.wraps(init)
        def named_init(self, *args, **kw):
            options = weight_options.take(kw, keep=params)
            name = None if takes_name else kw.pop("name", None)
            dtype = None if takes_dtype else kw.pop("dtype", None)
            init(self, *args, **kw)
            if name is not None:
                _check_name(cls.__name__, name)
                self.__dict__["_name"] = name  # Module.__setattr__ would not reach the property
            if dtype is not None:  # Keras's dtype=: the weights' and the computation's dtype
                self.__dict__["_dtype"] = _dtype_name(cls.__name__, dtype)
                self.to(xp.dtype(self.__dict__["_dtype"]))
            if options:
                weight_options.attach(self, options)

        cls.__init__ = named_init
        if "get_config" in cls.__dict__:  # the options go into the config, so saved models keep them
            cls.get_config = weight_options.with_options_config(cls.__dict__["get_config"])

    # ----- calling ------------------------------------------------------------------------------------
    takes_strings = False  # TextVectorization, StringLookup, Hashing and models (their layers check) take strings

    def __call__(self, *args, **kwargs):
        given = kwargs  # a symbolic call records the keywords as given: the replay takes them off again
        if args and not self.takes_strings and holds_strings(args[0]):
            what = f"shape {tuple(args[0].shape)}" if hasattr(args[0], "shape") else type(args[0]).__name__
            raise TypeError(f"{self.name} ({type(self).__name__}): got string input ({what}); only "
                            "TextVectorization, StringLookup and Hashing take strings: turn the text into numbers "
                            "with one of them first")
        kwargs, mode = self._call_options(dict(kwargs))
        args = tuple(_converted(a) for a in args)
        dtype = self.compute_dtype if self.__dict__.get("_autocast", type(self).autocast) else None
        if dtype is not None:  # Keras's autocast: float inputs in the layer's dtype (see compute_dtype)
            args, kwargs = _cast(args, dtype), _cast(kwargs, dtype)
        if not _symbolic(args) and not _symbolic(list(kwargs.values())):
            with _mode(self, mode):
                out = super().__call__(*args, **kwargs)
            mask = mask_of(args[0]) if args and self.passes_mask else None
            if mask is not None and isinstance(out, Tensor) and tuple(out.shape[:2]) == mask.shape:
                set_mask(out, mask)
            return out
        if self._keras_style and not self.built:
            self._build_once(_shapes(args[0]) if args else None)
        was_training = self.training
        self.eval()
        try:
            with no_grad(), xp.errstate(all="ignore"):  # zeros, not data: log(0) and 0/0 only fix shapes here
                cast = (lambda a: _cast(a, dtype)) if dtype is not None else (lambda a: a)
                out = super().__call__(*cast(_examples(args)), **cast(_examples(kwargs)))
                # lengths left unknown (None) in the inputs: the output axes that follow them stay None
                other = super().__call__(*cast(_examples(args, EXAMPLE_LENGTHS[1])),
                                         **cast(_examples(kwargs, EXAMPLE_LENGTHS[1]))) \
                    if any(t.has_unknown for t in _flat([args, kwargs])) else out
        finally:
            self.train(was_training)
        if type(self).compute_output_shape is not Layer.compute_output_shape:
            result = _declared_outputs(self, self.compute_output_shape(_shapes(args[0])), out, args, given)
        else:
            result = _symbolic_outputs(out, self, args, other, given)
        self.__dict__.setdefault("_first_node", (args[0] if len(args) == 1 else list(args), result))
        return result

    @property
    def input(self):
        """The KerasTensor(s) of this layer's first call on symbolic tensors (Keras's layer.input)."""
        return self._node(0)

    @property
    def output(self):
        """The KerasTensor(s) this layer's first call on symbolic tensors made (Keras's layer.output; a list
        for several outputs: LSTM(return_state=True).output is [outputs, h, c])."""
        out = self._node(1)
        return list(out) if isinstance(out, tuple) else out

    def _node(self, i: int):
        node = self.__dict__.get("_first_node")
        if node is None:
            raise AttributeError(f"{self.name}: the layer has never been called on a keras.Input, so it has no "
                                 f"{'input' if i == 0 else 'output'} tensor")
        return node[i]

    autocast = True  # Keras casts a layer's float inputs to its compute dtype (TensorOp, an op, does not)

    @property
    def compute_dtype(self):
        """The dtype float inputs are cast to before the call (Keras's autocast), or None to leave them: the
        layer's dtype= (or the float dtype given to .to()) when set, else the dtype of its float weights, else
        keras.config.floatx() (float32) for a layer whose weights are still to be made from its first input.
        A layer without weights of its own (Flatten, pooling, activations) keeps its inputs' dtype, where
        Keras would cast them too: after the first weighted layer they are float32 anyway."""
        declared = self.__dict__.get("_dtype")
        if declared is not None:
            return xp.dtype(declared)
        for p in self.parameters():
            if p.dtype.kind == "f":
                return p.dtype
        return None if self.built else xp.dtype(floatx())

    def to(self, *args, **kwargs):
        """nn's to(dtype / device); a float dtype also becomes the compute dtype of every Keras layer inside
        (layer.to(gn.float64) computes in float64, weights or not, as dtype="float64" does)."""
        super().to(*args, **kwargs)
        dtype, _ = to_arguments(f"{type(self).__name__}.to", args, kwargs)
        if dtype is not None:
            for m in self.modules():
                if isinstance(m, Layer):
                    m.__dict__["_dtype"] = str(backend.to_dtype(dtype))
        return self

    def _call_options(self, kwargs) -> tuple:
        """Keras's call keywords a forward without them cannot take: training= (True/False runs this call
        in that mode; None keeps the mode) and mask= are taken off for such layers."""
        if self._keras_style:  # Layer.forward hands call what it takes
            return kwargs, None
        forward = type(self).forward
        accepts = _parameters(super().forward.__func__ if forward is Layer.forward else forward)
        mode = None
        if "training" in kwargs and "training" not in accepts and "kwargs" not in accepts:
            mode = kwargs.pop("training")
        if "mask" in kwargs and "mask" not in accepts and "kwargs" not in accepts:
            kwargs.pop("mask")
        return kwargs, mode

    @property
    def _keras_style(self) -> bool:
        return type(self).call is not Layer.call

    def __setattr__(self, name: str, value) -> None:
        if getattr(getattr(type(self), name, None), "fset", None) is not None:  # built, trainable, name
            object.__setattr__(self, name, value)
        else:
            super().__setattr__(name, value)

    def forward(self, *args, **kwargs):
        """A Keras-style layer's call (built first); other layers run their nn module's forward."""
        if not self._keras_style:
            return super().forward(*args, **kwargs)
        if not self.built:
            self._build_once(_shapes(args[0]) if args else None)
        params = _parameters(type(self).call)
        if "training" in params and kwargs.get("training") is None:
            kwargs["training"] = self.training
        elif "training" not in params:
            kwargs.pop("training", None)
        if "mask" in params and kwargs.get("mask") is None and args:
            kwargs["mask"] = mask_of(args[0]) if isinstance(args[0], Tensor) else None
        elif "mask" not in params:
            kwargs.pop("mask", None)
        self.__dict__["_losses"] = []  # add_loss collects afresh on every call, as Keras
        return self.call(*args, **kwargs)

    def call(self, *args, **kwargs):
        """Keras's forward: a custom layer defines call(inputs, ...) instead of forward."""
        return super().forward(*args, **kwargs)

    def build(self, input_shape) -> None:
        """Create the weights from the input's shape (a custom layer overrides this; called once)."""
        self.built = True

    def _build_once(self, input_shape) -> None:
        self.__dict__["_built"] = True  # set first: a build that calls the layer must not build again
        self.build(input_shape)

    def compute_output_shape(self, input_shape):
        """The output's shape for an input of `input_shape` (a custom layer may override this)."""
        raise NotImplementedError(f"{self.name}: compute_output_shape is not defined")

    @property
    def built(self) -> bool:
        """Whether the weights exist (a Keras-style layer: once build ran; an nn-sized one: after its first
        call)."""
        if "_built" in self.__dict__ or self._keras_style:
            return self.__dict__.get("_built", False)
        return getattr(self, "weight", True) is not None

    @built.setter
    def built(self, value: bool) -> None:
        self.__dict__["_built"] = bool(value)

    # ----- weights ------------------------------------------------------------------------------------
    def add_weight(self, shape=None, initializer=None, dtype=None, trainable: bool = True, regularizer=None,
                   constraint=None, name: str | None = None, **kwargs) -> Parameter:
        """A new weight of `shape`, filled by `initializer` (a Keras name such as "random_normal", or a
        callable initializer(shape, dtype) as keras.initializers' objects are); default glorot_uniform
        (zeros for integer dtypes). Trainable weights are Parameters, the others buffers (saved, not
        trained). Stored as an attribute under `name` (or weight_<n>); returns it."""
        where = f"{self.name}.add_weight"
        if regularizer is not None or constraint is not None:
            raise ValueError(f"{where}: regularizer= and constraint= are not supported, got "
                             f"regularizer={regularizer!r}, constraint={constraint!r}")
        shape = () if shape is None else (shape,) if isinstance(shape, numbers.Integral) else tuple(shape)
        if not all(isinstance(d, numbers.Integral) and d >= 0 for d in shape):
            raise ValueError(f"{where}: shape must hold non-negative ints, got {shape!r}")
        dtype = xp.dtype(dtype or self.__dict__.get("_dtype") or "float32")
        if initializer is None:
            initializer = "glorot_uniform" if dtype.kind == "f" else "zeros"
        if isinstance(initializer, str):
            value = Tensor._wrap(xp.zeros(shape, dtype=dtype))
            with no_grad():
                apply_initializer(where, initializer, value, "initializer")
            value = value.data
        elif callable(initializer):
            value = initializer(shape, dtype=dtype)
            value = xp.asarray(value.data if isinstance(value, Tensor) else value, dtype=dtype)
            if value.shape != shape:
                raise ValueError(f"{where}: the initializer returned shape {value.shape}, expected {shape}")
        else:
            raise TypeError(f"{where}: initializer must be a name or a callable, got {initializer!r}")
        attr = name if name and name.isidentifier() and name not in self.__dict__ else \
            f"weight_{len(self._parameters) + len(self._buffers)}"
        if trainable and self.__dict__.get("_trainable", True):
            setattr(self, attr, Parameter(value))
        else:
            self.register_buffer(attr, value)
        return getattr(self, attr)

    @property
    def trainable(self) -> bool:
        """False freezes every weight of the layer (and of the layers inside it), as Keras."""
        return self.__dict__.get("_trainable", True)

    @trainable.setter
    def trainable(self, value: bool) -> None:
        self.__dict__["_trainable"] = bool(value)
        for p in self.parameters():
            p.requires_grad = bool(value)

    @property
    def weights(self) -> list:
        """The trainable weights (Parameters), then the others (buffers), as Keras lists them."""
        return self.trainable_weights + self.non_trainable_weights

    @property
    def trainable_weights(self) -> list:
        return [p for p in self.parameters() if p.requires_grad]

    @property
    def non_trainable_weights(self) -> list:
        return [p for p in self.parameters() if not p.requires_grad] + list(self.buffers())

    def add_loss(self, value) -> None:
        """Record a scalar loss of this call (an activity or KL term) for the training loop to add."""
        self.__dict__.setdefault("_losses", []).append(value)

    @property
    def losses(self) -> list:
        """The losses add_loss recorded in the last call of this layer and every layer inside it."""
        return [v for m in self.modules() for v in m.__dict__.get("_losses", [])]

    def get_config(self) -> dict:
        """The constructor arguments; a Keras-style layer adds Keras's base config (name, trainable)."""
        config = super().get_config()
        if self._keras_style:
            config = {"name": self.name, "trainable": self.trainable, **config}
        return config

    @classmethod
    def from_config(cls, config: dict):
        """The layer get_config described (Keras's default: the class called with the config)."""
        return cls(**config)

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


class InputLayer(Layer):
    """The layer behind a keras.Input, as a functional model lists it in model.layers (no weights; its
    output is the Input's KerasTensor).

    >>> x = Input(shape=(3,), name="pixels"); layer = InputLayer(x); layer.name, layer.output is x, layer.batch_shape
    ('pixels', True, (None, 3))
    """

    def __init__(self, tensor: KerasTensor | None = None, name: str | None = None, shape=None, batch_shape=None,
                 dtype="float32"):
        Layer.__init__(self, name=name or (tensor.name if tensor is not None else None))
        if tensor is None:
            tensor = Input(shape=shape, batch_shape=batch_shape, dtype=dtype, name=self.name)
        self.__dict__["_first_node"] = (tensor, tensor)

    @property
    def batch_shape(self) -> tuple:
        return self.output.shape

    takes_strings = True  # an Input of dtype="string" passes its strings on

    def forward(self, x):
        return x

    def get_config(self) -> dict:
        return {"name": self.name, "batch_shape": list(self.batch_shape), "dtype": saved_dtype(self.output.dtype)}


def saved_dtype(dtype) -> str:
    """A KerasTensor's dtype as a saved graph names it ("string" for strings, as Keras)."""
    return "string" if dtype.kind == "O" else str(dtype)


def _known(a: Tensor, b: Tensor) -> tuple:
    return (None, *(d if d == e else None for d, e in zip(a.shape[1:], b.shape[1:])))


def weight_count(module) -> int:
    """Parameters plus float buffers (Keras's non-trainable weights); integer counters are left out."""
    params = dict(module.named_parameters())
    return sum(p.data.size for p in params.values()) + sum(
        v.size for k, v in module.state_dict().items() if k not in params and getattr(v, "dtype", None) is not None
        and v.dtype.kind == "f")


def _symbolic_outputs(out, layer, args, other, kwargs=None):
    if isinstance(out, Tensor):
        return KerasTensor(_known(out, other), out.dtype, layer, args, kwargs=kwargs)
    if isinstance(out, (tuple, list)):
        return tuple(KerasTensor(_known(o, p), o.dtype, layer, args, index=i, kwargs=kwargs)
                     for i, (o, p) in enumerate(zip(out, other)))
    raise TypeError(f"{layer.name}: a symbolic call returned {type(out).__name__}, expected Tensors")


def _declared_outputs(layer, shape, out, args, kwargs=None):
    """KerasTensors of the shapes a layer's compute_output_shape declared (dtypes from the traced output)."""
    if isinstance(out, Tensor):
        return KerasTensor(shape, out.dtype, layer, args, kwargs=kwargs)
    return tuple(KerasTensor(s, o.dtype, layer, args, index=i, kwargs=kwargs)
                 for i, (s, o) in enumerate(zip(shape, out)))


def _flat(items):
    for a in items:
        if isinstance(a, (list, tuple)):
            yield from _flat(a)
        elif isinstance(a, dict):
            yield from _flat(a.values())
        elif isinstance(a, KerasTensor):
            yield a


# ----- ops on symbolic tensors -----------------------------------------------------------------------------
OPS: dict = {f"operator.{name}": getattr(operator, name) for name in (
    "getitem", "neg", "abs", "invert", "add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "matmul",
    "and_", "or_", "xor", "lt", "le", "gt", "ge", "eq", "ne")}
"""The functions a TensorOp node may run, by name: Python's operators here, keras.ops' functions added by
gradnote.keras.ops as they are defined. A saved graph names its ops from this allow-list."""

_SLOT = {"slot": "tensor"}  # where a call's KerasTensor arguments go, in the call's arguments (JSON-able)


def symbolic_call(op: str, *args, **kwargs):
    """Record OPS[op](*args, **kwargs) on KerasTensor arguments as a graph node; returns the KerasTensor(s)
    of its result (shape and dtype traced on example tensors)."""
    tensors = list(_flat([args, kwargs]))
    return TensorOp(op, live=(_template(args), _template(kwargs)))(*tensors)


def _template(a):
    if isinstance(a, KerasTensor):
        return _SLOT
    if isinstance(a, (list, tuple)):
        return type(a)(_template(v) for v in a)
    if isinstance(a, dict):
        return {k: _template(v) for k, v in a.items()}
    return a


def _fill(a, tensors):
    if a is _SLOT:
        return next(tensors)
    if isinstance(a, (list, tuple)):
        return type(a)(_fill(v, tensors) for v in a)
    if isinstance(a, dict):
        return {k: _fill(v, tensors) for k, v in a.items()}
    return a


def _encode(a, op: str):
    """A call argument as JSON-able data (slices, Ellipsis, tuples, dtypes and constant arrays tagged)."""
    if a is _SLOT or a is None or isinstance(a, (bool, str)):
        return a
    if isinstance(a, (int, float, xp.generic)):
        return a.item() if hasattr(a, "item") else a
    if a is Ellipsis:
        return {"ellipsis": True}
    if isinstance(a, slice):
        return {"slice": [_encode(a.start, op), _encode(a.stop, op), _encode(a.step, op)]}
    if isinstance(a, tuple):
        return {"tuple": [_encode(v, op) for v in a]}
    if isinstance(a, list):
        return [_encode(v, op) for v in a]
    if isinstance(a, dict) and all(isinstance(k, str) for k in a):
        return {"dict": {k: _encode(v, op) for k, v in a.items()}}
    if isinstance(a, xp.dtype) or (isinstance(a, type) and (a in (bool, int, float) or issubclass(a, xp.generic))):
        return {"dtype": str(xp.dtype(a))}
    if isinstance(a, (Tensor, xp.ndarray)):
        arr = a.data if isinstance(a, Tensor) else a
        return {"array": arr.tolist(), "dtype": str(arr.dtype)}
    raise TypeError(f"gn.save: the graph op {op} has an argument of type {type(a).__name__} ({a!r:.60}), which "
                    "cannot be saved; save the weights (save_weights) and rebuild the model in code")


def _decode(a):
    """_encode's inverse (the JSON a saved graph holds back to call arguments)."""
    if isinstance(a, (list, tuple)):
        return [_decode(v) for v in a]
    if not isinstance(a, dict):
        return a
    if a == _SLOT:
        return _SLOT
    if "ellipsis" in a:
        return Ellipsis
    if "slice" in a:
        return slice(*(_decode(v) for v in a["slice"]))
    if "tuple" in a:
        return tuple(_decode(v) for v in a["tuple"])
    if "dict" in a:
        return {k: _decode(v) for k, v in a["dict"].items()}
    if "array" in a:
        return Tensor._wrap(xp.asarray(a["array"], dtype=a["dtype"]))
    if "dtype" in a:
        return a["dtype"]
    raise ValueError(f"TensorOp: unreadable argument {a!r:.80}")


def _dtype_name(layer: str, dtype) -> str:
    """A layer's dtype= (a name, NumPy dtype or DTypePolicy) as a float dtype name; mixed policies refused."""
    name = str(getattr(dtype, "compute_dtype", dtype))
    try:
        out = xp.dtype(name)
    except TypeError:
        raise ValueError(f"{layer}: dtype must be a float dtype such as 'float32' or 'float64', got {dtype!r}") from None
    if out.kind != "f":
        raise ValueError(f"{layer}: dtype must be a float dtype such as 'float32' or 'float64', got {dtype!r}")
    return str(out)


class TensorOp(Layer):
    """One keras.ops function or Python operator applied in a functional graph: `op` names it in OPS;
    `call` holds its arguments, with {"slot": "tensor"} where each KerasTensor (the layer's inputs, in
    order) went. Shapes are traced at two sizes of every unknown axis (batch included: an op may
    reduce over it), so axes that change stay None.

    >>> x = Input(shape=(3,)); y = x * 2 + 1; y.shape, type(y.layer).__name__
    ((None, 3), 'TensorOp')
    """

    autocast = False  # an op keeps its inputs' dtypes, as keras.ops do

    def __init__(self, op: str, call: dict | None = None, live: tuple | None = None):
        if op not in OPS:
            raise ValueError(f"TensorOp: unknown op {op!r}; graph ops are keras.ops functions and Python operators")
        self.op, self.fn = op, OPS[op]
        if live is not None:  # from symbolic_call: the arguments themselves
            self.args, self.kwargs = live
        else:  # from a saved graph: get_config's JSON
            call = call or {"args": {"tuple": []}, "kwargs": {"dict": {}}}
            self.args, self.kwargs = _decode(call["args"]), _decode(call["kwargs"])
        self.__dict__["_name"] = unique_name(op.split(".")[-1].strip("_"))

    def __call__(self, *tensors):
        if not _symbolic(tensors):
            return super().__call__(*tensors)
        with no_grad(), xp.errstate(all="ignore"):
            outs = [self.forward(*(_example(t, n) for t in tensors)) for n in (2, 3)]
        if isinstance(outs[0], Tensor):
            return KerasTensor(_agree(*outs), outs[0].dtype, self, tensors)
        if isinstance(outs[0], (tuple, list)) and all(isinstance(o, Tensor) for o in outs[0]):
            return tuple(KerasTensor(_agree(o, p), o.dtype, self, tensors, index=i)
                         for i, (o, p) in enumerate(zip(*outs)))
        raise TypeError(f"{self.op} on KerasTensors returned {type(outs[0]).__name__}, expected Tensors")

    def forward(self, *tensors):
        it = iter(tensors)
        return self.fn(*_fill(self.args, it), **_fill(self.kwargs, it))

    def get_config(self) -> dict:
        return {"op": self.op, "call": {"args": _encode(self.args, self.op), "kwargs": _encode(self.kwargs, self.op)}}

    def extra_repr(self) -> str:
        return self.op


def _example(t, n: int):
    if not isinstance(t, KerasTensor):
        return t
    return Tensor._wrap(xp.zeros(tuple(n if d is None else d for d in t.shape), dtype=t.dtype))


def _agree(a: Tensor, b: Tensor) -> tuple:
    return tuple(d if d == e else None for d, e in zip(a.shape, b.shape))


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
        stack.extend((p, False) for p in _flat([t.inputs, t.kwargs]) if id(p) not in seen)
    return order
