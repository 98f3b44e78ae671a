"""PyTorch's spelling of the Tensor: promotion, in-place ops and version counters, torch-style Functions,
autograd.grad, devices, factories and the small protocol methods. The ops themselves (forward, float64
gradcheck, errors) are rows of the op table in test_autograd_ops.py."""

from __future__ import annotations

import math

import numpy as np
import pytest

import gradnote as torch  # the spelling under test
import gradnote.nn as nn


# ----- type promotion ------------------------------------------------------------------------------------
@pytest.mark.parametrize("make, expected", [
    (lambda: torch.ones(2) * torch.tensor(2.0, dtype=torch.float64), np.float32),  # 0-d does not promote
    (lambda: torch.ones(2, dtype=torch.float64) * torch.ones(2), np.float64),  # dimensioned ones do
    (lambda: torch.arange(3) * 2.5, np.float32),  # int tensor with a Python float: the default float
    (lambda: torch.arange(3) * torch.tensor(2.5, dtype=torch.float64), np.float64),  # higher category 0-d wins
    (lambda: torch.ones(2, dtype=torch.int32) + 1, np.int32),  # Python int keeps the tensor's int
    (lambda: torch.tensor([True, False]) + 1, np.int64),
    (lambda: torch.tensor([True]) ** 2, np.int64),
    (lambda: torch.arange(3) ** 0.5, np.float32),
    (lambda: torch.arange(3) / torch.arange(1, 4), np.float32),
    (lambda: torch.arange(3).exp(), np.float32),
    (lambda: torch.tensor([True]).sqrt(), np.float32),
    (lambda: torch.arange(4).clamp(0.5), np.float32),
    (lambda: torch.arange(4).clamp(1, 2), np.int64),
    (lambda: torch.maximum(torch.ones(2), torch.arange(2)), np.float32),
    (lambda: torch.where(torch.tensor([True, False]), torch.ones(2), torch.arange(2)), np.float32),
    (lambda: torch.cat([torch.ones(2), torch.arange(2)]), np.float32),
    (lambda: torch.stack([torch.ones(2, dtype=torch.float16), torch.ones(2)]), np.float32),
    (lambda: torch.full((2,), True), np.bool_),
    (lambda: torch.full((2,), 3), np.int64),
    (lambda: torch.sigmoid(torch.arange(3)), np.float32),
    (lambda: torch.softmax(torch.arange(3), 0), np.float32),
])
def test_promotion_follows_pytorch(make, expected):
    assert make().dtype == np.dtype(expected)


def test_integer_to_a_negative_power_is_refused_as_in_pytorch():
    with pytest.raises(RuntimeError, match="integers to negative integer powers are not allowed"):
        torch.tensor([2, 3]) ** -1
    assert (torch.tensor([2, 3]) ** 2).tolist() == [4, 9]


def test_floor_division_and_remainder_follow_python_signs():
    a, b = torch.tensor([-3, 3, 7]), torch.tensor([2, -2, 3])
    assert (a // b).tolist() == [-3 // 2, 3 // -2, 7 // 3]
    assert (a % b).tolist() == [-3 % 2, 3 % -2, 7 % 3]
    assert torch.div(torch.tensor([-7.0, 7.0]), 2, rounding_mode="trunc").tolist() == [-3.0, 3.0]
    with pytest.raises(ZeroDivisionError, match="floor_divide: integer division by zero"):
        torch.tensor([1]) // 0


# ----- in place --------------------------------------------------------------------------------------------
def test_manual_sgd_updates_the_parameter_itself():
    w = torch.randn(3, requires_grad=True)
    data = w.data
    before = w.data.copy()
    (w * w).sum().backward()
    with torch.no_grad():
        w -= 0.1 * w.grad  # PyTorch's "Learning with examples" loop: must not rebind to a new tensor
        w.grad = None
    assert w.data is data and w.is_leaf and w.requires_grad
    np.testing.assert_allclose(w.data, before - 0.1 * 2 * before, rtol=1e-6)


def test_in_place_on_a_leaf_that_requires_grad_is_refused_outside_no_grad():
    w = torch.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="in-place operation on a leaf tensor of shape \\(3,\\) that requires grad"):
        w.add_(1)
    with pytest.raises(RuntimeError, match="no_grad"):
        w *= 2
    with torch.no_grad():
        w.mul_(2).add_(1, alpha=3)
    assert w.tolist() == [5.0, 5.0, 5.0]


