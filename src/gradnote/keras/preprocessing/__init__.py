"""Keras 2's ``keras.preprocessing``: ``sequence.pad_sequences``, ``text.Tokenizer``, ``image.load_img`` and the
dataset makers keras.utils has since (``image_dataset_from_directory`` and the others), under their old names.

    from gradnote.keras.preprocessing.text import Tokenizer
    from gradnote.keras.preprocessing.sequence import pad_sequences
    tok = Tokenizer(num_words=1000); tok.fit_on_texts(texts)
    x = pad_sequences(tok.texts_to_sequences(texts), maxlen=100)
"""

from ..dataset_utils import (  # noqa: F401
    image_dataset_from_directory,
    text_dataset_from_directory,
    timeseries_dataset_from_array,
)
from . import image, sequence, text  # noqa: F401

__all__ = ["image", "image_dataset_from_directory", "sequence", "text", "text_dataset_from_directory",
           "timeseries_dataset_from_array"]
