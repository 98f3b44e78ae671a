"""GroupNorm (channels normalised in groups, per sample: F.group_norm) and LocalResponseNorm (AlexNet's
cross-channel normalisation: F.local_response_norm)."""

from __future__ import annotations

import numbers

from .. import functional as F
from ..backend import float32, xp
from . import init
from ._checks import positive_float, positive_int
from ._factory import place
from .module import Module, Parameter

__all__ = ["GroupNorm", "LocalResponseNorm"]


class GroupNorm(Module):
    """(N, C, *) -> same shape, each of num_groups groups of C / num_groups channels normalised per sample;
    weight = 1 and bias = 0 of shape (C,) when affine, as torch.nn.GroupNorm.

    >>> GroupNorm(2, 6)(gn.randn(3, 6, 4, 4)).shape
    (3, 6, 4, 4)
    """

    def __init__(self, num_groups: int, num_channels: int, eps: float = 1e-5, affine: bool = True, device=None,
                 dtype=None):
        super().__init__()
        self.num_groups = positive_int("GroupNorm", "num_groups", num_groups)
        self.num_channels = positive_int("GroupNorm", "num_channels", num_channels)
        if self.num_channels % self.num_groups:
            raise ValueError(f"GroupNorm: num_channels ({num_channels}) must be divisible by num_groups ({num_groups})")
        self.eps, self.affine = positive_float("GroupNorm", "eps", eps), bool(affine)
        if self.affine:
            self.weight = Parameter(xp.ones(self.num_channels, dtype=float32))
            self.bias = Parameter(xp.zeros(self.num_channels, dtype=float32))
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        place(self, device, dtype)

    def reset_parameters(self) -> None:
        if self.affine:
            init.ones_(self.weight)
            init.zeros_(self.bias)

    def forward(self, x):
        if x.ndim < 2 or x.shape[1] != self.num_channels:
            raise ValueError(f"GroupNorm: expected an input (N, {self.num_channels}, *), got shape {tuple(x.shape)}")
        return F.group_norm(x, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}"


class LocalResponseNorm(Module):
    """(N, C, *) -> same shape: x / (k + alpha / size * sum of x^2 over `size` neighbouring channels) ** beta.

    >>> LocalResponseNorm(2)(gn.randn(1, 4, 3, 3)).shape
    (1, 4, 3, 3)
    """

    def __init__(self, size: int, alpha: float = 1e-4, beta: float = 0.75, k: float = 1.0):
        super().__init__()
        self.size = positive_int("LocalResponseNorm", "size", size)
        for name, value in (("alpha", alpha), ("beta", beta), ("k", k)):
            if isinstance(value, bool) or not isinstance(value, numbers.Real):
                raise ValueError(f"LocalResponseNorm: {name} must be a number, got {value!r}")
        self.alpha, self.beta, self.k = float(alpha), float(beta), float(k)

    def forward(self, x):
        return F.local_response_norm(x, self.size, self.alpha, self.beta, self.k)

    def extra_repr(self) -> str:
        return f"{self.size}, alpha={self.alpha}, beta={self.beta}, k={self.k}"
