"""Variable-length sequences for the recurrent layers, as torch.nn.utils.rnn.

pad_sequence stacks sequences of different lengths into one padded batch (the padding gets no
gradient); unpad_sequence cuts them out again. A PackedSequence stores only the real steps,
time step by time step, longest sequence first: data (sum(lengths), *) holds step 0 of every
sequence, then step 1 of those still running, and so on; batch_sizes[t] says how many run at
step t. RNN / LSTM / GRU accept one and return their output packed the same way; they also take
the lengths directly (``lstm(padded, lengths=lengths)``), which is what they do with a packed input.

    padded = pad_sequence([a, b, c])                 # (T_max, 3, *) ; batch_first=True: (3, T_max, *)
    out, (h_n, c_n) = lstm(pack_padded_sequence(padded, lengths, enforce_sorted=False))
    out, lengths = pad_packed_sequence(out)          # (T_max, 3, H), padding zeros
"""

from __future__ import annotations

from typing import NamedTuple

from ...autograd import Tensor, concat, stack
from ...backend import xp

__all__ = ["PackedSequence", "pack_padded_sequence", "pack_sequence", "pad_packed_sequence", "pad_sequence",
           "unpack_sequence", "unpad_sequence"]


class PackedSequence(NamedTuple):
    """Packed steps of a batch of sequences (see the module docstring). sorted_indices[i] is the
    batch index of the i-th longest sequence and unsorted_indices its inverse; both None when the
    batch was packed already sorted (enforce_sorted=True)."""

    data: Tensor
    batch_sizes: Tensor
    sorted_indices: Tensor | None = None
    unsorted_indices: Tensor | None = None


def _swap01(x: Tensor) -> Tensor:
    return x.transpose(1, 0, *range(2, x.ndim))


def _int64(a) -> Tensor:
    return Tensor._wrap(xp.asarray(a, dtype=xp.int64))


def pack_padded_sequence(input: Tensor, lengths, batch_first: bool = False, enforce_sorted: bool = True) -> PackedSequence:
    """Pack a padded batch (T, B, *) (batch_first: (B, T, *)) whose sequence b has lengths[b] real steps.
    enforce_sorted=True expects lengths in decreasing order; False sorts (stably) and records the order.

    >>> p = pack_padded_sequence(gn.ones(3, 2, 1), [3, 1]); p.data.shape, p.batch_sizes.tolist()
    ((4, 1), [2, 1, 1])
    """
    x = _swap01(input) if batch_first else input
    lengths = xp.asarray(lengths.data if isinstance(lengths, Tensor) else lengths)
    if x.ndim < 2 or x.shape[1] == 0:
        raise ValueError(f"pack_padded_sequence: expected a padded batch of shape {'(B, T, *)' if batch_first else '(T, B, *)'} "
                         f"with at least one sequence, got {input.shape}")
    T, B = x.shape[:2]
    if lengths.shape != (B,) or lengths.dtype.kind not in "iu":
        raise ValueError(f"pack_padded_sequence: expected {B} integer lengths (one per sequence of the batch of shape "
                         f"{input.shape}), got {lengths.tolist()}")
    if lengths.min() <= 0 or lengths.max() > T:
        raise ValueError(f"pack_padded_sequence: every length must lie in [1, {T}] (the padded length), got {lengths.tolist()}")
    if enforce_sorted:
        if xp.any(lengths[1:] > lengths[:-1]):
            raise ValueError(f"pack_padded_sequence: lengths must be sorted in decreasing order when enforce_sorted=True "
                             f"(pass enforce_sorted=False to have them sorted), got {lengths.tolist()}")
        order = None
    else:
        order = xp.argsort(-lengths, kind="stable")  # ties keep their batch order, as torch.sort
    ordered = lengths if order is None else lengths[order]
    running = xp.arange(ordered[0])[:, None] < ordered[None, :]  # (T_max, B): sequence b still runs at step t
    steps, rows = xp.nonzero(running)  # row-major: step 0 of every sequence, then step 1, ...
    data = x[steps, rows if order is None else order[rows]]
    if order is None:
        return PackedSequence(data, _int64(running.sum(axis=1)))
    return PackedSequence(data, _int64(running.sum(axis=1)), _int64(order), _int64(xp.argsort(order)))


