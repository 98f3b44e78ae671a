"""The fast conv and pooling kernels against their *_simple versions (forward and gradients), on one thread
and on the batch-chunked threaded path; float64 gradcheck of the threaded kernels; the thread pool; no memory
growth over many training steps."""

import gc
import subprocess
import sys
import tracemalloc

import numpy as np
import pytest

import gradnote as gn
import gradnote.functional as F
from gradnote import cpu
from gradnote.functional import conv as conv_module
from gradnote.functional import pooling as pool_module
from gradnote.functional.conv import conv2d_simple
from gradnote.functional.pooling import avg_pool2d_simple, max_pool2d_simple


@pytest.fixture(params=["serial", "threaded"])
def path(request, monkeypatch):
    """Run the kernels on the calling thread only (whole batches per block), or split every batch over two
    threads and each chunk into one-image blocks."""
    before = cpu.get_num_threads()
    if request.param == "threaded":
        cpu.set_num_threads(2)
        monkeypatch.setattr(conv_module, "PARALLEL_MIN_MACS", 0)
        monkeypatch.setattr(conv_module, "COLUMN_BLOCK_BYTES", 1)  # blocks of one image inside each chunk
        monkeypatch.setattr(pool_module, "PARALLEL_MIN_ELEMENTS", 0)
    else:
        cpu.set_num_threads(1)
    yield request.param
    cpu.set_num_threads(before)


def _grads(fn, arrays, seed, *args, **kwargs):
    """Output of fn(*tensors, *args, **kwargs) and the gradients of sum(out * g) for every input, g drawn from seed."""
    tensors = [gn.Tensor(a, requires_grad=True) for a in arrays]
    out = fn(*tensors, *args, **kwargs)
    out.backward(np.random.default_rng(seed).standard_normal(out.shape).astype(out.dtype))
    return out.data, [t.grad for t in tensors]


def _conv_case(rng, dtype):
    groups = int(rng.choice([1, 1, 2, 3]))
    cg, og = int(rng.integers(1, 4)), int(rng.integers(1, 4))
    k = (int(rng.integers(1, 4)), int(rng.integers(1, 4)))
    s = (int(rng.integers(1, 4)), int(rng.integers(1, 3)))
    p = (int(rng.integers(0, 3)), int(rng.integers(0, 2)))
    d = (int(rng.integers(1, 3)), int(rng.integers(1, 3)))
    # some images large enough (>= 512 positions per row block) for the per-image GEMM layout
    big = rng.random() < 0.3
    h = int(rng.integers(24, 40)) if big else int(rng.integers(1, 10))
    w = int(rng.integers(24, 40)) if big else int(rng.integers(1, 10))
    h, w = max(h, d[0] * (k[0] - 1) + 1 - 2 * p[0]), max(w, d[1] * (k[1] - 1) + 1 - 2 * p[1])
    n = int(rng.integers(1, 6))
    x = rng.standard_normal((n, cg * groups, h, w)).astype(dtype)
    wt = rng.standard_normal((og * groups, cg, *k)).astype(dtype)
    b = rng.standard_normal(og * groups).astype(dtype)
    return x, wt, b, {"stride": s, "padding": p, "dilation": d, "groups": groups}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_conv2d_equals_conv2d_simple_on_random_shapes(path, dtype):
    rng = np.random.default_rng(11 if dtype == np.float32 else 12)
    tol = {"rtol": 1e-4, "atol": 1e-4} if dtype == np.float32 else {"rtol": 1e-10, "atol": 1e-10}
    for _ in range(40):
        x, wt, b, args = _conv_case(rng, dtype)
        with_bias = rng.random() < 0.7
        arrays = [x, wt, b] if with_bias else [x, wt]
        seed = int(rng.integers(1 << 30))
        fast, fast_grads = _grads(F.conv2d, arrays, seed, **args)
        simple, simple_grads = _grads(conv2d_simple, arrays, seed, **args)
        assert fast.dtype == dtype and fast.shape == simple.shape
        np.testing.assert_allclose(fast, simple, **tol, err_msg=str((x.shape, wt.shape, args)))
        for got, want in zip(fast_grads, simple_grads):
            assert got.dtype == dtype
            np.testing.assert_allclose(got, want, **tol, err_msg=str((x.shape, wt.shape, args)))


