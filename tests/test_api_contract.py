"""The public API contract (/work/shared/API.md), called as a user would call it.

Each test pins one line of the contract: the names exist, accept the documented arguments
(positional order, keyword names, defaults, checked with inspect.signature where the contract
gives them), and behave as the "Semantics decided" section says. Values are compared with
small NumPy references written here or with numbers derived by hand.
"""

from __future__ import annotations

import inspect
import math

import numpy as np
import pytest

import gradnote as gn
import gradnote.functional as F
from gradnote import data, nn, optim


# ----- helpers ---------------------------------------------------------------------------------------
def params_of(fn) -> dict:
    return dict(inspect.signature(fn).parameters)


def assert_signature(fn, names: list, defaults: dict | None = None, positional: int = 0) -> None:
    """`names` appear in this relative order; `defaults` match; the first `positional` may be passed positionally."""
    ps = params_of(fn)
    ps.pop("self", None)
    order = list(ps)
    missing = [n for n in names if n not in ps]
    assert not missing, f"{fn.__qualname__}: missing parameters {missing}; has {order}"
    idx = [order.index(n) for n in names]
    assert idx == sorted(idx), f"{fn.__qualname__}: parameter order {order}, contract order {names}"
    for name, value in (defaults or {}).items():
        got = ps[name].default
        assert got is not inspect.Parameter.empty, f"{fn.__qualname__}: {name} has no default (contract: {value!r})"
        assert got == value, f"{fn.__qualname__}: default {name}={got!r}, contract says {value!r}"
    positional_kinds = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    for k, name in enumerate(names[:positional]):
        assert order[k] == name and ps[name].kind in positional_kinds, (
            f"{fn.__qualname__}: {name!r} should be positional argument {k}; order is {order}")


def param(*shape, seed=0, dtype=np.float32):
    return gn.Tensor(np.random.default_rng(seed).standard_normal(shape).astype(dtype), requires_grad=True)


# ----- tensors, factories, dtypes ----------------------------------------------------------------------
def test_dtypes_are_numpy_dtypes_and_strings_accepted():
    assert gn.float32 is np.float32 and gn.float64 is np.float64
    assert gn.int64 is np.int64 and gn.bool_ is np.bool_
    for dt, s in ((gn.float32, "float32"), (gn.float64, "float64"), (gn.int64, "int64"), (gn.bool_, "bool")):
        assert gn.tensor([1, 0], dtype=dt).dtype == np.dtype(dt)
        assert gn.tensor([1, 0], dtype=s).dtype == np.dtype(dt)
        assert gn.zeros(2, dtype=s).dtype == np.dtype(dt)


def test_tensor_constructor_and_default_dtype():
    assert_signature(gn.Tensor, ["data", "requires_grad", "dtype"], {"requires_grad": False, "dtype": None}, 3)
    assert_signature(gn.tensor, ["data", "requires_grad", "dtype"], {"requires_grad": False, "dtype": None}, 3)
    t = gn.Tensor([1.0, 2.0], True)
    assert t.requires_grad and t.dtype == np.float32
    assert gn.tensor([1.5]).dtype == np.float32
    assert gn.tensor(np.ones(2)).dtype == np.float64
    assert gn.tensor([1.0], dtype=gn.float64).dtype == np.float64


@pytest.mark.parametrize("name", ["zeros", "ones", "randn", "rand"])
def test_factories_take_ints_or_one_tuple(name):
    f = getattr(gn, name)
    a, b = f(2, 3), f((2, 3))
    assert isinstance(a, gn.Tensor) and a.shape == b.shape == (2, 3)
    assert a.dtype == np.float32
    assert f([2, 3]).shape == (2, 3)
    if name in ("zeros", "ones"):
        np.testing.assert_array_equal(a.data, b.data)
    assert f(4, dtype=gn.float64).dtype == np.float64


def test_full_arange_and_like():
    t = gn.full((2,), 1.5)
    np.testing.assert_array_equal(t.data, [1.5, 1.5])
    assert t.dtype == np.float32
    np.testing.assert_array_equal(gn.full((2, 3), 7.0).data, np.full((2, 3), 7.0))
    assert gn.full(3, 0.5).shape == (3,)
    np.testing.assert_array_equal(gn.arange(4).data, [0, 1, 2, 3])
    np.testing.assert_allclose(gn.arange(0.0, 1.0, 0.25).data, [0, 0.25, 0.5, 0.75])
    x = gn.randn(2, 3, dtype="float64")
    for f, v in ((gn.zeros_like, 0), (gn.ones_like, 1)):
        y = f(x)
        assert y.shape == (2, 3) and y.dtype == np.float64 and (y.data == v).all()


def test_tensor_attributes():
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    t = gn.tensor(a, requires_grad=True)
    assert isinstance(t.data, np.ndarray) and t.grad is None and t.requires_grad
    assert t.shape == (2, 3) and t.ndim == 2 and t.dtype == np.float32
    np.testing.assert_array_equal(t.T.data, a.T)
    assert isinstance(t.numpy(), np.ndarray)
    assert gn.tensor([3.5]).item() == 3.5
    d = t.detach()
    assert not d.requires_grad and np.shares_memory(d.data, t.data)


def test_data_writable_in_place_and_grad_assignable():
    w = gn.tensor([1.0, 2.0], requires_grad=True)
    (w * w).sum().backward()
    np.testing.assert_allclose(w.grad, [2.0, 4.0])
    assert isinstance(w.grad, np.ndarray)
    w.data -= 0.5 * w.grad                    # the optimiser's in-place update
    np.testing.assert_allclose(w.data, [0.0, 0.0])
    w.data[...] = [3.0, 4.0]                  # weight copying
    np.testing.assert_allclose((w * 1).data, [3.0, 4.0])
    w.grad = np.array([9.0, 9.0], dtype=np.float32)
    np.testing.assert_allclose(w.grad, [9.0, 9.0])
    w.zero_grad()
    assert w.grad is None
    w.grad = None
    assert w.grad is None


def test_backward_takes_tensor_or_ndarray():
    assert_signature(gn.Tensor.backward, ["grad"], {"grad": None}, 1)
    for g in (np.array([1.0, 10.0], dtype=np.float32), gn.tensor([1.0, 10.0])):
        x = gn.tensor([1.0, 2.0], requires_grad=True)
        (x * 3).backward(g)
        np.testing.assert_allclose(x.grad, [3.0, 30.0])
    x = gn.tensor([2.0], requires_grad=True)
    (x ** 3).sum().backward()
    np.testing.assert_allclose(x.grad, [12.0])


def test_reductions_numpy_meanings():
    a = np.random.default_rng(0).standard_normal((3, 4)).astype(np.float32)
    t = gn.tensor(a)
    for name in ("sum", "mean", "max", "min", "var"):
        m = getattr(t, name)
        assert_signature(m, ["axis", "keepdims"], {"axis": None, "keepdims": False}, 2)
        ref = getattr(np, name)
        np.testing.assert_allclose(m().data, ref(a), rtol=1e-5)
        np.testing.assert_allclose(m(1).data, ref(a, axis=1), rtol=1e-5)
        np.testing.assert_allclose(m(0, True).data, ref(a, axis=0, keepdims=True), rtol=1e-5)
        np.testing.assert_allclose(m(axis=1, keepdims=True).data, ref(a, axis=1, keepdims=True), rtol=1e-5)
    assert_signature(gn.Tensor.var, ["axis", "keepdims", "ddof"], {"ddof": 0})
    np.testing.assert_allclose(t.var(0, False, 1).data, a.var(axis=0, ddof=1), rtol=1e-5)
    np.testing.assert_allclose(t.var(axis=1, ddof=1).data, a.var(axis=1, ddof=1), rtol=1e-5)
    # max/min return values only (a Tensor, not a (values, indices) pair)
    mx = t.max(1)
    assert isinstance(mx, gn.Tensor) and mx.shape == (3,)
    assert isinstance(t.min(axis=0), gn.Tensor)
    np.testing.assert_array_equal(t.argmax(1).data, a.argmax(1))
    np.testing.assert_array_equal(t.argmax(axis=0).data, a.argmax(0))


