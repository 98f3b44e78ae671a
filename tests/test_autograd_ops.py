"""The op table (in the spirit of PyTorch's OpInfo) and the generic tests that run over it.

Each OpInfo says how to call the op on tensors, a NumPy reference, sample inputs
(float64 arrays plus keyword options) and bad inputs that must raise a named error.
``test_op`` runs, for every entry and sample: forward vs the reference, float64
gradcheck, float32/float64 kept through forward and backward, and the error checks.
A new op is one table entry.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import gradnote as gn
from gradnote.autograd import Function

RNG = np.random.default_rng(2024)


def U(*shape, low=-2.0, high=2.0):
    """Uniform float64 sample."""
    return RNG.uniform(low, high, shape)


def POS(*shape):
    """Values in [0.5, 2]: inside the domain of log, sqrt and a ** b."""
    return U(*shape, low=0.5, high=2.0)


def AWAY(*shape):
    """Values with 0.5 <= |v| <= 2: safe divisors, and away from abs's kink."""
    return POS(*shape) * RNG.choice([-1.0, 1.0], size=shape)


def S(*arrays, **options):
    """One sample input: tensor arguments plus keyword options."""
    return arrays, options


@dataclass
class OpInfo:
    name: str
    fn: Callable  # (*tensors, **options) -> Tensor
    ref: Callable  # (*ndarrays, **options) -> ndarray
    samples: list
    errors: list = field(default_factory=list)  # (zero-argument call, exception type, message regex)
    differentiable: bool = True


def t(*shape):
    return gn.ones(*shape)


def broadcast_error(op: str):
    return (lambda: OPS_BY_NAME[op].fn(t(3, 4), t(5)), ValueError, rf"{op}: shapes \(3, 4\) and \(5,\)")


BINARY_SAMPLES = lambda second=U: [
    S(U(3, 4), second(3, 4)),
    S(U(3, 1, 4), second(5, 4)),  # broadcasts to (3, 5, 4)
    S(U(), second(3)),  # 0-d with a vector
    S(U(2, 3), second()),
    S(U(0, 3), second(3)),  # empty
]

AXIS_SAMPLES = [
    S(U(3, 4, 2)),
    S(U(3, 4, 2), axis=1),
    S(U(3, 4, 2), axis=-1, keepdims=True),
    S(U(3, 4, 2), axis=(0, 2)),
    S(U(3, 4, 2), axis=(0, -1), keepdims=True),
    S(U(3, 4), axis=-2),
    S(U()),
]

AXIS_ERRORS = lambda op: [
    (lambda: getattr(t(3, 4), op)(axis=2), ValueError, rf"{op}: axis 2 is out of range for a tensor with 2"),
    (lambda: getattr(t(3, 4), op)(axis=-3), ValueError, rf"{op}: axis -3 is out of range"),
    (lambda: getattr(t(3, 4), op)(axis=(1, -1)), ValueError, rf"{op}: repeated axis"),
    (lambda: getattr(t(3, 4), op)(axis=1.5), TypeError, rf"{op}: axis must be"),
]

COND = U(3, 4) > 0
CLIP_VALUES = np.array([[-1.8, -0.5, 0.3], [1.5, 0.9, -1.3]])  # none within eps of the bounds

