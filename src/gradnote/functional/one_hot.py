"""one_hot: class indices as indicator vectors, the target encoding of categorical cross-entropy."""

from __future__ import annotations

from ..autograd import Tensor
from ..backend import int64, xp
from ._util import as_tensor

__all__ = ["one_hot"]


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """int64 indices of shape (*) -> int64 (*, num_classes) with a 1 at each index (no gradient).

    num_classes=-1 takes max(index) + 1, as PyTorch.

    >>> one_hot(gn.tensor([0, 2])).tolist()
    [[1, 0, 0], [0, 0, 1]]
    """
    t = as_tensor(tensor, "one_hot").data
    if t.dtype.kind not in "iu":
        raise TypeError(f"one_hot: expected integer class indices, got dtype {t.dtype}")
    if t.size and t.min() < 0:
        raise ValueError(f"one_hot: class indices must be non-negative, got {int(t.min())}")
    if num_classes == -1:
        if not t.size:
            raise ValueError("one_hot: cannot infer num_classes from an empty tensor; pass num_classes")
        num_classes = int(t.max()) + 1
    elif not isinstance(num_classes, int) or num_classes < 1:
        raise ValueError(f"one_hot: num_classes must be a positive int or -1, got {num_classes!r}")
    elif t.size and t.max() >= num_classes:
        raise ValueError(f"one_hot: class index {int(t.max())} is out of range for num_classes={num_classes}")
    out = xp.zeros((*t.shape, num_classes), dtype=int64)
    xp.put_along_axis(out, t[..., None].astype(xp.intp), 1, axis=-1)
    return Tensor._wrap(out)
