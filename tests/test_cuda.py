"""The CUDA backend (CuPy), checked without a GPU on tests/fake_cupy.py, and on a real GPU when there is one.

With the stand-in installed, "cuda" tensors hold fake device arrays that refuse to mix with NumPy arrays
as CuPy does, so every host array an op creates and combines with its inputs shows up as an error here.
The same rows of the op table, layers, optimisers and training scripts run on "cpu" and "cuda" and must
give the same numbers. Tests at the end need a real GPU and are skipped without one.
"""

from __future__ import annotations

import io
import re

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
CPU_ONLY: list = []  # rows whose op refuses device tensors with NotImplementedError (reported, not hidden)

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
    its defaults, closure or module, or builds one (np.array(...), gn.tensor(...)): on the device that is a
    CPU tensor beside CUDA ones, which PyTorch refuses. Such rows must raise the device error."""
    seen = list(fn.__defaults__ or ()) + [c.cell_contents for c in fn.__closure__ or ()]
    seen += [fn.__globals__.get(name) for name in fn.__code__.co_names]
    names = set(fn.__code__.co_names)
    builds = ("np" in names and names & {"array", "full", "zeros", "ones", "arange"}) or {"gn", "tensor"} <= names
    return bool(builds) or any(isinstance(v, np.ndarray) and v.ndim for v in seen)


@pytest.mark.parametrize("case", OPS, ids=[c.name for c in OPS])
def test_op_table_rows_match_on_the_device(cuda, case):
    try:
        out, grads = _run(case, "cuda")
    except NotImplementedError as e:  # an op that declares itself CPU-only must say so
        assert re.search(r"CPU only.*\.cpu\(\)", str(e)), e
        CPU_ONLY.append(case.name)
        return
    except RuntimeError as e:  # a row with CPU data of its own: refused as PyTorch refuses it
        if not _holds_host_array(case.fn):
            raise
        assert re.search(r"Expected all tensors to be on the same device.*cuda:0 and cpu", str(e)), e
        return
    ref, ref_grads = _run(case, "cpu")
    assert on_device(out.data) and out.dtype == ref.dtype and out.device == gn.device("cuda:0")
    np.testing.assert_allclose(host(out.data), ref.data, rtol=1e-12, atol=1e-12)
    for g, r in zip(grads, ref_grads):
        assert on_device(g)
        np.testing.assert_allclose(host(g), r, rtol=1e-12, atol=1e-12)


def test_class_index_losses_on_the_device(cuda):
    """cross_entropy / nll_loss with their targets moved too (the table's rows keep NumPy targets)."""
    z = np.random.default_rng(1).standard_normal((5, 4))
    t = np.array([0, 2, 1, 3, 2])
    for loss in (lambda a, b: F.cross_entropy(a, b), lambda a, b: F.cross_entropy(a, b, label_smoothing=0.1),
                 lambda a, b: F.nll_loss(F.log_softmax(a, dim=1), b, reduction="sum"),
                 lambda a, b: F.cross_entropy(a, b, weight=gn.tensor([0.5, 1.0, 2.0, 1.5], dtype=gn.float64)
                                              .to(a.device))):
        res = {}
        for dev in ("cpu", "cuda"):
            x = gn.tensor(z, requires_grad=True, device=dev)
            out = loss(x, gn.tensor(t, device=dev))
            out.backward()
            res[dev] = (host(out.data), host(x.grad))
        np.testing.assert_allclose(res["cuda"][0], res["cpu"][0], rtol=1e-12)
        np.testing.assert_allclose(res["cuda"][1], res["cpu"][1], rtol=1e-12)


# ----- layers and optimisers ---------------------------------------------------------------------------
def _float_input(*shape):
    return lambda: gn.tensor(np.random.default_rng(2).standard_normal(shape), dtype=gn.float32)


LAYERS = {
    "Linear": (lambda: nn.Linear(5, 3), _float_input(4, 5)),
    "Conv2d": (lambda: nn.Conv2d(2, 3, 3, padding=1, stride=2), _float_input(2, 2, 7, 7)),
    "Conv2d-groups": (lambda: nn.Conv2d(4, 4, 3, groups=2, dilation=2), _float_input(2, 4, 8, 8)),
    "ConvTranspose2d": (lambda: nn.ConvTranspose2d(3, 2, 3, stride=2), _float_input(2, 3, 4, 4)),
    "MaxPool2d": (lambda: nn.Sequential(nn.Conv2d(2, 2, 1), nn.MaxPool2d(2)), _float_input(2, 2, 6, 6)),
    "AvgPool2d": (lambda: nn.Sequential(nn.Conv2d(2, 2, 1), nn.AvgPool2d(3, stride=2, padding=1)),
                  _float_input(2, 2, 6, 6)),
    "BatchNorm2d": (lambda: nn.BatchNorm2d(3), _float_input(4, 3, 2, 2)),
    "BatchNorm1d": (lambda: nn.BatchNorm1d(3), _float_input(6, 3)),
    "LayerNorm": (lambda: nn.LayerNorm(6), _float_input(2, 3, 6)),
    "Dropout": (lambda: nn.Sequential(nn.Linear(4, 8), nn.Dropout(0.5)), _float_input(3, 4)),
    "Embedding": (lambda: nn.Embedding(10, 4), lambda: gn.tensor([[1, 2, 9], [0, 2, 2]])),
    "LSTM": (lambda: nn.LSTM(3, 4, num_layers=2, batch_first=True), _float_input(2, 5, 3)),
    "GRU": (lambda: nn.GRU(3, 4, bidirectional=True), _float_input(5, 2, 3)),
    "RNN": (lambda: nn.RNN(3, 4), _float_input(5, 2, 3)),
    "MultiheadAttention": (lambda: nn.MultiheadAttention(8, 2, batch_first=True), _float_input(2, 5, 8)),
    "TransformerEncoderLayer": (lambda: nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, dropout=0.1,
                                                                   batch_first=True), _float_input(2, 5, 8)),
}


