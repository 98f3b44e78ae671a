"""pad: grow (or, with negative amounts, crop) the trailing axes of a tensor, as torch.nn.functional.pad.

The pad tuple runs from the LAST axis backwards: (left, right) pads the last axis,
(left, right, top, bottom) the last two, and so on. Modes:
    constant   fill with `value` (negative amounts crop)
    reflect    mirror without repeating the edge: [a b c] -> b | a b c | b
    replicate  repeat the edge:                    [a b c] -> a | a b c | c
    circular   wrap around:                        [a b c] -> c | a b c | a
The non-constant modes are one gather per axis through an index map (np.pad of 0..n-1 in
that mode); the backward adds each output gradient back to the position it was read from.
"""

from __future__ import annotations

import numbers

from .. import backend
from ..autograd import Function, Tensor
from ..backend import xp
from ._util import as_tensor

__all__ = ["pad"]

_INDEX_MODES = {"reflect": "reflect", "replicate": "edge", "circular": "wrap"}


class ConstantPad(Function):
    def forward(self, x, widths, value):
        self.shape = x.shape
        crop = tuple(slice(max(-lo, 0), n - max(-hi, 0)) for (lo, hi), n in zip(widths, x.shape))
        grow = [(max(lo, 0), max(hi, 0)) for lo, hi in widths]
        self.widths = widths
        return xp.pad(x[crop], grow, constant_values=x.dtype.type(value))

    def backward(self, g):
        inner = tuple(slice(max(lo, 0), g.shape[i] - max(hi, 0)) for i, (lo, hi) in enumerate(self.widths))
        back = [(max(-lo, 0), max(-hi, 0)) for lo, hi in self.widths]
        return xp.pad(g[inner], back)


class IndexPad(Function):
    def forward(self, x, maps):
        if not backend.is_host(x):  # the index maps are made on the host
            maps = [(axis, backend.like(idx, x)) for axis, idx in maps]
        self.shape, self.maps = x.shape, maps
        for axis, idx in maps:
            x = xp.take(x, idx, axis=axis)
        return x

    def backward(self, g):
        for axis, idx in reversed(self.maps):
            shape = list(g.shape)
            shape[axis] = self.shape[axis]
            out = backend.module_of(g).zeros(shape, dtype=g.dtype)
            backend.scatter_add(out, (slice(None),) * axis + (idx,), g)  # edge positions are read more than once
            g = out
        return g


def pad(input: Tensor, pad, mode: str = "constant", value: float | None = None) -> Tensor:
    """Pad the last len(pad) // 2 axes; pad = (last_left, last_right, prev_left, prev_right, ...).

    x: any shape -> each padded axis grows by left + right. reflect needs each amount below that
    axis's size, circular at most the size.

    >>> pad(gn.ones(1, 2), (1, 2)).tolist()
    [[0.0, 1.0, 1.0, 0.0, 0.0]]
    >>> pad(gn.tensor([[1.0, 2.0, 3.0]]), (2, 1), mode="reflect").tolist()
    [[3.0, 2.0, 1.0, 2.0, 3.0, 2.0]]
    """
    x = as_tensor(input, "pad")
    pad = tuple(pad) if isinstance(pad, (tuple, list)) else pad
    if not isinstance(pad, tuple) or len(pad) % 2 or not all(isinstance(p, numbers.Integral) for p in pad):
        raise ValueError(f"pad: pad must be a tuple of an even number of ints, got {pad!r}")
    if len(pad) // 2 > x.ndim:
        raise ValueError(f"pad: pad {pad} covers {len(pad) // 2} axes, but the input of shape {x.shape} has only "
                         f"{x.ndim}")
    widths = [(0, 0)] * x.ndim
    for k in range(len(pad) // 2):
        widths[x.ndim - 1 - k] = (int(pad[2 * k]), int(pad[2 * k + 1]))
    if mode == "constant":
        for (lo, hi), n in zip(widths, x.shape):
            if n + lo + hi < 0:
                raise ValueError(f"pad: pad {pad} crops more than the input of shape {x.shape} has")
        return ConstantPad.apply(x, widths=widths, value=0.0 if value is None else value)
    if mode not in _INDEX_MODES:
        raise ValueError(f"pad: mode must be 'constant', 'reflect', 'replicate' or 'circular', got {mode!r}")
    if value:
        raise ValueError(f"pad: value={value!r} is only meaningful in mode='constant', got mode={mode!r}")
    maps = []
    for axis, ((lo, hi), n) in enumerate(zip(widths, x.shape)):
        if not (lo or hi):
            continue
        if lo < 0 or hi < 0:
            raise ValueError(f"pad: negative padding {pad} is only supported in mode='constant'")
        limit = n - 1 if mode == "reflect" else n if mode == "circular" else None
        if n == 0 or (limit is not None and max(lo, hi) > limit):
            raise ValueError(f"pad: {mode} padding of ({lo}, {hi}) needs an axis longer than "
                             f"{max(lo, hi) if mode == 'circular' else max(lo, hi) + 1}, got axis {axis} of size {n} "
                             f"in input of shape {x.shape}")
        maps.append((axis, xp.pad(xp.arange(n), (lo, hi), mode=_INDEX_MODES[mode])))
    return IndexPad.apply(x, maps=maps) if maps else x