OPS = [
    OpInfo("add", lambda a, b: a + b, np.add, BINARY_SAMPLES(), [broadcast_error("add")]),
    OpInfo("sub", lambda a, b: a - b, np.subtract, BINARY_SAMPLES(), [broadcast_error("sub")]),
    OpInfo("mul", lambda a, b: a * b, np.multiply, BINARY_SAMPLES(), [broadcast_error("mul")]),
    OpInfo("div", lambda a, b: a / b, np.divide, BINARY_SAMPLES(AWAY), [broadcast_error("div")]),
    OpInfo("pow", lambda a, b: a**b, np.power,
           [S(POS(3, 4), U(3, 4)), S(POS(3, 1, 4), U(5, 4)), S(POS(), U(3))], [broadcast_error("pow")]),
    OpInfo("maximum", gn.maximum, np.maximum, BINARY_SAMPLES(), [broadcast_error("maximum")]),
    OpInfo("minimum", gn.minimum, np.minimum, BINARY_SAMPLES(), [broadcast_error("minimum")]),
    # reflected operators and Python numbers / ndarrays on the left
    OpInfo("radd", lambda a: 2.5 + a, lambda a: 2.5 + a, [S(U(3, 4)), S(U())]),
    OpInfo("rsub", lambda a: 1.0 - a, lambda a: 1.0 - a, [S(U(3, 4))]),
    OpInfo("rmul", lambda a: 3.0 * a, lambda a: 3.0 * a, [S(U(3, 4))]),
    OpInfo("rdiv", lambda a: 1.0 / a, lambda a: 1.0 / a, [S(AWAY(3, 4))]),
    OpInfo("rpow", lambda a: 2.0**a, lambda a: 2.0**a, [S(U(3, 4))]),
    OpInfo("maximum_scalar", lambda a: gn.maximum(a, 0.0), lambda a: np.maximum(a, 0.0), [S(AWAY(3, 4))]),
    OpInfo("pow_scalar", lambda a, p: a**p, lambda a, p: a**p,
           [S(U(3, 4), p=3), S(U(3, 4), p=2), S(POS(3, 4), p=0.5), S(POS(2, 2), p=-1.5), S(U(), p=3)]),
    OpInfo("neg", lambda a: -a, np.negative, [S(U(3, 4)), S(U())]),
    OpInfo("exp", lambda a: a.exp(), np.exp, [S(U(3, 4)), S(U())]),
    OpInfo("log", lambda a: a.log(), np.log, [S(POS(3, 4)), S(POS())]),
    OpInfo("sqrt", lambda a: a.sqrt(), np.sqrt, [S(POS(3, 4))]),
    OpInfo("abs", lambda a: a.abs(), np.abs, [S(AWAY(3, 4)), S(AWAY())]),
    OpInfo("clip", lambda a, lo, hi: a.clip(lo, hi), lambda a, lo, hi: np.clip(a, lo, hi),
           [S(CLIP_VALUES, lo=-1.0, hi=1.0), S(CLIP_VALUES, lo=0.0, hi=None), S(CLIP_VALUES, lo=None, hi=0.5)],
           [(lambda: t(3, 4).clip(), ValueError, "clip: at least one of lo and hi"),
            (lambda: t(3, 4).clip(np.zeros(5), 1.0), ValueError, r"clip: bounds of shapes \[\(5,\), \(\)\]")]),
    OpInfo("matmul", lambda a, b: a @ b, np.matmul,
           [S(U(3, 4), U(4, 5)), S(U(4), U(4, 5)), S(U(3, 4), U(4)), S(U(4), U(4)),
            S(U(2, 3, 4), U(4, 5)), S(U(2, 1, 3, 4), U(5, 4, 2)), S(U(4), U(2, 4, 3))],
           [(lambda: t(3, 4) @ t(5, 6), ValueError, r"matmul: \(3, 4\) @ \(5, 6\): inner dimensions 4 and 5 differ"),
            (lambda: t(3, 4) @ t(), ValueError, r"matmul: \(3, 4\) @ \(\): both operands need"),
            (lambda: t(2, 3, 4) @ t(3, 4, 5), ValueError, r"matmul: \(2, 3, 4\) @ \(3, 4, 5\): batch dimensions")]),
    OpInfo("sum", lambda a, **k: a.sum(**k), np.sum, AXIS_SAMPLES + [S(U(0, 3), axis=0)], AXIS_ERRORS("sum")),
    OpInfo("mean", lambda a, **k: a.mean(**k), np.mean, AXIS_SAMPLES, AXIS_ERRORS("mean")),
    OpInfo("var", lambda a, **k: a.var(**k), np.var,
           AXIS_SAMPLES[:-1] + [S(U(3, 4), axis=0, ddof=1), S(U(5), ddof=1)], AXIS_ERRORS("var")),
    OpInfo("max", lambda a, **k: a.max(**k), np.max, AXIS_SAMPLES,
           AXIS_ERRORS("max") + [(lambda: gn.zeros(0, 3).max(), ValueError, r"max: cannot reduce an empty tensor")]),
    OpInfo("min", lambda a, **k: a.min(**k), np.min, AXIS_SAMPLES, AXIS_ERRORS("min")),
    OpInfo("reshape", lambda a, shape: a.reshape(*shape), lambda a, shape: a.reshape(shape),
           [S(U(3, 4), shape=(2, 6)), S(U(3, 4), shape=(12,)), S(U(3, 4), shape=(-1, 2)), S(U(), shape=(1, 1))],
           [(lambda: t(3, 4).reshape(5, 3), ValueError, r"reshape: cannot reshape a tensor of shape \(3, 4\)")]),
    OpInfo("transpose", lambda a, axes: a.transpose(*axes), lambda a, axes: a.transpose(*axes),
           [S(U(2, 3, 4), axes=()), S(U(2, 3, 4), axes=(1, 0, 2)), S(U(2, 3, 4), axes=(-1, 0, 1)), S(U(3), axes=())],
           [(lambda: t(3, 4).transpose(0, 5), ValueError, r"transpose: axes \(0, 5\) are not a permutation"),
            (lambda: t(3, 4).transpose(0), ValueError, r"transpose: axes \(0,\) are not a permutation")]),
    OpInfo("T", lambda a: a.T, lambda a: a.T, [S(U(3, 4)), S(U(2, 3, 4))]),
    OpInfo("getitem", lambda a, index: a[index], lambda a, index: a[index],
           [S(U(4, 3), index=1), S(U(4, 3), index=-1), S(U(4, 3), index=slice(None, None, -2)),
            S(U(4, 3), index=(slice(1, 3), 2)), S(U(4, 3), index=(Ellipsis, None, 0)),
            S(U(4, 3), index=np.array([0, 0, 2, 0])),  # repeated rows: gradients accumulate
            S(U(4, 3), index=([0, 0, 3], [1, 1, 2])),  # repeated elements
            S(U(4, 3), index=(np.array([[1, 1], [2, 0]]), slice(None))),
            S(U(4, 3), index=U(4, 3) > 0)],  # boolean mask
           [(lambda: t(3, 4)[5], IndexError, r"getitem: index 5 is out of bounds .*\(tensor shape \(3, 4\)\)"),
            (lambda: t(3, 4)[[0, 7]], IndexError, r"getitem: index 7 is out of bounds .*\(tensor shape \(3, 4\)\)"),
            (lambda: t(3, 4)[0, 0, 0], IndexError, r"getitem: too many indices .*\(tensor shape \(3, 4\)\)"),
            (lambda: t(3, 4)[gn.tensor([0.5])], IndexError, r"getitem: index arrays must be integer or bool")]),
    OpInfo("concat", lambda *ts, axis: gn.concat(ts, axis), lambda *a, axis: np.concatenate(a, axis),
           [S(U(2, 3), U(4, 3), axis=0), S(U(2, 3), U(2, 1), U(2, 2), axis=-1), S(U(3), U(0), axis=0)],
           [(lambda: gn.concat([t(3, 4), t(2, 5)], 0), ValueError, r"concat: shapes \(3, 4\) and \(2, 5\) differ"),
            (lambda: gn.concat([t(3, 4), t(3, 4)], 2), ValueError, r"concat: axis 2 is out of range"),
            (lambda: gn.concat([t(), t()], 0), ValueError, r"concat: zero-dimensional"),
            (lambda: gn.concat([], 0), ValueError, r"concat: expected a non-empty sequence")]),
    OpInfo("stack", lambda *ts, axis: gn.stack(ts, axis), lambda *a, axis: np.stack(a, axis),
           [S(U(2, 3), U(2, 3), U(2, 3), axis=0), S(U(2, 3), U(2, 3), axis=-1), S(U(), U(), axis=0)],
           [(lambda: gn.stack([t(3, 4), t(4, 3)]), ValueError, r"stack: all tensors need the same shape"),
            (lambda: gn.stack([t(3, 4), t(3, 4)], 3), ValueError, r"stack: axis 3 is out of range")]),
    OpInfo("where", lambda a, b: gn.where(COND, a, b), lambda a, b: np.where(COND, a, b),
           [S(U(3, 4), U(3, 4)), S(U(3, 1), U(4)), S(U(3, 4), U())],
           [(lambda: gn.where(np.ones((2, 2), bool), t(3, 4), t(3, 4)), ValueError,
             r"where: shapes \(2, 2\), \(3, 4\) and \(3, 4\) cannot be broadcast")]),
    # not differentiable: forward and errors only
    OpInfo("lt", lambda a, b: a < b, np.less, BINARY_SAMPLES(), [broadcast_error("less")], differentiable=False),
    OpInfo("eq", lambda a, b: a == b, np.equal, [S(U(3, 4), U(4))], differentiable=False),
    OpInfo("ne", lambda a, b: a != b, np.not_equal, [S(U(3, 4), U(4))], differentiable=False),
    OpInfo("ge", lambda a, b: a >= b, np.greater_equal, [S(U(3, 4), U(4))], differentiable=False),
    OpInfo("argmax", lambda a, **k: a.argmax(**k), np.argmax, [S(U(3, 4)), S(U(3, 4), axis=1), S(U(3, 4), axis=-2)],
           [(lambda: t(3, 4).argmax(axis=3), ValueError, r"argmax: axis 3 is out of range"),
            (lambda: gn.zeros(0).argmax(), ValueError, r"argmax: cannot reduce an empty tensor")],
           differentiable=False),
    OpInfo("argmin", lambda a, **k: a.argmin(**k), np.argmin, [S(U(3, 4), axis=0)], differentiable=False),
]


