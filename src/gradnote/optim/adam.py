"""Adam and AdamW: one implementation; AdamW is Adam with decoupled weight decay, AMSGrad a flag.

The moment updates (``_adam_moments_``) are shared with NAdam and RAdam, which differ only in the step."""

from __future__ import annotations

from collections.abc import Iterable

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

    def _update(self, data, grad, state, group, param) -> None:
        step, _ = _adam_moments_(self, data, grad, state, group, param)
        lr, eps = group["lr"], group["eps"]
        beta1, beta2 = group["betas"]
        v, tmp = state["exp_avg_sq"], self._tmp(param, 0)
        if group["amsgrad"]:
            vmax = state.get("max_exp_avg_sq")
            if vmax is None:
                vmax = state["max_exp_avg_sq"] = xp.zeros_like(data)
            xp.maximum(vmax, v, out=vmax)
            v = vmax
        denom = xp.sqrt(v, out=tmp)
        denom /= (1 - beta2**step) ** 0.5
        denom += eps
        _addcdiv_(data, state["exp_avg"], denom, -lr / (1 - beta1**step), out=self._tmp(param, 1))


def _adam_moments_(opt: Optimizer, data, grad, state: dict, group: dict, param):
    """The part Adam, NAdam and RAdam share: weight decay (decoupled: theta *= 1 - lr * lambda; else L2 in
    the gradient), step += 1, m <- lerp(m, g, 1 - beta1), v <- beta2 v + (1 - beta2) g^2, in place.
    Returns (step, g), g the gradient after L2 decay (in scratch buffer 1, or the incoming grad)."""
    lr, wd = group["lr"], group["weight_decay"]
    beta1, beta2 = group["betas"]
    if wd and group["decoupled_weight_decay"]:
        data *= 1 - lr * wd
        g = grad
    else:
        g = _with_weight_decay(opt, data, grad, wd, param)
    state["step"] = step = state["step"] + 1
    tmp = opt._tmp(param, 0)
    _lerp_(state["exp_avg"], g, 1 - beta1, tmp)
    _square_avg_(state["exp_avg_sq"], g, beta2, tmp)
    return step, g


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