def _layer_run(name, device):
    make_layer, make_input = LAYERS[name]
    gn.manual_seed(5)
    layer = make_layer().to(device)
    x = make_input().to(device)
    gn.manual_seed(6)  # the same dropout masks on both devices
    if name == "MultiheadAttention":
        out = layer(x, x, x)[0]
    else:
        out = layer(x)
    out = out[0] if isinstance(out, tuple) else out
    (out * out).sum().backward()
    grads = {k: p.grad for k, p in layer.named_parameters()}
    buffers = {k: b.data if isinstance(b, gn.Tensor) else b for k, b in layer.named_buffers()}
    return out, grads, buffers


@pytest.mark.parametrize("name", LAYERS)
def test_layers_match_on_the_device(cuda, name):
    ref, ref_grads, ref_buffers = _layer_run(name, "cpu")
    out, grads, buffers = _layer_run(name, "cuda")
    assert on_device(out.data) and out.dtype == ref.dtype
    np.testing.assert_allclose(host(out.data), ref.data, rtol=2e-5, atol=1e-6)
    assert grads.keys() == ref_grads.keys() and grads
    for k in grads:
        assert on_device(grads[k]), k
        np.testing.assert_allclose(host(grads[k]), ref_grads[k], rtol=2e-4, atol=1e-5, err_msg=k)
    for k in buffers:  # running statistics stay on the device and are updated there
        if hasattr(buffers[k], "shape"):
            assert on_device(buffers[k]), k
            np.testing.assert_allclose(host(buffers[k]), ref_buffers[k], rtol=2e-5, atol=1e-6, err_msg=k)


def test_module_to_moves_parameters_buffers_and_grads_in_place(cuda):
    model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4))
    params = list(model.parameters())
    model(gn.randn(5, 3)).sum().backward()
    assert model.to("cuda") is model and list(model.parameters()) == params
    assert all(on_device(p.data) and on_device(p.grad) for p in params)
    assert all(on_device(b.data if isinstance(b, gn.Tensor) else b) for b in model.buffers())
    assert model[0].weight.device == gn.device("cuda:0") and model[0].weight.is_cuda
    model.cpu()
    assert all(type(p.data).__name__ == "InplaceArray" and type(p.grad).__name__ == "InplaceArray" for p in params)
    model.cuda()
    model.to(gn.float64)  # a dtype change keeps the device
    assert all(on_device(p.data) and p.dtype == np.float64 for p in params)


def test_init_and_in_place_fills_of_device_parameters_draw_the_cpu_numbers(cuda):
    layers = {}
    for dev in ("cpu", "cuda"):
        gn.manual_seed(4)
        lin = nn.Linear(6, 5).to(dev)
        nn.init.kaiming_normal_(lin.weight)
        nn.init.uniform_(lin.bias, -1, 1)
        with gn.no_grad():
            lin.weight.mul_(2.0)
            lin.bias.uniform_(-2, 2)  # Tensor's random fills draw on the host too
            lin.bias[1:3] = gn.tensor([5.0, 6.0]).to(dev)
        lin.weight.data[0] = 0.0  # assignment into the parameter's array, as PyTorch code does
        layers[dev] = lin
    for (k, p), r in zip(layers["cuda"].named_parameters(), layers["cpu"].parameters()):
        assert on_device(p.data), k
        np.testing.assert_array_equal(host(p.data), r.data, err_msg=k)


