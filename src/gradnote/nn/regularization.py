"""Weight penalties to add to a loss: L1 (sparse weights) and L2 (small weights).

    loss = F.cross_entropy(model(x), y) + 1e-4 * nn.l2_penalty(model.parameters())

L2 in the loss is what ``weight_decay`` does inside SGD/Adam (the gradient gains
2 * lambda * w here, lambda' * w there, so weight_decay = 2 * lambda). L1's gradient
lambda * sign(w) pushes small weights to exactly zero.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..autograd import Function, Tensor
from ..backend import xp

__all__ = ["l1_penalty", "l2_penalty"]


class Penalty(Function):
    """sum over all inputs of sum|w| (kind "l1") or sum w^2 (kind "l2"); one node for all parameters."""

    def forward(self, *weights, kind):
        self.weights, self.kind = weights, kind
        dtype = xp.result_type(*weights)
        if kind == "l1":
            total = sum(float(xp.abs(w).sum(dtype=xp.float64)) for w in weights)
        else:
            total = sum(float(xp.vdot(w, w)) for w in weights)
        return xp.asarray(total, dtype=dtype)

    def backward(self, g):
        if self.kind == "l1":
            # sign(0) = 0: the subgradient PyTorch's abs uses
            return tuple(g * xp.sign(w) if need else None for w, need in zip(self.weights, self.needs))
        return tuple(g * 2 * w if need else None for w, need in zip(self.weights, self.needs))


def _penalty(name: str, params, kind: str) -> Tensor:
    if isinstance(params, Tensor):
        params = [params]
    params = list(params)
    for p in params:
        if not isinstance(p, Tensor):
            raise TypeError(f"{name}: expected tensors (e.g. model.parameters()), got {type(p).__name__}")
        if p.data.dtype.kind != "f":
            raise TypeError(f"{name}: expected floating-point tensors, got {p.data.dtype}")
    if not params:
        raise ValueError(f"{name}: got no parameters (an empty iterable; was model.parameters() used up?)")
    return Penalty.apply(*params, kind=kind)


def l1_penalty(params: Tensor | Iterable[Tensor]) -> Tensor:
    """sum_i sum |w_i| over every tensor in ``params``: a scalar tensor with gradient sign(w).

    >>> l1_penalty([gn.tensor([1.0, -2.0]), gn.tensor([3.0])]).item()
    6.0
    """
    return _penalty("l1_penalty", params, "l1")


def l2_penalty(params: Tensor | Iterable[Tensor]) -> Tensor:
    """sum_i sum w_i^2 over every tensor in ``params`` (no 1/2): a scalar tensor with gradient 2w.

    >>> l2_penalty([gn.tensor([1.0, -2.0]), gn.tensor([3.0])]).item()
    14.0
    """
    return _penalty("l2_penalty", params, "l2")
