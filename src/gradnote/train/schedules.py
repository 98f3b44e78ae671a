"""Learning-rate schedules by name: the one registry of gradnote.optim.lr_scheduler's classes, and
Keras's step schedules (rate = schedule(update count), not bound to an optimizer).

    sched = gn.train.schedules.get({"name": "StepLR", "step_size": 10, "gamma": 0.5}, optimizer)
    rate = ExponentialDecay(0.1, decay_steps=1000, decay_rate=0.9)(step)     # Keras's, a closed form

Names are the classes' (PyTorch's: StepLR, CosineAnnealingLR, ..., and Keras 2's optimizer decay
InverseTimeDecay), taken from lr_scheduler itself, so a new schedule there is known here, to the
command line and to configs without another table. Keras's schedules (keras.optimizers.schedules)
are their own family, LR_SCHEDULES, because they are functions of the step rather than objects that
step an optimizer; a Keras optimizer given one evaluates it before every update at its iteration count.
"""

from __future__ import annotations

import math
import numbers

from ..io.registry import Configurable, Registry
from ..optim import lr_scheduler

__all__ = ["LR_SCHEDULES", "SCHEDULES", "CosineDecay", "CosineDecayRestarts", "ExponentialDecay",
           "InverseTimeDecay", "LearningRateSchedule", "PiecewiseConstantDecay", "PolynomialDecay", "get",
           "get_lr_schedule"]

SCHEDULES = Registry("schedule", build=lambda entry, config, name, optimizer=None: _make(entry, name, config,
                                                                                         optimizer),
                     passes=(lr_scheduler.LRScheduler,))
for _name in lr_scheduler.__all__:
    _cls = getattr(lr_scheduler, _name)
    if isinstance(_cls, type) and issubclass(_cls, lr_scheduler.LRScheduler) and _cls is not lr_scheduler.LRScheduler:
        SCHEDULES.register(_name, _cls)


def _make(cls, name: str, config: dict, optimizer):
    if optimizer is None:
        raise TypeError(f"schedules.get({name!r}): a schedule is made on an optimizer; pass optimizer=")
    return cls(optimizer, **config)


def get(identifier, optimizer=None):
    """The schedule for a name or config dict, made on `optimizer`; a schedule object is returned as is.

    >>> opt = gn.optim.SGD([gn.nn.Parameter(gn.zeros(1))], lr=1.0)
    >>> get({"name": "StepLR", "step_size": 2}, opt).step_size
    2
    """
    return SCHEDULES.get(identifier, optimizer=optimizer)


# ----- Keras's step schedules: lr = schedule(step), step = updates made so far -----------------------------------
def _number(cls: str, what: str, v, low: float = 0.0, strict: bool = False) -> float:
    if not isinstance(v, numbers.Real) or isinstance(v, bool) or (v <= low if strict else v < low):
        raise ValueError(f"{cls}: {what} must be a number {'>' if strict else '>='} {low:g}, got {v!r}")
    return float(v)


class LearningRateSchedule(Configurable):
    """Keras's schedule base: ``schedule(step) -> rate`` for step = 0, 1, ... (updates made so far).
    Subclasses define ``__call__`` and ``get_config`` (the constructor's arguments)."""

    def __call__(self, step) -> float:
        raise NotImplementedError

    def get_config(self) -> dict:
        raise NotImplementedError


class ExponentialDecay(LearningRateSchedule):
    """lr = initial_learning_rate * decay_rate ** (step / decay_steps) (the exponent floored if staircase).

    >>> ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5)(20)
    0.025
    """

    def __init__(self, initial_learning_rate: float, decay_steps: int, decay_rate: float, staircase: bool = False,
                 name: str = "ExponentialDecay"):
        self.initial_learning_rate = _number("ExponentialDecay", "initial_learning_rate", initial_learning_rate)
        self.decay_steps = _number("ExponentialDecay", "decay_steps", decay_steps, strict=True)
        self.decay_rate = _number("ExponentialDecay", "decay_rate", decay_rate)
        self.staircase, self.name = bool(staircase), name

    def __call__(self, step) -> float:
        p = float(step) / self.decay_steps
        return self.initial_learning_rate * self.decay_rate ** (math.floor(p) if self.staircase else p)

    def get_config(self) -> dict:
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "decay_rate": self.decay_rate, "staircase": self.staircase, "name": self.name}


