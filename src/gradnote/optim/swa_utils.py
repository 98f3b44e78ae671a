"""Weight averaging (PyTorch's ``torch.optim.swa_utils``): stochastic weight averaging (Izmailov et al., 2018) and
exponential moving averages of a model's weights, the SWALR schedule and update_bn.

    swa_model = AveragedModel(model)                       # or multi_avg_fn=get_ema_multi_avg_fn(0.999)
    swa_sched = SWALR(opt, swa_lr=0.05)
    for epoch in range(epochs):
        train_one_epoch(model, opt)
        if epoch >= swa_start:
            swa_model.update_parameters(model); swa_sched.step()
    update_bn(loader, swa_model)                           # BatchNorm statistics for the averaged weights
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Iterable

import numpy as np

from ..autograd import Tensor, from_numpy, no_grad, tensor
from ..nn.module import Module
from ..nn.normalization import _BatchNorm, _InstanceNorm
from .lr_scheduler import LRScheduler
from .optimizer import Optimizer


def get_swa_avg_fn() -> Callable:
    """avg_fn(averaged, current, num_averaged) -> averaged + (current - averaged) / (num_averaged + 1), the
    running mean of every model passed so far (AveragedModel's default).

    >>> get_swa_avg_fn()(gn.tensor([1.0]), gn.tensor([4.0]), 2)
    tensor([2.])
    """

    def swa_update(averaged: Tensor, current: Tensor, num_averaged) -> Tensor:
        return averaged + (current - averaged) / (num_averaged + 1)

    return swa_update


def _check_decay(decay: float) -> None:
    if not 0.0 <= decay <= 1.0:
        raise ValueError(f"Invalid decay value {decay} provided. Please provide a value in [0,1] range.")


def get_ema_avg_fn(decay: float = 0.999) -> Callable:
    """avg_fn(ema, current, num_averaged) -> decay * ema + (1 - decay) * current.

    >>> get_ema_avg_fn(0.5)(gn.tensor([1.0]), gn.tensor([3.0]), 1)
    tensor([2.])
    """
    _check_decay(decay)

    def ema_update(ema: Tensor, current: Tensor, num_averaged) -> Tensor:
        return decay * ema + (1 - decay) * current

    return ema_update


def get_swa_multi_avg_fn() -> Callable:
    """multi_avg_fn(averaged_list, current_list, num_averaged): the running mean in place, list-wise."""

    def swa_update(averaged: list, current: list, num_averaged) -> None:
        for a, c in zip(averaged, current):
            a.copy_(a.lerp(c, 1 / (num_averaged + 1)) if a.is_floating_point() else a + (c - a) / (num_averaged + 1))

    return swa_update


def get_ema_multi_avg_fn(decay: float = 0.999) -> Callable:
    """multi_avg_fn(ema_list, current_list, num_averaged): ema <- lerp(ema, current, 1 - decay) in place.

    >>> ema = [gn.tensor([1.0])]; get_ema_multi_avg_fn(0.5)(ema, [gn.tensor([3.0])], 1); ema
    [tensor([2.])]
    """
    _check_decay(decay)

    def ema_update(ema: list, current: list, _) -> None:
        for e, c in zip(ema, current):
            e.copy_(e.lerp(c, 1 - decay) if e.is_floating_point() else e * decay + c * (1 - decay))

    return ema_update


def _tensors(module: Module, with_buffers: bool) -> list:
    """The module's parameters (and buffers) as Tensors sharing their memory, so writes reach the model."""
    out = [p.detach() for p in module.parameters()]
    if with_buffers:
        out += [b.detach() if isinstance(b, Tensor) else from_numpy(b) for b in module.buffers()]
    return out


class AveragedModel(Module):
    """A copy of `model` whose weights are an average of the weights `update_parameters` is given.

    The first call copies the model; later ones apply ``avg_fn(averaged, current, n_averaged)`` to each tensor
    (returning the new value) or ``multi_avg_fn(averaged_list, current_list, n_averaged)`` (in place); neither
    given: the running mean (SWA). use_buffers=True averages the buffers too, else they are copied from `model`.
    ``n_averaged`` (a buffer) counts the calls; ``forward`` is the copy's.

    >>> swa = optim.swa_utils.AveragedModel(nn.Linear(2, 1)); swa.update_parameters(nn.Linear(2, 1))
    >>> sorted(swa.state_dict()), int(swa.n_averaged)
    (['module.bias', 'module.weight', 'n_averaged'], 1)
    """

    def __init__(self, model: Module, device=None, avg_fn: Callable | None = None,
                 multi_avg_fn: Callable | None = None, use_buffers: bool = False):
        super().__init__()
        if avg_fn is not None and multi_avg_fn is not None:
            raise ValueError("AveragedModel: give only one of avg_fn and multi_avg_fn")
        if not isinstance(model, Module):
            raise TypeError(f"AveragedModel: model must be an nn.Module, got {type(model).__name__}")
        self.module = copy.deepcopy(model)
        if device is not None:
            self.module = self.module.to(device)
        self.register_buffer("n_averaged", tensor(0, dtype=np.int64, device=device))
        self.avg_fn = avg_fn
        self.multi_avg_fn = multi_avg_fn
        self.use_buffers = use_buffers

    def forward(self, *args, **kwargs):
        return self.module(*args, **kwargs)

    def update_parameters(self, model: Module) -> None:
        """Fold the current weights of `model` (same architecture) into the average."""
        mine, theirs = _tensors(self.module, self.use_buffers), _tensors(model, self.use_buffers)
        if len(mine) != len(theirs):
            raise ValueError(f"AveragedModel.update_parameters: the averaged model has {len(mine)} tensors, "
                             f"the model given has {len(theirs)}")
        n = int(self.n_averaged)
        with no_grad():
            for a, c in zip(mine, theirs):
                if a.shape != c.shape:
                    raise ValueError(f"AveragedModel.update_parameters: shape {tuple(c.shape)} given for an averaged "
                                     f"tensor of shape {tuple(a.shape)}")
                if n == 0:
                    a.copy_(c)
            if n > 0 and self.multi_avg_fn is not None:
                self.multi_avg_fn(mine, theirs, self.n_averaged)
            elif n > 0:
                avg_fn = self.avg_fn or get_swa_avg_fn()
                for a, c in zip(mine, theirs):
                    a.copy_(avg_fn(a, c, self.n_averaged))
            if not self.use_buffers:  # buffers (BatchNorm's statistics) follow the model being trained
                for a, c in zip(_tensors(self.module, True)[len(mine):], _tensors(model, True)[len(theirs):]):
                    a.copy_(c)
        self.n_averaged.add_(1)


class SWALR(LRScheduler):
    r"""Anneal each group's rate from its current value to ``swa_lr`` over ``anneal_epochs`` steps, then hold it.

    With t = min(1, step / max(1, anneal_epochs)) and alpha(t) = (1 - cos(pi t)) / 2 ('cos') or t ('linear')::

        lr_t = swa_lr * alpha(t) + lr_{t-1}' * (1 - alpha(t))

    where lr_{t-1}' is the rate the previous step would have started from (PyTorch's recursive form).

    >>> opt = optim.SGD([nn.Parameter(gn.zeros(1))], lr=1.0)
    >>> s = optim.swa_utils.SWALR(opt, swa_lr=0.5, anneal_epochs=2, anneal_strategy="linear"); s.step(); s.get_last_lr()
    [0.75]
    """

    def __init__(self, optimizer: Optimizer, swa_lr: float | Iterable, anneal_epochs: int = 10,
                 anneal_strategy: str = "cos", last_epoch: int = -1):
        groups = optimizer.param_groups if isinstance(optimizer, Optimizer) else []
        swa_lrs = list(swa_lr) if isinstance(swa_lr, (list, tuple)) else [swa_lr] * len(groups)
        if len(swa_lrs) != len(groups):
            raise ValueError(f"SWALR: swa_lr must have the same length as optimizer.param_groups: swa_lr has "
                             f"{len(swa_lrs)} values, param_groups has {len(groups)}")
        for lr, group in zip(swa_lrs, groups):
            group["swa_lr"] = lr
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError(f"SWALR: anneal_strategy must be one of 'cos' or 'linear', got {anneal_strategy!r}")
        if not isinstance(anneal_epochs, int) or isinstance(anneal_epochs, bool) or anneal_epochs < 0:
            raise ValueError(f"SWALR: anneal_epochs must be an integer >= 0, got {anneal_epochs!r}")
        self.anneal_strategy = anneal_strategy
        self.anneal_epochs = anneal_epochs
        super().__init__(optimizer, last_epoch)

    def _anneal(self, t: float) -> float:
        return (1 - math.cos(math.pi * t)) / 2 if self.anneal_strategy == "cos" else t

    def get_lr(self) -> list:
        step = self._step_count - 1
        if self.anneal_epochs == 0:
            step = max(1, step)
        span = max(1, self.anneal_epochs)
        prev_alpha = self._anneal(max(0, min(1, (step - 1) / span)))
        alpha = self._anneal(max(0, min(1, step / span)))
        lrs = []
        for group in self.optimizer.param_groups:
            swa = group["swa_lr"]
            prev = swa if prev_alpha == 1 else (group["lr"] - prev_alpha * swa) / (1 - prev_alpha)
            lrs.append(swa * alpha + prev * (1 - alpha))
        return lrs


def update_bn(loader: Iterable, model: Module, device=None) -> None:
    """Recompute the BatchNorm running statistics of `model` by one pass over `loader` (in training mode, with
    a cumulative average, as PyTorch); a batch that is a list/tuple contributes its first item. The model's
    mode and every momentum are restored afterwards; a model without BatchNorm is left alone.

    >>> m = nn.Sequential(nn.Linear(2, 2), nn.BatchNorm1d(2)); optim.swa_utils.update_bn([gn.ones(4, 2)], m)
    >>> m[1].running_var.tolist()
    [0.0, 0.0]
    """
    momenta = {}
    for module in model.modules():
        if isinstance(module, _BatchNorm) and not isinstance(module, _InstanceNorm):
            module.reset_running_stats()
            momenta[module] = module.momentum
    if not momenta:
        return
    was_training = model.training
    model.train()
    for module in momenta:
        module.momentum = None
    try:
        with no_grad():
            for batch in loader:
                if isinstance(batch, (list, tuple)):
                    batch = batch[0]
                if device is not None:
                    batch = batch.to(device)
                model(batch)
    finally:
        for module, momentum in momenta.items():
            module.momentum = momentum
        model.train(was_training)
