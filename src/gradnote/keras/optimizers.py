"""Keras-2-style optimisers as factories over gradnote.optim: ``Adam(lr=...)`` IS an optim.Adam, bound late.

    adam = gn.optimizers.Adam(lr=0.001, beta_1=0.9, beta_2=0.999, epsilon=None, decay=0.0, amsgrad=False)
    model.compile(loss="categorical_crossentropy", optimizer=adam, metrics=["acc"])

A Keras optimiser is made without parameters; ``compile`` (or ``bind(params)``) attaches the
model's parameters, which runs the gradnote.optim constructor on it, so the update rules, state
and state_dict are gradnote.optim's (PyTorch's). Standalone use:

    opt = gn.optimizers.SGD(lr=0.1).bind(model.parameters())      # or SGD(model.parameters(), lr=0.1)
    opt.zero_grad(); loss.backward(); opt.step()
    opt.apply_gradients(zip(grads, params))                       # Keras's way

Keras's meanings kept, as step pre-hooks (optim.Optimizer.register_step_pre_hook): ``clipnorm`` (per
parameter, as Keras), ``global_clipnorm`` (over all of them) and ``clipvalue`` clip gradients before
each update; ``decay > 0`` updates with lr / (1 + decay * iterations) (iterations: updates before this
one, kept in each param group, so it is saved with the state). ``epsilon=None`` is 1e-7;
``learning_rate`` is an alias of ``lr``. Keras's Adam adds epsilon to sqrt(v) before the bias
correction ("epsilon hat"), PyTorch's after: step t runs optim.Adam with eps = epsilon /
sqrt(1 - beta_2**t), which is exactly Keras's update.

``learning_rate`` may be a schedule (keras.optimizers.schedules, gradnote.train.schedules): before each
update it is evaluated at ``iterations`` (updates made so far), as Keras does. ``keras.optimizers.legacy``
holds the same classes under Keras 2.11+'s legacy path.
"""

from __future__ import annotations

import numbers
import sys
import types

from .. import optim
from ..autograd import Tensor
from ..backend import xp
from ..io.registry import Registry
from ..nn import Parameter
from ..nn.utils import clip_grad_norm_, clip_grad_value_
from ..optim.ftrl import Ftrl as _OptimFtrl
from ..optim.lion import Lion as _OptimLion
from ..train.schedules import LearningRateSchedule, get_lr_schedule
from . import schedules

__all__ = ["OPTIMIZERS", "OPTIMIZER_NAMES", "SGD", "Adadelta", "Adagrad", "Adam", "AdamW", "Adamax", "Ftrl", "Lion", "Nadam",
           "Optimizer", "RMSprop", "get", "legacy", "schedules"]

KERAS_EPSILON = 1e-7


class Rate(float):
    """An optimiser's learning rate as a number that remembers its optimiser (Keras's rate is a variable:
    keras.backend.set_value(model.optimizer.learning_rate, 1e-4) sets it).

    >>> rate = Rate(0.1, None); rate * 2, rate.optimizer is None
    (0.2, True)
    """

    def __new__(cls, value, optimizer):
        rate = super().__new__(cls, float(value))
        rate.optimizer = optimizer
        return rate

    def __reduce__(self):  # copies and pickles are the plain number
        return (float, (float(self),))


