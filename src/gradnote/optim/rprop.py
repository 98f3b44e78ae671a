"""Rprop: resilient backpropagation, a per-weight step size grown or shrunk by the sign of the gradient alone
(Riedmiller & Braun, 1993)."""

from __future__ import annotations

from collections.abc import Iterable

from ..backend import xp
from .optimizer import Optimizer


class Rprop(Optimizer):
    r"""Rprop (PyTorch's ``torch.optim.Rprop`` rule, Rprop- without weight backtracking).

    With etas (eta-, eta+), step_sizes (Gamma_min, Gamma_max), g_0 = 0 and every step size starting at lr::

        s_t      <- sign(g_t * g_{t-1})
        eta_t    <- eta+ where s_t > 0, eta- where s_t < 0, 1 where s_t = 0
        Gamma_t  <- clip(eta_t * Gamma_{t-1}, Gamma_min, Gamma_max)
        g_t      <- 0 where s_t < 0                       (a sign change skips the move and is forgotten)
        theta_t  <- theta_{t-1} - sign(g_t) * Gamma_t

    Only gradient signs matter, so Rprop suits full-batch training, not noisy mini-batches.
    State per parameter: ``step``, ``prev`` (the last g_t), ``step_size`` (Gamma_t).

    >>> opt = optim.Rprop([nn.Parameter(gn.zeros(3))])
    >>> opt.param_groups[0]["etas"], opt.param_groups[0]["step_sizes"]
    ((0.5, 1.2), (1e-06, 50))
    """

    def __init__(self, params: Iterable, lr: float = 1e-2, etas: tuple = (0.5, 1.2), step_sizes: tuple = (1e-6, 50),
                 *, capturable: bool = False, foreach: bool | None = None, maximize: bool = False,
                 differentiable: bool = False):
        super().__init__(params, {"lr": lr, "etas": etas, "step_sizes": step_sizes, "foreach": foreach,
                                  "maximize": maximize, "differentiable": differentiable, "capturable": capturable})

    def _check_group(self, group: dict) -> None:
        super()._check_group(group)
        for key in ("etas", "step_sizes"):
            pair = group[key]
            if not (isinstance(pair, (tuple, list)) and len(pair) == 2):
                raise ValueError(f"Rprop: {key} must be a pair, got {pair!r}")
            group[key] = tuple(pair)
        etaminus, etaplus = group["etas"]
        if not 0.0 < etaminus < 1.0 < etaplus:
            raise ValueError(f"Rprop: Invalid eta values: {etaminus}, {etaplus}")
        if not 0.0 <= group["step_sizes"][0] <= group["step_sizes"][1]:
            raise ValueError(f"Rprop: step_sizes must be (min, max) with 0 <= min <= max, got {group['step_sizes']}")

    def _init_state(self, data, group):
        return {"step": 0, "prev": xp.zeros_like(data), "step_size": xp.full_like(data, group["lr"])}

    def _begin(self, data, state, group):
        state["step"] += 1

    _n_scratch = 1

    def _update(self, data, grad, state, group, _, tmp) -> None:
        etaminus, etaplus = group["etas"]
        prev, size, factor = state["prev"], state["step_size"], tmp(0)
        xp.multiply(grad, prev, out=factor)
        xp.sign(factor, out=factor)
        grown, shrunk, kept = factor > 0, factor < 0, factor == 0  # a NaN product stays NaN, as in torch
        factor[grown] = etaplus
        factor[shrunk] = etaminus
        factor[kept] = 1
        size *= factor
        xp.clip(size, *group["step_sizes"], out=size)
        prev[...] = grad
        prev[shrunk] = 0
        xp.sign(prev, out=factor)
        factor *= size
        data -= factor


def rprop_simple(theta, grad, state: dict, lr: float = 1e-2, etas: tuple = (0.5, 1.2),
                 step_sizes: tuple = (1e-6, 50), maximize: bool = False):
    """One Rprop step, the rule of :class:`Rprop` written literally on arrays (the reference its fast update is
    tested against). `state` (a dict, empty at first) keeps ``step``, ``prev``, ``step_size``; returns theta.

    >>> rprop_simple(np.zeros(2), np.array([1.0, -2.0]), {}, lr=0.1).round(6).tolist()
    [-0.1, 0.1]
    """
    g = -grad if maximize else grad
    state["step"] = state.get("step", 0) + 1
    s = xp.sign(g * state.get("prev", xp.zeros_like(theta)))
    eta = xp.where(s > 0, etas[1], xp.where(s < 0, etas[0], 1.0)).astype(theta.dtype)
    size = state["step_size"] = xp.clip(state.get("step_size", xp.full_like(theta, lr)) * eta, *step_sizes)
    g = state["prev"] = xp.where(s < 0, 0, g)
    return theta - xp.sign(g) * size
