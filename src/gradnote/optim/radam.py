"""RAdam: Adam whose adaptive step is switched on once the variance of v_t is tractable (Liu et al., 2019)."""

from __future__ import annotations

from collections.abc import Iterable

from ..backend import xp
from .adam import _adam_moments_
from .optimizer import Optimizer


class RAdam(Optimizer):
    r"""RAdam (PyTorch's ``torch.optim.RAdam`` rule).

    Weight decay and the moments m_t, v_t exactly as :class:`Adam` (decoupled with
    ``decoupled_weight_decay=True``); then with lr gamma and betas (beta1, beta2)::

        rho_inf <- 2 / (1 - beta2) - 1
        rho_t   <- rho_inf - 2 t beta2 ** t / (1 - beta2 ** t)
        m^_t    <- m_t / (1 - beta1 ** t)
        if rho_t > 5:
            r_t     <- sqrt((rho_t - 4)(rho_t - 2) rho_inf / ((rho_inf - 4)(rho_inf - 2) rho_t))
            theta_t <- theta_{t-1} - gamma m^_t * sqrt(1 - beta2 ** t) / (sqrt(v_t) + eps) * r_t
        else:
            theta_t <- theta_{t-1} - gamma m^_t                      (plain momentum SGD while rho_t <= 5)

    State per parameter: ``step``, ``exp_avg``, ``exp_avg_sq``.

    >>> opt = optim.RAdam([nn.Parameter(gn.zeros(3))], lr=1e-3)
    >>> opt.param_groups[0]["betas"]
    (0.9, 0.999)
    """

    def __init__(
        self,
        params: Iterable,
        lr: float = 1e-3,
        betas: tuple = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        decoupled_weight_decay: bool = False,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
        capturable: bool = False,
        differentiable: bool = False,
    ):
        super().__init__(
            params,
            {
                "lr": lr,
                "betas": betas,
                "eps": eps,
                "weight_decay": weight_decay,
                "maximize": maximize,
                "foreach": foreach,
                "capturable": capturable,
                "decoupled_weight_decay": decoupled_weight_decay,
                "differentiable": differentiable,
            },
        )

    def _init_state(self, data, group):
        return {"step": 0, "exp_avg": xp.zeros_like(data), "exp_avg_sq": xp.zeros_like(data)}

    def _begin(self, data, state, group):
        state["step"] += 1
        return state["step"]

    def _update(self, data, grad, state, group, step, tmp) -> None:
        _adam_moments_(data, grad, state, group, tmp)
        lr = group["lr"]
        beta1, beta2 = group["betas"]
        bc1, bc2 = 1 - beta1**step, 1 - beta2**step
        rho_inf = 2 / (1 - beta2) - 1
        rho_t = rho_inf - 2 * step * beta2**step / bc2
        upd = xp.divide(state["exp_avg"], bc1, out=tmp(1))
        upd *= lr
        if rho_t > 5.0:
            rect = ((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
            adaptive = xp.sqrt(state["exp_avg_sq"], out=tmp(0))
            adaptive += group["eps"]
            xp.reciprocal(adaptive, out=adaptive)  # PyTorch's scalar / tensor is reciprocal(tensor) * scalar
            adaptive *= bc2**0.5
            upd *= adaptive
            upd *= rect
        data -= upd


def radam_simple(theta, grad, state: dict, lr: float = 1e-3, betas: tuple = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0, decoupled_weight_decay: bool = False, maximize: bool = False):
    """One RAdam step, the rule of :class:`RAdam` written literally on arrays: the reference its fast update
    is tested against. `state` (a dict, empty at first) keeps ``step``, ``exp_avg``, ``exp_avg_sq``;
    returns the new theta.

    >>> radam_simple(np.zeros(2), np.array([1.0, -2.0]), {}, lr=0.1).round(6).tolist()
    [-0.1, 0.2]
    """
    beta1, beta2 = betas
    g = -grad if maximize else grad
    if decoupled_weight_decay:
        theta = theta * (1 - lr * weight_decay)
    else:
        g = g + weight_decay * theta
    t = state["step"] = state.get("step", 0) + 1
    m = state["exp_avg"] = beta1 * state.get("exp_avg", xp.zeros_like(theta)) + (1 - beta1) * g
    v = state["exp_avg_sq"] = beta2 * state.get("exp_avg_sq", xp.zeros_like(theta)) + (1 - beta2) * g * g
    m_hat = m / (1 - beta1**t)
    rho_inf = 2 / (1 - beta2) - 1
    rho_t = rho_inf - 2 * t * beta2**t / (1 - beta2**t)
    if rho_t <= 5:
        return theta - lr * m_hat
    r = ((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
    return theta - lr * m_hat * (1 - beta2**t) ** 0.5 / (xp.sqrt(v) + eps) * r
