"""Loss layers: module wrappers of gradnote.functional's losses; `loss_fn(input, target)` -> Tensor.

Each takes reduction="mean" | "sum" | "none" in PyTorch's argument order (the deprecated size_average /
reduce flags are accepted and mapped to a reduction with a warning, as PyTorch). Class weights and pos_weight are
buffers (saved in state_dict under "weight" / "pos_weight", as PyTorch).
"""

from __future__ import annotations

from .. import functional as F
from ..autograd import Tensor
from ..backend import xp
from ..functional._util import check_reduction
from ..functional.losses import legacy_reduction
from ._checks import positive_float
from .module import Module

__all__ = ["BCELoss", "BCEWithLogitsLoss", "CrossEntropyLoss", "HuberLoss", "L1Loss", "MSELoss", "NLLLoss"]


def _array(value):
    if value is None:
        return None
    return value.data if isinstance(value, Tensor) else xp.asarray(value)


class _Loss(Module):
    def __init__(self, size_average=None, reduce=None, reduction: str = "mean"):
        super().__init__()
        name = type(self).__name__
        self.reduction = check_reduction(legacy_reduction(name, size_average, reduce, reduction), name)

    def extra_repr(self) -> str:
        return "" if self.reduction == "mean" else f"reduction={self.reduction!r}"


class _WeightedLoss(_Loss):
    def __init__(self, weight=None, size_average=None, reduce=None, reduction: str = "mean"):
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", _array(weight))


class MSELoss(_Loss):
    """mean((input - target)^2); input and target of the same shape.

    >>> MSELoss()(gn.tensor([1.0, 3.0]), gn.zeros(2)).item()
    5.0
    """

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.mse_loss(input, target, reduction=self.reduction)


class L1Loss(_Loss):
    """mean(|input - target|); input and target of the same shape.

    >>> L1Loss()(gn.tensor([1.0, -3.0]), gn.zeros(2)).item()
    2.0
    """

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.l1_loss(input, target, reduction=self.reduction)


class HuberLoss(_Loss):
    """0.5 d^2 for |d| <= delta, else delta (|d| - 0.5 delta), d = input - target.

    >>> HuberLoss(delta=1.0)(gn.tensor([3.0]), gn.zeros(1)).item()
    2.5
    """

    def __init__(self, reduction: str = "mean", delta: float = 1.0):
        super().__init__(reduction=reduction)
        self.delta = positive_float("HuberLoss", "delta", delta)

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.huber_loss(input, target, reduction=self.reduction, delta=self.delta)


class BCELoss(_WeightedLoss):
    """Binary cross-entropy on probabilities in [0, 1] (logs clamped at -100); optional per-element weight.

    >>> round(BCELoss()(gn.tensor([0.5]), gn.tensor([1.0])).item(), 4)
    0.6931
    """

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.binary_cross_entropy(input, target, self.weight, reduction=self.reduction)


class BCEWithLogitsLoss(_WeightedLoss):
    """Binary cross-entropy on logits (sigmoid fused in, stable for any |x|); optional weight, pos_weight.

    >>> round(BCEWithLogitsLoss()(gn.tensor([0.0]), gn.tensor([1.0])).item(), 4)
    0.6931
    """

    def __init__(self, weight=None, size_average=None, reduce=None, reduction: str = "mean", pos_weight=None):
        super().__init__(weight, size_average, reduce, reduction)
        self.register_buffer("pos_weight", _array(pos_weight))

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.binary_cross_entropy_with_logits(input, target, self.weight, reduction=self.reduction,
                                                  pos_weight=self.pos_weight)


class CrossEntropyLoss(_WeightedLoss):
    """Cross-entropy of logits (N, C[, d1, ...]) against class indices or probabilities (see F.cross_entropy).

    >>> round(CrossEntropyLoss()(gn.zeros(4, 10), gn.tensor([0, 1, 2, 3])).item(), 4)   # log 10
    2.3026
    """

    def __init__(self, weight=None, size_average=None, ignore_index: int = -100, reduce=None,
                 reduction: str = "mean", label_smoothing: float = 0.0):
        super().__init__(weight, size_average, reduce, reduction)
        if not 0.0 <= label_smoothing <= 1.0:
            raise ValueError(f"CrossEntropyLoss: label_smoothing must be in [0, 1], got {label_smoothing!r}")
        self.ignore_index, self.label_smoothing = int(ignore_index), float(label_smoothing)

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.cross_entropy(input, target, self.weight, ignore_index=self.ignore_index, reduction=self.reduction,
                               label_smoothing=self.label_smoothing)


class NLLLoss(_WeightedLoss):
    """Negative log-likelihood of log-probabilities (N, C[, d1, ...]) at integer class indices.

    >>> NLLLoss()(gn.tensor([[-1.0, -2.0]]), gn.tensor([1])).item()
    2.0
    """

    def __init__(self, weight=None, size_average=None, ignore_index: int = -100, reduce=None,
                 reduction: str = "mean"):
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = int(ignore_index)

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.nll_loss(input, target, self.weight, ignore_index=self.ignore_index, reduction=self.reduction)


__all__ += ["KLDivLoss", "SmoothL1Loss"]


class SmoothL1Loss(_Loss):
    """0.5 d^2 / beta for |d| < beta, else |d| - 0.5 beta (F.smooth_l1_loss); same shapes.

    >>> SmoothL1Loss()(gn.tensor([3.0]), gn.zeros(1)).item()
    2.5
    """

    def __init__(self, size_average=None, reduce=None, reduction: str = "mean", beta: float = 1.0):
        super().__init__(size_average, reduce, reduction)
        if not isinstance(beta, (int, float)) or isinstance(beta, bool) or beta < 0:
            raise ValueError(f"SmoothL1Loss: beta must be a non-negative number, got {beta!r}")
        self.beta = float(beta)

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.smooth_l1_loss(input, target, reduction=self.reduction, beta=self.beta)


class KLDivLoss(Module):
    """KL(target || exp(input)) for log-probabilities input (F.kl_div); reduction "batchmean" is the true
    mean KL per sample, "mean" (PyTorch's default) averages over every element.

    >>> p = gn.tensor([[0.25, 0.75]]); KLDivLoss(reduction="batchmean")(p.log(), p).item()
    0.0
    """

    def __init__(self, size_average=None, reduce=None, reduction: str = "mean", log_target: bool = False):
        super().__init__()
        reduction = legacy_reduction("KLDivLoss", size_average, reduce, reduction)
        if reduction not in ("mean", "batchmean", "sum", "none"):
            raise ValueError(f"KLDivLoss: reduction must be one of 'mean', 'batchmean', 'sum', 'none', "
                             f"got {reduction!r}")
        self.reduction, self.log_target = reduction, bool(log_target)

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.kl_div(input, target, reduction=self.reduction, log_target=self.log_target)

    def extra_repr(self) -> str:
        return f"reduction={self.reduction!r}"
