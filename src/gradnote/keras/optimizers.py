"""Keras-2-style optimiser constructors over gradnote.optim.

    adam = gn.optimizers.Adam(lr=0.001, beta_1=0.9, beta_2=0.999, epsilon=None, decay=0.0, amsgrad=False)
    model.compile(loss="categorical_crossentropy", optimizer=adam, metrics=["acc"])

A Keras optimiser is made without parameters; ``compile`` (or ``bind(params)``) attaches the
model's parameters and creates the gradnote.optim optimiser that does the work, so the update
rules are gradnote.optim's (PyTorch's). Standalone use:

    opt = gn.optimizers.SGD(lr=0.1).bind(model.parameters())      # or SGD(model.parameters(), lr=0.1)
    opt.zero_grad(); loss.backward(); opt.step()
    opt.apply_gradients(zip(grads, params))                       # Keras's way

Keras's meanings kept: ``epsilon=None`` is 1e-7; ``decay > 0`` lowers the rate after every
update as lr / (1 + decay * iterations) (an InverseTimeDecay stepped per batch); ``learning_rate``
is an alias of ``lr``; ``clipnorm`` (per parameter, as Keras), ``global_clipnorm`` (over all of
them) and ``clipvalue`` clip gradients before each update. Keras's Adam adds epsilon to sqrt(v)
before the bias correction ("epsilon hat"), PyTorch's after: step t runs optim.Adam with
eps = epsilon / sqrt(1 - beta_2**t), which is exactly Keras's update.
"""

from __future__ import annotations

import numbers

from .. import optim
from ..autograd import Tensor
from ..backend import xp
from ..io.registry import Registry
from ..nn import Parameter
from ..nn.utils import clip_grad_norm_, clip_grad_value_

__all__ = ["OPTIMIZERS", "OPTIMIZER_NAMES", "SGD", "Adagrad", "Adam", "AdamW", "Optimizer", "RMSprop", "get"]

KERAS_EPSILON = 1e-7


