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

    def _begin(self, data, state, group):
        state["step"] = step = state["step"] + 1
        psi, beta1 = group["momentum_decay"], group["betas"][0]
        mu = beta1 * (1.0 - 0.5 * 0.96 ** (step * psi))
        mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((step + 1) * psi))
        state["mu_product"] = prod = float(xp.float32(state["mu_product"]) * xp.float32(mu))
        return step, mu, mu_next, prod

    def _update(self, data, grad, state, group, coeffs, tmp) -> None:
        step, mu, mu_next, prod = coeffs
        g = _adam_moments_(data, grad, state, group, tmp)
        lr, beta2 = group["lr"], group["betas"][1]
        denom = xp.divide(state["exp_avg_sq"], 1 - beta2**step, out=tmp(0))
        xp.sqrt(denom, out=denom)
        denom += group["eps"]
        out = tmp(1)  # may hold g: _addcdiv_ reads it before writing
        _addcdiv_(data, g, denom, -lr * (1.0 - mu) / (1.0 - prod), out=out)
        _addcdiv_(data, state["exp_avg"], denom, -lr * mu_next / (1.0 - prod * mu_next), out=out)


def nadam_simple(theta, grad, state: dict, lr: float = 2e-3, betas: tuple = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0, momentum_decay: float = 4e-3, decoupled_weight_decay: bool = False,
                 maximize: bool = False):
    """One NAdam step, the rule of :class:`NAdam` written literally on arrays: the reference its fast update
    is tested against. `state` (a dict, empty at first) keeps ``step``, ``mu_product``, ``exp_avg``,
    ``exp_avg_sq``; returns the new theta.

    >>> nadam_simple(np.zeros(2), np.array([1.0, -2.0]), {}, lr=0.1).round(4).tolist()
    [-0.1056, 0.1056]
    """
    beta1, beta2 = betas
    g = -grad if maximize else grad
    if decoupled_weight_decay:
        theta = theta * (1 - lr * weight_decay)
    else:
        g = g + weight_decay * theta
    t = state["step"] = state.get("step", 0) + 1
    mu = beta1 * (1 - 0.5 * 0.96 ** (t * momentum_decay))
    mu_next = beta1 * (1 - 0.5 * 0.96 ** ((t + 1) * momentum_decay))
    prod = state["mu_product"] = float(xp.float32(state.get("mu_product", 1.0)) * xp.float32(mu))  # as torch
    m = state["exp_avg"] = beta1 * state.get("exp_avg", xp.zeros_like(theta)) + (1 - beta1) * g
    v = state["exp_avg_sq"] = beta2 * state.get("exp_avg_sq", xp.zeros_like(theta)) + (1 - beta2) * g * g
    denom = xp.sqrt(v / (1 - beta2**t)) + eps
    return theta - lr * (1 - mu) / (1 - prod) * g / denom - lr * mu_next / (1 - prod * mu_next) * m / denom
