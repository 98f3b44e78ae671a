"""Keras's categorical preprocessing layers: StringLookup, IntegerLookup, Hashing, Discretization and
CategoryEncoding. Like TextVectorization they act before the model, on arrays of strings or numbers.

    lookup = layers.StringLookup(vocabulary=["a", "b", "c"])      # "[UNK]" -> 0, "a" -> 1, ...
    ids = lookup(np.array([["a", "z"]]))                           # [[1, 0]]
    onehot = layers.StringLookup(vocabulary=["a", "b"], output_mode="one_hot")
    bins = layers.Discretization(bin_boundaries=[0.0, 1.0])(np.array([[-0.5, 0.5, 2.0]]))   # [[0, 1, 2]]

output_mode "int" returns int64 ids of the input's shape; "one_hot" adds an axis of num_tokens;
"multi_hot" / "count" / "tf_idf" reduce the last axis of a (N, L) input to (N, num_tokens) (a 1-D
input counts as one sample per element). CategoryEncoding does only that encoding step.
"""

from __future__ import annotations

import hashlib
import numbers
from collections import Counter

import numpy as np

from .. import nn
from ..autograd import Tensor
from .graph import Layer

__all__ = ["CategoryEncoding", "Discretization", "Hashing", "IntegerLookup", "StringLookup"]

_MODES = ("int", "one_hot", "multi_hot", "count", "tf_idf")


def _array(x) -> np.ndarray:
    return np.asarray(x.data if isinstance(x, Tensor) else x)


def encode(ids: np.ndarray, num_tokens: int, output_mode: str, layer: str, weights=None, idf=None) -> np.ndarray:
    """Keras's category encoding of int ids in [0, num_tokens): "one_hot" (..., num_tokens); "multi_hot",
    "count", "tf_idf" (count * idf) reduce the last axis of (N, L) to (N, num_tokens) (1-D: one id per sample).
    weights (ids' shape) replace the counts' ones, as CategoryEncoding(count_weights=)."""
    ids = np.asarray(ids)
    if ids.size and (ids.min() < 0 or ids.max() >= num_tokens):
        raise ValueError(f"{layer}: ids must lie in [0, {num_tokens}), got values in [{ids.min()}, {ids.max()}]")
    if output_mode == "one_hot":
        return np.eye(num_tokens, dtype=np.float32)[ids]
    if ids.ndim > 2:
        raise ValueError(f"{layer}: output_mode={output_mode!r} needs inputs (N,) or (N, L), got shape {ids.shape}")
    rows = ids.reshape(-1, 1) if ids.ndim == 1 else ids.reshape(1, -1) if ids.ndim == 0 else ids
    w = np.ones(rows.shape, np.float32) if weights is None else np.asarray(weights, np.float32).reshape(rows.shape)
    out = np.zeros((rows.shape[0], num_tokens), np.float32)
    np.add.at(out, (np.arange(rows.shape[0])[:, None], rows), w)
    if output_mode == "multi_hot":
        out = (out > 0).astype(np.float32)
    elif output_mode == "tf_idf":
        out *= idf
    return out


class CategoryEncoding(Layer, nn.Module):
    """Int ids -> one-hot, multi-hot or count vectors of num_tokens entries (see encode for shapes).

    >>> CategoryEncoding(num_tokens=4, output_mode="one_hot")(np.array([1, 3])).tolist()
    [[0.0, 1.0, 0.0, 0.0], [0.0, 0.0, 0.0, 1.0]]
    """

    def __init__(self, num_tokens: int | None = None, output_mode: str = "multi_hot", sparse: bool = False):
        output_mode = "multi_hot" if output_mode == "binary" else output_mode  # Keras 2's name
        if not isinstance(num_tokens, numbers.Integral) or isinstance(num_tokens, bool) or num_tokens < 1:
            raise ValueError(f"CategoryEncoding: num_tokens must be a positive int, got {num_tokens!r}")
        if output_mode not in ("one_hot", "multi_hot", "count"):
            raise ValueError(f"CategoryEncoding: output_mode must be 'one_hot', 'multi_hot' or 'count', got "
                             f"{output_mode!r}")
        if sparse:
            raise ValueError("CategoryEncoding: sparse=True is not supported (gradnote's tensors are dense)")
        self.num_tokens, self.output_mode = int(num_tokens), output_mode

    def forward(self, inputs, count_weights=None) -> Tensor:
        ids = _array(inputs)
        if ids.dtype.kind == "f":
            ids = ids.astype(np.int64)
        return Tensor._wrap(encode(ids, self.num_tokens, self.output_mode, "CategoryEncoding", count_weights))

    def get_config(self) -> dict:
        return {"num_tokens": self.num_tokens, "output_mode": self.output_mode}


