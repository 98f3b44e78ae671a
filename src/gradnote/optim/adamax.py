"""Adamax: Adam with the infinity norm in place of the root-mean-square (Kingma & Ba, 2015, section 7)."""

from __future__ import annotations

from collections.abc import Iterable

from ..backend import xp
from .optimizer import Optimizer, _addcdiv_, _lerp_, _with_weight_decay


class Adamax(Optimizer):
    r"""Adamax (PyTorch's ``torch.optim.Adamax`` rule).

    With lr gamma, betas (beta1, beta2), weight decay lambda, m_0 = u_0 = 0::

        g_t     <- g_t + lambda * theta_{t-1}                 (if lambda != 0)
        m_t     <- beta1 * m_{t-1} + (1 - beta1) * g_t
        u_t     <- max(beta2 * u_{t-1}, |g_t| + eps)
        theta_t <- theta_{t-1} - gamma / (1 - beta1 ** t) * m_t / u_t

    State per parameter: ``step``, ``exp_avg``, ``exp_inf``.

    >>> opt = optim.Adamax([nn.Parameter(gn.zeros(3))])
    >>> opt.param_groups[0]["lr"]
    0.002
    """

    def __init__(
        self,
        params: Iterable,
        lr: float = 2e-3,
        betas: tuple = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        foreach: bool | None = None,
        *,
        maximize: bool = False,
        differentiable: bool = False,
        capturable: bool = False,
    ):
        super().__init__(
            params,
            {
                "lr": lr,
                "betas": betas,
                "eps": eps,
                "weight_decay": weight_decay,
                "foreach": foreach,
                "maximize": maximize,
                "differentiable": differentiable,
                "capturable": capturable,
            },
        )

    def _init_state(self, data, group):
        return {"step": 0, "exp_avg": xp.zeros_like(data), "exp_inf": xp.zeros_like(data)}

    def _begin(self, data, state, group):
        state["step"] += 1
        return state["step"]

    def _update(self, data, grad, state, group, step, tmp) -> None:
        beta1, beta2 = group["betas"]
        g = _with_weight_decay(data, grad, group["weight_decay"], tmp(1))
        t0 = tmp(0)
        _lerp_(state["exp_avg"], g, 1 - beta1, t0)
        u = state["exp_inf"]
        u *= beta2
        xp.abs(g, out=t0)
        t0 += group["eps"]
        xp.maximum(u, t0, out=u)
        _addcdiv_(data, state["exp_avg"], u, -group["lr"] / (1 - beta1**step), out=t0)


def adamax_simple(theta, grad, state: dict, lr: float = 2e-3, betas: tuple = (0.9, 0.999), eps: float = 1e-8,
                  weight_decay: float = 0.0, maximize: bool = False):
    """One Adamax step, the rule of :class:`Adamax` written literally on arrays: the reference its fast
    update is tested against. `state` (a dict, empty at first) keeps ``step``, ``exp_avg``, ``exp_inf``;
    returns the new theta.

    >>> adamax_simple(np.zeros(2), np.array([1.0, -2.0]), {}, lr=0.1).round(6).tolist()
    [-0.1, 0.1]
    """
    beta1, beta2 = betas
    g = -grad if maximize else grad
    g = g + weight_decay * theta
    t = state["step"] = state.get("step", 0) + 1
    m = state["exp_avg"] = beta1 * state.get("exp_avg", xp.zeros_like(theta)) + (1 - beta1) * g
    u = state["exp_inf"] = xp.maximum(beta2 * state.get("exp_inf", xp.zeros_like(theta)), xp.abs(g) + eps)
    return theta - lr / (1 - beta1**t) * m / u