@pytest.mark.parametrize("update, reference", [
    (lambda h, w: h.add_(w * 2), lambda h, w: h + w * 2),
    (lambda h, w: h.mul_(w), lambda h, w: h * w),
    (lambda h, w: h.div_(w.exp()), lambda h, w: h / w.exp()),
    (lambda h, w: h.sub_(w, alpha=0.5), lambda h, w: h - 0.5 * w),
    (lambda h, w: h.copy_(w.sin()), lambda h, w: w.sin() + 0 * h),
    (lambda h, w: h.clamp_(-0.5, 0.5).add_(w), lambda h, w: h.clamp(-0.5, 0.5) + w),
    (lambda h, w: h.masked_fill_(torch.tensor([True, False, True]), 0.0).mul_(w), lambda h, w:
     torch.where(torch.tensor([True, False, True]), 0.0, h) * w),
])
def test_in_place_ops_inside_a_graph_have_the_out_of_place_gradient(update, reference):
    rng = np.random.default_rng(0)
    x, w = (torch.tensor(rng.uniform(0.2, 1.0, 3), requires_grad=True) for _ in range(2))

    def f(x, w):
        h = x * 1.5  # a non-leaf: in-place on it is recorded
        return update(h, w)

    assert torch.gradcheck(f, [x, w], raise_exception=True)
    np.testing.assert_allclose(f(x, w).data, reference(x * 1.5, w).data, rtol=1e-12)


def test_plus_equals_on_a_non_leaf_records_the_gradient():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    h = torch.zeros(2)  # a leaf without grad becomes part of the graph
    h += x * x
    h[0] = h[0] * 3  # setitem in a graph
    h.sum().backward()
    assert h.grad_fn is not None
    np.testing.assert_allclose(x.grad, [6.0, 4.0])


def test_a_saved_tensor_changed_in_place_makes_backward_raise():
    w = torch.tensor([1.0, 2.0], requires_grad=True)
    y = (w * w).sum()  # mul saves w
    with torch.no_grad():
        w.add_(1.0)
    with pytest.raises(RuntimeError, match="modified by an in-place operation.*version 1, expected 0"):
        y.backward()


def test_an_op_output_changed_in_place_makes_backward_raise():
    x = torch.tensor([0.5, 1.0], requires_grad=True)
    y = x.exp()  # exp saves its output
    with torch.no_grad():
        y.mul_(2)
    with pytest.raises(RuntimeError, match="output of Exp was modified by an in-place operation"):
        y.sum().backward()


def test_in_place_on_an_input_that_is_not_saved_is_fine():
    w = torch.tensor([1.0, 2.0], requires_grad=True)
    y = (w + 1).sum()  # add keeps no input
    with torch.no_grad():
        w.zero_()
    y.backward()
    assert w.grad.tolist() == [1.0, 1.0]


def test_in_place_refuses_a_result_it_cannot_hold():
    with pytest.raises(RuntimeError, match="result type float32 can't be cast to the tensor's int64"):
        torch.arange(3).add_(0.5)
    with pytest.raises(RuntimeError, match="does not fit the tensor's \\(3,\\)"):
        torch.zeros(3).add_(torch.ones(2, 3))


def test_fill_zero_uniform_normal_in_place_are_seeded():
    torch.manual_seed(3)
    a = torch.empty(1000).uniform_(-2, 2)
    torch.manual_seed(3)
    b = torch.empty(1000).uniform_(-2, 2)
    assert a.equal(b) and -2 <= a.min().item() and a.max().item() < 2
    n = torch.zeros(10000).normal_(3.0, 0.5)
    assert abs(n.mean().item() - 3.0) < 0.05 and abs(n.std().item() - 0.5) < 0.05
    assert torch.ones(3).fill_(7).tolist() == [7.0] * 3 and torch.ones(2).zero_().tolist() == [0.0, 0.0]


# ----- torch.autograd ---------------------------------------------------------------------------------------
class Cube(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, scale):
        ctx.save_for_backward(x)
        ctx.scale = scale
        return x ** 3 * scale

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        assert ctx.needs_input_grad == (True, False)
        return grad * 3 * x ** 2 * ctx.scale, None


