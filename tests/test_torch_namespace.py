"""The top-level PyTorch names gradnote adds (torch.Generator, finfo, compile, jit, amp, linalg, special, ...)
and the Tensor methods tutorials call; NumPy references written here (torch is never imported)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import gradnote as gn
import gradnote as torch  # the spelling the tutorials use


# ----- constructors and type names -----------------------------------------------------------------
def test_legacy_tensor_constructor_of_sizes_is_float():
    t = torch.Tensor(2, 3)
    assert t.shape == (2, 3) and t.dtype == np.float32 and not t.requires_grad
    assert torch.Tensor(2, 3, 4, 1).shape == (2, 3, 4, 1) and torch.Tensor(gn.Size((4, 1))).shape == (4, 1)
    assert torch.Tensor([1.0, 2.0]).dtype == np.float32 and gn.Tensor([1.0, 2.0], True).requires_grad
    with pytest.raises(TypeError, match="sizes must be non-negative ints"):
        torch.Tensor(2, -3)


def test_type_names_and_conversions_as_torch():
    v = gn.randn(2, 3)
    assert v.type() == "torch.FloatTensor" and gn.arange(3).type() == "torch.LongTensor"
    assert v.type(torch.DoubleTensor).dtype == np.float64 and v.type("torch.DoubleTensor").dtype == np.float64
    assert v.double().type(torch.FloatTensor).dtype == np.float32


def test_unsupported_dtypes_are_names_that_refuse_to_be_used():
    assert (gn.ones(2).dtype == torch.bfloat16) is False and repr(torch.complex64) == "torch.complex64"
    for dt in (torch.bfloat16, torch.complex64, torch.cfloat):
        with pytest.raises(NotImplementedError, match=f"torch.{dt.name} is not supported"):
            gn.zeros(2, dtype=dt)
    with pytest.raises(NotImplementedError, match="bfloat16"):
        gn.ones(2).to(torch.bfloat16)
    assert gn.ones(2).half().dtype == np.float16 and torch.float16 is np.float16


def test_finfo_and_iinfo_match_numpy():
    f = torch.finfo(torch.float32)
    npf = np.finfo(np.float32)
    assert (f.eps, f.max, f.min, f.tiny, f.bits, f.dtype) == (float(npf.eps), float(npf.max), float(npf.min),
                                                             float(npf.tiny), 32, "float32")
    assert torch.finfo(torch.float16).resolution == 1e-3 and torch.finfo().dtype == "float32"
    i = torch.iinfo(torch.int32)
    assert (i.max, i.min, i.bits) == (2**31 - 1, -(2**31), 32) and torch.iinfo(torch.bool).max == 1
    with pytest.raises(TypeError, match="finfo: expected a floating dtype"):
        torch.finfo(torch.int64)
    with pytest.raises(TypeError, match="iinfo: expected an integer dtype"):
        torch.iinfo(torch.float32)


# ----- Generator ------------------------------------------------------------------------------------
def test_generator_streams_repeat_and_leave_the_global_stream_alone():
    gn.manual_seed(0)
    ref = gn.randn(5).numpy().copy()
    gn.manual_seed(0)
    g = torch.Generator().manual_seed(42)
    a = [gn.randn(3, generator=g), gn.rand(2, generator=g), gn.randint(0, 9, (4,), generator=g),
         gn.randperm(6, generator=g), gn.normal(0.0, 1.0, (2,), generator=g),
         gn.multinomial(gn.ones(4), 2, generator=g), gn.bernoulli(gn.full((3,), 0.5), generator=g)]
    np.testing.assert_array_equal(gn.randn(5).numpy(), ref)  # the generator did not draw from the global stream
    g.manual_seed(42)
    b = [gn.randn(3, generator=g), gn.rand(2, generator=g), gn.randint(0, 9, (4,), generator=g),
         gn.randperm(6, generator=g), gn.normal(0.0, 1.0, (2,), generator=g),
         gn.multinomial(gn.ones(4), 2, generator=g), gn.bernoulli(gn.full((3,), 0.5), generator=g)]
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x.numpy(), y.numpy())
    assert g.initial_seed() == 42


def test_generator_state_round_trips_and_seeds_split_and_loader():
    g = torch.Generator().manual_seed(3)
    state = g.get_state()
    first = gn.rand(4, generator=g).numpy()
    np.testing.assert_array_equal(gn.rand(4, generator=g.set_state(state)).numpy(), first)
    split = [list(s.indices) for s in gn.utils.data.random_split(range(10), [3, 7],
                                                                 generator=torch.Generator().manual_seed(1))]
    again = [list(s.indices) for s in gn.utils.data.random_split(range(10), [3, 7],
                                                                 generator=torch.Generator().manual_seed(1))]
    assert split == again and sorted(split[0] + split[1]) == list(range(10))
    ds = gn.utils.data.TensorDataset(gn.arange(8))
    order = [[b[0].tolist() for b in gn.utils.data.DataLoader(ds, 4, shuffle=True,
                                                              generator=torch.Generator().manual_seed(5))]
             for _ in range(2)]
    assert order[0] == order[1]
    with pytest.raises(TypeError, match="seed must be an int"):
        torch.Generator().manual_seed(1.5)
    with pytest.raises(ValueError, match="only device='cpu'"):
        torch.Generator("cuda")


# ----- compile, jit, hub, determinism, amp ---------------------------------------------------------------
def test_compile_and_jit_return_what_they_are_given():
    lin = gn.nn.Linear(2, 2)
    assert torch.compile(lin) is lin and torch.compile(mode="max-autotune")(lin) is lin
    assert torch.jit.script(lin) is lin and torch.jit.trace(lin, gn.ones(1, 2)) is lin

    @torch.compile
    def f(x):
        return x * 2

    assert f(gn.ones(1)).item() == 2.0
    with pytest.raises(NotImplementedError, match="jit.save: gradnote has no TorchScript"):
        torch.jit.save(lin, "m.pt")
    with pytest.raises(TypeError, match="compile: expected a Module or a function"):
        torch.compile(3)


def test_hub_refuses_and_says_what_to_do():
    with pytest.raises(NotImplementedError, match=r"hub.load\('pytorch/vision', 'resnet18'\).*gn.load"):
        torch.hub.load("pytorch/vision", "resnet18")


def test_deterministic_algorithms_are_accepted():
    torch.use_deterministic_algorithms(True)
    assert torch.are_deterministic_algorithms_enabled()
    torch.use_deterministic_algorithms(False)
    assert not torch.are_deterministic_algorithms_enabled()


def test_autocast_runs_in_float32_and_gradscaler_disables_itself():
    model = gn.nn.Linear(3, 1)
    opt = gn.optim.SGD(model.parameters(), lr=0.1)
    before = model.weight.data.copy()
    for ctx in (torch.autocast(device_type="cpu", enabled=False), torch.amp.autocast("cpu", enabled=False),
                torch.cuda.amp.autocast(enabled=False)):
        with ctx:
            loss = model(gn.ones(2, 3)).sum()
        assert loss.dtype == np.float32
    with pytest.warns(UserWarning, match="Disabling"):
        scaler = torch.cuda.amp.GradScaler()
    assert not scaler.is_enabled() and scaler.get_scale() == 1.0 and scaler.state_dict() == {}
    assert scaler.scale(loss) is loss
    loss.backward()
    scaler.unscale_(opt)
    scaler.step(opt)
    scaler.update()
    np.testing.assert_allclose(model.weight.data, before - 0.1 * 2.0, rtol=1e-6)

    @torch.autocast("cpu", enabled=False)
    def g(x):
        return x + 1

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert g(gn.ones(1)).item() == 2.0
    with pytest.raises(ValueError, match="backoff_factor"):
        torch.amp.GradScaler(enabled=False, backoff_factor=2.0)