# ----- PyTorch's spelling of the same ops (dim=/keepdim=, view, permute, gather, ...) --------------------
IDX = np.array([[0, 2, 1, 2], [1, 0, 0, 2], [2, 1, 2, 0]])  # (3, 4) indices into a size-3 dim 1
SCATTER_IDX = np.array([[0, 1, 2], [2, 0, 1]])  # a permutation per row: scatter writes each slot once
MASK = U(3, 4) > 0.5


def np_gather(a, dim, idx):
    return np.take_along_axis(a, idx, dim)


def np_scatter(a, dim, idx, src):
    out = a.copy()
    np.put_along_axis(out, idx, src[:, :idx.shape[1]], dim)
    return out


def np_norm(a, p=2.0, dim=None, keepdim=False):
    if p == np.inf:
        return np.abs(a).max(axis=dim, keepdims=keepdim)
    return (np.abs(a) ** p).sum(axis=dim, keepdims=keepdim) ** (1 / p)


def np_logsumexp(a, dim, keepdim=False):
    m = a.max(axis=dim, keepdims=True)
    out = np.log(np.exp(a - m).sum(axis=dim, keepdims=True)) + m
    return out if keepdim else out.squeeze(dim)


def np_softmax(a, dim):
    e = np.exp(a - a.max(axis=dim, keepdims=True))
    return e / e.sum(axis=dim, keepdims=True)


