"""embedding_bag: look up a bag of rows and reduce them to one vector (sum, mean or max), without the
(bag, position, D) tensor of F.embedding, as torch.nn.functional.embedding_bag.

    input (B, L) with offsets None:   bag b is input[b]
    input (n,) with offsets (B,):     bag b is input[offsets[b]:offsets[b + 1]] (the last runs to the end)

sum and mean are one matrix product: out = M @ weight[input], M[b, i] = 1 (or per_sample_weights[i], or
1 / len(bag) for mean) when index i is in bag b, so repeated indices and empty bags (a zero row) need no
special case. max takes the largest of each bag's rows. padding_idx entries are left out of their bag.
"""

from __future__ import annotations

from ..autograd import Tensor, stack
from ..backend import xp
from ._util import float_tensor
from .embedding import _check_padding_idx, embedding

__all__ = ["embedding_bag"]


def _bags(op: str, idx, offsets, include_last_offset: bool):
    """(flat indices, bag number of each) from a 2-D input or a 1-D input with offsets."""
    if idx.ndim == 2:
        if offsets is not None:
            raise ValueError(f"{op}: offsets must be None for a 2-D input {idx.shape} (each row is a bag)")
        return idx.reshape(-1), xp.repeat(xp.arange(idx.shape[0]), idx.shape[1]), idx.shape[0]
    if idx.ndim != 1 or offsets is None:
        raise ValueError(f"{op}: expected a 2-D input (B, L), or a 1-D input with 1-D offsets, got input shape "
                         f"{idx.shape} and offsets {None if offsets is None else offsets.shape}")
    off = offsets.astype(xp.int64).reshape(-1)
    if off.size == 0 or off[0] != 0 or (off[1:] < off[:-1]).any() or off[-1] > idx.size:
        raise ValueError(f"{op}: offsets must start at 0, never decrease and stay within the {idx.size} indices, "
                         f"got {off.tolist()}")
    bags = off.size - 1 if include_last_offset else off.size
    bag_of = xp.searchsorted(off, xp.arange(idx.size), side="right") - 1
    keep = bag_of < bags  # include_last_offset: indices past the last offset belong to no bag
    return idx[keep], bag_of[keep], bags


def embedding_bag(input, weight: Tensor, offsets=None, max_norm=None, norm_type: float = 2, scale_grad_by_freq=False,
                  mode: str = "mean", sparse: bool = False, per_sample_weights=None, include_last_offset: bool = False,
                  padding_idx: int | None = None) -> Tensor:
    """Reduce bags of rows of weight (num_embeddings, D) -> (B, D).

    >>> F.embedding_bag(gn.tensor([1, 2, 4, 5, 4]), gn.ones(10, 3), gn.tensor([0, 2]), mode="sum").tolist()
    [[2.0, 2.0, 2.0], [3.0, 3.0, 3.0]]
    """
    op = "embedding_bag"
    if mode not in ("sum", "mean", "max"):
        raise ValueError(f"{op}: mode must be 'sum', 'mean' or 'max', got {mode!r}")
    if max_norm is not None or scale_grad_by_freq:
        raise NotImplementedError(f"{op}: max_norm and scale_grad_by_freq are not implemented in gradnote; renormalise "
                                  "the weight yourself under no_grad")
    idx = input.data if isinstance(input, Tensor) else xp.asarray(input)
    off = None if offsets is None else offsets.data if isinstance(offsets, Tensor) else xp.asarray(offsets)
    flat, bag_of, bags = _bags(op, idx, off, include_last_offset)
    weights = None
    if per_sample_weights is not None:
        if mode != "sum":
            raise ValueError(f"{op}: per_sample_weights is only supported for mode='sum', got mode={mode!r}")
        weights = float_tensor(per_sample_weights, op)
        if weights.shape != idx.shape:
            raise ValueError(f"{op}: per_sample_weights must have the input's shape {idx.shape}, got {weights.shape}")
        weights = weights.reshape(-1)[:flat.size]
    if padding_idx is not None:
        keep = flat != _check_padding_idx(padding_idx, weight.shape[0], op)
        flat, bag_of = flat[keep], bag_of[keep]
        weights = None if weights is None else weights[xp.nonzero(keep)[0]]
    rows = embedding(flat, weight)
    if mode == "max":
        empty = Tensor._wrap(xp.zeros(weight.shape[1], dtype=weight.data.dtype))
        return stack([rows[xp.nonzero(bag_of == b)[0]].max(axis=0) if (bag_of == b).any() else empty
                      for b in range(bags)])
    member = (xp.arange(bags)[:, None] == bag_of[None, :]).astype(weight.data.dtype)
    if mode == "mean":
        member /= xp.maximum(member.sum(axis=1, keepdims=True), 1)
    matrix = Tensor._wrap(member) if weights is None else Tensor._wrap(member) * weights
    return matrix @ rows
