"""2-D convolution (NCHW): the idea in a few lines (conv2d_simple), then the fast kernel (conv2d).

    out[n, o, i, j] = b[o] + sum_{c, u, v} w[o, c, u, v] * xpad[n, g*C/G + c, i*s + u*d, j*s + v*d]

for the group g that output channel o belongs to. Read as linear algebra: cut the (C/G, kh, kw)
patch under every output position out of the zero-padded input, lay the patches out as the rows
of a matrix ("im2col"), and one matrix product with the filters (O, C/G * kh * kw) gives every
output at once. conv2d_simple is exactly that, built from differentiable ops (slicing, stack,
linear), so autograd derives its backward; the tests hold the fast kernel against it.

The fast kernel (class Conv2d) does the same product with three tricks:
- The patches are read through one strided view of the padded input and copied once into a
  reused buffer; the backward's scatter (col2im) is one slice add per kernel offset.
- The padded input is stored with an extra zero row and each image's rows are read as one flat
  line: a kernel offset (u, v) is then the flat slice starting at u*d*Wp + v*d with step s, so the
  copies and adds run over long contiguous lines. The price is a few "garbage" output columns per
  row (positions that wrap past the right edge), which the forward crops away and the backward
  feeds zeros.
- The batch is split into chunks run on gradnote's thread pool (gradnote.cpu.parallel_for), each
  chunk doing its own copies, GEMMs and slice adds with one BLAS thread (small convolutions stay on
  the calling thread), and each chunk into blocks of images whose columns fit in about 1 MiB: they
  are still in cache when the GEMM reads them, and memory stays small whatever the batch size.
"""

from __future__ import annotations

import math
import numbers
import threading

from .. import backend, cpu
from ..autograd import Function, Tensor, concat, stack
from ..backend import xp
from .linear import linear
from .padding import pad

__all__ = ["conv1d", "conv2d", "conv2d_simple", "conv_output_size", "conv_transpose2d"]