class _Lookup(Layer, nn.Module):
    """A vocabulary -> index table: num_oov_indices out-of-vocabulary ids (hashed when more than one), an
    optional mask token (index 0, or output 0 everywhere in int mode), then the vocabulary in order."""

    _kind, _default_oov, _default_mask = "token", "[UNK]", None

    def __init__(self, max_tokens=None, num_oov_indices: int = 1, mask_token=None, oov_token=None, vocabulary=None,
                 invert: bool = False, output_mode: str = "int", idf_weights=None, sparse: bool = False,
                 pad_to_max_tokens: bool = False):
        name = type(self).__name__
        output_mode = "multi_hot" if output_mode == "binary" else output_mode  # Keras 2's name, which Keras keeps
        if output_mode not in _MODES:
            raise ValueError(f"{name}: output_mode must be one of {_MODES}, got {output_mode!r}")
        if not isinstance(num_oov_indices, int) or num_oov_indices < 0:
            raise ValueError(f"{name}: num_oov_indices must be an int >= 0, got {num_oov_indices!r}")
        if max_tokens is not None and (not isinstance(max_tokens, int) or max_tokens < 1):
            raise ValueError(f"{name}: max_tokens must be None or a positive int, got {max_tokens!r}")
        if invert and output_mode != "int":
            raise ValueError(f"{name}: invert=True needs output_mode='int', got {output_mode!r}")
        if sparse:
            raise ValueError(f"{name}: sparse=True is not supported (gradnote's tensors are dense)")
        self.max_tokens, self.num_oov_indices, self.mask_token = max_tokens, num_oov_indices, mask_token
        self.oov_token = self._default_oov if oov_token is None else oov_token
        self.invert, self.output_mode, self.pad_to_max_tokens = bool(invert), output_mode, bool(pad_to_max_tokens)
        self._vocab, self._idf = [], None
        if vocabulary is not None:
            self.set_vocabulary(vocabulary, idf_weights)

    # ----- the table ----------------------------------------------------------------------------------
    def _key(self, v):
        raise NotImplementedError

    @property
    def _specials(self) -> list:
        return ([] if self.mask_token is None else [self.mask_token]) + [self.oov_token] * self.num_oov_indices

    def set_vocabulary(self, vocabulary, idf_weights=None) -> None:
        """Use `vocabulary` (without mask and OOV tokens) in its order."""
        tokens = [self._key(v) for v in (vocabulary.data if isinstance(vocabulary, Tensor) else vocabulary)]
        if len(set(tokens)) != len(tokens):
            raise ValueError(f"{type(self).__name__}: the vocabulary holds repeated entries")
        if self.mask_token is not None and self.mask_token in tokens or self.oov_token in tokens:
            raise ValueError(f"{type(self).__name__}: the vocabulary must not contain the mask or OOV token")
        self._vocab = tokens
        if self.output_mode == "tf_idf":
            if idf_weights is None or len(idf_weights) != len(tokens):
                raise ValueError(f"{type(self).__name__}: output_mode='tf_idf' with a vocabulary needs one idf weight "
                                 "per token")
            w = np.asarray(idf_weights, np.float32)
            self._idf = np.concatenate([np.zeros(len(self._specials) - self.num_oov_indices, np.float32),
                                        np.full(self.num_oov_indices, w.mean(), np.float32), w])

    def adapt(self, data, batch_size=None, steps=None) -> None:
        """The vocabulary: the data's distinct values by descending frequency (ties: first seen), cut to max_tokens."""
        values = _array(data).reshape(-1)
        counts = Counter(self._key(v) for v in values)
        specials = set(self._specials)
        ordered = [t for t, _ in sorted(counts.items(), key=lambda tc: -tc[1]) if t not in specials]
        if self.max_tokens is not None:
            ordered = ordered[:max(self.max_tokens - len(self._specials), 0)]
        self._vocab = ordered
        if self.output_mode == "tf_idf":
            docs = _array(data)
            docs = docs.reshape(docs.shape[0], -1) if docs.ndim > 1 else docs.reshape(-1, 1)
            df = Counter(t for row in docs for t in {self._key(v) for v in row})
            idf = np.array([np.log(1 + len(docs) / (1 + df[t])) for t in ordered], np.float32)
            self._idf = np.concatenate([np.zeros(len(self._specials) - self.num_oov_indices, np.float32),
                                        np.full(self.num_oov_indices, idf.mean() if idf.size else 0, np.float32),
                                        idf])

    def get_vocabulary(self, include_special_tokens: bool = True) -> list:
        return (self._specials if include_special_tokens else []) + list(self._vocab)

    def vocabulary_size(self) -> int:
        return len(self._specials) + len(self._vocab)

    def _oov(self, key) -> int:
        if self.num_oov_indices == 1:
            return 0
        digest = hashlib.blake2b(str(key).encode("utf-8"), digest_size=8).digest()  # stable across runs
        return int.from_bytes(digest, "little") % self.num_oov_indices

    # ----- calling ------------------------------------------------------------------------------------
    def forward(self, inputs) -> Tensor:
        name = type(self).__name__
        if not self._vocab:
            raise RuntimeError(f"{name}: call adapt(data) (or pass vocabulary=) first")
        values = _array(inputs)
        first = 0 if self.mask_token is None else 1
        if self.invert:
            table = self.get_vocabulary()
            ids = values.astype(np.int64)
            if ids.size and (ids.min() < 0 or ids.max() >= len(table)):
                raise ValueError(f"{name}: ids must lie in [0, {len(table)}) to invert, got [{ids.min()}, {ids.max()}]")
            return np.array(table, dtype=object)[ids]
        index = {t: first + self.num_oov_indices + i for i, t in enumerate(self._vocab)}

        def lookup(t) -> int:
            if self.mask_token is not None and t == self.mask_token:
                return 0
            if t in index:
                return index[t]
            if not self.num_oov_indices:
                raise ValueError(f"{name}: {t!r} is not in the vocabulary and num_oov_indices=0")
            return first + self._oov(t)

        ids = np.array([lookup(self._key(v)) for v in values.reshape(-1)], dtype=np.int64).reshape(values.shape)
        if self.output_mode == "int":
            return Tensor._wrap(ids)
        width = self.max_tokens if self.pad_to_max_tokens and self.max_tokens else self.vocabulary_size()
        idf = None if self._idf is None else np.pad(self._idf, (0, width - len(self._idf)))
        return Tensor._wrap(encode(ids, width, self.output_mode, name, idf=idf))

    def get_config(self) -> dict:
        return {"max_tokens": self.max_tokens, "num_oov_indices": self.num_oov_indices, "mask_token": self.mask_token,
                "oov_token": self.oov_token, "vocabulary": list(self._vocab) or None, "invert": self.invert,
                "output_mode": self.output_mode, "pad_to_max_tokens": self.pad_to_max_tokens,
                "idf_weights": None if self._idf is None else self._idf[len(self._specials):].tolist()}


