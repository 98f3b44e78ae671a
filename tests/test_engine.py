"""The autograd engine: known gradients, graph lifetime, modes and error behaviour."""

from __future__ import annotations

import gc
import tracemalloc
import weakref

import numpy as np
import pytest

import gradnote as gn
from gradnote.autograd import Function


# ----- known values ------------------------------------------------------------------
def test_derivative_of_cube_at_two_is_twelve():
    x = gn.tensor(2.0, requires_grad=True)
    (x**3).backward()
    assert x.grad == 12.0


def test_hand_written_gradient_of_small_expression():
    # f = sum(x * y + x**2 / y)  =>  df/dx = y + 2x / y,  df/dy = x - x**2 / y**2
    xv, yv = np.array([1.0, -2.0, 3.0]), np.array([0.5, 4.0, -1.0])
    x, y = gn.tensor(xv, requires_grad=True), gn.tensor(yv, requires_grad=True)
    (x * y + x**2 / y).sum().backward()
    np.testing.assert_allclose(x.grad, yv + 2 * xv / yv)
    np.testing.assert_allclose(y.grad, xv - xv**2 / yv**2)


def test_shared_subexpression_accumulates():
    x = gn.tensor([3.0], requires_grad=True)
    y = x * x
    (y + y).sum().backward()  # d/dx 2x^2 = 4x
    np.testing.assert_allclose(x.grad, [12.0])


def test_linear_regression_gradient_matches_closed_form():
    rng = np.random.default_rng(0)
    X, w0, t = rng.standard_normal((6, 3)), rng.standard_normal(3), rng.standard_normal(6)
    w = gn.tensor(w0, requires_grad=True)
    ((gn.tensor(X) @ w - gn.tensor(t)) ** 2).mean().backward()
    np.testing.assert_allclose(w.grad, 2 / 6 * X.T @ (X @ w0 - t))


# ----- graph shape and lifetime --------------------------------------------------------
def test_5000_step_chain_backward_is_not_recursive():
    x = gn.tensor(1.0, requires_grad=True)
    y = x
    for _ in range(5000):
        y = y * 1.0001 + 0.0
    y.backward()
    np.testing.assert_allclose(x.grad, 1.0001**5000, rtol=1e-4)


def _live_functions() -> int:
    gc.collect()
    return sum(isinstance(o, Function) for o in gc.get_objects())


def test_memory_does_not_grow_over_1000_training_steps():
    rng = np.random.default_rng(0)
    x, t = gn.tensor(rng.standard_normal((16, 4))), gn.tensor(rng.standard_normal((16, 1)))
    w1 = gn.tensor(rng.standard_normal((4, 8)) * 0.3, requires_grad=True)
    w2 = gn.tensor(rng.standard_normal((8, 1)) * 0.3, requires_grad=True)

    def step():
        h = gn.maximum(x @ w1, 0.0)
        loss = ((h @ w2 - t) ** 2).mean()
        loss.backward()
        for w in (w1, w2):
            w.data -= 0.01 * w.grad
            w.grad = None
        return loss.item()

    for _ in range(50):  # warm caches before measuring
        step()
    functions_before = _live_functions()
    tracemalloc.start()
    first = step()
    base = tracemalloc.get_traced_memory()[0]
    for _ in range(1000):
        last = step()
    grown = tracemalloc.get_traced_memory()[0] - base
    tracemalloc.stop()
    assert _live_functions() == functions_before
    assert grown < 64 * 1024, f"memory grew by {grown} bytes over 1000 steps"
    assert last < first  # it does train


def test_backward_releases_saved_arrays_and_intermediates():
    x = gn.tensor(np.ones(4), requires_grad=True)
    y = x * 2.0
    z = (y * y).sum()
    y_ref = weakref.ref(y)
    del y
    z.backward()
    assert y_ref() is None  # the graph no longer holds the intermediate


# ----- modes ------------------------------------------------------------------------
def test_no_grad_records_nothing():
    x = gn.tensor([1.0, 2.0], requires_grad=True)
    with gn.no_grad():
        y = x * 2 + 1
        with gn.enable_grad():
            inner = x * 3
    assert not y.requires_grad and y.grad_fn is None
    assert inner.requires_grad
    assert gn.is_grad_enabled()

    @gn.no_grad()
    def f(v):
        return v * v

    assert f(x).grad_fn is None