TORCH_OPS = [
    OpInfo("view", lambda a: a.view(-1, 2), lambda a: a.reshape(-1, 2), [S(U(3, 4)), S(U(2, 3, 2))],
           [(lambda: t(3, 4).view(5, -1), ValueError, r"reshape: cannot reshape a tensor of shape \(3, 4\)")]),
    OpInfo("view_as", lambda a, b: a.view_as(b.detach()), lambda a, b: a.reshape(b.shape), [S(U(3, 4), U(6, 2))],
           differentiable=False),
    OpInfo("permute", lambda a: a.permute(2, 0, 1), lambda a: a.transpose(2, 0, 1), [S(U(2, 3, 4))],
           [(lambda: t(2, 3).permute(0, 0), ValueError, r"permute: axes \(0, 0\) are not a permutation")]),
    OpInfo("transpose_two_dims", lambda a: a.transpose(0, 2), lambda a: np.swapaxes(a, 0, 2),
           [S(U(2, 3, 4)), S(U(2, 3, 4, 5))]),
    OpInfo("transpose_fn", lambda a: gn.transpose(a, -1, 1), lambda a: np.swapaxes(a, -1, 1), [S(U(2, 3, 4))]),
    OpInfo("t", lambda a: a.t(), lambda a: a.T, [S(U(3, 4)), S(U(4))],
           [(lambda: t(2, 3, 4).t(), ValueError, r"t: expects a tensor with <= 2 dimensions")]),
    OpInfo("unsqueeze", lambda a, d: a.unsqueeze(d), lambda a, d: np.expand_dims(a, d),
           [S(U(3, 4), d=0), S(U(3, 4), d=-1), S(U(), d=0)],
           [(lambda: t(3).unsqueeze(3), ValueError, r"unsqueeze: axis 3 is out of range")]),
    OpInfo("squeeze", lambda a, **k: a.squeeze(**k), lambda a, dim=None: np.squeeze(a, dim) if dim is None or
           a.shape[dim] == 1 else a, [S(U(3, 1, 4, 1)), S(U(3, 1, 4), dim=1), S(U(3, 1, 4), dim=0)]),
    OpInfo("flatten", lambda a, **k: a.flatten(**k), lambda a, start_dim=0, end_dim=-1:
           a.reshape(a.shape[:start_dim] + (-1,) + (a.shape[end_dim % a.ndim + 1:] if a.ndim else ())),
           [S(U(2, 3, 4)), S(U(2, 3, 4), start_dim=1), S(U(2, 3, 4, 5), start_dim=1, end_dim=2)]),
    OpInfo("expand", lambda a: a.expand(2, -1, 4), lambda a: np.broadcast_to(a, (2, 3, 4)), [S(U(3, 1)), S(U(1, 3, 1))],
           [(lambda: t(3, 2).expand(3, 4), ValueError, r"expand: a tensor of shape \(3, 2\) cannot be expanded")]),
    OpInfo("repeat", lambda a: a.repeat(2, 1, 3), lambda a: np.tile(a, (2, 1, 3)), [S(U(3, 4)), S(U(2, 3, 4))],
           [(lambda: t(2, 3).repeat(2), ValueError, r"repeat: 1 repeats given for a tensor with 2 dimensions")]),
    OpInfo("narrow", lambda a: a.narrow(1, 1, 2), lambda a: a[:, 1:3], [S(U(3, 4))],
           [(lambda: t(3, 4).narrow(1, 3, 2), IndexError, r"narrow: start 3 \+ length 2 exceeds dim 1 of size 4")]),
    OpInfo("split", lambda a: gn.cat(a.split(3, dim=1)[::-1], 1), lambda a: np.concatenate([a[:, 3:], a[:, :3]], 1),
           [S(U(2, 5))]),
    OpInfo("split_sizes", lambda a: a.split([1, 4], dim=1)[1], lambda a: a[:, 1:], [S(U(2, 5))],
           [(lambda: t(2, 5).split([1, 1], dim=1), ValueError, r"split: sizes \[1, 1\] do not sum")]),
    OpInfo("chunk", lambda a: a.chunk(3)[-1], lambda a: a[4:], [S(U(5, 2))]),
    OpInfo("unbind", lambda a: gn.stack(a.unbind(1)[::-1], 1), lambda a: a[:, ::-1], [S(U(3, 4))]),
    OpInfo("gather", lambda a: a.gather(1, gn.tensor(IDX)), lambda a: np_gather(a, 1, IDX), [S(U(3, 3))],
           [(lambda: t(3, 3).gather(1, gn.tensor([0, 1])), ValueError, r"gather: index of shape \(2,\) must have"),
            (lambda: t(3, 3).gather(1, gn.tensor(IDX * 2)), IndexError, r"gather: index out of range"),
            (lambda: t(3, 3).gather(1, gn.tensor(IDX.astype(float))), TypeError, r"gather: index must be an integer")]),
    OpInfo("scatter", lambda a, b: a.scatter(1, gn.tensor(SCATTER_IDX), b),
           lambda a, b: np_scatter(a, 1, SCATTER_IDX, b), [S(U(2, 3), U(2, 3))]),
    OpInfo("scatter_add", lambda a, b: a.scatter_add(0, gn.tensor(np.array([[0, 1, 0]])), b),
           lambda a, b: a + np.array([[1.0], [0.0]]) * 0 + np.vstack([np.where([1, 0, 1], b[0], 0),
                                                                        np.where([0, 1, 0], b[0], 0)]),
           [S(U(2, 3), U(1, 3))]),
    OpInfo("index_select", lambda a: a.index_select(0, gn.tensor([2, 0, 2])), lambda a: a[[2, 0, 2]], [S(U(3, 4))],
           [(lambda: t(3, 4).index_select(0, gn.tensor([[0]])), ValueError, r"index_select: index must be 0-d or 1-D")]),
    OpInfo("masked_fill", lambda a: a.masked_fill(gn.tensor(MASK), -1.5), lambda a: np.where(MASK, -1.5, a),
           [S(U(3, 4))],
           [(lambda: t(3, 4).masked_fill(gn.tensor(np.ones((2, 4), bool)), 0), ValueError,
             r"masked_fill: mask of shape \(2, 4\) cannot be broadcast")]),
    OpInfo("clamp", lambda a: a.clamp(min=-0.6, max=0.7), lambda a: np.clip(a, -0.6, 0.7), [S(CLIP_VALUES)],
           [(lambda: t(3).clamp(), ValueError, r"clamp: at least one of min and max")]),
    OpInfo("sum_dim", lambda a: a.sum(dim=1, keepdim=True), lambda a: a.sum(1, keepdims=True), [S(U(3, 4, 2))]),
    OpInfo("mean_dims", lambda a: a.mean(dim=(0, 2)), lambda a: a.mean((0, 2)), [S(U(3, 4, 2))]),
    OpInfo("std_dim", lambda a: a.std(dim=1), lambda a: a.std(1, ddof=1), [S(U(3, 4))]),
    OpInfo("var_unbiased", lambda a: a.var(dim=0, unbiased=False), lambda a: a.var(0), [S(U(3, 4))]),
    OpInfo("var_correction", lambda a: a.var(correction=2), lambda a: a.var(ddof=2), [S(U(3, 4))]),
    OpInfo("max_dim_values", lambda a: a.max(dim=1).values, lambda a: a.max(1), [S(U(3, 4))]),
    OpInfo("max_dim_indices", lambda a: a.max(dim=1, keepdim=True)[1], lambda a: a.argmax(1)[:, None], [S(U(3, 4))],
           differentiable=False),
    OpInfo("min_fn", lambda a: gn.min(a, 0)[0], lambda a: a.min(0), [S(U(3, 4))]),
    OpInfo("max_elementwise", lambda a, b: gn.max(a, b), np.maximum, [S(U(3, 4), U(4))]),
    OpInfo("amax", lambda a: a.amax(dim=(0, 1)), lambda a: a.max((0, 1)), [S(U(3, 4, 2))]),
    OpInfo("prod", lambda a, **k: a.prod(**k), lambda a, dim=None, keepdim=False: np.prod(a, axis=dim, keepdims=keepdim),
           [S(U(3, 4)), S(U(3, 4), dim=1), S(U(3, 4), dim=0, keepdim=True),
            S(np.array([[0.0, 2.0, 3.0], [0.0, 0.0, 1.5]]), dim=1)]),  # zeros: no division
    OpInfo("cumsum", lambda a: a.cumsum(dim=1), lambda a: np.cumsum(a, 1), [S(U(3, 4))]),
    OpInfo("norm", lambda a, **k: a.norm(**k), np_norm,
           [S(AWAY(3, 4)), S(AWAY(3, 4), p=1, dim=1), S(AWAY(3, 4), p=3, dim=0, keepdim=True),
            S(AWAY(3, 4), p=np.inf, dim=1)]),
    OpInfo("logsumexp", lambda a: a.logsumexp(dim=1), lambda a: np_logsumexp(a, 1), [S(U(3, 4)), S(U(3, 4) * 300)]),
    OpInfo("topk_values", lambda a: a.topk(2, dim=1).values, lambda a: -np.sort(-a, 1)[:, :2], [S(U(3, 5))]),
    OpInfo("topk_smallest", lambda a: a.topk(2, largest=False)[0], lambda a: np.sort(a, -1)[:, :2], [S(U(3, 5))],
           [(lambda: t(3, 5).topk(6), ValueError, r"topk: k must be an int in \[0, 5\]")]),
    OpInfo("sort_desc", lambda a: a.sort(dim=0, descending=True)[0], lambda a: -np.sort(-a, 0), [S(U(4, 3))]),
    OpInfo("argsort", lambda a: a.argsort(dim=1), lambda a: np.argsort(a, 1, kind="stable"), [S(U(3, 4))],
           differentiable=False),
    OpInfo("softmax_dim", lambda a: a.softmax(dim=0), lambda a: np_softmax(a, 0), [S(U(3, 4)), S(U(3, 1))]),
    OpInfo("log_softmax_fn", lambda a: gn.log_softmax(a, 1), lambda a: np.log(np_softmax(a, 1)), [S(U(3, 4))]),
    OpInfo("sigmoid", lambda a: a.sigmoid(), lambda a: 1 / (1 + np.exp(-a)), [S(U(3, 4)), S(U())]),
    OpInfo("tanh_fn", gn.tanh, np.tanh, [S(U(3, 4))]),
    OpInfo("relu", lambda a: a.relu(), lambda a: np.maximum(a, 0), [S(AWAY(3, 4))]),
    OpInfo("sin", lambda a: a.sin(), np.sin, [S(U(3, 4))]),
    OpInfo("cos", gn.cos, np.cos, [S(U(3, 4)), S(U())]),
    OpInfo("log1p", lambda a: a.log1p(), np.log1p, [S(POS(3, 4))]),
    OpInfo("expm1", lambda a: a.expm1(), np.expm1, [S(U(3, 4))]),
    OpInfo("rsqrt", lambda a: a.rsqrt(), lambda a: 1 / np.sqrt(a), [S(POS(3, 4))]),
    OpInfo("square", lambda a: a.square(), np.square, [S(U(3, 4))]),
    OpInfo("add_alpha", lambda a, b: a.add(b, alpha=-2), lambda a, b: a - 2 * b, BINARY_SAMPLES()[:2]),
    OpInfo("addcmul", lambda a, b, c: a.addcmul(b, c, value=0.5), lambda a, b, c: a + 0.5 * b * c,
           [S(U(3, 4), U(3, 4), U(4))]),
    OpInfo("addcdiv", lambda a, b, c: a.addcdiv(b, c, value=2), lambda a, b, c: a + 2 * b / c,
           [S(U(3, 4), U(3, 4), AWAY(3, 4))]),
    OpInfo("mm", lambda a, b: a.mm(b), np.matmul, [S(U(3, 4), U(4, 2))],
           [(lambda: t(3).mm(t(3, 2)), ValueError, r"mm: expected two 2-D tensors")]),
    OpInfo("bmm", gn.bmm, np.matmul, [S(U(2, 3, 4), U(2, 4, 5))],
           [(lambda: gn.bmm(t(2, 3, 4), t(3, 4, 5)), ValueError, r"bmm: expected \(B, n, m\) and \(B, m, p\)")]),
    OpInfo("einsum", lambda a, b: gn.einsum("bij,bjk->bik", a, b), lambda a, b: np.einsum("bij,bjk->bik", a, b),
           [S(U(2, 3, 4), U(2, 4, 5))]),
    OpInfo("einsum_sum_and_outer", lambda a, b: gn.einsum("ij,k->ik", a, b), lambda a, b: np.einsum("ij,k->ik", a, b),
           [S(U(3, 4), U(5))]),
    OpInfo("einsum_implicit", lambda a, b: gn.einsum("ij,jk", a, b), np.matmul, [S(U(3, 4), U(4, 2))]),
    OpInfo("flip", lambda a: a.flip([0, 1]), lambda a: a[::-1, ::-1], [S(U(3, 4))]),
    OpInfo("tril", lambda a: a.tril(), np.tril, [S(U(4, 4)), S(U(3, 5))]),
    OpInfo("triu", lambda a: a.triu(1), lambda a: np.triu(a, 1), [S(U(4, 4))]),
    OpInfo("cat", lambda a, b: gn.cat([a, b], dim=1), lambda a, b: np.concatenate([a, b], 1), [S(U(2, 3), U(2, 1))]),
    OpInfo("where_scalars", lambda a: gn.where(gn.tensor(MASK), a, 0.0), lambda a: np.where(MASK, a, 0.0),
           [S(U(3, 4))]),
    OpInfo("getitem_int_beside_array", lambda a: a[1, :, [0, 2]], lambda a: a[1][:, [0, 2]], [S(U(3, 4, 5))]),
    OpInfo("select", lambda a: a.select(1, -1), lambda a: a[:, -1], [S(U(3, 4))]),
    OpInfo("outer", gn.outer, np.outer, [S(U(3), U(4))]),
]
OPS += TORCH_OPS
OPS_BY_NAME = {op.name: op for op in OPS}
OPS_BY_NAME["less"] = OPS_BY_NAME["lt"]


