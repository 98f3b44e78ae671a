"""keras.optimizers.schedules: Keras's step schedules (gradnote.train.schedules), given to an optimizer as
learning_rate and evaluated there before every update at its iteration count.

    lr = keras.optimizers.schedules.ExponentialDecay(1e-2, decay_steps=10000, decay_rate=0.9)
    optimizer = keras.optimizers.SGD(learning_rate=lr)
"""

from ..train.schedules import (  # noqa: F401
    LR_SCHEDULES,
    CosineDecay,
    CosineDecayRestarts,
    ExponentialDecay,
    InverseTimeDecay,
    LearningRateSchedule,
    PiecewiseConstantDecay,
    PolynomialDecay,
    get_lr_schedule,
)

__all__ = ["CosineDecay", "CosineDecayRestarts", "ExponentialDecay", "InverseTimeDecay", "LearningRateSchedule",
           "PiecewiseConstantDecay", "PolynomialDecay", "deserialize", "get", "serialize"]


def serialize(schedule: LearningRateSchedule) -> dict:
    """{"class_name": ..., "config": ...}, as Keras saves a schedule.

    >>> serialize(PolynomialDecay(1.0, 10))["class_name"]
    'PolynomialDecay'
    """
    return {"class_name": type(schedule).__name__, "config": schedule.get_config()}


def deserialize(config: dict) -> LearningRateSchedule:
    """The schedule serialize() wrote (through the one schedule registry)."""
    return get_lr_schedule(config)


get = get_lr_schedule
