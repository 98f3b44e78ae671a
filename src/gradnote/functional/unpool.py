"""max_unpool: the partial inverse of max pooling, each pooled value put back where its maximum was.

    input (N, C, OH, OW), indices (N, C, OH, OW) from max_pool2d(..., return_indices=True) -> (N, C, H, W)

Every other position is zero. The gradient reads the output gradient back at the same positions.
"""

from __future__ import annotations

from .. import backend
from ..autograd import Function, Tensor
from ..backend import xp
from ._util import float_tensor
from .conv import _pair

__all__ = ["max_unpool1d", "max_unpool2d"]


class MaxUnpool(Function):
    saves = False

    def forward(self, x, index, plane):
        self.index = index.reshape(*index.shape[:2], -1)
        out = backend.module_of(x).zeros((*x.shape[:2], plane[0] * plane[1]), dtype=x.dtype)
        xp.put_along_axis(out, self.index, x.reshape(self.index.shape), axis=2)
        return out.reshape(*x.shape[:2], *plane)

    def backward(self, g):
        return xp.take_along_axis(g.reshape(*g.shape[:2], -1), self.index, axis=2)


def _unpool_size(op: str, in_hw: tuple, kernel_size, stride, padding, output_size) -> tuple:
    k = _pair(kernel_size, "kernel_size", op, 1)
    s = k if stride is None else _pair(stride, "stride", op, 1)
    p = _pair(padding, "padding", op, 0)
    default = tuple((in_hw[i] - 1) * s[i] - 2 * p[i] + k[i] for i in range(2))
    if output_size is None:
        return default
    size = tuple(int(n) for n in output_size)[-2:]
    for i in range(2):
        if not default[i] - s[i] < size[i] < default[i] + s[i]:
            raise ValueError(f"{op}: output_size {size} is not reachable from input {in_hw} with kernel {k}, "
                             f"stride {s}, padding {p}: each size must lie within stride of {default}")
    return size


def max_unpool2d(input: Tensor, indices: Tensor, kernel_size, stride=None, padding=0, output_size=None) -> Tensor:
    """(N, C, OH, OW) values and flat (H * W) indices -> (N, C, H, W), H = (OH - 1) * stride - 2 * padding + kernel.

    >>> y, i = F.max_pool2d(gn.tensor([[[[1.0, 2.0], [4.0, 3.0]]]]), 2, return_indices=True)
    >>> F.max_unpool2d(y, i, 2)[0, 0].tolist()
    [[0.0, 0.0], [4.0, 0.0]]
    """
    x = float_tensor(input, "max_unpool2d")
    index = indices.data if isinstance(indices, Tensor) else backend.asarray(indices)
    if backend.cupy_loaded():  # the indices are an option, outside Function.apply's device check
        index = backend.same_device("max_unpool2d", [x.data, index])[1]
    if x.ndim == 3:
        return max_unpool2d(x.unsqueeze(0), index[None], kernel_size, stride, padding, output_size)[0]
    if x.ndim != 4 or index.shape != x.shape or index.dtype.kind not in "iu":
        raise ValueError(f"max_unpool2d: expected input (N, C, OH, OW) and integer indices of the same shape, got "
                         f"{x.shape} and {index.shape} ({index.dtype})")
    plane = _unpool_size("max_unpool2d", x.shape[2:], kernel_size, stride, padding, output_size)
    if index.size and (index.min() < 0 or index.max() >= plane[0] * plane[1]):
        raise IndexError(f"max_unpool2d: indices must lie in [0, {plane[0] * plane[1]}) for an output plane "
                         f"{plane}, got values in [{int(index.min())}, {int(index.max())}]")
    return MaxUnpool.apply(x, index=index.astype(xp.int64, copy=False), plane=plane)


def max_unpool1d(input: Tensor, indices: Tensor, kernel_size, stride=None, padding=0, output_size=None) -> Tensor:
    """(N, C, OL) values and indices from max_pool1d(..., return_indices=True) -> (N, C, L).

    >>> F.max_unpool1d(gn.ones(1, 1, 2), gn.tensor([[[1, 2]]]), 2).tolist()
    [[[0.0, 1.0, 1.0, 0.0]]]
    """
    x = float_tensor(input, "max_unpool1d")
    index = indices.data if isinstance(indices, Tensor) else xp.asarray(indices)
    size = None if output_size is None else (1, tuple(output_size)[-1])
    out = max_unpool2d(x.unsqueeze(-2), index[..., None, :], (1, _pair(kernel_size, "kernel_size", "max_unpool1d", 1)[0]),
                       None if stride is None else (1, _pair(stride, "stride", "max_unpool1d", 1)[0]),
                       (0, _pair(padding, "padding", "max_unpool1d", 0)[0]), size)
    return out.squeeze(-2)
