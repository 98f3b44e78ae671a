"""Keras 2's text Tokenizer: words -> ids by frequency, and texts -> bag-of-words matrices.

    tok = Tokenizer(num_words=1000, oov_token="<OOV>")
    tok.fit_on_texts(["the cat sat", "the dog"])     # word_index: {"<OOV>": 1, "the": 2, "cat": 3, ...}
    tok.texts_to_sequences(["the cat ran"])          # [[2, 3, 1]]
    tok.texts_to_matrix(texts, mode="tfidf")         # (N, num_words): binary, count, freq or tfidf

Id 0 is never given to a word (it is padding); with num_words only ids below num_words are kept.
"""

from __future__ import annotations

import math
from collections import Counter, OrderedDict

import numpy as np

__all__ = ["Tokenizer", "text_to_word_sequence"]

_FILTERS = '!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n'


def text_to_word_sequence(text: str, filters: str = _FILTERS, lower: bool = True, split: str = " ") -> list[str]:
    """Lower-case, turn every filter character into `split`, split, drop empty pieces (as Keras).

    >>> text_to_word_sequence("Hello, World!")
    ['hello', 'world']
    """
    if not isinstance(text, str):
        raise TypeError(f"text_to_word_sequence: expected a str, got {type(text).__name__}")
    if lower:
        text = text.lower()
    text = text.translate(str.maketrans({c: split for c in filters}))
    return [w for w in text.split(split) if w]


class Tokenizer:
    """Keras 2's Tokenizer(num_words=None, filters, lower=True, split=" ", char_level=False, oov_token=None).

    fit_on_texts fills word_counts (in order of first appearance), word_docs, document_count and
    word_index / index_word: ids from 1 by descending count (ties keep first appearance), the
    oov_token first when given.

    >>> tok = Tokenizer(); tok.fit_on_texts(["a b b"]); tok.word_index
    {'b': 1, 'a': 2}
    """

    def __init__(self, num_words: int | None = None, filters: str = _FILTERS, lower: bool = True, split: str = " ",
                 char_level: bool = False, oov_token: str | None = None, document_count: int = 0, **kwargs):
        if kwargs:
            raise TypeError(f"Tokenizer: unexpected arguments {sorted(kwargs)}")
        if num_words is not None and (not isinstance(num_words, int) or isinstance(num_words, bool) or num_words < 1):
            raise ValueError(f"Tokenizer: num_words must be None or a positive int, got {num_words!r}")
        self.num_words, self.filters, self.lower, self.split = num_words, filters, lower, split
        self.char_level, self.oov_token, self.document_count = char_level, oov_token, document_count
        self.word_counts: OrderedDict = OrderedDict()
        self.word_docs: dict = {}
        self.word_index: dict = {}
        self.index_word: dict = {}
        self.index_docs: dict = {}

    def _words(self, text) -> list[str]:
        if self.char_level or isinstance(text, list):
            if self.lower:
                text = [t.lower() for t in text] if isinstance(text, list) else text.lower()
            return list(text)
        return text_to_word_sequence(text, self.filters, self.lower, self.split)

    def fit_on_texts(self, texts) -> None:
        """Count the words of each text (a str, or a list of tokens) and rebuild word_index."""
        if isinstance(texts, str):
            raise TypeError("Tokenizer.fit_on_texts: expected a list of texts, got one str")
        for text in texts:
            self.document_count += 1
            words = self._words(text)
            for w in words:
                self.word_counts[w] = self.word_counts.get(w, 0) + 1
            for w in set(words):
                self.word_docs[w] = self.word_docs.get(w, 0) + 1
        ordered = sorted(self.word_counts.items(), key=lambda wc: -wc[1])  # stable: ties by first appearance
        vocab = ([self.oov_token] if self.oov_token is not None else []) + [w for w, _ in ordered]
        self.word_index = {w: i for i, w in enumerate(vocab, start=1)}
        self.index_word = {i: w for w, i in self.word_index.items()}
        self.index_docs = {self.word_index[w]: c for w, c in self.word_docs.items()}

    def fit_on_sequences(self, sequences) -> None:
        """Count, per id, the documents it appears in (what tfidf needs when fitting on ids)."""
        for seq in sequences:
            self.document_count += 1
            for i in set(seq):
                self.index_docs[i] = self.index_docs.get(i, 0) + 1

    def texts_to_sequences(self, texts) -> list[list[int]]:
        """Each text as its word ids; words unseen (or with id >= num_words) become the oov id or are dropped.

        >>> tok = Tokenizer(oov_token="?"); tok.fit_on_texts(["a b"]); tok.texts_to_sequences(["a c"])
        [[2, 1]]
        """
        oov = self.word_index.get(self.oov_token) if self.oov_token is not None else None
        out = []
        for text in texts:
            seq = []
            for w in self._words(text):
                i = self.word_index.get(w)
                if i is not None and (not self.num_words or i < self.num_words):
                    seq.append(i)
                elif oov is not None:
                    seq.append(oov)
            out.append(seq)
        return out

    def sequences_to_texts(self, sequences) -> list[str]:
        """Ids back to space-joined words (ids not kept by num_words become the oov token or are dropped)."""
        oov = self.word_index.get(self.oov_token) if self.oov_token is not None else None
        texts = []
        for seq in sequences:
            words = []
            for i in seq:
                word = self.index_word.get(i)
                if word is not None and (not self.num_words or i < self.num_words):
                    words.append(word)
                elif oov is not None:
                    words.append(self.index_word[oov])
            texts.append(" ".join(words))
        return texts

    def texts_to_matrix(self, texts, mode: str = "binary") -> np.ndarray:
        """(N, num_words) float64 bag of words: binary, count, freq (count / text length) or tfidf."""
        return self.sequences_to_matrix(self.texts_to_sequences(texts), mode=mode)

    def sequences_to_matrix(self, sequences, mode: str = "binary") -> np.ndarray:
        """Row i, column j: id j in sequence i, as Keras's binary / count / freq / tfidf, where
        tfidf = (1 + log count) * log(1 + documents / (1 + documents containing j))."""
        if mode not in ("binary", "count", "freq", "tfidf"):
            raise ValueError(f"Tokenizer: mode must be 'binary', 'count', 'freq' or 'tfidf', got {mode!r}")
        if self.num_words:
            width = self.num_words
        elif self.word_index:
            width = len(self.word_index) + 1
        else:
            raise ValueError("Tokenizer: specify num_words or call fit_on_texts before making a matrix")
        if mode == "tfidf" and not self.document_count:
            raise ValueError("Tokenizer: fit the tokenizer on some data before using tfidf mode")
        x = np.zeros((len(sequences), width))
        for row, seq in enumerate(sequences):
            if not seq:
                continue
            for j, c in Counter(i for i in seq if i < width).items():
                if mode == "count":
                    x[row, j] = c
                elif mode == "freq":
                    x[row, j] = c / len(seq)
                elif mode == "binary":
                    x[row, j] = 1
                else:
                    idf = math.log(1 + self.document_count / (1 + self.index_docs.get(j, 0)))
                    x[row, j] = (1 + math.log(c)) * idf
        return x

    def get_config(self) -> dict:
        return {"num_words": self.num_words, "filters": self.filters, "lower": self.lower, "split": self.split,
                "char_level": self.char_level, "oov_token": self.oov_token, "document_count": self.document_count}
