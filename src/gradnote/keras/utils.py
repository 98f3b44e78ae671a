"""keras.utils: the functions of gradnote.utils.keras_utils (to_categorical, set_random_seed, pad_sequences,
normalize, get_file, Sequence/PyDataset), so ``keras.utils.f is gn.utils.f``."""

from ..utils.keras_utils import *  # noqa: F401,F403
from ..utils.keras_utils import __all__  # noqa: F401