class Optimizer:
    """What a Keras optimiser adds to its gradnote.optim class (the next base): Keras's arguments held until
    parameters are bound, clipping and decay as step pre-hooks. Subclasses set ``default_lr`` and map
    their hyperparameters onto the optim class's arguments in ``_optim_args``."""

    default_lr = 0.01

    def __init__(self, lr=None, hyper: dict | None = None, *, decay: float = 0.0, clipnorm: float | None = None,
                 clipvalue: float | None = None, learning_rate: float | None = None, params=None,
                 global_clipnorm: float | None = None, name: str | None = None, weight_decay: float | None = None,
                 use_ema: bool = False, loss_scale_factor=None, gradient_accumulation_steps=None, **unknown):
        cls = type(self).__name__
        for what, value in (("use_ema", use_ema), ("loss_scale_factor", loss_scale_factor),
                            ("gradient_accumulation_steps", gradient_accumulation_steps)):
            if value:
                raise ValueError(f"{cls}: {what}={value!r} is not supported (leave it at its default)")
        for what in ("ema_momentum", "ema_overwrite_frequency", "jit_compile"):  # meaningful only with the above
            unknown.pop(what, None)
        if unknown:
            raise TypeError(f"{cls}: unexpected arguments {sorted(unknown)} (Keras's arguments: lr/learning_rate, "
                            f"{', '.join(hyper or {})}, decay, clipnorm, clipvalue, global_clipnorm)")
        if lr is not None and not isinstance(lr, (numbers.Real, LearningRateSchedule, dict)):
            params, lr = lr, None  # Adam(model.parameters(), lr=...) also works
        lr = learning_rate if learning_rate is not None else lr
        lr = self.default_lr if lr is None else lr
        self.schedule = get_lr_schedule(lr) if isinstance(lr, (LearningRateSchedule, dict)) else None
        if self.schedule is not None:
            if decay:
                raise ValueError(f"{cls}: decay and a learning-rate schedule cannot be combined, got decay={decay!r}")
            lr = float(self.schedule(0))
        if not isinstance(lr, numbers.Real) or lr < 0:
            raise ValueError(f"{cls}: lr must be a number >= 0 or a schedule, got {lr!r}")
        if isinstance(decay, bool):  # SGD(0.1, 0.9, True) is Keras 3's nesterov=True; here the third place is decay
            raise ValueError(f"{cls}: decay must be a number >= 0, got {decay!r}; the positional order is Keras 2's "
                             "(lr, momentum, decay, nesterov ...): pass Keras 3's flags by keyword (nesterov=True)")
        if not isinstance(decay, numbers.Real) or decay < 0:
            raise ValueError(f"{cls}: decay must be a number >= 0, got {decay!r}")
        for what, v in (("clipnorm", clipnorm), ("clipvalue", clipvalue), ("global_clipnorm", global_clipnorm)):
            if v is not None and (not isinstance(v, numbers.Real) or v <= 0):
                raise ValueError(f"{cls}: {what} must be a positive number or None, got {v!r}")
        if weight_decay is not None and (not isinstance(weight_decay, numbers.Real) or weight_decay < 0):
            raise ValueError(f"{cls}: weight_decay must be a number >= 0 or None, got {weight_decay!r}")
        self.weight_decay = weight_decay or None  # Keras 3's decoupled decay, for the classes without their own
        self.lr0, self.decay, self.clipnorm, self.clipvalue = float(lr), float(decay), clipnorm, clipvalue
        self.global_clipnorm, self.hyper, self._handles = global_clipnorm, dict(hyper or {}), []
        self._optim_class()([Parameter(xp.zeros(1, dtype=xp.float32))], **self._optim_args())  # bad values fail now
        if params is not None:
            self.bind(params)

    def _optim_class(self) -> type:
        return next(c for c in type(self).__mro__ if issubclass(c, optim.Optimizer) and c.__module__.startswith(
            "gradnote.optim"))

    def _optim_args(self) -> dict:
        raise NotImplementedError

    # ----- binding -----------------------------------------------------------------------
    @property
    def bound(self) -> bool:
        return "param_groups" in self.__dict__

    def bind(self, params) -> Optimizer:
        """Attach parameters (the optim constructor runs: a fresh state) and return self."""
        for handle in self._handles:
            handle.remove()
        self._optim_class().__init__(self, list(params), **self._optim_args())
        for group in self.param_groups:
            group["initial_lr"], group["iterations"] = self.lr0, 0
        self._handles = [self.register_step_pre_hook(hook) for hook in self._pre_step_hooks()]
        return self

    def _pre_step_hooks(self) -> list:
        hooks = [_clip] if (self.clipnorm, self.clipvalue, self.global_clipnorm) != (None, None, None) else []
        return hooks + [_decay] + ([_decoupled_weight_decay] if self.weight_decay else [])

    def _require(self, what: str) -> None:
        if not self.bound:
            raise RuntimeError(f"{type(self).__name__}.{what}: no parameters yet; pass it to model.compile or "
                               "call .bind(model.parameters()) first")

    def zero_grad(self, set_to_none: bool = True) -> None:
        self._require("zero_grad")
        super().zero_grad(set_to_none)

    def step(self, closure=None):
        self._require("step")
        return super().step(closure)

    def state_dict(self) -> dict:
        self._require("state_dict")
        return super().state_dict()

    def load_state_dict(self, state_dict: dict) -> None:
        self._require("load_state_dict")
        super().load_state_dict(state_dict)

    def apply_gradients(self, grads_and_vars) -> None:
        """Keras: set each variable's gradient and take one step (binds on first use)."""
        pairs = list(grads_and_vars)
        if not self.bound:
            self.bind([v for _, v in pairs])
        for g, v in pairs:
            v.grad = g.data if isinstance(g, Tensor) else xp.asarray(g, dtype=v.data.dtype)
        self.step()

    def apply(self, grads, trainable_variables=None) -> None:
        """Keras 3: one step with `grads` for `trainable_variables` (default: the bound parameters, in order)."""
        grads = list(grads)
        if trainable_variables is None:
            self._require("apply")
            trainable_variables = [p for g in self.param_groups for p in g["params"]]
        self.apply_gradients(zip(grads, trainable_variables))

    def build(self, variables) -> None:
        """Keras 3: make the state for `variables` (binds them)."""
        self.bind(variables)

    def minimize(self, loss, var_list) -> None:
        """Keras: gradients of `loss` (a scalar Tensor, or a function returning one) w.r.t. var_list, then a step."""
        var_list = list(var_list)
        if not self.bound:
            self.bind(var_list)
        for v in var_list:
            v.grad = None
        (loss() if callable(loss) else loss).backward()
        self.step()

    # ----- Keras attributes ---------------------------------------------------------------
    @property
    def lr(self) -> float:
        """The rate of the next update (with decay: lr / (1 + decay * iterations)), as a Rate: a float that
        keras.backend.set_value(optimizer.lr, value) sets, as Keras 2 programs do."""
        if not self.bound:
            return Rate(self.lr0, self)
        g = self.param_groups[0]
        if self.schedule is not None:
            return Rate(self.schedule(g["iterations"]), self)
        return Rate(g["initial_lr"] / (1 + self.decay * g["iterations"]) if self.decay else g["lr"], self)

    @lr.setter
    def lr(self, value: float) -> None:
        if self.schedule is not None:
            raise TypeError(f"{type(self).__name__}: the learning rate is the schedule {self.schedule!r}; it "
                            "cannot be set to a number")
        if self.bound:
            for g in self.param_groups:
                g["lr"] = g["initial_lr"] = value
        self.lr0 = float(value)

    learning_rate = lr

    @property
    def iterations(self) -> int:
        """Updates made so far (Keras's optimizer.iterations)."""
        return self.param_groups[0]["iterations"] if self.bound else 0

    def get_config(self) -> dict:
        lr = self.lr0 if self.schedule is None else {"class_name": type(self.schedule).__name__,
                                                     "config": self.schedule.get_config()}
        wd = {"weight_decay": self.weight_decay} if self.weight_decay else {}
        return {"lr": lr, "decay": self.decay, "clipnorm": self.clipnorm, "clipvalue": self.clipvalue,
                "global_clipnorm": self.global_clipnorm, **wd, **self.hyper}

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(f'{k}={v!r}' for k, v in self.get_config().items())})"


