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


# ----- Tensor methods and attributes ------------------------------------------------------------------
def test_register_hook_on_leaf_and_non_leaf_replaces_and_removes():
    w = gn.tensor([1.0, 2.0], requires_grad=True)
    seen = []
    h = w.register_hook(lambda g: seen.append(g.numpy().copy()) or g * 10)
    y = w * 3
    hy = y.register_hook(lambda g: g + 1)
    (y * y).sum().backward()
    # dy = 2y + 1 (the non-leaf hook), then dw = 3 * dy, then the leaf hook multiplies by 10
    np.testing.assert_allclose(seen[0], 3 * (2 * np.array([3.0, 6.0]) + 1))
    np.testing.assert_allclose(w.grad, 10 * seen[0])
    h.remove()
    hy.remove()
    w.grad = None
    (w * 3).sum().backward()
    np.testing.assert_allclose(w.grad, [3.0, 3.0])
    g = gn.autograd.grad((w * 2).sum(), w)[0]  # hooks see autograd.grad's gradients too
    np.testing.assert_allclose(g.numpy(), [2.0, 2.0])
    with pytest.raises(RuntimeError, match="doesn't require gradient"):
        gn.ones(2).register_hook(lambda g: g)
    bad = gn.ones(2, requires_grad=True)
    bad.register_hook(lambda g: gn.ones(3))
    with pytest.raises(RuntimeError, match=r"hook: returned a gradient of shape \(3,\)"):
        (bad * 1).sum().backward()


def test_grad_fn_name_and_layout_queries():
    y = gn.ones(2, requires_grad=True) * 2
    assert y.grad_fn.name() == "MulBackward0"
    a = np.arange(24.0).reshape(2, 3, 4)
    x = gn.from_numpy(a)
    assert x.stride() == (12, 4, 1) and x.stride(1) == 4 and x.permute(2, 0, 1).stride() == (1, 12, 4)
    assert x[1, 1:].storage_offset() == 16 and x.storage_offset() == 0
    m = gn.randn(2, 3)
    assert m.H.shape == (3, 2) and m.mH.shape == (3, 2) and m.real is m
    with pytest.raises(RuntimeError, match="imag is not implemented"):
        _ = m.imag
    assert m.new(2, 4).shape == (2, 4) and m.new(2, 4).dtype == np.float32
    assert m.double().new([1, 2]).dtype == np.float64 and m.new().shape == (0,)


def test_apply_and_map_run_python_per_element():
    x = gn.tensor([1.0, 2.0, 3.0])
    assert x.apply_(lambda v: v * v) is x and x.tolist() == [1.0, 4.0, 9.0]
    x.map_(gn.tensor([1.0]), lambda a, b: a - b)
    assert x.tolist() == [0.0, 3.0, 8.0]
    with pytest.raises(RuntimeError, match="leaf tensor"):
        gn.ones(2, requires_grad=True).apply_(lambda v: v)


def test_selection_results_unpack_as_torch_return_types():
    x = gn.tensor([[3.0, 1.0, 2.0], [0.0, 5.0, 4.0]])
    values, indices = x.median(dim=1)
    assert values.tolist() == [2.0, 4.0] and indices.tolist() == [2, 2]
    assert x.median().item() == 2.0 and gn.median(gn.zeros(0)).isnan().item()
    v, i = gn.kthvalue(x, 1, 0, keepdim=True)
    assert v.shape == (1, 3) and i.tolist() == [[1, 0, 0]]
    m = gn.tensor([[2, 1, 2, 1, 3], [5, 5, 4, 4, 4]]).mode(1)
    assert m.values.tolist() == [1, 4] and m.indices.tolist() == [3, 4]  # smallest of the most frequent; last index
    c = gn.tensor([1.0, 3.0, 2.0, 3.0]).cummax(0)
    assert c.values.tolist() == [1.0, 3.0, 3.0, 3.0] and c.indices.tolist() == [0, 1, 1, 3]
    mm = gn.aminmax(x, dim=0)
    assert mm.min.tolist() == [0.0, 1.0, 2.0] and mm.max.tolist() == [3.0, 5.0, 4.0]
    assert gn.tensor([1.0, float("nan"), 3.0]).nanmedian().item() == 1.0
    with pytest.raises(IndexError, match=r"kthvalue: k must be in \[1, 3\]"):
        x.kthvalue(4)