def test_reshape_transpose_and_elementwise_methods():
    a = np.arange(24, dtype=np.float32).reshape(2, 3, 4) + 1
    t = gn.tensor(a)
    assert t.reshape(6, 4).shape == (6, 4) and t.reshape((4, 6)).shape == (4, 6) and t.reshape(-1).shape == (24,)
    np.testing.assert_array_equal(t.transpose().data, a.transpose())
    np.testing.assert_array_equal(t.transpose(1, 0, 2).data, a.transpose(1, 0, 2))
    np.testing.assert_array_equal(t.transpose((2, 0, 1)).data, a.transpose(2, 0, 1))
    np.testing.assert_array_equal(t.T.data, a.T)
    np.testing.assert_allclose(t.exp().data, np.exp(a), rtol=1e-5)
    np.testing.assert_allclose(t.log().data, np.log(a), rtol=1e-5)
    np.testing.assert_allclose(t.sqrt().data, np.sqrt(a), rtol=1e-5)
    np.testing.assert_allclose((-t).abs().data, a)
    np.testing.assert_allclose(t.clip(3, 10).data, np.clip(a, 3, 10))


def test_operators_broadcast_with_gradients():
    a = param(2, 3, seed=1, dtype=np.float64)
    b = param(3, seed=2, dtype=np.float64)
    for f in (lambda x, y: x + y, lambda x, y: x - y, lambda x, y: x * y, lambda x, y: x / (y * y + 1),
              lambda x, y: (x * x + 1) ** y, lambda x, y: -x @ y, lambda x, y: x[:, 1:] * y[0]):
        assert gn.gradcheck(f, [a, b], raise_exception=True)
    idx = np.array([2, 0, 2])
    assert gn.gradcheck(lambda x: x[idx], [b], raise_exception=True)
    x = b.detach()
    c = x[idx]
    np.testing.assert_array_equal(c.data, x.data[idx])


def test_comparisons_are_elementwise_without_gradient():
    x = gn.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = gn.tensor([1.0, 0.0, 3.0])
    for r, ref in ((x == y, [True, False, True]), (x != y, [False, True, False]), (x > 1.5, [False, True, True]),
                   (x < 2, [True, False, False]), (x >= 2, [False, True, True]), (x <= 1, [True, False, False])):
        assert isinstance(r, gn.Tensor) and not r.requires_grad
        np.testing.assert_array_equal(r.data, ref)


def test_no_grad_and_manual_seed():
    x = gn.tensor([1.0], requires_grad=True)
    with gn.no_grad():
        y = x * 2
    assert not y.requires_grad
    gn.manual_seed(7)
    a = (gn.randn(3).data, gn.rand(2).data, F.dropout(gn.ones(8), 0.5, True).data)
    gn.manual_seed(7)
    b = (gn.randn(3).data, gn.rand(2).data, F.dropout(gn.ones(8), 0.5, True).data)
    for u, v in zip(a, b):
        np.testing.assert_array_equal(u, v)


def test_free_functions():
    a, b = gn.tensor([[1.0, 5.0]]), gn.tensor([[3.0, 2.0]])
    assert_signature(gn.concat, ["tensors", "axis"], positional=2)
    assert_signature(gn.stack, ["tensors", "axis"], positional=2)
    assert_signature(gn.where, ["cond", "a", "b"], positional=3)
    assert gn.concat([a, b], 0).shape == (2, 2) and gn.concat([a, b], axis=1).shape == (1, 4)
    assert gn.stack([a, b], 0).shape == (2, 1, 2) and gn.stack([a, b], axis=2).shape == (1, 2, 2)
    np.testing.assert_array_equal(gn.where(a > b, a, b).data, [[3.0, 5.0]])
    np.testing.assert_array_equal(gn.maximum(a, b).data, [[3.0, 5.0]])
    np.testing.assert_array_equal(gn.minimum(a, b).data, [[1.0, 2.0]])


def test_gradcheck_signature_and_calls_fn_with_unpacked_inputs():
    assert_signature(gn.gradcheck, ["fn", "inputs", "eps", "atol", "rtol"],
                     {"eps": 1e-6, "atol": 1e-5, "rtol": 1e-3}, 2)
    calls = []

    def fn(x, y):
        calls.append((x, y))
        return (x * y).sum()

    x, y = param(3, seed=3, dtype=np.float64), param(3, seed=4, dtype=np.float64)
    assert gn.gradcheck(fn, [x, y]) is True
    assert calls and all(len(c) == 2 for c in calls)
    assert gn.gradcheck(lambda x: x * x, [param(2, dtype=np.float32)])     # float32 checked in float64
    bad = type("Bad", (gn.autograd.Function,), {"forward": lambda self, x: x * 2, "backward": lambda self, g: g})
    assert gn.gradcheck(lambda x: bad.apply(x), [param(3, dtype=np.float64)]) is False