def test_torch_style_function_forward_and_backward():
    x = torch.tensor(np.array([0.5, -1.5, 2.0]), requires_grad=True)
    y = Cube.apply(x, 2.0)
    np.testing.assert_allclose(y.data, 2 * x.data ** 3)
    assert torch.gradcheck(lambda t: Cube.apply(t, 2.0), [x], raise_exception=True)
    assert not Cube.apply(x.detach(), 2.0).requires_grad


def test_torch_style_function_with_wrong_gradient_count_names_it():
    class Bad(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x, y):
            return x * y

        @staticmethod
        def backward(ctx, g):
            return g

    with pytest.raises(RuntimeError, match="Bad.backward returned 1 gradients, expected 2"):
        Bad.apply(torch.ones(2, requires_grad=True), torch.ones(2)).sum().backward()


def test_autograd_grad_matches_backward_and_leaves_grad_alone():
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    h = x.sin()
    y = (h * x).sum()
    gx, gh = torch.autograd.grad(y, [x, h], retain_graph=True)
    assert x.grad is None
    np.testing.assert_allclose(gh.data, x.data)
    y.backward()
    np.testing.assert_allclose(gx.data, x.grad)
    np.testing.assert_allclose(gx.data, np.cos(x.data) * x.data + np.sin(x.data), rtol=1e-6)
    unused = torch.ones(1, requires_grad=True)
    with pytest.raises(RuntimeError, match="input 1 .* was not used"):
        torch.autograd.grad((x * 2).sum(), [x, unused])
    assert torch.autograd.grad((x * 2).sum(), [x, unused], allow_unused=True)[1] is None


def test_retain_grad_keeps_a_non_leaf_gradient():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    h = x * 3
    h.retain_grad()
    (h * h).sum().backward()
    np.testing.assert_allclose(h.grad, 2 * h.data)


def test_set_grad_enabled_and_inference_mode():
    x = torch.ones(2, requires_grad=True)
    with torch.set_grad_enabled(False):
        assert not (x * 2).requires_grad
    with torch.inference_mode():
        assert not (x * 2).requires_grad
    assert (x * 2).requires_grad


# ----- devices -------------------------------------------------------------------------------------------
def test_device_generic_code_runs_on_the_cpu():
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    assert device == torch.device("cpu") and str(device) == "cpu" and not torch.cuda.is_available()
    assert not torch.backends.mps.is_available() and not torch.accelerator.is_available()
    x = torch.randn(2, 3, device=device)
    assert x.to(device) is x and x.cpu() is x and x.device == device
    model = nn.Linear(3, 4).to(device)
    assert model(x).shape == (2, 4)
    assert x.to(device, torch.float64).dtype == torch.float64 and x.to(torch.float64).dtype == np.float64
    assert nn.Linear(2, 2).to(torch.double).weight.dtype == np.float64


def test_an_unavailable_device_is_a_clear_error():
    with pytest.raises(RuntimeError, match="device 'cuda' is not available.*gn.cuda.is_available"):
        torch.ones(2).to("cuda")
    with pytest.raises(RuntimeError, match="device 'cuda:0' is not available"):
        torch.zeros(2, device="cuda:0")
    with pytest.raises(RuntimeError, match="not available"):
        nn.Linear(2, 2).cuda()
    with pytest.raises(RuntimeError, match="device: expected one of cpu, cuda"):
        torch.device("tpu")


# ----- factories and free functions ---------------------------------------------------------------------
def test_factories_take_pytorch_arguments():
    assert torch.randint(5, (3, 4)).shape == (3, 4) and torch.randint(2, 5, (100,)).min().item() >= 2
    assert torch.linspace(0, 1, 5).tolist() == [0.0, 0.25, 0.5, 0.75, 1.0]
    np.testing.assert_allclose(torch.logspace(0, 2, 3).data, [1, 10, 100])
    assert torch.arange(0, 1, 0.25).dtype == np.float32 and torch.arange(5).dtype == np.int64
    assert torch.empty(2, 3).shape == (2, 3) and torch.full_like(torch.ones(2), 4).tolist() == [4.0, 4.0]
    assert torch.zeros_like(torch.arange(3)).dtype == np.int64 and torch.randn_like(torch.ones(4, 2)).shape == (4, 2)
    assert sorted(torch.randperm(6).tolist()) == list(range(6))
    x = torch.ones(2, 3)
    assert x.new_zeros(4).dtype == x.dtype and x.new_ones((2, 2)).shape == (2, 2) and x.new_full((1,), 3).item() == 3
    assert x.new_tensor([1, 2]).dtype == np.float32
    a = np.arange(3.0)
    assert torch.as_tensor(a).data is a and torch.from_numpy(a).data is a and torch.tensor(a).data is not a
    draws = torch.multinomial(torch.tensor([0.0, 1.0, 0.0]), 5, replacement=True)
    assert draws.tolist() == [1] * 5


