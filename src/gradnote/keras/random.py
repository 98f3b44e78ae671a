"""keras.random: random tensors drawn through gradnote.random, so gn.manual_seed (keras.utils.set_random_seed)
makes a run repeat bit for bit.

    z = keras.random.normal((batch, latent), seed=self.seed_generator)   # a SeedGenerator: its own stream
    keras.random.uniform((2, 3), seed=1)                                 # an int: the same values every call

seed= takes None (gradnote's one generator), an int (a fresh generator from that seed, so each call
with it repeats) or a SeedGenerator (a stream of its own, advanced by each draw).
"""

from __future__ import annotations

import numbers

import numpy as np

from .. import functional as F
from ..autograd import Tensor
from ..backend import xp
from ..nn import init
from ..random import get_rng
from .config import floatx
from .ops.core import convert_to_tensor, standardize_dtype

__all__ = ["SeedGenerator", "categorical", "dropout", "normal", "randint", "shuffle", "truncated_normal", "uniform"]


class SeedGenerator:
    """A random stream of its own: from `seed` (an int), or, when None, seeded by gradnote's generator at
    creation (so gn.manual_seed fixes it too).

    >>> a, b = SeedGenerator(3), SeedGenerator(3)
    >>> bool((normal((2,), seed=a) == normal((2,), seed=b)).all())
    True
    """

    def __init__(self, seed=None):
        if seed is not None and (not isinstance(seed, numbers.Integral) or isinstance(seed, bool)):
            raise ValueError(f"SeedGenerator: seed must be an int or None, got {seed!r}")
        self.seed = int(get_rng().integers(2**63)) if seed is None else int(seed)
        self.generator = np.random.default_rng(self.seed)

    def get_config(self) -> dict:
        return {"seed": self.seed}


def _rng(seed, where: str) -> np.random.Generator:
    if seed is None:
        return get_rng()
    if isinstance(seed, SeedGenerator):
        return seed.generator
    if isinstance(seed, numbers.Integral) and not isinstance(seed, bool):
        return np.random.default_rng(int(seed))
    raise ValueError(f"keras.random.{where}: seed must be None, an int or a SeedGenerator, got {seed!r}")


def _shape(shape) -> tuple:
    return (int(shape),) if isinstance(shape, numbers.Integral) else tuple(int(d) for d in shape)


def _float(dtype, where: str):
    d = standardize_dtype(dtype or floatx())
    if d.kind != "f":
        raise ValueError(f"keras.random.{where}: dtype must be a float dtype, got {d}")
    return d


def normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None) -> Tensor:
    """Samples of N(mean, stddev^2) of `shape` (float32 by default)."""
    d = _float(dtype, "normal")
    return Tensor._wrap(xp.asarray(_rng(seed, "normal").normal(mean, stddev, _shape(shape)), dtype=d))


def uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None) -> Tensor:
    """Samples of U[minval, maxval) of `shape`."""
    d = _float(dtype, "uniform")
    return Tensor._wrap(xp.asarray(_rng(seed, "uniform").uniform(minval, maxval, _shape(shape)), dtype=d))


def randint(shape, minval, maxval, dtype="int32", seed=None) -> Tensor:
    """Integers drawn uniformly from [minval, maxval)."""
    if maxval <= minval:
        raise ValueError(f"keras.random.randint: need minval < maxval, got {minval} and {maxval}")
    values = _rng(seed, "randint").integers(minval, maxval, _shape(shape))
    return Tensor._wrap(xp.asarray(values, dtype=standardize_dtype(dtype)))


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None) -> Tensor:
    """N(mean, stddev^2) redrawn where it falls more than two stddev from the mean (Keras's truncation)."""
    out = Tensor._wrap(xp.zeros(_shape(shape), dtype=_float(dtype, "truncated_normal")))
    init.trunc_normal_(out, mean, stddev, mean - 2 * stddev, mean + 2 * stddev, generator=_rng(seed, "truncated_normal"))
    return out


def dropout(inputs, rate, noise_shape=None, seed=None) -> Tensor:
    """Inputs zeroed with probability `rate` and the rest scaled by 1 / (1 - rate); noise_shape (broadcast
    to the input's shape) shares one draw along its axes of length 1."""
    x = convert_to_tensor(inputs)
    if not 0 <= rate < 1:
        raise ValueError(f"keras.random.dropout: rate must be in [0, 1), got {rate!r}")
    rng = _rng(seed, "dropout")
    if noise_shape is None:
        return F.dropout(x, rate, True, generator=rng)
    keep = rng.random(tuple(x.shape[i] if d is None else d for i, d in enumerate(noise_shape))) >= rate
    return x * Tensor._wrap(xp.asarray(keep / (1 - rate), dtype=x.dtype))


def shuffle(x, axis=0, seed=None) -> Tensor:
    """x with its entries along `axis` in a random order (a permutation, with gradient)."""
    x = convert_to_tensor(x)
    order = _rng(seed, "shuffle").permutation(x.shape[axis])
    return x.index_select(axis, Tensor._wrap(xp.asarray(order)))


def categorical(logits, num_samples, dtype="int32", seed=None) -> Tensor:
    """Class indices (batch, num_samples) drawn from the softmax of logits (batch, num_classes)."""
    z = convert_to_tensor(logits).data
    if z.ndim != 2:
        raise ValueError(f"keras.random.categorical: logits must be (batch, num_classes), got shape {z.shape}")
    p = np.exp(z - z.max(axis=1, keepdims=True))
    cdf = np.cumsum(p / p.sum(axis=1, keepdims=True), axis=1)
    u = _rng(seed, "categorical").random((z.shape[0], int(num_samples)))
    idx = np.minimum((cdf[:, None, :] < u[..., None]).sum(-1), z.shape[1] - 1)
    return Tensor._wrap(xp.asarray(idx, dtype=standardize_dtype(dtype)))
