"""Margin and embedding losses, as torch.nn.functional's, built from differentiable tensor ops.

    margin_ranking_loss      max(0, -y (x1 - x2) + margin)                    y in {1, -1}: which should rank higher
    hinge_embedding_loss     x if y = 1, max(0, margin - x) if y = -1         x: a distance
    cosine_embedding_loss    1 - cos(x1, x2) if y = 1, max(0, cos - margin) if y = -1
    triplet_margin_loss      max(0, d(a, p) - d(a, n) + margin)               d: pairwise_distance
    soft_margin_loss         log(1 + exp(-y x))
    multilabel_soft_margin   -mean_c [y_c log sigmoid(x_c) + (1 - y_c) log sigmoid(-x_c)]
    multi_margin_loss        sum_{i != y} max(0, margin - x_y + x_i)^p / C    (multi-class hinge)
    multilabel_margin_loss   sum_{j in targets, i not} max(0, 1 - (x_j - x_i)) / C, targets ended by -1
"""

from __future__ import annotations

from ..autograd import Tensor, where
from ..backend import xp
from ._util import as_tensor, check_reduction, float_tensor
from .activations import logsigmoid, softplus
from .distance import pairwise_distance

__all__ = ["cosine_embedding_loss", "hinge_embedding_loss", "margin_ranking_loss", "multi_margin_loss",
           "multilabel_margin_loss", "multilabel_soft_margin_loss", "soft_margin_loss", "triplet_margin_loss"]


def _reduce(loss: Tensor, reduction: str, op: str) -> Tensor:
    reduction = check_reduction(reduction, op)
    return loss.mean() if reduction == "mean" else loss.sum() if reduction == "sum" else loss


def _signs(target, like: Tensor, op: str):
    """The +1 / -1 target as an array of the input's dtype."""
    t = as_tensor(target, op).data
    return t.astype(like.data.dtype, copy=False)


def margin_ranking_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0.0, size_average=None,
                        reduce=None, reduction: str = "mean") -> Tensor:
    """x1, x2, y broadcastable (N,) -> max(0, -y (x1 - x2) + margin), reduced.

    >>> F.margin_ranking_loss(gn.tensor([1.0, 0.0]), gn.tensor([0.0, 1.0]), gn.tensor([1.0, 1.0])).item()
    0.5
    """
    x1, x2 = float_tensor(input1, "margin_ranking_loss"), float_tensor(input2, "margin_ranking_loss")
    y = _signs(target, x1, "margin_ranking_loss")
    return _reduce((-(x1 - x2) * y + margin).clamp(min=0), reduction, "margin_ranking_loss")


def hinge_embedding_loss(input: Tensor, target: Tensor, margin: float = 1.0, size_average=None, reduce=None,
                         reduction: str = "mean") -> Tensor:
    """x (a distance), y in {1, -1} of the same shape -> x where y = 1, max(0, margin - x) where y = -1.

    >>> round(F.hinge_embedding_loss(gn.tensor([0.3, 0.2]), gn.tensor([1.0, -1.0]), reduction="sum").item(), 4)
    1.1
    """
    x = float_tensor(input, "hinge_embedding_loss")
    y = _signs(target, x, "hinge_embedding_loss")
    loss = where(y != -1, x, 0.0) + where(y != 1, (margin - x).clamp(min=0), 0.0)
    return _reduce(loss, reduction, "hinge_embedding_loss")


def cosine_embedding_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0.0, size_average=None,
                          reduce=None, reduction: str = "mean") -> Tensor:
    """x1, x2: (N, D) (or (D,)), y: (N,) in {1, -1} -> 1 - cos where y = 1, max(0, cos - margin) where y = -1.

    >>> F.cosine_embedding_loss(gn.tensor([[1.0, 0.0]]), gn.tensor([[0.0, 1.0]]), gn.tensor([1.0])).item()
    1.0
    """
    x1, x2 = float_tensor(input1, "cosine_embedding_loss"), float_tensor(input2, "cosine_embedding_loss")
    if x1.shape != x2.shape or x1.ndim not in (1, 2):
        raise ValueError(f"cosine_embedding_loss: expected input1 and input2 of one shape (N, D) or (D,), got "
                         f"{x1.shape} and {x2.shape}")
    y = _signs(target, x1, "cosine_embedding_loss")
    eps = 1e-12  # PyTorch's: inside the square root, so a zero vector gives cos = 0, not NaN
    cos = (x1 * x2).sum(axis=-1) / ((x1 * x1).sum(axis=-1) + eps).sqrt() / ((x2 * x2).sum(axis=-1) + eps).sqrt()
    loss = where(y == 1, 1 - cos, 0.0) + where(y == -1, (cos - margin).clamp(min=0), 0.0)
    return _reduce(loss, reduction, "cosine_embedding_loss")


def triplet_margin_loss(anchor: Tensor, positive: Tensor, negative: Tensor, margin: float = 1.0, p: float = 2,
                        eps: float = 1e-6, swap: bool = False, size_average=None, reduce=None,
                        reduction: str = "mean") -> Tensor:
    """(N, D) anchor, positive, negative -> max(0, d(a, p) - d(a, n) + margin); swap uses min(d(a, n), d(p, n)).

    >>> F.triplet_margin_loss(gn.zeros(1, 2), gn.zeros(1, 2), gn.ones(1, 2) * 3, margin=1.0).item()
    0.0
    """
    a, pos, neg = (float_tensor(t, "triplet_margin_loss") for t in (anchor, positive, negative))
    if not (a.shape == pos.shape == neg.shape) or a.ndim not in (1, 2):
        raise ValueError(f"triplet_margin_loss: expected anchor, positive and negative of one shape (N, D) or (D,), "
                         f"got {a.shape}, {pos.shape} and {neg.shape}")
    d_pos, d_neg = pairwise_distance(a, pos, p, eps), pairwise_distance(a, neg, p, eps)
    if swap:
        d_swap = pairwise_distance(pos, neg, p, eps)
        d_neg = where(d_swap.data < d_neg.data, d_swap, d_neg)
    return _reduce((d_pos - d_neg + margin).clamp(min=0), reduction, "triplet_margin_loss")


