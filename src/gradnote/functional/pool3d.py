"""F.max_pool3d / F.avg_pool3d: a box window is a depth interval times a plane window, so each is the 2-D pool
over every depth slice (depth folded into the batch) followed by the max / sum over the depth interval; the
average's divisor factorises the same way (depth count times the 2-D pool's own)."""

from __future__ import annotations

from ..autograd import Tensor
from ..autograd.shape import stack
from .conv3d import _triple
from .pooling import avg_pool2d, max_pool2d

__all__ = ["avg_pool3d", "max_pool3d"]


def _depth_windows(op: str, depth: int, k: int, s: int, p: int, ceil_mode: bool) -> list:
    """(first, stop, size with padding, size without) of each output depth's window, as PyTorch sizes them."""
    if p > k // 2:
        raise ValueError(f"{op}: padding must be at most half the kernel size, got padding {p} for kernel {k}")
    span = depth + 2 * p - k
    if span < 0:
        raise ValueError(f"{op}: input depth {depth} is smaller than the kernel depth {k} after padding")
    out = (-(-span // s) if ceil_mode else span // s) + 1
    if ceil_mode and (out - 1) * s >= depth + p:  # the last window must start inside the input or left padding
        out -= 1
    windows = []
    for o in range(out):
        start = o * s - p
        stop_padded = min(start + k, depth + p)
        first, stop = max(start, 0), min(stop_padded, depth)
        windows.append((first, stop, stop_padded - start, stop - first))
    return windows


def _per_slice(x: Tensor, pool) -> Tensor:
    """pool over the (H, W) plane of every depth slice: (N, C, D, H, W) -> (N, D, C, OH, OW)."""
    n, c, d = x.shape[:3]
    y = pool(x.permute(0, 2, 1, 3, 4).reshape(n * d, c, *x.shape[3:]))
    return y.reshape(n, d, c, *y.shape[2:])


def _batched(op: str, x: Tensor):
    if x.ndim not in (4, 5):
        raise ValueError(f"{op}: expected input (N, C, D, H, W) or (C, D, H, W), got shape {tuple(x.shape)}")
    return (x.reshape(1, *x.shape), True) if x.ndim == 4 else (x, False)


def max_pool3d(input: Tensor, kernel_size, stride=None, padding=0, dilation=1, ceil_mode: bool = False,
               return_indices: bool = False) -> Tensor:
    """Max over kd x kh x kw boxes. x: (N, C, D, H, W) -> (N, C, OD, OH, OW), stride defaults to kernel_size.

    >>> max_pool3d(gn.randn(2, 3, 4, 6, 6), 2).shape
    (2, 3, 2, 3, 3)
    """
    op = "max_pool3d"
    if return_indices:
        raise NotImplementedError(f"{op}: return_indices=True is not supported (gradnote has 1-D and 2-D "
                                  "max_unpool only)")
    if dilation not in (1, (1, 1, 1)):
        raise NotImplementedError(f"{op}: dilation={dilation!r} is not supported (only dilation=1)")
    x, unbatched = _batched(op, input)
    k = _triple(kernel_size, "kernel_size", op, 1)
    s = k if stride is None else _triple(stride, "stride", op, 1)
    p = _triple(padding, "padding", op, 0)
    windows = _depth_windows(op, x.shape[2], k[0], s[0], p[0], ceil_mode)
    y = _per_slice(x, lambda t: max_pool2d(t, k[1:], s[1:], p[1:], ceil_mode=ceil_mode))
    out = stack([y[:, a:b].amax(dim=1) for a, b, _, _ in windows], dim=2)
    return out[0] if unbatched else out


def avg_pool3d(input: Tensor, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
               count_include_pad: bool = True, divisor_override: int | None = None) -> Tensor:
    """Mean over kd x kh x kw boxes. x: (N, C, D, H, W) -> (N, C, OD, OH, OW); the divisor counts padded zeros
    (count_include_pad=True), only the real elements (False), or is `divisor_override`, as PyTorch.

    >>> avg_pool3d(gn.ones(1, 1, 4, 4, 4), 2).tolist()[0][0][0][0]
    [1.0, 1.0]
    """
    op = "avg_pool3d"
    if divisor_override is not None and (not isinstance(divisor_override, int) or divisor_override < 1):
        raise ValueError(f"{op}: divisor_override must be a positive int, got {divisor_override!r}")
    x, unbatched = _batched(op, input)
    k = _triple(kernel_size, "kernel_size", op, 1)
    s = k if stride is None else _triple(stride, "stride", op, 1)
    p = _triple(padding, "padding", op, 0)
    windows = _depth_windows(op, x.shape[2], k[0], s[0], p[0], ceil_mode)
    plane_divisor = 1 if divisor_override else None  # with an override: plain sums, divided once at the end
    y = _per_slice(x, lambda t: avg_pool2d(t, k[1:], s[1:], p[1:], ceil_mode, count_include_pad, plane_divisor))
    outs = []
    for a, b, padded, real in windows:
        divisor = divisor_override or (padded if count_include_pad else real)
        outs.append(y[:, a:b].sum(dim=1) / divisor)
    out = stack(outs, dim=2)
    return out[0] if unbatched else out