OPTIMISERS = {
    "SGD": lambda ps: gn.optim.SGD(ps, lr=0.1),
    "SGD-momentum-nesterov-wd": lambda ps: gn.optim.SGD(ps, lr=0.1, momentum=0.9, nesterov=True, weight_decay=1e-2),
    "Adam": lambda ps: gn.optim.Adam(ps, lr=0.01),
    "Adam-amsgrad": lambda ps: gn.optim.Adam(ps, lr=0.01, amsgrad=True, weight_decay=0.1),
    "AdamW": lambda ps: gn.optim.AdamW(ps, lr=0.01),
    "RMSprop": lambda ps: gn.optim.RMSprop(ps, lr=0.01, momentum=0.5, centered=True),
    "Adagrad": lambda ps: gn.optim.Adagrad(ps, lr=0.1),
    "Adadelta": lambda ps: gn.optim.Adadelta(ps),
    "Adamax": lambda ps: gn.optim.Adamax(ps, lr=0.01),
    "NAdam": lambda ps: gn.optim.NAdam(ps, lr=0.01),
    "RAdam": lambda ps: gn.optim.RAdam(ps, lr=0.01),
}


def _optimise(make_opt, device, before_to: bool):
    gn.manual_seed(7)
    model = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 2))
    if before_to:  # the optimiser made first: it holds the same Parameter objects, moved in place
        opt = make_opt(model.parameters())
        model.to(device)
    else:
        model.to(device)
        opt = make_opt(model.parameters())
    x = gn.randn(16, 4).to(device)
    y = gn.randn(16, 2).to(device)
    for _ in range(5):
        opt.zero_grad()
        F.mse_loss(model(x), y).backward()
        opt.step()
    return model, opt


@pytest.mark.parametrize("name", OPTIMISERS)
def test_optimisers_update_in_place_on_the_device(cuda, name):
    ref, _ = _optimise(OPTIMISERS[name], "cpu", False)
    for before_to in (False, True):
        model, opt = _optimise(OPTIMISERS[name], "cuda", before_to)
        for (k, p), r in zip(model.named_parameters(), ref.parameters()):
            assert on_device(p.data), k
            np.testing.assert_allclose(host(p.data), r.data, rtol=1e-5, atol=1e-6, err_msg=k)
        for st in opt.state.values():  # optimiser state follows its parameter
            for v in st.values():
                if hasattr(v, "shape") and getattr(v, "ndim", 0):
                    assert on_device(v)


def test_optimiser_state_dict_of_a_device_run_saves_as_on_the_cpu(cuda):
    files = {}
    for dev in ("cpu", "cuda"):
        model, opt = _optimise(OPTIMISERS["Adam"], dev, False)
        for what, obj in (("model", model.state_dict()), ("opt", opt.state_dict())):
            buf = io.BytesIO()
            gn.save(obj, buf)
            files[dev, what] = buf.getvalue()
    assert files["cuda", "model"] == files["cpu", "model"]
    assert files["cuda", "opt"] == files["cpu", "opt"]


# ----- save / load ---------------------------------------------------------------------------------------
def test_save_of_cuda_tensors_writes_the_cpu_file_and_map_location_moves(cuda):
    gn.manual_seed(1)
    model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4))
    buf_cpu, buf_cuda, buf_model, buf_tensor = io.BytesIO(), io.BytesIO(), io.BytesIO(), io.BytesIO()
    gn.save(model.state_dict(), buf_cpu)
    model.to("cuda")
    gn.save(model.state_dict(), buf_cuda)
    assert buf_cuda.getvalue() == buf_cpu.getvalue()  # byte for byte (gn.save writes reproducible files)
    gn.save({"w": model[0].weight, "nested": [gn.ones(2, device="cuda"), {"x": gn.zeros(1, device="cuda")}]},
            buf_tensor)
    tensors_cpu, tensors_cuda = io.BytesIO(), io.BytesIO()
    gn.save({"a": gn.arange(3.0), "b": gn.ones(2, 2)}, tensors_cpu)
    gn.save({"a": gn.arange(3.0, device="cuda"), "b": gn.ones(2, 2, device="cuda")}, tensors_cuda)
    assert tensors_cuda.getvalue() == tensors_cpu.getvalue()
    for where, want in ((None, "cpu"), ("cpu", "cpu"), ("cuda", "cuda:0"), (gn.device("cuda:0"), "cuda:0"),
                        ({"cpu": "cuda"}, "cuda:0")):
        buf_cuda.seek(0)
        sd = gn.load(buf_cuda, map_location=where)  # a state dict holds arrays: they load as NumPy arrays
        assert all(isinstance(v, np.ndarray) for v in sd.values())
        model2 = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4)).to("cuda")
        model2.load_state_dict(sd)  # copied onto each parameter's own device
        np.testing.assert_array_equal(host(model2[0].weight.data), host(model[0].weight.data))
        buf_tensor.seek(0)
        tree = gn.load(buf_tensor, map_location=where)
        assert str(tree["w"].device) == want and str(tree["nested"][1]["x"].device) == want
        tensors_cuda.seek(0)
        assert all(str(v.device) == want for v in gn.load(tensors_cuda, map_location=where).values())
    gn.save(model, buf_model)  # a whole model, saved from the GPU, loads on the GPU
    buf_model.seek(0)
    loaded = gn.load(buf_model, map_location="cuda")
    assert loaded[0].weight.is_cuda


