"""Random fills and draws PyTorch has beside uniform_/normal_: exponential_, geometric_, cauchy_,
log_normal_, random_ and torch.poisson; all from gradnote's generator (or the one given), so
``gn.manual_seed`` repeats them.

    x = gn.empty(3).exponential_(2.0)     # rate 2: mean 0.5
"""

from __future__ import annotations

from .. import backend
from ..backend import xp
from ..random import get_rng
from .tensor import Tensor


def drawn(shape, dtype, kind: str, generator=None, **p):
    """`shape` samples of one distribution, as a host array of `dtype`."""
    rng = get_rng(generator)
    if kind == "exponential":
        if p["lambd"] <= 0:
            raise ValueError(f"exponential_: lambd must be positive, got {p['lambd']}")
        return rng.exponential(1.0 / p["lambd"], shape).astype(dtype)
    if kind == "geometric":
        if not 0 < p["p"] <= 1:
            raise ValueError(f"geometric_: p must be in (0, 1], got {p['p']}")
        return rng.geometric(p["p"], shape).astype(dtype)
    if kind == "cauchy":
        return (p["median"] + p["sigma"] * rng.standard_cauchy(shape)).astype(dtype)
    if kind == "log_normal":
        return rng.lognormal(p["mean"], p["std"], shape).astype(dtype)
    raise ValueError(f"unknown distribution {kind!r}")


def random_integers(shape, dtype, low, high, generator=None):
    """Tensor.random_(from, to): integers in [low, high); high=None: [0, 2**mantissa] for floats (every
    integer the dtype holds exactly), [0, max] for integers, as PyTorch."""
    dtype = xp.dtype(dtype)
    if high is None:
        high = (2 ** (xp.finfo(dtype).nmant + 1) + 1 if dtype.kind == "f" else
                2 if dtype.kind == "b" else int(xp.iinfo(dtype).max))
        low, high = (0, low) if low else (0, high)
    if low >= high:
        raise ValueError(f"random_: expects from < to, got from={low}, to={high}")
    return get_rng(generator).integers(low, high, shape, dtype=xp.int64).astype(dtype)


def poisson(rates: Tensor, generator=None) -> Tensor:
    """Poisson counts with the given rates (elementwise), in the rates' dtype (no gradient).

    >>> gn.poisson(gn.zeros(3)).tolist()
    [0.0, 0.0, 0.0]
    """
    r = backend.asnumpy(rates.data)
    if (r < 0).any():
        raise ValueError("poisson: rates must be non-negative")
    return Tensor._wrap(backend.like(get_rng(generator).poisson(r).astype(r.dtype), rates.data))
