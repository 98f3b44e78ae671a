"""torch.special: the error function family, log-gamma and digamma, logit/expit, xlogy, entr, i0, sinc, ndtr.

Each op is a row of ``_ROWS``: its value and its derivative, both on arrays, beside each other, run by one
Function. SciPy supplies the special functions and is imported on first use (it costs about a second,
too much for ``import gradnote``).

    torch.special.erfinv(gn.tensor([0.5]))      # tensor([0.4769])
"""

from __future__ import annotations

import math

from .. import backend
from ..backend import xp
from . import pointwise
from .arithmetic import lift, operands
from .function import Function
from .pointwise import as_float
from .tensor import Tensor


def _sp():
    import scipy.special
    return scipy.special


_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)


def _sinc(x):
    return xp.sinc(x)  # sin(pi x) / (pi x), 1 at 0 (NumPy's normalised sinc, as PyTorch's)


def _dsinc(x):
    px = math.pi * x
    with xp.errstate(divide="ignore", invalid="ignore"):
        d = (xp.cos(px) * px - xp.sin(px)) / (px * x)
    return xp.where(x == 0, 0.0, d)


def _entr(x):
    with xp.errstate(divide="ignore", invalid="ignore"):
        return xp.where(x > 0, -x * xp.log(xp.where(x > 0, x, 1)), xp.where(x == 0, 0.0, -xp.inf))


def _dentr(x):
    with xp.errstate(divide="ignore", invalid="ignore"):
        return xp.where(x > 0, -(xp.log(xp.where(x > 0, x, 1)) + 1), xp.nan)


# name -> (value, derivative given the input x and the value y)
_ROWS = {
    "erf": (lambda x: _sp().erf(x), lambda x, y: _TWO_OVER_SQRT_PI * xp.exp(-x * x)),
    "erfc": (lambda x: _sp().erfc(x), lambda x, y: -_TWO_OVER_SQRT_PI * xp.exp(-x * x)),
    "erfinv": (lambda x: _sp().erfinv(x), lambda x, y: 0.5 * math.sqrt(math.pi) * xp.exp(y * y)),
    "erfcx": (lambda x: _sp().erfcx(x), lambda x, y: 2 * x * y - _TWO_OVER_SQRT_PI),
    "gammaln": (lambda x: _sp().gammaln(x), lambda x, y: _sp().digamma(x)),
    "digamma": (lambda x: _sp().digamma(x), lambda x, y: _sp().polygamma(1, x)),
    "i0": (lambda x: _sp().i0(x), lambda x, y: _sp().i1(x)),
    "i0e": (lambda x: _sp().i0e(x), lambda x, y: _sp().i1e(x) - xp.sign(x) * y),
    "ndtr": (lambda x: _sp().ndtr(x), lambda x, y: xp.exp(-0.5 * x * x) / math.sqrt(2 * math.pi)),
    "ndtri": (lambda x: _sp().ndtri(x), lambda x, y: math.sqrt(2 * math.pi) * xp.exp(0.5 * y * y)),
    "log_ndtr": (lambda x: _sp().log_ndtr(x),
                 lambda x, y: xp.exp(-0.5 * x * x - y) / math.sqrt(2 * math.pi)),
    "sinc": (_sinc, lambda x, y: _dsinc(x)),
    "entr": (_entr, lambda x, y: _dentr(x)),
}


class Special(Function):
    """One row of _ROWS: forward its value, backward g times its derivative."""

    def forward(self, a, name):
        if not backend.is_host(a):
            raise NotImplementedError(f"special.{name}: runs on the CPU only in gradnote; call .cpu() first")
        self.a, self.name = a, name
        with xp.errstate(divide="ignore", invalid="ignore", over="ignore"):
            self.y = xp.asarray(_ROWS[name][0](a)).astype(a.dtype, copy=False)
        return self.y

    def backward(self, g):
        with xp.errstate(divide="ignore", invalid="ignore", over="ignore"):
            return g * xp.asarray(_ROWS[self.name][1](self.a, self.y)).astype(g.dtype, copy=False)