# ----- functional --------------------------------------------------------------------------------------
def test_activations():
    a = np.linspace(-3, 3, 13)
    x = gn.tensor(a)
    np.testing.assert_array_equal(F.step(x).data, (a > 0).astype(np.float64))
    np.testing.assert_allclose(F.sigmoid(x).data, 1 / (1 + np.exp(-a)))
    np.testing.assert_allclose(F.tanh(x).data, np.tanh(a))
    np.testing.assert_allclose(F.relu(x).data, np.maximum(a, 0))
    assert_signature(F.leaky_relu, ["x", "negative_slope"], {"negative_slope": 0.01}, 2)
    np.testing.assert_allclose(F.leaky_relu(x).data, np.where(a > 0, a, 0.01 * a))
    np.testing.assert_allclose(F.leaky_relu(x, negative_slope=0.2).data, np.where(a > 0, a, 0.2 * a))
    np.testing.assert_allclose(F.leaky_relu(x, 0.2).data, np.where(a > 0, a, 0.2 * a))
    np.testing.assert_allclose(F.elu(x).data, np.where(a > 0, a, np.expm1(a)))
    assert_signature(F.gelu, ["x", "approximate"], {"approximate": "none"}, 2)
    erf = np.vectorize(math.erf)
    np.testing.assert_allclose(F.gelu(x).data, 0.5 * a * (1 + erf(a / math.sqrt(2))), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(F.gelu(x, approximate="none").data, 0.5 * a * (1 + erf(a / math.sqrt(2))), rtol=1e-12)
    tanh_ref = 0.5 * a * (1 + np.tanh(math.sqrt(2 / math.pi) * (a + 0.044715 * a ** 3)))
    np.testing.assert_allclose(F.gelu(x, approximate="tanh").data, tanh_ref, rtol=1e-10)
    m = a.reshape(13, 1) * np.array([[1.0, -1.0, 0.5]])
    e = np.exp(m - m.max(-1, keepdims=True))
    for axis_kw in ({}, {"axis": -1}):
        np.testing.assert_allclose(F.softmax(gn.tensor(m), **axis_kw).data, e / e.sum(-1, keepdims=True))
        np.testing.assert_allclose(F.log_softmax(gn.tensor(m), **axis_kw).data,
                                   np.log(e / e.sum(-1, keepdims=True)), atol=1e-12)
    e0 = np.exp(m - m.max(0))
    np.testing.assert_allclose(F.softmax(gn.tensor(m), axis=0).data, e0 / e0.sum(0))
    np.testing.assert_allclose(F.softmax(gn.tensor(m), 0).data, e0 / e0.sum(0))


def test_linear_weight_is_out_by_in():
    assert_signature(F.linear, ["x", "w", "b"], {"b": None}, 3)
    x, w, b = np.ones((4, 3)), np.arange(6.0).reshape(2, 3), np.array([1.0, -1.0])
    np.testing.assert_allclose(F.linear(gn.tensor(x), gn.tensor(w)).data, x @ w.T)
    np.testing.assert_allclose(F.linear(gn.tensor(x), gn.tensor(w), gn.tensor(b)).data, x @ w.T + b)
    np.testing.assert_allclose(F.linear(gn.tensor(x), gn.tensor(w), b=gn.tensor(b)).data, x @ w.T + b)


def test_conv_output_size():
    assert_signature(F.conv_output_size, ["n", "kernel", "stride", "padding", "dilation"],
                     {"stride": 1, "padding": 0, "dilation": 1}, 5)
    assert F.conv_output_size(39, 5, 2, 0) == 18
    assert F.conv_output_size(28, 5) == 24
    assert F.conv_output_size(28, 5, padding=2) == 28
    assert F.conv_output_size(10, 3, 1, 0, 2) == 6
    assert F.conv_output_size(n=7, kernel=3, stride=2, padding=1, dilation=1) == 4


def _conv_ref(x, w, b, stride, padding, dilation):
    n, _, h, wd = x.shape
    o, _, kh, kw = w.shape
    xp_ = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    oh = (h + 2 * padding - dilation * (kh - 1) - 1) // stride + 1
    ow = (wd + 2 * padding - dilation * (kw - 1) - 1) // stride + 1
    out = np.zeros((n, o, oh, ow))
    for i in range(oh):
        for j in range(ow):
            patch = xp_[:, :, i * stride:i * stride + dilation * (kh - 1) + 1:dilation,
                        j * stride:j * stride + dilation * (kw - 1) + 1:dilation]
            out[:, :, i, j] = np.einsum("nchw,ochw->no", patch, w)
    return out + (0 if b is None else b[None, :, None, None])


def test_conv2d_nchw():
    assert_signature(F.conv2d, ["x", "w", "b", "stride", "padding", "dilation"],
                     {"b": None, "stride": 1, "padding": 0, "dilation": 1}, 6)
    rng = np.random.default_rng(0)
    x, w, b = rng.standard_normal((2, 3, 7, 6)), rng.standard_normal((4, 3, 3, 3)), rng.standard_normal(4)
    np.testing.assert_allclose(F.conv2d(gn.tensor(x), gn.tensor(w)).data, _conv_ref(x, w, None, 1, 0, 1), atol=1e-10)
    got = F.conv2d(gn.tensor(x), gn.tensor(w), gn.tensor(b), 2, 1, 1).data
    np.testing.assert_allclose(got, _conv_ref(x, w, b, 2, 1, 1), atol=1e-10)
    got = F.conv2d(gn.tensor(x), gn.tensor(w), b=gn.tensor(b), stride=1, padding=2, dilation=2).data
    np.testing.assert_allclose(got, _conv_ref(x, w, b, 1, 2, 2), atol=1e-10)


def test_pooling():
    assert_signature(F.max_pool2d, ["input", "kernel_size", "stride", "padding"], {"stride": None, "padding": 0}, 4)
    assert "kernel_size" in params_of(F.avg_pool2d)
    a = np.arange(16.0).reshape(1, 1, 4, 4)
    x = gn.tensor(a)
    np.testing.assert_array_equal(F.max_pool2d(x, 2).data, [[[[5, 7], [13, 15]]]])
    np.testing.assert_array_equal(F.avg_pool2d(x, 2).data, [[[[2.5, 4.5], [10.5, 12.5]]]])
    np.testing.assert_array_equal(F.max_pool2d(x, 2, stride=1).data[0, 0], a[0, 0, 1:, 1:])
    # count_include_pad=True: the padded zeros count in the divisor (corner: (0 + 1 + 4 + 5) / 9)
    out = F.avg_pool2d(x, 3, stride=1, padding=1).data
    assert out.shape == (1, 1, 4, 4)
    assert out[0, 0, 0, 0] == pytest.approx((0 + 1 + 4 + 5) / 9)
    assert out[0, 0, 1, 1] == pytest.approx(a[0, 0, :3, :3].mean())


def test_dropout_scales_kept_values():
    assert_signature(F.dropout, ["x", "p", "training"], positional=3)
    x = gn.ones(1000)
    y = F.dropout(x, 0.25, True).data
    assert set(np.unique(y)) <= {0.0, np.float32(1 / 0.75)}
    assert 0 < (y == 0).sum() < 1000
    np.testing.assert_array_equal(F.dropout(x, 0.25, False).data, x.data)
    np.testing.assert_array_equal(F.dropout(x, p=0.25, training=False).data, x.data)


def test_batch_norm_functional():
    assert_signature(F.batch_norm, ["x", "running_mean", "running_var", "weight", "bias", "training", "momentum",
                                    "eps"], {"momentum": 0.1, "eps": 1e-5}, 8)
    rng = np.random.default_rng(0)
    a = rng.standard_normal((8, 3)) * 2 + 1
    rm, rv = np.zeros(3), np.ones(3)
    w, b = rng.standard_normal(3), rng.standard_normal(3)
    out = F.batch_norm(gn.tensor(a), rm, rv, gn.tensor(w), gn.tensor(b), True, 0.1, 1e-5).data
    ref = (a - a.mean(0)) / np.sqrt(a.var(0) + 1e-5) * w + b             # biased variance to normalise
    np.testing.assert_allclose(out, ref, rtol=1e-10)
    np.testing.assert_allclose(rm, 0.1 * a.mean(0), rtol=1e-10)          # momentum weights the new value
    np.testing.assert_allclose(rv, 0.9 + 0.1 * a.var(0, ddof=1), rtol=1e-10)  # unbiased in running_var
    out = F.batch_norm(gn.tensor(a), rm, rv, gn.tensor(w), gn.tensor(b), training=False, momentum=0.1, eps=1e-5)
    np.testing.assert_allclose(out.data, (a - rm) / np.sqrt(rv + 1e-5) * w + b, rtol=1e-10)
    a4 = rng.standard_normal((2, 3, 4, 5))
    out = F.batch_norm(gn.tensor(a4), None, None, None, None, True).data
    mu, var = a4.mean((0, 2, 3), keepdims=True), a4.var((0, 2, 3), keepdims=True)
    np.testing.assert_allclose(out, (a4 - mu) / np.sqrt(var + 1e-5), rtol=1e-9)


def test_layer_norm_and_embedding():
    assert_signature(F.layer_norm, ["x", "normalized_shape", "weight", "bias", "eps"], {"eps": 1e-5}, 5)
    rng = np.random.default_rng(1)
    a, w, b = rng.standard_normal((2, 3, 4)), rng.standard_normal(4), rng.standard_normal(4)
    ref = (a - a.mean(-1, keepdims=True)) / np.sqrt(a.var(-1, keepdims=True) + 1e-5) * w + b
    np.testing.assert_allclose(F.layer_norm(gn.tensor(a), (4,), gn.tensor(w), gn.tensor(b)).data, ref, rtol=1e-9)
    np.testing.assert_allclose(F.layer_norm(gn.tensor(a), 4, gn.tensor(w), gn.tensor(b), eps=1e-5).data, ref,
                               rtol=1e-9)
    assert_signature(F.embedding, ["idx", "weight"], positional=2)
    table = rng.standard_normal((5, 3))
    idx = np.array([[0, 4], [2, 2]])
    np.testing.assert_array_equal(F.embedding(idx, gn.tensor(table)).data, table[idx])
    np.testing.assert_array_equal(F.embedding(gn.tensor(idx), gn.tensor(table)).data, table[idx])


def _reduce(v, reduction):
    return {"mean": v.mean(), "sum": v.sum(), "none": v}[reduction]


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_losses_with_every_reduction(reduction):
    rng = np.random.default_rng(2)
    p, t = rng.standard_normal((4, 3)), rng.standard_normal((4, 3))
    P, T = gn.tensor(p), gn.tensor(t)
    for fn, ref in ((F.mse_loss, (p - t) ** 2), (F.l1_loss, np.abs(p - t))):
        assert_signature(fn, ["input", "target", "reduction"], {"reduction": "mean"}, 2)
        np.testing.assert_allclose(fn(P, T, reduction=reduction).data, _reduce(ref, reduction))
    assert_signature(F.huber_loss, ["reduction", "delta"], {"delta": 1.0})
    d = np.abs(p - t)
    for delta in (1.0, 0.5):
        ref = np.where(d < delta, 0.5 * d ** 2, delta * (d - 0.5 * delta))
        np.testing.assert_allclose(F.huber_loss(P, T, reduction=reduction, delta=delta).data, _reduce(ref, reduction))
    np.testing.assert_allclose(F.huber_loss(P, T).data, np.where(d < 1, 0.5 * d ** 2, d - 0.5).mean())
    # binary: probabilities and logits
    z, y = rng.standard_normal((5,)), (rng.random(5) > 0.5).astype(np.float64)
    q = 1 / (1 + np.exp(-z))
    bce = -(y * np.log(q) + (1 - y) * np.log(1 - q))
    np.testing.assert_allclose(F.binary_cross_entropy(gn.tensor(q), gn.tensor(y), reduction=reduction).data,
                               _reduce(bce, reduction), rtol=1e-7)
    np.testing.assert_allclose(F.binary_cross_entropy_with_logits(gn.tensor(z), gn.tensor(y),
                                                                  reduction=reduction).data,
                               _reduce(bce, reduction), rtol=1e-7)
    # multiclass: indices, one-hot, probabilities; nll on log-probabilities
    logits, labels = rng.standard_normal((4, 3)), np.array([0, 2, 1, 2])
    logp = logits - logits.max(1, keepdims=True)
    logp = logp - np.log(np.exp(logp).sum(1, keepdims=True))
    ce = -logp[np.arange(4), labels]
    L = gn.tensor(logits)
    np.testing.assert_allclose(F.cross_entropy(L, gn.tensor(labels), reduction=reduction).data,
                               _reduce(ce, reduction), rtol=1e-7)
    np.testing.assert_allclose(F.cross_entropy(L, gn.tensor(np.eye(3)[labels]), reduction=reduction).data,
                               _reduce(ce, reduction), rtol=1e-7)
    soft = rng.random((4, 3))
    soft /= soft.sum(1, keepdims=True)
    np.testing.assert_allclose(F.cross_entropy(L, gn.tensor(soft), reduction=reduction).data,
                               _reduce(-(soft * logp).sum(1), reduction), rtol=1e-7)
    np.testing.assert_allclose(F.nll_loss(gn.tensor(logp), gn.tensor(labels), reduction=reduction).data,
                               _reduce(ce, reduction), rtol=1e-7)


def test_losses_default_to_mean():
    rng = np.random.default_rng(3)
    logits, labels = gn.tensor(rng.standard_normal((4, 3))), gn.tensor(np.array([0, 1, 2, 0]))
    for fn in (F.binary_cross_entropy, F.binary_cross_entropy_with_logits, F.cross_entropy, F.nll_loss):
        assert params_of(fn)["reduction"].default == "mean"
    np.testing.assert_allclose(F.cross_entropy(logits, labels).data,
                               F.cross_entropy(logits, labels, reduction="none").data.mean())


# ----- modules -----------------------------------------------------------------------------------------
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(3, 4)
        self.bn = nn.BatchNorm1d(4)
        self.out = nn.Linear(4, 2, bias=False)

    def forward(self, x):
        return self.out(F.relu(self.bn(self.fc(x))))


def test_module_methods():
    net = Net()
    assert net.training
    y = net(gn.randn(5, 3))
    assert y.shape == (5, 2) and net.forward(gn.randn(5, 3)).shape == (5, 2)
    names = [n for n, _ in net.named_parameters()]
    assert names == ["fc.weight", "fc.bias", "bn.weight", "bn.bias", "out.weight"]
    assert all(isinstance(p, nn.Parameter) for p in net.parameters())
    assert [type(c) for c in net.children()] == [nn.Linear, nn.BatchNorm1d, nn.Linear]
    assert net.eval() is net and not net.training and not net.bn.training
    assert net.train() is net and net.training and net.bn.training
    net.train(False)
    assert not net.training
    y.sum().backward()
    assert all(p.grad is not None for p in net.parameters())
    net.zero_grad()
    assert all(p.grad is None or not np.any(p.grad) for p in net.parameters())
    assert isinstance(net.summary(), str)


def test_state_dict_shares_memory_and_includes_buffers():
    net = Net()
    sd = net.state_dict()
    assert list(sd) == ["fc.weight", "fc.bias", "bn.weight", "bn.bias", "bn.running_mean", "bn.running_var",
                        "bn.num_batches_tracked", "out.weight"]
    assert all(isinstance(v, np.ndarray) for v in sd.values())
    assert np.shares_memory(sd["fc.weight"], net.fc.weight.data)
    assert np.shares_memory(sd["bn.running_mean"], net.bn.running_mean)
    net.train()
    net(gn.randn(6, 3) + 5)                             # updates running stats in place
    assert sd["bn.num_batches_tracked"] == 1 and np.any(sd["bn.running_mean"] != 0)
    snapshot = {k: v.copy() for k, v in sd.items()}
    other = Net()
    assert other.load_state_dict(snapshot) == ([], [])  # (missing_keys, unexpected_keys), as PyTorch
    for k, v in other.state_dict().items():
        np.testing.assert_array_equal(v, snapshot[k])
    with pytest.raises((KeyError, ValueError, RuntimeError)):
        other.load_state_dict({"fc.weight": snapshot["fc.weight"]})
    partial = other.load_state_dict({"fc.weight": snapshot["fc.weight"]}, strict=False)
    assert partial.missing_keys == [k for k in snapshot if k != "fc.weight"] and partial.unexpected_keys == []
    assert_signature(nn.Module.load_state_dict, ["state_dict", "strict"], {"strict": True}, 2)


def test_num_parameters_counts_trainable_only():
    net = Net()
    assert net.num_parameters() == 3 * 4 + 4 + 4 + 4 + 4 * 2       # buffers excluded
    net.fc.weight.requires_grad = False
    assert net.num_parameters() == 4 + 4 + 4 + 4 * 2


def test_sequential_add_and_parameter():
    seq = nn.Sequential(nn.Linear(2, 3), nn.ReLU())
    last = nn.Linear(3, 1)
    assert seq.add(last) is seq and seq[2] is last
    assert seq(gn.randn(4, 2)).shape == (4, 1)
    assert len(list(seq.children())) == 3
    p = nn.Parameter(np.zeros(3, dtype=np.float32))
    assert isinstance(p, gn.Tensor) and p.requires_grad


def test_layer_constructors_and_parameter_shapes():
    assert_signature(nn.Linear, ["in_features", "out_features", "bias"], {"bias": True}, 3)
    lin = nn.Linear(3, 5)
    assert lin.weight.shape == (5, 3) and lin.bias.shape == (5,)
    assert nn.Linear(3, 5, False).bias is None and nn.Linear(3, 5, bias=False).bias is None
    assert_signature(nn.Conv2d, ["in_channels", "out_channels", "kernel_size", "stride", "padding", "dilation",
                                 "bias"], {"stride": 1, "padding": 0, "dilation": 1, "bias": True}, 6)
    conv = nn.Conv2d(3, 4, 3, 1, 1, 1, bias=False)
    assert conv.weight.shape == (4, 3, 3, 3) and conv.bias is None
    assert conv(gn.randn(2, 3, 5, 5)).shape == (2, 4, 5, 5)
    assert nn.Conv2d(3, 4, kernel_size=3, stride=2, padding=0, dilation=1)(gn.randn(1, 3, 7, 7)).shape == (1, 4, 3, 3)
    assert nn.MaxPool2d(2)(gn.randn(1, 2, 4, 4)).shape == (1, 2, 2, 2)
    assert nn.AvgPool2d(2)(gn.randn(1, 2, 4, 4)).shape == (1, 2, 2, 2)
    x = gn.randn(2, 3, 4, 5)
    g = nn.GlobalAvgPool2d()(x)
    assert g.shape == (2, 3)
    np.testing.assert_allclose(g.data, x.data.mean((2, 3)), rtol=1e-6)
    assert nn.Flatten()(x).shape == (2, 60)
    assert_signature(nn.Dropout, ["p"], {"p": 0.5}, 1)
    assert nn.Dropout().p == 0.5 and nn.Dropout(0.2).p == 0.2
    bn1, bn2 = nn.BatchNorm1d(4), nn.BatchNorm2d(3)
    assert bn1.weight.shape == (4,) and bn1.running_mean.shape == (4,) and bn1.running_var.shape == (4,)
    assert bn2(gn.randn(2, 3, 4, 4)).shape == (2, 3, 4, 4)
    assert nn.LayerNorm(5)(gn.randn(2, 5)).shape == (2, 5)
    assert nn.LayerNorm((3, 5)).weight.shape == (3, 5)
    emb = nn.Embedding(10, 4)
    assert emb.weight.shape == (10, 4) and emb(np.array([[1, 2, 3]])).shape == (1, 3, 4)
    assert nn.Embedding(num_embeddings=10, embedding_dim=4).weight.shape == (10, 4)


def test_bn_running_buffers_keep_pytorch_names():
    sd = nn.BatchNorm2d(3).state_dict()
    assert list(sd) == ["weight", "bias", "running_mean", "running_var", "num_batches_tracked"]
    np.testing.assert_array_equal(sd["running_var"], np.ones(3))


def test_activation_and_loss_modules():
    x = gn.tensor(np.linspace(-2, 2, 6).reshape(2, 3))
    for mod, fn in ((nn.Step(), F.step), (nn.Sigmoid(), F.sigmoid), (nn.Tanh(), F.tanh), (nn.ReLU(), F.relu),
                    (nn.LeakyReLU(), F.leaky_relu), (nn.ELU(), F.elu), (nn.GELU(), F.gelu),
                    (nn.Softmax(), F.softmax), (nn.LogSoftmax(), F.log_softmax)):
        np.testing.assert_allclose(mod(x).data, fn(x).data)
    np.testing.assert_allclose(nn.LeakyReLU(0.2)(x).data, F.leaky_relu(x, 0.2).data)
    np.testing.assert_allclose(nn.GELU(approximate="tanh")(x).data, F.gelu(x, approximate="tanh").data)
    p, t = gn.tensor([[0.2, 0.7]]), gn.tensor([[0.0, 1.0]])
    labels = gn.tensor(np.array([1]))
    for mod, fn, args in ((nn.MSELoss, F.mse_loss, (p, t)), (nn.L1Loss, F.l1_loss, (p, t)),
                          (nn.HuberLoss, F.huber_loss, (p, t)), (nn.BCELoss, F.binary_cross_entropy, (p, t)),
                          (nn.BCEWithLogitsLoss, F.binary_cross_entropy_with_logits, (p, t)),
                          (nn.CrossEntropyLoss, F.cross_entropy, (p, labels)), (nn.NLLLoss, F.nll_loss, (p, labels))):
        for reduction in ("mean", "sum", "none"):
            np.testing.assert_allclose(mod(reduction=reduction)(*args).data, fn(*args, reduction=reduction).data)
        np.testing.assert_allclose(mod()(*args).data, fn(*args).data)


def test_recurrent_layers_shapes_and_names():
    N, T, I, H = 3, 5, 4, 6
    for cls, gates in ((nn.RNN, 1), (nn.LSTM, 4), (nn.GRU, 3)):
        assert_signature(cls, ["input_size", "hidden_size", "num_layers", "batch_first"],
                         {"num_layers": 1, "batch_first": False}, 3)  # PyTorch's default: (T, N, F)
        m = cls(I, H, num_layers=2, batch_first=True)
        assert m.weight_ih_l0.shape == (gates * H, I) and m.weight_hh_l0.shape == (gates * H, H)
        assert m.weight_ih_l1.shape == (gates * H, H) and m.bias_ih_l0.shape == (gates * H,)
        x = gn.randn(N, T, I)
        out, state = m(x)
        assert out.shape == (N, T, H)
        h_n = state[0] if cls is nn.LSTM else state
        assert h_n.shape == (2, N, H)                                   # (num_layers, N, H) with batch_first
        np.testing.assert_allclose(h_n.data[-1], out.data[:, -1], rtol=1e-6)
        if cls is nn.LSTM:
            assert state[1].shape == (2, N, H)
            h0, c0 = gn.zeros(2, N, H), gn.zeros(2, N, H)
            out2, _ = m(x, (h0, c0))
        else:
            out2, _ = m(x, gn.zeros(2, N, H))
        np.testing.assert_allclose(out2.data, out.data, rtol=1e-6)
        tm = cls(I, H, 1, batch_first=False)
        out, state = tm(gn.randn(T, N, I))
        assert out.shape == (T, N, H)
        assert (state[0] if cls is nn.LSTM else state).shape == (1, N, H)


def test_perceptron():
    p = nn.Perceptron(2)
    x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)
    y = np.array([0, 0, 0, 1], dtype=np.float32)
    assert hasattr(p, "fit")
    p.fit(x, y)
    out = p(gn.tensor(x)).data
    assert set(np.unique(out)) <= {0.0, 1.0}
    np.testing.assert_array_equal(out.reshape(-1), y)


