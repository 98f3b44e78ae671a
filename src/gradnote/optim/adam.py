"""Adam and AdamW: one implementation; AdamW is Adam with decoupled weight decay, AMSGrad a flag.

The moment updates (``_adam_moments_``) are shared with NAdam and RAdam, which differ only in the step."""

from __future__ import annotations

from collections.abc import Iterable

from .. import kernels
from ..backend import xp
from .optimizer import Optimizer, _addcdiv_, _lerp_, _square_avg_, _with_weight_decay


class Adam(Optimizer):
    r"""Adam (PyTorch's ``torch.optim.Adam`` rule); with ``decoupled_weight_decay=True`` it is AdamW.

    With lr gamma, betas (beta1, beta2), weight decay lambda and m_0 = v_0 = v^max_0 = 0::

        if decoupled_weight_decay:  theta_{t-1} <- theta_{t-1} * (1 - gamma * lambda)   (AdamW)
        else:                       g_t <- g_t + lambda * theta_{t-1}                   (L2 in the gradient)
        m_t     <- beta1 * m_{t-1} + (1 - beta1) * g_t
        v_t     <- beta2 * v_{t-1} + (1 - beta2) * g_t ** 2
        if amsgrad:  v^max_t <- max(v^max_{t-1}, v_t);  v_t <- v^max_t
        theta_t <- theta_{t-1} - gamma / (1 - beta1 ** t) * m_t / (sqrt(v_t) / sqrt(1 - beta2 ** t) + eps)

    (AMSGrad keeps the maximum of the raw v_t, as PyTorch's code does; ``maximize=True`` ascends.)
    State per parameter: ``step``, ``exp_avg``, ``exp_avg_sq`` and, with amsgrad, ``max_exp_avg_sq``.

        opt = Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.999))
    """

    def __init__(
        self,
        params: Iterable,
        lr: float = 1e-3,
        betas: tuple = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        amsgrad: bool = False,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
        capturable: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
        decoupled_weight_decay: bool = False,
    ):
        super().__init__(
            params,
            {
                "lr": lr,
                "betas": betas,
                "eps": eps,
                "weight_decay": weight_decay,
                "amsgrad": amsgrad,
                "maximize": maximize,
                "foreach": foreach,
                "capturable": capturable,
                "differentiable": differentiable,
                "fused": fused,
                "decoupled_weight_decay": decoupled_weight_decay,
            },
        )

    def _init_state(self, data, group):
        state = {"step": 0, "exp_avg": xp.zeros_like(data), "exp_avg_sq": xp.zeros_like(data)}
        if group.get("amsgrad"):
            state["max_exp_avg_sq"] = xp.zeros_like(data)
        return state

    def _begin(self, data, state, group):
        if group["amsgrad"] and state.get("max_exp_avg_sq") is None:  # amsgrad switched on after a load
            state["max_exp_avg_sq"] = xp.zeros_like(data)
        state["step"] += 1
        return state["step"]

    def _update(self, data, grad, state, group, step, tmp) -> None:
        if _compiled_adam(data, grad, state, group, step):
            return
        _adam_moments_(data, grad, state, group, tmp)
        lr, eps = group["lr"], group["eps"]
        beta1, beta2 = group["betas"]
        v = state["exp_avg_sq"]
        if group["amsgrad"]:
            v = xp.maximum(state["max_exp_avg_sq"], v, out=state["max_exp_avg_sq"])
        denom = xp.sqrt(v, out=tmp(0))
        denom /= (1 - beta2**step) ** 0.5
        denom += eps
        _addcdiv_(data, state["exp_avg"], denom, -lr / (1 - beta1**step), out=tmp(1))


