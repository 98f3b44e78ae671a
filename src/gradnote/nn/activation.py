"""Activation layers: module wrappers of gradnote.functional's activations, for use in Sequential."""

from __future__ import annotations

from .. import functional as F
from ..autograd import Tensor
from ..backend import float32, xp
from ._checks import positive_float, positive_int
from ._factory import place
from .module import Module, Parameter

__all__ = ["ELU", "GELU", "LeakyReLU", "LogSoftmax", "ReLU", "Sigmoid", "Softmax", "Step", "Tanh"]


class Step(Module):
    """Heaviside step: 1 where x > 0, else 0. Its gradient is zero everywhere (see F.step).

    >>> Step()(gn.tensor([-1.0, 2.0])).tolist()
    [0.0, 1.0]
    """

    def forward(self, x: Tensor) -> Tensor:
        return F.step(x)


class Sigmoid(Module):
    """sigma(x) = 1 / (1 + exp(-x)), elementwise; any shape.

    >>> Sigmoid()(gn.zeros(2)).tolist()
    [0.5, 0.5]
    """

    def forward(self, x: Tensor) -> Tensor:
        return F.sigmoid(x)


class Tanh(Module):
    """tanh(x), elementwise; any shape.

    >>> Tanh()(gn.zeros(2)).tolist()
    [0.0, 0.0]
    """

    def forward(self, x: Tensor) -> Tensor:
        return F.tanh(x)


class ReLU(Module):
    """max(x, 0), elementwise. `inplace` is accepted for PyTorch compatibility and ignored.

    >>> ReLU()(gn.tensor([-1.0, 2.0])).tolist()
    [0.0, 2.0]
    """

    def __init__(self, inplace: bool = False):
        super().__init__()
        self.inplace = inplace

    def forward(self, x: Tensor) -> Tensor:
        return F.relu(x)


class LeakyReLU(Module):
    """x for x > 0, negative_slope * x otherwise.

    >>> LeakyReLU(0.1)(gn.tensor([-10.0, 2.0])).tolist()
    [-1.0, 2.0]
    """

    def __init__(self, negative_slope: float = 0.01, inplace: bool = False):
        super().__init__()
        self.negative_slope, self.inplace = float(negative_slope), inplace

    def forward(self, x: Tensor) -> Tensor:
        return F.leaky_relu(x, self.negative_slope)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}"


class ELU(Module):
    """x for x > 0, alpha (exp(x) - 1) otherwise.

    >>> ELU()(gn.tensor([0.0, 2.0])).tolist()
    [0.0, 2.0]
    """

    def __init__(self, alpha: float = 1.0, inplace: bool = False):
        super().__init__()
        self.alpha, self.inplace = float(alpha), inplace

    def forward(self, x: Tensor) -> Tensor:
        return F.elu(x, self.alpha)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}"


