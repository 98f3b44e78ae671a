"""Axis arguments, normalised once for every op: errors name the op and the dimension count."""

from __future__ import annotations

import numbers


def norm_axis(op: str, axis, ndim: int):
    """None, or a sorted tuple of non-negative axes; errors name the op. A 0-d tensor accepts 0 and -1."""
    if axis is None:
        return None
    axes = (axis,) if isinstance(axis, numbers.Integral) else axis
    if not isinstance(axes, (tuple, list)) or not all(isinstance(ax, numbers.Integral) for ax in axes):
        raise TypeError(f"{op}: axis must be None, an int or a tuple of ints, got {axis!r}")
    nd = max(ndim, 1)
    out = []
    for ax in axes:
        if not -nd <= ax < nd:
            raise ValueError(f"{op}: axis {ax} is out of range for a tensor with {ndim} dimensions")
        out.append(int(ax) % nd)
    if len(set(out)) != len(out):
        raise ValueError(f"{op}: repeated axis in {axis}")
    return None if ndim == 0 else tuple(sorted(out))


def one_dim(op: str, dim, ndim: int) -> int:
    """A single dim as a non-negative int (0 for a 0-d tensor)."""
    if not isinstance(dim, numbers.Integral) or isinstance(dim, bool):
        raise TypeError(f"{op}: dim must be an int, got {dim!r}")
    axes = norm_axis(op, dim, ndim)
    return 0 if axes is None else axes[0]
