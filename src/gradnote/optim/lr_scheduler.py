"""Learning-rate schedules: change each param group's ``"lr"`` as training goes on (PyTorch's semantics).

    sched = StepLR(opt, step_size=30, gamma=0.1)
    for epoch in range(100):
        train_one_epoch(); sched.step()

As in PyTorch: constructing a scheduler sets the rate for t = 0 (``last_epoch`` becomes 0) and records
each group's starting rate as ``group["initial_lr"]`` (``base_lrs``); each ``step()`` advances t by one.
Most schedules are *chainable*, as PyTorch's: ``get_lr()`` scales the group's current rate (StepLR multiplies
it by gamma at every step_size-th step), so two schedulers on one optimiser compose, a rate written by hand
carries on, and the values equal PyTorch's to the last bit. ``step(epoch)`` (deprecated in PyTorch) jumps to
an epoch using the closed form where one exists. LambdaLR, CosineAnnealingWarmRestarts, CyclicLR,
OneCycleLR, InverseTimeDecay and LinearWarmup are closed forms of t and ``base_lrs``.
"""

from __future__ import annotations

import math
import types
import warnings
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Iterable, Sequence

from .optimizer import Optimizer

__all__ = [
    "ChainedScheduler",
    "ConstantLR",
    "CosineAnnealingLR",
    "CosineAnnealingWarmRestarts",
    "CyclicLR",
    "ExponentialLR",
    "InverseTimeDecay",
    "LRScheduler",
    "LambdaLR",
    "LinearLR",
    "LinearWarmup",
    "MultiStepLR",
    "MultiplicativeLR",
    "OneCycleLR",
    "PolynomialLR",
    "ReduceLROnPlateau",
    "SequentialLR",
    "StepLR",
]

_TORCH_ONLY_KEYS = {"_get_lr_called_within_step", "verbose"}  # in PyTorch's state dicts; meaningless here


def _check_optimizer(name: str, optimizer) -> None:
    if not hasattr(optimizer, "param_groups"):
        raise TypeError(f"{name}: expected an Optimizer, got {type(optimizer).__name__}")


def _per_group(name: str, what: str, optimizer, value) -> list:
    """One value per param group: a list/tuple of that length, or one value repeated."""
    n = len(optimizer.param_groups)
    if isinstance(value, (list, tuple)):
        if len(value) != n:
            raise ValueError(f"{name}: expected {n} {what} values (one per param group), got {len(value)}")
        return list(value)
    return [value] * n


def _positive(name: str, what: str, value, strict: bool = True) -> None:
    if not (value > 0 if strict else value >= 0):
        raise ValueError(f"{name}: {what} must be {'>' if strict else '>='} 0, got {value!r}")


def _positive_int(name: str, what: str, value) -> None:
    if not (isinstance(value, int) and value >= 1):
        raise ValueError(f"{name}: {what} must be an integer >= 1, got {value!r}")


def _set_momentum(group: dict, use_beta1: bool, momentum: float) -> None:
    """CyclicLR/OneCycleLR cycle SGD's ``momentum`` or, for Adam-like rules, ``betas[0]``."""
    if use_beta1:
        group["betas"] = (momentum, *group["betas"][1:])
    else:
        group["momentum"] = momentum


class LRScheduler:
    """Base class: subclasses define ``get_lr()``, the rates at ``self.last_epoch``, and optionally
    ``_get_closed_form_lr()`` for ``step(epoch)``.

    ``last_epoch``: t, the number of ``step()`` calls since t = 0; ``base_lrs``: each group's initial rate.
    While the constructor takes the first step, ``self._is_initial`` is True (chainable rules keep the rate).
    """

    def __init__(self, optimizer: Optimizer, last_epoch: int = -1):
        name = type(self).__name__
        _check_optimizer(name, optimizer)
        self.optimizer = optimizer
        if last_epoch == -1:
            for group in optimizer.param_groups:
                group.setdefault("initial_lr", group["lr"])
        else:
            missing = [i for i, g in enumerate(optimizer.param_groups) if "initial_lr" not in g]
            if missing:
                raise KeyError(
                    f"{name}: last_epoch={last_epoch} resumes a schedule, but param group(s) "
                    f"{missing} have no 'initial_lr' (construct with last_epoch=-1 to start afresh)"
                )
        self.base_lrs = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        self._initial_step()

    def _initial_step(self) -> None:
        self._step_count = 0
        self._is_initial = True
        try:
            self.step()
        finally:
            self._is_initial = False

    def get_lr(self) -> list:
        """The rate of every group at the current ``last_epoch``."""
        raise NotImplementedError

    def _group_lrs(self) -> list:
        return [group["lr"] for group in self.optimizer.param_groups]

    def step(self, epoch: int | None = None) -> None:
        """Advance t by one (or, deprecated, jump to ``epoch``) and write the new rate into every param group."""
        self._step_count += 1
        if epoch is not None:
            warnings.warn(
                f"{type(self).__name__}.step(epoch) is deprecated (as in PyTorch); call step() once per epoch",
                UserWarning,
                stacklevel=2,
            )
        self._update_lr(epoch)

    def _update_lr(self, epoch: int | None = None) -> None:
        if epoch is None:
            self.last_epoch += 1
            values = self.get_lr()
        else:
            self.last_epoch = epoch
            closed = getattr(self, "_get_closed_form_lr", None)
            values = closed() if closed is not None else self.get_lr()
        for group, lr in zip(self.optimizer.param_groups, values):
            group["lr"] = lr
        self._last_lr = self._group_lrs()

    def get_last_lr(self) -> list:
        """The rates last set by ``step()`` (one per param group)."""
        return list(self._last_lr)

    def state_dict(self) -> dict:
        """Plain data: every attribute except the optimizer (PyTorch's layout)."""
        return {k: (list(v) if isinstance(v, list) else v) for k, v in self.__dict__.items() if k != "optimizer"}

    def load_state_dict(self, state_dict: dict) -> None:
        unknown = sorted(set(state_dict) - set(self.__dict__) - _TORCH_ONLY_KEYS)
        if unknown:
            raise ValueError(f"{type(self).__name__}.load_state_dict: unexpected keys {unknown}")
        self.__dict__.update(
            {k: (list(v) if isinstance(v, (list, tuple)) else v) for k, v in state_dict.items() if k not in _TORCH_ONLY_KEYS}
        )

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.state_dict().items() if not k.startswith("_"))
        return f"{type(self).__name__}({args})"