def _clip(opt, args, kwargs) -> None:
    """Keras's clipping before each update: clipvalue, clipnorm per gradient, global_clipnorm over all."""
    params = [p for g in opt.param_groups for p in g["params"] if p.grad is not None]
    if opt.clipvalue is not None:
        clip_grad_value_(params, opt.clipvalue)
    if opt.clipnorm is not None:
        for p in params:
            clip_grad_norm_([p], opt.clipnorm)
    if opt.global_clipnorm is not None:
        clip_grad_norm_(params, opt.global_clipnorm)


def _decay(opt, args, kwargs) -> None:
    """Keras 2's decay: update t (from 0) runs at lr / (1 + decay * t), with a schedule at schedule(t);
    counts the updates either way."""
    for g in opt.param_groups:
        if opt.schedule is not None:
            g["lr"] = float(opt.schedule(g["iterations"]))
        elif opt.decay:
            g["lr"] = g["initial_lr"] / (1 + opt.decay * g["iterations"])
        g["iterations"] += 1


def _decoupled_weight_decay(opt, args, kwargs) -> None:
    """Keras 3's weight_decay= on any optimiser: w -= lr * weight_decay * w before the update (as AdamW)."""
    for g in opt.param_groups:
        for p in g["params"]:
            if p.grad is not None:
                p.data -= (g["lr"] * opt.weight_decay) * p.data