def test_dtype_aliases_and_size():
    assert torch.float is np.float32 and torch.double is np.float64 and torch.long is np.int64
    assert torch.int is np.int32 and torch.float16 is np.float16 and torch.bool is np.bool_
    x = torch.zeros(2, 3, 4)
    assert x.size() == torch.Size((2, 3, 4)) and x.size(1) == 3 and x.size(-1) == 4 and x.size().numel() == 24
    assert x.dim() == 3 and x.numel() == 24 and torch.numel(x) == 24
    assert x.float().dtype == torch.float and x.long().dtype == torch.long and x.int().dtype == np.int32
    assert x.bool().dtype == np.bool_ and x.half().dtype == np.float16 and x.type() == "torch.FloatTensor"
    assert x.type(torch.float64).dtype == np.float64


def test_max_spellings():
    a = torch.tensor([[1.0, 5.0, 2.0], [4.0, 0.0, 3.0]])
    values, indices = torch.max(a, 1)
    assert values.tolist() == [5.0, 4.0] and indices.tolist() == [1, 0]
    assert a.max(dim=0).indices.tolist() == [1, 0, 1]
    assert a.max(1).tolist() == [5.0, 4.0]  # NumPy's positional axis: the values (the contract) ...
    assert a.max(1).indices.tolist() == [1, 0] and a.min(axis=0).values.tolist() == [1.0, 0.0, 2.0]
    _, predicted = a.max(1)  # ... that also carry PyTorch's indices and unpack as (values, indices)
    assert predicted.tolist() == [1, 0] and (a.max(1) + 1).tolist() == [6.0, 5.0]
    assert torch.max(a).item() == 5.0 and torch.max(a, torch.full((2, 3), 4.5)).max().item() == 5.0


def test_max_gradient_rules_match_pytorch():
    a = torch.tensor([[1.0, 3.0, 3.0]], requires_grad=True)
    a.max().backward()  # full reduction: ties share
    np.testing.assert_allclose(a.grad, [[0, 0.5, 0.5]])
    a.grad = None
    a.max(dim=1).values.sum().backward()  # along a dim: the first maximum only
    np.testing.assert_allclose(a.grad, [[0, 1, 0]])
    n = torch.tensor([1.0, math.nan, 3.0], requires_grad=True)
    n.max().backward()  # NaN is the maximum
    np.testing.assert_allclose(n.grad, [0, 1, 0])


def test_kink_and_nan_gradients_match_pytorch():
    x = torch.tensor([0.0, math.nan, -1.0], requires_grad=True)
    x.abs().sum().backward()
    np.testing.assert_array_equal(x.grad, [0, 0, -1])
    x.grad = None
    x.relu().sum().backward()
    np.testing.assert_array_equal(x.grad, [0, 1, 0])
    a = torch.tensor([1.0, math.nan, 2.0], requires_grad=True)
    b = torch.tensor([1.0, 1.0, math.nan], requires_grad=True)
    torch.maximum(a, b).sum().backward()
    np.testing.assert_array_equal(a.grad, [0.5, 1, 1])
    np.testing.assert_array_equal(b.grad, [0.5, 1, 1])


def test_protocol_methods():
    i = torch.tensor(2)
    assert [10, 20, 30][i] == 30 and f"{torch.tensor(3.14159):.2f}" == "3.14" and int(i) == 2
    rows = list(torch.arange(6).view(3, 2))
    assert len(rows) == 3 and rows[1].tolist() == [2, 3]
    with pytest.raises(TypeError, match="only one-element integer tensors can be used as an index"):
        [1, 2][torch.tensor(1.0)]


