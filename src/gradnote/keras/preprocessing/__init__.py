"""Keras 2's ``keras.preprocessing``: ``sequence.pad_sequences`` and ``text.Tokenizer``.

    from gradnote.keras.preprocessing.text import Tokenizer
    from gradnote.keras.preprocessing.sequence import pad_sequences
    tok = Tokenizer(num_words=1000); tok.fit_on_texts(texts)
    x = pad_sequences(tok.texts_to_sequences(texts), maxlen=100)
"""

from . import sequence, text  # noqa: F401

__all__ = ["sequence", "text"]