def _epsilon_hat(opt, args, kwargs) -> None:
    """Keras's Adam divides by sqrt(v_t) + epsilon with v_t not bias-corrected; optim.Adam by
    sqrt(v_t / (1 - beta_2**t)) + eps. Both agree when eps = epsilon / sqrt(1 - beta_2**t)."""
    for group in opt.param_groups:
        steps = [opt.state[p]["step"] for p in group["params"] if p in opt.state and "step" in opt.state[p]]
        t = max(steps, default=0) + 1
        group["eps"] = opt.hyper["epsilon"] / (1 - group["betas"][1] ** t) ** 0.5


# _POSITIONAL_ORDER: the optimisers take Keras 2's positional order, which the contract (API.md) fixes
# (Adam(lr, beta_1, beta_2, epsilon, decay, amsgrad)); Keras 3's learning_rate=, weight_decay= and flags such as
# nesterov= are keywords. Keras 3 code passes them by name, as keras-io does.


class SGD(Optimizer, optim.SGD):
    """Keras SGD(lr=0.01, momentum=0.0, decay=0.0, nesterov=False, *, weight_decay=None)
    (Keras 2's positional order; see _POSITIONAL_ORDER)
    -> optim.SGD (PyTorch's momentum rule, the same trajectory as Keras's for a constant rate)."""

    def __init__(self, lr=0.01, momentum: float = 0.0, decay: float = 0.0, nesterov: bool = False, *,
                 weight_decay=None, **kw):
        super().__init__(lr, {"momentum": momentum, "nesterov": nesterov}, decay=decay,
                         weight_decay=weight_decay, **kw)

    def _optim_args(self) -> dict:
        return {"lr": self.lr0, "momentum": self.hyper["momentum"], "nesterov": self.hyper["nesterov"]}


class Adam(Optimizer, optim.Adam):
    """Keras Adam(lr=0.001, beta_1=0.9, beta_2=0.999, epsilon=None (1e-7), decay=0.0, amsgrad=False, *,
    weight_decay=None)
    (Keras 2's positional order; see _POSITIONAL_ORDER) -> optim.Adam."""

    default_lr = 0.001

    def __init__(self, lr=0.001, beta_1: float = 0.9, beta_2: float = 0.999, epsilon: float | None = None,
                 decay: float = 0.0, amsgrad: bool = False, *, weight_decay=None, **kw):
        super().__init__(lr, {"beta_1": beta_1, "beta_2": beta_2, "epsilon": KERAS_EPSILON
                                                    if epsilon is None else epsilon, "amsgrad": amsgrad},
                         decay=decay, weight_decay=weight_decay, **kw)

    def _optim_args(self) -> dict:
        h = self.hyper
        return {"lr": self.lr0, "betas": (h["beta_1"], h["beta_2"]), "eps": h["epsilon"], "amsgrad": h["amsgrad"]}

    def _pre_step_hooks(self) -> list:
        return [*super()._pre_step_hooks(), _epsilon_hat]


class AdamW(Adam, optim.AdamW):
    """Keras AdamW(learning_rate=0.001, weight_decay=0.004, beta_1, beta_2, epsilon=None, amsgrad) ->
    optim.AdamW."""

    def __init__(self, lr=0.001, weight_decay: float = 0.004, beta_1: float = 0.9, beta_2: float = 0.999,
                 epsilon: float | None = None, decay: float = 0.0, amsgrad: bool = False, **kw):
        self._weight_decay = weight_decay
        super().__init__(lr, beta_1, beta_2, epsilon, decay, amsgrad, **kw)
        self.hyper = {"weight_decay": weight_decay, **self.hyper}

    def _optim_args(self) -> dict:
        return {**super()._optim_args(), "weight_decay": self._weight_decay}