def test_integer_beside_index_array_follows_pytorch_not_numpy():
    x = torch.arange(60).view(3, 4, 5)
    assert x[1, :, [0, 1]].shape == (4, 2)  # NumPy would give (2, 4)
    np.testing.assert_array_equal(x[1, :, [0, 1]].data, x.data[1][:, [0, 1]])
    assert x[..., [0, 1], 2].shape == (3, 2) and x[None, 1, [0, 1]].shape == (1, 2, 5)


def test_contiguous_clone_and_detach_share_or_copy_as_pytorch():
    x = torch.ones(3, requires_grad=True)
    c = x.clone()
    c.sum().backward()
    assert x.grad.tolist() == [1.0, 1.0, 1.0] and c.data is not x.data
    d = x.detach()
    assert d.data is x.data and not d.requires_grad
    assert x.contiguous() is x


def test_grad_mode_is_per_thread():
    import threading

    x = torch.ones(2, requires_grad=True)
    seen = {}
    worker = threading.Thread(target=lambda: seen.setdefault("records", (x * 2).requires_grad))
    with torch.no_grad():
        worker.start()
        worker.join()
        assert not (x * 2).requires_grad
    assert seen["records"] is True


def test_parameter_data_and_grad_take_pytorch_in_place_methods():
    lin = nn.Linear(3, 2)
    lin.weight.data.normal_(0.0, 0.02)
    lin.bias.data.fill_(0)
    assert abs(float(lin.weight.data.std())) < 0.1 and lin.bias.data.tolist() == [0.0, 0.0]
    lin(torch.ones(4, 3)).sum().backward()
    expected = lin.bias.data - 0.1 * lin.bias.grad
    for p in lin.parameters():
        p.data.add_(p.grad, alpha=-0.1)  # the word-language-model example's update
        p.grad.data.clamp_(-1, 1)
    np.testing.assert_allclose(lin.bias.data, expected)
    assert lin.weight.grad.norm() > 0 and repr(lin.bias.grad).startswith("array(")
    lin.zero_grad(set_to_none=False)
    assert lin.weight.grad.tolist() == [[0.0] * 3] * 2
    assert type(lin(torch.ones(1, 3)).data) is np.ndarray  # op results stay plain arrays
    assert isinstance(lin.state_dict()["weight"], np.ndarray)


def test_deprecated_number_first_overloads_warn_and_compute_as_pytorch():
    # word_language_model's `p.data.add_(-lr, p.grad.data)`; old optimisers' addcmul_(value, t1, t2)
    p = nn.Parameter(torch.ones(3))
    g = np.array([1.0, 2.0, 4.0], dtype=np.float32)
    with pytest.warns(UserWarning, match="deprecated PyTorch overload"):
        p.data.add_(-0.5, g)
    np.testing.assert_allclose(p.data, [0.5, 0.0, -1.0])
    with pytest.warns(UserWarning):
        p.data.addcmul_(2, g, g).addcdiv_(1, g, np.float32(2) * g)
    np.testing.assert_allclose(p.data, [3.0, 8.5, 31.5])
    t = torch.zeros(3)
    with pytest.warns(UserWarning):
        t.sub_(2, torch.tensor(g)).addcmul_(0.5, torch.tensor(g), torch.ones(3))
        out = t.add(3, torch.ones(3))
    np.testing.assert_allclose(t.data, [-1.5, -3.0, -6.0])
    np.testing.assert_allclose(out.data, [1.5, 0.0, -3.0])
    np.testing.assert_allclose(t.add(torch.ones(3), alpha=2).data, [0.5, -1.0, -4.0])  # today's spelling unchanged


def test_legacy_typed_constructors_take_data_or_sizes():
    # word_language_model's export: torch.LongTensor(seq_len * batch_size).zero_().view(-1, batch_size)
    t = torch.LongTensor(6).zero_().view(-1, 2)
    assert t.shape == (3, 2) and t.dtype == np.int64 and t.tolist() == [[0, 0]] * 3
    f = torch.FloatTensor([[1, 2]])
    assert f.dtype == np.float32 and f.tolist() == [[1.0, 2.0]]
    assert torch.DoubleTensor(2, 3).dtype == np.float64 and torch.DoubleTensor((2, 3)).tolist() == [2.0, 3.0]  # data
    assert torch.BoolTensor([1, 0]).tolist() == [True, False] and torch.ByteTensor(2).dtype == np.uint8
    with pytest.raises(TypeError, match="LongTensor: shape must be ints"):
        torch.LongTensor(2, 1.5)


