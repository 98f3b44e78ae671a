"""Keras's merge layers and their functional forms: Add, Subtract, Multiply, Average, Maximum, Minimum,
Concatenate, Dot, and add([a, b]), concatenate([a, b]), ... (one call of the layer).

    merged = layers.concatenate([left, right])                  # layers.Concatenate()([left, right])
    score = layers.Dot(axes=-1, normalize=True)([u, v])         # cosine similarity, (N, 1)
"""

from __future__ import annotations

from .. import functional as F
from .. import nn
from ..autograd import concat
from ..autograd import maximum as _maximum
from ..autograd import minimum as _minimum
from .graph import Layer

__all__ = ["Add", "Average", "Concatenate", "Dot", "Maximum", "Minimum", "Multiply", "Subtract", "add", "average",
           "concatenate", "dot", "maximum", "minimum", "multiply", "subtract"]


class _Merge(Layer, nn.Module):
    """Keras's merge layers: called on a list of same-shaped tensors (functional API: layer([a, b]))."""

    def __init__(self, **kwargs):
        pass

    def forward(self, inputs, *more):
        xs = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs, *more]
        if len(xs) < 2:
            raise ValueError(f"{type(self).__name__}: expected a list of at least 2 tensors, got {len(xs)}")
        self._check(xs)
        return self._merge(xs)

    def _check(self, xs) -> None:
        shapes = [tuple(x.shape) for x in xs]
        if len(set(shapes)) > 1:
            raise ValueError(f"{type(self).__name__}: inputs must have the same shape, got {shapes}")

    def _merge(self, xs):
        raise NotImplementedError


class Add(_Merge):
    """Elementwise sum of a list of tensors.

    >>> Add()([gn.ones(2), gn.ones(2)]).tolist()
    [2.0, 2.0]
    """

    def _merge(self, xs):
        out = xs[0]
        for x in xs[1:]:
            out = out + x
        return out


class Subtract(_Merge):
    """inputs[0] - inputs[1] (exactly two inputs).

    >>> Subtract()([gn.ones(2), gn.ones(2)]).tolist()
    [0.0, 0.0]
    """

    def _merge(self, xs):
        if len(xs) != 2:
            raise ValueError(f"Subtract: expected exactly 2 inputs, got {len(xs)}")
        return xs[0] - xs[1]


class Multiply(_Merge):
    """Elementwise product of a list of tensors.

    >>> Multiply()([gn.ones(2) * 2, gn.ones(2) * 3]).tolist()
    [6.0, 6.0]
    """

    def _merge(self, xs):
        out = xs[0]
        for x in xs[1:]:
            out = out * x
        return out


class Average(Add):
    """Elementwise mean of a list of tensors.

    >>> Average()([gn.ones(2), gn.ones(2) * 3]).tolist()
    [2.0, 2.0]
    """

    def _merge(self, xs):
        return Add._merge(self, xs) * (1.0 / len(xs))


class Concatenate(_Merge):
    """Join a list of tensors along `axis` (default the last); the other axes must agree.

    >>> Concatenate()([gn.ones(2, 3), gn.ones(2, 1)]).shape
    (2, 4)
    """

    def __init__(self, axis: int = -1):
        if not isinstance(axis, int) or isinstance(axis, bool):
            raise ValueError(f"Concatenate: axis must be an int, got {axis!r}")
        self.axis = axis

    def _check(self, xs) -> None:
        shapes = [tuple(x.shape) for x in xs]
        nd = len(shapes[0])
        if any(len(s) != nd for s in shapes) or not -nd <= self.axis < nd:
            raise ValueError(f"Concatenate: inputs must have the same rank, with axis {self.axis} in range, got "
                             f"shapes {shapes}")
        a = self.axis % nd
        if len({s[:a] + s[a + 1:] for s in shapes}) > 1:
            raise ValueError(f"Concatenate: shapes must agree except on axis {self.axis}, got {shapes}")

    def _merge(self, xs):
        return concat(xs, axis=self.axis % xs[0].ndim)

    def get_config(self) -> dict:
        return {"axis": self.axis}