class Optimizer:
    """Base of the Keras-style wrappers: holds hyperparameters until parameters are bound."""

    def __init__(self, lr, decay: float = 0.0, clipnorm: float | None = None, clipvalue: float | None = None,
                 learning_rate: float | None = None, params=None, global_clipnorm: float | None = None, **hyper):
        name = type(self).__name__
        if lr is not None and not isinstance(lr, numbers.Real):  # Adam(model.parameters(), lr=...) also works
            params, lr = lr, None
        lr = learning_rate if learning_rate is not None else lr
        lr = self.default_lr if lr is None else lr
        if not isinstance(lr, numbers.Real) or lr < 0:
            raise ValueError(f"{name}: lr must be a number >= 0, got {lr!r}")
        if not isinstance(decay, numbers.Real) or decay < 0:
            raise ValueError(f"{name}: decay must be a number >= 0, got {decay!r}")
        for what, v in (("clipnorm", clipnorm), ("clipvalue", clipvalue), ("global_clipnorm", global_clipnorm)):
            if v is not None and (not isinstance(v, numbers.Real) or v <= 0):
                raise ValueError(f"{name}: {what} must be a positive number or None, got {v!r}")
        self.lr0, self.decay, self.clipnorm, self.clipvalue = float(lr), float(decay), clipnorm, clipvalue
        self.global_clipnorm = global_clipnorm
        self.hyper = hyper
        self._opt = None
        self._schedule = None
        self._make(None)  # validate the hyperparameters now, not at compile
        if params is not None:
            self.bind(params)

    default_lr = 0.01

    def _make(self, params):
        """The gradnote.optim optimiser for `params` (None: only check the hyperparameters)."""
        raise NotImplementedError

    # ----- binding -----------------------------------------------------------------------
    @property
    def bound(self) -> bool:
        return self._opt is not None

    def bind(self, params) -> Optimizer:
        """Attach parameters (a fresh optimiser state) and return self."""
        self._opt = self._make(list(params))
        self._schedule = optim.lr_scheduler.InverseTimeDecay(self._opt, decay=self.decay) if self.decay else None
        return self

    def _require(self, what: str):
        if self._opt is None:
            raise RuntimeError(f"{type(self).__name__}.{what}: no parameters yet; pass it to model.compile or "
                               "call .bind(model.parameters()) first")
        return self._opt

    # ----- the optim.Optimizer interface --------------------------------------------------
    @property
    def param_groups(self) -> list:
        return self._require("param_groups").param_groups

    @property
    def optimizer(self):
        """The underlying gradnote.optim optimiser."""
        return self._require("optimizer")

    def zero_grad(self) -> None:
        self._require("zero_grad").zero_grad()

    def step(self) -> None:
        opt = self._require("step")
        params = [p for g in opt.param_groups for p in g["params"]]
        if self.clipvalue is not None:
            clip_grad_value_(params, self.clipvalue)
        if self.clipnorm is not None:  # Keras clips each gradient by its own norm
            for p in params:
                clip_grad_norm_([p], self.clipnorm)
        if self.global_clipnorm is not None:
            clip_grad_norm_(params, self.global_clipnorm)
        self._before_step(opt)
        opt.step()
        if self._schedule is not None:
            self._schedule.step()

    def _before_step(self, opt) -> None:
        pass

    def apply_gradients(self, grads_and_vars) -> None:
        """Keras: set each variable's gradient and take one step (binds on first use)."""
        pairs = list(grads_and_vars)
        if not self.bound:
            self.bind([v for _, v in pairs])
        for g, v in pairs:
            v.grad = g.data if isinstance(g, Tensor) else xp.asarray(g, dtype=v.data.dtype)
        self.step()

    def minimize(self, loss, var_list) -> None:
        """Keras: gradients of `loss` (a scalar Tensor, or a function returning one) w.r.t. var_list, then a step."""
        var_list = list(var_list)
        if not self.bound:
            self.bind(var_list)
        for v in var_list:
            v.grad = None
        (loss() if callable(loss) else loss).backward()
        self.step()

    def state_dict(self) -> dict:
        return {"optimizer": self._require("state_dict").state_dict(),
                "schedule": self._schedule.state_dict() if self._schedule is not None else None}

    def load_state_dict(self, state: dict) -> None:
        self._require("load_state_dict").load_state_dict(state["optimizer"])
        if self._schedule is not None and state.get("schedule") is not None:
            self._schedule.load_state_dict(state["schedule"])

    # ----- Keras attributes ---------------------------------------------------------------
    @property
    def lr(self) -> float:
        return self.param_groups[0]["lr"] if self.bound else self.lr0

    @lr.setter
    def lr(self, value: float) -> None:
        if self.bound:
            for g in self.param_groups:
                g["lr"] = value
                g["initial_lr"] = value
            if self._schedule is not None:
                self._schedule.base_lrs = [value] * len(self.param_groups)
        self.lr0 = float(value)

    learning_rate = lr

    def get_config(self) -> dict:
        return {"lr": self.lr0, "decay": self.decay, "clipnorm": self.clipnorm, "clipvalue": self.clipvalue,
                "global_clipnorm": self.global_clipnorm, **self.hyper}

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(f'{k}={v!r}' for k, v in self.get_config().items())})"


class SGD(Optimizer):
    """Keras SGD(lr=0.01, momentum=0.0, decay=0.0, nesterov=False) -> optim.SGD (PyTorch's momentum rule)."""

    def __init__(self, lr=0.01, momentum: float = 0.0, decay: float = 0.0, nesterov: bool = False, **kw):
        super().__init__(lr, decay=decay, momentum=momentum, nesterov=nesterov, **kw)

    def _make(self, params):
        return _build(optim.SGD, params, lr=self.lr0, momentum=self.hyper["momentum"],
                      nesterov=self.hyper["nesterov"])


class Adam(Optimizer):
    """Keras Adam(lr=0.001, beta_1=0.9, beta_2=0.999, epsilon=None, decay=0.0, amsgrad=False) -> optim.Adam."""

    default_lr = 0.001

    def __init__(self, lr=0.001, beta_1: float = 0.9, beta_2: float = 0.999, epsilon: float | None = None,
                 decay: float = 0.0, amsgrad: bool = False, **kw):
        super().__init__(lr, decay=decay, beta_1=beta_1, beta_2=beta_2,
                         epsilon=KERAS_EPSILON if epsilon is None else epsilon, amsgrad=amsgrad, **kw)

    def _make(self, params):
        h = self.hyper
        return _build(optim.Adam, params, lr=self.lr0, betas=(h["beta_1"], h["beta_2"]), eps=h["epsilon"],
                      amsgrad=h["amsgrad"])

    def _before_step(self, opt) -> None:
        _epsilon_hat(opt, self.hyper["epsilon"])