def _check_forward(op, arrays, options, where):
    out = op.fn(*[gn.tensor(a) for a in arrays], **options)
    expected = np.asarray(op.ref(*arrays, **options))
    assert isinstance(out, gn.Tensor), where
    assert out.shape == expected.shape, f"{where}: shape {out.shape} != {expected.shape}"
    assert out.dtype == expected.dtype, f"{where}: dtype {out.dtype} != {expected.dtype}"
    np.testing.assert_allclose(out.data, expected, rtol=1e-12, atol=1e-12, err_msg=where)


class _DtypeProbe(Function):
    """Identity that records the dtype of the gradient reaching it (the engine casts leaf
    gradients, which would hide an op whose backward changes dtype)."""

    seen: ClassVar[list] = []

    def forward(self, a):
        return a

    def backward(self, g):
        _DtypeProbe.seen.append(g.dtype)
        return g


def _check_dtype_kept(op, arrays, options, dtype, where):
    """Forward output and every input gradient keep the inputs' float dtype."""
    xs = [gn.tensor(a.astype(dtype), requires_grad=True) for a in arrays]
    _DtypeProbe.seen = []
    out = op.fn(*[_DtypeProbe.apply(x) for x in xs], **options)
    assert out.dtype == dtype, f"{where}: {dtype} input gave {out.dtype} output"
    out.backward(np.ones(out.shape, dtype))
    assert _DtypeProbe.seen == [np.dtype(dtype)] * len(xs), f"{where}: gradient dtypes {_DtypeProbe.seen}"
    for x in xs:
        assert x.grad is not None and x.grad.dtype == dtype and x.grad.shape == x.shape, where


