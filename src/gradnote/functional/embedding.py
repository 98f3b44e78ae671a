"""Embedding lookup: row idx of a (num_embeddings, D) table for every index, a learnable one-hot matmul.

    out[..., :] = weight[idx[...], :]              idx: any shape of ints -> out: idx.shape + (D,)

The gradient of a row is the sum of the output gradients of every position that looked it
up, so repeated indices accumulate (one vectorised scatter-add, never a Python loop).
``padding_idx`` marks a row whose gradient is always zero (the <pad> token stays fixed).
"""

from __future__ import annotations

from .. import backend
from ..autograd import Function, Tensor
from ..backend import xp

__all__ = ["embedding"]


class Embedding(Function):
    def forward(self, weight, idx, padding_idx=None):
        self.idx, self.shape, self.padding_idx = idx, weight.shape, padding_idx
        return weight[idx]

    def backward(self, g):
        V, D = self.shape
        m = backend.module_of(g)
        dw = m.zeros(V * D, dtype=g.dtype)
        # scatter-add over a flat view: element (i, d) of the table is i * D + d
        flat = (self.idx.reshape(-1, 1) * D + m.arange(D)).reshape(-1)
        backend.scatter_add(dw, flat, g.reshape(-1))
        dw = dw.reshape(V, D)
        if self.padding_idx is not None:
            dw[self.padding_idx] = 0
        return dw


def embedding(idx, weight: Tensor, padding_idx: int | None = None) -> Tensor:
    """Look up rows of `weight` (num_embeddings, D) for integer `idx` of any shape -> idx.shape + (D,).

    >>> F.embedding(gn.tensor([[0, 2], [2, 1]]), gn.randn(3, 4)).shape
    (2, 2, 4)
    """
    if not isinstance(weight, Tensor) or weight.ndim != 2:
        shape = getattr(weight, "shape", None)
        raise ValueError(f"embedding: weight must be a 2-D Tensor (num_embeddings, embedding_dim), got shape {shape}")
    data = idx.data if isinstance(idx, Tensor) else backend.asarray(idx)
    if data.dtype.kind not in "iu":
        raise TypeError(f"embedding: indices must be integers, got dtype {data.dtype} "
                        "(token ids, e.g. from a Vocab; use .long() to convert)")
    V = weight.shape[0]
    if data.size:
        lo, hi = data.min(), data.max()
        if lo < 0 or hi >= V:
            bad = int(lo) if lo < 0 else int(hi)
            raise IndexError(f"embedding: index {bad} is out of range for a table of {V} embeddings "
                             f"(valid indices 0..{V - 1})")
    if padding_idx is not None:
        padding_idx = _check_padding_idx(padding_idx, V, "embedding")
    if backend.cupy_loaded():  # the indices are an option, outside Function.apply's device check
        data = backend.same_device("embedding", [weight.data, data])[1]
    return Embedding.apply(weight, idx=data.astype(xp.int64, copy=False), padding_idx=padding_idx)


def _check_padding_idx(padding_idx: int, num_embeddings: int, who: str) -> int:
    """PyTorch's convention: a negative padding_idx counts from the end of the table."""
    if not -num_embeddings <= padding_idx < num_embeddings:
        raise ValueError(f"{who}: padding_idx must be in [-{num_embeddings}, {num_embeddings}), got {padding_idx}")
    return int(padding_idx) % num_embeddings
