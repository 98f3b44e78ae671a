"""keras.initializers: Keras's initialisers as objects and names over gradnote.nn.init, in one registry.

    Dense(64, kernel_initializer="he_normal")                    # a name
    Dense(64, kernel_initializer=keras.initializers.RandomNormal(stddev=0.01, seed=1))
    w = keras.initializers.GlorotUniform(seed=0)((784, 64))      # Keras's call: a Tensor of that shape

An initialiser called with a shape draws a new Tensor; given a Tensor (a layer's weight) it fills it in
place. A shape is read in Keras's layout (kernels (..., in, out)), a Tensor in gradnote's (weights (out,
in, ...), PyTorch's), so both see the same fan_in and fan_out. The variance-scaling family is one class,
VarianceScaling(scale, mode, distribution), as Keras defines it: "truncated_normal" draws N(0, s^2)
within 2 s with s = sqrt(scale / n) / 0.8796 (the truncation's correction), "uniform" U(-l, l) with
l = sqrt(3 scale / n), n = fan_in, fan_out or their mean. seed=: the same values on every call, as Keras
(a generator seeded from it); without it, gradnote's generator (gn.manual_seed).
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from ..autograd import Tensor, no_grad
from ..io.registry import Configurable, Registry
from ..nn import init

__all__ = ["INITIALIZERS", "Constant", "GlorotNormal", "GlorotUniform", "HeNormal", "HeUniform", "Identity",
           "Initializer", "LecunNormal", "LecunUniform", "Ones", "Orthogonal", "RandomNormal", "RandomUniform",
           "TruncatedNormal", "VarianceScaling", "Zeros", "get", "serialize"]

_TRUNCATED_STD = 0.87962566103423978  # std of N(0, 1) truncated to [-2, 2]


def _keras_fans(shape: tuple) -> tuple:
    """fan_in, fan_out of a Keras-layout shape: (..., in, out) with the leading axes the receptive field."""
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    receptive = math.prod(shape[:-2])
    return shape[-2] * receptive, shape[-1] * receptive


class Initializer(Configurable):
    """Base: subclasses define fill(tensor, fans, generator) and get_config()."""

    seed = None

    def __call__(self, shape, dtype=None, **kwargs):
        if isinstance(shape, Tensor):
            fans = init.calculate_fan_in_and_fan_out(shape) if shape.ndim >= 2 else _keras_fans(shape.shape)
            with no_grad():
                self.fill(shape, fans, self._generator())
            return shape
        shape = (shape,) if isinstance(shape, numbers.Integral) else tuple(shape)
        t = Tensor._wrap(np.zeros(shape, dtype=np.dtype(dtype or "float32")))
        self.fill(t, _keras_fans(shape), self._generator())
        return t

    def _generator(self):
        return None if self.seed is None else np.random.default_rng(self.seed)

    def fill(self, tensor: Tensor, fans: tuple, generator) -> None:
        raise NotImplementedError


class VarianceScaling(Initializer):
    """Draws with variance scale / n, n = fan_in, fan_out or (fan_in + fan_out) / 2 (`mode`), from a
    "truncated_normal", "untruncated_normal" or "uniform" distribution.

    >>> w = VarianceScaling(2.0, "fan_in", "uniform", seed=0)((400, 300)); bool(abs(w.data).max() <= (6 / 400) ** 0.5)
    True
    """

    def __init__(self, scale: float = 1.0, mode: str = "fan_in", distribution: str = "truncated_normal", seed=None):
        who = type(self).__name__
        if not isinstance(scale, numbers.Real) or scale <= 0:
            raise ValueError(f"{who}: scale must be a positive number, got {scale!r}")
        if mode not in ("fan_in", "fan_out", "fan_avg"):
            raise ValueError(f"{who}: mode must be 'fan_in', 'fan_out' or 'fan_avg', got {mode!r}")
        distribution = "truncated_normal" if distribution == "normal" else distribution
        if distribution not in ("truncated_normal", "untruncated_normal", "uniform"):
            raise ValueError(f"{who}: distribution must be 'truncated_normal', 'untruncated_normal' or 'uniform', "
                             f"got {distribution!r}")
        self.scale, self.mode, self.distribution, self.seed = float(scale), mode, distribution, seed

    def fill(self, tensor, fans, generator) -> None:
        fan_in, fan_out = fans
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[self.mode]
        scale = self.scale / max(1.0, n)
        if self.distribution == "uniform":
            limit = math.sqrt(3 * scale)
            init.uniform_(tensor, -limit, limit, generator=generator)
        elif self.distribution == "untruncated_normal":
            init.normal_(tensor, 0.0, math.sqrt(scale), generator=generator)
        else:
            std = math.sqrt(scale) / _TRUNCATED_STD
            init.trunc_normal_(tensor, 0.0, std, -2 * std, 2 * std, generator=generator)

    def get_config(self) -> dict:
        return {"scale": self.scale, "mode": self.mode, "distribution": self.distribution, "seed": self.seed}


def _variance_scaling(cls_name: str, scale: float, mode: str, distribution: str, doc: str):
    def __init__(self, seed=None):
        VarianceScaling.__init__(self, scale, mode, distribution, seed)

    def get_config(self) -> dict:
        return {"seed": self.seed}

    return type(cls_name, (VarianceScaling,), {"__init__": __init__, "get_config": get_config, "__doc__": doc,
                                               "__module__": __name__})


GlorotUniform = _variance_scaling("GlorotUniform", 1.0, "fan_avg", "uniform",
                                  "U(-l, l), l = sqrt(6 / (fan_in + fan_out)) (Glorot & Bengio).")
GlorotNormal = _variance_scaling("GlorotNormal", 1.0, "fan_avg", "truncated_normal",
                                 "Truncated normal with variance 2 / (fan_in + fan_out).")
HeUniform = _variance_scaling("HeUniform", 2.0, "fan_in", "uniform", "U(-l, l), l = sqrt(6 / fan_in) (He et al.).")
HeNormal = _variance_scaling("HeNormal", 2.0, "fan_in", "truncated_normal",
                             "Truncated normal with variance 2 / fan_in (He et al.).")
LecunUniform = _variance_scaling("LecunUniform", 1.0, "fan_in", "uniform", "U(-l, l), l = sqrt(3 / fan_in).")
LecunNormal = _variance_scaling("LecunNormal", 1.0, "fan_in", "truncated_normal",
                                "Truncated normal with variance 1 / fan_in (LeCun).")


class RandomNormal(Initializer):
    """N(mean, stddev^2).

    >>> RandomNormal(stddev=0.01, seed=3)((2, 2)).shape
    (2, 2)
    """

    def __init__(self, mean: float = 0.0, stddev: float = 0.05, seed=None):
        if stddev < 0:
            raise ValueError(f"RandomNormal: stddev must be >= 0, got {stddev!r}")
        self.mean, self.stddev, self.seed = mean, stddev, seed

    def fill(self, tensor, fans, generator) -> None:
        init.normal_(tensor, self.mean, self.stddev, generator=generator)

    def get_config(self) -> dict:
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed}


class TruncatedNormal(RandomNormal):
    """N(mean, stddev^2) redrawn where it falls more than 2 stddev from the mean, as Keras.

    >>> bool(abs(TruncatedNormal(stddev=1.0, seed=0)((1000,)).data).max() <= 2.0)
    True
    """

    def fill(self, tensor, fans, generator) -> None:
        init.trunc_normal_(tensor, self.mean, self.stddev, self.mean - 2 * self.stddev, self.mean + 2 * self.stddev,
                           generator=generator)


class RandomUniform(Initializer):
    """U(minval, maxval).

    >>> bool(abs(RandomUniform(seed=0)((100,)).data).max() <= 0.05)
    True
    """

    def __init__(self, minval: float = -0.05, maxval: float = 0.05, seed=None):
        if minval > maxval:
            raise ValueError(f"RandomUniform: need minval <= maxval, got minval={minval!r}, maxval={maxval!r}")
        self.minval, self.maxval, self.seed = minval, maxval, seed

    def fill(self, tensor, fans, generator) -> None:
        init.uniform_(tensor, self.minval, self.maxval, generator=generator)

    def get_config(self) -> dict:
        return {"minval": self.minval, "maxval": self.maxval, "seed": self.seed}


class Constant(Initializer):
    """Every value `value`.

    >>> Constant(0.5)((2,)).tolist()
    [0.5, 0.5]
    """

    def __init__(self, value: float = 0.0):
        self.value = value

    def fill(self, tensor, fans, generator) -> None:
        init.constant_(tensor, self.value)

    def get_config(self) -> dict:
        return {"value": self.value}


class Zeros(Constant):
    """All zeros."""

    def __init__(self):
        super().__init__(0.0)

    def get_config(self) -> dict:
        return {}


class Ones(Constant):
    """All ones."""

    def __init__(self):
        super().__init__(1.0)

    def get_config(self) -> dict:
        return {}


class Orthogonal(Initializer):
    """A (semi-)orthogonal matrix times gain (nn.init.orthogonal_; kernels are flattened to 2-D).

    >>> w = Orthogonal(seed=0)((4, 4)).data; bool(np.allclose(w @ w.T, np.eye(4), atol=1e-5))
    True
    """

    def __init__(self, gain: float = 1.0, seed=None):
        self.gain, self.seed = gain, seed

    def fill(self, tensor, fans, generator) -> None:
        init.orthogonal_(tensor, self.gain, generator=generator)

    def get_config(self) -> dict:
        return {"gain": self.gain, "seed": self.seed}


class Identity(Initializer):
    """gain times the identity matrix (2-D shapes only, as Keras).

    >>> Identity(2.0)((2, 2)).tolist()
    [[2.0, 0.0], [0.0, 2.0]]
    """

    def __init__(self, gain: float = 1.0):
        self.gain = gain

    def fill(self, tensor, fans, generator) -> None:
        if tensor.ndim != 2:
            raise ValueError(f"Identity: only 2-D shapes can be identity matrices, got {tuple(tensor.shape)}")
        init.eye_(tensor)
        tensor.data[...] *= self.gain

    def get_config(self) -> dict:
        return {"gain": self.gain}


INITIALIZERS = Registry("initializer", passes=(Initializer,))
"""Keras's initialiser names (and class names) -> classes, made with their defaults."""
for _cls, _aliases in ((GlorotUniform, ()), (GlorotNormal, ()), (HeUniform, ()), (HeNormal, ()),
                       (LecunUniform, ()), (LecunNormal, ()), (RandomNormal, ("normal",)),
                       (RandomUniform, ("uniform",)), (TruncatedNormal, ()), (Zeros, ("zero",)), (Ones, ("one",)),
                       (Constant, ()), (Orthogonal, ()), (Identity, ()), (VarianceScaling, ())):
    _snake = "".join(f"_{c.lower()}" if c.isupper() else c for c in _cls.__name__).lstrip("_")
    INITIALIZERS.register(_snake, _cls, aliases=(_cls.__name__, *_aliases))


def get(identifier) -> Initializer:
    """An initialiser from a name ("he_normal", "HeNormal"), a config dict or an object / callable (as is).

    >>> get("he_normal")
    HeNormal(seed=None)
    """
    return INITIALIZERS.get(identifier)


def serialize(initializer: Initializer) -> dict:
    """{"class_name": ..., "config": ...}, as Keras saves an initialiser."""
    return {"class_name": type(initializer).__name__, "config": initializer.get_config()}