def test_init_names_aliases_and_pytorch_argument_names():
    w = gn.zeros(64, 32)
    for name in ("zeros_", "ones_", "constant_", "normal_", "uniform_", "xavier_uniform_", "xavier_normal_",
                 "kaiming_uniform_", "kaiming_normal_", "glorot_uniform_", "glorot_normal_", "he_uniform_",
                 "he_normal_"):
        assert callable(getattr(nn.init, name)), name
    nn.init.constant_(w, 0.5)
    assert (w.data == 0.5).all()
    nn.init.ones_(w)
    assert (w.data == 1).all()
    nn.init.zeros_(w)
    assert (w.data == 0).all()
    nn.init.uniform_(w, a=-0.1, b=0.1)
    assert w.data.min() >= -0.1 and w.data.max() <= 0.1
    nn.init.normal_(w, mean=3.0, std=0.01)
    assert abs(w.data.mean() - 3.0) < 0.01
    gn.manual_seed(0)
    nn.init.glorot_uniform_(w)
    a = w.data.copy()
    gn.manual_seed(0)
    nn.init.xavier_uniform_(w)
    np.testing.assert_array_equal(a, w.data)
    assert np.abs(a).max() <= math.sqrt(6 / (64 + 32))
    gn.manual_seed(0)
    nn.init.he_normal_(w)
    a = w.data.copy()
    gn.manual_seed(0)
    nn.init.kaiming_normal_(w)
    np.testing.assert_array_equal(a, w.data)
    gn.manual_seed(0)
    nn.init.he_uniform_(w, a=0.0)
    b = w.data.copy()
    gn.manual_seed(0)
    nn.init.kaiming_uniform_(w, a=0.0)
    np.testing.assert_array_equal(b, w.data)
    nn.init.glorot_normal_(w)
    nn.init.xavier_normal_(w)


