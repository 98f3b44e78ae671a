"""ASGD: stochastic gradient descent with a decaying rate and a running (Polyak-Ruppert) average of the iterates
(Polyak & Juditsky, 1992)."""

from __future__ import annotations

from collections.abc import Iterable

from ..backend import xp
from .optimizer import Optimizer, _with_weight_decay


class ASGD(Optimizer):
    r"""Averaged SGD (PyTorch's ``torch.optim.ASGD`` rule).

    With lr gamma, decay lambd, power alpha, averaging start t0, weight decay w, eta_0 = gamma, mu_0 = 1::

        g_t      <- g_t + w * theta_{t-1}                              (if w != 0)
        theta_t  <- theta_{t-1} * (1 - lambd * eta_{t-1}) - eta_{t-1} * g_t
        ax_t     <- ax_{t-1} + mu_{t-1} * (theta_t - ax_{t-1})         (ax_t = theta_t while mu = 1)
        eta_t    <- gamma / (1 + lambd * gamma * t) ** alpha
        mu_t     <- 1 / max(1, t - t0)

    The parameters follow plain (decaying) SGD; ``ax`` is the average, to be read from the state.
    State per parameter: ``step``, ``eta``, ``mu`` (Python floats) and ``ax``.

    >>> opt = optim.ASGD([nn.Parameter(gn.zeros(3))])
    >>> opt.param_groups[0]["lambd"], opt.param_groups[0]["t0"]
    (0.0001, 1000000.0)
    """

    def __init__(self, params: Iterable, lr: float = 1e-2, lambd: float = 1e-4, alpha: float = 0.75, t0: float = 1e6,
                 weight_decay: float = 0.0, foreach: bool | None = None, maximize: bool = False,
                 differentiable: bool = False, capturable: bool = False):
        super().__init__(params, {"lr": lr, "lambd": lambd, "alpha": alpha, "t0": t0, "weight_decay": weight_decay,
                                  "foreach": foreach, "maximize": maximize, "differentiable": differentiable,
                                  "capturable": capturable})

    def _init_state(self, data, group):
        return {"step": 0, "eta": float(group["lr"]), "mu": 1.0, "ax": xp.zeros_like(data)}

    def _begin(self, data, state, group):
        """Count the step and move eta and mu on to the next step's values; returns this step's (eta, mu)."""
        coeffs = state["eta"], state["mu"]
        t = state["step"] = state["step"] + 1
        lr, lambd = group["lr"], group["lambd"]
        state["eta"] = lr / (1 + lambd * lr * t) ** group["alpha"]
        state["mu"] = 1 / max(1, t - group["t0"])
        return coeffs

    _scalar_state = ("step", "eta", "mu")

    def _update(self, data, grad, state, group, coeffs, tmp) -> None:
        eta, mu = coeffs
        g = _with_weight_decay(data, grad, group["weight_decay"], tmp(1))
        data *= 1 - group["lambd"] * eta
        xp.multiply(g, eta, out=tmp(0))
        data -= tmp(0)
        if mu != 1:  # rounded as torch's ax.add_(param.sub(ax).mul_(mu))
            ax, t = state["ax"], tmp(0)
            xp.subtract(data, ax, out=t)
            t *= mu
            ax += t
        else:
            state["ax"][...] = data


def asgd_simple(theta, grad, state: dict, lr: float = 1e-2, lambd: float = 1e-4, alpha: float = 0.75,
                t0: float = 1e6, weight_decay: float = 0.0, maximize: bool = False):
    """One ASGD step, the rule of :class:`ASGD` written literally on arrays (the reference its fast update is
    tested against). `state` (a dict, empty at first) keeps ``step``, ``eta``, ``mu``, ``ax``; returns theta.

    >>> asgd_simple(np.zeros(2), np.array([1.0, -2.0]), {}, lr=0.1).round(6).tolist()
    [-0.1, 0.2]
    """
    g = -grad if maximize else grad
    g = g + weight_decay * theta
    eta, mu = state.get("eta", lr), state.get("mu", 1.0)
    t = state["step"] = state.get("step", 0) + 1
    theta = theta * (1 - lambd * eta) - eta * g
    ax = state.get("ax", xp.zeros_like(theta))
    state["ax"] = ax + mu * (theta - ax)
    state["eta"] = lr / (1 + lambd * lr * t) ** alpha
    state["mu"] = 1 / max(1, t - t0)
    return theta
