"""The affine map y = x W^T + b: the weighted sum of the perceptron, batched.

One fused op (not matmul + add): the MLP's hot path, so its backward skips the input
gradient when the input does not need one (the network's data never does).
"""

from __future__ import annotations

from ..autograd import Function, Tensor
from ._util import float_tensor

__all__ = ["linear"]


class Linear(Function):
    def forward(self, x, w, b=None):
        self.in_shape = x.shape
        x2 = x.reshape(-1, x.shape[-1]) if x.ndim != 2 else x  # leading axes fold into one batch axis
        out = x2 @ w.T
        if b is not None:
            if b.dtype == out.dtype:
                out += b
            else:
                out = out + b
        self.x2, self.w = x2, w
        return out.reshape(*x.shape[:-1], w.shape[0]) if x.ndim != 2 else out

    def backward(self, g):
        g2 = g.reshape(-1, g.shape[-1]) if g.ndim != 2 else g
        gx = gw = gb = None
        if self.needs[0]:
            gx = (g2 @ self.w).reshape(self.in_shape)
        if self.needs[1]:
            gw = g2.T @ self.x2
        if len(self.needs) > 2 and self.needs[2]:
            gb = g2.sum(axis=0)
        return gx, gw, gb


def linear(x: Tensor, w: Tensor, b: Tensor | None = None) -> Tensor:
    """y = x @ w.T + b.

    x: (..., in), w: (out, in), b: (out,) or None -> y: (..., out). Any leading batch axes.

    >>> linear(gn.ones(2, 3), gn.ones(4, 3)).shape
    (2, 4)
    """
    x, w = float_tensor(x, "linear"), float_tensor(w, "linear")
    if w.ndim != 2:
        raise ValueError(f"linear: weight must be 2-D (out_features, in_features), got shape {w.shape}")
    if x.ndim == 0 or x.shape[-1] != w.shape[1]:
        raise ValueError(f"linear: input of shape {x.shape} does not match weight of shape {w.shape}: "
                         f"expected {w.shape[1]} features in the last dimension")
    if b is None:
        return Linear.apply(x, w)
    b = float_tensor(b, "linear")
    if b.shape != (w.shape[0],):
        raise ValueError(f"linear: bias must have shape ({w.shape[0]},) to match weight {w.shape}, got {b.shape}")
    return Linear.apply(x, w, b)