class StringLookup(_Lookup):
    """Strings -> int ids: index 0 is "[UNK]" (out of vocabulary; with mask_token, the mask is 0 and
    "[UNK]" 1), then the vocabulary. invert=True maps ids back to strings.

    >>> StringLookup(vocabulary=["a", "b"])(np.array([["b", "a", "x"]])).tolist()
    [[2, 1, 0]]
    """

    takes_strings = True

    def _key(self, v):
        return v.decode("utf-8") if isinstance(v, bytes) else str(v)


class IntegerLookup(_Lookup):
    """Integers -> int ids: index 0 is the out-of-vocabulary id (oov_token -1), then the vocabulary.

    >>> IntegerLookup(vocabulary=[12, 36])(np.array([[36, 12, 7]])).tolist()
    [[2, 1, 0]]
    """

    _default_oov = -1

    def _key(self, v):
        return int(v)


class Hashing(Layer, nn.Module):
    """Values -> a bin in [0, num_bins) by a stable hash of their text (strings and numbers alike); with
    mask_value, that value maps to 0 and the others to [1, num_bins). salt= changes the hash.

    >>> Hashing(num_bins=3)(np.array([["a"], ["a"]])).shape
    (2, 1)
    """

    takes_strings = True

    def __init__(self, num_bins: int, mask_value=None, salt=None, output_mode: str = "int", sparse: bool = False):
        if not isinstance(num_bins, int) or isinstance(num_bins, bool) or num_bins < 1 or (
                mask_value is not None and num_bins < 2):
            raise ValueError(f"Hashing: num_bins must be a positive int (>= 2 with mask_value), got {num_bins!r}")
        if output_mode not in ("int", "one_hot", "multi_hot", "count"):
            raise ValueError(f"Hashing: output_mode must be 'int', 'one_hot', 'multi_hot' or 'count', got "
                             f"{output_mode!r}")
        if sparse:
            raise ValueError("Hashing: sparse=True is not supported (gradnote's tensors are dense)")
        self.num_bins, self.mask_value, self.salt, self.output_mode = num_bins, mask_value, salt, output_mode

    def _bin(self, v) -> int:
        text = v.decode("utf-8") if isinstance(v, bytes) else str(v)
        key = b"" if self.salt is None else str(self.salt).encode("utf-8")
        digest = hashlib.blake2b(text.encode("utf-8"), digest_size=8, key=key[:64]).digest()
        h = int.from_bytes(digest, "little")
        if self.mask_value is None:
            return h % self.num_bins
        return 0 if text == str(self.mask_value) else 1 + h % (self.num_bins - 1)

    def forward(self, inputs) -> Tensor:
        values = _array(inputs)
        ids = np.array([self._bin(v) for v in values.reshape(-1)], dtype=np.int64).reshape(values.shape)
        if self.output_mode == "int":
            return Tensor._wrap(ids)
        return Tensor._wrap(encode(ids, self.num_bins, self.output_mode, "Hashing"))

    def get_config(self) -> dict:
        return {"num_bins": self.num_bins, "mask_value": self.mask_value, "salt": self.salt,
                "output_mode": self.output_mode}