class InverseTimeDecay(LearningRateSchedule):
    """lr = initial_learning_rate / (1 + decay_rate * step / decay_steps) (the ratio floored if staircase).

    >>> InverseTimeDecay(0.1, decay_steps=1, decay_rate=0.5)(2)
    0.05
    """

    def __init__(self, initial_learning_rate: float, decay_steps: int, decay_rate: float, staircase: bool = False,
                 name: str = "InverseTimeDecay"):
        self.initial_learning_rate = _number("InverseTimeDecay", "initial_learning_rate", initial_learning_rate)
        self.decay_steps = _number("InverseTimeDecay", "decay_steps", decay_steps, strict=True)
        self.decay_rate = _number("InverseTimeDecay", "decay_rate", decay_rate)
        self.staircase, self.name = bool(staircase), name

    def __call__(self, step) -> float:
        p = float(step) / self.decay_steps
        return self.initial_learning_rate / (1 + self.decay_rate * (math.floor(p) if self.staircase else p))

    def get_config(self) -> dict:
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "decay_rate": self.decay_rate, "staircase": self.staircase, "name": self.name}


class PiecewiseConstantDecay(LearningRateSchedule):
    """values[0] while step <= boundaries[0], values[i] while boundaries[i-1] < step <= boundaries[i],
    values[-1] after the last boundary (len(values) == len(boundaries) + 1).

    >>> PiecewiseConstantDecay([10, 20], [1.0, 0.5, 0.1])(15)
    0.5
    """

    def __init__(self, boundaries, values, name: str = "PiecewiseConstant"):
        boundaries, values = list(boundaries), list(values)
        if len(values) != len(boundaries) + 1:
            raise ValueError(f"PiecewiseConstantDecay: values must have one more element than boundaries, got "
                             f"{len(boundaries)} boundaries and {len(values)} values")
        if any(b >= a for a, b in zip(boundaries[1:], boundaries)):
            raise ValueError(f"PiecewiseConstantDecay: boundaries must increase, got {boundaries}")
        self.boundaries, self.values, self.name = boundaries, values, name

    def __call__(self, step) -> float:
        return float(self.values[sum(1 for b in self.boundaries if step > b)])

    def get_config(self) -> dict:
        return {"boundaries": self.boundaries, "values": self.values, "name": self.name}


class PolynomialDecay(LearningRateSchedule):
    """lr = (initial - end) * (1 - s / decay_steps) ** power + end, s = min(step, decay_steps); with cycle
    decay_steps grows to the next multiple of itself above step instead.

    >>> PolynomialDecay(1.0, decay_steps=4, end_learning_rate=0.0)(1)
    0.75
    """

    def __init__(self, initial_learning_rate: float, decay_steps: int, end_learning_rate: float = 0.0001,
                 power: float = 1.0, cycle: bool = False, name: str = "PolynomialDecay"):
        self.initial_learning_rate = _number("PolynomialDecay", "initial_learning_rate", initial_learning_rate)
        self.decay_steps = _number("PolynomialDecay", "decay_steps", decay_steps, strict=True)
        self.end_learning_rate = _number("PolynomialDecay", "end_learning_rate", end_learning_rate)
        self.power, self.cycle, self.name = float(power), bool(cycle), name

    def __call__(self, step) -> float:
        step, steps = float(step), self.decay_steps
        if self.cycle:
            steps = steps * max(1.0, math.ceil(step / steps))
        else:
            step = min(step, steps)
        start, end = self.initial_learning_rate, self.end_learning_rate
        return (start - end) * (1 - step / steps) ** self.power + end

    def get_config(self) -> dict:
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "end_learning_rate": self.end_learning_rate, "power": self.power, "cycle": self.cycle,
                "name": self.name}


def _cosine(fraction: float, alpha: float) -> float:
    """(1 - alpha) * (1 + cos(pi * fraction)) / 2 + alpha: the half cosine from 1 down to alpha."""
    return (1 - alpha) * 0.5 * (1 + math.cos(math.pi * fraction)) + alpha