@pytest.mark.parametrize("op", OPS, ids=[op.name for op in OPS])
def test_op(op):
    for k, (arrays, options) in enumerate(op.samples):
        where = f"{op.name} sample {k}: shapes {[a.shape for a in arrays]} options {options}"
        _check_forward(op, arrays, options, where)
        if op.differentiable:
            xs = [gn.tensor(a, requires_grad=True) for a in arrays]
            assert gn.gradcheck(lambda *ts, kw=options: op.fn(*ts, **kw), xs, raise_exception=True), where
            for dtype in (np.float32, np.float64):
                _check_dtype_kept(op, arrays, options, dtype, where)
    for call, exc, message in op.errors:
        with pytest.raises(exc, match=message):
            call()


# ----- hypothesis: elementwise and broadcasting ops over drawn shapes and values ---------
# Values lie on a grid of quarters so that any two are either equal (ties: max/min split
# the gradient, which central differences reproduce) or far apart compared with eps.
GRID = st.integers(-8, 8).map(lambda k: k / 4)
NONZERO = st.integers(1, 8).map(lambda k: k / 4) | st.integers(-8, -1).map(lambda k: k / 4)
POSITIVE = st.integers(1, 8).map(lambda k: k / 4)

BINARY = {
    "add": (lambda a, b: a + b, np.add, GRID, GRID),
    "sub": (lambda a, b: a - b, np.subtract, GRID, GRID),
    "mul": (lambda a, b: a * b, np.multiply, GRID, GRID),
    "div": (lambda a, b: a / b, np.divide, GRID, NONZERO),
    "pow": (lambda a, b: a**b, np.power, POSITIVE, GRID),
    "maximum": (gn.maximum, np.maximum, GRID, GRID),
    "minimum": (gn.minimum, np.minimum, GRID, GRID),
}


