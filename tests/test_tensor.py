"""The Tensor surface promised by API.md ("Tensors and autograd"): factories, attributes, methods."""

from __future__ import annotations

import numpy as np
import pytest

import gradnote as gn


def test_every_listed_name_exists():
    for name in ["Tensor", "tensor", "zeros", "ones", "randn", "rand", "arange", "full", "zeros_like",
                 "ones_like", "no_grad", "manual_seed", "concat", "stack", "where", "maximum", "minimum",
                 "gradcheck", "set_anomaly_detection", "float32", "float64", "int64", "bool_"]:
        assert hasattr(gn, name), name
    x = gn.tensor([[1.0, 2.0]], requires_grad=True)
    for attr in ["data", "grad", "requires_grad", "shape", "ndim", "dtype", "T"]:
        getattr(x, attr)
    for method in ["backward", "numpy", "item", "detach", "zero_grad", "sum", "mean", "max", "min", "var",
                   "reshape", "transpose", "exp", "log", "sqrt", "abs", "clip", "argmax"]:
        assert callable(getattr(x, method)), method
    for op in ["__add__", "__sub__", "__mul__", "__truediv__", "__pow__", "__matmul__", "__neg__", "__eq__",
               "__ne__", "__lt__", "__le__", "__gt__", "__ge__", "__getitem__", "__radd__", "__rmatmul__"]:
        assert callable(getattr(x, op)), op


def test_factories_take_ints_or_one_tuple():
    for make in (gn.zeros, gn.ones, gn.randn, gn.rand):
        a, b = make(2, 3), make((2, 3))
        assert a.shape == b.shape == (2, 3) and a.dtype == b.dtype == gn.float32
    assert gn.full((2, 3), 1.5).dtype == gn.float32 and gn.full(3, 2).dtype == gn.int64
    np.testing.assert_array_equal(gn.full((2, 2), 1.5).data, np.full((2, 2), 1.5))
    assert gn.zeros(2, dtype="float64").dtype == gn.float64
    assert gn.zeros(2, dtype=gn.int64).dtype == gn.int64
    assert gn.ones(2, requires_grad=True).requires_grad
    assert gn.arange(5).dtype == gn.int64 and gn.arange(0, 1, 0.25).shape == (4,)
    assert gn.arange(0, 1, 0.25).dtype == gn.float32
    r = gn.rand(1000)
    assert 0 <= r.data.min() and r.data.max() < 1
    src = gn.tensor(np.ones((2, 2)))
    assert gn.zeros_like(src).dtype == gn.float64 and gn.ones_like(src).data.sum() == 4
    assert gn.zeros_like(src, dtype="float32").dtype == gn.float32


def test_factory_errors_name_the_factory():
    with pytest.raises(ValueError, match=r"zeros: negative dimension in shape \(-1, 2\)"):
        gn.zeros(-1, 2)
    with pytest.raises(TypeError, match="ones: shape must be ints"):
        gn.ones(2.5)
    with pytest.raises(TypeError, match="randn: samples need a floating dtype"):
        gn.randn(2, dtype="int64")
    with pytest.raises(TypeError, match="unknown dtype 'floaty'"):
        gn.zeros(2, dtype="floaty")
    with pytest.raises(ValueError, match="randint: low must be < high"):
        gn.randint(3, 3, (2,))


def test_tensor_copies_and_infers_dtypes():
    src = np.array([1.0, 2.0])
    x = gn.tensor(src)
    src[0] = 99.0
    assert x.data[0] == 1.0 and x.dtype == gn.float64  # arrays keep their dtype
    assert gn.Tensor([1, 2]).dtype == gn.int64
    assert gn.tensor([True, False]).dtype == gn.bool_
    assert gn.tensor(3.0).dtype == gn.float32 and gn.tensor(3.0).ndim == 0
    assert gn.tensor([1, 2], dtype="float64").dtype == gn.float64
    assert gn.tensor(x).data is not x.data


def test_attributes_and_conversions():
    x = gn.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
    assert x.shape == (2, 3) and x.ndim == 2 and x.dtype == gn.float32 and x.requires_grad
    assert x.T.shape == (3, 2) and x.numel() == 6 and len(x) == 2
    assert x.numpy() is x.data
    assert gn.tensor([[7.5]]).item() == 7.5 and float(gn.tensor(2.0)) == 2.0
    with pytest.raises(ValueError, match=r"item: only one-element tensors .* shape \(2, 3\)"):
        x.item()
    assert "requires_grad=True" in repr(x)
    x.grad = np.ones((2, 3), np.float32)  # .grad is assignable
    x.data *= 2  # .data is writable in place
    assert x.data[1, 2] == 12.0
    assert x.double().dtype == gn.float64 and x.float().dtype == gn.float32 and x.long().dtype == gn.int64


