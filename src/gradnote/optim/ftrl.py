"""FTRL-Proximal: follow the regularised leader, per coordinate (McMahan et al., 2013), as Keras's Ftrl."""

from __future__ import annotations

from collections.abc import Iterable

from ..backend import xp
from .optimizer import Optimizer


class Ftrl(Optimizer):
    r"""FTRL-Proximal (Keras's ``Ftrl`` rule; PyTorch has none).

    With lr gamma, learning_rate_power p (-1/2: AdaGrad-like steps), L1 lambda_1, L2 lambda_2 (plus
    beta / (2 gamma)), L2 shrinkage lambda_s, accumulator n_0 = initial_accumulator_value and z_0 = 0::

        g'      <- g_t + 2 lambda_s theta_{t-1}
        n_t     <- n_{t-1} + g_t^2
        z_t     <- z_{t-1} + g' - (n_t^(-p) - n_{t-1}^(-p)) / gamma * theta_{t-1}
        theta_t <- (clip(z_t, -lambda_1, lambda_1) - z_t) / (n_t^(-p) / gamma + 2 lambda_2)

    so a coordinate whose |z_t| stays below lambda_1 is exactly 0 (sparse models).
    State per parameter: ``accumulator``, ``linear``.

    >>> opt = optim.ftrl.Ftrl([nn.Parameter(gn.zeros(3))], lr=0.1)
    >>> opt.param_groups[0]["initial_accumulator_value"]
    0.1
    """

    def __init__(self, params: Iterable, lr: float = 1e-3, learning_rate_power: float = -0.5,
                 initial_accumulator_value: float = 0.1, l1_regularization_strength: float = 0.0,
                 l2_regularization_strength: float = 0.0, l2_shrinkage_regularization_strength: float = 0.0,
                 beta: float = 0.0):
        if learning_rate_power > 0:
            raise ValueError(f"Ftrl: learning_rate_power must be <= 0, got {learning_rate_power!r}")
        for what, v in (("initial_accumulator_value", initial_accumulator_value),
                        ("l1_regularization_strength", l1_regularization_strength),
                        ("l2_regularization_strength", l2_regularization_strength),
                        ("l2_shrinkage_regularization_strength", l2_shrinkage_regularization_strength),
                        ("beta", beta)):
            if v < 0:
                raise ValueError(f"Ftrl: {what} must be >= 0, got {v!r}")
        super().__init__(params, {"lr": lr, "learning_rate_power": learning_rate_power,
                                  "initial_accumulator_value": initial_accumulator_value,
                                  "l1_regularization_strength": l1_regularization_strength,
                                  "l2_regularization_strength": l2_regularization_strength,
                                  "l2_shrinkage_regularization_strength": l2_shrinkage_regularization_strength,
                                  "beta": beta})

    def _init_state(self, data, group):
        return {"accumulator": xp.full_like(data, group["initial_accumulator_value"]), "linear": xp.zeros_like(data)}

    def _update(self, data, grad, state, group, step, tmp) -> None:
        lr, p = group["lr"], -group["learning_rate_power"]
        l1 = group["l1_regularization_strength"]
        l2 = group["l2_regularization_strength"] + group["beta"] / (2.0 * lr)
        n, z = state["accumulator"], state["linear"]
        old_pow, t = tmp(0), tmp(1)
        xp.power(n, p, out=old_pow)
        n += grad * grad
        z += grad
        if group["l2_shrinkage_regularization_strength"]:
            z += (2.0 * group["l2_shrinkage_regularization_strength"]) * data
        xp.power(n, p, out=t)
        old_pow -= t  # -(n_t^p - n_{t-1}^p)
        old_pow *= data
        old_pow /= lr
        z += old_pow
        t /= lr
        t += 2.0 * l2
        xp.clip(z, -l1, l1, out=data)
        data -= z
        data /= t


def ftrl_simple(theta, grad, state: dict, lr: float = 1e-3, learning_rate_power: float = -0.5,
                initial_accumulator_value: float = 0.1, l1: float = 0.0, l2: float = 0.0, l2_shrinkage: float = 0.0,
                beta: float = 0.0):
    """One Ftrl step written literally on arrays (the reference :class:`Ftrl` is tested against).

    >>> ftrl_simple(np.zeros(2), np.array([1.0, -2.0]), {}, lr=0.1, l1=1.5).round(4).tolist()
    [0.0, 0.0247]
    """
    n = state.get("accumulator", xp.full_like(theta, initial_accumulator_value))
    z = state.get("linear", xp.zeros_like(theta))
    l2 = l2 + beta / (2.0 * lr)
    new_n = n + grad ** 2
    z = z + grad + 2.0 * l2_shrinkage * theta - (new_n ** -learning_rate_power - n ** -learning_rate_power) / lr * theta
    state["accumulator"], state["linear"] = new_n, z
    return (xp.clip(z, -l1, l1) - z) / (new_n ** -learning_rate_power / lr + 2.0 * l2)
