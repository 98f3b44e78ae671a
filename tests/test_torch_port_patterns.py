"""Patterns met while porting PyTorch tutorials/examples (issue 9), each reproduced on small data with a NumPy
reference: the program is not run here, only the construct that stopped it."""
import numpy as np

import gradnote as gn


def test_max_with_torch_keepdim_gives_torch_values_and_indices():
    # spatial_transformer / old mnist: `pred = output.max(1, keepdim=True)[1]`
    a = np.random.default_rng(0).standard_normal((5, 4)).astype(np.float32)
    x = gn.tensor(a, requires_grad=True)
    for keep in (True, False):
        got = x.max(1, keepdim=keep)
        np.testing.assert_array_equal(got[1].numpy(), a.argmax(1, keepdims=keep))
        np.testing.assert_array_equal(got[0].numpy(), a.max(1, keepdims=keep))
        np.testing.assert_array_equal(x.min(-1, keepdim=keep)[1].numpy(), a.argmin(-1, keepdims=keep))
    got = x.max(1, keepdim=True)
    got.values.sum().backward()
    want = np.zeros_like(a)
    want[np.arange(5), a.argmax(1)] = 1
    np.testing.assert_array_equal(x.grad, want)
    # NumPy's spelling keeps NumPy's meaning: values, indexed as values
    np.testing.assert_array_equal(x.max(1)[1].numpy(), a.max(1)[1])
    np.testing.assert_array_equal(x.max(1, keepdims=True).numpy(), a.max(1, keepdims=True))


def test_steplr_takes_a_whole_float_step_size():
    # transformer_tutorial: StepLR(optimizer, 1.0, gamma=0.95)
    opt = gn.optim.SGD([gn.nn.Parameter(gn.zeros(1))], lr=5.0)
    sched = gn.optim.lr_scheduler.StepLR(opt, 1.0, gamma=0.95)
    lrs = []
    for _ in range(3):
        opt.step()
        sched.step()
        lrs.append(sched.get_last_lr()[0])
    np.testing.assert_allclose(lrs, 5.0 * 0.95 ** np.arange(1, 4))
    for bad in (2.5, 0, -1.0):
        try:
            gn.optim.lr_scheduler.StepLR(opt, bad)
        except ValueError as e:
            assert "StepLR: step_size" in str(e)
        else:
            raise AssertionError(f"StepLR accepted step_size={bad}")


def test_replacing_a_submodule_keeps_its_place():
    # siamese_network: `resnet.conv1 = nn.Conv2d(1, ...)` then `nn.Sequential(*list(resnet.children())[:-1])`
    class Net(gn.nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = gn.nn.Conv2d(3, 4, 3)
            self.bn1 = gn.nn.BatchNorm2d(4)
            self.fc = gn.nn.Linear(4, 2)

    net = Net()
    net.conv1 = gn.nn.Conv2d(1, 4, 3)
    assert [n for n, _ in net.named_children()] == ["conv1", "bn1", "fc"]
    assert list(net.state_dict())[:2] == ["conv1.weight", "conv1.bias"]
    body = gn.nn.Sequential(*list(net.children())[:-1])
    assert body(gn.zeros(2, 1, 5, 5)).shape == (2, 4, 3, 3)
    # a name that changes kind moves to its new registry (a module replaced by a plain value leaves children())
    net.bn1 = None
    assert [n for n, _ in net.named_children()] == ["conv1", "fc"]
    net.conv1.bias = gn.nn.Parameter(gn.ones(4))
    assert [n for n, _ in net.conv1.named_parameters()] == ["weight", "bias"]


def test_linear_subclass_passes_torch_positional_device_dtype():
    # mnist_forward_forward: class Layer(nn.Linear): super().__init__(in_f, out_f, bias, device, dtype)
    class Layer(gn.nn.Linear):
        def __init__(self, in_features, out_features, bias=True, device=None, dtype=None):
            super().__init__(in_features, out_features, bias, device, dtype)

    layer = Layer(3, 2)
    assert layer.weight.dtype == np.float32 and layer.weight.shape == (2, 3)
    wide = Layer(3, 2, True, "cpu", gn.float64)
    assert wide.weight.dtype == np.float64 and wide.bias.dtype == np.float64
    x = np.random.default_rng(0).standard_normal((4, 3))
    np.testing.assert_allclose(wide(gn.tensor(x)).numpy(), x @ wide.weight.data.T + wide.bias.data)
    assert Layer(3, 2, False).bias is None


def test_xpu_is_reported_unavailable():
    # mnist_forward_forward: use_xpu = not args.no_xpu and torch.xpu.is_available()
    assert gn.xpu.is_available() is False and gn.xpu.device_count() == 0


def test_conv2d_takes_torch_positional_padding_mode_device_dtype():
    # a Conv2d subclass forwarding torch's full positional list: (..., groups, bias, padding_mode, device, dtype);
    # 'zeros' used to land in gradnote's init= and silently zeroed the weights
    conv = gn.nn.Conv2d(1, 4, 3, 1, 1, 1, 1, True, "zeros", None, gn.float64)
    assert conv.padding_mode == "zeros" and conv.weight.dtype == np.float64
    assert np.abs(conv.weight.data).max() > 0
    assert gn.nn.Conv2d(1, 4, 3, 1, 1, 1, 1, True, "reflect").padding_mode == "reflect"
    assert gn.nn.LazyConv2d(4, 3, 1, 0, 1, 1, True, "circular").padding_mode == "circular"
    assert np.abs(gn.nn.Conv2d(1, 4, 3, init="zeros").weight.data).max() == 0