class GELU(Module):
    """x Phi(x) (approximate="none", exact erf) or its tanh approximation (approximate="tanh").

    >>> GELU(approximate="tanh")(gn.zeros(3)).tolist()
    [0.0, 0.0, 0.0]
    """

    def __init__(self, approximate: str = "none"):
        super().__init__()
        if approximate not in ("none", "tanh"):
            raise ValueError(f"GELU: approximate must be 'none' or 'tanh', got {approximate!r}")
        self.approximate = approximate

    def forward(self, x: Tensor) -> Tensor:
        return F.gelu(x, self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"


class Softmax(Module):
    """softmax along `axis` (PyTorch's `dim` is accepted as an alias): outputs are positive and sum to 1.

    >>> Softmax(axis=1)(gn.zeros(1, 2)).tolist()
    [[0.5, 0.5]]
    """

    def __init__(self, axis: int | None = -1, dim: int | None = None):
        super().__init__()
        # nn.Softmax(dim=None) keeps PyTorch's legacy implicit choice (0 for 0-, 1- and 3-d inputs, else 1)
        self.axis = dim if dim is not None or "dim" in self._init_args[1] else axis

    def forward(self, x: Tensor) -> Tensor:
        return F.softmax(x, self.axis)

    def extra_repr(self) -> str:
        return f"axis={self.axis}"


class LogSoftmax(Softmax):
    """log softmax along `axis` (alias `dim`), computed with log-sum-exp (finite for large logits).

    >>> LogSoftmax(axis=1)(gn.randn(8, 10)).shape
    (8, 10)
    """

    def forward(self, x: Tensor) -> Tensor:
        return F.log_softmax(x, self.axis)


# ----- the rest of PyTorch's activation modules (each a thin object over its F function) ----------------
__all__ += ["CELU", "Hardsigmoid", "Hardswish", "Hardtanh", "LogSigmoid", "Mish", "PReLU", "ReLU6", "SELU", "SiLU",
            "Softmin", "Softplus", "Softsign"]


class _Elementwise(Module):
    """An activation without hyperparameters; `inplace` is accepted for PyTorch compatibility and ignored."""

    _fn = None

    def __init__(self, inplace: bool = False):
        super().__init__()
        self.inplace = inplace

    def forward(self, x: Tensor) -> Tensor:
        return type(self)._fn(x)


class SiLU(_Elementwise):
    """x * sigmoid(x) (swish), elementwise.

    >>> SiLU()(gn.zeros(2)).tolist()
    [0.0, 0.0]
    """

    _fn = staticmethod(F.silu)


class Mish(_Elementwise):
    """x * tanh(softplus(x)), elementwise.

    >>> Mish()(gn.zeros(2)).tolist()
    [0.0, 0.0]
    """

    _fn = staticmethod(F.mish)


class Hardswish(_Elementwise):
    """x * relu6(x + 3) / 6, elementwise.

    >>> Hardswish()(gn.tensor([4.0])).tolist()
    [4.0]
    """

    _fn = staticmethod(F.hardswish)


class Hardsigmoid(_Elementwise):
    """relu6(x + 3) / 6, elementwise.

    >>> Hardsigmoid()(gn.zeros(2)).tolist()
    [0.5, 0.5]
    """

    _fn = staticmethod(F.hardsigmoid)


class ReLU6(_Elementwise):
    """min(max(x, 0), 6), elementwise.

    >>> ReLU6()(gn.tensor([-1.0, 9.0])).tolist()
    [0.0, 6.0]
    """

    _fn = staticmethod(F.relu6)


class SELU(_Elementwise):
    """scale * elu(x, alpha) with PyTorch's self-normalising constants.

    >>> SELU()(gn.zeros(2)).tolist()
    [0.0, 0.0]
    """

    _fn = staticmethod(F.selu)


class Softsign(Module):
    """x / (1 + |x|), elementwise.

    >>> Softsign()(gn.tensor([1.0])).tolist()
    [0.5]
    """

    def forward(self, x: Tensor) -> Tensor:
        return F.softsign(x)


class LogSigmoid(Module):
    """log sigmoid(x), stable for large |x|.

    >>> LogSigmoid()(gn.tensor([-1000.0])).tolist()
    [-1000.0]
    """

    def forward(self, x: Tensor) -> Tensor:
        return F.logsigmoid(x)


class Hardtanh(Module):
    """clip(x, min_val, max_val), elementwise.

    >>> Hardtanh(-2.0, 2.0)(gn.tensor([-3.0, 1.0])).tolist()
    [-2.0, 1.0]
    """

    def __init__(self, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False):
        super().__init__()
        if not min_val < max_val:
            raise ValueError(f"Hardtanh: min_val must be less than max_val, got min_val={min_val!r}, "
                             f"max_val={max_val!r}")
        self.min_val, self.max_val, self.inplace = float(min_val), float(max_val), inplace

    def forward(self, x: Tensor) -> Tensor:
        return F.hardtanh(x, self.min_val, self.max_val)

    def extra_repr(self) -> str:
        return f"min_val={self.min_val}, max_val={self.max_val}"


class Softplus(Module):
    """log(1 + exp(beta x)) / beta, linear where beta x > threshold.

    >>> round(Softplus()(gn.zeros(1)).item(), 4)
    0.6931
    """

    def __init__(self, beta: float = 1.0, threshold: float = 20.0):
        super().__init__()
        self.beta = positive_float("Softplus", "beta", beta)
        self.threshold = float(threshold)

    def forward(self, x: Tensor) -> Tensor:
        return F.softplus(x, self.beta, self.threshold)

    def extra_repr(self) -> str:
        return f"beta={self.beta}, threshold={self.threshold}"


class CELU(Module):
    """max(0, x) + min(0, alpha (exp(x / alpha) - 1)), elementwise.

    >>> CELU(alpha=2.0)(gn.tensor([1.0])).tolist()
    [1.0]
    """

    def __init__(self, alpha: float = 1.0, inplace: bool = False):
        super().__init__()
        if alpha == 0:
            raise ValueError(f"CELU: alpha must not be 0, got {alpha!r}")
        self.alpha, self.inplace = float(alpha), inplace

    def forward(self, x: Tensor) -> Tensor:
        return F.celu(x, self.alpha)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}"


class Softmin(Module):
    """softmax(-x) along `dim` (None: PyTorch's legacy choice, see F.softmin).

    >>> Softmin(dim=1)(gn.zeros(1, 2)).tolist()
    [[0.5, 0.5]]
    """

    def __init__(self, dim: int | None = None):
        super().__init__()
        self.dim = dim

    def forward(self, x: Tensor) -> Tensor:
        return F.softmin(x, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class PReLU(Module):
    """x for x > 0, weight * x otherwise, with a learnable slope (one, or one per channel on axis 1).

    weight: (num_parameters,), initialised to `init` (0.25), as torch.nn.PReLU.

    >>> PReLU()(gn.tensor([-4.0, 2.0])).tolist()
    [-1.0, 2.0]
    """

    def __init__(self, num_parameters: int = 1, init: float = 0.25, device=None, dtype=None):
        super().__init__()
        self.num_parameters = positive_int("PReLU", "num_parameters", num_parameters)
        self.init = float(init)
        self.weight = Parameter(xp.empty((self.num_parameters,), dtype=float32))
        self.reset_parameters()
        place(self, device, dtype)

    def reset_parameters(self) -> None:
        self.weight.data[...] = self.init

    def forward(self, x: Tensor) -> Tensor:
        return F.prelu(x, self.weight)

    def extra_repr(self) -> str:
        return f"num_parameters={self.num_parameters}"
