"""Adagrad: per-coordinate step sizes shrinking with the sum of squared gradients."""

from __future__ import annotations

from collections.abc import Iterable

from ..autograd.inplace_array import plain
from ..backend import xp
from .optimizer import Optimizer, _addcdiv_, _with_weight_decay


class Adagrad(Optimizer):
    r"""Adagrad (PyTorch's ``torch.optim.Adagrad`` rule).

    With lr gamma, lr_decay eta, weight decay lambda and s_0 = initial_accumulator_value (every entry)::

        gamma_t <- gamma / (1 + (t - 1) * eta)
        g_t     <- g_t + lambda * theta_{t-1}             (if lambda != 0)
        s_t     <- s_{t-1} + g_t ** 2
        theta_t <- theta_{t-1} - gamma_t * g_t / (sqrt(s_t) + eps)

    State per parameter (made at construction, as in PyTorch): ``step``, ``sum``.

        opt = Adagrad(model.parameters(), lr=0.01)
    """

    def __init__(
        self,
        params: Iterable,
        lr: float = 0.01,
        lr_decay: float = 0.0,
        weight_decay: float = 0.0,
        initial_accumulator_value: float = 0.0,
        eps: float = 1e-10,
        foreach: bool | None = None,
        *,
        maximize: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
    ):
        super().__init__(
            params,
            {
                "lr": lr,
                "lr_decay": lr_decay,
                "weight_decay": weight_decay,
                "initial_accumulator_value": initial_accumulator_value,
                "eps": eps,
                "foreach": foreach,
                "maximize": maximize,
                "differentiable": differentiable,
                "fused": fused,
            },
        )
        for group in self.param_groups:  # PyTorch makes the accumulators at construction
            for p in group["params"]:
                self.state[p] = self._init_state(plain(p.data), group)

    def _init_state(self, data, group):
        return {"step": 0, "sum": xp.full_like(data, group["initial_accumulator_value"])}

    def _begin(self, data, state, group):
        state["step"] = step = state["step"] + 1
        return group["lr"] / (1 + (step - 1) * group["lr_decay"])

    def _update(self, data, grad, state, group, clr, tmp) -> None:
        g = _with_weight_decay(data, grad, group["weight_decay"], tmp(1))
        s, t0 = state["sum"], tmp(0)
        xp.multiply(g, g, out=t0)
        s += t0
        xp.sqrt(s, out=t0)
        t0 += group["eps"]
        _addcdiv_(data, g, t0, -clr, out=tmp(1))


def adagrad_simple(theta, grad, state: dict, lr: float = 0.01, lr_decay: float = 0.0, weight_decay: float = 0.0,
                   initial_accumulator_value: float = 0.0, eps: float = 1e-10, maximize: bool = False):
    """One Adagrad step, the rule of :class:`Adagrad` written literally on arrays: the reference its fast
    update is tested against. `state` (a dict, empty at first) keeps ``step``, ``sum``; returns the new
    theta.

    >>> adagrad_simple(np.zeros(2), np.array([1.0, -2.0]), {}, lr=0.1).round(6).tolist()
    [-0.1, 0.1]
    """
    g = -grad if maximize else grad
    t = state["step"] = state.get("step", 0) + 1
    g = g + weight_decay * theta
    s = state["sum"] = state.get("sum", xp.full_like(theta, initial_accumulator_value)) + g * g
    return theta - lr / (1 + (t - 1) * lr_decay) * g / (xp.sqrt(s) + eps)