def test_numpy_semantics_of_methods():
    a = np.arange(24, dtype=np.float64).reshape(2, 3, 4)
    x = gn.tensor(a)
    assert x.transpose().shape == (4, 3, 2) and x.T.shape == (4, 3, 2)
    assert x.transpose(1, 0, 2).shape == (3, 2, 4) and x.transpose((2, 0, 1)).shape == (4, 2, 3)
    assert x.reshape(6, 4).shape == (6, 4) and x.reshape((4, 6)).shape == (4, 6)
    np.testing.assert_allclose(x.var(axis=1, ddof=1).data, a.var(axis=1, ddof=1))
    np.testing.assert_allclose(x.var(1, True).data, a.var(axis=1, keepdims=True))
    np.testing.assert_array_equal(x.max(axis=2).data, a.max(axis=2))  # values only
    np.testing.assert_array_equal(x.argmax(axis=1).data, a.argmax(axis=1))
    eq = x == gn.tensor(a)
    assert eq.dtype == gn.bool_ and eq.shape == (2, 3, 4) and eq.data.all()
    assert (x != 0.0).data.sum() == 23


def test_operators_accept_numbers_arrays_and_tensors_on_either_side():
    x = gn.tensor([1.0, 2.0], requires_grad=True)
    y = 1 + x * 2 - 3 / x + x**2 + 2**x - (-x) + np.array([1.0, 1.0], np.float32) * x
    assert y.dtype == gn.float32
    y.sum().backward()
    xv = np.array([1.0, 2.0])
    np.testing.assert_allclose(x.grad, 2 + 3 / xv**2 + 2 * xv + np.log(2) * 2**xv + 1 + 1, rtol=1e-6)
    m = gn.tensor(np.eye(2))
    np.testing.assert_array_equal((np.ones((1, 2)) @ m).data, [[1.0, 1.0]])


def test_setitem_on_a_tensor_requiring_grad_is_refused():
    x = gn.zeros(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="setitem: in-place assignment"):
        x[0] = 1.0
    y = gn.zeros(3)
    y[[0, 2]] = 5.0
    np.testing.assert_array_equal(y.data, [5.0, 0.0, 5.0])


def test_tensors_hash_by_identity():
    a, b = gn.tensor([1.0]), gn.tensor([1.0])
    assert len({a, b}) == 2 and {a: 1}[a] == 1


def test_free_functions_accept_arrays_and_numbers():
    m = gn.maximum(np.ones(2), np.zeros(2))
    assert isinstance(m, gn.Tensor) and m.data.tolist() == [1.0, 1.0]
    w = gn.where([True, False], 1.0, 2.0)
    assert w.dtype == gn.float32 and w.data.tolist() == [1.0, 2.0]
    x = gn.tensor([1.0, -1.0], requires_grad=True)
    gn.minimum(0.0, x).sum().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 1.0])


def test_backward_grad_takes_the_output_dtype():
    x = gn.tensor([1.0, 2.0], requires_grad=True)
    (x * 2).backward(gn.tensor(np.ones(2)))  # a float64 seed does not turn the float32 graph into float64
    assert x.grad.dtype == gn.float32
    np.testing.assert_array_equal(x.grad, [2.0, 2.0])
    y = gn.tensor([1.0, 2.0], requires_grad=True)
    (y * 2).backward(gn.tensor(np.array([0.5, -1.0])))  # the seed's values are used, only its dtype is not
    np.testing.assert_array_equal(y.grad, [1.0, -2.0])


def test_integer_meets_float_promotes_as_pytorch_not_to_float64():
    images = gn.tensor(np.array([[0, 128, 255]], dtype=np.uint8))
    assert (images / 255.0).dtype == np.float32  # NumPy alone would give float64
    assert np.allclose((images / 255.0).data, [[0.0, 128 / 255, 1.0]])
    ints = gn.tensor([1, 2])
    assert (ints * 2.5).dtype == np.float32 and (2.5 * ints).dtype == np.float32
    assert (ints / gn.tensor([2, 4])).dtype == np.float32 and np.allclose((ints / gn.tensor([2, 4])).data, 0.5)
    assert (ints + 1).dtype == np.int64
    w = gn.tensor([1.0, 2.0], requires_grad=True)
    (w * ints).sum().backward()
    assert w.grad.dtype == np.float32 and np.array_equal(w.grad, [1.0, 2.0])
    assert (gn.tensor([1.0], dtype="float64") * ints[:1]).dtype == np.float64
