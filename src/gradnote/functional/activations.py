"""Activation functions: the non-linearities between layers, each forward beside its local gradient.

Without them a stack of linear layers collapses into one linear map. The notes' history runs
step (Rosenblatt; not differentiable) -> sigmoid/tanh (smooth, but saturate: vanishing gradients)
-> ReLU and its variants (leaky ReLU, ELU, GELU) that keep gradients alive for positive inputs.
softmax/log_softmax turn scores into (log-)probabilities over one axis.
"""

from __future__ import annotations

import math

from .. import kernels
from ..autograd import Function, Tensor

# sigmoid, tanh, relu, softmax and log_softmax are Tensor methods too, so they live (forward beside
# backward) with the Tensor's own ops in autograd/pointwise.py; this module is where the lesson names them.
from ..autograd.pointwise import LogSoftmax, ReLU, Sigmoid, Softmax, Tanh, log_softmax, relu, sigmoid, softmax, tanh  # noqa: F401 - the Function classes, re-exported with their functions
from ..backend import erf, expit, xp
from ._util import float_tensor

__all__ = ["elu", "gelu", "leaky_relu", "log_softmax", "relu", "sigmoid", "softmax", "step", "tanh"]


class Step(Function):
    def forward(self, x):
        return (x > 0).astype(x.dtype)

    def backward(self, g):
        return xp.zeros_like(g)


def step(x: Tensor) -> Tensor:
    """Heaviside step: 1 where x > 0, else 0 (so step(0) = 0). Shape preserved.

    Its derivative is 0 everywhere it exists, so the gradient returned is all zeros: a step network
    cannot learn by backpropagation (that is why the perceptron has its own rule, and why sigmoid replaced it).

    >>> step(gn.tensor([-1.0, 0.0, 2.0])).tolist()
    [0.0, 0.0, 1.0]
    """
    return Step.apply(float_tensor(x, "step"))


class LeakyReLU(Function):
    def forward(self, x, slope):
        self.mask, self.slope = x > 0, slope
        return xp.where(self.mask, x, x * x.dtype.type(slope))

    def backward(self, g):
        return xp.where(self.mask, g, g * g.dtype.type(self.slope))