def conv_output_size(n: int, kernel: int, stride: int = 1, padding: int = 0, dilation: int = 1) -> int:
    """Output length along one axis: floor((n + 2p - d(k-1) - 1) / s) + 1.

    >>> conv_output_size(39, 5, stride=2)
    18
    """
    return (n + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1


def conv2d_simple(x: Tensor, w: Tensor, b: Tensor | None = None, stride=1, padding=0, dilation=1,
                  groups: int = 1) -> Tensor:
    """conv2d as im2col + linear, from differentiable ops: the definition, slow but obviously right.

    x: (N, C, H, W), w: (O, C/groups, kh, kw), b: (O,) or None -> (N, O, OH, OW); int or pair
    stride/padding/dilation as conv2d.

    >>> conv2d_simple(gn.randn(2, 3, 8, 8), gn.randn(4, 3, 3, 3), padding=1).shape
    (2, 4, 8, 8)
    """
    x, w = _as_tensor(x), _as_tensor(w)
    (sh, sw), (ph, pw), (dh, dw) = _conv_args("conv2d_simple", stride, padding, dilation)
    n, _, h, wd = x.shape
    o, cg, kh, kw = w.shape
    oh, ow = conv_output_size(h, kh, sh, ph, dh), conv_output_size(wd, kw, sw, pw, dw)
    xpad = pad(x, (pw, pw, ph, ph))
    # the slice for kernel offset (u, v) holds element (u, v) of every patch at once: (N, C, OH, OW)
    taps = [xpad[:, :, u * dh:u * dh + sh * (oh - 1) + 1:sh, v * dw:v * dw + sw * (ow - 1) + 1:sw]
            for u in range(kh) for v in range(kw)]
    # patches as rows, features ordered (c, u, v) like a flattened filter: (N, G, OH*OW, C/G * kh * kw)
    cols = stack(taps, axis=2).reshape(n, groups, cg * kh * kw, oh * ow).permute(0, 1, 3, 2)
    og = o // groups
    out = concat([linear(cols[:, g], w[g * og:(g + 1) * og].reshape(og, cg * kh * kw)) for g in range(groups)], axis=2)
    out = out.permute(0, 2, 1).reshape(n, o, oh, ow)
    return out if b is None else out + _as_tensor(b).reshape(o, 1, 1)


def _pair(value, name: str, op: str, minimum: int) -> tuple[int, int]:
    """An int or a pair of ints, each >= minimum, as a (height, width) tuple."""
    pair = (value, value) if isinstance(value, numbers.Integral) else tuple(value) if isinstance(value, (tuple, list)) else None
    if pair is None or len(pair) != 2 or not all(isinstance(v, numbers.Integral) and not isinstance(v, bool) for v in pair):
        raise ValueError(f"{op}: {name} must be an int or a pair of ints, got {value!r}")
    if min(pair) < minimum:
        bound = "positive" if minimum == 1 else "non-negative"
        raise ValueError(f"{op}: {name} must be {bound}, got {value!r}")
    return int(pair[0]), int(pair[1])


def _conv_args(op: str, stride, padding, dilation) -> tuple:
    return (_pair(stride, "stride", op, 1), _pair(padding, "padding", op, 0), _pair(dilation, "dilation", op, 1))


def check_conv_input(op: str, x_shape: tuple, w_shape: tuple, stride, padding, dilation, groups: int) -> None:
    """Raise ValueError naming `op` when x (N, C, H, W) cannot be convolved with w (O, C/groups, kh, kw)."""
    if len(x_shape) != 4:
        raise ValueError(f"{op}: expected a 4-D input (N, C, H, W), got input of shape {tuple(x_shape)}")
    if len(w_shape) != 4:
        raise ValueError(f"{op}: expected a 4-D weight (out, in/groups, kh, kw), got shape {tuple(w_shape)}")
    if not isinstance(groups, numbers.Integral) or groups < 1:
        raise ValueError(f"{op}: groups must be a positive int, got {groups!r}")
    out_ch, in_per_group, kh, kw = w_shape
    if out_ch % groups:
        raise ValueError(f"{op}: weight has {out_ch} output channels, not divisible by groups={groups}")
    if x_shape[1] != in_per_group * groups:
        raise ValueError(
            f"{op}: expected input with {in_per_group * groups} channels, got input of shape {tuple(x_shape)}"
        )
    (_sh, _sw), (ph, pw), (dh, dw) = stride, padding, dilation
    ekh, ekw = dh * (kh - 1) + 1, dw * (kw - 1) + 1
    if x_shape[2] + 2 * ph < ekh or x_shape[3] + 2 * pw < ekw:
        raise ValueError(
            f"{op}: input of shape {tuple(x_shape)} is smaller than the dilated kernel {ekh}x{ekw} after padding"
        )


def _strided(base, shape: tuple, strides: tuple, offset: int = 0):
    """A view of the contiguous array `base` with the given shape and byte strides, starting `offset` elements in
    (bounds-checked by NumPy; ~10x cheaper per call than numpy.lib.stride_tricks.as_strided)."""
    return xp.ndarray(shape, base.dtype, base, offset * base.itemsize, strides)


_SCRATCH = threading.local()


def _scratch(name: str, shape: tuple, dtype):
    """A reusable work array (contents undefined) for arrays that never leave one forward/backward.

    Fresh multi-megabyte arrays cost page faults on every call; reusing a few buffers
    (at most 16 MiB each, one per name, shape and dtype, per thread) avoids that.
    """
    size = math.prod(shape) * xp.dtype(dtype).itemsize
    if size > 16 * 2**20:
        return xp.empty(shape, dtype=dtype)
    cache = getattr(_SCRATCH, "buffers", None)
    if cache is None:
        cache = _SCRATCH.buffers = {}
    key = (name, tuple(shape), xp.dtype(dtype))
    buf = cache.pop(key, None)
    if buf is None:
        buf = xp.empty(shape, dtype=dtype)
        if len(cache) >= 12:
            cache.pop(next(iter(cache)))
    cache[key] = buf  # most recently used last
    return buf


def _sum(parts: list):
    """The sum of a list of arrays (into the first), None for a list of Nones."""
    total = parts[0]
    for part in parts[1:] if total is not None else ():
        total += part
    return total


COLUMN_BLOCK_BYTES = 1 << 20

# A chunk of the batch goes to another thread only with at least this many multiply-adds: below it
# the hand-off costs more than the second core gains. Tests set it to 0 to run the threaded path.
PARALLEL_MIN_MACS = 400_000


class Conv2d(Function):
    """Fused conv2d over batch chunks: forward one GEMM per group over the im2col matrix, backward two GEMMs
    and kh*kw slice adds.

    Layout per chunk: large images (>= 512 positions per image) multiply image by image, batch axis
    first, writing NCHW directly; small ones multiply once over all the chunk's images (channel-major
    columns), where per-image GEMMs would be too small to run at full speed.
    """

    def forward(self, x, w, *b, stride, padding, dilation, groups):
        (sh, sw), (ph, pw), (dh, dw) = stride, padding, dilation
        n, c, h, wd = x.shape
        o, cg, kh, kw = w.shape
        dtype = xp.result_type(x, w)
        hp = h + 2 * ph
        wp = -(-(wd + 2 * pw) // sw) * sw  # a multiple of sw, so rows coalesce into one line
        oh = conv_output_size(h, kh, sh, ph, dh)
        ow = conv_output_size(wd, kw, sw, pw, dw)
        wq = wp // sw  # output columns per row including the wrapped ones
        self.dtype, self.batch_first = dtype, oh * wq >= 512
        self.geom = (x.shape, x.dtype, w.dtype, (hp, wp, oh, ow, wq), (kh, kw), stride, padding, dilation, groups)
        self.min_chunk = -(-PARALLEL_MIN_MACS // max(1, o * cg * kh * kw * oh * ow))
        # images per block: one block's columns fit in about 1 MiB, so they are still in cache when the GEMM
        # reads them, and the work buffers stay small whatever the batch size
        self.block = max(1, COLUMN_BLOCK_BYTES // (c * kh * kw * oh * wq * xp.dtype(dtype).itemsize))
        wmat = w.astype(dtype, copy=False).reshape(groups, o // groups, cg * kh * kw)
        xpad = xp.zeros((n, c, hp + 1, wp), dtype=dtype)  # +1 row: wrapped reads stay in bounds
        out = xp.empty((n, o, oh, ow), dtype=dtype)
        bias = b[0].astype(dtype, copy=False).reshape(o, 1, 1) if b else None

        def block(i, j):
            xpad[i:j, :, ph:ph + h, pw:pw + wd] = x[i:j]
            cols = self._im2col(xpad[i:j])
            if self.batch_first:
                res = xp.matmul(wmat, cols).reshape(j - i, o, oh, wq)
            else:
                res = xp.matmul(wmat, cols).reshape(o, j - i, oh, wq).transpose(1, 0, 2, 3)
            # crop the wrapped columns, adding the bias in the same pass
            if bias is None:
                out[i:j] = res[..., :ow]
            else:
                xp.add(res[..., :ow], bias, out=out[i:j])

        cpu.parallel_for(lambda i, j: [block(a, min(a + self.block, j)) for a in range(i, j, self.block)],
                         n, self.min_chunk)
        # keep the small padded input, not the kh*kw times larger column matrix: backward rebuilds it
        self.xpad = xpad if self.needs[1] else None
        self.wmat = wmat if self.needs[0] else None
        return out

    def _im2col(self, xpad):
        """The column matrix of a chunk of images, wrapped columns included, in a reused buffer:
        (N, groups, C/groups * kh * kw, OH * Wq) batch first, else (groups, C/groups * kh * kw, N * OH * Wq).
        Row and column of a kernel offset are one contiguous line when the stride is 1: the copy runs over
        OH * Wq elements at a time, 2-4x faster than over the OW of an unwrapped row."""
        _, _, _, (_hp, wp, oh, _ow, wq), (kh, kw), (sh, sw), _, (dh, dw), groups = self.geom
        n, c = xpad.shape[:2]
        cg = c // groups
        it = xpad.itemsize
        sn, sc = xpad.strides[:2]
        taps, pos = (dh * wp * it, dw * it), (sh * wp * it, sw * it)
        if self.batch_first:
            shape, strides = (n, groups, cg, kh, kw, oh, wq), (sn, cg * sc, sc, *taps, *pos)
        else:
            shape, strides = (groups, cg, kh, kw, n, oh, wq), (cg * sc, sc, *taps, sn, *pos)
        cols = _scratch("cols", shape, xpad.dtype)
        cols[...] = _strided(xpad, shape, strides)
        if self.batch_first:
            return cols.reshape(n, groups, cg * kh * kw, oh * wq)
        return cols.reshape(groups, cg * kh * kw, n * oh * wq)

    def backward(self, g):
        (n, c, h, wd), xdt, wdt, _, (kh, kw), _, _, _, groups = self.geom
        o = g.shape[1]
        gb = g.sum(axis=(0, 2, 3)) if len(self.needs) > 2 and self.needs[2] else None
        gx = xp.empty((n, c, h, wd), dtype=xdt) if self.needs[0] else None
        if gx is None and self.xpad is None:  # only the bias needs a gradient
            return None, None, gb
        def chunk(i, j):  # this chunk's weight gradient, summed over its blocks
            parts = [self._backward_block(g, gx, a, min(a + self.block, j)) for a in range(i, j, self.block)]
            return _sum(parts)

        gw = _sum(cpu.parallel_for(chunk, n, self.min_chunk))
        if gw is not None:
            gw = gw.reshape(o, c // groups, kh, kw).astype(wdt, copy=False)
        return gx, gw, gb

    def _backward_block(self, g, gx, i, j):
        """Write images i:j of the input gradient into gx (when needed); return this chunk's weight gradient."""
        (_n, c, h, wd), _, _, (hp, wp, oh, ow, wq), (kh, kw), (sh, sw), (ph, pw), (dh, dw), groups = self.geom
        o, nb, batch_first = g.shape[1], j - i, self.batch_first
        g, xpad = g[i:j], None if self.xpad is None else self.xpad[i:j]
        gw = None
        if batch_first:
            gmat = _scratch("gmat", (nb, o, oh, wq), self.dtype)
            gmat[..., ow:] = 0  # wrapped columns get zero gradient
            gmat[..., :ow] = g
            gmat = gmat.reshape(nb, groups, o // groups, oh * wq)
        else:
            gmat = _scratch("gmat", (o, nb, oh, wq), self.dtype)
            gmat[..., ow:] = 0
            gmat[..., :ow] = g.transpose(1, 0, 2, 3)
            gmat = gmat.reshape(groups, o // groups, nb * oh * wq)
        if xpad is not None:
            cols = self._im2col(xpad)
            if batch_first:
                gw = xp.matmul(gmat, cols.swapaxes(-1, -2)).sum(axis=0)
            else:  # (cols @ gmat^T)^T, not gmat @ cols^T: the same product, ~2x faster in OpenBLAS for these shapes
                gw = (cols @ gmat.swapaxes(-1, -2)).swapaxes(-1, -2)
        if gx is not None:
            dcols = _scratch("cols", gmat.shape[:-2] + (c // groups * kh * kw, gmat.shape[-1]), self.dtype)
            xp.matmul(self.wmat.swapaxes(-1, -2), gmat, out=dcols)
            # one slice add per kernel offset into the padded gradient, (N, C, ...) or (C, N, ...) like the columns
            lead = (nb, c) if batch_first else (c, nb)
            dpad = _scratch("dpad", lead + ((hp + 1) * wp,), self.dtype)
            dpad.fill(0)
            dcols = dcols.reshape((nb, c, kh * kw, oh, wq) if batch_first else (c, kh * kw, nb, oh, wq))
            it = dpad.itemsize
            s0, s1 = dpad.strides[:2]
            for u in range(kh):
                for v in range(kw):
                    view = _strided(dpad, lead + (oh, wq), (s0, s1, sh * wp * it, sw * it), u * dh * wp + v * dw)
                    view += dcols[:, :, u * kw + v] if batch_first else dcols[:, u * kw + v]
            crop = dpad.reshape(lead + (hp + 1, wp))[:, :, ph:ph + h, pw:pw + wd]
            gx[i:j] = crop if batch_first else crop.transpose(1, 0, 2, 3)
        return gw


def _same_padding(op: str, padding, kernel: tuple, stride: tuple, dilation) -> tuple:
    """PyTorch's padding="valid" (none) and "same" (output size = input size, stride 1 only) as
    (symmetric padding per axis, extra padding at the end of each axis) for an odd dilated kernel excess."""
    if padding == "valid":
        return (0,) * len(kernel), (0,) * len(kernel)
    if padding != "same":
        raise ValueError(f"{op}: padding must be an int, a tuple of ints, 'same' or 'valid', got {padding!r}")
    if any(s != 1 for s in stride):
        raise ValueError(f"{op}: padding='same' needs stride 1, got stride={stride}")
    total = [d * (k - 1) for k, d in zip(kernel, dilation)]
    return tuple(t // 2 for t in total), tuple(t % 2 for t in total)


def conv2d(x: Tensor, w: Tensor, b: Tensor | None = None, stride=1, padding=0, dilation=1,
           groups: int = 1) -> Tensor:
    """2-D cross-correlation, as PyTorch's conv2d.

    x: (N, C, H, W) (or unbatched (C, H, W)), w: (O, C/groups, kh, kw), b: (O,) or None -> (N, O, OH, OW)
    with OH = conv_output_size(H, kh, stride, padding, dilation) (likewise OW). stride, padding
    and dilation are ints or (height, width) pairs; padding may also be "valid" (0) or "same"
    (output as large as the input, stride 1; an odd excess pads the bottom/right one more, as PyTorch).

    >>> conv2d(gn.randn(8, 3, 32, 32), gn.randn(16, 3, 5, 5), padding=2).shape
    (8, 16, 32, 32)
    """
    x, w = _as_tensor(x), _as_tensor(w)
    if x.ndim == 3:  # unbatched (C, H, W)
        out = conv2d(x.reshape(1, *x.shape), w, b, stride, padding, dilation, groups)
        return out.reshape(*out.shape[1:])
    if isinstance(padding, str):
        s, d = _pair(stride, "stride", "conv2d", 1), _pair(dilation, "dilation", "conv2d", 1)
        padding, extra = _same_padding("conv2d", padding, tuple(w.shape[2:]) if w.ndim == 4 else (1, 1), s, d)
        if any(extra):
            x = pad(x, (0, extra[1], 0, extra[0]))
    stride, padding, dilation = _conv_args("conv2d", stride, padding, dilation)
    check_conv_input("conv2d", x.shape, w.shape, stride, padding, dilation, groups)
    if not backend.is_host(x.data):  # CuPy: the fused kernel's strided views and thread chunks are host-only;
        return conv2d_simple(x, w, b, stride, padding, dilation, groups)  # its definition is one GEMM per group
    if b is not None:
        b = _as_tensor(b)
        if b.shape != (w.shape[0],):
            raise ValueError(f"conv2d: bias must have shape ({w.shape[0]},) for weight {w.shape}, got {b.shape}")
        return Conv2d.apply(x, w, b, stride=stride, padding=padding, dilation=dilation, groups=int(groups))
    return Conv2d.apply(x, w, stride=stride, padding=padding, dilation=dilation, groups=int(groups))


def _single(value, name: str, op: str, minimum: int) -> int:
    """An int or a 1-tuple of an int, >= minimum (the 1-D spelling of _pair)."""
    if isinstance(value, (tuple, list)) and len(value) == 1:
        value = value[0]
    if not isinstance(value, numbers.Integral) or isinstance(value, bool):
        raise ValueError(f"{op}: {name} must be an int or a 1-tuple of an int, got {value!r}")
    return _pair(value, name, op, minimum)[0]


def conv1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0, dilation=1,
           groups: int = 1) -> Tensor:
    """1-D cross-correlation, as PyTorch's conv1d: conv2d over a height-1 image.

    input: (N, C, L) (or unbatched (C, L)), weight: (O, C/groups, k), bias: (O,) or None -> (N, O, L_out),
    L_out = conv_output_size(L, k, stride, padding, dilation); padding may be "same" or "valid".

    >>> conv1d(gn.randn(4, 3, 50), gn.randn(8, 3, 5), padding="same").shape
    (4, 8, 50)
    """
    x, w = _as_tensor(input), _as_tensor(weight)
    if x.ndim == 2:  # unbatched (C, L)
        out = conv1d(x.reshape(1, *x.shape), w, bias, stride, padding, dilation, groups)
        return out.reshape(*out.shape[1:])
    if x.ndim != 3 or w.ndim != 3:
        raise ValueError(f"conv1d: expected input (N, C, L) and weight (out, in/groups, k), got input of shape "
                         f"{x.shape} and weight of shape {w.shape}")
    s, d = _single(stride, "stride", "conv1d", 1), _single(dilation, "dilation", "conv1d", 1)
    p = padding if isinstance(padding, str) else (0, _single(padding, "padding", "conv1d", 0))
    if x.shape[1] != w.shape[1] * groups:
        raise ValueError(f"conv1d: weight {w.shape} with groups={groups} expects input with {w.shape[1] * groups} "
                         f"channels, got input of shape {x.shape}")
    out = conv2d(x.reshape(x.shape[0], x.shape[1], 1, x.shape[2]), w.reshape(w.shape[0], w.shape[1], 1, w.shape[2]),
                 bias, (1, s), p, (1, d), groups)
    return out.reshape(out.shape[0], out.shape[1], out.shape[3])


class ConvTranspose2d(Function):
    """The adjoint of conv2d: each input pixel scatters a weighted kernel into the output.

    forward: cols = W^T x (one GEMM per group), then kh*kw strided slice adds into the canvas
             (col2im), cropped by `padding`; backward: the canvas gradient's strided patches
             (im2col) give gx = W cols and gw = x cols^T.
    """

    def forward(self, x, w, *b, stride, padding, output_padding, dilation, groups):
        (sh, sw), (ph, pw), (dh, dw) = stride, padding, dilation
        n, cin, h, wd = x.shape
        _, cog, kh, kw = w.shape
        dtype = xp.result_type(x, w)
        hf = (h - 1) * sh + dh * (kh - 1) + 1 + output_padding[0]
        wf = (wd - 1) * sw + dw * (kw - 1) + 1 + output_padding[1]
        self.geom = (x.shape, x.dtype, w.shape, w.dtype, (hf, wf), stride, padding, dilation, groups)
        wmat = w.astype(dtype, copy=False).reshape(groups, cin // groups, cog * kh * kw)
        xmat = x.astype(dtype, copy=False).reshape(n, groups, cin // groups, h * wd)
        cols = xp.matmul(wmat.swapaxes(-1, -2), xmat).reshape(n, groups * cog, kh, kw, h, wd)
        canvas = backend.module_of(x).zeros((n, groups * cog, hf, wf), dtype=dtype)
        for u, v, view in self._windows(canvas):
            view += cols[:, :, u, v]
        out = canvas[:, :, ph:hf - ph, pw:wf - pw]
        if b:
            out = out + b[0].astype(dtype, copy=False).reshape(-1, 1, 1)
        self.wmat = wmat if self.needs[0] else None
        self.xmat = xmat if self.needs[1] else None
        return backend.module_of(out).ascontiguousarray(out)

    def _windows(self, canvas):
        """(u, v, view) per kernel offset: view[n, c, i, j] = canvas[n, c, i*sh + u*dh, j*sw + v*dw]."""
        (h, wd), (kh, kw) = self.geom[0][2:], self.geom[2][2:]
        (sh, sw), (dh, dw) = self.geom[5], self.geom[7]
        for u in range(kh):
            for v in range(kw):
                yield u, v, canvas[:, :, u * dh:u * dh + sh * (h - 1) + 1:sh, v * dw:v * dw + sw * (wd - 1) + 1:sw]

    def backward(self, g):
        x_shape, xdt, w_shape, wdt, (hf, wf), _, (ph, pw), _, groups = self.geom
        n, cin, h, wd = x_shape
        _, cog, kh, kw = w_shape
        m = backend.module_of(g)
        canvas = m.zeros((n, g.shape[1], hf, wf), dtype=g.dtype)
        canvas[:, :, ph:hf - ph, pw:wf - pw] = g
        cols = m.empty((n, g.shape[1], kh, kw, h, wd), dtype=g.dtype)
        for u, v, view in self._windows(canvas):
            cols[:, :, u, v] = view
        cols = cols.reshape(n, groups, cog * kh * kw, h * wd)
        gx = xp.matmul(self.wmat, cols).reshape(x_shape).astype(xdt, copy=False) if self.needs[0] else None
        gw = None
        if self.needs[1]:
            gw = xp.matmul(self.xmat, cols.swapaxes(-1, -2)).sum(axis=0).reshape(w_shape).astype(wdt, copy=False)
        gb = g.sum(axis=(0, 2, 3)) if len(self.needs) > 2 and self.needs[2] else None
        return gx, gw, gb


def conv_transpose2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0,
                     output_padding=0, groups: int = 1, dilation=1) -> Tensor:
    """Transposed 2-D convolution ("deconvolution"), the gradient of conv2d with respect to its input.

    input: (N, C_in, H, W) (or unbatched), weight: (C_in, C_out/groups, kh, kw) (PyTorch's layout),
    bias: (C_out,) -> (N, C_out, OH, OW), OH = (H - 1) s - 2p + d (kh - 1) + output_padding + 1.
    output_padding (< stride or < dilation) picks among the input sizes a strided conv2d maps to H.

    >>> conv_transpose2d(gn.randn(2, 8, 7, 7), gn.randn(8, 4, 4, 4), stride=2, padding=1).shape
    (2, 4, 14, 14)
    """
    x, w = _as_tensor(input), _as_tensor(weight)
    op = "conv_transpose2d"
    if x.ndim == 3:
        out = conv_transpose2d(x.reshape(1, *x.shape), w, bias, stride, padding, output_padding, groups, dilation)
        return out.reshape(*out.shape[1:])
    stride, padding, dilation = _conv_args(op, stride, padding, dilation)
    output_padding = _pair(output_padding, "output_padding", op, 0)
    if x.ndim != 4 or w.ndim != 4:
        raise ValueError(f"{op}: expected input (N, C_in, H, W) and weight (C_in, C_out/groups, kh, kw), got input "
                         f"of shape {x.shape} and weight of shape {w.shape}")
    if not isinstance(groups, numbers.Integral) or groups < 1 or w.shape[0] % groups:
        raise ValueError(f"{op}: groups must be a positive int dividing the weight's {w.shape[0]} input channels, "
                         f"got {groups!r}")
    if x.shape[1] != w.shape[0]:
        raise ValueError(f"{op}: weight of shape {w.shape} expects input with {w.shape[0]} channels, got input of "
                         f"shape {x.shape}")
    for op_, s_, d_ in zip(output_padding, stride, dilation):
        if op_ >= max(s_, d_):
            raise ValueError(f"{op}: output_padding must be smaller than stride or dilation, got "
                             f"output_padding={output_padding}, stride={stride}, dilation={dilation}")
    out_hw = [(x.shape[2 + i] - 1) * stride[i] - 2 * padding[i] + dilation[i] * (w.shape[2 + i] - 1)
              + output_padding[i] + 1 for i in range(2)]
    if min(out_hw) < 1:
        raise ValueError(f"{op}: padding={padding} leaves an empty output ({out_hw[0]}x{out_hw[1]}) for input of "
                         f"shape {x.shape} and kernel {tuple(w.shape[2:])}")
    opts = {"stride": stride, "padding": padding, "output_padding": output_padding, "dilation": dilation,
            "groups": int(groups)}
    if bias is not None:
        bias = _as_tensor(bias)
        if bias.shape != (w.shape[1] * groups,):
            raise ValueError(f"{op}: bias must have shape ({w.shape[1] * groups},) for weight {w.shape} and "
                             f"groups={groups}, got {bias.shape}")
        return ConvTranspose2d.apply(x, w, bias, **opts)
    return ConvTranspose2d.apply(x, w, **opts)


def _as_tensor(a) -> Tensor:
    return a if isinstance(a, Tensor) else Tensor._wrap(backend.asarray(a))
