"""keras.backend's configuration queries, as Keras 2 programs call them (``from keras import backend as K``),
and clear_session.

The settings live in keras.config (one copy): image layers default to channels_last, tensors are
float32, and Keras's fuzz factor is 1e-7.

>>> from gradnote.keras import backend as K
>>> K.image_data_format(), K.floatx(), K.epsilon()
('channels_last', 'float32', 1e-07)
"""

import numpy as np

from ..autograd import Tensor
from .config import backend, epsilon, floatx, image_data_format, set_epsilon, set_floatx, set_image_data_format
from .graph import _COUNTERS
from .optimizers import Rate

__all__ = ["backend", "clear_session", "epsilon", "floatx", "get_value", "image_data_format", "set_epsilon",
           "set_floatx", "set_image_data_format", "set_value"]


def get_value(x):
    """The value of a variable as NumPy (a Tensor's array copy) or a Python number (an optimiser's rate), as
    Keras's K.get_value.

    >>> get_value(gn.ones(2)).tolist()
    [1.0, 1.0]
    """
    if isinstance(x, Tensor):
        return np.array(x.data, copy=True)
    if isinstance(x, Rate):
        return float(x)
    return np.asarray(x) if not isinstance(x, (int, float)) else x


def set_value(x, value) -> None:
    """Set a variable in place, as Keras's K.set_value: a Tensor / Parameter (the same shape) or an optimiser's
    learning rate (K.set_value(model.optimizer.lr, 1e-4)).

    >>> w = gn.zeros(2); set_value(w, [1.0, 2.0]); w.tolist()
    [1.0, 2.0]
    """
    if isinstance(x, Rate):
        if x.optimizer is None:
            raise TypeError("set_value: this learning rate belongs to no optimizer")
        x.optimizer.learning_rate = float(value)
        return
    target = x.data if isinstance(x, Tensor) else x
    if not isinstance(target, np.ndarray):
        raise TypeError(f"set_value: x must be a Tensor, an array or an optimizer's learning rate, got "
                        f"{type(x).__name__} (a plain number cannot be set in place)")
    value = np.asarray(value.data if isinstance(value, Tensor) else value)
    if value.shape != target.shape:
        raise ValueError(f"set_value: value of shape {value.shape} does not match the variable's {target.shape}")
    target[...] = value


def clear_session() -> None:
    """Forget Keras's automatic layer names (the next Dense is "dense" again); gradnote keeps no other global
    graph state, so nothing else needs clearing."""
    _COUNTERS.clear()