def test_clip_grad_norm_returns_norm_before_clipping():
    assert_signature(nn.utils.clip_grad_norm_, ["parameters", "max_norm"], positional=2)
    assert_signature(nn.utils.clip_grad_value_, ["parameters", "clip_value"], positional=2)
    a, b, c = gn.zeros(2, requires_grad=True), gn.zeros(1, requires_grad=True), gn.zeros(1, requires_grad=True)
    a.grad, b.grad = np.array([3.0, 0.0], dtype=np.float32), np.array([4.0], dtype=np.float32)
    total = nn.utils.clip_grad_norm_([a, b, c], 1.0)                  # c.grad is None: skipped
    assert float(total) == pytest.approx(5.0)
    assert c.grad is None
    np.testing.assert_allclose(np.concatenate([a.grad, b.grad]), [0.6, 0.0, 0.8], rtol=1e-5)
    a.grad = np.array([3.0, -0.5], dtype=np.float32)
    nn.utils.clip_grad_value_([a], clip_value=1.0)
    np.testing.assert_array_equal(a.grad, [1.0, -0.5])


def test_penalties():
    w1, w2 = gn.tensor([1.0, -2.0], requires_grad=True), gn.tensor([[3.0]], requires_grad=True)
    l2 = gn.nn.l2_penalty([w1, w2])
    assert l2.item() == pytest.approx(1 + 4 + 9)                        # sum of squares, no 1/2
    l2.backward()
    np.testing.assert_allclose(w1.grad, [2.0, -4.0])
    assert gn.nn.l1_penalty([w1, w2]).item() == pytest.approx(1 + 2 + 3)
    assert nn.l2_penalty(nn.Linear(2, 2).parameters()).shape == ()


