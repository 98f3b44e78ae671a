"""keras.preprocessing.sequence: pad_sequences (gradnote.utils.keras_utils's, Keras's "pre" defaults)."""

from ...utils.keras_utils import pad_sequences

__all__ = ["pad_sequences"]