class RMSprop(Optimizer, optim.RMSprop):
    """Keras RMSprop(lr=0.001, rho=0.9, epsilon=None (1e-7), decay=0.0, momentum=0.0, centered=False, *,
    weight_decay=None) (Keras 2's positional order; see _POSITIONAL_ORDER) -> optim.RMSprop(alpha=rho)
    (PyTorch adds epsilon after the square root, Keras 3 under it: the same to within epsilon = 1e-7)."""

    default_lr = 0.001

    def __init__(self, lr=0.001, rho: float = 0.9, epsilon: float | None = None, decay: float = 0.0,
                 momentum: float = 0.0, centered: bool = False, *, weight_decay=None, **kw):
        super().__init__(lr, {"rho": rho, "epsilon": KERAS_EPSILON if epsilon is None
                                                    else epsilon, "momentum": momentum,
                                                    "centered": bool(centered)},
                         decay=decay, weight_decay=weight_decay, **kw)

    def _optim_args(self) -> dict:
        h = self.hyper
        return {"lr": self.lr0, "alpha": h["rho"], "eps": h["epsilon"], "momentum": h["momentum"],
                "centered": h["centered"]}


class Adagrad(Optimizer, optim.Adagrad):
    """Keras Adagrad(lr=0.01, initial_accumulator_value=0.1, epsilon=None, decay=0.0, *, weight_decay=None)
    (Keras 2's positional order; see _POSITIONAL_ORDER; Keras 3's default rate is 0.001, 0.01 is Keras 2's, kept) -> optim.Adagrad
    (the same rule: p -= lr * g / (sqrt(sum of g^2) + epsilon))."""

    def __init__(self, lr=0.01, initial_accumulator_value: float = 0.1, epsilon: float | None = None,
                 decay: float = 0.0, *, weight_decay=None, **kw):
        super().__init__(lr, {"initial_accumulator_value": initial_accumulator_value,
                                                    "epsilon": KERAS_EPSILON if epsilon is None else epsilon},
                         decay=decay, weight_decay=weight_decay, **kw)

    def _optim_args(self) -> dict:
        return {"lr": self.lr0, "eps": self.hyper["epsilon"],
                "initial_accumulator_value": self.hyper["initial_accumulator_value"]}


class Adadelta(Optimizer, optim.Adadelta):
    """Keras Adadelta(lr=1.0 (Keras 2's default; Keras 3's is 0.001), rho=0.95, epsilon=None, decay=0.0, *,
    weight_decay=None)
    (Keras 2's positional order; see _POSITIONAL_ORDER) -> optim.Adadelta (the same rule: the step
    is g * sqrt(mean of squared steps + epsilon) / sqrt(mean of g^2 + epsilon), times lr)."""

    default_lr = 1.0

    def __init__(self, lr=1.0, rho: float = 0.95, epsilon: float | None = None, decay: float = 0.0, *,
                 weight_decay=None, **kw):
        super().__init__(lr, {"rho": rho, "epsilon": KERAS_EPSILON if epsilon is None
                                                    else epsilon}, decay=decay, weight_decay=weight_decay, **kw)

    def _optim_args(self) -> dict:
        return {"lr": self.lr0, "rho": self.hyper["rho"], "eps": self.hyper["epsilon"]}


class Nadam(Optimizer, optim.NAdam):
    """Keras Nadam(learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=None) -> optim.NAdam (Keras's
    momentum schedule mu_t = beta_1 * (1 - 0.96 ** (0.004 t) / 2) is PyTorch's with momentum_decay=0.004)."""

    default_lr = 0.001

    def __init__(self, lr=0.001, beta_1: float = 0.9, beta_2: float = 0.999, epsilon: float | None = None,
                 weight_decay=None, **kw):
        super().__init__(lr, {"beta_1": beta_1, "beta_2": beta_2, "epsilon": KERAS_EPSILON
                                                    if epsilon is None else epsilon}, weight_decay=weight_decay, **kw)

    def _optim_args(self) -> dict:
        h = self.hyper
        return {"lr": self.lr0, "betas": (h["beta_1"], h["beta_2"]), "eps": h["epsilon"], "momentum_decay": 0.004}