def test_detach_cuts_the_graph_and_shares_data():
    x = gn.tensor([1.0, 2.0], requires_grad=True)
    y = (x * 2).detach()
    assert not y.requires_grad and y.grad_fn is None
    (y * x).sum().backward()
    np.testing.assert_allclose(x.grad, [2.0, 4.0])  # y is a constant: d/dx (y x) = y
    d = x.detach()
    d.data[0] = 7.0
    assert x.data[0] == 7.0


# ----- backward errors and retain_graph -------------------------------------------------
def test_backward_twice_raises_unless_graph_is_retained():
    x = gn.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        y.backward()

    x.grad = None
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_allclose(x.grad, 2 * (2 * x.data))  # accumulated twice


def test_grads_accumulate_across_backward_calls_until_zeroed():
    x = gn.tensor([1.0], requires_grad=True)
    (x * 3).sum().backward()
    (x * 3).sum().backward()
    np.testing.assert_allclose(x.grad, [6.0])
    x.zero_grad()
    assert x.grad is None


def test_backward_on_non_scalar_needs_grad():
    x = gn.tensor([1.0, 2.0], requires_grad=True)
    y = x * 3
    with pytest.raises(RuntimeError, match=r"shape \(2,\).*pass grad="):
        y.backward()
    y.backward(np.array([1.0, 10.0], dtype=np.float32))
    np.testing.assert_allclose(x.grad, [3.0, 30.0])
    x.grad = None
    (x * 3).backward(gn.tensor([2.0, 2.0]))  # a Tensor works too
    np.testing.assert_allclose(x.grad, [6.0, 6.0])
    with pytest.raises(ValueError, match=r"backward: grad has shape \(3,\) but the output has shape \(2,\)"):
        (x * 3).backward(np.ones(3))


def test_integer_tensors_cannot_require_grad():
    with pytest.raises(TypeError, match="only floating-point tensors can require gradients.*int64"):
        gn.tensor([1, 2], requires_grad=True)
    i = gn.tensor([1, 2])
    with pytest.raises(TypeError, match="floating-point"):
        i.requires_grad = True
    with pytest.raises(TypeError, match="backward: gradients are only defined for floating-point"):
        i.sum().backward()
    x = gn.tensor([1.5, 2.5], requires_grad=True)
    assert not x.astype(gn.int64).requires_grad  # casting to int leaves the graph


def test_backward_without_requires_grad_is_refused():
    with pytest.raises(RuntimeError, match="does not require grad"):
        gn.tensor([1.0]).sum().backward()


def test_leaf_grads_are_independent_writable_arrays():
    a, b = gn.tensor([1.0, 2.0], requires_grad=True), gn.tensor([3.0, 4.0], requires_grad=True)
    (a + b).sum().backward()  # add hands the same gradient array to both inputs
    assert a.grad is not b.grad
    a.grad *= 5  # optimisers and clip_grad_* modify .grad in place
    np.testing.assert_array_equal(b.grad, [1.0, 1.0])


def test_needs_flags_skip_unneeded_gradients():
    seen = []

    class Spy(Function):
        def forward(self, a, b):
            return a * b

        def backward(self, g):
            seen.append(self.needs)
            return None, g

    w = gn.tensor([2.0], requires_grad=True)
    Spy.apply(gn.tensor([3.0]), w).sum().backward()
    assert seen == [(False, True)]
    np.testing.assert_allclose(w.grad, [1.0])


