"""2-D max and average pooling (NCHW): the idea in a few lines (max_pool2d_simple, avg_pool2d_simple),
then the fast kernels (max_pool2d, avg_pool2d).

For every kernel offset (u, v) the strided slice xpad[:, :, u::s, v::s] holds that element of
every window at once. Stack the kh*kw slices and a max (or mean) over the new axis is the pool:
that is the *_simple version, built from differentiable ops so autograd derives its backward.

The fast kernels (classes MaxPool2d, AvgPool2d) keep the slices as views, never stacking them: the
forward is kh*kw vectorised max/add calls and the backward kh*kw slice writes, run over batch
chunks on gradnote's thread pool (gradnote.cpu.parallel_for) when the input is large enough.

    max_pool2d: out = max over the window; the gradient goes to the arg-max only, and
                on ties to the first maximum in window order (row by row), as PyTorch; a NaN
                counts as the maximum (the last NaN of the window gets the gradient, as PyTorch).
    avg_pool2d: out = window sum / (kh*kw), padded zeros counted (count_include_pad=True).
"""

from __future__ import annotations

from .. import backend, cpu
from ..autograd import Function, Tensor, stack
from ..backend import xp
from .conv import _pair, conv_output_size
from .padding import pad

__all__ = ["avg_pool2d", "avg_pool2d_simple", "global_avg_pool2d", "max_pool2d", "max_pool2d_simple"]


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


def _windows_simple(op: str, x: Tensor, kernel_size, stride, padding, fill: float) -> Tensor:
    """Every window's elements along a new last axis: (N, C, OH, OW, kh*kw)."""
    k, s, p, out_hw = _pool_geometry(op, x.shape, kernel_size, stride, padding)
    xpad = pad(x, (p[1], p[1], p[0], p[0]), value=fill)
    return stack(_offset_views(xpad, k, s, out_hw), axis=-1)


def max_pool2d_simple(x: Tensor, kernel_size, stride=None, padding=0) -> Tensor:
    """max_pool2d from differentiable ops: the largest of each window's stacked elements (padding is -inf).

    x: (N, C, H, W) -> (N, C, OH, OW), stride defaulting to kernel_size.

    >>> max_pool2d_simple(gn.tensor([[[[1.0, 2.0], [4.0, 3.0]]]]), 2).item()
    4.0
    """
    return _windows_simple("max_pool2d_simple", x, kernel_size, stride, padding, -xp.inf).max(axis=-1)


def avg_pool2d_simple(x: Tensor, kernel_size, stride=None, padding=0) -> Tensor:
    """avg_pool2d from differentiable ops: the mean of each window's stacked elements, padded zeros counted.

    x: (N, C, H, W) -> (N, C, OH, OW), stride defaulting to kernel_size.

    >>> avg_pool2d_simple(gn.tensor([[[[1.0, 2.0], [4.0, 3.0]]]]), 2).item()
    2.5
    """
    return _windows_simple("avg_pool2d_simple", x, kernel_size, stride, padding, 0.0).mean(axis=-1)


def _padded(x, padding, fill):
    ph, pw = padding
    if not (ph or pw):
        return x
    n, c, h, w = x.shape
    out = backend.module_of(x).full((n, c, h + 2 * ph, w + 2 * pw), fill, dtype=x.dtype)
    out[:, :, ph:ph + h, pw:pw + w] = x
    return out


def _unpadded(a, padding, shape):
    ph, pw = padding
    return a[:, :, ph:ph + shape[2], pw:pw + shape[3]]


# A chunk of the batch goes to another thread only with at least this many input elements: below it
# the hand-off costs more than the second core gains. Tests set it to 0 to run the threaded path.
PARALLEL_MIN_ELEMENTS = 50_000


