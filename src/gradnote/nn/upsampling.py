"""Upsample: resize feature maps by a size or a scale factor (a thin module over F.interpolate)."""

from __future__ import annotations

from .. import functional as F
from .module import Module

__all__ = ["Upsample"]


class Upsample(Module):
    """Resize (N, C, H, W) (or (N, C, L)) to `size` or by `scale_factor`, mode "nearest" or "bilinear"
    ("linear" for 3-D), as torch.nn.Upsample.

    >>> Upsample(scale_factor=2, mode="bilinear")(gn.randn(1, 3, 4, 4)).shape
    (1, 3, 8, 8)
    """

    def __init__(self, size=None, scale_factor=None, mode: str = "nearest", align_corners: bool | None = None,
                 recompute_scale_factor: bool | None = None):
        super().__init__()
        if (size is None) == (scale_factor is None):
            raise ValueError(f"Upsample: give exactly one of size and scale_factor, got size={size!r}, "
                             f"scale_factor={scale_factor!r}")
        if mode not in ("nearest", "nearest-exact", "linear", "bilinear"):
            raise ValueError(f"Upsample: mode must be 'nearest', 'nearest-exact', 'linear' or 'bilinear', got {mode!r}")
        self.size, self.scale_factor, self.mode = size, scale_factor, mode
        self.align_corners, self.recompute_scale_factor = align_corners, recompute_scale_factor

    def forward(self, x):
        return F.interpolate(x, self.size, self.scale_factor, self.mode, self.align_corners,
                             self.recompute_scale_factor)

    def extra_repr(self) -> str:
        what = f"size={self.size}" if self.size is not None else f"scale_factor={self.scale_factor}"
        return f"{what}, mode={self.mode!r}"