@st.composite
def binary_case(draw):
    name = draw(st.sampled_from(sorted(BINARY)))
    fn, ref, left, right = BINARY[name]
    shapes = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=3))
    a = draw(hnp.arrays(np.float64, shapes.input_shapes[0], elements=left))
    b = draw(hnp.arrays(np.float64, shapes.input_shapes[1], elements=right))
    return name, fn, ref, a, b


@settings(max_examples=25, deadline=None)
@given(binary_case())
def test_binary_ops_broadcast_forward_and_gradient(case):
    name, fn, ref, a, b = case
    x, y = gn.tensor(a, requires_grad=True), gn.tensor(b, requires_grad=True)
    out = fn(x, y)
    np.testing.assert_allclose(out.data, ref(a, b), rtol=1e-12)
    assert out.dtype == np.float64
    assert gn.gradcheck(fn, [x, y], raise_exception=True), name


UNARY = {
    "neg": (lambda a: -a, np.negative, GRID),
    "exp": (lambda a: a.exp(), np.exp, GRID),
    "log": (lambda a: a.log(), np.log, POSITIVE),
    "sqrt": (lambda a: a.sqrt(), np.sqrt, POSITIVE),
    "abs": (lambda a: a.abs(), np.abs, GRID),  # sign(0) = 0 matches the central difference at 0
    "cube": (lambda a: a**3, lambda a: a**3, GRID),
}