# ----- optimizers and schedules ------------------------------------------------------------------------
OPTIM_SIGNATURES = {
    # PyTorch's positional order: weight_decay comes before nesterov
    "SGD": (["params", "lr", "momentum", "weight_decay", "nesterov"], {"momentum": 0, "nesterov": False,
                                                                       "weight_decay": 0}),
    "Adagrad": (["params", "lr", "eps"], {"lr": 0.01, "eps": 1e-10}),
    "RMSprop": (["params", "lr", "alpha", "eps", "momentum"], {"lr": 0.01, "alpha": 0.99, "eps": 1e-8,
                                                               "momentum": 0}),
    "Adam": (["params", "lr", "betas", "eps", "weight_decay", "amsgrad"],
             {"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0, "amsgrad": False}),
    "AdamW": (["params", "lr", "betas", "eps", "weight_decay"], {"lr": 1e-3, "weight_decay": 0.01}),
}


@pytest.mark.parametrize("name", list(OPTIM_SIGNATURES))
def test_optimizer_signatures_and_interface(name):
    names, defaults = OPTIM_SIGNATURES[name]
    cls = getattr(optim, name)
    assert_signature(cls, names, defaults, 2)
    w = gn.tensor([1.0, -1.0], requires_grad=True)
    frozen = gn.tensor([5.0], requires_grad=True)              # grad stays None: must be skipped
    opt = cls([w, frozen], 0.1)
    assert opt.param_groups[0]["lr"] == 0.1
    (w * w).sum().backward()
    before = w.data.copy()
    opt.step()
    assert np.all(np.abs(w.data) < np.abs(before))
    np.testing.assert_array_equal(frozen.data, [5.0])
    assert frozen.grad is None
    opt.zero_grad()
    assert w.grad is None or not np.any(w.grad)
    sd = opt.state_dict()
    opt2 = cls([w, frozen], 0.5)
    opt2.load_state_dict(sd)
    assert opt2.param_groups[0]["lr"] == 0.1
    opt.param_groups[0]["lr"] = 0.0                           # writing "lr" changes the next step
    (w * w).sum().backward()
    before = w.data.copy()
    opt.step()
    if name != "AdamW":                                       # AdamW decays by lr * wd: zero too
        np.testing.assert_array_equal(w.data, before)


def test_sgd_keywords_and_update():
    w = gn.tensor([1.0], requires_grad=True)
    opt = optim.SGD([w], lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.0)
    w.grad = np.array([2.0], dtype=np.float32)
    opt.step()
    # nesterov, first step: buf = g; update g + 0.9 * buf = 3.8
    np.testing.assert_allclose(w.data, [1.0 - 0.1 * 3.8], rtol=1e-6)
    optim.Adam([w], lr=1e-3, betas=(0.9, 0.99), eps=1e-8, weight_decay=0, amsgrad=True)
    optim.AdamW([w], lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01)
    optim.RMSprop([w], lr=0.01, alpha=0.9, eps=1e-8, momentum=0.5)
    optim.Adagrad([w], lr=0.01, eps=1e-10)


def _opt(lr=1.0):
    return optim.SGD([gn.tensor([0.0], requires_grad=True)], lr=lr)


def _lrs(sched, n):
    out = []
    for _ in range(n):
        out.append(sched.optimizer.param_groups[0]["lr"])
        sched.step()
    return out


def test_schedulers_pytorch_argument_names():
    sched = optim.lr_scheduler
    np.testing.assert_allclose(_lrs(sched.StepLR(_opt(), step_size=2, gamma=0.5), 5), [1, 1, 0.5, 0.5, 0.25])
    np.testing.assert_allclose(_lrs(sched.ExponentialLR(_opt(), gamma=0.5), 3), [1, 0.5, 0.25])
    np.testing.assert_allclose(_lrs(sched.InverseTimeDecay(_opt(), decay=1.0), 3), [1, 1 / 2, 1 / 3])
    warm = _lrs(sched.LinearWarmup(_opt(), 3), 5)
    assert warm[0] < warm[1] < warm[2] <= warm[3] == warm[4] == pytest.approx(1.0)
    assert_signature(sched.CosineAnnealingLR, ["optimizer", "T_max", "eta_min"], {"eta_min": 0.0}, 2)
    T, lo = 4, 0.1
    got = _lrs(sched.CosineAnnealingLR(_opt(), T_max=T, eta_min=lo), 3 * T + 1)
    ref = [lo + (1 - lo) * (1 + math.cos(math.pi * t / T)) / 2 for t in range(3 * T + 1)]
    np.testing.assert_allclose(got, ref, rtol=1e-9)              # closed form continues past T_max
    assert got[2 * T] == pytest.approx(1.0) and got[T] == pytest.approx(lo)


def test_reduce_lr_on_plateau_after_more_than_patience():
    assert_signature(optim.lr_scheduler.ReduceLROnPlateau, ["optimizer", "mode", "factor", "patience"],
                     {"mode": "min"}, 1)
    opt = _opt()
    s = optim.lr_scheduler.ReduceLROnPlateau(opt, factor=0.5, patience=2)
    lrs = []
    for loss in [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0]:
        s.step(loss)
        lrs.append(opt.param_groups[0]["lr"])
    # epoch 1 sets the best; epochs 2, 3 are 2 = patience bad epochs; the 3rd bad epoch (4) lowers it
    assert lrs == [1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.25]


# ----- data --------------------------------------------------------------------------------------------
def test_dataset_and_dataloader():
    # PyTorch's signature: shuffle=None means no shuffling; sampler, batch_sampler, num_workers, collate_fn and
    # pin_memory come before drop_last, and gradnote's transform= comes after PyTorch's arguments
    assert_signature(data.DataLoader, ["dataset", "batch_size", "shuffle", "sampler", "batch_sampler", "num_workers",
                                       "collate_fn", "pin_memory", "drop_last", "transform"],
                     {"batch_size": 1, "shuffle": None, "drop_last": False, "transform": None}, 3)
    x, y = np.arange(10, dtype=np.float32).reshape(5, 2), np.arange(5)
    ds = data.TensorDataset(x, y)
    assert isinstance(ds, data.Dataset) and len(ds) == 5
    batches = list(data.DataLoader(ds))
    assert len(batches) == 5 and batches[0][0].shape == (1, 2)                 # batch_size=1 is SGD
    (xb, _), = list(data.DataLoader(ds, batch_size=len(ds)))                   # full batch
    np.testing.assert_array_equal(np.asarray(xb.data if isinstance(xb, gn.Tensor) else xb), x)
    assert len(list(data.DataLoader(ds, 2, False, drop_last=True))) == 2
    assert len(list(data.DataLoader(ds, batch_size=2, drop_last=False))) == 3
    seen = np.concatenate([np.asarray(b[1].data) for b in data.DataLoader(ds, batch_size=2, shuffle=True)])
    assert sorted(seen.tolist()) == list(range(5))
    tl = data.DataLoader(ds, batch_size=5, transform=lambda a: a * 0)
    assert not np.any(np.asarray(next(iter(tl))[0].data))

    class Squares(data.Dataset):
        def __len__(self):
            return 4

        def __getitem__(self, i):
            return np.float32(i), i * i

    assert len(list(data.DataLoader(Squares(), batch_size=2))) == 2


def test_builtin_datasets(tmp_path):
    ds = data.datasets
    x, y = ds.xor()
    assert x.shape == (4, 2) and y.shape[0] == 4
    x, y = ds.spiral(150, 3)  # n counts all points, as moons(n) and circles(n)
    assert x.shape == (150, 2) and set(np.unique(y)) == {0, 1, 2}
    x, y = ds.spiral(n=40, classes=4)
    assert x.shape == (40, 2)
    for f in (ds.moons, ds.circles):
        x, y = f()
        assert x.ndim == 2 and x.shape[1] == 2 and len(y) == len(x)
    assert "path" in params_of(ds.load_mnist) and "path" in params_of(ds.load_fashion_mnist)


def test_load_mnist_reads_idx_files(tmp_path):
    import gzip
    import struct

    rng = np.random.default_rng(0)

    def write(name, arr, gz):
        header = struct.pack(">HBB", 0, 0x08, arr.ndim) + struct.pack(">" + "I" * arr.ndim, *arr.shape)
        raw = header + arr.astype(np.uint8).tobytes()
        if gz:
            (tmp_path / (name + ".gz")).write_bytes(gzip.compress(raw))
        else:
            (tmp_path / name).write_bytes(raw)

    imgs = {"train": rng.integers(0, 256, (3, 28, 28)), "t10k": rng.integers(0, 256, (2, 28, 28))}
    labels = {"train": rng.integers(0, 10, 3), "t10k": rng.integers(0, 10, 2)}
    for split in ("train", "t10k"):
        write(f"{split}-images-idx3-ubyte", imgs[split], gz=split == "train")
        write(f"{split}-labels-idx1-ubyte", labels[split], gz=split == "train")
    for loader in (data.datasets.load_mnist, data.datasets.load_fashion_mnist):
        out = loader(str(tmp_path))
        flat = [np.asarray(a) for pair in out for a in (pair if isinstance(pair, tuple) else (pair,))]
        assert any(a.shape[0] == 3 and a.size == 3 * 784 for a in flat)
        assert any(np.array_equal(a.reshape(-1), labels["train"]) for a in flat)
        assert any(np.array_equal(a.reshape(-1), labels["t10k"]) for a in flat)


def test_augment_names():
    aug = data.augment
    img = np.random.default_rng(0).random((3, 8, 8)).astype(np.float32)
    pipeline = aug.Compose([aug.RandomRotation(10), aug.RandomScale(), aug.RandomCrop(6, padding=1),
                            aug.RandomHorizontalFlip(), aug.ColorJitter(brightness=0.1, contrast=0.1, saturation=0.1),
                            aug.GaussianNoise(0.01)])
    assert pipeline(img).shape == (3, 6, 6)
    assert_signature(aug.ColorJitter, ["brightness", "contrast", "saturation"], positional=3)
    words = ["the", "quick", "brown", "fox", "jumps"]
    thesaurus = {"quick": ["fast"], "fox": ["dog"]}
    replaced = aug.SynonymReplacement(thesaurus)(words)
    assert len(replaced) == 5 and sum(a != b for a, b in zip(words, replaced)) == 1
    assert all(a == b or b in thesaurus.get(a, []) for a, b in zip(words, replaced))
    inserted = aug.RandomInsertion(thesaurus)(words)
    assert len(inserted) == 6 and sorted(inserted) == sorted(words + [w for w in inserted if w in ("fast", "dog")])
    swapped = aug.RandomSwap()(words)
    assert sorted(swapped) == sorted(words) and sum(a != b for a, b in zip(words, swapped)) in (0, 2)
    kept = aug.RandomDeletion()(words)
    assert 1 <= len(kept) <= 5 and kept == [w for w in words if w in kept]


# ----- Keras-style models ------------------------------------------------------------------------------
def _xy(n=32):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((n, 4)).astype(np.float32)
    return x, (x[:, 0] > 0).astype(np.int64)


def test_keras_signatures():
    S = gn.models.Sequential
    assert issubclass(S, nn.Sequential)  # the Keras spelling over the one nn container
    assert_signature(S.compile, ["optimizer", "loss", "metrics"], positional=3)
    assert_signature(S.fit, ["x", "y", "batch_size", "epochs"], {"batch_size": 32, "epochs": 1}, 4)
    assert_signature(S.fit, ["validation_split", "validation_data", "shuffle"],
                     {"validation_split": 0.0, "validation_data": None, "callbacks": None, "shuffle": True,
                      "verbose": 1})
    assert callable(S.evaluate) and callable(S.predict)
    assert_signature(gn.layers.Dense, ["units", "activation", "input_shape"],
                     {"activation": None, "input_shape": None}, 3)
    assert_signature(gn.layers.Dropout, ["rate"], positional=1)
    assert_signature(gn.optimizers.Adam, ["lr", "beta_1", "beta_2", "epsilon", "decay", "amsgrad"],
                     {"epsilon": None, "decay": 0.0, "amsgrad": False}, 6)  # Keras 2's positional order
    cb = gn.callbacks
    assert_signature(cb.EarlyStopping, ["monitor", "patience", "restore_best_weights"], {"monitor": "val_loss"})
    for name in ("ModelCheckpoint", "LearningRateScheduler", "CSVLogger", "TerminateOnNaN"):
        assert callable(getattr(cb, name))


def test_keras_compile_fit_evaluate_predict():
    x, y = _xy()
    gn.manual_seed(0)
    model = gn.models.Sequential([gn.layers.Dense(8, activation="relu", input_shape=(4,)),
                                  gn.layers.Dropout(0.1), gn.layers.Dense(2, activation="softmax")])
    model.compile(optimizer=gn.optimizers.Adam(lr=0.01, beta_1=0.9, beta_2=0.999), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    hist = model.fit(x, y, batch_size=8, epochs=3, validation_split=0.25, verbose=0,
                     callbacks=[gn.callbacks.TerminateOnNaN(), gn.callbacks.EarlyStopping(patience=5)])
    assert len(hist.history["loss"]) == 3 and "val_loss" in hist.history
    loss, acc = model.evaluate(x, y, verbose=0)                       # [loss, *metrics]
    p = np.asarray(model.predict(x))
    assert p.shape == (32, 2)
    np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=1e-5)       # softmax rows
    assert loss == pytest.approx(-np.log(p[np.arange(32), y]).mean(), rel=1e-5)
    assert acc == pytest.approx((p.argmax(axis=1) == y).mean())


@pytest.mark.parametrize("loss,target", [("mse", "onehot"), ("mae", "onehot"), ("binary_crossentropy", "onehot"),
                                         ("categorical_crossentropy", "onehot"),
                                         ("sparse_categorical_crossentropy", "index")])
def test_keras_loss_strings(loss, target):
    x, y = _xy(16)
    y = np.eye(2, dtype=np.float32)[y] if target == "onehot" else y
    model = gn.models.Sequential()
    model.add(gn.layers.Dense(2, activation="sigmoid" if loss == "binary_crossentropy" else "softmax",
                              input_shape=(4,)))
    model.compile("sgd", loss, ["mae"] if loss in ("mse", "mae") else ["acc"])
    p = np.asarray(model.predict(x), dtype=np.float64)             # before the one step (16 rows, one batch)
    expected = {"mse": lambda: ((p - y) ** 2).mean(), "mae": lambda: np.abs(p - y).mean(),
                "binary_crossentropy": lambda: -(y * np.log(p) + (1 - y) * np.log(1 - p)).mean(),
                "categorical_crossentropy": lambda: -(y * np.log(p)).sum(axis=1).mean(),
                "sparse_categorical_crossentropy": lambda: -np.log(p[np.arange(16), y]).mean()}[loss]()
    hist = model.fit(x, y, epochs=1, verbose=0)
    assert hist.history["loss"][0] == pytest.approx(expected, rel=1e-5)


@pytest.mark.parametrize("opt", ["sgd", "adam", "rmsprop", "adagrad", "adamw"])
def test_keras_optimizer_strings(opt):
    x, y = _xy(16)
    model = gn.models.Sequential([gn.layers.Dense(2, input_shape=(4,))])
    model.compile(optimizer=opt, loss="sparse_categorical_crossentropy", metrics=["acc"])
    before = [p.data.copy() for p in model.parameters()]
    model.fit(x, y, batch_size=16, epochs=1, verbose=0)
    k = gn.optimizers
    classes = {"sgd": k.SGD, "adam": k.Adam, "rmsprop": k.RMSprop, "adagrad": k.Adagrad, "adamw": k.AdamW}
    assert type(model.optimizer) is classes[opt]
    assert all(np.any(p.data != b) for p, b in zip(model.parameters(), before))  # one step moved every weight


# ----- files -------------------------------------------------------------------------------------------
def test_save_load_model_and_state_dict(tmp_path):
    gn.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.ReLU(), nn.Linear(4, 2))
    model(gn.randn(5, 3))
    path = tmp_path / "model"
    gn.save(model, str(path))
    loaded = gn.load(str(path))
    assert isinstance(loaded, nn.Module)
    model.eval()
    loaded.eval()
    x = gn.randn(4, 3)
    np.testing.assert_allclose(loaded(x).data, model(x).data, rtol=1e-6)
    sd_path = tmp_path / "weights"
    gn.save(model.state_dict(), str(sd_path))
    sd = gn.load(str(sd_path))
    assert isinstance(sd, dict) and list(sd) == list(model.state_dict())
    for k, v in model.state_dict().items():
        np.testing.assert_array_equal(np.asarray(sd[k]), v)


# ----- dtypes end to end and seeding -------------------------------------------------------------------
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_functions_keep_the_input_dtype(dtype):
    rng = np.random.default_rng(5)
    x = gn.tensor(rng.standard_normal((2, 3, 6, 6)).astype(dtype), requires_grad=True)
    v = gn.tensor(rng.standard_normal((4, 3)).astype(dtype), requires_grad=True)
    labels = gn.tensor(np.array([0, 2, 1, 2]))
    target = gn.tensor(rng.random((4, 3)).astype(dtype))
    w = gn.tensor(rng.standard_normal((5, 3)).astype(dtype), requires_grad=True)
    cw = gn.tensor(rng.standard_normal((4, 3, 3, 3)).astype(dtype), requires_grad=True)
    outs = [F.step(v), F.sigmoid(v), F.tanh(v), F.relu(v), F.leaky_relu(v), F.elu(v), F.gelu(v),
            F.gelu(v, approximate="tanh"), F.softmax(v), F.log_softmax(v), F.linear(v, w), F.dropout(v, 0.5, True),
            F.conv2d(x, cw, padding=1), F.max_pool2d(x, 2), F.avg_pool2d(x, 2, padding=1),
            F.batch_norm(v, None, None, None, None, True), F.layer_norm(v, (3,), None, None),
            F.embedding(np.array([1, 0]), w), F.mse_loss(v, target), F.l1_loss(v, target),
            F.huber_loss(v, target), F.binary_cross_entropy(F.sigmoid(v), target),
            F.binary_cross_entropy_with_logits(v, target), F.cross_entropy(v, labels), F.cross_entropy(v, target),
            F.nll_loss(F.log_softmax(v), labels), v.var(0), v.mean(), v.max(1), v.exp().log(), v.abs().sqrt(),
            nn.l1_penalty([v]), nn.l2_penalty([v])]
    for k, out in enumerate(outs):
        assert out.dtype == dtype, f"output {k}: {out.dtype} from {np.dtype(dtype)} inputs"
    total = sum((o.sum() for o in outs if o.requires_grad), gn.tensor(np.zeros((), dtype=dtype)))
    total.backward()
    for t in (x, v, w, cw):
        assert t.grad is not None and t.grad.dtype == dtype


def test_modules_convert_to_float64():
    model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.Tanh(), nn.Linear(4, 2)).double()
    assert all(p.dtype == np.float64 for p in model.parameters())
    x = gn.randn(5, 3, dtype=gn.float64)
    assert model(x).dtype == np.float64
    assert gn.gradcheck(lambda x, *ps: model(x), [x.requires_grad_(), *model.parameters()], raise_exception=True)


