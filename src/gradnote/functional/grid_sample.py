"""Spatial transformers: affine_grid makes sampling positions from a 2x3 matrix, grid_sample reads an image there.

    affine_grid: theta (N, 2, 3), size (N, C, H, W) -> grid (N, H, W, 2), grid[n, h, w] = theta[n] @ (x_w, y_h, 1)
    grid_sample: input (N, C, H, W), grid (N, Ho, Wo, 2) of (x, y) in [-1, 1] -> (N, C, Ho, Wo)

-1 and 1 are the centres of the corner pixels with align_corners=True, their outer edges with False. Bilinear
sampling weighs the four pixels around a point by 1 - distance, so the output is differentiable in the image
and in the grid; nearest takes the closest pixel (ties to even, as PyTorch), no gradient to the grid. Points
outside read zeros (padding_mode "zeros"), the edge pixel ("border"), or the image mirrored at its edges
("reflection"). Both are built from differentiable tensor ops, so their gradients come from those ops.
"""

from __future__ import annotations

from .. import backend
from ..autograd import Tensor, where
from ..backend import xp
from ._util import float_tensor

__all__ = ["affine_grid", "grid_sample"]


def _base(n: int, align_corners: bool, dtype):
    """The n normalised pixel positions in [-1, 1]: centres of the end pixels, or their outer edges."""
    if n == 1:
        return xp.zeros(1, dtype=dtype)
    t = xp.linspace(-1.0, 1.0, n).astype(dtype)
    return t if align_corners else t * dtype.type((n - 1) / n)


def affine_grid(theta: Tensor, size, align_corners: bool = False) -> Tensor:
    """theta (N, 2, 3), size = (N, C, H, W) -> the (N, H, W, 2) grid of (x, y) sampling positions.

    >>> F.affine_grid(gn.tensor([[[1.0, 0, 0], [0, 1, 0]]]), (1, 1, 2, 3), align_corners=True)[0, 1, 2].tolist()
    [1.0, 1.0]
    """
    theta = float_tensor(theta, "affine_grid")
    size = tuple(int(s) for s in size)
    if len(size) != 4:
        raise NotImplementedError(f"affine_grid: only 2-D grids (size (N, C, H, W)) are implemented, got size {size}")
    if theta.shape != (size[0], 2, 3):
        raise ValueError(f"affine_grid: expected theta of shape ({size[0]}, 2, 3) for size {size}, got {theta.shape}")
    h, w, dtype = size[2], size[3], theta.data.dtype
    ys, xs = xp.meshgrid(_base(h, align_corners, dtype), _base(w, align_corners, dtype), indexing="ij")
    base = xp.stack([xs, ys, xp.ones_like(xs)], axis=-1).reshape(1, h * w, 3)
    return (Tensor._wrap(backend.like(base, theta.data)) @ theta.transpose(1, 2)).reshape(size[0], h, w, 2)


def _reflect(c: Tensor, twice_low: int, twice_high: int) -> Tensor:
    """Fold coordinates into [twice_low / 2, twice_high / 2] by mirroring at both ends (PyTorch's rule)."""
    if twice_low == twice_high:
        return c * 0
    low, span = twice_low / 2, (twice_high - twice_low) / 2
    d = (c - low).abs()
    flips = xp.floor(d.data / span)
    extra = d - flips * span
    return where(flips % 2 == 0, extra + low, span - extra + low)


def _source(c: Tensor, n: int, padding_mode: str, align_corners: bool) -> Tensor:
    """Normalised coordinate -> pixel coordinate in the input, after border or reflection padding."""
    c = (c + 1) * ((n - 1) / 2) if align_corners else ((c + 1) * n - 1) / 2
    if padding_mode == "reflection":
        c = _reflect(c, 0, 2 * (n - 1)) if align_corners else _reflect(c, -1, 2 * n - 1)
    if padding_mode != "zeros":
        c = c.clamp(0, n - 1)
    return c


def grid_sample(input: Tensor, grid: Tensor, mode: str = "bilinear", padding_mode: str = "zeros",
                align_corners: bool | None = None) -> Tensor:
    """Sample input (N, C, H, W) at grid (N, Ho, Wo, 2) -> (N, C, Ho, Wo); align_corners None means False.

    >>> x = gn.arange(4.0).reshape(1, 1, 2, 2)
    >>> F.grid_sample(x, gn.zeros(1, 1, 1, 2), align_corners=False).item()
    1.5
    """
    x, grid = float_tensor(input, "grid_sample"), float_tensor(grid, "grid_sample")
    if mode not in ("bilinear", "nearest"):
        raise NotImplementedError(f"grid_sample: mode must be 'bilinear' or 'nearest' in gradnote, got {mode!r}")
    if padding_mode not in ("zeros", "border", "reflection"):
        raise ValueError(f"grid_sample: padding_mode must be 'zeros', 'border' or 'reflection', got {padding_mode!r}")
    if x.ndim != 4 or grid.ndim != 4 or grid.shape[-1] != 2 or grid.shape[0] != x.shape[0]:
        raise ValueError(f"grid_sample: expected input (N, C, H, W) and grid (N, Ho, Wo, 2) with the same N "
                         f"(only 2-D sampling is implemented), got {x.shape} and {grid.shape}")
    n, c, h, w = x.shape
    ix = _source(grid[..., 0], w, padding_mode, bool(align_corners))
    iy = _source(grid[..., 1], h, padding_mode, bool(align_corners))
    rows = x.permute(0, 2, 3, 1).reshape(n * h * w, c)
    batch = backend.module_of(x.data).arange(n).reshape(n, 1, 1) * (h * w)

    def read(yi, xi):
        """Pixels at integer positions (N, Ho, Wo) -> (N, Ho, Wo, C), zero where outside the image."""
        inside = (xi >= 0) & (xi < w) & (yi >= 0) & (yi < h)
        flat = batch + xp.clip(yi, 0, h - 1).astype(xp.int64) * w + xp.clip(xi, 0, w - 1).astype(xp.int64)
        return rows[flat.reshape(-1)].reshape(*flat.shape, c) * inside[..., None].astype(x.data.dtype)

    if mode == "nearest":
        out = read(xp.round(iy.data), xp.round(ix.data))
    else:
        x0, y0 = xp.floor(ix.data), xp.floor(iy.data)
        wx, wy = (ix - x0).unsqueeze(-1), (iy - y0).unsqueeze(-1)
        out = (read(y0, x0) * (1 - wx) + read(y0, x0 + 1) * wx) * (1 - wy) + \
              (read(y0 + 1, x0) * (1 - wx) + read(y0 + 1, x0 + 1) * wx) * wy
    return out.permute(0, 3, 1, 2)
