"""interpolate: resize images (N, C, H, W) or signals (N, C, L), as torch.nn.functional.interpolate.

Both modes are separable: each output row is a fixed mix of input rows, so with one (out, in)
matrix per axis the whole resize is out = A_h x A_w^T, and its gradient is A_h^T g A_w.
    nearest:        A[i, floor(i * scale)] = 1, scale = in / out (or 1 / scale_factor), in float32 as PyTorch
    nearest-exact:  A[i, floor((i + 0.5) * scale)] = 1
    (bi)linear:     src = (i + 0.5) * scale - 0.5 (clamped at 0), or i * (in - 1) / (out - 1) with
                    align_corners=True; A[i, floor(src)] = 1 - frac, A[i, floor(src) + 1] = frac
"""

from __future__ import annotations

import math
import numbers

from .. import backend
from ..autograd import Tensor
from ..backend import float32, xp
from ._util import float_tensor

__all__ = ["interpolate", "pixel_shuffle", "pixel_unshuffle"]

_MODES = {3: ("nearest", "nearest-exact", "linear"), 4: ("nearest", "nearest-exact", "bilinear")}


def _axis_matrix(n_in: int, n_out: int, mode: str, align_corners: bool, scale_factor, dtype):
    """The (n_out, n_in) matrix that resizes one axis."""
    a = xp.zeros((n_out, n_in), dtype=dtype)
    rows = xp.arange(n_out)
    if mode.startswith("nearest"):
        scale = float32(1.0 / scale_factor if scale_factor else n_in / n_out)
        offset = float32(0.5 if mode == "nearest-exact" else 0.0)
        src = xp.floor((rows.astype(float32) + offset) * scale).astype(xp.int64)
        a[rows, xp.minimum(src, n_in - 1)] = 1
        return a
    if align_corners:
        src = rows * ((n_in - 1) / (n_out - 1) if n_out > 1 else 0.0)
    else:
        scale = 1.0 / scale_factor if scale_factor else n_in / n_out
        src = xp.maximum((rows + 0.5) * scale - 0.5, 0.0)
    lo = xp.minimum(xp.floor(src).astype(xp.int64), n_in - 1)
    hi = xp.minimum(lo + 1, n_in - 1)
    frac = (src - lo).astype(dtype)
    xp.add.at(a, (rows, lo), 1 - frac)
    xp.add.at(a, (rows, hi), frac)
    return a


def _per_axis(value, k: int, name: str):
    values = tuple(value) if isinstance(value, (tuple, list)) else (value,) * k
    if len(values) != k:
        raise ValueError(f"interpolate: {name} must be one number or {k}, got {value!r}")
    return values


