"""The CUDA backend (CuPy), checked without a GPU on tests/fake_cupy.py, and on a real GPU when there is one.

With the stand-in installed, "cuda" tensors hold fake device arrays that refuse to mix with NumPy arrays
as CuPy does, so every host array an op creates and combines with its inputs shows up as an error here.
The same rows of the op table, layers, optimisers and training scripts run on "cpu" and "cuda" and must
give the same numbers. Tests at the end need a real GPU and are skipped without one.
"""

from __future__ import annotations

import io

import fake_cupy
import numpy as np
import pytest
from op_table import inputs
from test_functional_ops import OPS

import gradnote as gn
import gradnote.functional as F
from gradnote import backend, nn


@pytest.fixture
def cuda():
    """The fake CuPy installed through backend.install_cupy (its one hook), removed afterwards."""
    backend.install_cupy(*fake_cupy.install())
    yield
    backend.install_cupy(None, None)


def on_device(a) -> bool:
    return isinstance(a, fake_cupy.ndarray)


def host(a):
    return a.get() if on_device(a) else np.asarray(a)


# ----- devices, factories, conversions ----------------------------------------------------------------
def test_without_cupy_nothing_is_available_and_asking_for_cuda_names_the_extra():
    assert not gn.cuda.is_available() and gn.cuda.device_count() == 0
    assert gn.accelerator.current_accelerator() is None
    with pytest.raises(RuntimeError, match=r"gradnote\[cuda\]"):
        gn.zeros(2, device="cuda")
    with pytest.raises(RuntimeError, match=r"gradnote\[cuda\]"):
        gn.ones(2).to("cuda")
    with pytest.raises(RuntimeError, match=r"gradnote\[cuda\]"):
        gn.cuda.current_device()
    gn.cuda.synchronize()
    gn.cuda.empty_cache()
    gn.cuda.manual_seed(1)


def test_import_does_not_load_cupy():
    import subprocess
    import sys

    code = "import sys, gradnote; print('cupy' in sys.modules, gradnote.backend.cupy_loaded())"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]


def test_cuda_module_with_a_device(cuda):
    assert gn.cuda.is_available() and gn.cuda.device_count() == 1 and gn.cuda.is_initialized()
    assert gn.cuda.current_device() == 0 and "Fake" in gn.cuda.get_device_name(0)
    assert gn.accelerator.is_available() and gn.accelerator.current_accelerator() == gn.device("cuda:0")
    before = dict(fake_cupy._counters)
    gn.cuda.synchronize()
    gn.cuda.empty_cache()
    assert fake_cupy._counters["synchronize"] == before["synchronize"] + 1
    assert fake_cupy._counters["free_all_blocks"] == before["free_all_blocks"] + 1
    gn.cuda.set_device(0)
    with pytest.raises(RuntimeError, match="no CUDA device 3"):
        gn.cuda.set_device(3)
    with pytest.raises(RuntimeError, match="cuda:1.*1 CUDA device"):
        gn.zeros(2, device="cuda:1")


@pytest.mark.parametrize("make", [
    lambda d: gn.zeros(2, 3, device=d), lambda d: gn.ones((2, 3), device=d), lambda d: gn.randn(2, 3, device=d),
    lambda d: gn.rand(2, 3, device=d), lambda d: gn.tensor([[1.0, 2, 3]], device=d),
    lambda d: gn.arange(6, device=d), lambda d: gn.full((2, 3), 1.5, device=d), lambda d: gn.empty(2, 3, device=d),
    lambda d: gn.eye(3, device=d), lambda d: gn.linspace(0, 1, 5, device=d), lambda d: gn.randint(0, 5, (4,), device=d),
    lambda d: gn.randperm(5, device=d), lambda d: gn.as_tensor(np.ones(3), device=d),
    lambda d: gn.zeros_like(gn.ones(2, device=d)), lambda d: gn.ones_like(gn.ones(2, device=d)),
    lambda d: gn.full_like(gn.ones(2, device=d), 3), lambda d: gn.randn_like(gn.ones(2, device=d)),
    lambda d: gn.empty_like(gn.ones(2, device=d)), lambda d: gn.ones(2, device=d).new_zeros(3),
    lambda d: gn.ones(2, device=d).new_ones(3), lambda d: gn.ones(2, device=d).new_full((3,), 2.0),
    lambda d: gn.ones(2, device=d).new_empty(3), lambda d: gn.ones(2, device=d).new_tensor([1.0, 2.0]),
], ids=lambda f: "")
def test_factories_take_device_and_draw_the_same_numbers(cuda, make):
    gn.manual_seed(3)
    c = make("cpu")
    gn.manual_seed(3)
    g = make("cuda")
    assert c.device == gn.device("cpu") and not c.is_cuda
    assert g.device == gn.device("cuda:0") and g.is_cuda and str(g.device) == "cuda:0" and on_device(g.data)
    assert g.dtype == c.dtype and g.shape == c.shape
    np.testing.assert_array_equal(host(g.data), c.data)


