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

    def _update(self, data, grad, state, group, param) -> None:
        step, _ = _adam_moments_(self, data, grad, state, group, param)
        lr = group["lr"]
        beta1, beta2 = group["betas"]
        bc1, bc2 = 1 - beta1**step, 1 - beta2**step
        rho_inf = 2 / (1 - beta2) - 1
        rho_t = rho_inf - 2 * step * beta2**step / bc2
        upd = xp.divide(state["exp_avg"], bc1, out=self._tmp(param, 1))
        upd *= lr
        if rho_t > 5.0:
            rect = ((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
            adaptive = xp.sqrt(state["exp_avg_sq"], out=self._tmp(param, 0))
            adaptive += group["eps"]
            xp.reciprocal(adaptive, out=adaptive)  # PyTorch's scalar / tensor is reciprocal(tensor) * scalar
            adaptive *= bc2**0.5
            upd *= adaptive
            upd *= rect
        data -= upd
