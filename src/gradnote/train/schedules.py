"""Learning-rate schedules by name: the one registry of gradnote.optim.lr_scheduler's classes.

    sched = gn.train.schedules.get({"name": "StepLR", "step_size": 10, "gamma": 0.5}, optimizer)

Names are the classes' (PyTorch's: StepLR, CosineAnnealingLR, ..., and Keras's InverseTimeDecay),
taken from lr_scheduler itself, so a new schedule there is known here, to the command line and to
configs without another table.
"""

from __future__ import annotations

from ..io.registry import Registry
from ..optim import lr_scheduler

__all__ = ["SCHEDULES", "get"]

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
