"""Margin, embedding and likelihood loss layers: module wrappers of gradnote.functional's (margin_losses,
likelihood_losses), with torch's constructor arguments; `loss_fn(input, ..., target)` -> Tensor."""

from __future__ import annotations

import numbers

from .. import functional as F
from .loss import _Loss, _WeightedLoss

__all__ = ["CosineEmbeddingLoss", "GaussianNLLLoss", "HingeEmbeddingLoss", "MarginRankingLoss", "MultiLabelMarginLoss",
           "MultiLabelSoftMarginLoss", "MultiMarginLoss", "PoissonNLLLoss", "SoftMarginLoss", "TripletMarginLoss"]


def _number(layer: str, name: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{layer}: {name} must be a number, got {value!r}")
    return float(value)


class _MarginLoss(_Loss):
    def __init__(self, margin: float = 0.0, size_average=None, reduce=None, reduction: str = "mean"):
        super().__init__(size_average, reduce, reduction)
        self.margin = _number(type(self).__name__, "margin", margin)


class MarginRankingLoss(_MarginLoss):
    """max(0, -y (x1 - x2) + margin) (F.margin_ranking_loss).

    >>> MarginRankingLoss()(gn.tensor([1.0]), gn.tensor([0.0]), gn.tensor([-1.0])).item()
    1.0
    """

    def forward(self, input1, input2, target):
        return F.margin_ranking_loss(input1, input2, target, self.margin, reduction=self.reduction)


class CosineEmbeddingLoss(_MarginLoss):
    """1 - cos(x1, x2) for y = 1, max(0, cos - margin) for y = -1 (F.cosine_embedding_loss).

    >>> CosineEmbeddingLoss()(gn.ones(1, 2), gn.ones(1, 2), gn.tensor([-1.0])).item()
    1.0
    """

    def forward(self, input1, input2, target):
        return F.cosine_embedding_loss(input1, input2, target, self.margin, reduction=self.reduction)


class HingeEmbeddingLoss(_MarginLoss):
    """x for y = 1, max(0, margin - x) for y = -1 (F.hinge_embedding_loss); margin defaults to 1.

    >>> HingeEmbeddingLoss()(gn.tensor([0.25]), gn.tensor([-1.0])).item()
    0.75
    """

    def __init__(self, margin: float = 1.0, size_average=None, reduce=None, reduction: str = "mean"):
        super().__init__(margin, size_average, reduce, reduction)

    def forward(self, input, target):
        return F.hinge_embedding_loss(input, target, self.margin, reduction=self.reduction)


class TripletMarginLoss(_MarginLoss):
    """max(0, d(a, p) - d(a, n) + margin) with the p-norm distance (F.triplet_margin_loss).

    >>> TripletMarginLoss()(gn.zeros(1, 2), gn.zeros(1, 2), gn.zeros(1, 2)).item()
    1.0
    """

    def __init__(self, margin: float = 1.0, p: float = 2.0, eps: float = 1e-6, swap: bool = False, size_average=None,
                 reduce=None, reduction: str = "mean"):
        super().__init__(margin, size_average, reduce, reduction)
        if _number("TripletMarginLoss", "p", p) <= 0:
            raise ValueError(f"TripletMarginLoss: p must be positive, got {p!r}")
        self.p, self.eps, self.swap = float(p), float(eps), bool(swap)

    def forward(self, anchor, positive, negative):
        return F.triplet_margin_loss(anchor, positive, negative, self.margin, self.p, self.eps, self.swap,
                                     reduction=self.reduction)


class SoftMarginLoss(_Loss):
    """log(1 + exp(-y x)) (F.soft_margin_loss).

    >>> round(SoftMarginLoss()(gn.tensor([0.0]), gn.tensor([-1.0])).item(), 4)
    0.6931
    """

    def forward(self, input, target):
        return F.soft_margin_loss(input, target, reduction=self.reduction)


class MultiLabelSoftMarginLoss(_WeightedLoss):
    """Class-mean binary cross-entropy on logits (N, C) with 0/1 targets (F.multilabel_soft_margin_loss).

    >>> round(MultiLabelSoftMarginLoss()(gn.zeros(2, 3), gn.ones(2, 3)).item(), 4)
    0.6931
    """

    def forward(self, input, target):
        return F.multilabel_soft_margin_loss(input, target, self.weight, reduction=self.reduction)


class MultiMarginLoss(_WeightedLoss):
    """Multi-class hinge loss on scores (N, C) and class indices (N,) (F.multi_margin_loss).

    >>> round(MultiMarginLoss()(gn.tensor([[0.1, 0.2, 0.4, 0.8]]), gn.tensor([3])).item(), 4)
    0.325
    """

    def __init__(self, p: int = 1, margin: float = 1.0, weight=None, size_average=None, reduce=None,
                 reduction: str = "mean"):
        super().__init__(weight, size_average, reduce, reduction)
        if p not in (1, 2):
            raise ValueError(f"MultiMarginLoss: p must be 1 or 2, got {p!r}")
        self.p, self.margin = p, _number("MultiMarginLoss", "margin", margin)

    def forward(self, input, target):
        return F.multi_margin_loss(input, target, self.p, self.margin, self.weight, reduction=self.reduction)


class MultiLabelMarginLoss(_Loss):
    """Hinge over (target, non-target) class pairs; targets listed per row, ended by -1 (F.multilabel_margin_loss).

    >>> round(MultiLabelMarginLoss()(gn.tensor([[0.1, 0.2, 0.4, 0.8]]), gn.tensor([[3, 0, -1, 1]])).item(), 4)
    0.85
    """

    def forward(self, input, target):
        return F.multilabel_margin_loss(input, target, reduction=self.reduction)


class PoissonNLLLoss(_Loss):
    """Poisson negative log-likelihood (F.poisson_nll_loss): exp(x) - t x with log_input.

    >>> PoissonNLLLoss()(gn.zeros(2), gn.ones(2)).item()
    1.0
    """

    def __init__(self, log_input: bool = True, full: bool = False, size_average=None, eps: float = 1e-8, reduce=None,
                 reduction: str = "mean"):
        super().__init__(size_average, reduce, reduction)
        self.log_input, self.full = bool(log_input), bool(full)
        self.eps = _number("PoissonNLLLoss", "eps", eps)

    def forward(self, log_input, target):
        return F.poisson_nll_loss(log_input, target, self.log_input, self.full, eps=self.eps, reduction=self.reduction)


class GaussianNLLLoss(_Loss):
    """Gaussian negative log-likelihood 0.5 (log var + (x - t)^2 / var) (F.gaussian_nll_loss); call (input, target, var).

    >>> GaussianNLLLoss()(gn.zeros(2), gn.ones(2), gn.ones(2)).item()
    0.5
    """

    def __init__(self, *, full: bool = False, eps: float = 1e-6, reduction: str = "mean"):
        super().__init__(reduction=reduction)
        self.full = bool(full)
        if not _number("GaussianNLLLoss", "eps", eps) > 0:
            raise ValueError(f"GaussianNLLLoss: eps must be positive, got {eps!r}")
        self.eps = float(eps)

    def forward(self, input, target, var):
        return F.gaussian_nll_loss(input, target, var, self.full, self.eps, self.reduction)
