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

    def _begin(self, data, state, group):
        for key, wanted in (("momentum_buffer", group["momentum"] > 0), ("grad_avg", group["centered"])):
            if wanted and state.get(key) is None:  # switched on after a load
                state[key] = xp.zeros_like(data)
        state["step"] += 1

    def _update(self, data, grad, state, group, _, tmp) -> None:
        alpha = group["alpha"]
        g = _with_weight_decay(data, grad, group["weight_decay"], tmp(1))
        v, t0 = state["square_avg"], tmp(0)
        _square_avg_(v, g, alpha, t0)
        if group["centered"]:
            ga = state["grad_avg"]
            _lerp_(ga, g, 1 - alpha, t0)
            xp.multiply(ga, ga, out=t0)
            xp.subtract(v, t0, out=t0)
            xp.sqrt(t0, out=t0)
        else:
            xp.sqrt(v, out=t0)
        t0 += group["eps"]
        if group["momentum"] > 0:
            buf = state["momentum_buffer"]
            buf *= group["momentum"]
            _addcdiv_(buf, g, t0, 1.0, out=tmp(1))
            xp.multiply(buf, group["lr"], out=t0)
            data -= t0
        else:
            _addcdiv_(data, g, t0, -group["lr"], out=tmp(1))


def rmsprop_simple(theta, grad, state: dict, lr: float = 0.01, alpha: float = 0.99, eps: float = 1e-8,
                   weight_decay: float = 0.0, momentum: float = 0.0, centered: bool = False, maximize: bool = False):
    """One RMSprop step, the rule of :class:`RMSprop` written literally on arrays: the reference its fast
    update is tested against. `state` (a dict, empty at first) keeps ``step``, ``square_avg``,
    ``grad_avg``, ``momentum_buffer``; returns the new theta.

    >>> rmsprop_simple(np.zeros(2), np.array([1.0, -2.0]), {}, lr=0.01, alpha=0.75).round(6).tolist()
    [-0.02, 0.02]
    """
    g = -grad if maximize else grad
    g = g + weight_decay * theta
    state["step"] = state.get("step", 0) + 1
    v = state["square_avg"] = alpha * state.get("square_avg", xp.zeros_like(theta)) + (1 - alpha) * g * g
    if centered:
        g_ave = state["grad_avg"] = alpha * state.get("grad_avg", xp.zeros_like(theta)) + (1 - alpha) * g
        v = v - g_ave * g_ave
    if momentum > 0:
        b = state["momentum_buffer"] = momentum * state.get("momentum_buffer", xp.zeros_like(theta)) + \
            g / (xp.sqrt(v) + eps)
        return theta - lr * b
    return theta - lr * g / (xp.sqrt(v) + eps)