def soft_margin_loss(input: Tensor, target: Tensor, size_average=None, reduce=None, reduction: str = "mean") -> Tensor:
    """x, y in {1, -1} of one shape -> log(1 + exp(-y x)) (a stable softplus).

    >>> round(F.soft_margin_loss(gn.tensor([0.0]), gn.tensor([1.0])).item(), 4)
    0.6931
    """
    x = float_tensor(input, "soft_margin_loss")
    return _reduce(softplus(-x * _signs(target, x, "soft_margin_loss"), threshold=float("inf")), reduction,
                   "soft_margin_loss")


def multilabel_soft_margin_loss(input: Tensor, target: Tensor, weight=None, size_average=None, reduce=None,
                                reduction: str = "mean") -> Tensor:
    """x: (N, C) logits, y: (N, C) in {0, 1} -> per sample the class mean of the binary cross-entropies (N,).

    >>> round(F.multilabel_soft_margin_loss(gn.zeros(1, 2), gn.tensor([[1.0, 0.0]])).item(), 4)
    0.6931
    """
    x = float_tensor(input, "multilabel_soft_margin_loss")
    y = _signs(target, x, "multilabel_soft_margin_loss")
    if y.shape != x.shape:
        raise ValueError(f"multilabel_soft_margin_loss: input {x.shape} and target {y.shape} differ")
    loss = -(logsigmoid(x) * y + logsigmoid(-x) * (1 - y))
    if weight is not None:
        loss = loss * as_tensor(weight, "multilabel_soft_margin_loss").data.astype(x.data.dtype)
    return _reduce(loss.mean(axis=-1), reduction, "multilabel_soft_margin_loss")


def _class_targets(target, x: Tensor, op: str):
    t = as_tensor(target, op).data
    if t.dtype.kind not in "iu":
        raise TypeError(f"{op}: target must hold integer class indices, got dtype {t.dtype}")
    return t


def multi_margin_loss(input: Tensor, target: Tensor, p: int = 1, margin: float = 1.0, weight=None,
                      size_average=None, reduce=None, reduction: str = "mean") -> Tensor:
    """x: (N, C) scores (or (C,)), y: (N,) class indices -> sum_{i != y} w_y max(0, margin - x_y + x_i)^p / C.

    >>> round(F.multi_margin_loss(gn.tensor([[0.1, 0.2, 0.4, 0.8]]), gn.tensor([3])).item(), 4)
    0.325
    """
    x = float_tensor(input, "multi_margin_loss")
    if p not in (1, 2):
        raise ValueError(f"multi_margin_loss: p must be 1 or 2, got {p!r}")
    if x.ndim == 1:
        x = x.unsqueeze(0)
    t = _class_targets(target, x, "multi_margin_loss").reshape(-1)
    n, c = x.shape
    if t.shape != (n,) or (t.size and (t.min() < 0 or t.max() >= c)):
        raise ValueError(f"multi_margin_loss: target must hold {n} class indices in [0, {c}), got {t.tolist()}")
    picked = x[xp.arange(n), t].unsqueeze(1)
    hinge = (x - picked + margin).clamp(min=0)
    hinge = hinge ** p if p == 2 else hinge
    if weight is not None:
        hinge = hinge * as_tensor(weight, "multi_margin_loss").data.astype(x.data.dtype)[t][:, None]
    others = (xp.arange(c)[None, :] != t[:, None]).astype(x.data.dtype)
    loss = (hinge * others).sum(axis=1) / c
    return _reduce(loss if input.ndim > 1 or reduction != "none" else loss[0], reduction, "multi_margin_loss")


def multilabel_margin_loss(input: Tensor, target: Tensor, size_average=None, reduce=None,
                           reduction: str = "mean") -> Tensor:
    """x: (N, C) scores, y: (N, C) class indices, each row's targets ended by the first -1 -> (N,) hinge sums / C.

    >>> round(F.multilabel_margin_loss(gn.tensor([[0.1, 0.2, 0.4, 0.8]]), gn.tensor([[3, 0, -1, 1]])).item(), 4)
    0.85
    """
    x = float_tensor(input, "multilabel_margin_loss")
    squeeze = x.ndim == 1
    if squeeze:
        x = x.unsqueeze(0)
    t = _class_targets(target, x, "multilabel_margin_loss").reshape(x.shape)
    n, c = x.shape
    if t.size and (t.min() < -1 or t.max() >= c):
        raise ValueError(f"multilabel_margin_loss: target entries must be class indices in [0, {c}) or -1, got "
                         f"values in [{int(t.min())}, {int(t.max())}]")
    count = xp.zeros((n, c), dtype=x.data.dtype)  # how often class j is listed (PyTorch counts repeats)
    for i in range(n):
        row = t[i]
        stop = int(xp.argmax(row < 0)) if (row < 0).any() else c
        xp.add.at(count[i], row[:stop], 1)
    # every (listed target j, non-target k) pair of a row: the hinge of x_j over x_k
    pairs = (1 - (x.unsqueeze(2) - x.unsqueeze(1))).clamp(min=0)
    mask = count[:, :, None] * (count[:, None, :] == 0)
    loss = (pairs * mask).sum(axis=(1, 2)) / c
    return _reduce(loss[0] if squeeze and reduction == "none" else loss, reduction, "multilabel_margin_loss")
