"""Flatten: merge a range of axes into one, e.g. (N, C, H, W) -> (N, C*H*W) between conv and dense layers."""

from __future__ import annotations

from .module import Module

__all__ = ["Flatten"]


class Flatten(Module):
    """Flattens axes start_dim..end_dim (inclusive, negative counts from the end), as torch.nn.Flatten.

    >>> Flatten()(gn.zeros(8, 16, 5, 5)).shape
    (8, 400)
    """

    def __init__(self, start_dim: int = 1, end_dim: int = -1):
        super().__init__()
        self.start_dim, self.end_dim = start_dim, end_dim

    def forward(self, x):
        nd = x.ndim
        start = self.start_dim + nd if self.start_dim < 0 else self.start_dim
        end = self.end_dim + nd if self.end_dim < 0 else self.end_dim
        if not (0 <= start < max(nd, 1) and 0 <= end < max(nd, 1)) or start > end:
            raise ValueError(f"Flatten(start_dim={self.start_dim}, end_dim={self.end_dim}): invalid for an "
                             f"input of shape {tuple(x.shape)}")
        shape = x.shape
        merged = 1
        for n in shape[start:end + 1]:
            merged *= n
        return x.reshape(*shape[:start], merged, *shape[end + 1:])

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"