def test_to_cuda_cpu_and_conversions(cuda):
    x = gn.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    for g in (x.to("cuda"), x.cuda(), x.to(gn.device("cuda")), x.to(0), x.to("cuda", gn.float64),
              x.to(gn.ones(1, device="cuda"))):
        assert g.is_cuda and on_device(g.data) and g.requires_grad
    assert x.to("cuda", gn.float64).dtype == np.float64
    g = x.cuda()
    assert g.to("cuda") is g and x.cpu() is x and x.to("cpu") is x
    back = g.cpu()
    assert back.device == gn.device("cpu") and isinstance(back.data, np.ndarray)
    np.testing.assert_array_equal(back.numpy(), x.data)
    assert g.tolist() == [[1.0, 2.0], [3.0, 4.0]] and g[1, 1].item() == 4.0 and float(g.sum()) == 10.0
    assert "device='cuda:0'" in repr(g)
    with pytest.raises(TypeError, match=r"cuda:0.*Tensor.cpu\(\)"):
        g.numpy()
    with pytest.raises(TypeError, match=r"Tensor.cpu\(\)"):
        np.asarray(g)
    # the move is differentiable: the gradient comes back to the CPU leaf
    (g * g).sum().backward()
    assert isinstance(x.grad, np.ndarray)
    np.testing.assert_allclose(x.grad, 2 * x.data)


def test_mixing_devices_raises_naming_the_op_and_both_devices(cuda):
    a, b = gn.ones(2, 3, device="cuda"), gn.ones(2, 3)
    for call in (lambda: a + b, lambda: b * a, lambda: a @ b.T, lambda: F.linear(a, b), lambda: gn.cat([a, b]),
                 lambda: F.mse_loss(a, b)):
        with pytest.raises(RuntimeError, match=r"Expected all tensors to be on the same device, but found at least "
                                               r"two devices, cuda:0 and cpu"):
            call()
    # numbers (and 0-d CPU tensors, as in PyTorch) combine with device tensors
    assert on_device((a * 2 + gn.tensor(1.0)).data)


def test_two_devices_raise(cuda):
    fake_cupy.DEVICE_COUNT[0] = 2
    try:
        a, b = gn.ones(2, device="cuda:0"), gn.ones(2, device="cuda:1")
        assert b.device == gn.device("cuda:1") and (b + 1).device == gn.device("cuda:1")
        with pytest.raises(RuntimeError, match="Add: Expected all tensors.*cuda:0 and cuda:1"):
            a + b
    finally:
        fake_cupy.DEVICE_COUNT[0] = 1


# ----- the op table on the device ---------------------------------------------------------------------
def _run(case, device):
    arrays, tensors = inputs(case, requires_grad=case.gradcheck)
    tensors = [t.to(device).detach().requires_grad_(case.gradcheck) for t in tensors]
    gn.manual_seed(0)
    out = case.fn(*tensors)
    grads = []
    if case.gradcheck:
        (out * gn.linspace(0.5, 1.5, out.numel(), device=device, dtype=out.dtype).reshape(out.shape)).sum().backward()
        grads = [t.grad for t in tensors]
    return out, grads


def _holds_host_array(fn) -> bool:
    """True for a row whose function reads a NumPy array of its own (a class-index target, a weight) from
    its defaults, closure or module: on the device that is a CPU tensor beside CUDA ones, which PyTorch refuses."""
    seen = list(fn.__defaults__ or ()) + [c.cell_contents for c in fn.__closure__ or ()]
    seen += [fn.__globals__.get(name) for name in fn.__code__.co_names]
    return any(isinstance(v, np.ndarray) and v.ndim for v in seen)


MAKES_HOST_ARRAYS = {"batch_norm-eval-4d"}  # rows whose function builds NumPy running statistics itself


@pytest.mark.parametrize("case", OPS, ids=[c.name for c in OPS])
def test_op_table_rows_match_on_the_device(cuda, case):
    if _holds_host_array(case.fn) or case.name in MAKES_HOST_ARRAYS:
        with pytest.raises(RuntimeError, match=r"Expected all tensors to be on the same device.*cuda:0 and cpu"):
            _run(case, "cuda")
        return
    ref, ref_grads = _run(case, "cpu")
    out, grads = _run(case, "cuda")
    assert on_device(out.data) and out.dtype == ref.dtype and out.device == gn.device("cuda:0")
    np.testing.assert_allclose(host(out.data), ref.data, rtol=1e-12, atol=1e-12)
    for g, r in zip(grads, ref_grads):
        assert on_device(g)
        np.testing.assert_allclose(host(g), r, rtol=1e-12, atol=1e-12)