def test_counting_and_searching():
    vals, inv, counts = gn.unique(gn.tensor([3, 1, 3, 2]), return_inverse=True, return_counts=True)
    assert vals.tolist() == [1, 2, 3] and inv.tolist() == [2, 0, 2, 1] and counts.tolist() == [1, 1, 2]
    rows = gn.tensor([[1, 2], [1, 2], [0, 3]]).unique(dim=0, return_counts=True)
    assert rows[0].tolist() == [[0, 3], [1, 2]] and rows[1].tolist() == [1, 2]
    assert gn.unique_consecutive(gn.tensor([1, 1, 2, 2, 1])).tolist() == [1, 2, 1]
    assert gn.bincount(gn.tensor([0, 2, 2]), minlength=4).tolist() == [1, 0, 2, 0]
    w = gn.bincount(gn.tensor([0, 2, 2]), weights=gn.tensor([1.0, 2.0, 3.0]))
    assert w.tolist() == [1.0, 0.0, 5.0] and w.dtype == np.float32
    assert gn.histc(gn.tensor([1.0, 2.0, 1.0, 5.0]), bins=4).tolist() == [2.0, 1.0, 0.0, 1.0]
    seq = gn.tensor([1, 3, 5])
    assert gn.searchsorted(seq, gn.tensor([3, 6])).tolist() == [1, 3]
    assert gn.searchsorted(seq, gn.tensor([3]), right=True).tolist() == [2] and gn.searchsorted(seq, 3).item() == 1
    assert gn.bucketize(gn.tensor([1, 3, 5]), seq).tolist() == [0, 1, 2]
    assert gn.bucketize(gn.tensor([1, 3, 5]), seq, right=True).tolist() == [1, 2, 3]
    assert gn.tril_indices(3, 3).tolist() == [list(r) for r in np.tril_indices(3)]
    assert gn.triu_indices(2, 3, 1).tolist() == [list(r) for r in np.triu_indices(2, 1, 3)]
    with pytest.raises(ValueError, match="bincount: expects a 1-D integer tensor"):
        gn.bincount(gn.ones(3))


def test_elementwise_helpers_match_numpy():
    a, b = gn.tensor([-3.0, 3.0, 2.5]), gn.tensor([2.0, -2.0, 1.0])
    assert gn.fmod(a, b).tolist() == np.fmod(a.numpy(), b.numpy()).tolist()
    assert gn.remainder(a, b).tolist() == np.remainder(a.numpy(), b.numpy()).tolist()
    assert a.sgn().tolist() == [-1.0, 1.0, 1.0] and a.frac().tolist() == [-0.0, 0.0, 0.5]
    assert gn.isclose(gn.tensor([1.0, 1.1]), gn.tensor([1.0, 1.0])).tolist() == [True, False]
    big = gn.tensor([float("inf"), float("-inf"), float("nan")])
    f = np.finfo(np.float32)
    assert big.nan_to_num().tolist() == [float(f.max), float(f.min), 0.0]
    assert gn.tensor([1.0, 2.0]).where(gn.tensor([True, False]), 0.0).tolist() == [1.0, 0.0]
    assert gn.zeros(3).index_fill_(0, gn.tensor([0, 2]), 7.0).tolist() == [7.0, 0.0, 7.0]
    assert gn.zeros(3).index_add_(0, gn.tensor([0, 0]), gn.ones(2)).tolist() == [2.0, 0.0, 0.0]
    assert gn.zeros(3).index_copy_(0, gn.tensor([1]), gn.tensor([4.0])).tolist() == [0.0, 4.0, 0.0]
    with pytest.raises(ValueError, match=r"index_add: source must have shape \(2,\)"):
        gn.zeros(3).index_add_(0, gn.tensor([0, 1]), gn.ones(3))


def test_random_fills_follow_the_seed_and_their_distributions():
    def draws():
        gn.manual_seed(7)
        return [gn.empty(20000).exponential_(2.0), gn.empty(20000).geometric_(0.25),
                gn.empty(5).cauchy_(), gn.empty(20000).log_normal_(0.0, 0.5), gn.empty(6).random_(3, 9),
                gn.poisson(gn.full((20000,), 4.0))]
    first, again = draws(), draws()
    for x, y in zip(first, again):
        np.testing.assert_array_equal(x.numpy(), y.numpy())
    exp, geo, _, logn, ints, pois = first
    assert abs(exp.mean().item() - 0.5) < 0.02 and geo.min().item() >= 1 and abs(geo.mean().item() - 4) < 0.15
    assert abs(logn.log().std().item() - 0.5) < 0.02 and ints.min().item() >= 3 and ints.max().item() < 9
    assert abs(pois.mean().item() - 4.0) < 0.08 and exp.dtype == np.float32
    assert gn.empty(1000, dtype=gn.uint8).random_().max().item() > 200
    with pytest.raises(ValueError, match="exponential_: lambd must be positive"):
        gn.empty(2).exponential_(0.0)