@settings(max_examples=25, deadline=None)
@given(st.sampled_from(sorted(UNARY)), st.data())
def test_unary_ops_forward_and_gradient(name, data):
    fn, ref, elements = UNARY[name]
    a = data.draw(hnp.arrays(np.float64, hnp.array_shapes(min_dims=0, max_dims=3, max_side=4), elements=elements))
    x = gn.tensor(a, requires_grad=True)
    np.testing.assert_allclose(fn(x).data, ref(a), rtol=1e-12)
    assert gn.gradcheck(fn, [x], raise_exception=True), name


def test_repeated_integer_indices_accumulate_gradients():
    x = gn.tensor([10.0, 20.0, 30.0], requires_grad=True)
    x[[0, 0, 2, 0]].sum().backward()
    np.testing.assert_array_equal(x.grad, [3.0, 0.0, 1.0])
    m = gn.zeros(2, 2, requires_grad=True)
    (m[[0, 0, 1], [1, 1, 0]] * gn.tensor([1.0, 2.0, 5.0])).sum().backward()
    np.testing.assert_array_equal(m.grad, [[0.0, 3.0], [5.0, 0.0]])


def test_tensor_index_and_tensor_bounds():
    x = gn.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    rows = gn.tensor([1, 1])
    np.testing.assert_array_equal(x[rows].data, [[3.0, 4.0], [3.0, 4.0]])
    np.testing.assert_array_equal(x.clip(gn.tensor(1.5), gn.tensor(3.5)).data, [[1.5, 2.0], [3.0, 3.5]])


def test_pow_with_zero_exponent_has_zero_gradient_at_zero_base():
    # regression: d/da a**0 was computed as 0 * a**-1, which is 0 * inf = nan at a == 0
    a = gn.tensor(np.array([0.0, 2.0, -3.0]), requires_grad=True)
    (a**0).sum().backward()
    np.testing.assert_array_equal(a.grad, [0.0, 0.0, 0.0])
    a = gn.tensor(np.array([0.0, 2.0, 0.0]), requires_grad=True)
    b = gn.tensor(np.array([0.0, 0.0, 2.0]), requires_grad=True)
    (a**b).sum().backward()
    np.testing.assert_array_equal(a.grad, [0.0, 0.0, 0.0])  # 2 * 0**1 = 0 for the last
    np.testing.assert_allclose(b.grad, [0.0, np.log(2.0), 0.0])


def test_max_min_argmax_along_a_non_empty_axis_of_an_empty_tensor():
    # regression: (0, 3).max(axis=1) raised "cannot reduce an empty tensor" although only axis 0
    # is empty; like NumPy and PyTorch the result is empty, and only an empty reduced axis errors
    x = gn.tensor(np.zeros((0, 3)), requires_grad=True)
    assert x.max(axis=1).shape == (0,) and x.min(axis=-1, keepdims=True).shape == (0, 1)
    assert x.argmax(axis=1).shape == (0,)
    x.max(axis=1).sum().backward()
    assert x.grad.shape == (0, 3)
    with pytest.raises(ValueError, match=r"max: cannot reduce an empty tensor of shape \(0, 3\) along axis 0"):
        x.max(axis=0)
    with pytest.raises(ValueError, match="argmax: cannot reduce an empty tensor"):
        x.argmax(axis=0)
