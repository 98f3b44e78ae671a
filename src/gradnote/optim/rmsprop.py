"""RMSprop: divide the gradient by a running root-mean-square of recent gradients."""

from __future__ import annotations

from collections.abc import Iterable

from ..backend import xp
from .optimizer import Optimizer, _addcdiv_, _lerp_, _square_avg_, _with_weight_decay


class RMSprop(Optimizer):
    r"""RMSprop (PyTorch's ``torch.optim.RMSprop`` rule; eps is added after the square root).

    With lr gamma, smoothing alpha, momentum mu, weight decay lambda, v_0 = b_0 = g^ave_0 = 0::

        g_t      <- g_t + lambda * theta_{t-1}                 (if lambda != 0)
        v_t      <- alpha * v_{t-1} + (1 - alpha) * g_t ** 2
        v~_t     <- v_t
        if centered:  g^ave_t <- alpha * g^ave_{t-1} + (1 - alpha) * g_t;   v~_t <- v~_t - (g^ave_t) ** 2
        if mu > 0:    b_t <- mu * b_{t-1} + g_t / (sqrt(v~_t) + eps);        theta_t <- theta_{t-1} - gamma * b_t
        else:         theta_t <- theta_{t-1} - gamma * g_t / (sqrt(v~_t) + eps)

    State per parameter: ``step``, ``square_avg``, and ``momentum_buffer`` / ``grad_avg`` when used.

        opt = RMSprop(model.parameters(), lr=0.01, alpha=0.99)
    """

    def __init__(
        self,
        params: Iterable,
        lr: float = 0.01,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        momentum: float = 0.0,
        centered: bool = False,
        capturable: bool = False,
        foreach: bool | None = None,
        maximize: bool = False,
        differentiable: bool = False,
    ):
        super().__init__(
            params,
            {
                "lr": lr,
                "alpha": alpha,
                "eps": eps,
                "weight_decay": weight_decay,
                "momentum": momentum,
                "centered": centered,
                "capturable": capturable,
                "foreach": foreach,
                "maximize": maximize,
                "differentiable": differentiable,
            },
        )

    def _init_state(self, data, group):
        state = {"step": 0, "square_avg": xp.zeros_like(data)}
        if group["momentum"] > 0:
            state["momentum_buffer"] = xp.zeros_like(data)
        if group["centered"]:
            state["grad_avg"] = xp.zeros_like(data)
        return state

    def _update(self, data, grad, state, group, param) -> None:
        state["step"] += 1
        alpha = group["alpha"]
        g = _with_weight_decay(self, data, grad, group["weight_decay"], param)
        v, tmp = state["square_avg"], self._tmp(param, 0)
        _square_avg_(v, g, alpha, tmp)
        if group["centered"]:
            ga = state.get("grad_avg")
            if ga is None:
                ga = state["grad_avg"] = xp.zeros_like(data)
            _lerp_(ga, g, 1 - alpha, tmp)
            xp.multiply(ga, ga, out=tmp)
            xp.subtract(v, tmp, out=tmp)
            xp.sqrt(tmp, out=tmp)
        else:
            xp.sqrt(v, out=tmp)
        tmp += group["eps"]
        if group["momentum"] > 0:
            buf = state.get("momentum_buffer")
            if buf is None:
                buf = state["momentum_buffer"] = xp.zeros_like(data)
            buf *= group["momentum"]
            _addcdiv_(buf, g, tmp, 1.0, out=self._tmp(param, 1))
            xp.multiply(buf, group["lr"], out=tmp)
            data -= tmp
        else:
            _addcdiv_(data, g, tmp, -group["lr"], out=self._tmp(param, 1))