def test_manual_seed_seeds_init_and_shuffling():
    ds = data.TensorDataset(np.arange(20, dtype=np.float32).reshape(10, 2), np.arange(10))
    runs = []
    for _ in range(2):
        gn.manual_seed(3)
        w = nn.Linear(4, 3).weight.data.copy()
        order = np.concatenate([np.asarray(b[1].data) for b in data.DataLoader(ds, batch_size=4, shuffle=True)])
        runs.append((w, order))
    np.testing.assert_array_equal(runs[0][0], runs[1][0])
    np.testing.assert_array_equal(runs[0][1], runs[1][1])


def test_reductions_over_axis_tuples_and_max_gradient():
    a = np.array([[1.0, 5.0, 2.0], [4.0, 0.0, 3.0]])
    t = gn.tensor(a, requires_grad=True)
    np.testing.assert_allclose(t.sum(axis=(0, 1)).data, a.sum())
    t.max(1).sum().backward()
    np.testing.assert_array_equal(t.grad, [[0, 1, 0], [1, 0, 0]])
    c = gn.tensor(a, requires_grad=True)
    gn.concat([c, c * 2], axis=1).sum().backward()
    np.testing.assert_array_equal(c.grad, np.full((2, 3), 3.0))


def _sig(z):
    return 1 / (1 + np.exp(-z))