def _unary(name: str, doc: str):
    def fn(input) -> Tensor:  # noqa: A002 - torch's argument name
        return Special.apply(as_float(lift(input), name), name=name)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = doc
    return fn


erf = _unary("erf", "The error function 2/sqrt(pi) * integral_0^x exp(-t^2) dt, elementwise.\n\n"
                    "    >>> f\"{gn.special.erf(gn.tensor(1.0)).item():.4f}\"\n    '0.8427'\n")
erfc = _unary("erfc", "1 - erf(x), accurate for large x.")
erfinv = _unary("erfinv", "The inverse of erf on (-1, 1) (+-inf at +-1).")
erfcx = _unary("erfcx", "The scaled complementary error function exp(x^2) * erfc(x).")
gammaln = _unary("gammaln", "log |Gamma(x)| (torch.lgamma).")
digamma = _unary("digamma", "psi(x) = d/dx log Gamma(x).")
i0 = _unary("i0", "The modified Bessel function of the first kind, order 0.")
i0e = _unary("i0e", "exp(-|x|) * i0(x).")
ndtr = _unary("ndtr", "The standard normal CDF.")
ndtri = _unary("ndtri", "The inverse of the standard normal CDF.")
log_ndtr = _unary("log_ndtr", "log of the standard normal CDF.")
sinc = _unary("sinc", "sin(pi x) / (pi x), 1 at 0.")
entr = _unary("entr", "-x log x for x > 0, 0 at 0, -inf for x < 0.")
lgamma, psi = gammaln, digamma


class XLogY(Function):
    """x * log(y), 0 where x == 0 (even for y == 0): d/dx = log y where x != 0, else 0; d/dy = x / y."""

    def forward(self, x, y):
        self.x, self.y = x, y
        return _sp().xlogy(x, y).astype(xp.result_type(x, y), copy=False)

    def backward(self, g):
        with xp.errstate(divide="ignore", invalid="ignore"):
            gx = g * _sp().xlogy(self.x != 0, self.y) if self.needs[0] else None
            gy = g * self.x / self.y if self.needs[1] else None
        return gx, gy


def xlogy(input, other) -> Tensor:  # noqa: A002
    """input * log(other), with 0 where input is 0 (so 0 * log 0 = 0); the operands broadcast.

    >>> gn.special.xlogy(gn.tensor([0.0, 2.0]), gn.tensor([0.0, 1.0])).tolist()
    [0.0, 0.0]
    """
    x, y = operands(input, other, true_divide=True)
    return XLogY.apply(x, y)


def logit(input, eps=None) -> Tensor:  # noqa: A002
    """log(p / (1 - p)), with p clamped to [eps, 1 - eps] when eps is given."""
    p = as_float(lift(input), "logit")
    if eps is not None:
        p = p.clamp(eps, 1 - eps)
    return p.log() - pointwise.log1p(-p)


def expit(input) -> Tensor:  # noqa: A002
    """The logistic sigmoid (the same op as gn.sigmoid)."""
    return pointwise.sigmoid(lift(input))


def exp2(input) -> Tensor:  # noqa: A002
    return 2.0 ** as_float(lift(input), "exp2")


def softmax(input, dim: int, *, dtype=None) -> Tensor:  # noqa: A002
    return pointwise.softmax(lift(input), dim=dim, dtype=dtype)


def log_softmax(input, dim: int, *, dtype=None) -> Tensor:  # noqa: A002
    return pointwise.log_softmax(lift(input), dim=dim, dtype=dtype)


def log1p(input) -> Tensor:  # noqa: A002
    return pointwise.log1p(lift(input))


def expm1(input) -> Tensor:  # noqa: A002
    return pointwise.expm1(lift(input))


def logsumexp(input, dim, keepdim: bool = False) -> Tensor:  # noqa: A002
    return lift(input).logsumexp(dim, keepdim)


def round(input, *, decimals: int = 0) -> Tensor:  # noqa: A001,A002
    return lift(input).round(decimals)
