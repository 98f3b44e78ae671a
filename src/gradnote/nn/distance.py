"""CosineSimilarity and PairwiseDistance layers (thin modules over gradnote.functional.distance)."""

from __future__ import annotations

from .. import functional as F
from .module import Module

__all__ = ["CosineSimilarity", "PairwiseDistance"]


class CosineSimilarity(Module):
    """Cosine of the angle between x1 and x2 along `dim` (F.cosine_similarity): (N, D), (N, D) -> (N,).

    >>> CosineSimilarity()(gn.tensor([[1.0, 0.0]]), gn.tensor([[2.0, 0.0]])).tolist()
    [1.0]
    """

    def __init__(self, dim: int = 1, eps: float = 1e-8):
        super().__init__()
        self.dim, self.eps = dim, eps

    def forward(self, x1, x2):
        return F.cosine_similarity(x1, x2, self.dim, self.eps)


class PairwiseDistance(Module):
    """||x1 - x2 + eps||_p along the last axis (F.pairwise_distance): (N, D), (N, D) -> (N,).

    >>> PairwiseDistance()(gn.tensor([[3.0, 0.0]]), gn.tensor([[0.0, 4.0]])).shape
    (1,)
    """

    def __init__(self, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False):
        super().__init__()
        self.norm, self.eps, self.keepdim = p, eps, keepdim

    def forward(self, x1, x2):
        return F.pairwise_distance(x1, x2, self.norm, self.eps, self.keepdim)