class CosineDecay(LearningRateSchedule):
    """Optional linear warmup from initial_learning_rate to warmup_target over warmup_steps, then a
    cosine from there (initial_learning_rate without warmup) down to alpha times it over decay_steps,
    constant after (Keras 3's CosineDecay; SGDR without restarts):

        lr = peak * ((1 - alpha) * (1 + cos(pi * min(s, decay_steps) / decay_steps)) / 2 + alpha)

    >>> CosineDecay(1.0, decay_steps=10, alpha=0.1)(10)
    0.1
    """

    def __init__(self, initial_learning_rate: float, decay_steps: int, alpha: float = 0.0, name: str = "CosineDecay",
                 warmup_target: float | None = None, warmup_steps: int = 0):
        self.initial_learning_rate = _number("CosineDecay", "initial_learning_rate", initial_learning_rate)
        self.decay_steps = _number("CosineDecay", "decay_steps", decay_steps, strict=True)
        self.alpha = _number("CosineDecay", "alpha", alpha)
        self.warmup_steps = _number("CosineDecay", "warmup_steps", warmup_steps)
        self.warmup_target = None if warmup_target is None else _number("CosineDecay", "warmup_target",
                                                                         warmup_target)
        self.name = name

    def __call__(self, step) -> float:
        step = float(step)
        if self.warmup_target is None:
            return self.initial_learning_rate * _cosine(min(step, self.decay_steps) / self.decay_steps, self.alpha)
        step = min(step, self.decay_steps + self.warmup_steps)
        if step < self.warmup_steps:
            start = self.initial_learning_rate
            return start + (self.warmup_target - start) * step / self.warmup_steps
        return self.warmup_target * _cosine((step - self.warmup_steps) / self.decay_steps, self.alpha)

    def get_config(self) -> dict:
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "alpha": self.alpha, "name": self.name, "warmup_target": self.warmup_target,
                "warmup_steps": self.warmup_steps}


class CosineDecayRestarts(LearningRateSchedule):
    """SGDR (Loshchilov & Hutter): cosine periods, the first first_decay_steps long, each next t_mul times
    longer and m_mul times lower; within a period lr = initial * m_mul**i * cosine part, as Keras.

    >>> CosineDecayRestarts(1.0, first_decay_steps=10, t_mul=1.0)(10)
    1.0
    """

    def __init__(self, initial_learning_rate: float, first_decay_steps: int, t_mul: float = 2.0, m_mul: float = 1.0,
                 alpha: float = 0.0, name: str = "SGDRDecay"):
        self.initial_learning_rate = _number("CosineDecayRestarts", "initial_learning_rate", initial_learning_rate)
        self.first_decay_steps = _number("CosineDecayRestarts", "first_decay_steps", first_decay_steps, strict=True)
        self.t_mul = _number("CosineDecayRestarts", "t_mul", t_mul, strict=True)
        self.m_mul = _number("CosineDecayRestarts", "m_mul", m_mul)
        self.alpha, self.name = _number("CosineDecayRestarts", "alpha", alpha), name

    def __call__(self, step) -> float:
        fraction = float(step) / self.first_decay_steps
        if self.t_mul == 1.0:
            i = math.floor(fraction)
            fraction -= i
        else:  # periods 1, t, t^2, ...: period i starts at (1 - t^i) / (1 - t)
            i = math.floor(math.log(1 - fraction * (1 - self.t_mul)) / math.log(self.t_mul))
            start = (1 - self.t_mul ** i) / (1 - self.t_mul)
            fraction = (fraction - start) / self.t_mul ** i
        cos = 0.5 * self.m_mul ** i * (1 + math.cos(math.pi * fraction))
        return self.initial_learning_rate * ((1 - self.alpha) * cos + self.alpha)

    def get_config(self) -> dict:
        return {"initial_learning_rate": self.initial_learning_rate, "first_decay_steps": self.first_decay_steps,
                "t_mul": self.t_mul, "m_mul": self.m_mul, "alpha": self.alpha, "name": self.name}


LR_SCHEDULES = Registry("learning rate schedule", passes=(LearningRateSchedule,))
"""Keras's step schedules by class name ({"class_name": "ExponentialDecay", "config": {...}} as Keras saves)."""
for _cls in (ExponentialDecay, InverseTimeDecay, PiecewiseConstantDecay, PolynomialDecay, CosineDecay,
             CosineDecayRestarts):
    LR_SCHEDULES.register(_cls.__name__, _cls)


def get_lr_schedule(identifier):
    """A Keras step schedule from a config dict or an instance (as is).

    >>> get_lr_schedule({"class_name": "PolynomialDecay", "config": {"initial_learning_rate": 1.0,
    ...                  "decay_steps": 2, "end_learning_rate": 0.0}})(1)
    0.5
    """
    return LR_SCHEDULES.get(identifier)
