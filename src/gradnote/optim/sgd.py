"""Stochastic gradient descent, with optional (Nesterov) momentum and L2 weight decay."""

from __future__ import annotations

from collections.abc import Iterable

from .. import kernels
from ..backend import xp
from .optimizer import Optimizer, _with_weight_decay


def sgd_simple(theta, grad, state: dict, lr: float, momentum: float = 0.0, dampening: float = 0.0,
               weight_decay: float = 0.0, nesterov: bool = False, maximize: bool = False):
    """One SGD step, the rule of :class:`SGD` written literally on arrays (fresh ones, no scratch): the
    reference its fast update is tested against. `state` (a dict) keeps ``momentum_buffer``; returns the
    new theta.

    >>> sgd_simple(np.ones(2), np.ones(2), {}, lr=0.5, momentum=0.9).tolist()
    [0.5, 0.5]
    """
    g = -grad if maximize else grad
    g = g + weight_decay * theta
    if momentum:
        b = state.get("momentum_buffer")
        b = state["momentum_buffer"] = g if b is None else momentum * b + (1 - dampening) * g
        g = g + momentum * b if nesterov else b
    return theta - lr * g


class SGD(Optimizer):
    r"""Stochastic gradient descent (PyTorch's ``torch.optim.SGD`` rule).

    For each step t = 1, 2, ... with gradient g_t, learning rate lr, momentum mu, dampening tau and
    weight decay lambda::

        g_t <- g_t + lambda * theta_{t-1}                 (if lambda != 0)
        b_t <- g_t                          if t == 1     (if mu != 0)
        b_t <- mu * b_{t-1} + (1 - tau) * g_t   otherwise
        g_t <- g_t + mu * b_t  if nesterov  else  b_t
        theta_t <- theta_{t-1} - lr * g_t

    Note the velocity holds gradients, not steps (v = mu v + g; theta -= lr v), unlike Sutskever et al.
    momentum=0 is plain SGD; ``maximize=True`` ascends. State per parameter: ``momentum_buffer``. Arguments
    in PyTorch's order (``weight_decay`` before ``nesterov``).

        opt = SGD(model.parameters(), lr=0.1, momentum=0.9, nesterov=True)
    """

    def __init__(
        self,
        params: Iterable,
        lr: float = 1e-3,
        momentum: float = 0.0,
        dampening: float = 0.0,
        weight_decay: float = 0.0,
        nesterov: bool = False,
        *,
        maximize: bool = False,
        foreach: bool | None = None,
        differentiable: bool = False,
        fused: bool | None = None,
    ):
        super().__init__(
            params,
            {
                "lr": lr,
                "momentum": momentum,
                "dampening": dampening,
                "weight_decay": weight_decay,
                "nesterov": nesterov,
                "maximize": maximize,
                "foreach": foreach,
                "differentiable": differentiable,
                "fused": fused,
            },
        )

    def _check_group(self, group: dict) -> None:
        super()._check_group(group)
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError(
                f"SGD: Nesterov momentum requires a momentum and zero dampening, got momentum={group['momentum']!r}, "
                f"dampening={group['dampening']!r}"
            )

    def _begin(self, data, state, group):
        if group["momentum"] and state.get("momentum_buffer") is None:
            state["momentum_buffer"] = xp.empty_like(data)
            return True  # the first step copies the gradient into the buffer
        return False

    def _update(self, data, grad, state, group, first, tmp) -> None:
        lr, mu = group["lr"], group["momentum"]
        buf = state["momentum_buffer"] if mu else data  # the kernel leaves `buf` alone without momentum
        fast = kernels.load("optim", data, grad, buf)
        if fast is not None and fast.python_numbers(lr, mu, group["dampening"], group["weight_decay"]):
            t = data.dtype.type  # one compiled pass, the operations below in their order: bit for bit the same
            fast.sgd(data.reshape(-1), grad.reshape(-1), buf.reshape(-1), t(group["weight_decay"]), t(mu), first,
                     t(1.0 - group["dampening"]), bool(group["nesterov"]), t(lr))
            return
        g = _with_weight_decay(data, grad, group["weight_decay"], tmp(1))
        if mu:
            buf = state["momentum_buffer"]
            if first:
                xp.copyto(buf, g)
            else:
                buf *= mu
                damp = 1.0 - group["dampening"]
                if damp == 1.0:
                    buf += g
                else:
                    xp.multiply(g, damp, out=tmp(0))
                    buf += tmp(0)
            if group["nesterov"]:
                look_ahead = xp.multiply(buf, mu, out=tmp(0))
                look_ahead += g
                g = look_ahead
            else:
                g = buf
        step = xp.multiply(g, lr, out=tmp(0))
        data -= step