class Discretization(Layer, nn.Module):
    """Numbers -> the index of their bin: bin_boundaries [b0, b1, ...] make bins (-inf, b0), [b0, b1), ...,
    [b_last, inf); adapt(data) places num_bins - 1 boundaries at the data's quantiles.

    >>> Discretization(bin_boundaries=[0.0, 1.0])(np.array([[-0.5, 0.5, 2.0]])).tolist()
    [[0, 1, 2]]
    """

    def __init__(self, bin_boundaries=None, num_bins: int | None = None, epsilon: float = 0.01,
                 output_mode: str = "int", sparse: bool = False):
        if (bin_boundaries is None) == (num_bins is None):
            raise ValueError("Discretization: pass exactly one of bin_boundaries= or num_bins=")
        if num_bins is not None and (not isinstance(num_bins, int) or num_bins < 2):
            raise ValueError(f"Discretization: num_bins must be an int >= 2, got {num_bins!r}")
        if output_mode not in ("int", "one_hot", "multi_hot", "count"):
            raise ValueError(f"Discretization: output_mode must be 'int', 'one_hot', 'multi_hot' or 'count', got "
                             f"{output_mode!r}")
        if sparse:
            raise ValueError("Discretization: sparse=True is not supported (gradnote's tensors are dense)")
        self.bin_boundaries = None if bin_boundaries is None else [float(b) for b in bin_boundaries]
        if self.bin_boundaries is not None and self.bin_boundaries != sorted(self.bin_boundaries):
            raise ValueError(f"Discretization: bin_boundaries must be sorted, got {bin_boundaries!r}")
        self.num_bins, self.epsilon, self.output_mode = num_bins, float(epsilon), output_mode

    def adapt(self, data, batch_size=None, steps=None) -> None:
        """Boundaries at the quantiles 1/num_bins, 2/num_bins, ... of the data."""
        values = np.asarray(_array(data), dtype=np.float64).reshape(-1)
        self.bin_boundaries = np.quantile(values, np.arange(1, self.num_bins) / self.num_bins).tolist()

    def forward(self, inputs) -> Tensor:
        if self.bin_boundaries is None:
            raise RuntimeError("Discretization: call adapt(data) (or pass bin_boundaries=) first")
        ids = np.searchsorted(np.asarray(self.bin_boundaries), np.asarray(_array(inputs), np.float64), side="right")
        if self.output_mode == "int":
            return Tensor._wrap(ids.astype(np.int64))
        return Tensor._wrap(encode(ids, len(self.bin_boundaries) + 1, self.output_mode, "Discretization"))

    def get_config(self) -> dict:
        return {"bin_boundaries": self.bin_boundaries, "num_bins": None if self.bin_boundaries else self.num_bins,
                "epsilon": self.epsilon, "output_mode": self.output_mode}
