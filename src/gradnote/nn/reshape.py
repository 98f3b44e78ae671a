"""Flatten: merge a range of axes into one, e.g. (N, C, H, W) -> (N, C*H*W) between conv and dense layers;
PixelShuffle / PixelUnshuffle: move channels into space and back (sub-pixel upsampling)."""

from __future__ import annotations

from .. import functional as F
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


class Unflatten(Module):
    """Splits axis `dim` into `unflattened_size` (one entry may be -1), the inverse of Flatten, as torch.nn.Unflatten.

    >>> Unflatten(1, (16, 5, 5))(gn.zeros(8, 400)).shape
    (8, 16, 5, 5)
    """

    def __init__(self, dim: int, unflattened_size):
        super().__init__()
        if not isinstance(unflattened_size, (tuple, list)) or not unflattened_size:
            raise TypeError(f"Unflatten: unflattened_size must be a non-empty tuple of ints, got {unflattened_size!r}")
        self.dim, self.unflattened_size = dim, tuple(unflattened_size)

    def forward(self, x):
        return x.unflatten(self.dim, self.unflattened_size)

    def extra_repr(self) -> str:
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"


__all__ += ["PixelShuffle", "PixelUnshuffle", "Unflatten"]


class PixelShuffle(Module):
    """(*, C * r^2, H, W) -> (*, C, H * r, W * r) (F.pixel_shuffle), as super-resolution networks end.

    >>> PixelShuffle(3)(gn.zeros(1, 9, 4, 4)).shape
    (1, 1, 12, 12)
    """

    def __init__(self, upscale_factor: int):
        super().__init__()
        self.upscale_factor = F.interpolation._factor("PixelShuffle", "upscale_factor", upscale_factor)

    def forward(self, x):
        return F.pixel_shuffle(x, self.upscale_factor)

    def extra_repr(self) -> str:
        return f"upscale_factor={self.upscale_factor}"


class PixelUnshuffle(Module):
    """(*, C, H * r, W * r) -> (*, C * r^2, H, W) (F.pixel_unshuffle).

    >>> PixelUnshuffle(2)(gn.zeros(1, 1, 4, 4)).shape
    (1, 4, 2, 2)
    """

    def __init__(self, downscale_factor: int):
        super().__init__()
        self.downscale_factor = F.interpolation._factor("PixelUnshuffle", "downscale_factor", downscale_factor)

    def forward(self, x):
        return F.pixel_unshuffle(x, self.downscale_factor)

    def extra_repr(self) -> str:
        return f"downscale_factor={self.downscale_factor}"
