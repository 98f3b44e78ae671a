"""nn.Module.register_full_backward_hook / register_full_backward_pre_hook: what the hooks see (against NumPy
gradients), replacements flowing on, ordering through containers, removal, no_grad, bad hooks."""

import numpy as np
import pytest

import gradnote as gn
from gradnote import nn

RNG = np.random.default_rng(0)


def _linear():
    m = nn.Linear(3, 2).to(gn.float64)
    m.weight.data[...] = RNG.standard_normal((2, 3))
    return m


def _x(requires_grad=True):
    return gn.tensor(RNG.standard_normal((4, 3)), requires_grad=requires_grad)


def test_hook_sees_the_module_gradients_and_pre_hook_the_output_gradient():
    m, x = _linear(), _x()
    seen, pre = [], []
    m.register_full_backward_hook(lambda mod, gi, go: seen.append((mod, gi, go)))
    m.register_full_backward_pre_hook(lambda mod, go: pre.append(go))
    y = m(x)
    (y * y).sum().backward()
    go = 2 * (x.data @ m.weight.data.T + m.bias.data)
    (mod, gi, gout), = seen
    assert mod is m and len(gi) == 1 and len(gout) == 1 and len(pre) == 1
    np.testing.assert_allclose(gout[0].data, go)
    np.testing.assert_allclose(pre[0][0].data, go)
    np.testing.assert_allclose(gi[0].data, go @ m.weight.data)
    np.testing.assert_allclose(x.grad, go @ m.weight.data)


def test_replacements_flow_on():
    m, x = _linear(), _x()
    m.register_full_backward_pre_hook(lambda mod, go: (go[0] * 0.5,))
    m.register_full_backward_hook(lambda mod, gi, go: (gi[0] + 1.0,))
    m(x).sum().backward()
    ones = np.full((4, 2), 0.5)
    np.testing.assert_allclose(m.weight.grad, ones.T @ x.data)  # the pre-hook's grad_output reaches the weight
    np.testing.assert_allclose(x.grad, ones @ m.weight.data + 1.0)


def test_inputs_without_gradient():
    m = _linear()
    seen = []
    m.register_full_backward_hook(lambda mod, gi, go: seen.append(gi))
    m(_x(requires_grad=False)).sum().backward()
    assert seen == [(None,)]  # called at the output's gradient, with None for each input

    class Mul(nn.Module):
        def forward(self, a, b, scale):
            return a * b * scale

    mul, got = Mul(), []
    mul.register_full_backward_hook(lambda mod, gi, go: got.append(gi) or (gi[0] * 2, gi[1], gi[2]))
    a, b = gn.tensor(RNG.standard_normal(3), requires_grad=True), gn.tensor(RNG.standard_normal(3))
    mul(a, b, 3.0).sum().backward()
    gi, = got
    np.testing.assert_allclose(gi[0].data, 3.0 * b.data)
    np.testing.assert_array_equal(gi[1].data, np.zeros(3))  # a tensor needing no gradient: zeros, as PyTorch
    assert gi[2] is None  # not a tensor
    np.testing.assert_allclose(a.grad, 6.0 * b.data)
    b.requires_grad = True
    mul(a, b, 1.0).sum().backward()
    np.testing.assert_allclose(b.grad, a.data)  # several gated inputs, packed and unpacked


def test_order_through_containers_and_removal():
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2)).to(gn.float64)
    order = []
    handles = [sub.register_full_backward_hook(lambda mod, gi, go, i=i: order.append(i)) for i, sub in enumerate(model)]
    model.register_full_backward_hook(lambda mod, gi, go: order.append("outer"))
    model[2].register_full_backward_hook(lambda mod, gi, go: order.append("first"), prepend=True)
    x = _x()
    model(x).sum().backward()
    assert order == ["first", 2, 1, 0, "outer"]
    for h in handles:
        h.remove()
    order.clear()
    model(x).sum().backward()
    assert order == ["first", "outer"]
    order.clear()
    with gn.no_grad():
        model(x)
    assert order == []


def test_gradients_unchanged_by_observing_hooks():
    m = nn.Sequential(nn.Linear(3, 3), nn.Tanh()).to(gn.float64)
    m.register_full_backward_hook(lambda mod, gi, go: None)
    m[0].register_full_backward_pre_hook(lambda mod, go: None)
    assert gn.gradcheck(lambda x: m(x), [_x()])

    class Two(nn.Module):
        def forward(self, x):
            return x * 2, x.exp()

    two = Two()
    two.register_full_backward_pre_hook(lambda mod, go: (go[0] * 0, go[1]))
    x = _x()
    p, q = two(x)
    (p.sum() + q.sum()).backward()
    np.testing.assert_allclose(x.grad, np.exp(x.data))
    observed = Two()
    observed.register_full_backward_pre_hook(lambda mod, go: None)
    assert gn.gradcheck(lambda x: sum((o * o).sum() for o in observed(x)), [_x()])


def test_bad_hooks():
    m = _linear()
    with pytest.raises(TypeError, match="a backward hook must be callable"):
        m.register_full_backward_hook(3)
    m.register_full_backward_hook(lambda mod, gi, go: (gi[0], gi[0]))
    with pytest.raises(RuntimeError, match="register_full_backward_hook: the hook returned 2 grad_input entries, "
                                           "expected 1"):
        m(_x()).sum().backward()
    m2 = _linear()
    m2.register_full_backward_pre_hook(lambda mod, go: (gn.zeros(5),))
    with pytest.raises(RuntimeError, match=r"returned a grad_output of shape \(5,\) for one of shape \(4, 2\)"):
        m2(_x()).sum().backward()