class Adamax(Optimizer, optim.Adamax):
    """Keras Adamax(learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=None) -> optim.Adamax. Keras adds
    epsilon to the infinity norm at the division, PyTorch inside the max; with epsilon = 1e-7 the two
    differ only where |g| is below it."""

    default_lr = 0.001

    def __init__(self, lr=0.001, beta_1: float = 0.9, beta_2: float = 0.999, epsilon: float | None = None,
                 weight_decay=None, **kw):
        super().__init__(lr, {"beta_1": beta_1, "beta_2": beta_2, "epsilon": KERAS_EPSILON
                                                    if epsilon is None else epsilon}, weight_decay=weight_decay, **kw)

    def _optim_args(self) -> dict:
        h = self.hyper
        return {"lr": self.lr0, "betas": (h["beta_1"], h["beta_2"]), "eps": h["epsilon"]}


class Lion(Optimizer, _OptimLion):
    """Keras Lion(learning_rate=0.001, beta_1=0.9, beta_2=0.99, weight_decay=None) -> optim.lion.Lion."""

    default_lr = 0.001

    def __init__(self, lr=0.001, beta_1: float = 0.9, beta_2: float = 0.99,
                 weight_decay: float | None = None, **kw):
        super().__init__(lr, {"beta_1": beta_1, "beta_2": beta_2, "weight_decay": weight_decay or 0.0}, **kw)

    def _optim_args(self) -> dict:
        h = self.hyper
        return {"lr": self.lr0, "betas": (h["beta_1"], h["beta_2"]), "weight_decay": h["weight_decay"]}


class Ftrl(Optimizer, _OptimFtrl):
    """Keras Ftrl(learning_rate=0.001, learning_rate_power=-0.5, initial_accumulator_value=0.1,
    l1_regularization_strength=0.0, l2_regularization_strength=0.0, l2_shrinkage_regularization_strength=0.0,
    beta=0.0) -> optim.ftrl.Ftrl (the same rule)."""

    default_lr = 0.001

    def __init__(self, lr=0.001, learning_rate_power: float = -0.5, initial_accumulator_value: float = 0.1,
                 l1_regularization_strength: float = 0.0, l2_regularization_strength: float = 0.0,
                 l2_shrinkage_regularization_strength: float = 0.0, beta: float = 0.0, weight_decay=None, **kw):
        super().__init__(lr, {"learning_rate_power": learning_rate_power,
                              "initial_accumulator_value": initial_accumulator_value,
                              "l1_regularization_strength": l1_regularization_strength,
                              "l2_regularization_strength": l2_regularization_strength,
                              "l2_shrinkage_regularization_strength": l2_shrinkage_regularization_strength,
                              "beta": beta}, weight_decay=weight_decay, **kw)

    def _optim_args(self) -> dict:
        return {"lr": self.lr0, **self.hyper}


OPTIMIZERS = Registry("optimizer", passes=(Optimizer, optim.Optimizer))
"""Every optimiser name -> its Keras class (Keras's defaults); configs give Keras's arguments."""
for _cls in (SGD, Adam, AdamW, RMSprop, Adagrad, Adadelta, Nadam, Adamax, Lion, Ftrl):
    OPTIMIZERS.register(_cls.__name__.lower(), _cls)
OPTIMIZER_NAMES = OPTIMIZERS.names()

# Keras 2.11+ moved the old optimisers to keras.optimizers.legacy; here they are the same classes
legacy = types.ModuleType(f"{__name__}.legacy", "Keras 2.11+'s keras.optimizers.legacy: the same classes.")
for _cls in (SGD, Adam, AdamW, RMSprop, Adagrad, Adadelta, Nadam, Adamax, Ftrl, Optimizer):
    setattr(legacy, _cls.__name__, _cls)
sys.modules[legacy.__name__] = legacy
sys.modules[f"{__name__}.schedules"] = schedules  # from keras.optimizers.schedules import ExponentialDecay


def get(identifier):
    """An optimiser from a name ("adam", Keras's defaults), a config ({"name": "adam", "lr": 1e-3} or Keras's
    {"class_name": "Adam", "config": {...}}) or an instance (a Keras or gradnote.optim optimiser, as is).

    >>> get({"name": "sgd", "lr": 0.5}).lr
    0.5
    """
    return OPTIMIZERS.get(identifier)
