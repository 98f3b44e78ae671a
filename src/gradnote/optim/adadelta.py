"""Adadelta: step sizes from running averages of squared gradients and of squared updates (Zeiler, 2012)."""

from __future__ import annotations

from collections.abc import Iterable

from ..backend import xp
from .optimizer import Optimizer, _square_avg_, _with_weight_decay


class Adadelta(Optimizer):
    r"""Adadelta (PyTorch's ``torch.optim.Adadelta`` rule).

    With lr gamma, decay rho, weight decay lambda, v_0 = u_0 = 0::

        g_t      <- g_t + lambda * theta_{t-1}                 (if lambda != 0)
        v_t      <- rho * v_{t-1} + (1 - rho) * g_t ** 2
        Delta_t  <- sqrt(u_{t-1} + eps) / sqrt(v_t + eps) * g_t
        u_t      <- rho * u_{t-1} + (1 - rho) * Delta_t ** 2
        theta_t  <- theta_{t-1} - gamma * Delta_t

    State per parameter: ``step``, ``square_avg`` (v), ``acc_delta`` (u).

    >>> opt = optim.Adadelta([nn.Parameter(gn.zeros(3))])
    >>> opt.param_groups[0]["rho"], opt.param_groups[0]["eps"]
    (0.9, 1e-06)
    """

    def __init__(
        self,
        params: Iterable,
        lr: float = 1.0,
        rho: float = 0.9,
        eps: float = 1e-6,
        weight_decay: float = 0.0,
        foreach: bool | None = None,
        *,
        capturable: bool = False,
        maximize: bool = False,
        differentiable: bool = False,
    ):
        super().__init__(
            params,
            {
                "lr": lr,
                "rho": rho,
                "eps": eps,
                "weight_decay": weight_decay,
                "maximize": maximize,
                "capturable": capturable,
                "foreach": foreach,
                "differentiable": differentiable,
            },
        )

    def _init_state(self, data, group):
        return {"step": 0, "square_avg": xp.zeros_like(data), "acc_delta": xp.zeros_like(data)}

    def _update(self, data, grad, state, group, param) -> None:
        state["step"] += 1
        rho, eps = group["rho"], group["eps"]
        g = _with_weight_decay(self, data, grad, group["weight_decay"], param)
        v, u = state["square_avg"], state["acc_delta"]
        std, delta = self._tmp(param, 0), self._tmp(param, 2)
        _square_avg_(v, g, rho, std)
        xp.add(v, eps, out=std)
        xp.sqrt(std, out=std)
        xp.add(u, eps, out=delta)
        xp.sqrt(delta, out=delta)
        delta /= std
        delta *= g
        _square_avg_(u, delta, rho, std)
        xp.multiply(delta, -group["lr"], out=std)
        data += std
