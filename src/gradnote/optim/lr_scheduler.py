"""Learning-rate schedules: change each param group's ``"lr"`` as training goes on.

    sched = StepLR(opt, step_size=30, gamma=0.1)
    for epoch in range(100):
        train_one_epoch(); sched.step()

Like PyTorch, constructing a scheduler sets the rate for t = 0 (``last_epoch`` becomes 0), and each
``step()`` advances t by one. The schedules here are closed forms of t and each group's initial rate
(``group["initial_lr"]``), so they equal PyTorch's values (up to rounding), and resuming from
``state_dict()`` is exact. Writing ``group["lr"]`` by hand is overridden at the next ``step()``.
"""

from __future__ import annotations

import math

from .optimizer import Optimizer

__all__ = [
    "CosineAnnealingLR",
    "ExponentialLR",
    "InverseTimeDecay",
    "LRScheduler",
    "LinearWarmup",
    "ReduceLROnPlateau",
    "StepLR",
]


class LRScheduler:
    """Base class: subclasses define ``lr_at(base_lr, t)``, the rate at step t for a group starting at base_lr.

    ``last_epoch``: t, the number of ``step()`` calls since t = 0; ``base_lrs``: each group's initial rate.
    """

    def __init__(self, optimizer: Optimizer, last_epoch: int = -1):
        if not hasattr(optimizer, "param_groups"):
            raise TypeError(f"{type(self).__name__}: expected an Optimizer, got {type(optimizer).__name__}")
        self.optimizer = optimizer
        if last_epoch == -1:
            for group in optimizer.param_groups:
                group.setdefault("initial_lr", group["lr"])
        else:
            missing = [i for i, g in enumerate(optimizer.param_groups) if "initial_lr" not in g]
            if missing:
                raise ValueError(
                    f"{type(self).__name__}: last_epoch={last_epoch} resumes a schedule, but param group(s) "
                    f"{missing} have no 'initial_lr' (construct with last_epoch=-1 to start afresh)"
                )
        self.base_lrs = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        self.step()

    def lr_at(self, base_lr: float, t: int) -> float:
        raise NotImplementedError

    def get_lr(self) -> list:
        """The rate of every group at the current t."""
        return [self.lr_at(base, self.last_epoch) for base in self.base_lrs]

    def step(self) -> None:
        """Advance t by one and write the new rate into every param group."""
        self.last_epoch += 1
        for group, lr in zip(self.optimizer.param_groups, self.get_lr()):
            group["lr"] = lr
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def get_last_lr(self) -> list:
        """The rates last set by ``step()`` (one per param group)."""
        return list(self._last_lr)

    def state_dict(self) -> dict:
        """Plain data: every attribute except the optimizer."""
        return {k: (list(v) if isinstance(v, list) else v) for k, v in self.__dict__.items() if k != "optimizer"}

    def load_state_dict(self, state_dict: dict) -> None:
        unknown = sorted(set(state_dict) - set(self.__dict__))
        if unknown:
            raise ValueError(f"{type(self).__name__}.load_state_dict: unexpected keys {unknown}")
        self.__dict__.update({k: (list(v) if isinstance(v, (list, tuple)) else v) for k, v in state_dict.items()})

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.state_dict().items() if not k.startswith("_"))
        return f"{type(self).__name__}({args})"


def _positive(name: str, what: str, value, strict: bool = True) -> None:
    if not (value > 0 if strict else value >= 0):
        raise ValueError(f"{name}: {what} must be {'>' if strict else '>='} 0, got {value!r}")


class StepLR(LRScheduler):
    """lr_t = lr_0 * gamma ** floor(t / step_size): multiply by gamma every step_size steps.

    >>> opt = optim.SGD([nn.Parameter(gn.zeros(3))], lr=0.1)
    >>> sched = StepLR(opt, step_size=30, gamma=0.1)   # lr_0 for epochs 0-29, lr_0/10 for 30-59, ...
    >>> for epoch in range(30): sched.step()
    >>> round(sched.get_last_lr()[0], 6)
    0.01
    """

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1, last_epoch: int = -1):
        if not (isinstance(step_size, int) and step_size >= 1):
            raise ValueError(f"StepLR: step_size must be an integer >= 1, got {step_size!r}")
        _positive("StepLR", "gamma", gamma)
        self.step_size, self.gamma = step_size, gamma
        super().__init__(optimizer, last_epoch)

    def lr_at(self, base_lr, t):
        return base_lr * self.gamma ** (t // self.step_size)


class ExponentialLR(LRScheduler):
    """lr_t = lr_0 * gamma ** t.

    >>> opt = optim.SGD([nn.Parameter(gn.zeros(3))], lr=0.1)
    >>> sched = ExponentialLR(opt, gamma=0.95)
    """

    def __init__(self, optimizer: Optimizer, gamma: float, last_epoch: int = -1):
        _positive("ExponentialLR", "gamma", gamma)
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def lr_at(self, base_lr, t):
        return base_lr * self.gamma**t


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

    def lr_at(self, base_lr, t):
        return base_lr / (1.0 + self.decay * t)


class CosineAnnealingLR(LRScheduler):
    """lr_t = eta_min + (lr_0 - eta_min) * (1 + cos(pi * t / T_max)) / 2.

    Past T_max the same closed form holds (the rate rises again with period 2 T_max), as in PyTorch.

    >>> opt = optim.SGD([nn.Parameter(gn.zeros(3))], lr=0.1)
    >>> sched = CosineAnnealingLR(opt, T_max=100, eta_min=1e-5)
    """

    def __init__(self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0, last_epoch: int = -1):
        if not (isinstance(T_max, int) and T_max >= 1):
            raise ValueError(f"CosineAnnealingLR: T_max must be an integer >= 1, got {T_max!r}")
        _positive("CosineAnnealingLR", "eta_min", eta_min, strict=False)
        self.T_max, self.eta_min = T_max, eta_min
        super().__init__(optimizer, last_epoch)

    def lr_at(self, base_lr, t):
        return self.eta_min + (base_lr - self.eta_min) * (1 + math.cos(math.pi * t / self.T_max)) / 2


class LinearWarmup(LRScheduler):
    """Linear ramp from start_factor * lr_0 at t = 0 to lr_0 at t = warmup_steps, then constant:

        lr_t = lr_0 * (start_factor + (1 - start_factor) * min(t, warmup_steps) / warmup_steps)

    This is ``torch.optim.lr_scheduler.LinearLR(start_factor, end_factor=1.0, total_iters=warmup_steps)``
    (same default start_factor 1/3); unlike LinearLR, start_factor=0 (warm up from zero) is allowed.

    >>> opt = optim.SGD([nn.Parameter(gn.zeros(3))], lr=0.1)
    >>> sched = LinearWarmup(opt, warmup_steps=500)   # sched.step() after every batch
    """

    def __init__(self, optimizer: Optimizer, warmup_steps: int, start_factor: float = 1.0 / 3, last_epoch: int = -1):
        if not (isinstance(warmup_steps, int) and warmup_steps >= 1):
            raise ValueError(f"LinearWarmup: warmup_steps must be an integer >= 1, got {warmup_steps!r}")
        if not 0 <= start_factor <= 1:
            raise ValueError(f"LinearWarmup: start_factor must be in [0, 1], got {start_factor!r}")
        self.warmup_steps, self.start_factor = warmup_steps, start_factor
        super().__init__(optimizer, last_epoch)

    def lr_at(self, base_lr, t):
        frac = min(t, self.warmup_steps) / self.warmup_steps
        return base_lr * (self.start_factor + (1.0 - self.start_factor) * frac)


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