def test_conv2d_weight_gradient_only_and_bias_gradient_only(path):
    rng = np.random.default_rng(5)
    for shape in [(3, 2, 30, 30), (5, 2, 6, 7)]:  # per-image and channel-major layouts
        x = gn.tensor(rng.standard_normal(shape))
        wt = gn.Tensor(rng.standard_normal((4, 2, 3, 3)), requires_grad=True)
        b = gn.Tensor(rng.standard_normal(4), requires_grad=True)
        F.conv2d(x, wt, b, padding=1).sum().backward()
        simple_w = gn.Tensor(wt.data, requires_grad=True)
        conv2d_simple(x, simple_w, b.data, padding=1).sum().backward()
        np.testing.assert_allclose(wt.grad, simple_w.grad, atol=1e-10)
        frozen = gn.tensor(wt.data)
        b.grad = None
        F.conv2d(x, frozen, b, padding=1).sum().backward()  # only the bias needs a gradient
        np.testing.assert_allclose(b.grad, np.full(4, np.prod(F.conv2d(x, frozen, padding=1).shape) / 4))


@pytest.mark.parametrize("shape,args", [
    ((3, 2, 5, 6), {"stride": (2, 1), "padding": 1}),
    ((3, 4, 6, 5), {"padding": (0, 1), "dilation": 2, "groups": 2}),
    ((3, 1, 23, 24), {"padding": 1}),  # per-image GEMM layout
])
def test_conv2d_gradcheck_float64(path, shape, args):
    rng = np.random.default_rng(3)
    x = gn.Tensor(rng.standard_normal(shape), requires_grad=True)
    wt = gn.Tensor(rng.standard_normal((2 * args.get("groups", 1), shape[1] // args.get("groups", 1), 3, 3)),
                   requires_grad=True)
    b = gn.Tensor(rng.standard_normal(wt.shape[0]), requires_grad=True)
    assert gn.gradcheck(lambda x, wt, b: F.conv2d(x, wt, b, **args), [x, wt, b], raise_exception=True)


POOLS = [(F.max_pool2d, max_pool2d_simple), (F.avg_pool2d, avg_pool2d_simple)]


@pytest.mark.parametrize("fast_fn,simple_fn", POOLS, ids=["max", "avg"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_pools_equal_their_simple_versions_on_random_shapes(path, fast_fn, simple_fn, dtype):
    rng = np.random.default_rng(21)
    tol = {"rtol": 1e-5, "atol": 1e-6} if dtype == np.float32 else {"rtol": 1e-12, "atol": 1e-12}
    for _ in range(40):
        k = (int(rng.integers(1, 4)), int(rng.integers(1, 4)))
        s = None if rng.random() < 0.3 else (int(rng.integers(1, 4)), int(rng.integers(1, 4)))
        p = (int(rng.integers(0, k[0] // 2 + 1)), int(rng.integers(0, k[1] // 2 + 1)))
        shape = (int(rng.integers(1, 6)), int(rng.integers(1, 4)), int(rng.integers(k[0], 12)),
                 int(rng.integers(k[1], 12)))
        x = rng.standard_normal(shape).astype(dtype)  # continuous values: no ties, one arg-max per window
        seed = int(rng.integers(1 << 30))
        fast, (fast_grad,) = _grads(fast_fn, [x], seed, k, s, p)
        simple, (simple_grad,) = _grads(simple_fn, [x], seed, k, s, p)
        assert fast.dtype == dtype and fast_grad.dtype == dtype
        np.testing.assert_allclose(fast, simple, **tol, err_msg=str((shape, k, s, p)))
        np.testing.assert_allclose(fast_grad, simple_grad, **tol, err_msg=str((shape, k, s, p)))


@pytest.mark.parametrize("fast_fn", [F.max_pool2d, F.avg_pool2d], ids=["max", "avg"])
@pytest.mark.parametrize("k,s,p", [(2, None, 0), (3, 2, 1), (3, 1, 1)])
def test_pools_gradcheck_float64(path, fast_fn, k, s, p):
    x = gn.Tensor(np.random.default_rng(4).standard_normal((3, 2, 7, 6)), requires_grad=True)
    assert gn.gradcheck(lambda x: fast_fn(x, k, s, p), [x], raise_exception=True)


def test_parallel_for_covers_the_range_in_order_and_raises_errors():
    before = cpu.get_num_threads()
    try:
        cpu.set_num_threads(3)
        parts = cpu.parallel_for(lambda i, j: list(range(i, j)), 10)
        assert len(parts) == 3 and sum(parts, []) == list(range(10))
        assert cpu.parallel_for(lambda i, j: (i, j), 10, min_chunk=6) == [(0, 10)]  # too small to split
        nested = cpu.parallel_for(lambda i, j: cpu.parallel_for(lambda a, b: (a, b), 8), 4)
        assert nested == [[(0, 8)]] * 3  # inside a chunk everything runs serially

        def fail(i, j):
            if i > 0:
                raise RuntimeError(f"chunk {i}")
            return i

        with pytest.raises(RuntimeError, match="chunk"):
            cpu.parallel_for(fail, 9)
        with pytest.raises(ValueError, match="set_num_threads: n must be a positive int, got 0"):
            cpu.set_num_threads(0)
    finally:
        cpu.set_num_threads(before)


def test_blas_threads_limits_and_restores():
    libs = cpu._blas_libraries()
    before = [lib.num_threads for lib in libs]
    with cpu.blas_threads(1):
        assert all(lib.num_threads == 1 for lib in libs)
    assert [lib.num_threads for lib in libs] == before


def test_import_gradnote_starts_no_threads_and_loads_no_threadpoolctl():
    code = ("import sys, threading, gradnote; "
            "assert 'threadpoolctl' not in sys.modules, 'threadpoolctl loaded'; "
            "assert threading.active_count() == 1, threading.enumerate()")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_training_steps_do_not_grow_memory(monkeypatch):
    """1,000 steps on the threaded path leave nothing behind: a leak of one array per step would show.
    (bench/bench_lenet.py --memory runs the 1,000-step check on LeNet-5.)"""
    monkeypatch.setattr(conv_module, "PARALLEL_MIN_MACS", 0)
    monkeypatch.setattr(pool_module, "PARALLEL_MIN_ELEMENTS", 0)
    rng = np.random.default_rng(0)
    gn.manual_seed(0)
    model = gn.nn.Sequential(gn.nn.Conv2d(1, 2, 3, padding=1), gn.nn.ReLU(), gn.nn.MaxPool2d(2),
                             gn.nn.Conv2d(2, 2, 3), gn.nn.AvgPool2d(2), gn.nn.Flatten(), gn.nn.Linear(2, 3))
    opt = gn.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    x, y = gn.tensor(rng.standard_normal((4, 1, 8, 8)).astype(np.float32)), gn.tensor(rng.integers(0, 3, 4))

    def steps(k):
        for _ in range(k):
            opt.zero_grad()
            F.cross_entropy(model(x), y).backward()
            opt.step()

    before = cpu.get_num_threads()
    cpu.set_num_threads(2)
    try:
        steps(20)  # buffers, momentum and scratch arrays reach their steady state
        tracemalloc.start()
        steps(20)
        gc.collect()  # count only what is still referenced, not garbage awaiting collection
        settled = tracemalloc.get_traced_memory()[0]
        steps(1000)
        gc.collect()
        grown = tracemalloc.get_traced_memory()[0] - settled
    finally:
        tracemalloc.stop()
        cpu.set_num_threads(before)
    # under 50 bytes a step: a leaked array (its header alone is over 100 bytes) per step would fail; what
    # other threads allocate meanwhile (seen up to ~20 KB under load) does not grow with the step count
    assert grown < 48 * 1024, f"memory grew by {grown} bytes over 1,000 training steps"
