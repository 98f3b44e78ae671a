"""unfold (im2col) and fold (col2im): sliding blocks of an image as columns, and columns summed back into an image.

    unfold: x (N, C, H, W) -> (N, C * kh * kw, L)      column l holds the block at the l-th window position
    fold:   (N, C * kh * kw, L) -> (N, C, H, W)        every column added back where its block came from

L is the number of window positions, prod over h, w of floor((n + 2p - d (k - 1) - 1) / s) + 1. The two are
each other's adjoint: the gradient of unfold is fold and back, one gather and one scatter-add through the
same index map (overlapping blocks add up in fold, as in PyTorch; fold(unfold(x)) is not x then).
"""

from __future__ import annotations

from .. import backend
from ..autograd import Function, Tensor
from ..backend import xp
from ._util import float_tensor
from .conv import _conv_args, _pair, conv_output_size
from .padding import pad

__all__ = ["fold", "unfold"]


def _block_index(c: int, hw: tuple, kernel: tuple, dilation: tuple, stride: tuple, out_hw: tuple):
    """(C * kh * kw, L) flat positions into a padded (C, H, W) image, rows in PyTorch's (c, u, v) order."""
    (kh, kw), (dh, dw), (sh, sw), (oh, ow) = kernel, dilation, stride, out_hw
    rows = (xp.arange(c)[:, None, None] * hw[0] + xp.arange(kh)[None, :, None] * dh) * hw[1] + \
        xp.arange(kw)[None, None, :] * dw
    cols = (xp.arange(oh)[:, None] * sh * hw[1] + xp.arange(ow)[None, :] * sw).reshape(-1)
    return rows.reshape(-1, 1) + cols[None, :]


class Unfold(Function):
    saves = False

    def forward(self, x, index):
        self.shape, self.index = x.shape, index
        return x.reshape(x.shape[0], -1)[:, index]

    def backward(self, g):
        return _scatter(g, self.index, self.shape)


class Fold(Function):
    saves = False

    def forward(self, cols, index, shape):
        self.index = index
        return _scatter(cols, index, shape)

    def backward(self, g):
        return g.reshape(g.shape[0], -1)[:, self.index]


def _scatter(cols, index, shape):
    out = backend.module_of(cols).zeros((shape[0], shape[1] * shape[2] * shape[3]), dtype=cols.dtype)
    for i in range(shape[0]):  # add.at over the flat image of one sample: repeated positions accumulate
        backend.scatter_add(out[i], index, cols[i])
    return out.reshape(shape)


def _geometry(op: str, hw: tuple, kernel_size, dilation, padding, stride) -> tuple:
    k = _pair(kernel_size, "kernel_size", op, 1)
    s, p, d = _conv_args(op, stride, padding, dilation)
    out_hw = tuple(conv_output_size(hw[i], k[i], s[i], p[i], d[i]) for i in range(2))
    if min(out_hw) < 1:
        raise ValueError(f"{op}: a {k[0]}x{k[1]} kernel (dilation {d}, padding {p}) does not fit a "
                         f"{hw[0]}x{hw[1]} image")
    return k, s, p, d, out_hw


def unfold(input: Tensor, kernel_size, dilation=1, padding=0, stride=1) -> Tensor:
    """Extract sliding blocks: (N, C, H, W) -> (N, C * kh * kw, L) (an unbatched (C, H, W) gives (C * kh * kw, L)).

    >>> F.unfold(gn.randn(2, 3, 5, 5), 3).shape
    (2, 27, 9)
    """
    x = float_tensor(input, "unfold")
    if x.ndim == 3:
        return unfold(x.unsqueeze(0), kernel_size, dilation, padding, stride)[0]
    if x.ndim != 4:
        raise ValueError(f"unfold: expected an input (N, C, H, W) or (C, H, W), got shape {x.shape}")
    k, s, p, d, out_hw = _geometry("unfold", x.shape[2:], kernel_size, dilation, padding, stride)
    if p != (0, 0):
        x = pad(x, (p[1], p[1], p[0], p[0]))
    return Unfold.apply(x, index=backend.like(_block_index(x.shape[1], x.shape[2:], k, d, s, out_hw), x.data))


def fold(input: Tensor, output_size, kernel_size, dilation=1, padding=0, stride=1) -> Tensor:
    """Sum blocks back into an image: (N, C * kh * kw, L) -> (N, C, *output_size) (unbatched: (C * kh * kw, L)).

    >>> F.fold(F.unfold(gn.ones(1, 1, 3, 3), 2), (3, 3), 2)[0, 0].tolist()
    [[1.0, 2.0, 1.0], [2.0, 4.0, 2.0], [1.0, 2.0, 1.0]]
    """
    cols = float_tensor(input, "fold")
    if cols.ndim == 2:
        return fold(cols.unsqueeze(0), output_size, kernel_size, dilation, padding, stride)[0]
    if cols.ndim != 3:
        raise ValueError(f"fold: expected an input (N, C * kh * kw, L) or (C * kh * kw, L), got shape {cols.shape}")
    hw = _pair(output_size, "output_size", "fold", 1)
    k, s, p, d, out_hw = _geometry("fold", hw, kernel_size, dilation, padding, stride)
    n, ckk, length = cols.shape
    if ckk % (k[0] * k[1]) or length != out_hw[0] * out_hw[1]:
        raise ValueError(f"fold: input {cols.shape} does not match a {k[0]}x{k[1]} kernel over output_size {hw}: "
                         f"expected (N, C * {k[0] * k[1]}, {out_hw[0] * out_hw[1]})")
    c, padded = ckk // (k[0] * k[1]), (hw[0] + 2 * p[0], hw[1] + 2 * p[1])
    out = Fold.apply(cols, index=backend.like(_block_index(c, padded, k, d, s, out_hw), cols.data), shape=(n, c, *padded))
    return pad(out, (-p[1], -p[1], -p[0], -p[0])) if p != (0, 0) else out