class AdamW(Optimizer):
    """Keras AdamW(lr=0.001, weight_decay=0.004, beta_1, beta_2, epsilon=None, amsgrad) -> optim.AdamW."""

    default_lr = 0.001

    def __init__(self, lr=0.001, weight_decay: float = 0.004, beta_1: float = 0.9, beta_2: float = 0.999,
                 epsilon: float | None = None, decay: float = 0.0, amsgrad: bool = False, **kw):
        super().__init__(lr, decay=decay, weight_decay=weight_decay, beta_1=beta_1, beta_2=beta_2,
                         epsilon=KERAS_EPSILON if epsilon is None else epsilon, amsgrad=amsgrad, **kw)

    def _before_step(self, opt) -> None:
        _epsilon_hat(opt, self.hyper["epsilon"])

    def _make(self, params):
        h = self.hyper
        return _build(optim.AdamW, params, lr=self.lr0, betas=(h["beta_1"], h["beta_2"]), eps=h["epsilon"],
                      weight_decay=h["weight_decay"], amsgrad=h["amsgrad"])


class RMSprop(Optimizer):
    """Keras RMSprop(lr=0.001, rho=0.9, epsilon=None, decay=0.0) -> optim.RMSprop(alpha=rho)."""

    default_lr = 0.001

    def __init__(self, lr=0.001, rho: float = 0.9, epsilon: float | None = None, decay: float = 0.0,
                 momentum: float = 0.0, **kw):
        super().__init__(lr, decay=decay, rho=rho, epsilon=KERAS_EPSILON if epsilon is None else epsilon,
                         momentum=momentum, **kw)

    def _make(self, params):
        h = self.hyper
        return _build(optim.RMSprop, params, lr=self.lr0, alpha=h["rho"], eps=h["epsilon"], momentum=h["momentum"])


class Adagrad(Optimizer):
    """Keras Adagrad(lr=0.01, initial_accumulator_value=0.1, epsilon=None, decay=0.0) -> optim.Adagrad
    (the same rule: p -= lr * g / (sqrt(sum of g^2) + epsilon))."""

    def __init__(self, lr=0.01, initial_accumulator_value: float = 0.1, epsilon: float | None = None,
                 decay: float = 0.0, **kw):
        super().__init__(lr, decay=decay, initial_accumulator_value=initial_accumulator_value,
                         epsilon=KERAS_EPSILON if epsilon is None else epsilon, **kw)

    def _make(self, params):
        return _build(optim.Adagrad, params, lr=self.lr0, eps=self.hyper["epsilon"],
                      initial_accumulator_value=self.hyper["initial_accumulator_value"])


def _epsilon_hat(opt, epsilon: float) -> None:
    """Keras's Adam divides by sqrt(v_t) + epsilon with v_t not bias-corrected; optim.Adam by
    sqrt(v_t / (1 - beta_2**t)) + eps. Both agree when eps = epsilon / sqrt(1 - beta_2**t)."""
    for group in opt.param_groups:
        steps = [opt.state[p]["step"] for p in group["params"] if p in opt.state and "step" in opt.state[p]]
        t = max(steps, default=0) + 1
        group["eps"] = epsilon / (1 - group["betas"][1] ** t) ** 0.5


def _build(cls, params, **kw):
    """cls(params, **kw); with params None, build on a dummy parameter so bad hyperparameters fail early."""
    if params is None:
        params = [Parameter(xp.zeros(1, dtype=xp.float32))]
    return cls(params, **kw)


OPTIMIZERS = Registry("optimizer", passes=(Optimizer, optim.Optimizer))
"""Every optimiser name -> its Keras class (Keras's defaults); configs give Keras's arguments."""
for _cls in (SGD, Adam, AdamW, RMSprop, Adagrad):
    OPTIMIZERS.register(_cls.__name__.lower(), _cls)
OPTIMIZER_NAMES = OPTIMIZERS.names()


def get(identifier):
    """An optimiser from a name ("adam", Keras's defaults), a config ({"name": "adam", "lr": 1e-3} or Keras's
    {"class_name": "Adam", "config": {...}}) or an instance (a Keras or gradnote.optim optimiser, as is).

    >>> get({"name": "sgd", "lr": 0.5}).lr
    0.5
    """
    return OPTIMIZERS.get(identifier)