def _compiled_adam(data, grad, state: dict, group: dict, step: int) -> bool:
    """Adam's update above as one compiled pass (gradnote.kernels.optim.adam: the same operations in the
    same order, so bit for bit the same result); False where it does not apply (no numba, arrays it does
    not take, hyperparameters that are NumPy scalars), and the NumPy path runs."""
    m, v = state["exp_avg"], state["exp_avg_sq"]
    v_max = state["max_exp_avg_sq"] if group["amsgrad"] else v
    fast = kernels.load("optim", data, grad, m, v, v_max)
    lr, eps, wd = group["lr"], group["eps"], group["weight_decay"]
    beta1, beta2 = group["betas"]
    if fast is None or not fast.python_numbers(lr, eps, wd, beta1, beta2):
        return False
    t, w = data.dtype.type, 1 - beta1  # w: the lerp weight of _lerp_, whose rounding the kernel repeats
    fast.adam(data.reshape(-1), grad.reshape(-1), m.reshape(-1), v.reshape(-1), v_max.reshape(-1),
              bool(group["amsgrad"]), t(1 - lr * wd), bool(wd and group["decoupled_weight_decay"]), t(wd),
              t(w if w < 0.5 else 1.0 - w), w >= 0.5, t(beta2), t(1 - beta2), t((1 - beta2**step) ** 0.5), t(eps),
              t(-lr / (1 - beta1**step)))
    return True


def _adam_moments_(data, grad, state: dict, group: dict, tmp):
    """The part Adam, NAdam and RAdam share: weight decay (decoupled: theta *= 1 - lr * lambda; else L2 in
    the gradient), m <- lerp(m, g, 1 - beta1), v <- beta2 v + (1 - beta2) g^2, in place (the step is
    counted in _begin). Returns g, the gradient after L2 decay (in scratch 1, or the incoming grad)."""
    lr, wd = group["lr"], group["weight_decay"]
    beta1, beta2 = group["betas"]
    if wd and group["decoupled_weight_decay"]:
        data *= 1 - lr * wd
        g = grad
    else:
        g = _with_weight_decay(data, grad, wd, tmp(1))
    _lerp_(state["exp_avg"], g, 1 - beta1, tmp(0))
    _square_avg_(state["exp_avg_sq"], g, beta2, tmp(0))
    return g


def adam_simple(theta, grad, state: dict, lr: float = 1e-3, betas: tuple = (0.9, 0.999), eps: float = 1e-8,
                weight_decay: float = 0.0, amsgrad: bool = False, maximize: bool = False,
                decoupled_weight_decay: bool = False):
    """One Adam (AdamW with decoupled_weight_decay) step, the rule of :class:`Adam` written literally on
    arrays: the reference its fast update is tested against. `state` (a dict, empty at first) keeps
    ``step``, ``exp_avg``, ``exp_avg_sq``, ``max_exp_avg_sq``; returns the new theta.

    >>> adam_simple(np.zeros(2), np.array([1.0, -2.0]), {}, lr=0.1).round(6).tolist()
    [-0.1, 0.1]
    """
    beta1, beta2 = betas
    g = -grad if maximize else grad
    if decoupled_weight_decay:
        theta = theta * (1 - lr * weight_decay)
    else:
        g = g + weight_decay * theta
    t = state["step"] = state.get("step", 0) + 1
    m = state["exp_avg"] = beta1 * state.get("exp_avg", xp.zeros_like(theta)) + (1 - beta1) * g
    v = state["exp_avg_sq"] = beta2 * state.get("exp_avg_sq", xp.zeros_like(theta)) + (1 - beta2) * g * g
    if amsgrad:
        v = state["max_exp_avg_sq"] = xp.maximum(state.get("max_exp_avg_sq", xp.zeros_like(theta)), v)
    return theta - lr / (1 - beta1**t) * m / (xp.sqrt(v) / xp.sqrt(1 - beta2**t) + eps)


class AdamW(Adam):
    r"""AdamW (PyTorch's ``torch.optim.AdamW`` rule): Adam with decoupled weight decay.

    The decay shrinks the weights directly, ``theta <- theta * (1 - lr * weight_decay)``, before the Adam
    step, instead of adding ``weight_decay * theta`` to the gradient (see :class:`Adam` for the full rule).

        opt = AdamW(model.parameters(), lr=1e-3, weight_decay=0.01)
    """

    def __init__(
        self,
        params: Iterable,
        lr: float = 1e-3,
        betas: tuple = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.01,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
        foreach: bool | None = None,
        capturable: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
    ):
        super().__init__(
            params,
            lr=lr,
            betas=betas,
            eps=eps,
            weight_decay=weight_decay,
            amsgrad=amsgrad,
            maximize=maximize,
            foreach=foreach,
            capturable=capturable,
            differentiable=differentiable,
            fused=fused,
            decoupled_weight_decay=True,
        )