def pad_packed_sequence(sequence: PackedSequence, batch_first: bool = False, padding_value: float = 0.0,
                        total_length: int | None = None) -> tuple:
    """Inverse of pack_padded_sequence: -> (padded (T, B, *) (batch_first: (B, T, *)), lengths (B,) int64),
    both in the original batch order; T = the longest length, or total_length.

    >>> out, lengths = pad_packed_sequence(pack_padded_sequence(gn.ones(3, 2, 1), [3, 1])); out.shape, lengths.tolist()
    ((3, 2, 1), [3, 1])
    """
    data, batch_sizes, _, unsorted = sequence
    sizes = xp.asarray(batch_sizes.data if isinstance(batch_sizes, Tensor) else batch_sizes)
    T_max, B = len(sizes), int(sizes[0])
    T = T_max if total_length is None else int(total_length)
    if T < T_max:
        raise ValueError(f"pad_packed_sequence: total_length must be at least the longest sequence length {T_max}, "
                         f"got total_length={total_length}")
    t, b = xp.arange(T)[:, None], xp.arange(B)[None, :]
    starts = xp.concatenate([[0], xp.cumsum(sizes)]).astype(xp.int64)  # first data row of each step
    real = (t < T_max) & (b < sizes[xp.minimum(t, T_max - 1)])
    rows = xp.where(real, starts[xp.minimum(t, T_max)] + b, data.shape[0])  # data.shape[0]: the padding row
    lengths = (sizes[None, :] > xp.arange(B)[:, None]).sum(axis=1)
    if unsorted is not None:
        order = unsorted.data if isinstance(unsorted, Tensor) else xp.asarray(unsorted)
        rows, lengths = rows[:, order], lengths[order]
    fill = Tensor._wrap(xp.full((1, *data.shape[1:]), padding_value, dtype=data.dtype))
    padded = concat([data, fill], axis=0)[rows]
    return (_swap01(padded) if batch_first else padded), _int64(lengths)


def pack_sequence(sequences, enforce_sorted: bool = True) -> PackedSequence:
    """Pack a list of sequences of shapes (L_i, *) directly (pad_sequence, then pack_padded_sequence).

    >>> pack_sequence([gn.ones(1, 2), gn.ones(3, 2)], enforce_sorted=False).batch_sizes.tolist()
    [2, 1, 1]
    """
    lengths = [s.shape[0] for s in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpack_sequence(packed_sequences: PackedSequence) -> list:
    """Inverse of pack_sequence: the list of sequences of shapes (L_i, *), in the original order.

    >>> [s.shape for s in unpack_sequence(pack_sequence([gn.ones(1, 2), gn.ones(3, 2)], enforce_sorted=False))]
    [(1, 2), (3, 2)]
    """
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)


def pad_sequence(sequences, batch_first: bool = False, padding_value: float = 0.0,
                 padding_side: str = "right") -> Tensor:
    """Stack sequences of shapes (L_i, *) into (T, B, *) (batch_first: (B, T, *)), T = max L_i,
    filling with `padding_value` after each sequence (padding_side="left": before it).

    >>> pad_sequence([gn.ones(3, 2), gn.ones(1, 2)]).shape
    (3, 2, 2)
    """
    if padding_side not in ("left", "right"):
        raise ValueError(f"pad_sequence: padding_side must be 'left' or 'right', got {padding_side!r}")
    if isinstance(sequences, Tensor):  # a tensor is a batch of equal-length sequences along axis 0
        sequences = [sequences[i] for i in range(sequences.shape[0])]
    sequences = list(sequences)
    if not sequences:
        raise ValueError("pad_sequence: received an empty list of sequences")
    for i, s in enumerate(sequences):
        if not isinstance(s, Tensor):
            raise TypeError(f"pad_sequence: sequence {i} is a {type(s).__name__}, expected a Tensor")
        if s.ndim == 0:
            raise ValueError(f"pad_sequence: sequence {i} is 0-d; each sequence needs a length axis (L, *)")
        if s.shape[1:] != sequences[0].shape[1:]:
            want = ", ".join(["L", *(str(d) for d in sequences[0].shape[1:])])
            raise ValueError(f"pad_sequence: sequence {i} has shape {s.shape}; every sequence must have shape "
                             f"({want}) like sequence 0")
    T, dtype = max(s.shape[0] for s in sequences), sequences[0].dtype
    padded = []
    for s in sequences:
        if s.shape[0] == T:
            padded.append(s)
            continue
        fill = Tensor._wrap(xp.full((T - s.shape[0], *s.shape[1:]), padding_value, dtype=dtype))
        padded.append(concat([s, fill] if padding_side == "right" else [fill, s], axis=0))
    return stack(padded, axis=0 if batch_first else 1)


def unpad_sequence(padded_sequences: Tensor, lengths, batch_first: bool = False) -> list:
    """The inverse of pad_sequence (right padding): (T, B, *) (batch_first: (B, T, *)) and B lengths
    -> B tensors of shapes (lengths[i], *).

    >>> [s.shape for s in unpad_sequence(pad_sequence([gn.ones(3), gn.ones(1)]), [3, 1])]
    [(3,), (1,)]
    """
    lengths = xp.asarray(lengths.data if isinstance(lengths, Tensor) else lengths)
    B, T = (padded_sequences.shape[:2] if batch_first else padded_sequences.shape[1::-1])
    if lengths.shape != (B,) or lengths.dtype.kind not in "iu" or (B and (lengths.min() < 0 or lengths.max() > T)):
        raise ValueError(f"unpad_sequence: lengths must be {B} integers in [0, {T}] (one per sequence of the "
                         f"padded batch of shape {padded_sequences.shape}), got {lengths.tolist()}")
    if batch_first:
        return [padded_sequences[i, :int(n)] for i, n in enumerate(lengths)]
    return [padded_sequences[:int(n), i] for i, n in enumerate(lengths)]