def interpolate(input: Tensor, size=None, scale_factor=None, mode: str = "nearest", align_corners: bool | None = None,
                recompute_scale_factor: bool | None = None, antialias: bool = False) -> Tensor:
    """Resize the spatial axes of (N, C, H, W) (modes nearest, nearest-exact, bilinear) or (N, C, L)
    (nearest, nearest-exact, linear) to `size`, or by `scale_factor` (output floor(in * scale_factor)).

    align_corners (linear modes only; default False) maps the corner pixels' centres onto each other.

    >>> interpolate(gn.tensor([[[[1.0, 2.0]]]]), scale_factor=2).tolist()
    [[[[1.0, 1.0, 2.0, 2.0], [1.0, 1.0, 2.0, 2.0]]]]
    >>> interpolate(gn.tensor([[[0.0, 1.0]]]), size=3, mode="linear", align_corners=True).tolist()
    [[[0.0, 0.5, 1.0]]]
    """
    x = float_tensor(input, "interpolate")
    if x.ndim not in _MODES:
        raise ValueError(f"interpolate: expected a 3-D (N, C, L) or 4-D (N, C, H, W) input, got shape {x.shape}")
    if mode not in _MODES[x.ndim]:
        raise ValueError(f"interpolate: mode must be one of {', '.join(_MODES[x.ndim])} for a {x.ndim}-D input, "
                         f"got {mode!r}")
    if mode.startswith("nearest") and align_corners is not None:
        raise ValueError(f"interpolate: align_corners only applies to the linear modes, got mode={mode!r}")
    if antialias:
        raise NotImplementedError("interpolate: antialias=True is not supported")
    if (size is None) == (scale_factor is None):
        raise ValueError(f"interpolate: give exactly one of size and scale_factor, got size={size!r}, "
                         f"scale_factor={scale_factor!r}")
    k = x.ndim - 2
    n_in = x.shape[2:]
    if size is not None:
        n_out = _per_axis(size, k, "size")
        scales = (None,) * k
    else:
        scales = _per_axis(scale_factor, k, "scale_factor")
        if not all(isinstance(s, numbers.Real) and s > 0 for s in scales):
            raise ValueError(f"interpolate: scale_factor must be positive, got {scale_factor!r}")
        n_out = tuple(int(math.floor(n * s)) for n, s in zip(n_in, scales))
        if recompute_scale_factor:
            scales = (None,) * k
    if not all(isinstance(n, numbers.Integral) and n >= 1 for n in n_out):
        raise ValueError(f"interpolate: output size must be positive ints, got {n_out} for input of shape {x.shape}")
    mats = [backend.like(_axis_matrix(i, o, mode, bool(align_corners), s, x.dtype), x.data)  # small, made on the host
            for i, o, s in zip(n_in, n_out, scales)]
    out = x @ Tensor._wrap(mats[-1].T.copy())
    return Tensor._wrap(mats[0]) @ out if k == 2 else out


def pixel_shuffle(input: Tensor, upscale_factor: int) -> Tensor:
    """(*, C * r^2, H, W) -> (*, C, H * r, W * r): each group of r^2 channels becomes an r x r block of pixels
    (sub-pixel convolution's upsampling), a reshape and a permutation, so the gradient is the inverse shuffle.

    >>> pixel_shuffle(gn.arange(8.0).reshape(1, 4, 1, 2), 2)[0, 0].tolist()
    [[0.0, 2.0, 1.0, 3.0], [4.0, 6.0, 5.0, 7.0]]
    """
    x = float_tensor(input, "pixel_shuffle") if not isinstance(input, Tensor) else input
    r = _factor("pixel_shuffle", "upscale_factor", upscale_factor)
    if x.ndim < 3 or x.shape[-3] % (r * r):
        raise ValueError(f"pixel_shuffle: expected (*, C * {r * r}, H, W) (channels divisible by "
                         f"upscale_factor^2 = {r * r}), got shape {x.shape}")
    *lead, c, h, w = x.shape
    k = len(lead)
    y = x.reshape(*lead, c // (r * r), r, r, h, w)
    y = y.permute(*range(k), k, k + 3, k + 1, k + 4, k + 2)
    return y.reshape(*lead, c // (r * r), h * r, w * r)


def pixel_unshuffle(input: Tensor, downscale_factor: int) -> Tensor:
    """(*, C, H * r, W * r) -> (*, C * r^2, H, W), the inverse of pixel_shuffle.

    >>> pixel_unshuffle(gn.zeros(1, 1, 4, 6), 2).shape
    (1, 4, 2, 3)
    """
    x = float_tensor(input, "pixel_unshuffle") if not isinstance(input, Tensor) else input
    r = _factor("pixel_unshuffle", "downscale_factor", downscale_factor)
    if x.ndim < 3 or x.shape[-2] % r or x.shape[-1] % r:
        raise ValueError(f"pixel_unshuffle: expected (*, C, H, W) with H and W divisible by {r}, got shape {x.shape}")
    *lead, c, h, w = x.shape
    k = len(lead)
    y = x.reshape(*lead, c, h // r, r, w // r, r)
    y = y.permute(*range(k), k, k + 2, k + 4, k + 1, k + 3)
    return y.reshape(*lead, c * r * r, h // r, w // r)


def _factor(op: str, name: str, r) -> int:
    if isinstance(r, bool) or not isinstance(r, numbers.Integral) or r < 1:
        raise ValueError(f"{op}: {name} must be a positive int, got {r!r}")
    return int(r)