def test_lstm_and_gru_gate_order_match_pytorch_layout():
    rng = np.random.default_rng(6)
    N, I, H = 2, 3, 4
    x, h0, c0 = rng.standard_normal((N, 1, I)), rng.standard_normal((1, N, H)), rng.standard_normal((1, N, H))
    lstm = nn.LSTM(I, H, batch_first=True).double()
    W, U = lstm.weight_ih_l0.data, lstm.weight_hh_l0.data
    b = lstm.bias_ih_l0.data + lstm.bias_hh_l0.data
    z = x[:, 0] @ W.T + h0[0] @ U.T + b
    i, f, g, o = np.split(z, 4, axis=1)                        # gate order i, f, g, o
    c = _sig(f) * c0[0] + _sig(i) * np.tanh(g)
    h = _sig(o) * np.tanh(c)
    out, (h_n, c_n) = lstm(gn.tensor(x), (gn.tensor(h0), gn.tensor(c0)))
    np.testing.assert_allclose(out.data[:, 0], h, rtol=1e-10)
    np.testing.assert_allclose(c_n.data[0], c, rtol=1e-10)
    gru = nn.GRU(I, H, batch_first=True).double()
    W, U = gru.weight_ih_l0.data, gru.weight_hh_l0.data
    gi = x[:, 0] @ W.T + gru.bias_ih_l0.data
    gh = h0[0] @ U.T + gru.bias_hh_l0.data
    (ri, zi, ni), (rh, zh, nh) = np.split(gi, 3, axis=1), np.split(gh, 3, axis=1)   # gate order r, z, n
    r, zz = _sig(ri + rh), _sig(zi + zh)
    n = np.tanh(ni + r * nh)
    h = (1 - zz) * n + zz * h0[0]
    out, h_n = gru(gn.tensor(x), gn.tensor(h0))
    np.testing.assert_allclose(h_n.data[0], h, rtol=1e-10)
    rnn = nn.RNN(I, H, batch_first=True).double()
    h = np.tanh(x[:, 0] @ rnn.weight_ih_l0.data.T + rnn.bias_ih_l0.data + h0[0] @ rnn.weight_hh_l0.data.T
                + rnn.bias_hh_l0.data)
    np.testing.assert_allclose(rnn(gn.tensor(x), gn.tensor(h0))[1].data[0], h, rtol=1e-10)


def test_manual_seed_seeds_every_random_source():
    ds, aug = data.datasets, data.augment
    x = np.random.default_rng(0).standard_normal((16, 4)).astype(np.float32)
    y = (x[:, 0] > 0).astype(np.int64)

    def run():
        gn.manual_seed(11)
        img = np.ones((3, 8, 8), np.float32) * np.arange(8, dtype=np.float32)
        outs = [ds.spiral(10, 2)[0], ds.moons(10, noise=0.1)[0], ds.circles(10, noise=0.1)[0],
                ds.xor(8, noise=0.1)[0], aug.RandomRotation(30)(img), aug.GaussianNoise(0.1)(img),
                aug.RandomCrop(6, padding=1)(img), np.array(aug.RandomSwap(2)(["a", "b", "c", "d", "e"])),
                nn.Dropout(0.5)(gn.ones(20)).data]
        model = gn.models.Sequential([gn.layers.Dense(2, input_shape=(4,)), gn.layers.Dropout(0.5)])
        model.compile("adam", "sparse_categorical_crossentropy")
        outs.append(np.array(model.fit(x, y, batch_size=4, epochs=2, validation_split=0.25, verbose=0)
                             .history["loss"]))
        return outs

    for k, (u, v) in enumerate(zip(run(), run())):
        np.testing.assert_array_equal(u, v, err_msg=f"random source {k}")