def test_functional_relu_accepts_inplace_as_pytorch():
    import gradnote.nn.functional as F

    x = torch.tensor([-1.0, 0.5], requires_grad=True)
    y = F.relu(x, inplace=True)
    y.sum().backward()
    assert y.tolist() == [0.0, 0.5] and x.grad.tolist() == [0.0, 1.0]


def test_matmul_mm_take_pytorch_keyword_names():
    a, b = np.arange(6.0).reshape(2, 3), np.arange(12.0).reshape(3, 4)
    np.testing.assert_allclose(torch.matmul(input=torch.tensor(a), other=torch.tensor(b)).numpy(), a @ b)
    np.testing.assert_allclose(torch.matmul(input=torch.tensor(a[0]), other=torch.tensor(a[1])).item(), a[0] @ a[1])


def test_next_functions_walk_the_graph_to_the_leaves():
    x, w, c = torch.ones(2, 3, requires_grad=True), torch.ones(3, 4, requires_grad=True), torch.ones(2, 4)
    loss = ((x @ w) + c).sum()
    add = loss.grad_fn.next_functions[0][0]
    (mm, _), (none, _) = add.next_functions
    assert none is None and type(mm).__name__ == "MatMul"
    leaves = [node.variable for node, _ in mm.next_functions]
    assert leaves[0] is x and leaves[1] is w
    loss.backward()
    assert loss.grad_fn.next_functions == ()
    np.testing.assert_allclose(x.grad, np.full((2, 3), 4.0))


def test_default_device_is_the_cpu_and_others_are_refused():
    torch.set_default_device("cpu")
    torch.set_default_device(None)
    assert str(torch.get_default_device()) == "cpu"
    with pytest.raises(RuntimeError, match="'cuda' is not available"):
        torch.set_default_device("cuda")


def test_free_functions_write_into_out_as_pytorch():
    a, b = np.arange(6.0).reshape(2, 3), np.linspace(1, 2, 6).reshape(3, 2)
    out = torch.zeros(2, 2, dtype=torch.float64)
    assert torch.matmul(torch.tensor(a), torch.tensor(b), out=out) is out
    np.testing.assert_allclose(out.numpy(), a @ b)
    into = torch.empty(2, 3, dtype=torch.float64)
    torch.add(torch.tensor(a), torch.tensor(a), out=into)
    np.testing.assert_allclose(into.numpy(), a + a)
    torch.mul(torch.tensor(a), 3, out=into)
    np.testing.assert_allclose(into.numpy(), a * 3)
    with pytest.raises(ValueError, match=r"add: out has shape \(2, 2\).*\(2, 3\)"):
        torch.add(torch.tensor(a), 1, out=out)
    with pytest.raises(RuntimeError, match="out=.*automatic differentiation"):
        torch.mul(torch.tensor(a, requires_grad=True), 2, out=into)


def test_autograd_variable_is_a_detached_leaf_as_pytorch():
    from gradnote.autograd import Variable
    x = torch.ones(2, requires_grad=True)
    v = Variable(x * 2)
    assert v.grad_fn is None and not v.requires_grad
    np.testing.assert_allclose(v.numpy(), [2.0, 2.0])
    w = Variable(torch.ones(2), requires_grad=True)
    assert w.requires_grad and w.is_leaf
    with pytest.raises(TypeError, match="Variable: data has to be a Tensor, got list"):
        Variable([1, 2])


def test_a_tensor_assigned_to_grad_is_used_by_the_optimisers():
    w = nn.Parameter(torch.ones(3))
    opt = torch.optim.SGD([w], lr=0.5)
    w.grad = torch.tensor([1.0, 2.0, 3.0])  # PyTorch code assigns tensors to .grad
    opt.step()
    np.testing.assert_allclose(w.data, [0.5, 0.0, -0.5])


def test_factories_write_into_out():
    r = torch.full((2, 2), 7.0)
    assert torch.zeros(2, 2, out=r) is r and r.tolist() == [[0.0, 0.0], [0.0, 0.0]]
    assert torch.ones(3, out=r) is r and r.tolist() == [1.0, 1.0, 1.0]
