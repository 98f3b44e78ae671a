"""Negative log-likelihood losses of two regression models, as torch.nn.functional's.

    poisson_nll_loss   target ~ Poisson(rate):  rate - target log(rate), with rate = exp(input) when log_input
    gaussian_nll_loss  target ~ N(input, var):  0.5 (log var + (input - target)^2 / var)

full=True adds the terms that do not depend on the prediction (Stirling's log(target!) for Poisson,
0.5 log(2 pi) for the Gaussian), so the value is the true negative log-likelihood.
"""

from __future__ import annotations

import math

from ..autograd import Function, where
from ._util import float_tensor
from .margin_losses import _reduce

__all__ = ["gaussian_nll_loss", "poisson_nll_loss"]


def poisson_nll_loss(input, target, log_input: bool = True, full: bool = False, size_average=None, eps: float = 1e-8,
                     reduce=None, reduction: str = "mean"):
    """input, target of one shape -> exp(input) - target * input (log_input) or input - target * log(input + eps).

    >>> F.poisson_nll_loss(gn.zeros(2), gn.ones(2)).item()
    1.0
    """
    x, t = float_tensor(input, "poisson_nll_loss"), float_tensor(target, "poisson_nll_loss")
    loss = x.exp() - t * x if log_input else x - t * (x + eps).log()
    if full:
        big = t.data > 1  # Stirling's approximation of log(t!) only for t > 1 (0 below, as PyTorch)
        ts = where(big, t, 1.0)  # a safe argument elsewhere, so log's gradient stays finite there
        loss = loss + where(big, ts * ts.log() - ts + (ts * (2 * math.pi)).log() * 0.5, 0.0)
    return _reduce(loss, reduction, "poisson_nll_loss")


class _ClampedVar(Function):
    """var clamped below at eps in the forward only (PyTorch clamps a copy under no_grad): the gradient passes."""

    saves = False

    def forward(self, var, eps):
        return var.clip(min=eps)

    def backward(self, g):
        return g


def gaussian_nll_loss(input, target, var, full: bool = False, eps: float = 1e-6, reduction: str = "mean"):
    """input (N, *), target like input, var like input, with one axis fewer, or a last axis of 1 (shared variance).

    >>> F.gaussian_nll_loss(gn.zeros(2), gn.zeros(2), gn.ones(2)).item()
    0.0
    """
    x, t, v = (float_tensor(a, "gaussian_nll_loss") for a in (input, target, var))
    if v.shape != x.shape:
        if v.shape == x.shape[:-1]:
            v = v.unsqueeze(-1)
        elif not (v.shape[:-1] == x.shape[:-1] and v.shape[-1:] == (1,)):
            raise ValueError(f"gaussian_nll_loss: var of shape {v.shape} does not fit input {x.shape}: give the "
                             "input's shape, one axis fewer, or a last axis of size 1")
    if (v.data < 0).any():
        raise ValueError("gaussian_nll_loss: var has negative entries")
    v = _ClampedVar.apply(v, eps=v.data.dtype.type(eps))
    loss = ((x - t) ** 2 / v + v.log()) * 0.5
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce(loss, reduction, "gaussian_nll_loss")
