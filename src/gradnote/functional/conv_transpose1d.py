"""F.conv_transpose1d: the transposed 1-D convolution, the 2-D one over a height-1 image."""

from __future__ import annotations

from ..autograd import Tensor
from .conv import _as_tensor, _single, conv_transpose2d

__all__ = ["conv_transpose1d"]


def conv_transpose1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0,
                     output_padding=0, groups: int = 1, dilation=1) -> Tensor:
    """Transposed 1-D convolution, the gradient of conv1d with respect to its input.

    input: (N, C_in, L) (or unbatched (C_in, L)), weight: (C_in, C_out/groups, k) (PyTorch's layout),
    bias: (C_out,) -> (N, C_out, L_out), L_out = (L - 1) s - 2p + d (k - 1) + output_padding + 1.

    >>> conv_transpose1d(gn.randn(2, 8, 7), gn.randn(8, 4, 4), stride=2, padding=1).shape
    (2, 4, 14)
    """
    op = "conv_transpose1d"
    x, w = _as_tensor(input), _as_tensor(weight)
    if x.ndim == 2:  # unbatched (C_in, L)
        out = conv_transpose1d(x.reshape(1, *x.shape), w, bias, stride, padding, output_padding, groups, dilation)
        return out.reshape(*out.shape[1:])
    if x.ndim != 3 or w.ndim != 3:
        raise ValueError(f"{op}: expected input (N, C_in, L) and weight (C_in, C_out/groups, k), got input of shape "
                         f"{x.shape} and weight of shape {w.shape}")
    s, p, d = (_single(v, name, op, low) for v, name, low in ((stride, "stride", 1), (padding, "padding", 0),
                                                             (dilation, "dilation", 1)))
    o = _single(output_padding, "output_padding", op, 0)
    out = conv_transpose2d(x.reshape(x.shape[0], x.shape[1], 1, x.shape[2]),
                           w.reshape(w.shape[0], w.shape[1], 1, w.shape[2]), bias, (1, s), (0, p), (0, o), groups,
                           (1, d))
    return out.reshape(out.shape[0], out.shape[1], out.shape[3])
