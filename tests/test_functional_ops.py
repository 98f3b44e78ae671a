"""Op table for gradnote.functional (activations, linear, dropout, normalisation, losses).

Each entry: how to make sample inputs, a NumPy reference written here, whether a float64 gradcheck
applies, and bad inputs that must raise a named error. The generic tests below run over the table.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from namespace_ops import NAMESPACE_OPS
from op_table import OpCase, away_from_kinks, inputs, normal, np_reduce, uniform  # noqa: F401
from test_torch_conv_ctc import OPS as CONV_CTC_OPS
from test_torch_functional import OPS as TORCH_OPS
from test_torch_functional_more import OPS as MORE_TORCH_OPS

import gradnote as gn
import gradnote.functional as F

# ----- NumPy references ------------------------------------------------------------------------------
_erf = np.vectorize(math.erf)


def np_softmax(x, axis=-1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def np_log_softmax(x, axis=-1):
    return np.log(np_softmax(x, axis))



def np_batch_norm_train(x, w, b, eps=1e-5):
    axes = (0, *range(2, x.ndim))
    shape = (1, -1) + (1,) * (x.ndim - 2)
    mean, var = x.mean(axis=axes, keepdims=True), x.var(axis=axes, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * w.reshape(shape) + b.reshape(shape)


def np_layer_norm(x, k, w=None, b=None, eps=1e-5):
    axes = tuple(range(x.ndim - k, x.ndim))
    y = (x - x.mean(axis=axes, keepdims=True)) / np.sqrt(x.var(axis=axes, keepdims=True) + eps)
    return y if w is None else y * w + b


def np_cross_entropy_index(z, t, reduction, weight=None):
    """z: (N, C, ...) logits, t: (N, ...) indices; the loop-free textbook formula."""
    lsm = np_log_softmax(z, axis=1)
    picked = np.take_along_axis(lsm, t[:, None], axis=1)[:, 0]
    w = np.ones(z.shape[1]) if weight is None else weight
    loss = -w[t] * picked
    if reduction == "mean":
        return loss.sum() / w[t].sum()
    return np_reduce(loss, reduction)


def np_bce_logits(x, t):
    p = 1 / (1 + np.exp(-x))
    return -(t * np.log(p) + (1 - t) * np.log(1 - p))


T_IDX = np.array([0, 2, 1, 3, 2])
T_IDX_4D = np.array([[[0, 1], [2, 2], [1, 0]], [[2, 0], [1, 1], [0, 2]]])  # (2, 3, 2) for logits (2, 3, 3, 2)
CLASS_W = np.array([0.5, 1.0, 2.0, 1.5])


def _loss_cases():
    cases = []
    for red in ("mean", "sum", "none"):
        cases += [
            OpCase(f"mse_loss-{red}", lambda a, b, r=red: F.mse_loss(a, b, reduction=r),
                   [normal(3, 4), normal(3, 4)], lambda a, b, r=red: np_reduce((a - b) ** 2, r)),
            OpCase(f"l1_loss-{red}", lambda a, b, r=red: F.l1_loss(a, b, reduction=r),
                   [normal(3, 4), lambda rng: np.zeros((3, 4))], lambda a, b, r=red: np_reduce(np.abs(a - b), r)),
            OpCase(f"huber_loss-{red}", lambda a, b, r=red: F.huber_loss(a, b, reduction=r, delta=0.8),
                   [normal(3, 4, scale=2, kinks=(0.8, -0.8)), lambda rng: np.zeros((3, 4))],
                   lambda a, b, r=red: np_reduce(np.where(np.abs(a - b) <= 0.8, 0.5 * (a - b) ** 2,
                                                          0.8 * (np.abs(a - b) - 0.4)), r)),
            OpCase(f"binary_cross_entropy-{red}", lambda p, t, r=red: F.binary_cross_entropy(p, t, reduction=r),
                   [uniform(0.05, 0.95, 4, 3), uniform(0, 1, 4, 3)],
                   lambda p, t, r=red: np_reduce(-(t * np.log(p) + (1 - t) * np.log(1 - p)), r)),
            OpCase(f"bce_with_logits-{red}",
                   lambda x, t, r=red: F.binary_cross_entropy_with_logits(x, t, reduction=r),
                   [normal(4, 3, scale=3), uniform(0, 1, 4, 3)], lambda x, t, r=red: np_reduce(np_bce_logits(x, t), r)),
            OpCase(f"cross_entropy-index-{red}", lambda z, r=red: F.cross_entropy(z, T_IDX, reduction=r),
                   [normal(5, 4, scale=2)], lambda z, r=red: np_cross_entropy_index(z, T_IDX, r)),
            OpCase(f"cross_entropy-weighted-{red}",
                   lambda z, r=red: F.cross_entropy(z, T_IDX, weight=CLASS_W, reduction=r),
                   [normal(5, 4, scale=2)], lambda z, r=red: np_cross_entropy_index(z, T_IDX, r, CLASS_W)),
            OpCase(f"cross_entropy-4d-{red}", lambda z, r=red: F.cross_entropy(z, T_IDX_4D, reduction=r),
                   [normal(2, 3, 3, 2)], lambda z, r=red: np_cross_entropy_index(z, T_IDX_4D, r)),
            OpCase(f"cross_entropy-probs-{red}", lambda z, p, r=red: F.cross_entropy(z, p, reduction=r),
                   [normal(5, 4), lambda rng: rng.dirichlet(np.ones(4), 5)],
                   lambda z, p, r=red: np_reduce(-(p * np_log_softmax(z, 1)).sum(1), r)),
            OpCase(f"nll_loss-{red}", lambda lp, r=red: F.nll_loss(lp, T_IDX, reduction=r),
                   [normal(5, 4)], lambda lp, r=red: np_reduce(-lp[np.arange(5), T_IDX], r)),
        ]
    return cases


def _bad_shapes(op):
    return (lambda: op(gn.zeros(2, 3), gn.zeros(3, 2)), ValueError, r"\(2, 3\).*\(3, 2\)")


def _bad_reduction(op):
    return (lambda: op(gn.zeros(2, 3), gn.zeros(2, 3), reduction="avg"), ValueError, "mean.*sum.*none.*'avg'")


OPS = [
    OpCase("step", F.step, [normal(3, 4)], lambda x: (x > 0).astype(float), gradcheck=False,
           bad=[(lambda: F.step(gn.tensor([1, 2])), TypeError, "step.*floating")]),
    OpCase("sigmoid", F.sigmoid, [normal(3, 4, scale=3)], lambda x: 1 / (1 + np.exp(-x)),
           bad=[(lambda: F.sigmoid("a"), TypeError, "sigmoid: expected a Tensor")]),
    OpCase("tanh", F.tanh, [normal(3, 4)], np.tanh),
    OpCase("relu", F.relu, [normal(3, 4)], lambda x: np.maximum(x, 0)),
    OpCase("leaky_relu", lambda x: F.leaky_relu(x, 0.2), [normal(3, 4)], lambda x: np.where(x > 0, x, 0.2 * x)),
    OpCase("elu", lambda x: F.elu(x, 1.5), [normal(3, 4)], lambda x: np.where(x > 0, x, 1.5 * (np.exp(x) - 1))),
    OpCase("gelu", F.gelu, [normal(3, 4, scale=2)], lambda x: x * 0.5 * (1 + _erf(x / math.sqrt(2))),
           bad=[(lambda: F.gelu(gn.zeros(2), approximate="fast"), ValueError, "gelu.*'none' or 'tanh'.*'fast'")]),
    OpCase("gelu-tanh", lambda x: F.gelu(x, approximate="tanh"), [normal(3, 4, scale=2)],
           lambda x: 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x**3)))),
    OpCase("softmax", F.softmax, [normal(3, 4)], np_softmax,
           bad=[(lambda: F.softmax(gn.zeros(2, 3), axis=2), ValueError, "softmax: axis 2.*2 dimensions")]),
    OpCase("softmax-axis0", lambda x: F.softmax(x, axis=0), [normal(3, 4)], lambda x: np_softmax(x, 0)),
    OpCase("log_softmax", F.log_softmax, [normal(2, 3, 4)], np_log_softmax,
           bad=[(lambda: F.log_softmax(gn.zeros(2, 3), axis=-3), ValueError, "log_softmax: axis -3")]),
    OpCase("linear", F.linear, [normal(5, 3), normal(4, 3), normal(4)], lambda x, w, b: x @ w.T + b,
           bad=[(lambda: F.linear(gn.zeros(2, 3), gn.zeros(4, 5)), ValueError, r"linear.*\(2, 3\).*\(4, 5\)"),
                (lambda: F.linear(gn.zeros(2, 3), gn.zeros(4, 3), gn.zeros(3)), ValueError, r"bias.*\(4,\)"),
                (lambda: F.linear(gn.zeros(2, 3), gn.zeros(3)), ValueError, "weight must be 2-D")]),
    OpCase("linear-nobias-3d", F.linear, [normal(2, 5, 3), normal(4, 3)], lambda x, w: x @ w.T),
    OpCase("dropout-eval", lambda x: F.dropout(x, 0.5, training=False), [normal(3, 4)], lambda x: x,
           bad=[(lambda: F.dropout(gn.zeros(2), 1.5), ValueError, "dropout: p must be in.*1.5")]),
    OpCase("dropout-fixed-mask",  # a fresh generator per call gives the same mask, so finite differences work
           lambda x: F.dropout(x, 0.4, generator=np.random.default_rng(7)), [normal(6, 5)],
           lambda x: x * (np.random.default_rng(7).random(x.shape) >= 0.4) / 0.6, same_values_in_float32=False),
    OpCase("batch_norm-train-2d",
           lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True),
           [normal(6, 3, scale=2), normal(3), normal(3)], np_batch_norm_train,
           bad=[(lambda: F.batch_norm(gn.zeros(1, 3), None, None, training=True), ValueError,
                 "more than 1 value per channel"),
                (lambda: F.batch_norm(gn.zeros(4, 3), np.zeros(2), np.ones(2)), ValueError,
                 r"running_mean must have shape \(3,\)"),
                (lambda: F.batch_norm(gn.zeros(4), None, None, training=True), ValueError, r"\(N, C\)")]),
    OpCase("batch_norm-train-4d",
           lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True),
           [normal(3, 2, 3, 2), normal(2), normal(2)], np_batch_norm_train),
    OpCase("batch_norm-eval-4d",
           lambda x, w, b: F.batch_norm(x, np.array([0.5, -1.0]), np.array([2.0, 0.5]), w, b, training=False),
           [normal(3, 2, 3, 2), normal(2), normal(2)],
           lambda x, w, b: ((x - np.array([0.5, -1.0])[:, None, None]) / np.sqrt(np.array([2.0, 0.5]) + 1e-5)[:, None, None]
                            * w[:, None, None] + b[:, None, None])),
    OpCase("layer_norm", lambda x, w, b: F.layer_norm(x, (3, 4), w, b), [normal(2, 3, 4), normal(3, 4), normal(3, 4)],
           lambda x, w, b: np_layer_norm(x, 2, w, b),
           bad=[(lambda: F.layer_norm(gn.zeros(2, 3), 4), ValueError, r"layer_norm.*\(2, 3\).*\(4,\)")]),
    OpCase("layer_norm-noaffine", lambda x: F.layer_norm(x, 5), [normal(4, 5)], lambda x: np_layer_norm(x, 1)),
    *_loss_cases(),
    OpCase("loss-errors", lambda a, b: F.mse_loss(a, b), [normal(2), normal(2)], lambda a, b: np.mean((a - b) ** 2),
           bad=[_bad_shapes(F.mse_loss), _bad_shapes(F.l1_loss), _bad_shapes(F.huber_loss),
                _bad_shapes(F.binary_cross_entropy), _bad_shapes(F.binary_cross_entropy_with_logits),
                _bad_reduction(F.mse_loss), _bad_reduction(F.l1_loss), _bad_reduction(F.huber_loss),
                _bad_reduction(F.binary_cross_entropy_with_logits), _bad_reduction(F.cross_entropy),
                (lambda: F.binary_cross_entropy(gn.tensor([1.5]), gn.tensor([1.0])), ValueError, r"\[0, 1\]"),
                (lambda: F.huber_loss(gn.zeros(2), gn.zeros(2), delta=0), ValueError, "delta must be positive"),
                (lambda: F.cross_entropy(gn.zeros(3, 4), np.array([0, 4, 1])), IndexError,
                 "index 4 is out of range for 4 classes"),
                (lambda: F.cross_entropy(gn.zeros(3, 4), np.array([0, -1, 1])), IndexError, "index -1 .*4 classes"),
                (lambda: F.nll_loss(gn.zeros(3, 4), np.array([0, 9, 1])), IndexError, "nll_loss.*9.*4 classes"),
                (lambda: F.cross_entropy(gn.zeros(3, 4), np.array([0, 1])), ValueError, r"\(3, 4\).*\(3,\).*\(2,\)"),
                (lambda: F.cross_entropy(gn.zeros(3, 4), gn.zeros(3, 5)), ValueError, r"\(3, 4\).*\(3, 5\)"),
                (lambda: F.cross_entropy(gn.zeros(3, 4), np.array([0, 1, 1]), weight=np.ones(3)), ValueError,
                 r"weight must have shape \(4,\)"),
                (lambda: F.nll_loss(gn.zeros(3, 4), gn.zeros(3, 4)), TypeError, "integer class indices")]),
]

OPS += TORCH_OPS  # the PyTorch-spelled functional ops are rows of the same table
OPS += NAMESPACE_OPS  # torch.linalg, torch.special and the torch-namespace ops (tests/namespace_ops.py)
OPS += MORE_TORCH_OPS
OPS += CONV_CTC_OPS
IDS = [c.name for c in OPS]


@pytest.mark.parametrize("case", OPS, ids=IDS)
def test_forward_matches_numpy_reference(case):
    arrays, tensors = inputs(case)
    out = case.fn(*tensors)
    assert out.dtype == np.float64
    np.testing.assert_allclose(out.data, case.ref(*arrays), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("case", OPS, ids=IDS)
def test_float32_stays_float32(case):
    arrays, tensors = inputs(case, np.float32, requires_grad=True)
    out = case.fn(*tensors)
    assert out.dtype == np.float32
    if case.same_values_in_float32:
        np.testing.assert_allclose(out.data, case.ref(*[a.astype(np.float64) for a in arrays]), rtol=1e-4, atol=1e-5)
    if case.gradcheck:
        out.sum().backward()
        for t in tensors:
            assert t.grad is not None and t.grad.dtype == np.float32


@pytest.mark.parametrize("case", [c for c in OPS if c.gradcheck], ids=[c.name for c in OPS if c.gradcheck])
def test_gradcheck_float64(case):
    _, tensors = inputs(case, requires_grad=True)
    assert gn.gradcheck(case.fn, tensors, raise_exception=True)


BAD = [(c.name, i, b) for c in OPS for i, b in enumerate(c.bad)]


@pytest.mark.parametrize("name, i, bad", BAD, ids=[f"{n}-{i}" for n, i, _ in BAD])
def test_bad_inputs_raise_named_errors(name, i, bad):
    call, exc, match = bad
    with pytest.raises(exc, match=match):
        call()


def test_input_gradient_skipped_when_not_needed():
    """The MLP hot path: only the weight and bias need gradients, the data does not."""
    x = gn.randn(4, 3)
    w, b = gn.randn(2, 3, requires_grad=True), gn.randn(2, requires_grad=True)
    F.linear(x, w, b).sum().backward()
    assert x.grad is None
    np.testing.assert_allclose(w.grad, np.ones((4, 2)).T @ x.data, rtol=1e-6)
    np.testing.assert_allclose(b.grad, [4, 4])


@pytest.mark.parametrize("fn", [F.softmax, F.log_softmax])
def test_softmax_over_an_empty_axis_is_empty_not_an_error(fn):
    # regression: softmax along axis 0 of an empty batch (0, C) raised NumPy's "zero-size array
    # to reduction operation maximum" instead of returning the empty (0, C) result
    x = gn.tensor(np.zeros((0, 3)), requires_grad=True)
    out = fn(x, axis=0)
    assert out.shape == (0, 3) and out.dtype == np.float64
    out.sum().backward()
    assert x.grad.shape == (0, 3)
    assert fn(gn.zeros(0, 3), axis=-1).shape == (0, 3)