def _min_chunk(shape) -> int:
    return -(-PARALLEL_MIN_ELEMENTS // max(1, shape[1] * shape[2] * shape[3]))


class MaxPool2d(Function):
    def forward(self, x, kernel, stride, padding, out_hw):
        xpad = _padded(x, padding, -xp.inf)
        out = backend.module_of(x).empty(x.shape[:2] + out_hw, dtype=x.dtype)

        def chunk(i, j):
            views = _offset_views(xpad[i:j], kernel, stride, out_hw)
            if len(views) == 1:
                out[i:j] = views[0]
                return
            xp.maximum(views[0], views[1], out=out[i:j])
            for v in views[2:]:
                xp.maximum(out[i:j], v, out=out[i:j])

        cpu.parallel_for(chunk, x.shape[0], _min_chunk(xpad.shape), like=x)
        self.xpad, self.out, self.geom = xpad, out, (x.shape, kernel, stride, padding, out_hw)
        return out

    def backward(self, g):
        shape, kernel, stride, padding, out_hw = self.geom
        xpad, out = self.xpad, self.out
        disjoint = stride[0] >= kernel[0] and stride[1] >= kernel[1]
        # disjoint windows tiling the whole input write every element once: no zero fill needed
        tiled = disjoint and stride == kernel and padding == (0, 0) and \
            (out_hw[0] * kernel[0], out_hw[1] * kernel[1]) == tuple(xpad.shape[2:])
        m = backend.module_of(g)
        dpad = (m.empty if tiled else m.zeros)(xpad.shape, dtype=g.dtype)
        # an all -inf window equals its -inf padding: PyTorch's scan starts at the first real element
        real = None
        if padding != (0, 0) and bool(xp.isneginf(out).any()):
            real = _offset_views(_padded(m.ones(shape[2:], dtype=bool)[None, None], padding, False),
                                 kernel, stride, out_hw)

        def chunk(i, j):
            self._backward_chunk(xpad[i:j], out[i:j], g[i:j], dpad[i:j], real, disjoint)

        cpu.parallel_for(chunk, shape[0], _min_chunk(xpad.shape), like=g)
        return _unpadded(dpad, padding, shape)

    def _backward_chunk(self, xpad, out, g, dpad, real, disjoint):
        _, kernel, stride, _, out_hw = self.geom
        x_views, d_views = _offset_views(xpad, kernel, stride, out_hw), _offset_views(dpad, kernel, stride, out_hw)
        free = None  # windows whose gradient is still unclaimed: it goes to the first maximum only
        for k, (x_view, d_view) in enumerate(zip(x_views, d_views)):
            hit = x_view == out  # never true in a NaN window
            if real is not None:
                hit &= real[k]
            if free is not None:
                hit &= free
            if disjoint:
                xp.multiply(g, hit, out=d_view)
            else:
                d_view += g * hit
            if k + 1 < len(x_views):
                free = ~hit if free is None else xp.greater(free, hit, out=free)  # free and not hit
        nan_out = xp.isnan(out)
        if nan_out.any():
            # PyTorch's scan takes every NaN it meets as the new maximum: the last NaN in the window wins
            free = nan_out
            for x_view, d_view in zip(reversed(x_views), reversed(d_views)):
                hit = xp.isnan(x_view) & free
                d_view += g * hit
                free &= ~hit


class AvgPool2d(Function):
    def forward(self, x, kernel, stride, padding, out_hw):
        xpad = _padded(x, padding, 0)
        out = backend.module_of(x).empty(x.shape[:2] + out_hw, dtype=x.dtype)
        scale = out.dtype.type(1.0 / (kernel[0] * kernel[1]))

        def chunk(i, j):
            views = _offset_views(xpad[i:j], kernel, stride, out_hw)
            o = out[i:j]
            o[...] = views[0]
            for v in views[1:]:
                o += v
            o *= scale

        cpu.parallel_for(chunk, x.shape[0], _min_chunk(xpad.shape), like=x)
        self.geom = (x.shape, kernel, stride, padding, out_hw)
        return out

    def backward(self, g):
        shape, kernel, stride, padding, out_hw = self.geom
        (ph, pw), (n, c, h, w) = padding, shape
        dpad = backend.module_of(g).zeros((n, c, h + 2 * ph, w + 2 * pw), dtype=g.dtype)
        scale = g.dtype.type(1.0 / (kernel[0] * kernel[1]))

        def chunk(i, j):
            share = g[i:j] * scale
            for d_view in _offset_views(dpad[i:j], kernel, stride, out_hw):
                d_view += share

        cpu.parallel_for(chunk, n, _min_chunk(dpad.shape), like=g)
        return _unpadded(dpad, padding, shape)


def _ceil_geometry(op: str, shape: tuple, kernel_size, stride, padding, ceil_mode: bool) -> tuple:
    """_pool_geometry plus PyTorch's ceil_mode: the output size rounds up, but the last window must
    start inside the input or its left padding; `extra` is how far that window hangs past the padding."""
    k, s, p, out = _pool_geometry(op, shape, kernel_size, stride, padding)
    if not ceil_mode:
        return k, s, p, out, (0, 0)
    out, extra = list(out), [0, 0]
    for i in range(2):
        n = shape[2 + i]
        o = -(-(n + 2 * p[i] - k[i]) // s[i]) + 1
        if (o - 1) * s[i] >= n + p[i]:
            o -= 1
        out[i], extra[i] = o, max(0, (o - 1) * s[i] + k[i] - (n + 2 * p[i]))
    return k, s, p, tuple(out), tuple(extra)


def max_pool2d(input: Tensor, kernel_size, stride=None, padding=0, dilation=1, ceil_mode: bool = False,
               return_indices: bool = False) -> Tensor:
    """Max over kh x kw windows. x: (N, C, H, W) -> (N, C, OH, OW), stride defaults to kernel_size.

    Padding (at most half the kernel) is with -inf, so it never wins. ceil_mode rounds the output
    size up (a last, partial window), as PyTorch. return_indices=True also returns the int64 position of
    each maximum in its (H * W) plane (the first one in the window; F.max_unpool2d's input). dilation is not
    supported.

    >>> max_pool2d(gn.randn(8, 6, 28, 28), 2).shape
    (8, 6, 14, 14)
    >>> max_pool2d(gn.randn(1, 1, 5, 5), 2, ceil_mode=True).shape
    (1, 1, 3, 3)
    """
    x = input
    if dilation not in (1, (1, 1)):
        raise NotImplementedError(f"max_pool2d: dilation={dilation!r} is not supported (only dilation=1)")
    k, s, p, out_hw, extra = _ceil_geometry("max_pool2d", x.shape, kernel_size, stride, padding, ceil_mode)
    plane = x.shape[2:]
    if any(extra):  # the overhang is -inf, like the padding: it never wins
        x = pad(x, (0, extra[1], 0, extra[0]), value=-xp.inf)
    out = MaxPool2d.apply(x, kernel=k, stride=s, padding=p, out_hw=out_hw)
    if not return_indices:
        return out
    return out, Tensor._wrap(_argmax_positions(x.data, out.data, plane, k, s, p, out_hw))


def _argmax_positions(x, out, plane: tuple, kernel, stride, padding, out_hw):
    """For each window, the flat (H * W) position of its first element equal to the maximum (padding never)."""
    mod = backend.module_of(x)
    pos = mod.full(x.shape[2:], -1, dtype=mod.int64)
    pos[:plane[0], :plane[1]] = mod.arange(plane[0] * plane[1]).reshape(plane)
    pos_views = _offset_views(_padded(pos[None, None], padding, -1), kernel, stride, out_hw)
    idx = mod.full(out.shape, -1, dtype=mod.int64)
    nan_out = mod.isnan(out)
    for x_view, p_view in zip(_offset_views(_padded(x, padding, -mod.inf), kernel, stride, out_hw), pos_views):
        hit = ((x_view == out) | (mod.isnan(x_view) & nan_out)) & (p_view >= 0) & (idx < 0)
        idx = mod.where(hit, p_view, idx)
    return idx


def _window_counts(n: int, k: int, s: int, p: int, out: int, include_pad: bool):
    """Elements per window along one axis: clipped to the padded input, or to the input alone."""
    start = xp.arange(out) * s
    end = xp.minimum(start + k, n + (2 * p if include_pad else p))
    return end - (start if include_pad else xp.maximum(start, p))


def avg_pool2d(input: Tensor, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
               count_include_pad: bool = True, divisor_override: int | None = None) -> Tensor:
    """Mean over kh x kw windows. x: (N, C, H, W) -> (N, C, OH, OW).

    The divisor is the window size counting padded zeros (count_include_pad=True, PyTorch's
    default) or only the real elements (False), or `divisor_override`. With ceil_mode a last,
    partial window is added; its divisor leaves out the part past the padding, as PyTorch.

    >>> avg_pool2d(gn.ones(1, 1, 4, 4), 2, padding=1)[0, 0, 0, 0].item()   # 1 real value of 4
    0.25
    >>> avg_pool2d(gn.ones(1, 1, 4, 4), 2, padding=1, count_include_pad=False)[0, 0, 0, 0].item()
    1.0
    """
    x = input
    k, s, p, out_hw, extra = _ceil_geometry("avg_pool2d", x.shape, kernel_size, stride, padding, ceil_mode)
    if divisor_override is not None and (not isinstance(divisor_override, int) or divisor_override < 1):
        raise ValueError(f"avg_pool2d: divisor_override must be a positive int, got {divisor_override!r}")
    if any(extra):
        x = pad(x, (0, extra[1], 0, extra[0]))
    out = AvgPool2d.apply(x, kernel=k, stride=s, padding=p, out_hw=out_hw)
    if divisor_override is not None:
        count = xp.asarray(divisor_override)
    elif count_include_pad and not any(extra):
        return out
    else:
        count = xp.multiply.outer(*[_window_counts(input.shape[2 + i], k[i], s[i], p[i], out_hw[i], count_include_pad)
                                    for i in range(2)])
    return out * backend.like((count.dtype.type(k[0] * k[1]) / count).astype(out.dtype), out.data)


def global_avg_pool2d(x: Tensor) -> Tensor:
    """Mean over the whole image: x (N, C, H, W) -> (N, C).

    >>> global_avg_pool2d(gn.ones(8, 16, 7, 7)).shape
    (8, 16)
    """
    if x.ndim != 4:
        raise ValueError(f"global_avg_pool2d: expected a 4-D input (N, C, H, W), got input of shape {x.shape}")
    return x.mean(axis=(2, 3))


# ----- adaptive pooling: a fixed output size whatever the input size ------------------------------------
__all__ += ["adaptive_avg_pool1d", "adaptive_avg_pool2d", "adaptive_max_pool1d", "adaptive_max_pool2d",
            "avg_pool1d", "max_pool1d"]


def _adaptive_sizes(op: str, shape: tuple, output_size) -> tuple:
    """output_size as (OH, OW): an int, or a pair where None keeps that input size."""
    if len(shape) != 4:
        raise ValueError(f"{op}: expected a 4-D input (N, C, H, W) or (C, H, W), got input of shape {tuple(shape)}")
    pair = (output_size, output_size) if not isinstance(output_size, (tuple, list)) else tuple(output_size)
    if len(pair) != 2:
        raise ValueError(f"{op}: output_size must be an int or a pair, got {output_size!r}")
    out = tuple(shape[2 + i] if v is None else v for i, v in enumerate(pair))
    if not all(isinstance(v, int) and not isinstance(v, bool) and v >= 1 for v in out):
        raise ValueError(f"{op}: output_size must hold positive ints (or None), got {output_size!r}")
    if 0 in shape[2:]:
        raise ValueError(f"{op}: input of shape {tuple(shape)} has an empty spatial axis")
    return out


def _adaptive_windows(n: int, out: int) -> list:
    """PyTorch's windows: i -> [floor(i n / out), ceil((i + 1) n / out)), covering 0..n-1 (overlapping if needed)."""
    return [(i * n // out, -(-(i + 1) * n // out)) for i in range(out)]


def _averaging_matrix(n: int, out: int, dtype):
    """(out, n) matrix whose row i averages window i, so mean over a rectangle is A_h x A_w^T."""
    a = xp.zeros((out, n), dtype=dtype)
    for i, (lo, hi) in enumerate(_adaptive_windows(n, out)):
        a[i, lo:hi] = 1.0 / (hi - lo)
    return a


def adaptive_avg_pool2d(input: Tensor, output_size) -> Tensor:
    """Mean over PyTorch's adaptive windows: (N, C, H, W) -> (N, C, OH, OW) for any H, W.

    Window i along an axis of length L spans [floor(i L / out), ceil((i + 1) L / out)). The mean
    over a rectangle separates into a row and a column average: out = A_h x A_w^T.

    >>> adaptive_avg_pool2d(gn.randn(2, 8, 13, 9), (7, None)).shape
    (2, 8, 7, 9)
    """
    x = input
    if x.ndim == 3:  # unbatched (C, H, W)
        return adaptive_avg_pool2d(x.reshape(1, *x.shape), output_size).reshape(x.shape[0], *_adaptive_sizes(
            "adaptive_avg_pool2d", (1, *x.shape), output_size))
    oh, ow = _adaptive_sizes("adaptive_avg_pool2d", x.shape, output_size)
    h, w = x.shape[2:]
    if (oh, ow) == (1, 1):
        return x.mean(axis=(2, 3), keepdims=True)
    a_h = Tensor._wrap(backend.like(_averaging_matrix(h, oh, x.dtype), x.data))
    a_wt = Tensor._wrap(backend.like(_averaging_matrix(w, ow, x.dtype).T.copy(), x.data))
    return a_h @ x @ a_wt


def _adaptive_argmax(x, out_hw):
    """Position (in the H * W plane) of each adaptive window's maximum: (N, C, OH, OW) int64."""
    n, c, h, w = x.shape
    m = backend.module_of(x)
    idx = m.empty((n, c, *out_hw), dtype=xp.int64)
    plane = m.arange(h * w).reshape(h, w)
    for i, (h0, h1) in enumerate(_adaptive_windows(h, out_hw[0])):
        for j, (w0, w1) in enumerate(_adaptive_windows(w, out_hw[1])):
            window = x[:, :, h0:h1, w0:w1].reshape(n, c, -1)
            # argmax takes the first maximum in row order (and the first NaN), as PyTorch's scan
            idx[:, :, i, j] = plane[h0:h1, w0:w1].reshape(-1)[window.argmax(axis=-1)]
    return idx


class GatherPlane(Function):
    """out[n, c, i, j] = x[n, c].flat[idx[n, c, i, j]]; the backward adds into the picked positions."""

    def forward(self, x, idx):
        n, c = x.shape[:2]
        self.shape, self.idx = x.shape, idx
        return xp.take_along_axis(x.reshape(n, c, -1), idx.reshape(n, c, -1), axis=-1).reshape(idx.shape)

    def backward(self, g):
        n, c = self.shape[:2]
        m = backend.module_of(g)
        gx = m.zeros((n * c, int(xp.prod(self.shape[2:]))), dtype=g.dtype)
        backend.scatter_add(gx, (m.arange(n * c)[:, None], self.idx.reshape(n * c, -1)), g.reshape(n * c, -1))  # overlaps
        return gx.reshape(self.shape)


def adaptive_max_pool2d(input: Tensor, output_size, return_indices: bool = False):
    """Max over PyTorch's adaptive windows (see adaptive_avg_pool2d): (N, C, H, W) -> (N, C, OH, OW).

    return_indices=True also returns the int64 position of each maximum in its (H * W) plane.

    >>> adaptive_max_pool2d(gn.randn(2, 3, 10, 10), 4).shape
    (2, 3, 4, 4)
    """
    x = input
    if x.ndim == 3:
        out = adaptive_max_pool2d(x.reshape(1, *x.shape), output_size, return_indices)
        return tuple(o.reshape(*o.shape[1:]) for o in out) if return_indices else out.reshape(*out.shape[1:])
    idx = _adaptive_argmax(x.data, _adaptive_sizes("adaptive_max_pool2d", x.shape, output_size))
    out = GatherPlane.apply(x, idx=idx)
    return (out, Tensor._wrap(idx)) if return_indices else out


# ----- 1-D pooling: the 2-D pools over a height-1 image --------------------------------------------------
def _as_2d(op: str, x: Tensor) -> Tensor:
    if x.ndim not in (2, 3):
        raise ValueError(f"{op}: expected a 3-D input (N, C, L) or 2-D (C, L), got input of shape {x.shape}")
    return x.reshape(*x.shape[:-1], 1, x.shape[-1])


def _from_2d(out: Tensor) -> Tensor:
    return out.reshape(*out.shape[:-2], out.shape[-1])


def _one(value, name: str, op: str):
    if isinstance(value, (tuple, list)):
        if len(value) != 1:
            raise ValueError(f"{op}: {name} must be an int or a 1-tuple, got {value!r}")
        value = value[0]
    return value


def max_pool1d(input: Tensor, kernel_size, stride=None, padding=0, dilation=1, ceil_mode: bool = False,
               return_indices: bool = False) -> Tensor:
    """Max over windows of k steps: (N, C, L) -> (N, C, L_out) (see max_pool2d).

    >>> max_pool1d(gn.randn(4, 3, 20), 2).shape
    (4, 3, 10)
    """
    k, s, p = (_one(v, n, "max_pool1d") for v, n in ((kernel_size, "kernel_size"), (stride, "stride"),
                                                       (padding, "padding")))
    out = max_pool2d(_as_2d("max_pool1d", input), (1, k), None if s is None else (1, s), (0, p),
                     _one(dilation, "dilation", "max_pool1d"), ceil_mode, return_indices)
    return tuple(_from_2d(o) for o in out) if return_indices else _from_2d(out)


def avg_pool1d(input: Tensor, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
               count_include_pad: bool = True) -> Tensor:
    """Mean over windows of k steps: (N, C, L) -> (N, C, L_out) (see avg_pool2d).

    >>> avg_pool1d(gn.ones(1, 1, 4), 2, padding=1).tolist()
    [[[0.5, 1.0, 0.5]]]
    """
    k, s, p = (_one(v, n, "avg_pool1d") for v, n in ((kernel_size, "kernel_size"), (stride, "stride"),
                                                       (padding, "padding")))
    return _from_2d(avg_pool2d(_as_2d("avg_pool1d", input), (1, k), None if s is None else (1, s), (0, p),
                               ceil_mode, count_include_pad))


def adaptive_avg_pool1d(input: Tensor, output_size) -> Tensor:
    """Mean over PyTorch's adaptive windows along L: (N, C, L) -> (N, C, output_size).

    >>> adaptive_avg_pool1d(gn.randn(2, 3, 11), 4).shape
    (2, 3, 4)
    """
    return _from_2d(adaptive_avg_pool2d(_as_2d("adaptive_avg_pool1d", input),
                                        (1, _one(output_size, "output_size", "adaptive_avg_pool1d"))))


def adaptive_max_pool1d(input: Tensor, output_size, return_indices: bool = False):
    """Max over PyTorch's adaptive windows along L: (N, C, L) -> (N, C, output_size).

    >>> adaptive_max_pool1d(gn.randn(2, 3, 11), 4).shape
    (2, 3, 4)
    """
    out = adaptive_max_pool2d(_as_2d("adaptive_max_pool1d", input),
                              (1, _one(output_size, "output_size", "adaptive_max_pool1d")), return_indices)
    return tuple(_from_2d(o) for o in out) if return_indices else _from_2d(out)
