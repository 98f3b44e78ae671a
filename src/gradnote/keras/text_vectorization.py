"""Keras 3's TextVectorization layer: strings -> token ids or bag-of-words vectors, vocabulary from adapt().

    vectorize = layers.TextVectorization(max_tokens=10000, output_sequence_length=200)
    vectorize.adapt(train_texts)                     # vocabulary by frequency: "", "[UNK]", "the", ...
    ids = vectorize(["a new review"])                # int64 Tensor (1, 200), 0 = padding, 1 = unknown
    bag = layers.TextVectorization(max_tokens=5000, output_mode="tf_idf")

The layer has no weights: call it on a list (or array) of strings, (N,) or (N, 1), before the model
(gradnote's Tensors hold numbers only), or on a keras.Input(shape=(1,), dtype="string") inside one.
"""

from __future__ import annotations

import math
import re
from collections import Counter

import numpy as np

from .. import nn
from ..autograd import Tensor
from .graph import Layer

__all__ = ["TextVectorization"]

_PUNCTUATION = re.compile(r'[!"#$%&()\*\+,\-\./:;<=>?@\[\\\]^_`{|}~\']')
_MODES = ("int", "multi_hot", "count", "tf_idf")


class TextVectorization(Layer, nn.Module):
    """TextVectorization(max_tokens=None, standardize="lower_and_strip_punctuation", split="whitespace",
    output_mode="int", output_sequence_length=None, vocabulary=None).

    output_mode "int": (N, L) ids, padded with 0 after the text (or cut) to output_sequence_length,
    else to the longest text; vocabulary ["", "[UNK]", tokens by descending count...].
    "multi_hot" / "count" / "tf_idf": (N, V) float32 over the vocabulary ["[UNK]", tokens...];
    tf_idf weights counts by idf = log(1 + documents / (1 + documents with the token)) (the
    unknown token gets the mean idf). max_tokens counts the special tokens.

    >>> tv = TextVectorization(); tv.adapt(["b a b"]); tv.get_vocabulary()
    ['', '[UNK]', 'b', 'a']
    """

    def __init__(self, max_tokens: int | None = None, standardize="lower_and_strip_punctuation",
                 split="whitespace", ngrams=None, output_mode: str = "int", output_sequence_length: int | None = None,
                 pad_to_max_tokens: bool = False, vocabulary=None, idf_weights=None):
        if max_tokens is not None and (not isinstance(max_tokens, int) or isinstance(max_tokens, bool)
                                       or max_tokens < (3 if output_mode == "int" else 2)):
            raise ValueError(f"TextVectorization: max_tokens must be None or an int >= 3 ('int' mode) / 2, "
                             f"got {max_tokens!r}")
        if output_mode not in _MODES:
            raise ValueError(f"TextVectorization: output_mode must be one of {_MODES}, got {output_mode!r}")
        if standardize not in (None, "lower", "strip_punctuation", "lower_and_strip_punctuation") \
                and not callable(standardize):
            raise ValueError(f"TextVectorization: unknown standardize {standardize!r}")
        if split not in (None, "whitespace", "character") and not callable(split):
            raise ValueError(f"TextVectorization: unknown split {split!r}")
        if ngrams is not None:
            raise ValueError("TextVectorization: ngrams are not supported")
        if output_sequence_length is not None and (output_mode != "int" or not isinstance(output_sequence_length, int)
                                                   or output_sequence_length < 1):
            raise ValueError(f"TextVectorization: output_sequence_length needs output_mode='int' and a positive int, "
                             f"got {output_sequence_length!r}")
        self.max_tokens, self.standardize, self.split, self.output_mode = max_tokens, standardize, split, output_mode
        self.output_sequence_length, self.pad_to_max_tokens = output_sequence_length, bool(pad_to_max_tokens)
        self._vocab: list[str] = []
        self._idf = None
        if vocabulary is not None:
            self.set_vocabulary(vocabulary, idf_weights)

    @property
    def _specials(self) -> list[str]:
        return ["", "[UNK]"] if self.output_mode == "int" else ["[UNK]"]

    def _tokens(self, text) -> list[str]:
        if isinstance(text, bytes):
            text = text.decode("utf-8")
        if not isinstance(text, str):
            raise TypeError(f"TextVectorization: expected strings, got {type(text).__name__}")
        s = self.standardize
        if callable(s):
            text = s(text)
        else:
            if s in ("lower", "lower_and_strip_punctuation"):
                text = text.lower()
            if s in ("strip_punctuation", "lower_and_strip_punctuation"):
                text = _PUNCTUATION.sub("", text)
        if callable(self.split):
            return list(self.split(text))
        if self.split == "character":
            return list(text)
        return text.split() if self.split == "whitespace" else [text]

    @staticmethod
    def _texts(data) -> list:
        if isinstance(data, (str, bytes)):
            return [data]
        return [t.item() if isinstance(t, np.ndarray) and t.ndim == 0 else
                (t[0] if isinstance(t, (list, tuple, np.ndarray)) and len(t) == 1 else t) for t in list(data)]

    def adapt(self, data, batch_size=None, steps=None) -> None:
        """Build the vocabulary (and document frequencies for tf_idf) from an iterable of strings."""
        counts, docs, n_docs = Counter(), Counter(), 0
        for text in self._texts(data):
            tokens = self._tokens(text)
            counts.update(tokens)
            docs.update(set(tokens))
            n_docs += 1
        specials = self._specials
        ordered = [t for t, _ in sorted(counts.items(), key=lambda tc: -tc[1]) if t not in specials]
        if self.max_tokens is not None:
            ordered = ordered[:self.max_tokens - len(specials)]
        self._vocab = specials + ordered
        if self.output_mode == "tf_idf":
            idf = np.array([math.log(1 + n_docs / (1 + docs[t])) for t in ordered], dtype=np.float32)
            self._idf = np.concatenate([[idf.mean() if idf.size else 0.0], idf]).astype(np.float32)

    def set_vocabulary(self, vocabulary, idf_weights=None) -> None:
        """Use the given tokens (without the special ones) as the vocabulary."""
        tokens = [t for t in vocabulary if t not in self._specials]
        self._vocab = self._specials + tokens
        if self.output_mode == "tf_idf":
            if idf_weights is None or len(idf_weights) != len(tokens):
                raise ValueError("TextVectorization: tf_idf with a given vocabulary needs one idf weight per token")
            w = np.asarray(idf_weights, dtype=np.float32)
            self._idf = np.concatenate([[w.mean()], w]).astype(np.float32)

    takes_strings = True

    def get_vocabulary(self, include_special_tokens: bool = True) -> list[str]:
        return list(self._vocab if include_special_tokens else self._vocab[len(self._specials):])

    def compute_output_shape(self, input_shape) -> tuple:
        """(N, L) ids (L None without output_sequence_length: the longest text decides) or (N, V) vectors,
        for (N,) or (N, 1) strings."""
        if self.output_mode == "int":
            return (input_shape[0], self.output_sequence_length)
        return (input_shape[0], self.max_tokens if self.pad_to_max_tokens and self.max_tokens else len(self._vocab))

    def vocabulary_size(self) -> int:
        return len(self._vocab)

    def forward(self, inputs) -> Tensor:
        if not self._vocab:
            raise RuntimeError("TextVectorization: call adapt(texts) (or pass vocabulary=) first")
        index = {t: i for i, t in enumerate(self._vocab)}
        unk = index["[UNK]"]
        rows = [[index.get(t, unk) for t in self._tokens(text)] for text in self._texts(inputs)]
        if self.output_mode == "int":
            L = self.output_sequence_length or max((len(r) for r in rows), default=0)
            out = np.zeros((len(rows), L), dtype=np.int64)
            for i, r in enumerate(rows):
                r = r[:L]
                out[i, :len(r)] = r
            return Tensor._wrap(out)
        width = self.max_tokens if self.pad_to_max_tokens and self.max_tokens else len(self._vocab)
        out = np.zeros((len(rows), width), dtype=np.float32)
        for i, r in enumerate(rows):
            for j, c in Counter(r).items():
                out[i, j] = 1.0 if self.output_mode == "multi_hot" else c
        if self.output_mode == "tf_idf":
            out[:, :len(self._idf)] *= self._idf
        return Tensor._wrap(out)

    def get_config(self) -> dict:
        return {"max_tokens": self.max_tokens, "standardize": self.standardize if isinstance(self.standardize, str)
                or self.standardize is None else None, "split": self.split if not callable(self.split) else None,
                "output_mode": self.output_mode, "output_sequence_length": self.output_sequence_length,
                "pad_to_max_tokens": self.pad_to_max_tokens, "vocabulary": self.get_vocabulary(False) or None,
                "idf_weights": None if self._idf is None else self._idf[1:].tolist()}