class Maximum(_Merge):
    """Elementwise maximum of a list of tensors.

    >>> Maximum()([gn.tensor([1.0, 4.0]), gn.tensor([3.0, 2.0])]).tolist()
    [3.0, 4.0]
    """

    def _merge(self, xs):
        out = xs[0]
        for x in xs[1:]:
            out = _maximum(out, x)
        return out


class Minimum(_Merge):
    """Elementwise minimum of a list of tensors.

    >>> Minimum()([gn.tensor([1.0, 4.0]), gn.tensor([3.0, 2.0])]).tolist()
    [1.0, 2.0]
    """

    def _merge(self, xs):
        out = xs[0]
        for x in xs[1:]:
            out = _minimum(out, x)
        return out


class Dot(_Merge):
    """Keras's batch dot product of two tensors over `axes` (one int for both, or a pair):
    (N, k) . (N, k) -> (N, 1); (N, T, k) . (N, S, k) with axes=2 -> (N, T, S); (N, k, T) . (N, k, S) with
    axes=1 -> (N, T, S). normalize=True L2-normalises both along their axes first (cosine similarity).

    >>> Dot(axes=1)([gn.ones(2, 3), gn.ones(2, 3)]).tolist()
    [[3.0], [3.0]]
    """

    def __init__(self, axes, normalize: bool = False):
        pair = list(axes) if isinstance(axes, (list, tuple)) else [axes, axes]
        if len(pair) != 2 or not all(isinstance(a, int) and not isinstance(a, bool) for a in pair):
            raise ValueError(f"Dot: axes must be an int or a pair of ints, got {axes!r}")
        self.axes, self.normalize = axes if isinstance(axes, int) else list(axes), bool(normalize)
        self._pair = pair

    def _check(self, xs) -> None:
        if len(xs) != 2:
            raise ValueError(f"Dot: expected exactly 2 inputs, got {len(xs)}")
        a, b = xs
        if not (2 <= a.ndim <= 3 and 2 <= b.ndim <= 3):
            raise ValueError(f"Dot: inputs must be (N, k) or (N, T, k), got shapes {tuple(a.shape)} and {tuple(b.shape)}")
        ax = [p % t.ndim for p, t in zip(self._pair, xs)]
        if 0 in ax or a.shape[ax[0]] != b.shape[ax[1]]:
            raise ValueError(f"Dot: axes {self.axes} must pick non-batch axes of equal size, got shapes "
                             f"{tuple(a.shape)} and {tuple(b.shape)}")

    def _merge(self, xs):
        a, b = xs
        ax, bx = (p % t.ndim for p, t in zip(self._pair, xs))
        if self.normalize:
            a, b = F.normalize(a, dim=ax), F.normalize(b, dim=bx)
        a = a.reshape(a.shape[0], 1, a.shape[1]) if a.ndim == 2 else (a if ax == 2 else a.transpose(0, 2, 1))
        b = b.reshape(b.shape[0], b.shape[1], 1) if b.ndim == 2 else (b if bx == 1 else b.transpose(0, 2, 1))
        out = a @ b  # (N, T or 1, S or 1)
        if xs[0].ndim == 2 and xs[1].ndim == 2:
            return out.reshape(out.shape[0], 1)
        if xs[0].ndim == 2 or xs[1].ndim == 2:
            return out.reshape(out.shape[0], out.shape[1] * out.shape[2])
        return out

    def get_config(self) -> dict:
        return {"axes": self.axes, "normalize": self.normalize}


def _functional(cls):
    def merge(inputs, **kwargs):
        return cls(**kwargs)(inputs)

    merge.__name__ = merge.__qualname__ = cls.__name__.lower()
    merge.__doc__ = f"{cls.__name__}(**kwargs)(inputs), Keras's functional form of the layer."
    return merge


add, subtract, multiply, average = _functional(Add), _functional(Subtract), _functional(Multiply), _functional(Average)
maximum, minimum = _functional(Maximum), _functional(Minimum)
concatenate, dot = _functional(Concatenate), _functional(Dot)
