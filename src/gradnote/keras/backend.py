"""keras.backend's configuration queries, as Keras 2 programs call them (``from keras import backend as K``),
and clear_session.

The settings live in keras.config (one copy): image layers default to channels_last, tensors are
float32, and Keras's fuzz factor is 1e-7.

>>> from gradnote.keras import backend as K
>>> K.image_data_format(), K.floatx(), K.epsilon()
('channels_last', 'float32', 1e-07)
"""

from .config import backend, epsilon, floatx, image_data_format, set_epsilon, set_floatx, set_image_data_format
from .graph import _COUNTERS

__all__ = ["backend", "clear_session", "epsilon", "floatx", "image_data_format", "set_epsilon", "set_floatx",
           "set_image_data_format"]


def clear_session() -> None:
    """Forget Keras's automatic layer names (the next Dense is "dense" again); gradnote keeps no other global
    graph state, so nothing else needs clearing."""
    _COUNTERS.clear()
