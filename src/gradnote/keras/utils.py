"""keras.utils: the functions of gradnote.utils.keras_utils (to_categorical, set_random_seed, pad_sequences,
normalize, get_file, Sequence/PyDataset), so ``keras.utils.f is gn.utils.f``.

Keras 2.0-2.3 programs import ``from keras.utils import np_utils`` and call np_utils.to_categorical and
np_utils.normalize; np_utils is this module, so those are the same functions.
"""

import sys as _sys

from ..utils.keras_utils import *  # noqa: F401,F403
from ..utils.keras_utils import __all__  # noqa: F401

np_utils = _sys.modules[__name__]