def test_linalg_factorisations_reconstruct_and_refuse_gradients():
    rng = np.random.default_rng(0)
    a = gn.tensor(rng.standard_normal((4, 3)))
    u, s, vh = gn.linalg.svd(a, full_matrices=False)
    np.testing.assert_allclose((u * s.unsqueeze(0)) @ vh, a.numpy(), atol=1e-10)
    q, r = gn.linalg.qr(a)
    np.testing.assert_allclose((q @ r).numpy(), a.numpy(), atol=1e-10)
    np.testing.assert_allclose((gn.linalg.pinv(a) @ a).numpy(), np.eye(3), atol=1e-10)
    b = gn.tensor(rng.standard_normal(4))
    np.testing.assert_allclose(gn.linalg.lstsq(a, b).solution.numpy(), np.linalg.lstsq(a.numpy(), b.numpy(),
                                                                                       rcond=None)[0])
    assert gn.linalg.matrix_rank(gn.ones(3, 3)).item() == 1
    w, v = gn.linalg.eigh(gn.tensor([[2.0, 1.0], [1.0, 2.0]]))
    assert np.allclose(w.numpy(), [1.0, 3.0]) and np.allclose(np.abs(v.numpy()), np.sqrt(0.5))
    leaf = gn.tensor(rng.standard_normal((3, 3)), requires_grad=True)
    with pytest.raises(NotImplementedError, match=r"linalg.qr \(Q\): gradients .* not implemented"):
        gn.linalg.qr(leaf).Q.sum().backward()
    with pytest.raises(NotImplementedError, match="linalg.eig: .*complex"):
        gn.linalg.eig(leaf)
    assert gn.linalg.det(gn.eye(3) * 2).item() == 8.0 and gn.det(gn.eye(2)).item() == 1.0


def test_set_printoptions_changes_the_repr():
    try:
        torch.set_printoptions(precision=2)
        assert repr(gn.tensor([1.23456])) == "tensor([1.23])"
        torch.set_printoptions(sci_mode=True)
        assert "e+00" in repr(gn.tensor([1.5]))
        torch.set_printoptions(threshold=5, edgeitems=1)
        assert "..." in repr(gn.arange(100.0))
    finally:
        torch.set_printoptions(profile="default")
    assert repr(gn.tensor([1.23456])) == "tensor([1.2346])"
    with pytest.raises(ValueError, match="profile must be"):
        torch.set_printoptions(profile="long")


# ----- autograd.functional and func -------------------------------------------------------------------
def test_jacobian_vjp_jvp_match_the_closed_forms():
    x = gn.tensor([1.0, 2.0, 3.0], dtype="float64")
    a = np.arange(6.0).reshape(2, 3)

    def f(t):
        return gn.tensor(a) @ (t ** 2)

    jac = torch.autograd.functional.jacobian(f, x)
    np.testing.assert_allclose(jac.numpy(), a * 2 * x.numpy())
    j2 = torch.autograd.functional.jacobian(lambda p, q: p * q, (x, x * 2))
    np.testing.assert_allclose(j2[0].numpy(), np.diag(2 * x.numpy())) and np.testing.assert_allclose(
        j2[1].numpy(), np.diag(x.numpy()))
    out, g = torch.autograd.functional.vjp(f, x, gn.tensor([1.0, -1.0], dtype="float64"))
    np.testing.assert_allclose(g.numpy(), (a[0] - a[1]) * 2 * x.numpy())
    _, jv = torch.autograd.functional.jvp(f, x, gn.ones(3, dtype="float64"))
    np.testing.assert_allclose(jv.numpy(), (a * 2 * x.numpy()).sum(1))
    assert x.grad is None  # the inputs are copied: nothing accumulates into them
    with pytest.raises(NotImplementedError, match="hessian: needs second derivatives"):
        torch.autograd.functional.hessian(lambda t: (t ** 3).sum(), x)
    with pytest.raises(NotImplementedError, match="create_graph=True"):
        torch.autograd.functional.jacobian(f, x, create_graph=True)


def test_func_grad_and_vmap():
    g = torch.func.grad(lambda t, c: (c * t ** 2).sum(), argnums=0)(gn.tensor([1.0, 3.0]), 2.0)
    assert g.tolist() == [4.0, 12.0]
    g, (val, aux) = torch.func.grad_and_value(lambda t: ((t ** 2).sum(), "aux"), has_aux=True)(gn.tensor([2.0]))
    assert g.tolist() == [4.0] and val.item() == 4.0 and aux == "aux"
    x, w = gn.randn(5, 3), gn.randn(3)
    out = torch.vmap(lambda row, v: (row * v).sum(), in_dims=(0, None))(x, w)
    np.testing.assert_allclose(out.numpy(), x.numpy() @ w.numpy(), rtol=1e-5)
    pair = torch.vmap(lambda c: (c.sum(), c * 2), in_dims=1)(x)
    assert pair[0].shape == (3,) and pair[1].shape == (3, 5)
    with pytest.raises(NotImplementedError, match="nested transforms"):
        torch.func.grad(torch.func.grad(lambda t: (t ** 3).sum()))(gn.tensor([1.0]))