# ------------------------------------------------------------------------------------------- multiplicative
class _LambdaState:
    """state_dict for lr_lambda lists, as PyTorch: functions are not saved, callable objects save __dict__."""

    def state_dict(self) -> dict:
        state = {k: v for k, v in self.__dict__.items() if k not in ("optimizer", "lr_lambdas")}
        state["lr_lambdas"] = [None if isinstance(fn, types.FunctionType) else dict(fn.__dict__) for fn in self.lr_lambdas]
        return state

    def load_state_dict(self, state_dict: dict) -> None:
        state_dict = dict(state_dict)
        saved = state_dict.pop("lr_lambdas", [None] * len(self.lr_lambdas))
        LRScheduler.load_state_dict(self, state_dict)
        for fn, attrs in zip(self.lr_lambdas, saved):
            if attrs is not None:
                fn.__dict__.update(attrs)


def _lambdas(name: str, optimizer, lr_lambda) -> list:
    fns = _per_group(name, "lr_lambda", optimizer, lr_lambda)
    for fn in fns:
        if not callable(fn):
            raise TypeError(f"{name}: lr_lambda must be a function of the epoch, got {type(fn).__name__}")
    return fns


class LambdaLR(_LambdaState, LRScheduler):
    """lr_t = lr_0 * lr_lambda(t) (one function, or one per param group).

    >>> opt = optim.SGD([nn.Parameter(gn.zeros(3))], lr=0.1)
    >>> sched = LambdaLR(opt, lr_lambda=lambda epoch: 0.5 ** (epoch // 2))
    >>> for _ in range(4): sched.step()
    >>> sched.get_last_lr()
    [0.025]
    """

    def __init__(self, optimizer: Optimizer, lr_lambda: Callable | list, last_epoch: int = -1):
        _check_optimizer("LambdaLR", optimizer)
        self.optimizer = optimizer
        self.lr_lambdas = _lambdas("LambdaLR", optimizer, lr_lambda)
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        return [base * fn(self.last_epoch) for fn, base in zip(self.lr_lambdas, self.base_lrs)]


class MultiplicativeLR(_LambdaState, LRScheduler):
    """lr_t = lr_{t-1} * lr_lambda(t) for t >= 1 (chainable).

    >>> opt = optim.SGD([nn.Parameter(gn.zeros(3))], lr=0.1)
    >>> sched = MultiplicativeLR(opt, lr_lambda=lambda epoch: 0.5)
    >>> sched.step(); sched.get_last_lr()
    [0.05]
    """

    def __init__(self, optimizer: Optimizer, lr_lambda: Callable | list, last_epoch: int = -1):
        _check_optimizer("MultiplicativeLR", optimizer)
        self.optimizer = optimizer
        self.lr_lambdas = _lambdas("MultiplicativeLR", optimizer, lr_lambda)
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        if self._is_initial:
            return self._group_lrs()
        return [g["lr"] * fn(self.last_epoch) for fn, g in zip(self.lr_lambdas, self.optimizer.param_groups)]


