"""Local response normalisation (AlexNet): each channel divided by the activity of its neighbouring channels.

    b_c = a_c / (k + alpha / n * sum_{c' in window(c)} a_{c'}^2) ** beta

The window holds `size` channels centred on c (n = size, zero-padded at the ends: (size - 1) // 2 after
and size // 2 before, as PyTorch), so the sum is an average pool over channels of a^2.
"""

from __future__ import annotations

import numbers

from ..autograd import Tensor
from ._util import float_tensor
from .padding import pad

__all__ = ["local_response_norm"]


def local_response_norm(input: Tensor, size: int, alpha: float = 1e-4, beta: float = 0.75, k: float = 1.0) -> Tensor:
    """x: (N, C, *) -> same shape.

    >>> F.local_response_norm(gn.ones(1, 4, 2, 2), 2).shape
    (1, 4, 2, 2)
    """
    x = float_tensor(input, "local_response_norm")
    if x.ndim < 3:
        raise ValueError(f"local_response_norm: expected an input (N, C, *) with at least 3 dimensions, got shape "
                         f"{x.shape}")
    if not isinstance(size, numbers.Integral) or isinstance(size, bool) or size < 1:
        raise ValueError(f"local_response_norm: size must be a positive int, got {size!r}")
    n, c = x.shape[:2]
    sq = (x * x).reshape(n, c, -1)
    # pad the channel axis (moved last) and sum `size` shifted copies: the windowed sum over channels
    padded = pad(sq.transpose(1, 2), (size // 2, (size - 1) // 2))
    total = padded[:, :, 0:c]
    for i in range(1, size):
        total = total + padded[:, :, i:i + c]
    div = (total.transpose(1, 2) * (alpha / size) + k) ** beta
    return x / div.reshape(*x.shape)
