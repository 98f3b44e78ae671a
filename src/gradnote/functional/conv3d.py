"""F.conv3d: 3-D cross-correlation as a sum over the kernel's depth of 2-D convolutions, the depth folded into
the batch (one conv2d per depth tap: kd GEMM passes instead of a 3-D im2col)."""

from __future__ import annotations

import numbers

from ..autograd import Tensor
from .conv import _as_tensor, conv2d
from .padding import pad

__all__ = ["conv3d"]


def _triple(value, name: str, op: str, minimum: int) -> tuple:
    """An int or a 3-tuple of ints, each >= minimum, as (depth, height, width)."""
    t = (value,) * 3 if isinstance(value, numbers.Integral) else tuple(value) if isinstance(value, (tuple, list)) else ()
    if len(t) != 3 or not all(isinstance(v, numbers.Integral) and not isinstance(v, bool) for v in t):
        raise ValueError(f"{op}: {name} must be an int or a triple of ints, got {value!r}")
    if min(t) < minimum:
        raise ValueError(f"{op}: {name} must be {'positive' if minimum else 'non-negative'}, got {value!r}")
    return tuple(int(v) for v in t)


def conv3d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0, dilation=1,
           groups: int = 1) -> Tensor:
    """3-D cross-correlation, as PyTorch's conv3d.

    input: (N, C, D, H, W) (or unbatched (C, D, H, W)), weight: (O, C/groups, kd, kh, kw), bias: (O,) or None
    -> (N, O, OD, OH, OW), each size (n + 2p - d (k - 1) - 1) // s + 1; padding may be "valid" or "same"
    (stride 1; an odd excess pads the end, as PyTorch).

    >>> conv3d(gn.randn(2, 3, 5, 6, 6), gn.randn(4, 3, 3, 3, 3), padding=1).shape
    (2, 4, 5, 6, 6)
    """
    op = "conv3d"
    x, w = _as_tensor(input), _as_tensor(weight)
    if x.ndim == 4:  # unbatched (C, D, H, W)
        out = conv3d(x.reshape(1, *x.shape), w, bias, stride, padding, dilation, groups)
        return out.reshape(*out.shape[1:])
    if x.ndim != 5 or w.ndim != 5:
        raise ValueError(f"{op}: expected input (N, C, D, H, W) and weight (out, in/groups, kd, kh, kw), got input "
                         f"of shape {x.shape} and weight of shape {w.shape}")
    s, d = _triple(stride, "stride", op, 1), _triple(dilation, "dilation", op, 1)
    if isinstance(padding, str):
        if padding not in ("same", "valid"):
            raise ValueError(f"{op}: padding must be an int, a triple, 'same' or 'valid', got {padding!r}")
        if padding == "same" and s != (1, 1, 1):
            raise ValueError(f"{op}: padding='same' needs stride 1, got stride={stride!r}")
        total = [dd * (k - 1) if padding == "same" else 0 for k, dd in zip(w.shape[2:], d)]
        x = pad(x, (total[2] // 2, total[2] - total[2] // 2, total[1] // 2, total[1] - total[1] // 2,
                    total[0] // 2, total[0] - total[0] // 2))
        p = (0, 0, 0)
    else:
        p = _triple(padding, "padding", op, 0)
    if not isinstance(groups, numbers.Integral) or groups < 1 or w.shape[0] % groups:
        raise ValueError(f"{op}: groups must be a positive int dividing the weight's {w.shape[0]} output channels, "
                         f"got {groups!r}")
    if x.shape[1] != w.shape[1] * groups:
        raise ValueError(f"{op}: weight of shape {w.shape} with groups={groups} expects input with "
                         f"{w.shape[1] * groups} channels, got input of shape {x.shape}")
    if p[0]:
        x = pad(x, (0, 0, 0, 0, p[0], p[0]))
    n, c, depth = x.shape[:3]
    kd = w.shape[2]
    od = (depth - d[0] * (kd - 1) - 1) // s[0] + 1
    if od < 1:
        raise ValueError(f"{op}: input of shape {tuple(input.shape)} is shallower than the dilated kernel depth "
                         f"{d[0] * (kd - 1) + 1} after padding")
    out = None
    for u in range(kd):
        taps = x[:, :, u * d[0]:u * d[0] + s[0] * (od - 1) + 1:s[0]]  # (N, C, OD, H, W): depth u of every window
        flat = taps.permute(0, 2, 1, 3, 4).reshape(n * od, c, *x.shape[3:])
        y = conv2d(flat, w[:, :, u], None, s[1:], p[1:], d[1:], groups)
        out = y if out is None else out + y
    out = out.reshape(n, od, *out.shape[1:]).permute(0, 2, 1, 3, 4)
    if bias is not None:
        b = _as_tensor(bias)
        if b.shape != (w.shape[0],):
            raise ValueError(f"{op}: bias must have shape ({w.shape[0]},) for weight {w.shape}, got {b.shape}")
        out = out + b.reshape(-1, 1, 1, 1)
    return out