# ----- anomaly detection ------------------------------------------------------------
def test_nan_is_not_an_error_without_anomaly_detection():
    x = gn.tensor([0.0, 1.0], requires_grad=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        y = x / x
        y.sum().backward()
    assert np.isnan(y.data[0])


def test_anomaly_detection_names_the_first_bad_op():
    gn.set_anomaly_detection(True)
    try:
        assert gn.is_anomaly_enabled()
        x = gn.tensor([0.0, 1.0], requires_grad=True)
        y = x * 2.0  # fine
        with np.errstate(invalid="ignore", divide="ignore"):
            with pytest.raises(FloatingPointError, match="Div produced NaN in its forward"):
                y / x
            with pytest.raises(FloatingPointError, match="Log produced Inf in its forward"):
                x.log()
            z = x.sqrt().sum()  # forward is finite; d sqrt(x) at 0 is Inf
            with pytest.raises(FloatingPointError, match="Sqrt produced Inf in its backward"):
                z.backward()
    finally:
        gn.set_anomaly_detection(False)


# ----- randomness and dtypes ---------------------------------------------------------
def test_manual_seed_repeats_bit_for_bit():
    def draw():
        return gn.randn(4, 5).data, gn.rand(3).data, gn.randint(0, 10, (6,)).data

    gn.manual_seed(123)
    first = draw()
    gn.manual_seed(123)
    second = draw()
    for a, b in zip(first, second):
        assert a.tobytes() == b.tobytes()
    gn.manual_seed(124)
    assert gn.randn(4, 5).data.tobytes() != first[0].tobytes()


def test_float32_default_and_float64_end_to_end():
    assert gn.tensor(1.5).dtype == gn.float32
    assert gn.tensor([[1.0, 2.0]]).dtype == gn.float32
    for dtype in (np.float32, np.float64):
        x = gn.tensor(np.array([[0.5, 1.5], [2.0, 0.25]], dtype=dtype), requires_grad=True)
        w = gn.tensor(np.array([0.3, -0.7], dtype=dtype), requires_grad=True)
        h = (x * 2.5 + 1) ** 2 / 3 - x.exp() + x.log().abs().sqrt()
        y = gn.maximum(h @ w, 0.1).var() + gn.where(h > 1, h, 0.5).T.mean(axis=0).max() + h[[0, 0]].min()
        y = gn.concat([y.reshape(1), gn.stack([y, y])], 0).clip(-100, 100).sum()
        assert y.dtype == dtype
        y.backward()
        assert x.grad.dtype == dtype and w.grad.dtype == dtype


# ----- gradcheck itself ----------------------------------------------------------------
class _Square(Function):
    def forward(self, a):
        self.a = a
        return a * a

    def backward(self, g):
        return 2 * g * self.a


class _WrongSquare(_Square):
    def backward(self, g):
        return g * self.a  # deliberately missing the factor 2


def test_gradcheck_accepts_a_correct_backward_and_rejects_a_wrong_one():
    x = gn.tensor(np.array([0.5, -1.0, 2.0]), requires_grad=True)
    assert gn.gradcheck(_Square.apply, [x], raise_exception=True)
    assert gn.gradcheck(_WrongSquare.apply, [x]) is False
    with pytest.raises(AssertionError, match="gradcheck: input 0"):
        gn.gradcheck(_WrongSquare.apply, [x], raise_exception=True)


def test_gradcheck_needs_an_input_requiring_grad():
    with pytest.raises(ValueError, match="no input has requires_grad"):
        gn.gradcheck(lambda a: a * 2, [gn.tensor([1.0])])


def test_leaf_grad_never_aliases_a_passed_through_or_shared_gradient():
    # the engine adopts a fresh gradient array as .grad without copying; these cases must still copy
    a, b = gn.tensor([1.0, 2.0], requires_grad=True), gn.tensor([3.0, 4.0], requires_grad=True)
    h = a * 2  # non-leaf: add hands one array to b and (through mul) towards a
    g = np.ones(2, dtype=np.float32)
    (h + b).backward(g)  # add passes the caller's gradient straight through to b
    assert b.grad is not g and b.grad.flags.writeable
    b.grad *= 7
    np.testing.assert_array_equal(g, [1.0, 1.0])
    np.testing.assert_array_equal(a.grad, [2.0, 2.0])
    w = gn.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    (w @ gn.tensor([1.0, 1.0])).sum().backward()
    w.grad *= 0  # the adopted array is the leaf's own
    (w @ gn.tensor([1.0, 1.0])).sum().backward()
    np.testing.assert_array_equal(w.grad, np.ones((2, 2)))


def test_no_grad_and_enable_grad_as_decorators_with_and_without_parentheses():
    x = gn.ones(2, requires_grad=True)

    @gn.no_grad
    def bare(t):
        return t * 2

    @gn.no_grad()
    def called(t):
        return t * 2

    @gn.enable_grad()
    def back_on(t):
        return t * 2

    assert not bare(x).requires_grad and not called(x).requires_grad
    with gn.no_grad():
        assert back_on(x).requires_grad  # enable_grad's decorator re-enables, it does not disable
        assert not (x * 2).requires_grad
    assert gn.is_grad_enabled()
