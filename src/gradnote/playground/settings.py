"""One playground setting: every control on the page, validated in one place.

The page sends the whole setting as a JSON object; ``Settings.from_dict`` checks each field and
raises SettingsError naming the control and the bad value ("learning rate must be > 0, got -0.1"),
which the page shows beside the control. Unknown fields are refused too, so a typo never passes
silently.

>>> Settings.from_dict({"dataset": "spiral", "hidden": [8, 8]}).hidden
[8, 8]
"""

from __future__ import annotations

import dataclasses
import math
import numbers

from .datasets import DATASETS, FEATURES, REGRESSION

ACTIVATIONS = ("step", "sigmoid", "tanh", "relu", "leaky_relu", "gelu")
INITS = ("xavier", "he")
OPTIMIZERS = ("sgd", "momentum", "adagrad", "rmsprop", "adam", "adamw")
REGULARIZATIONS = ("none", "l1", "l2")
MAX_LAYERS = 10  # enough for the vanishing-gradient lesson: sigmoid x 10 layers
MAX_NEURONS = 8
MAX_POINTS = 1000


class SettingsError(ValueError):
    """A control holds a value the playground refuses; ``field`` names the control."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


@dataclasses.dataclass
class Settings:
    dataset: str = "circles"
    noise: float = 0.0
    n: int = 400  # points in all, train and test
    train_fraction: float = 0.7
    batch_size: int = 10  # 0 means the whole training set (batch gradient descent)
    features: list = dataclasses.field(default_factory=lambda: ["x1", "x2"])
    hidden: list = dataclasses.field(default_factory=lambda: [4, 2])
    activation: str = "tanh"
    init: str = "xavier"
    optimizer: str = "adam"
    learning_rate: float = 0.03
    regularization: str = "none"
    regularization_rate: float = 0.0
    dropout: float = 0.0
    batch_norm: bool = False
    lr_decay: float = 0.0  # lr_t = lr / (1 + lr_decay * t), t counting batches (Keras's decay)
    clip_norm: float = 0.0  # 0: no clipping; else the gradients' global L2 norm is clipped to it
    seed: int = 0

    @property
    def task(self) -> str:
        return "regression" if self.dataset in REGRESSION else "classification"

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, values: dict) -> Settings:
        """Validate ``values`` (any subset of the fields; the rest take their defaults)."""
        if not isinstance(values, dict):
            raise SettingsError("settings", f"settings must be an object, got {values!r}")
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(values) - names)
        if unknown:
            raise SettingsError(unknown[0], f"unknown setting {unknown[0]!r}; known: {', '.join(sorted(names))}")
        s = cls(**values)
        s.dataset = _choice("dataset", s.dataset, DATASETS)
        s.noise = _number("noise", s.noise, 0.0, 0.5)
        s.n = _integer("points", s.n, 10, MAX_POINTS)
        s.train_fraction = _number("train fraction", s.train_fraction, 0.1, 0.9)
        s.batch_size = _integer("batch size", s.batch_size, 0, MAX_POINTS)
        if not isinstance(s.features, list) or not s.features or any(f not in FEATURES for f in s.features):
            raise SettingsError("features", f"input features: choose at least one of {', '.join(FEATURES)}, "
                                            f"got {s.features!r}")
        s.features = [f for f in FEATURES if f in s.features]  # canonical order, no repeats
        if not isinstance(s.hidden, list) or len(s.hidden) > MAX_LAYERS:
            raise SettingsError("hidden-layers", f"hidden layers: at most {MAX_LAYERS}, got {s.hidden!r}")
        s.hidden = [_integer(f"neurons in hidden layer {i + 1}", k, 1, MAX_NEURONS, field=f"neurons-{i}")
                    for i, k in enumerate(s.hidden)]
        s.activation = _choice("activation", s.activation, ACTIVATIONS)
        s.init = _choice("init", s.init, INITS)
        s.optimizer = _choice("optimizer", s.optimizer, OPTIMIZERS)
        s.learning_rate = _number("learning rate", s.learning_rate, 0.0, 10.0, open_low=True)
        s.regularization = _choice("regularization", s.regularization, REGULARIZATIONS)
        s.regularization_rate = _number("regularization rate", s.regularization_rate, 0.0, 10.0)
        s.dropout = _number("dropout", s.dropout, 0.0, 0.9)
        if not isinstance(s.batch_norm, bool):
            raise SettingsError("batch-norm", f"batch norm must be true or false, got {s.batch_norm!r}")
        if s.batch_norm and s.batch_size == 1:
            raise SettingsError("batch-norm", "batch norm needs batches of 2 or more points, got batch size 1")
        s.lr_decay = _number("learning-rate decay", s.lr_decay, 0.0, 1.0)
        s.clip_norm = _number("gradient clipping", s.clip_norm, 0.0, 1e3)
        s.seed = _integer("seed", s.seed, 0, 2**31 - 1)
        return s


def _field(label: str) -> str:
    """The control's data-testid on the page: the label with dashes ("learning rate" -> "learning-rate")."""
    return label.replace(" ", "-")


def _choice(label: str, value, allowed) -> str:
    if value not in allowed:
        raise SettingsError(_field(label), f"{label}: unknown {value!r}; expected one of {', '.join(allowed)}")
    return value


def _number(label: str, value, lo: float, hi: float, open_low: bool = False) -> float:
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value)
    low_ok = ok and (value > lo if open_low else value >= lo)
    if not (low_ok and value <= hi):
        bound = f"> {lo:g}" if open_low else f">= {lo:g}"
        raise SettingsError(_field(label), f"{label} must be a number {bound} and <= {hi:g}, got {value!r}")
    return float(value)


def _integer(label: str, value, lo: int, hi: int, field: str | None = None) -> int:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or not lo <= value <= hi:
        raise SettingsError(field or _field(label), f"{label} must be a whole number from {lo} to {hi}, got {value!r}")
    return int(value)