class StepLR(LRScheduler):
    """lr_t = lr_0 * gamma ** floor(t / step_size): multiply by gamma every step_size steps (chainable).

    >>> opt = optim.SGD([nn.Parameter(gn.zeros(3))], lr=0.1)
    >>> sched = StepLR(opt, step_size=30, gamma=0.1)   # lr_0 for epochs 0-29, lr_0/10 for 30-59, ...
    >>> for epoch in range(30): sched.step()
    >>> round(sched.get_last_lr()[0], 6)
    0.01
    """

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1, last_epoch: int = -1):
        # torch takes a whole float (transformer_tutorial's StepLR(optimizer, 1.0, ...)) as that integer
        step_size = int(step_size) if isinstance(step_size, float) and step_size.is_integer() else step_size
        _positive_int("StepLR", "step_size", step_size)
        _positive("StepLR", "gamma", gamma)
        self.step_size, self.gamma = step_size, gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return self._group_lrs()
        return [lr * self.gamma for lr in self._group_lrs()]

    def _get_closed_form_lr(self):
        return [base * self.gamma ** (self.last_epoch // self.step_size) for base in self.base_lrs]


class MultiStepLR(LRScheduler):
    """lr_t = lr_0 * gamma ** (number of milestones <= t): multiply by gamma at each milestone (chainable).

    >>> opt = optim.SGD([nn.Parameter(gn.zeros(3))], lr=0.1)
    >>> sched = MultiStepLR(opt, milestones=[2, 4], gamma=0.5)
    >>> for _ in range(4): sched.step()
    >>> sched.get_last_lr()
    [0.025]
    """

    def __init__(self, optimizer: Optimizer, milestones: Iterable[int], gamma: float = 0.1, last_epoch: int = -1):
        milestones = list(milestones)
        if any(not isinstance(m, int) for m in milestones):
            raise ValueError(f"MultiStepLR: milestones must be integers, got {milestones!r}")
        _positive("MultiStepLR", "gamma", gamma)
        self.milestones, self.gamma = Counter(milestones), gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        if self.last_epoch not in self.milestones:
            return self._group_lrs()
        return [lr * self.gamma ** self.milestones[self.last_epoch] for lr in self._group_lrs()]

    def _get_closed_form_lr(self):
        milestones = sorted(self.milestones.elements())
        return [base * self.gamma ** bisect_right(milestones, self.last_epoch) for base in self.base_lrs]

    def load_state_dict(self, state_dict: dict) -> None:
        super().load_state_dict(state_dict)
        self.milestones = Counter({int(k): v for k, v in dict(self.milestones).items()})  # JSON made keys strings


class ConstantLR(LRScheduler):
    """lr_t = lr_0 * factor for t < total_iters, then lr_0 (chainable).

    >>> opt = optim.SGD([nn.Parameter(gn.zeros(3))], lr=0.1)
    >>> sched = ConstantLR(opt, factor=0.5, total_iters=2)
    >>> sched.get_last_lr()
    [0.05]
    """

    def __init__(self, optimizer: Optimizer, factor: float = 1.0 / 3, total_iters: int = 5, last_epoch: int = -1):
        if not 0 <= factor <= 1:
            raise ValueError(f"ConstantLR: factor must be in [0, 1], got {factor!r}")
        _positive("ConstantLR", "total_iters", total_iters, strict=False)
        self.factor, self.total_iters = factor, total_iters
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        if self.last_epoch == 0:
            return [lr * self.factor for lr in self._group_lrs()]
        if self.last_epoch != self.total_iters:
            return self._group_lrs()
        return [lr * (1.0 / self.factor) for lr in self._group_lrs()]

    def _get_closed_form_lr(self):
        return [
            base * (self.factor + (self.last_epoch >= self.total_iters) * (1 - self.factor)) for base in self.base_lrs
        ]


class LinearLR(LRScheduler):
    """lr_t = lr_0 * (s + (e - s) * min(t, total_iters) / total_iters), s = start_factor, e = end_factor
    (chainable: each step multiplies by the ratio of consecutive factors, as PyTorch does).

    >>> opt = optim.SGD([nn.Parameter(gn.zeros(3))], lr=0.1)
    >>> sched = LinearLR(opt, start_factor=0.5, total_iters=4)
    >>> for _ in range(4): sched.step()
    >>> round(sched.get_last_lr()[0], 12)
    0.1
    """

    def __init__(
        self,
        optimizer: Optimizer,
        start_factor: float = 1.0 / 3,
        end_factor: float = 1.0,
        total_iters: int = 5,
        last_epoch: int = -1,
    ):
        if not 0 < start_factor <= 1:
            raise ValueError(f"LinearLR: start_factor must be in (0, 1], got {start_factor!r}")
        if not 0 <= end_factor <= 1:
            raise ValueError(f"LinearLR: end_factor must be in [0, 1], got {end_factor!r}")
        _positive_int("LinearLR", "total_iters", total_iters)
        self.start_factor, self.end_factor, self.total_iters = start_factor, end_factor, total_iters
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        if self.last_epoch == 0:
            return [lr * self.start_factor for lr in self._group_lrs()]
        if self._is_initial or self.last_epoch > self.total_iters:
            return self._group_lrs()
        s, e = self.start_factor, self.end_factor
        ratio = 1.0 + (e - s) / (self.total_iters * s + (self.last_epoch - 1) * (e - s))
        return [lr * ratio for lr in self._group_lrs()]

    def _get_closed_form_lr(self):
        s, e = self.start_factor, self.end_factor
        return [base * (s + (e - s) * min(self.total_iters, self.last_epoch) / self.total_iters) for base in self.base_lrs]


class ExponentialLR(LRScheduler):
    """lr_t = lr_0 * gamma ** t (chainable: lr_t = lr_{t-1} * gamma).

    >>> opt = optim.SGD([nn.Parameter(gn.zeros(3))], lr=0.1)
    >>> sched = ExponentialLR(opt, gamma=0.95)
    """

    def __init__(self, optimizer: Optimizer, gamma: float, last_epoch: int = -1):
        _positive("ExponentialLR", "gamma", gamma)
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        if self._is_initial:
            return self._group_lrs()
        return [lr * self.gamma for lr in self._group_lrs()]

    def _get_closed_form_lr(self):
        return [base * self.gamma**self.last_epoch for base in self.base_lrs]


class PolynomialLR(LRScheduler):
    """lr_t = lr_0 * (1 - min(t, total_iters) / total_iters) ** power (chainable).

    >>> opt = optim.SGD([nn.Parameter(gn.zeros(3))], lr=0.1)
    >>> sched = PolynomialLR(opt, total_iters=4, power=1.0)
    >>> for _ in range(2): sched.step()
    >>> round(sched.get_last_lr()[0], 12)
    0.05
    """

    def __init__(self, optimizer: Optimizer, total_iters: int = 5, power: float = 1.0, last_epoch: int = -1):
        _positive_int("PolynomialLR", "total_iters", total_iters)
        self.total_iters, self.power = total_iters, power
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        if self._is_initial or self.last_epoch > self.total_iters:
            return self._group_lrs()
        t, n = self.last_epoch, self.total_iters
        decay = ((1.0 - t / n) / (1.0 - (t - 1) / n)) ** self.power
        return [lr * decay for lr in self._group_lrs()]

    def _get_closed_form_lr(self):
        return [
            base * (1.0 - min(self.total_iters, self.last_epoch) / self.total_iters) ** self.power
            for base in self.base_lrs
        ]


class CosineAnnealingLR(LRScheduler):
    """lr_t = eta_min + (lr_0 - eta_min) * (1 + cos(pi * t / T_max)) / 2 (chainable, PyTorch's recursion).

    Past T_max the same closed form holds (the rate rises again with period 2 T_max), as in PyTorch.

    >>> opt = optim.SGD([nn.Parameter(gn.zeros(3))], lr=0.1)
    >>> sched = CosineAnnealingLR(opt, T_max=100, eta_min=1e-5)
    """

    def __init__(self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0, last_epoch: int = -1):
        _positive_int("CosineAnnealingLR", "T_max", T_max)
        _positive("CosineAnnealingLR", "eta_min", eta_min, strict=False)
        self.T_max, self.eta_min = T_max, eta_min
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        t, T, lo = self.last_epoch, self.T_max, self.eta_min
        if self._is_initial:
            return self._group_lrs()
        if self._step_count == 1 and t > 0:  # resumed with last_epoch > 0
            return [lo + (base - lo) * (1 + math.cos(t * math.pi / T)) / 2 for base in self.base_lrs]
        if (t - 1 - T) % (2 * T) == 0:
            return [lr + (base - lo) * (1 - math.cos(math.pi / T)) / 2 for base, lr in zip(self.base_lrs, self._group_lrs())]
        ratio = (1 + math.cos(math.pi * t / T)) / (1 + math.cos(math.pi * (t - 1) / T))
        return [ratio * (lr - lo) + lo for lr in self._group_lrs()]

    def _get_closed_form_lr(self):
        t, T, lo = self.last_epoch, self.T_max, self.eta_min
        return [lo + (base - lo) * (1 + math.cos(math.pi * t / T)) / 2 for base in self.base_lrs]


# ------------------------------------------------------------------------------------------- closed forms
class InverseTimeDecay(LRScheduler):
    """lr_t = lr_0 / (1 + decay * t), t = number of ``step()`` calls.

    This is Keras 2's optimizer argument ``decay`` when ``step()`` is called once per batch (Keras counts
    updates): ``Adam(lr=1e-3, decay=1e-4)`` there is ``InverseTimeDecay(Adam(..., lr=1e-3), decay=1e-4)`` here.

    >>> opt = optim.SGD([nn.Parameter(gn.zeros(3))], lr=0.1)
    >>> sched = InverseTimeDecay(opt, decay=1e-4)   # sched.step() after every batch
    """

    def __init__(self, optimizer: Optimizer, decay: float, last_epoch: int = -1):
        _positive("InverseTimeDecay", "decay", decay, strict=False)
        self.decay = decay
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        return [base / (1.0 + self.decay * self.last_epoch) for base in self.base_lrs]


class LinearWarmup(LRScheduler):
    """Linear ramp from start_factor * lr_0 at t = 0 to lr_0 at t = warmup_steps, then constant:

        lr_t = lr_0 * (start_factor + (1 - start_factor) * min(t, warmup_steps) / warmup_steps)

    This is ``LinearLR(start_factor, end_factor=1.0, total_iters=warmup_steps)`` as a closed form (same
    default start_factor 1/3), so unlike LinearLR, start_factor=0 (warm up from zero) is allowed.

    >>> opt = optim.SGD([nn.Parameter(gn.zeros(3))], lr=0.1)
    >>> sched = LinearWarmup(opt, warmup_steps=500)   # sched.step() after every batch
    """

    def __init__(self, optimizer: Optimizer, warmup_steps: int, start_factor: float = 1.0 / 3, last_epoch: int = -1):
        _positive_int("LinearWarmup", "warmup_steps", warmup_steps)
        if not 0 <= start_factor <= 1:
            raise ValueError(f"LinearWarmup: start_factor must be in [0, 1], got {start_factor!r}")
        self.warmup_steps, self.start_factor = warmup_steps, start_factor
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        frac = min(self.last_epoch, self.warmup_steps) / self.warmup_steps
        return [base * (self.start_factor + (1.0 - self.start_factor) * frac) for base in self.base_lrs]


class CosineAnnealingWarmRestarts(LRScheduler):
    """SGDR (Loshchilov & Hutter): cosine annealing from lr_0 to eta_min over T_i steps, then a restart;
    T_0 steps in the first cycle, each next cycle T_mult times longer:

        lr_t = eta_min + (lr_0 - eta_min) * (1 + cos(pi * T_cur / T_i)) / 2

    ``step(epoch)`` may take a fractional epoch (call it with epoch + batch / batches_per_epoch).

    >>> opt = optim.SGD([nn.Parameter(gn.zeros(3))], lr=0.1)
    >>> sched = CosineAnnealingWarmRestarts(opt, T_0=2)
    >>> for _ in range(2): sched.step()
    >>> sched.get_last_lr()   # restarted
    [0.1]
    """

    def __init__(self, optimizer: Optimizer, T_0: int, T_mult: int = 1, eta_min: float = 0.0, last_epoch: int = -1):
        _positive_int("CosineAnnealingWarmRestarts", "T_0", T_0)
        _positive_int("CosineAnnealingWarmRestarts", "T_mult", T_mult)
        if not isinstance(eta_min, (float, int)):
            raise ValueError(f"CosineAnnealingWarmRestarts: eta_min must be a number, got {eta_min!r}")
        self.T_0, self.T_i, self.T_mult, self.eta_min = T_0, T_0, T_mult, eta_min
        self.T_cur = last_epoch
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        lo = self.eta_min
        return [lo + (base - lo) * (1 + math.cos(math.pi * self.T_cur / self.T_i)) / 2 for base in self.base_lrs]

    def step(self, epoch=None) -> None:
        """Advance one step, or go to ``epoch`` (a float is fine: the position within the cycle)."""
        if epoch is None and self.last_epoch < 0:
            epoch = 0
        if epoch is None:
            epoch = self.last_epoch + 1
            self.T_cur = self.T_cur + 1
            if self.T_cur >= self.T_i:
                self.T_cur = self.T_cur % self.T_i
                self.T_i = self.T_i * self.T_mult
        else:
            if epoch < 0:
                raise ValueError(f"CosineAnnealingWarmRestarts.step: epoch must be >= 0, got {epoch!r}")
            if epoch >= self.T_0:
                if self.T_mult == 1:
                    self.T_cur = epoch % self.T_0
                else:
                    n = int(math.log(epoch / self.T_0 * (self.T_mult - 1) + 1, self.T_mult))
                    self.T_cur = epoch - self.T_0 * (self.T_mult**n - 1) / (self.T_mult - 1)
                    self.T_i = self.T_0 * self.T_mult**n
            else:
                self.T_i = self.T_0
                self.T_cur = epoch
        self.last_epoch = math.floor(epoch)
        for group, lr in zip(self.optimizer.param_groups, self.get_lr()):
            group["lr"] = lr
        self._last_lr = self._group_lrs()


class CyclicLR(LRScheduler):
    """Cyclical learning rates (Smith, 2017): the rate goes from base_lr up to max_lr in step_size_up
    steps and back in step_size_down (default the same), once per cycle; step it after every batch.

        cycle = floor(1 + t / (up + down));  x = 1 + t / (up + down) - cycle
        s = x / r if x <= r else (x - 1) / (r - 1),  r = up / (up + down)
        lr_t = base_lr + (max_lr - base_lr) * s * scale(cycle or t)

    scale: 1 ("triangular"), 1 / 2 ** (cycle - 1) ("triangular2"), gamma ** t ("exp_range"), or scale_fn.
    With cycle_momentum the momentum (or Adam's betas[0]) moves the opposite way, max_momentum to
    base_momentum.

    >>> opt = optim.SGD([nn.Parameter(gn.zeros(3))], lr=0.1, momentum=0.9)
    >>> sched = CyclicLR(opt, base_lr=0.01, max_lr=0.1, step_size_up=2)
    >>> sched.step(); round(sched.get_last_lr()[0], 12), round(opt.param_groups[0]["momentum"], 12)
    (0.055, 0.85)
    """

    def __init__(
        self,
        optimizer: Optimizer,
        base_lr,
        max_lr,
        step_size_up: int = 2000,
        step_size_down: int | None = None,
        mode: str = "triangular",
        gamma: float = 1.0,
        scale_fn: Callable | None = None,
        scale_mode: str = "cycle",
        cycle_momentum: bool = True,
        base_momentum=0.8,
        max_momentum=0.9,
        last_epoch: int = -1,
    ):
        name = "CyclicLR"
        _check_optimizer(name, optimizer)
        self.optimizer = optimizer
        base_lrs = _per_group(name, "base_lr", optimizer, base_lr)
        if last_epoch == -1:
            for lr, group in zip(base_lrs, optimizer.param_groups):
                group["lr"] = lr
        self.max_lrs = _per_group(name, "max_lr", optimizer, max_lr)
        if not step_size_up > 0 or (step_size_down is not None and not step_size_down > 0):
            raise ValueError(f"{name}: step sizes must be > 0, got up={step_size_up!r}, down={step_size_down!r}")
        up = float(step_size_up)
        down = float(step_size_down) if step_size_down is not None else up
        self.total_size = up + down
        self.step_ratio = up / self.total_size
        if mode not in ("triangular", "triangular2", "exp_range") and scale_fn is None:
            raise ValueError(f"{name}: mode must be 'triangular', 'triangular2' or 'exp_range', got {mode!r}")
        if scale_mode not in ("cycle", "iterations"):
            raise ValueError(f"{name}: scale_mode must be 'cycle' or 'iterations', got {scale_mode!r}")
        self.mode, self.gamma = mode, gamma
        self._scale_fn_custom = scale_fn
        self.scale_mode = scale_mode if scale_fn is not None else ("iterations" if mode == "exp_range" else "cycle")
        self.cycle_momentum = cycle_momentum
        if cycle_momentum:
            if "momentum" not in optimizer.defaults and "betas" not in optimizer.defaults:
                raise ValueError(f"{name}: cycle_momentum needs an optimizer with momentum or betas, got "
                                 f"{type(optimizer).__name__}")
            self.use_beta1 = "betas" in optimizer.defaults
            self.base_momentums = _per_group(name, "base_momentum", optimizer, base_momentum)
            self.max_momentums = _per_group(name, "max_momentum", optimizer, max_momentum)
            if last_epoch == -1:
                for m_max, m_base, group in zip(self.max_momentums, self.base_momentums, optimizer.param_groups):
                    _set_momentum(group, self.use_beta1, m_max)
                    group["max_momentum"], group["base_momentum"] = m_max, m_base
        super().__init__(optimizer, last_epoch)
        self.base_lrs = base_lrs

    def scale_fn(self, x) -> float:
        if self._scale_fn_custom is not None:
            return self._scale_fn_custom(x)
        if self.mode == "triangular":
            return 1.0
        if self.mode == "triangular2":
            return 1 / (2.0 ** (x - 1))
        return self.gamma**x

    def get_lr(self):
        cycle = math.floor(1 + self.last_epoch / self.total_size)
        x = 1.0 + self.last_epoch / self.total_size - cycle
        scale_factor = x / self.step_ratio if x <= self.step_ratio else (x - 1) / (self.step_ratio - 1)
        scale = self.scale_fn(cycle if self.scale_mode == "cycle" else self.last_epoch)
        lrs = [base + (top - base) * scale_factor * scale for base, top in zip(self.base_lrs, self.max_lrs)]
        if self.cycle_momentum:
            for group, m_base, m_max in zip(self.optimizer.param_groups, self.base_momentums, self.max_momentums):
                _set_momentum(group, self.use_beta1, m_max - (m_max - m_base) * scale_factor * scale)
        return lrs

    def state_dict(self) -> dict:
        state = super().state_dict()
        fn = state.pop("_scale_fn_custom")
        state["_scale_fn_custom"] = None if fn is None or isinstance(fn, types.FunctionType) else dict(fn.__dict__)
        return state

    def load_state_dict(self, state_dict: dict) -> None:
        state_dict = dict(state_dict)
        attrs = state_dict.pop("_scale_fn_custom", None)
        state_dict.pop("_scale_fn_ref", None)
        super().load_state_dict(state_dict)
        if attrs is not None and self._scale_fn_custom is not None:
            self._scale_fn_custom.__dict__.update(attrs)


class OneCycleLR(LRScheduler):
    """The 1cycle policy (Smith & Topin, 2018), stepped after every batch: the rate anneals from
    max_lr / div_factor up to max_lr over the first pct_start of total_steps, then down to
    max_lr / div_factor / final_div_factor ("cos" or "linear" annealing). With three_phase the descent
    first returns to the initial rate symmetrically, then anneals to the minimum. With cycle_momentum the
    momentum (or Adam's betas[0]) anneals the opposite way between max_momentum and base_momentum.

    >>> opt = optim.SGD([nn.Parameter(gn.zeros(3))], lr=0.1, momentum=0.9)
    >>> sched = OneCycleLR(opt, max_lr=1.0, total_steps=10)
    >>> round(sched.get_last_lr()[0], 12), opt.param_groups[0]["momentum"]
    (0.04, 0.95)
    """

    def __init__(
        self,
        optimizer: Optimizer,
        max_lr,
        total_steps: int | None = None,
        epochs: int | None = None,
        steps_per_epoch: int | None = None,
        pct_start: float = 0.3,
        anneal_strategy: str = "cos",
        cycle_momentum: bool = True,
        base_momentum=0.85,
        max_momentum=0.95,
        div_factor: float = 25.0,
        final_div_factor: float = 1e4,
        three_phase: bool = False,
        last_epoch: int = -1,
    ):
        name = "OneCycleLR"
        _check_optimizer(name, optimizer)
        self.optimizer = optimizer
        if total_steps is not None:
            _positive_int(name, "total_steps", total_steps)
            self.total_steps = total_steps
        elif epochs is not None and steps_per_epoch is not None:
            _positive_int(name, "epochs", epochs)
            _positive_int(name, "steps_per_epoch", steps_per_epoch)
            self.total_steps = epochs * steps_per_epoch
        else:
            raise ValueError(f"{name}: give total_steps, or both epochs and steps_per_epoch")
        if not (isinstance(pct_start, float) and 0 <= pct_start <= 1):
            raise ValueError(f"{name}: pct_start must be a float in [0, 1], got {pct_start!r}")
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError(f"{name}: anneal_strategy must be 'cos' or 'linear', got {anneal_strategy!r}")
        n = self.total_steps
        up = float(pct_start * n) - 1
        if three_phase:
            self._schedule_phases = [
                {"end_step": up, "start_lr": "initial_lr", "end_lr": "max_lr",
                 "start_momentum": "max_momentum", "end_momentum": "base_momentum"},
                {"end_step": float(2 * pct_start * n) - 2, "start_lr": "max_lr", "end_lr": "initial_lr",
                 "start_momentum": "base_momentum", "end_momentum": "max_momentum"},
                {"end_step": n - 1, "start_lr": "initial_lr", "end_lr": "min_lr",
                 "start_momentum": "max_momentum", "end_momentum": "max_momentum"},
            ]
        else:
            self._schedule_phases = [
                {"end_step": up, "start_lr": "initial_lr", "end_lr": "max_lr",
                 "start_momentum": "max_momentum", "end_momentum": "base_momentum"},
                {"end_step": n - 1, "start_lr": "max_lr", "end_lr": "min_lr",
                 "start_momentum": "base_momentum", "end_momentum": "max_momentum"},
            ]
        self._anneal_func_type = anneal_strategy
        max_lrs = _per_group(name, "max_lr", optimizer, max_lr)
        if last_epoch == -1:
            for top, group in zip(max_lrs, optimizer.param_groups):
                group["initial_lr"] = top / div_factor
                group["max_lr"] = top
                group["min_lr"] = group["initial_lr"] / final_div_factor
        self.cycle_momentum = cycle_momentum
        if cycle_momentum:
            if "momentum" not in optimizer.defaults and "betas" not in optimizer.defaults:
                raise ValueError(f"{name}: cycle_momentum needs an optimizer with momentum or betas, got "
                                 f"{type(optimizer).__name__}")
            self.use_beta1 = "betas" in optimizer.defaults
            maxs = _per_group(name, "max_momentum", optimizer, max_momentum)
            bases = _per_group(name, "base_momentum", optimizer, base_momentum)
            if last_epoch == -1:
                for m_max, m_base, group in zip(maxs, bases, optimizer.param_groups):
                    _set_momentum(group, self.use_beta1, m_max)
                    group["max_momentum"], group["base_momentum"] = m_max, m_base
        super().__init__(optimizer, last_epoch)

    def _anneal(self, start, end, pct):
        if self._anneal_func_type == "cos":
            return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)
        return (end - start) * pct + start

    def get_lr(self):
        t = self.last_epoch
        if t > self.total_steps:
            raise ValueError(f"OneCycleLR: tried to step {t} times; the specified number of total steps is "
                             f"{self.total_steps}")
        lrs = []
        for group in self.optimizer.param_groups:
            start = 0.0
            for i, phase in enumerate(self._schedule_phases):
                end = phase["end_step"]
                if t <= end or i == len(self._schedule_phases) - 1:
                    pct = (t - start) / (end - start)
                    lrs.append(self._anneal(group[phase["start_lr"]], group[phase["end_lr"]], pct))
                    if self.cycle_momentum:
                        m = self._anneal(group[phase["start_momentum"]], group[phase["end_momentum"]], pct)
                        _set_momentum(group, self.use_beta1, m)
                    break
                start = phase["end_step"]
        return lrs


# ------------------------------------------------------------------------------------------- combinators
def _check_schedulers(name: str, schedulers, optimizer) -> None:
    if len(schedulers) < 1:
        raise ValueError(f"{name}: expected at least one scheduler, got none")
    for i, s in enumerate(schedulers):
        if not hasattr(s, "optimizer"):
            raise TypeError(f"{name}: the scheduler at index {i} has no optimizer (got {type(s).__name__})")
        if isinstance(s, ReduceLROnPlateau):
            raise ValueError(f"{name}: ReduceLROnPlateau (index {i}) cannot be combined: its step() needs a metric")
        if s.optimizer is not optimizer:
            raise ValueError(f"{name}: the scheduler at index {i} ({type(s).__name__}) belongs to another optimizer")


class _Combined:
    """state_dict of a scheduler holding ``_schedulers``: its own attributes plus theirs, as PyTorch."""

    def state_dict(self) -> dict:
        state = {k: v for k, v in self.__dict__.items() if k not in ("optimizer", "_schedulers")}
        state["_schedulers"] = [s.state_dict() for s in self._schedulers]
        return state

    def load_state_dict(self, state_dict: dict) -> None:
        state_dict = dict(state_dict)
        inner = state_dict.pop("_schedulers")
        LRScheduler.load_state_dict(self, state_dict)
        for s, sd in zip(self._schedulers, inner):
            s.load_state_dict(sd)


class SequentialLR(_Combined, LRScheduler):
    """Run schedulers one after another: schedulers[i] drives the rate from milestones[i - 1] on, each
    restarting from its own t = 0 at its milestone.

    >>> opt = optim.SGD([nn.Parameter(gn.zeros(3))], lr=0.1)
    >>> warm = LinearLR(opt, start_factor=0.1, total_iters=2)
    >>> sched = SequentialLR(opt, [warm, ExponentialLR(opt, gamma=0.9)], milestones=[2])
    """

    def __init__(self, optimizer: Optimizer, schedulers: list, milestones: list, last_epoch: int = -1):
        name = "SequentialLR"
        _check_schedulers(name, schedulers, optimizer)
        if len(milestones) != len(schedulers) - 1:
            raise ValueError(
                f"{name}: expected {len(schedulers) - 1} milestones (one fewer than the {len(schedulers)} "
                f"schedulers), got {len(milestones)}"
            )
        self._schedulers, self._milestones = list(schedulers), list(milestones)
        self.last_epoch = last_epoch + 1
        self.optimizer = optimizer
        for group in optimizer.param_groups:  # undo what constructing the schedulers did
            group["lr"] = group["initial_lr"]
        self._undo(self)
        idx = bisect_right(self._milestones, 0)
        self._schedulers[idx]._initial_step()
        self._last_lr = self._schedulers[idx].get_last_lr()

    def _undo(self, sched) -> None:
        if hasattr(sched, "_schedulers"):
            for s in sched._schedulers:
                self._undo(s)
        elif hasattr(sched, "last_epoch"):
            sched.last_epoch -= 1

    def step(self) -> None:  # type: ignore[override]
        self.last_epoch += 1
        idx = bisect_right(self._milestones, self.last_epoch)
        scheduler = self._schedulers[idx]
        if idx > 0 and self._milestones[idx - 1] == self.last_epoch:
            scheduler._update_lr(0)
        else:
            scheduler.step()
        self._last_lr = scheduler.get_last_lr()


class ChainedScheduler(_Combined, LRScheduler):
    """Step several chainable schedulers together; their factors multiply.

    >>> opt = optim.SGD([nn.Parameter(gn.zeros(3))], lr=0.1)
    >>> sched = ChainedScheduler([ConstantLR(opt, factor=0.5, total_iters=2), ExponentialLR(opt, gamma=0.9)])
    >>> sched.step(); round(sched.get_last_lr()[0], 12)
    0.045
    """

    def __init__(self, schedulers: Sequence, optimizer: Optimizer | None = None):
        optimizer = optimizer or (schedulers[0].optimizer if len(schedulers) else None)
        _check_schedulers("ChainedScheduler", schedulers, optimizer)
        self._schedulers = list(schedulers)
        self.optimizer = optimizer
        self._last_lr = [group["lr"] for group in self._schedulers[-1].optimizer.param_groups]

    def step(self) -> None:  # type: ignore[override]
        for scheduler in self._schedulers:
            scheduler.step()
        self._last_lr = [group["lr"] for group in self._schedulers[-1].optimizer.param_groups]


class ReduceLROnPlateau(LRScheduler):
    """Multiply the rate by ``factor`` when a metric stopped improving (PyTorch's rule).

    ``step(metric)`` once per epoch. The metric improves when (mode "min") it is below
    best * (1 - threshold) (threshold_mode "rel") or best - threshold ("abs"); mode "max" mirrors this.
    After MORE than ``patience`` epochs without improvement each group's rate becomes
    max(lr * factor, min_lr) (skipped if that changes it by no more than ``eps``), then ``cooldown`` epochs
    pass during which bad epochs are not counted.

        sched = ReduceLROnPlateau(opt, factor=0.5, patience=3)
        sched.step(val_loss)
    """

    def __init__(
        self,
        optimizer: Optimizer,
        mode: str = "min",
        factor: float = 0.1,
        patience: int = 10,
        threshold: float = 1e-4,
        threshold_mode: str = "rel",
        cooldown: int = 0,
        min_lr=0.0,
        eps: float = 1e-8,
    ):
        name = "ReduceLROnPlateau"
        if not hasattr(optimizer, "param_groups"):
            raise TypeError(f"{name}: expected an Optimizer, got {type(optimizer).__name__}")
        if mode not in ("min", "max"):
            raise ValueError(f"{name}: mode must be 'min' or 'max', got {mode!r}")
        if threshold_mode not in ("rel", "abs"):
            raise ValueError(f"{name}: threshold_mode must be 'rel' or 'abs', got {threshold_mode!r}")
        if not 0 < factor < 1:
            raise ValueError(f"{name}: factor must be in (0, 1), got {factor!r}")
        for what, value in (("patience", patience), ("cooldown", cooldown)):
            if not (isinstance(value, int) and value >= 0):
                raise ValueError(f"{name}: {what} must be an integer >= 0, got {value!r}")
        _positive(name, "threshold", threshold, strict=False)
        _positive(name, "eps", eps, strict=False)
        n = len(optimizer.param_groups)
        min_lrs = list(min_lr) if isinstance(min_lr, (list, tuple)) else [min_lr] * n
        if len(min_lrs) != n:
            raise ValueError(f"{name}: expected {n} min_lr values (one per param group), got {len(min_lrs)}")
        for v in min_lrs:
            _positive(name, "min_lr", v, strict=False)
        self.optimizer = optimizer
        self.mode, self.factor, self.patience = mode, factor, patience
        self.threshold, self.threshold_mode = threshold, threshold_mode
        self.cooldown, self.min_lrs, self.eps = cooldown, min_lrs, eps
        self.best = math.inf if mode == "min" else -math.inf
        self.num_bad_epochs = 0
        self.cooldown_counter = 0
        self.last_epoch = 0
        self._last_lr = [group["lr"] for group in optimizer.param_groups]

    def is_better(self, a: float, best: float) -> bool:
        sign = 1.0 if self.mode == "min" else -1.0
        if self.threshold_mode == "rel":
            return sign * a < sign * best * (1.0 - sign * self.threshold)
        return sign * a < sign * best - self.threshold

    def step(self, metrics) -> None:  # type: ignore[override]
        """Record one epoch's metric (a number or a 1-element tensor) and lower the rate if it stalled."""
        current = float(metrics.item() if hasattr(metrics, "item") else metrics)
        self.last_epoch += 1
        if self.is_better(current, self.best):
            self.best, self.num_bad_epochs = current, 0
        else:
            self.num_bad_epochs += 1
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0
        if self.num_bad_epochs > self.patience:
            for group, min_lr in zip(self.optimizer.param_groups, self.min_lrs):
                old = group["lr"]
                new = max(old * self.factor, min_lr)
                if old - new > self.eps:
                    group["lr"] = new
            self.cooldown_counter, self.num_bad_epochs = self.cooldown, 0
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]