# ----- whole training scripts: only the device string changes --------------------------------------------
def _train_lenet(device):
    gn.manual_seed(0)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((32, 1, 28, 28)).astype(np.float32)
    y = rng.integers(0, 10, 32)
    data = gn.utils.data.TensorDataset(gn.tensor(x), gn.tensor(y))
    loader = gn.utils.data.DataLoader(data, batch_size=8, shuffle=True)
    model = gn.models.LeNet5().to(device)
    opt = gn.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    losses = []
    for _ in range(2):
        for xb, yb in loader:
            assert xb.device == gn.device("cpu")  # the loader yields CPU batches; the script moves them
            xb, yb = xb.to(device), yb.to(device)
            opt.zero_grad()
            loss = F.cross_entropy(model(xb), yb)
            loss.backward()
            opt.step()
            losses.append(loss.item())
    with gn.no_grad():
        model.eval()
        acc = (model(gn.tensor(x).to(device)).argmax(1) == gn.tensor(y).to(device)).float().mean().item()
    return losses, acc, model


def test_lenet_training_gives_the_same_losses_on_cpu_and_cuda(cuda):
    cpu_losses, cpu_acc, _ = _train_lenet("cpu")
    cuda_losses, cuda_acc, model = _train_lenet("cuda")
    assert all(on_device(p.data) for p in model.parameters())
    np.testing.assert_allclose(cuda_losses, cpu_losses, rtol=1e-4)
    assert cuda_acc == pytest.approx(cpu_acc)


def _train_gpt(device):
    gn.manual_seed(0)
    model = gn.models.GPT(vocab_size=13, block_size=8, n_layer=2, n_head=2, n_embd=16, dropout=0.1).to(device)
    opt = gn.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=0.1)
    rng = np.random.default_rng(0)
    losses = []
    for _ in range(4):
        idx = gn.tensor(rng.integers(0, 13, (4, 8)), device=device)
        targets = gn.tensor(rng.integers(0, 13, (4, 8)), device=device)
        _, loss = model(idx, targets)
        opt.zero_grad()
        loss.backward()
        gn.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        losses.append(loss.item())
    model.eval()
    gn.manual_seed(1)
    sample = model.generate(gn.zeros(1, 2, dtype=gn.int64, device=device), 5, top_k=4)
    return losses, sample


def test_gpt_training_gives_the_same_losses_on_cpu_and_cuda(cuda):
    cpu_losses, cpu_sample = _train_gpt("cpu")
    cuda_losses, cuda_sample = _train_gpt("cuda")
    np.testing.assert_allclose(cuda_losses, cpu_losses, rtol=1e-4)
    assert cuda_sample.is_cuda and cuda_sample.tolist() == cpu_sample.tolist()


# ----- on a real GPU (skipped without one) ---------------------------------------------------------------
def _real_gpu() -> bool:
    backend.install_cupy(None, None)  # forget any stand-in: ask the real CuPy
    return gn.cuda.is_available()


REAL = pytest.mark.skipif(not _real_gpu(), reason="no CUDA device: CuPy (pip install 'gradnote[cuda]') or a GPU "
                                                  "is missing here")


@REAL
def test_real_gpu_forward_backward_matches_the_cpu():
    import cupy

    gn.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.Flatten(), nn.Linear(4 * 6 * 6, 3))
    x = gn.randn(5, 1, 8, 8)
    ref = model(x)
    (ref * ref).sum().backward()
    ref_grads = [p.grad.copy() for p in model.parameters()]
    model.zero_grad()
    model.to("cuda")
    out = model(x.to("cuda"))
    assert isinstance(out.data, cupy.ndarray) and out.device == gn.device("cuda:0")
    (out * out).sum().backward()
    np.testing.assert_allclose(out.cpu().numpy(), ref.data, rtol=1e-4, atol=1e-5)
    for p, r in zip(model.parameters(), ref_grads):
        np.testing.assert_allclose(cupy.asnumpy(p.grad), r, rtol=1e-3, atol=1e-5)


@REAL
def test_real_gpu_training_step_matches_the_cpu():
    cpu_losses, _, _ = _train_lenet("cpu")
    gpu_losses, _, model = _train_lenet("cuda")
    assert next(model.parameters()).is_cuda
    np.testing.assert_allclose(gpu_losses, cpu_losses, rtol=1e-3)
