"""Padding variable-length sequences for the recurrent layers, as torch.nn.utils.rnn.

pad_sequence stacks sequences of different lengths into one padded batch (differentiable:
the padding gets no gradient); unpad_sequence cuts them out again. gradnote's RNN / LSTM / GRU
take the lengths directly (``lstm(padded, lengths=lengths)``) where PyTorch would pack.

    padded = pad_sequence([a, b, c])                 # (T_max, 3, *) ; batch_first=True: (3, T_max, *)
    out, (h_n, c_n) = lstm(padded, lengths=[len(a), len(b), len(c)])
"""

from __future__ import annotations

from ...autograd import Tensor, concat, stack
from ...backend import xp

__all__ = ["pad_sequence", "unpad_sequence"]


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
