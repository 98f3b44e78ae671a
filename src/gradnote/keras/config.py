"""keras.config: the few global settings Keras programs read or set.

backend() returns "numpy": gradnote computes with NumPy arrays (CuPy on a GPU), and Keras 3's own
backend names are "tensorflow", "jax", "torch" and "numpy"; of those, "numpy" says honestly what
runs (code that branches on the backend takes its NumPy path). floatx and image_data_format may be
read and set; only "float32"/"float64" and the two layouts are accepted.

>>> from gradnote.keras import config
>>> config.backend(), config.floatx(), config.epsilon(), config.image_data_format()
('numpy', 'float32', 1e-07, 'channels_last')
"""

from __future__ import annotations

from ..train.losses import EPSILON

__all__ = ["backend", "epsilon", "floatx", "image_data_format", "set_epsilon", "set_floatx",
           "set_image_data_format"]

_settings = {"floatx": "float32", "epsilon": EPSILON, "image_data_format": "channels_last"}


def backend() -> str:
    """The name of the array library gradnote computes with: "numpy"."""
    return "numpy"


def floatx() -> str:
    """The default float type of keras.ops / keras.random results: "float32" unless set_floatx changed it."""
    return _settings["floatx"]


def set_floatx(value: str) -> None:
    if value not in ("float32", "float64"):
        raise ValueError(f"set_floatx: value must be 'float32' or 'float64', got {value!r}")
    _settings["floatx"] = value


def epsilon() -> float:
    """Keras's fuzz factor (1e-7 by default)."""
    return _settings["epsilon"]


def set_epsilon(value: float) -> None:
    """Set the fuzz factor reported by epsilon() (gradnote's losses keep clipping at 1e-7)."""
    _settings["epsilon"] = float(value)


def image_data_format() -> str:
    """The layout image code reads by default: "channels_last" (N, H, W, C), as Keras."""
    return _settings["image_data_format"]


def set_image_data_format(data_format: str) -> None:
    """Set what image_data_format() reports (the image layers take data_format= per layer)."""
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(f"set_image_data_format: expected 'channels_last' or 'channels_first', got {data_format!r}")
    _settings["image_data_format"] = data_format