def leaky_relu(x: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """x for x > 0, negative_slope * x otherwise: a small gradient keeps "dead" units learning.

    x: any shape; shape preserved.

    >>> leaky_relu(gn.tensor([-2.0, 3.0]), negative_slope=0.5).tolist()
    [-1.0, 3.0]
    """
    return LeakyReLU.apply(float_tensor(x, "leaky_relu"), slope=float(negative_slope))


class ELU(Function):
    def forward(self, x, alpha):
        self.x, self.alpha = x, x.dtype.type(alpha)
        return xp.where(x > 0, x, self.alpha * xp.expm1(xp.minimum(x, 0)))  # min: no overflow for large x

    def backward(self, g):
        # PyTorch's branch test is x <= 0: alpha at x = 0, and 1 (not NaN) at x = NaN
        x = self.x
        return xp.where(x <= 0, g * (self.alpha * xp.exp(xp.minimum(x, 0))), g)


def elu(x: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """x for x > 0, alpha (e^x - 1) otherwise; the derivative for x <= 0 is alpha e^x (alpha at 0, as PyTorch).

    x: any shape; shape preserved.

    >>> elu(gn.tensor([0.0, 2.0])).tolist()
    [0.0, 2.0]
    """
    return ELU.apply(float_tensor(x, "elu"), alpha=float(alpha))


_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_INV_SQRT_2 = 1.0 / math.sqrt(2.0)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)


class GELU(Function):
    def forward(self, x, approximate):
        self.approximate, self.dydx = approximate, None
        fast = None if approximate == "tanh" else kernels.load("gelu", x, dtypes=(xp.float32,))
        if fast is not None:  # one compiled pass for y and dy/dx (scipy's erf alone costs ~5x that pass)
            y, self.dydx = fast.gelu_forward(x, self.needs[0])
            return y
        self.x = x
        if approximate == "tanh":
            self.t = xp.tanh(x.dtype.type(_SQRT_2_OVER_PI) * (x + x.dtype.type(0.044715) * x**3))
            return 0.5 * x * (1 + self.t)
        self.cdf = 0.5 * (1 + erf(x * x.dtype.type(_INV_SQRT_2)))
        return x * self.cdf

    def backward(self, g):
        if self.dydx is not None:
            return g * self.dydx
        x = self.x
        if self.approximate == "tanh":
            t, k = self.t, x.dtype.type(_SQRT_2_OVER_PI)
            inner = k * (1 + x.dtype.type(3 * 0.044715) * x * x)
            return g * (0.5 * (1 + t) + 0.5 * x * (1 - t * t) * inner)
        pdf = xp.exp(-0.5 * x * x) * x.dtype.type(_INV_SQRT_2PI)
        return g * (self.cdf + x * pdf)


def gelu(x: Tensor, approximate: str = "none") -> Tensor:
    """GELU(x) = x Phi(x), Phi the standard normal CDF (exact, via erf).

    approximate="tanh": 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))), as in BERT/GPT-2.

    x: any shape; shape preserved.

    >>> gelu(gn.tensor([0.0, 10.0])).tolist()
    [0.0, 10.0]
    """
    if approximate not in ("none", "tanh"):
        raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
    return GELU.apply(float_tensor(x, "gelu"), approximate=approximate)


# ----- the rest of PyTorch's activations (torch's names, defaults and gradients at the kinks) -------------
__all__ += ["celu", "hardsigmoid", "hardswish", "hardtanh", "logsigmoid", "mish", "prelu", "relu6", "selu",
            "silu", "softmin", "softplus", "softsign"]


class Hardtanh(Function):
    def forward(self, x, lo, hi):
        self.inside = ~((x <= lo) | (x >= hi))  # gradient 0 at the corners, 1 at NaN, as PyTorch
        return xp.clip(x, x.dtype.type(lo), x.dtype.type(hi))

    def backward(self, g):
        return g * self.inside


def hardtanh(input: Tensor, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False) -> Tensor:
    """clip(x, min_val, max_val); gradient 1 strictly inside, 0 at and beyond the corners. Shape preserved.

    >>> hardtanh(gn.tensor([-2.0, 0.5, 3.0])).tolist()
    [-1.0, 0.5, 1.0]
    """
    if not min_val < max_val:
        raise ValueError(f"hardtanh: min_val must be less than max_val, got min_val={min_val}, max_val={max_val}")
    return Hardtanh.apply(float_tensor(input, "hardtanh"), lo=float(min_val), hi=float(max_val))


def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    """min(max(x, 0), 6) = hardtanh(x, 0, 6) (gradient 0 at 0 and 6, as PyTorch). Shape preserved.

    >>> relu6(gn.tensor([-1.0, 3.0, 9.0])).tolist()
    [0.0, 3.0, 6.0]
    """
    return hardtanh(input, 0.0, 6.0)


class Hardsigmoid(Function):
    def forward(self, x):
        self.inside = (x > -3) & (x < 3)
        return xp.clip(x + 3, 0, 6) / x.dtype.type(6)

    def backward(self, g):
        return g * self.inside / g.dtype.type(6)


def hardsigmoid(input: Tensor, inplace: bool = False) -> Tensor:
    """relu6(x + 3) / 6, a piecewise-linear sigmoid; gradient 1/6 on (-3, 3), else 0. Shape preserved.

    >>> hardsigmoid(gn.tensor([-4.0, 0.0, 4.0])).tolist()
    [0.0, 0.5, 1.0]
    """
    return Hardsigmoid.apply(float_tensor(input, "hardsigmoid"))


class Hardswish(Function):
    def forward(self, x):
        self.x = x
        return x * xp.clip(x + 3, 0, 6) / x.dtype.type(6)

    def backward(self, g):
        x = self.x
        # PyTorch's one-sided choice: 0 at x = -3, 1 at x = 3
        return g * xp.where(x <= -3, 0, xp.where(x < 3, x / x.dtype.type(3) + x.dtype.type(0.5), 1))


def hardswish(input: Tensor, inplace: bool = False) -> Tensor:
    """x * relu6(x + 3) / 6 (MobileNetV3). Shape preserved.

    >>> hardswish(gn.tensor([-4.0, 0.0, 4.0])).tolist()
    [-0.0, 0.0, 4.0]
    """
    return Hardswish.apply(float_tensor(input, "hardswish"))


class SiLU(Function):
    def forward(self, x):
        self.x, self.s = x, expit(x)
        return x * self.s

    def backward(self, g):
        s = self.s
        return g * s * (1 + self.x * (1 - s))


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    """x * sigmoid(x) (swish); derivative s (1 + x (1 - s)) with s = sigmoid(x). Shape preserved.

    >>> silu(gn.tensor([0.0, 20.0])).tolist()
    [0.0, 20.0]
    """
    return SiLU.apply(float_tensor(input, "silu"))


def _softplus(x):
    """log(1 + e^x) without overflow: max(x, 0) + log1p(e^-|x|)."""
    return xp.maximum(x, 0) + xp.log1p(xp.exp(-xp.abs(x)))


class Softplus(Function):
    def forward(self, x, beta, threshold):
        bx = x * x.dtype.type(beta)
        self.linear, self.s = bx > threshold, expit(bx)
        # above the threshold softplus equals x to within float precision, so x is returned as is (PyTorch's rule)
        return xp.where(self.linear, x, _softplus(bx) / x.dtype.type(beta))

    def backward(self, g):
        return xp.where(self.linear, g, g * self.s)


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """log(1 + exp(beta x)) / beta, and x itself where beta x > threshold; derivative sigmoid(beta x).

    x: any shape; shape preserved.

    >>> round(softplus(gn.tensor([0.0])).item(), 4)   # log 2
    0.6931
    """
    if not beta > 0:
        raise ValueError(f"softplus: beta must be positive, got {beta}")
    return Softplus.apply(float_tensor(input, "softplus"), beta=float(beta), threshold=float(threshold))


class Mish(Function):
    def forward(self, x):
        self.x, self.t = x, xp.tanh(_softplus(x))
        return x * self.t

    def backward(self, g):
        t = self.t
        return g * (t + self.x * expit(self.x) * (1 - t * t))


def mish(input: Tensor, inplace: bool = False) -> Tensor:
    """x * tanh(softplus(x)). Shape preserved.

    >>> mish(gn.tensor([0.0])).tolist()
    [0.0]
    """
    return Mish.apply(float_tensor(input, "mish"))


class Softsign(Function):
    def forward(self, x):
        self.d = 1 + xp.abs(x)
        return x / self.d

    def backward(self, g):
        return g / (self.d * self.d)


def softsign(input: Tensor) -> Tensor:
    """x / (1 + |x|); derivative 1 / (1 + |x|)^2. Shape preserved.

    >>> softsign(gn.tensor([-3.0, 1.0])).tolist()
    [-0.75, 0.5]
    """
    return Softsign.apply(float_tensor(input, "softsign"))


class LogSigmoid(Function):
    def forward(self, x):
        self.x = x
        return xp.minimum(x, 0) - xp.log1p(xp.exp(-xp.abs(x)))  # finite for x = -1000

    def backward(self, g):
        return g * expit(-self.x)


def logsigmoid(input: Tensor) -> Tensor:
    """log sigmoid(x) = -softplus(-x), computed stably; derivative sigmoid(-x). Shape preserved.

    >>> logsigmoid(gn.tensor([-1000.0])).tolist()
    [-1000.0]
    """
    return LogSigmoid.apply(float_tensor(input, "logsigmoid"))


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def selu(input: Tensor, inplace: bool = False) -> Tensor:
    """scale * elu(x, alpha) with PyTorch's constants (alpha ~ 1.6733, scale ~ 1.0507), self-normalising.

    >>> round(selu(gn.tensor([1.0])).item(), 4)
    1.0507
    """
    return elu(float_tensor(input, "selu"), _SELU_ALPHA) * _SELU_SCALE


def celu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """max(0, x) + min(0, alpha (exp(x / alpha) - 1)) = alpha * elu(x / alpha); C1-continuous for any alpha.

    >>> celu(gn.tensor([2.0, 0.0])).tolist()
    [2.0, 0.0]
    """
    if alpha == 0:
        raise ValueError("celu: alpha must not be 0, got 0")
    x = float_tensor(input, "celu")
    return elu(x * (1.0 / alpha), 1.0) * float(alpha) if alpha != 1 else elu(x, 1.0)


def softmin(input: Tensor, dim: int | None = None, dtype=None) -> Tensor:
    """softmax(-x) along dim: weights that favour the smallest entries. Shape preserved.

    dim=None picks PyTorch's legacy default: 0 for 0-, 1- and 3-D inputs, else 1.

    >>> softmin(gn.tensor([[0.0, 0.0]]), dim=1).tolist()
    [[0.5, 0.5]]
    """
    x = float_tensor(input, "softmin")
    if dtype is not None:
        x = x.astype(dtype)
    if dim is None:
        dim = 0 if x.ndim in (0, 1, 3) else 1
    return softmax(-x, axis=dim)


class PReLU(Function):
    def forward(self, x, w):
        self.x, self.w, self.pos = x, w, x > 0
        return xp.where(self.pos, x, w * x)

    def backward(self, g):
        gx = xp.where(self.pos, g, g * self.w) if self.needs[0] else None
        gw = xp.where(self.pos, 0, g * self.x) if self.needs[1] else None  # summed to w's shape by the engine
        return gx, gw


def prelu(input: Tensor, weight: Tensor) -> Tensor:
    """x for x > 0, a * x otherwise, with a learnable slope: one (weight (1,)) or one per channel.

    input: (N, C, ...) (channels on axis 1) or any shape with a single slope; weight: (C,) or (1,).

    >>> prelu(gn.tensor([[-2.0, 3.0]]), gn.tensor([0.25])).tolist()
    [[-0.5, 3.0]]
    """
    x, w = float_tensor(input, "prelu"), float_tensor(weight, "prelu")
    if w.ndim > 1:
        raise ValueError(f"prelu: weight must be 1-D (one slope, or one per channel), got shape {w.shape}")
    if w.numel() != 1:
        if x.ndim < 2 or x.shape[1] != w.numel():
            raise ValueError(f"prelu: weight of shape {w.shape} needs input (N, {w.numel()}, ...) with the channels "
                             f"on axis 1, got input of shape {x.shape}")
        w = w.reshape(1, -1, *([1] * (x.ndim - 2)))
    elif x.ndim == 0:
        w = w.reshape(())
    return PReLU.apply(x, w)
