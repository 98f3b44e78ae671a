"""CTCLoss: the connectionist temporal classification loss layer (over F.ctc_loss)."""

from __future__ import annotations

import numbers

from .. import functional as F
from .loss import _Loss

__all__ = ["CTCLoss"]


class CTCLoss(_Loss):
    """loss_fn(log_probs (T, N, C), targets (N, S) or 1-D, input_lengths (N,), target_lengths (N,)), as
    torch.nn.CTCLoss; see F.ctc_loss for the rule, the reductions and zero_infinity.

    >>> lp = gn.tensor(np.log(np.full((2, 1, 2), 0.5)))
    >>> round(CTCLoss()(lp, gn.tensor([[1]]), [2], [1]).item(), 4)
    0.2877
    """

    def __init__(self, blank: int = 0, reduction: str = "mean", zero_infinity: bool = False):
        super().__init__(reduction=reduction)
        if not isinstance(blank, numbers.Integral) or isinstance(blank, bool) or blank < 0:
            raise ValueError(f"CTCLoss: blank must be a non-negative int, got {blank!r}")
        self.blank, self.zero_infinity = int(blank), bool(zero_infinity)

    def forward(self, log_probs, targets, input_lengths, target_lengths):
        return F.ctc_loss(log_probs, targets, input_lengths, target_lengths, self.blank, self.reduction,
                          self.zero_infinity)
