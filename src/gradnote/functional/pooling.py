"""2-D max and average pooling (NCHW), each one Function with a loop over the kh*kw window offsets.

For every kernel offset (u, v) the strided slice xpad[:, :, u::s, v::s] holds that
element of every window at once, so the forward is kh*kw vectorised max/add calls and
the backward kh*kw slice writes, whatever the batch and image size.

    max_pool2d: out = max over the window; the gradient goes to the arg-max only, and
                on ties to the first maximum in window order (row by row), as PyTorch.
    avg_pool2d: out = window sum / (kh*kw), padded zeros counted (count_include_pad=True).
"""

from __future__ import annotations

from ..autograd import Function, Tensor
from ..backend import xp
from .conv import _pair, conv_output_size

__all__ = ["avg_pool2d", "global_avg_pool2d", "max_pool2d"]


def _pool_geometry(op: str, shape: tuple, kernel_size, stride, padding) -> tuple:
    if len(shape) != 4:
        raise ValueError(f"{op}: expected a 4-D input (N, C, H, W), got input of shape {tuple(shape)}")
    k = _pair(kernel_size, "kernel_size", op, 1)
    s = k if stride is None else _pair(stride, "stride", op, 1)
    p = _pair(padding, "padding", op, 0)
    if p[0] > k[0] // 2 or p[1] > k[1] // 2:
        raise ValueError(f"{op}: padding must be at most half the kernel size, got padding={padding!r} "
                         f"for kernel_size={kernel_size!r}")
    if shape[2] + 2 * p[0] < k[0] or shape[3] + 2 * p[1] < k[1]:
        raise ValueError(f"{op}: input of shape {tuple(shape)} is smaller than the kernel "
                         f"{k[0]}x{k[1]} after padding")
    out = (conv_output_size(shape[2], k[0], s[0], p[0]), conv_output_size(shape[3], k[1], s[1], p[1]))
    return k, s, p, out


def _offset_views(a, kernel, stride, out_hw) -> list:
    """One strided view per kernel offset, in window order: view[u*kw + v][n, c, i, j] = a[n, c, i*sh + u, j*sw + v]."""
    (kh, kw), (sh, sw), (oh, ow) = kernel, stride, out_hw
    return [a[:, :, u:u + sh * (oh - 1) + 1:sh, v:v + sw * (ow - 1) + 1:sw] for u in range(kh) for v in range(kw)]


def _padded(x, padding, fill):
    ph, pw = padding
    if not (ph or pw):
        return x
    n, c, h, w = x.shape
    out = xp.full((n, c, h + 2 * ph, w + 2 * pw), fill, dtype=x.dtype)
    out[:, :, ph:ph + h, pw:pw + w] = x
    return out


def _unpadded(a, padding, shape):
    ph, pw = padding
    return a[:, :, ph:ph + shape[2], pw:pw + shape[3]]


class MaxPool2d(Function):
    def forward(self, x, kernel, stride, padding, out_hw):
        xpad = _padded(x, padding, -xp.inf)
        views = _offset_views(xpad, kernel, stride, out_hw)
        out = xp.maximum(views[0], views[1]) if len(views) > 1 else views[0].copy()
        for v in views[2:]:
            xp.maximum(out, v, out=out)
        self.xpad, self.out, self.geom = xpad, out, (x.shape, kernel, stride, padding, out_hw)
        return out

    def backward(self, g):
        shape, kernel, stride, padding, out_hw = self.geom
        xpad, out = self.xpad, self.out
        disjoint = stride[0] >= kernel[0] and stride[1] >= kernel[1]
        # disjoint windows tiling the whole input write every element once: no zero fill needed
        tiled = disjoint and stride == kernel and padding == (0, 0) and \
            (out_hw[0] * kernel[0], out_hw[1] * kernel[1]) == tuple(xpad.shape[2:])
        dpad = (xp.empty if tiled else xp.zeros)(xpad.shape, dtype=g.dtype)
        has_nan = bool(xp.isnan(out).any())
        views = list(zip(_offset_views(xpad, kernel, stride, out_hw), _offset_views(dpad, kernel, stride, out_hw)))
        free = None  # windows whose gradient is still unclaimed: it goes to the first maximum only
        for k, (x_view, d_view) in enumerate(views):
            hit = x_view == out
            if has_nan:
                hit |= xp.isnan(x_view)
            if free is not None:
                hit &= free
            if disjoint:
                xp.multiply(g, hit, out=d_view)
            else:
                d_view += g * hit
            if k + 1 < len(views):
                free = ~hit if free is None else xp.greater(free, hit, out=free)  # free and not hit
        return _unpadded(dpad, padding, shape)


class AvgPool2d(Function):
    def forward(self, x, kernel, stride, padding, out_hw):
        views = _offset_views(_padded(x, padding, 0), kernel, stride, out_hw)
        out = views[0].copy()
        for v in views[1:]:
            out += v
        out *= out.dtype.type(1.0 / (kernel[0] * kernel[1]))
        self.geom = (x.shape, kernel, stride, padding, out_hw)
        return out

    def backward(self, g):
        shape, kernel, stride, padding, out_hw = self.geom
        (ph, pw), (n, c, h, w) = padding, shape
        dpad = xp.zeros((n, c, h + 2 * ph, w + 2 * pw), dtype=g.dtype)
        share = g * g.dtype.type(1.0 / (kernel[0] * kernel[1]))
        for d_view in _offset_views(dpad, kernel, stride, out_hw):
            d_view += share
        return _unpadded(dpad, padding, shape)


def max_pool2d(x: Tensor, kernel_size, stride=None, padding=0) -> Tensor:
    """Max over kh x kw windows. x: (N, C, H, W) -> (N, C, OH, OW), stride defaults to kernel_size.

    Padding (at most half the kernel) is with -inf, so it never wins.

    >>> max_pool2d(gn.randn(8, 6, 28, 28), 2).shape
    (8, 6, 14, 14)
    """
    k, s, p, out_hw = _pool_geometry("max_pool2d", x.shape, kernel_size, stride, padding)
    return MaxPool2d.apply(x, kernel=k, stride=s, padding=p, out_hw=out_hw)


def avg_pool2d(x: Tensor, kernel_size, stride=None, padding=0) -> Tensor:
    """Mean over kh x kw windows, counting padded zeros. x: (N, C, H, W) -> (N, C, OH, OW).

    >>> avg_pool2d(gn.ones(1, 1, 4, 4), 2, padding=1)[0, 0, 0, 0].item()   # 1 real value of 4
    0.25
    """
    k, s, p, out_hw = _pool_geometry("avg_pool2d", x.shape, kernel_size, stride, padding)
    return AvgPool2d.apply(x, kernel=k, stride=s, padding=p, out_hw=out_hw)


def global_avg_pool2d(x: Tensor) -> Tensor:
    """Mean over the whole image: x (N, C, H, W) -> (N, C).

    >>> global_avg_pool2d(gn.ones(8, 16, 7, 7)).shape
    (8, 16)
    """
    if x.ndim != 4:
        raise ValueError(f"global_avg_pool2d: expected a 4-D input (N, C, H, W), got input of shape {x.shape}")
    return x.mean(axis=(2, 3))
