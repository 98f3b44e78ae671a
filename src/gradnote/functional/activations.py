"""Activation functions: the non-linearities between layers, each forward beside its local gradient.

Without them a stack of linear layers collapses into one linear map. The notes' history runs
step (Rosenblatt; not differentiable) -> sigmoid/tanh (smooth, but saturate: vanishing gradients)
-> ReLU and its variants (leaky ReLU, ELU, GELU) that keep gradients alive for positive inputs.
softmax/log_softmax turn scores into (log-)probabilities over one axis.
"""

from __future__ import annotations

import math

from ..autograd import Function, Tensor
from ..backend import erf, expit, xp
from ._util import check_axis, float_tensor

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


class Sigmoid(Function):
    def forward(self, x):
        self.out = expit(x)  # never overflows, unlike 1 / (1 + exp(-x)) at x = -1000
        return self.out

    def backward(self, g):
        out = self.out
        return g * out * (1 - out)


def sigmoid(x: Tensor) -> Tensor:
    """sigma(x) = 1 / (1 + exp(-x)); sigma'(x) = sigma(x) (1 - sigma(x)) <= 1/4, the root of vanishing gradients.

    x: any shape; shape preserved.

    >>> sigmoid(gn.zeros(2, 3)).tolist()[0]
    [0.5, 0.5, 0.5]
    """
    return Sigmoid.apply(float_tensor(x, "sigmoid"))


class Tanh(Function):
    def forward(self, x):
        self.out = xp.tanh(x)
        return self.out

    def backward(self, g):
        return g * (1 - self.out * self.out)


def tanh(x: Tensor) -> Tensor:
    """tanh(x) = (e^x - e^-x) / (e^x + e^-x), zero-centred; tanh'(x) = 1 - tanh(x)^2.

    x: any shape; shape preserved.

    >>> tanh(gn.zeros(4)).tolist()
    [0.0, 0.0, 0.0, 0.0]
    """
    return Tanh.apply(float_tensor(x, "tanh"))


class ReLU(Function):
    def forward(self, x):
        out = xp.maximum(x, 0)
        if self.needs[0]:  # no mask pass when no graph is recorded (inference)
            self.mask = out > 0
        return out

    def backward(self, g):
        return g * self.mask


def relu(x: Tensor) -> Tensor:
    """relu(x) = max(x, 0); gradient 1 for x > 0, 0 otherwise (0 at x = 0, as PyTorch).

    x: any shape; shape preserved.

    >>> relu(gn.tensor([-2.0, 0.0, 3.0])).tolist()
    [0.0, 0.0, 3.0]
    """
    return ReLU.apply(float_tensor(x, "relu"))


class LeakyReLU(Function):
    def forward(self, x, slope):
        self.mask, self.slope = x > 0, slope
        return xp.where(self.mask, x, x * x.dtype.type(slope))

    def backward(self, g):
        return xp.where(self.mask, g, g * g.dtype.type(self.slope))


def leaky_relu(x: Tensor, negative_slope: float = 0.01) -> Tensor:
    """x for x > 0, negative_slope * x otherwise: a small gradient keeps "dead" units learning.

    x: any shape; shape preserved.

    >>> leaky_relu(gn.tensor([-2.0, 3.0]), negative_slope=0.5).tolist()
    [-1.0, 3.0]
    """
    return LeakyReLU.apply(float_tensor(x, "leaky_relu"), slope=float(negative_slope))


class ELU(Function):
    def forward(self, x, alpha):
        self.mask = x > 0
        self.neg = x.dtype.type(alpha) * xp.expm1(xp.minimum(x, 0))  # alpha (e^x - 1), no overflow for large x
        self.alpha = alpha
        return xp.where(self.mask, x, self.neg)

    def backward(self, g):
        return xp.where(self.mask, g, g * (self.neg + g.dtype.type(self.alpha)))


def elu(x: Tensor, alpha: float = 1.0) -> Tensor:
    """x for x > 0, alpha (e^x - 1) otherwise; the derivative for x <= 0 is elu(x) + alpha.

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
        self.x, self.approximate = x, approximate
        if approximate == "tanh":
            self.t = xp.tanh(x.dtype.type(_SQRT_2_OVER_PI) * (x + x.dtype.type(0.044715) * x**3))
            return 0.5 * x * (1 + self.t)
        self.cdf = 0.5 * (1 + erf(x * x.dtype.type(_INV_SQRT_2)))
        return x * self.cdf

    def backward(self, g):
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


def _shifted(x, axis):
    # log-sum-exp: subtracting the max keeps exp() finite for logits near 1e4; an empty axis
    # (softmax over a batch of 0 along axis 0) has no max and nothing to normalise
    if x.shape[axis] == 0:
        return x.copy()
    return x - x.max(axis=axis, keepdims=True)


def _log_softmax(x, axis):
    if x.shape[axis] == 0:
        return x.copy()
    shifted = _shifted(x, axis)
    return shifted - xp.log(xp.exp(shifted).sum(axis=axis, keepdims=True))


class Softmax(Function):
    def forward(self, x, axis):
        e = xp.exp(_shifted(x, axis))
        e /= e.sum(axis=axis, keepdims=True)
        self.out, self.axis = e, axis
        return e

    def backward(self, g):
        out = self.out
        return out * (g - (g * out).sum(axis=self.axis, keepdims=True))


def softmax(x: Tensor, axis: int = -1, *, dim: int | None = None) -> Tensor:
    """softmax(x)_i = exp(x_i - max x) / sum_j exp(x_j - max x) along `axis` (shape preserved).
    PyTorch's `dim=` is accepted as an alias of `axis`, as nn.Softmax accepts it.

    >>> softmax(gn.zeros(2, 4), axis=1).tolist()[0]
    [0.25, 0.25, 0.25, 0.25]
    """
    x = float_tensor(x, "softmax")
    axis = axis if dim is None else dim
    return Softmax.apply(x, axis=check_axis(axis, x.ndim, "softmax"))


class LogSoftmax(Function):
    def forward(self, x, axis):
        self.out, self.axis = _log_softmax(x, axis), axis
        return self.out

    def backward(self, g):
        return g - xp.exp(self.out) * g.sum(axis=self.axis, keepdims=True)


def log_softmax(x: Tensor, axis: int = -1, *, dim: int | None = None) -> Tensor:
    """log softmax(x) = x - max x - log sum exp(x - max x) along `axis`: finite even for logits near 1e4.
    PyTorch's `dim=` is accepted as an alias of `axis`.

    x: any shape; shape preserved.

    >>> log_softmax(gn.randn(8, 10), axis=1).exp().sum(axis=1).shape
    (8,)
    """
    x = float_tensor(x, "log_softmax")
    axis = axis if dim is None else dim
    return LogSoftmax.apply(x, axis=check_axis(axis, x.ndim, "log_softmax"))
