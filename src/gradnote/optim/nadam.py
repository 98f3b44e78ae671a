"""NAdam: Adam with Nesterov momentum (Dozat, 2016), as PyTorch schedules it."""

from __future__ import annotations

from collections.abc import Iterable

from ..backend import xp
from .adam import _adam_moments_
from .optimizer import Optimizer, _addcdiv_


class NAdam(Optimizer):
    r"""NAdam (PyTorch's ``torch.optim.NAdam`` rule).

    With lr gamma, betas (beta1, beta2), momentum decay psi, m_0 = v_0 = 0 and mu-product P_0 = 1; weight
    decay and the moments m_t, v_t exactly as :class:`Adam` (decoupled with ``decoupled_weight_decay=True``,
    the NAdamW variant; g_t is the gradient after L2 decay)::

        mu_t    <- beta1 * (1 - 0.96 ** (t * psi) / 2);   mu_{t+1} likewise with t + 1
        P_t     <- P_{t-1} * mu_t
        denom   <- sqrt(v_t / (1 - beta2 ** t)) + eps
        theta_t <- theta_{t-1} - gamma (1 - mu_t) / (1 - P_t) * g_t / denom
                               - gamma mu_{t+1} / (1 - P_t mu_{t+1}) * m_t / denom

    P_t is rounded to float32 at every step, as PyTorch keeps it in a float32 tensor, so trajectories agree.
    State per parameter: ``step``, ``mu_product``, ``exp_avg``, ``exp_avg_sq``.

    >>> opt = optim.NAdam([nn.Parameter(gn.zeros(3))], lr=2e-3)
    >>> opt.param_groups[0]["momentum_decay"]
    0.004
    """

    _scalar_state = ("step", "mu_product")

    def __init__(
        self,
        params: Iterable,
        lr: float = 2e-3,
        betas: tuple = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        momentum_decay: float = 4e-3,
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
                "momentum_decay": momentum_decay,
                "decoupled_weight_decay": decoupled_weight_decay,
                "maximize": maximize,
                "foreach": foreach,
                "capturable": capturable,
                "differentiable": differentiable,
            },
        )

    def _init_state(self, data, group):
        return {"step": 0, "mu_product": 1.0, "exp_avg": xp.zeros_like(data), "exp_avg_sq": xp.zeros_like(data)}

    def _update(self, data, grad, state, group, param) -> None:
        step, g = _adam_moments_(self, data, grad, state, group, param)
        lr, psi = group["lr"], group["momentum_decay"]
        beta1, beta2 = group["betas"]
        mu = beta1 * (1.0 - 0.5 * 0.96 ** (step * psi))
        mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((step + 1) * psi))
        state["mu_product"] = prod = float(xp.float32(state["mu_product"]) * xp.float32(mu))
        denom = xp.divide(state["exp_avg_sq"], 1 - beta2**step, out=self._tmp(param, 0))
        xp.sqrt(denom, out=denom)
        denom += group["eps"]
        out = self._tmp(param, 1)  # may hold g: _addcdiv_ reads it before writing
        _addcdiv_(data, g, denom, -lr * (1.0 - mu) / (1.0 - prod), out=out)
        _addcdiv_(data, state["exp_avg"], denom, -lr * mu_next / (1.0 - prod * mu_next), out=out)
