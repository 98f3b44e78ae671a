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

    _n_scratch = 3

    def _begin(self, data, state, group):
        state["step"] += 1

    def _update(self, data, grad, state, group, _, tmp) -> None:
        rho, eps = group["rho"], group["eps"]
        g = _with_weight_decay(data, grad, group["weight_decay"], tmp(1))
        v, u = state["square_avg"], state["acc_delta"]
        std, delta = tmp(0), tmp(2)
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


def adadelta_simple(theta, grad, state: dict, lr: float = 1.0, rho: float = 0.9, eps: float = 1e-6,
                    weight_decay: float = 0.0, maximize: bool = False):
    """One Adadelta step, the rule of :class:`Adadelta` written literally on arrays: the reference its fast
    update is tested against. `state` (a dict, empty at first) keeps ``step``, ``square_avg``,
    ``acc_delta``; returns the new theta.

    >>> adadelta_simple(np.zeros(2), np.array([1.0, -1.0]), {}, eps=1.0).round(4).tolist()
    [-0.9535, 0.9535]
    """
    g = -grad if maximize else grad
    g = g + weight_decay * theta
    state["step"] = state.get("step", 0) + 1
    v = state["square_avg"] = rho * state.get("square_avg", xp.zeros_like(theta)) + (1 - rho) * g * g
    u = state.get("acc_delta", xp.zeros_like(theta))
    delta = xp.sqrt(u + eps) / xp.sqrt(v + eps) * g
    state["acc_delta"] = rho * u + (1 - rho) * delta * delta
    return theta - lr * delta
