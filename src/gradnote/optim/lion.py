"""Lion: the sign of an interpolated momentum as the update (Chen et al., 2023, "Symbolic Discovery of
Optimization Algorithms")."""

from __future__ import annotations

from collections.abc import Iterable

from ..backend import xp
from .optimizer import Optimizer, _lerp_


class Lion(Optimizer):
    r"""Lion (EvoLved Sign Momentum).

    With lr gamma, betas (beta1, beta2), decoupled weight decay lambda, m_0 = 0::

        theta_{t-1} <- theta_{t-1} * (1 - gamma * lambda)            (if lambda != 0)
        theta_t     <- theta_{t-1} - gamma * sign(beta1 * m_{t-1} + (1 - beta1) * g_t)
        m_t         <- beta2 * m_{t-1} + (1 - beta2) * g_t

    Every coordinate moves by exactly gamma, so Lion wants a rate 3-10 times below AdamW's.
    State per parameter: ``exp_avg``.

    >>> opt = optim.lion.Lion([nn.Parameter(gn.zeros(3))], lr=1e-4)
    >>> opt.param_groups[0]["betas"]
    (0.9, 0.99)
    """

    def __init__(self, params: Iterable, lr: float = 1e-4, betas: tuple = (0.9, 0.99), weight_decay: float = 0.0,
                 *, maximize: bool = False):
        super().__init__(params, {"lr": lr, "betas": betas, "weight_decay": weight_decay, "maximize": maximize})

    def _init_state(self, data, group):
        return {"exp_avg": xp.zeros_like(data)}

    def _begin(self, data, state, group):
        return None

    def _update(self, data, grad, state, group, step, tmp) -> None:
        beta1, beta2 = group["betas"]
        if group["weight_decay"]:
            data *= 1 - group["lr"] * group["weight_decay"]
        m, c, t = state["exp_avg"], tmp(0), tmp(1)
        xp.multiply(m, beta1, out=c)
        xp.multiply(grad, 1 - beta1, out=t)
        c += t
        xp.sign(c, out=c)
        c *= group["lr"]
        data -= c
        _lerp_(m, grad, 1 - beta2, t)


def lion_simple(theta, grad, state: dict, lr: float = 1e-4, betas: tuple = (0.9, 0.99), weight_decay: float = 0.0):
    """One Lion step written literally on arrays (the reference :class:`Lion` is tested against).

    >>> lion_simple(np.zeros(2), np.array([1.0, -2.0]), {}, lr=0.1).tolist()
    [-0.1, 0.1]
    """
    m = state.get("exp_avg", xp.zeros_like(theta))
    theta = theta * (1 - lr * weight_decay) - lr * xp.sign(betas[0] * m + (1 - betas[0]) * grad)
    state["exp_avg"] = betas[1] * m + (1 - betas[1]) * grad
    return theta
