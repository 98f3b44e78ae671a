"""keras.backend's configuration queries, as Keras 2 programs call them (``from keras import backend as K``).

Only the settings gradnote fixes are here: image layers default to channels_last, tensors are float32,
and Keras's fuzz factor is 1e-7.

>>> from gradnote.keras import backend as K
>>> K.image_data_format(), K.floatx(), K.epsilon()
('channels_last', 'float32', 1e-07)
"""

from ..train.losses import EPSILON

__all__ = ["epsilon", "floatx", "image_data_format"]


def image_data_format() -> str:
    """The layout image layers take by default: "channels_last" (N, H, W, C), as in Keras."""
    return "channels_last"


def floatx() -> str:
    """The default float type of weights and inputs: "float32"."""
    return "float32"


def epsilon() -> float:
    """Keras's fuzz factor, 1e-7 (the value its losses clip probabilities by)."""
    return EPSILON
