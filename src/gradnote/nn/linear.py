"""Linear (fully connected) layer: y = x W^T + b, the perceptron's weighted sum for a whole layer."""

from __future__ import annotations

import math
import numbers

from .. import functional as F
from ..autograd import Tensor
from ..backend import float32, xp
from . import init
from ._checks import positive_int
from ._factory import place
from .module import Module, Parameter

__all__ = ["LazyLinear", "Linear", "init_weight"]


def init_weight(layer: str, init_, weight) -> None:
    """Initialise `weight` in place by an nn.init name ("xavier_uniform", "glorot_uniform", "he_normal", ...)
    or a callable init_(weight); layers with a chosen init start their bias at zero, as Keras and DeZero."""
    fn = getattr(init, f"{init_}_", None) if isinstance(init_, str) else init_
    if not callable(fn):
        raise ValueError(f"{layer}: init must be an nn.init name such as 'xavier_uniform' or a callable, "
                         f"got {init_!r}")
    fn(weight)


def _features(name: str, value) -> int:
    # 0 is allowed, as in PyTorch: Linear(0, n) maps (..., 0) to the bias (an empty sum is 0)
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < 0:
        raise ValueError(f"Linear: {name} must be a non-negative integer, got {value!r}")
    return int(value)


class Linear(Module):
    """y = x @ weight.T + bias.

    x: (..., in_features) -> y: (..., out_features). Parameters (names and shapes as PyTorch):
    weight (out_features, in_features), bias (out_features,). Initialised as PyTorch does:
    weight ~ kaiming_uniform_(a=sqrt(5)), i.e. U(-1/sqrt(in), 1/sqrt(in)); bias ~ U(-1/sqrt(in), 1/sqrt(in)).
    init: an nn.init name ("xavier_uniform", "he_normal", ...) or a callable for the weight; the bias then
    starts at zero. in_features=None sizes the layer at its first call from x.shape[-1] (as torch's
    LazyLinear): until then it has no parameters, so make the optimiser after a first forward pass.

    >>> layer = Linear(784, 128); layer(gn.randn(32, 784)).shape
    (32, 128)
    """

    def __init__(self, in_features: int | None, out_features: int, bias: bool = True, device=None, dtype=None, *,
                 init=None):
        super().__init__()
        self.out_features = _features("out_features", out_features)
        if init is not None and not (isinstance(init, str) or callable(init)):
            raise ValueError(f"Linear: init must be an nn.init name or a callable, got {init!r}")
        self.init, self.use_bias = init, bool(bias)
        self.in_features = None
        self.register_parameter("weight", None)
        self.register_parameter("bias", None)
        if in_features is not None:
            self.build(_features("in_features", in_features))
            place(self, device, dtype)  # torch's positional (in, out, bias, device, dtype)

    def build(self, in_features: int, dtype=float32) -> None:
        """Create weight (out_features, in_features) and bias, then initialise them."""
        self.in_features = in_features
        self.weight = Parameter(xp.empty((self.out_features, in_features), dtype=dtype))
        if self.use_bias:
            self.bias = Parameter(xp.empty((self.out_features,), dtype=dtype))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        if self.init is not None:
            init_weight("Linear", self.init, self.weight)
            if self.bias is not None:
                init.zeros_(self.bias)
            return
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            bound = 1.0 / math.sqrt(self.in_features) if self.in_features > 0 else 0.0  # PyTorch's rule
            init.uniform_(self.bias, -bound, bound)

    def forward(self, x: Tensor) -> Tensor:
        shape = getattr(x, "shape", None)
        if self.weight is None:
            if not shape:
                raise ValueError(f"Linear(None, {self.out_features}): cannot infer in_features from an input of "
                                 f"shape {tuple(shape or ())}; expected (..., in_features)")
            kind = getattr(getattr(x, "dtype", None), "kind", "")
            self.build(positive_int("Linear", "in_features (from the input)", shape[-1]),
                       x.dtype if kind == "f" else float32)
        if shape is not None and (len(shape) == 0 or shape[-1] != self.in_features):
            raise ValueError(f"Linear(in_features={self.in_features}, out_features={self.out_features}): expected "
                             f"input with {self.in_features} features in the last dimension, got shape {tuple(shape)}")
        return F.linear(x, self.weight, self.bias)

    def extra_repr(self) -> str:
        size = self.in_features if self.in_features is not None else "?"
        return f"in_features={size}, out_features={self.out_features}, bias={self.use_bias}"


class LazyLinear(Linear):
    """Linear whose in_features is taken from the first input, as torch.nn.LazyLinear(out_features).

    >>> LazyLinear(3)(gn.randn(2, 5)).shape
    (2, 3)
    """

    def __init__(self, out_features: int, bias: bool = True, init=None):
        super().__init__(None, out_features, bias=bias, init=init)
