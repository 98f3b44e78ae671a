"""Module table for the PyTorch-spelled layers: forward against a NumPy reference (the ones written in
test_torch_functional), parameter names and shapes as torch's (so state dicts exchange), state_dict round
trip, float64 gradcheck through input and parameters, torch's init bounds and refused hyperparameters."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pytest
from test_torch_conv_ctc import BAD as CONV_CTC_BAD
from test_torch_conv_ctc import ROWS as CONV_CTC_ROWS
from test_torch_functional import (
    SELU_A,
    SELU_S,
    away,
    np_adaptive,
    np_conv1d,
    np_conv_transpose2d,
    np_pool2d,
    np_resize,
    np_softplus,
)
from test_torch_layers_more import BAD as MORE_BAD
from test_torch_layers_more import ROWS as MORE_ROWS

import gradnote as gn
import gradnote.nn as nn


@dataclass
class LayerCase:
    name: str
    make: Callable  # () -> Module
    inputs: list  # shapes of the float inputs
    ref: Callable  # ref(module_state_dict_as_float64_arrays, *inputs) -> ndarray
    params: dict = field(default_factory=dict)  # torch's parameter names -> shapes
    kinks: tuple = (0.0,)
    gradcheck: bool = True


def _pad_1d(x, p, mode):
    return np.pad(x, ((0, 0), (0, 0), (p, p)), mode=mode)


CASES = [
    LayerCase("Conv1d", lambda: nn.Conv1d(3, 4, 3, stride=2, padding=1), [(2, 3, 9)],
              lambda sd, x: np_conv1d(x, sd["weight"], sd["bias"], 2, 1), {"weight": (4, 3, 3), "bias": (4,)}),
    LayerCase("Conv1d-groups-nobias", lambda: nn.Conv1d(4, 6, 2, dilation=2, groups=2, bias=False), [(2, 4, 8)],
              lambda sd, x: np_conv1d(x, sd["weight"], None, 1, 0, 2, 2), {"weight": (6, 2, 2)}),
    LayerCase("Conv1d-reflect", lambda: nn.Conv1d(2, 3, 3, padding=2, padding_mode="reflect"), [(1, 2, 7)],
              lambda sd, x: np_conv1d(_pad_1d(x, 2, "reflect"), sd["weight"], sd["bias"]),
              {"weight": (3, 2, 3), "bias": (3,)}),
    LayerCase("Conv2d-circular", lambda: nn.Conv2d(2, 3, 3, padding=1, padding_mode="circular"), [(1, 2, 5, 4)],
              lambda sd, x: _np_conv2d(np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)), mode="wrap"), sd["weight"], sd["bias"]),
              {"weight": (3, 2, 3, 3), "bias": (3,)}),
    LayerCase("Conv2d-same-replicate", lambda: nn.Conv2d(2, 3, 2, padding="same", padding_mode="replicate"), [(1, 2, 5, 4)],
              lambda sd, x: _np_conv2d(np.pad(x, ((0, 0), (0, 0), (0, 1), (0, 1)), mode="edge"), sd["weight"], sd["bias"]),
              {"weight": (3, 2, 2, 2), "bias": (3,)}),
    LayerCase("ConvTranspose2d", lambda: nn.ConvTranspose2d(4, 6, 3, stride=2, padding=1, output_padding=1, groups=2),
              [(2, 4, 3, 4)], lambda sd, x: np_conv_transpose2d(x, sd["weight"], sd["bias"], 2, 1, 1, 2),
              {"weight": (4, 3, 3, 3), "bias": (6,)}),
    LayerCase("AdaptiveAvgPool2d", lambda: nn.AdaptiveAvgPool2d((3, None)), [(2, 3, 7, 5)],
              lambda sd, x: np_adaptive(x, (3, 5), np.mean)),
    LayerCase("AdaptiveMaxPool2d", lambda: nn.AdaptiveMaxPool2d(2), [(2, 3, 7, 5)], lambda sd, x: np_adaptive(x, (2, 2), np.max)),
    LayerCase("AdaptiveAvgPool1d", lambda: nn.AdaptiveAvgPool1d(3), [(2, 3, 8)],
              lambda sd, x: np_adaptive(x[:, :, None], (1, 3), np.mean)[:, :, 0]),
    LayerCase("AdaptiveMaxPool1d", lambda: nn.AdaptiveMaxPool1d(3), [(2, 3, 8)],
              lambda sd, x: np_adaptive(x[:, :, None], (1, 3), np.max)[:, :, 0]),
    LayerCase("MaxPool2d-ceil", lambda: nn.MaxPool2d(2, ceil_mode=True), [(1, 2, 5, 5)],
              lambda sd, x: np_pool2d(x, 2, 2, 0, True, "max")),
    LayerCase("AvgPool2d-ceil-nopad", lambda: nn.AvgPool2d(3, 2, 1, ceil_mode=True, count_include_pad=False), [(1, 2, 6, 6)],
              lambda sd, x: np_pool2d(x, 3, 2, 1, True, "avg", count_include_pad=False)),
    LayerCase("MaxPool1d", lambda: nn.MaxPool1d(2), [(2, 3, 8)], lambda sd, x: x.reshape(2, 3, 4, 2).max(axis=3)),
    LayerCase("AvgPool1d", lambda: nn.AvgPool1d(2), [(2, 3, 8)], lambda sd, x: x.reshape(2, 3, 4, 2).mean(axis=3)),
    LayerCase("Upsample-nearest", lambda: nn.Upsample(scale_factor=2), [(1, 2, 3, 2)],
              lambda sd, x: x.repeat(2, axis=2).repeat(2, axis=3)),
    LayerCase("Upsample-bilinear", lambda: nn.Upsample(size=(5, 3), mode="bilinear", align_corners=True), [(1, 2, 3, 2)],
              lambda sd, x: np_resize(x, (5, 3), "bilinear", True)),
    LayerCase("Dropout2d-eval", lambda: nn.Dropout2d(0.3).eval(), [(2, 3, 2, 2)], lambda sd, x: x),
    LayerCase("Dropout1d-eval", lambda: nn.Dropout1d(0.3).eval(), [(2, 3, 4)], lambda sd, x: x),
    LayerCase("Identity", lambda: nn.Identity(3, bias=False), [(2, 3)], lambda sd, x: x),
    LayerCase("SiLU", nn.SiLU, [(3, 4)], lambda sd, x: x / (1 + np.exp(-x))),
    LayerCase("Softplus", lambda: nn.Softplus(beta=2.0, threshold=5.0), [(3, 4)], lambda sd, x: np_softplus(x, 2.0, 5.0),
              kinks=(2.5,)),
    LayerCase("Hardtanh", lambda: nn.Hardtanh(-2.0, 0.5), [(3, 4)], lambda sd, x: np.clip(x, -2, 0.5), kinks=(-2.0, 0.5)),
    LayerCase("PReLU", lambda: nn.PReLU(3, init=0.1), [(2, 3, 4)], lambda sd, x: np.where(x > 0, x, sd["weight"][:, None] * x),
              {"weight": (3,)}),
    LayerCase("ReLU6", nn.ReLU6, [(3, 4)], lambda sd, x: np.clip(x, 0, 6)),
    LayerCase("Mish", nn.Mish, [(3, 4)], lambda sd, x: x * np.tanh(np.log1p(np.exp(x)))),
    LayerCase("Hardswish", nn.Hardswish, [(3, 4)], lambda sd, x: x * np.clip(x + 3, 0, 6) / 6, kinks=(0.0, -3.0, 3.0)),
    LayerCase("Hardsigmoid", nn.Hardsigmoid, [(3, 4)], lambda sd, x: np.clip(x + 3, 0, 6) / 6, kinks=(-3.0, 3.0)),
    LayerCase("Softsign", nn.Softsign, [(3, 4)], lambda sd, x: x / (1 + np.abs(x))),
    LayerCase("LogSigmoid", nn.LogSigmoid, [(3, 4)], lambda sd, x: -np.log1p(np.exp(-x))),
    LayerCase("SELU", nn.SELU, [(3, 4)], lambda sd, x: SELU_S * np.where(x > 0, x, SELU_A * np.expm1(x))),
    LayerCase("CELU", lambda: nn.CELU(2.0), [(3, 4)], lambda sd, x: np.maximum(x, 0) + np.minimum(0, 2 * np.expm1(x / 2))),
    LayerCase("Softmin", lambda: nn.Softmin(dim=1), [(3, 4)], lambda sd, x: np.exp(-x) / np.exp(-x).sum(1, keepdims=True)),
    LayerCase("SmoothL1Loss", lambda: nn.SmoothL1Loss(beta=0.5), [(3, 4), (3, 4)],
              lambda sd, x, t: np.mean(np.where(np.abs(x - t) < 0.5, (x - t) ** 2, np.abs(x - t) - 0.25))),
    LayerCase("KLDivLoss-batchmean", lambda: nn.KLDivLoss(reduction="batchmean", log_target=True), [(3, 4), (3, 4)],
              lambda sd, q, t: (np.exp(t) * (t - q)).sum() / 3),
    LayerCase("CosineSimilarity", lambda: nn.CosineSimilarity(dim=0), [(4, 3), (4, 3)],
              lambda sd, a, b: (a * b).sum(0) / (np.linalg.norm(a, axis=0) * np.linalg.norm(b, axis=0))),
    LayerCase("PairwiseDistance", lambda: nn.PairwiseDistance(p=1.0), [(4, 3), (4, 3)],
              lambda sd, a, b: np.abs(a - b + 1e-6).sum(-1)),
    LayerCase("InstanceNorm2d-affine", lambda: _shifted(nn.InstanceNorm2d(3, affine=True)), [(2, 3, 4, 5)],
              lambda sd, x: _np_instance_norm(x, (2, 3)) * sd["weight"][:, None, None] + sd["bias"][:, None, None],
              {"weight": (3,), "bias": (3,)}),
    LayerCase("InstanceNorm1d-unbatched", lambda: nn.InstanceNorm1d(3), [(3, 6)], lambda sd, x: _np_instance_norm(x, (1,))),
    LayerCase("ReflectionPad2d", lambda: nn.ReflectionPad2d((1, 2, 0, 2)), [(1, 2, 4, 5)],
              lambda sd, x: np.pad(x, ((0, 0), (0, 0), (0, 2), (1, 2)), mode="reflect")),
    LayerCase("ReplicationPad1d", lambda: nn.ReplicationPad1d(2), [(2, 3, 4)], lambda sd, x: _pad_1d(x, 2, "edge")),
    LayerCase("ConstantPad2d", lambda: nn.ConstantPad2d(1, 3.5), [(1, 2, 2, 3)],
              lambda sd, x: np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)), constant_values=3.5)),
    LayerCase("PixelShuffle", lambda: nn.PixelShuffle(2), [(2, 8, 3, 2)],
              lambda sd, x: x.reshape(2, 2, 2, 2, 3, 2).transpose(0, 1, 4, 2, 5, 3).reshape(2, 2, 6, 4)),
    LayerCase("PixelUnshuffle", lambda: nn.PixelUnshuffle(2), [(1, 2, 4, 6)],
              lambda sd, x: x.reshape(1, 2, 2, 2, 3, 2).transpose(0, 1, 3, 5, 2, 4).reshape(1, 8, 2, 3)),
]


def _np_instance_norm(x, axes, eps=1e-5):
    return (x - x.mean(axes, keepdims=True)) / np.sqrt(x.var(axes, keepdims=True) + eps)


def _shifted(m):
    """Affine parameters away from 1 and 0 (seeded draws), so the reference checks that they are applied."""
    m.weight.data.normal_(1.0, 0.5)
    m.bias.data.normal_(0.0, 0.5)
    return m


CASES += [LayerCase(*row) for row in MORE_ROWS]
CASES += [LayerCase(*row) for row in CONV_CTC_ROWS]
IDS = [c.name for c in CASES]


def _np_conv2d(x, w, b):
    win = np.lib.stride_tricks.sliding_window_view(x, w.shape[2:], axis=(2, 3))
    return np.einsum("nchwuv,ocuv->nohw", win, w) + b[:, None, None]


def _setup(case, dtype=np.float64):
    gn.manual_seed(0)
    module = case.make().to(dtype)
    rng = np.random.default_rng(5)
    arrays = [away(rng.standard_normal(s) * 2, case.kinks).astype(dtype) for s in case.inputs]
    return module, arrays


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_forward_matches_numpy_reference(case):
    module, arrays = _setup(case)
    out = module(*[gn.tensor(a) for a in arrays])
    sd = {k: np.asarray(v, dtype=np.float64) for k, v in module.state_dict().items()}
    np.testing.assert_allclose(out.data, case.ref(sd, *arrays), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_parameter_names_and_shapes_are_torchs(case):
    module = case.make()
    assert {k: v.shape for k, v in module.state_dict().items()} == case.params
    assert all(p.dtype == np.float32 for p in module.parameters())


@pytest.mark.parametrize("case", [c for c in CASES if c.params], ids=[c.name for c in CASES if c.params])
def test_state_dict_round_trip(case):
    module, arrays = _setup(case)
    gn.manual_seed(1)
    other = case.make().to(np.float64)
    inputs = [gn.tensor(a) for a in arrays]
    assert not np.allclose(other(*inputs).data, module(*inputs).data) or case.name == "PReLU"
    other.load_state_dict({k: v.copy() for k, v in module.state_dict().items()})
    np.testing.assert_array_equal(other(*inputs).data, module(*inputs).data)


@pytest.mark.parametrize("case", [c for c in CASES if c.gradcheck], ids=[c.name for c in CASES if c.gradcheck])
def test_gradcheck_float64_through_input_and_parameters(case):
    module, arrays = _setup(case)
    inputs = [gn.tensor(a, requires_grad=True) for a in arrays]
    params = list(module.parameters())
    assert gn.gradcheck(lambda *ts: module(*ts[:len(inputs)]), inputs + params, raise_exception=True)


@pytest.mark.parametrize("make, fan_in", [
    (lambda: nn.Conv1d(6, 8, 5, groups=2), 3 * 5),
    (lambda: nn.ConvTranspose2d(4, 6, 3, groups=2), 3 * 9),  # torch's fan_in of (in, out/groups, kh, kw) is dim 1
])
def test_conv_init_is_torchs_kaiming_uniform(make, fan_in):
    layer = make()
    bound = 1 / math.sqrt(fan_in)  # kaiming_uniform_(a=sqrt(5)) and the bias share this bound
    for p in (layer.weight.data, layer.bias.data):
        assert np.abs(p).max() <= bound
    assert np.abs(layer.weight.data).max() > 0.8 * bound


def test_containers_register_what_they_hold_under_torchs_names():
    heads = nn.ModuleDict({"cls": nn.Linear(4, 3)})
    heads["box"] = nn.Linear(4, 2)
    model = nn.ModuleDict({"heads": heads, "scales": nn.ParameterList([gn.ones(2), np.zeros(3)]),
                           "extra": nn.ParameterDict({"bias": gn.zeros(4)})})
    names = list(model.state_dict())
    assert names == ["heads.cls.weight", "heads.cls.bias", "heads.box.weight", "heads.box.bias", "scales.0", "scales.1",
                     "extra.bias"]
    assert sum(1 for _ in model.parameters()) == 7
    model.double()
    assert model["scales"][1].dtype == np.float64 and model["extra"]["bias"].dtype == np.float64
    assert list(heads.keys()) == ["cls", "box"] and "box" in heads and len(heads) == 2
    assert heads.pop("box").out_features == 2 and list(heads) == ["cls"]
    assert "heads.box.weight" not in model.state_dict()
    plist = model["scales"]
    plist[0] = gn.full((2,), 5.0)
    assert isinstance(plist[0], nn.Parameter) and plist[0].tolist() == [5.0, 5.0]
    with pytest.raises(KeyError, match="ModuleDict: keys must be non-empty strings without '.', got 'a.b'"):
        heads["a.b"] = nn.Linear(1, 1)
    with pytest.raises(KeyError, match="ParameterDict: key 'forward' would hide"):
        nn.ParameterDict({"forward": gn.ones(1)})
    with pytest.raises(TypeError, match="ModuleDict: expected a Module, got int"):
        heads["x"] = 3


def test_layers_accept_torchs_keyword_arguments():
    conv = nn.Conv2d(3, 4, 3, padding_mode="zeros", device="cpu", dtype=gn.float64)
    assert conv.weight.dtype == np.float64 and conv.bias.dtype == np.float64
    assert nn.PReLU(device=None, dtype=gn.float64).weight.dtype == np.float64
    assert nn.Conv1d(2, 2, 3, dtype=gn.float64).weight.dtype == np.float64
    t = nn.ConvTranspose2d(2, 3, 3, stride=2, padding=1)
    assert t(gn.randn(1, 2, 4, 4), output_size=(8, 8)).shape == (1, 3, 8, 8)
    with pytest.raises(ValueError, match=r"ConvTranspose2d: output_size \(9, 9\) is not reachable"):
        t(gn.randn(1, 2, 4, 4), output_size=(9, 9))


@pytest.mark.parametrize("make, exc, match", [
    (lambda: nn.Conv2d(3, 4, 3, padding_mode="mirror"), ValueError, "Conv2d: padding_mode must be one of.*'mirror'"),
    (lambda: nn.Conv2d(3, 4, 3, stride=2, padding="same"), ValueError, "Conv2d: padding='same' needs stride 1"),
    (lambda: nn.Conv1d(3, 4, 3, padding="full"), ValueError, "Conv1d: padding must be.*'full'"),
    (lambda: nn.Conv1d(3, 4, 3, groups=2), ValueError, r"Conv1d: in_channels \(3\) and out_channels \(4\)"),
    (lambda: nn.Conv1d(0, 4, 3), ValueError, "Conv1d: in_channels must be a positive int, got 0"),
    (lambda: nn.ConvTranspose2d(2, 2, 3, padding_mode="reflect"), ValueError, "only padding_mode='zeros'"),
    (lambda: nn.ConvTranspose2d(2, 2, 3, stride=2, output_padding=2), ValueError, "output_padding must be smaller"),
    (lambda: nn.MaxPool2d(2, dilation=2), NotImplementedError, "MaxPool2d: dilation=2 is not supported"),
    (lambda: nn.MaxPool1d(3, padding=2), ValueError, "MaxPool1d: padding must be at most half the kernel size"),
    (lambda: nn.AvgPool1d((2, 2)), ValueError, "AvgPool1d: kernel_size must be an int or a 1-tuple"),
    (lambda: nn.AvgPool2d(2, divisor_override=0), ValueError, "AvgPool2d: divisor_override must be a positive int, got 0"),
    (lambda: nn.Upsample(), ValueError, "Upsample: give exactly one of size and scale_factor"),
    (lambda: nn.Upsample(scale_factor=2, mode="trilinear"), ValueError, "Upsample: mode must be.*'trilinear'"),
    (lambda: nn.Hardtanh(1.0, 1.0), ValueError, "Hardtanh: min_val must be less than max_val"),
    (lambda: nn.Softplus(beta=-1), ValueError, "Softplus: beta must be a positive number, got -1"),
    (lambda: nn.CELU(0), ValueError, "CELU: alpha must not be 0, got 0"),
    (lambda: nn.PReLU(0), ValueError, "PReLU: num_parameters must be a positive integer, got 0"),
    (lambda: nn.SmoothL1Loss(beta=-0.5), ValueError, "SmoothL1Loss: beta must be a non-negative number, got -0.5"),
    (lambda: nn.KLDivLoss(reduction="avg"), ValueError, "KLDivLoss: reduction must be one of.*'avg'"),
    (lambda: nn.Dropout2d(1.5), ValueError, r"p must be in \[0, 1\], got 1.5"),
    *MORE_BAD,
    *CONV_CTC_BAD,
])
def test_bad_hyperparameters_are_refused_in_init(make, exc, match):
    with pytest.raises(exc, match=match):
        make()


def test_layer_norm_without_bias_has_a_scale_only():
    ln = nn.LayerNorm(4, bias=False).double()
    assert [n for n, _ in ln.named_parameters()] == ["weight"] and ln.bias is None
    x = gn.tensor(np.random.default_rng(0).standard_normal((3, 4)), requires_grad=True)
    ln.weight.data[...] = [0.5, 1.0, 2.0, -1.0]
    ref = (x.data - x.data.mean(-1, keepdims=True)) / np.sqrt(x.data.var(-1, keepdims=True) + 1e-5) * ln.weight.data
    np.testing.assert_allclose(ln(x).data, ref, rtol=1e-10)
    assert gn.gradcheck(lambda t: ln(t), [x], raise_exception=True)


def test_instance_norm_running_statistics_follow_pytorch():
    # per-instance statistics averaged over the batch; the variance unbiased (PyTorch's InstanceNorm update)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((4, 2, 3, 5)).astype(np.float32) * 3 + 1
    m = nn.InstanceNorm2d(2, track_running_stats=True, momentum=0.5)
    m(gn.tensor(x))
    np.testing.assert_allclose(m.running_mean, 0.5 * x.mean((2, 3)).mean(0), rtol=1e-5)
    np.testing.assert_allclose(m.running_var, 0.5 + 0.5 * x.var((2, 3), ddof=1).mean(0), rtol=1e-5)
    m.eval()
    y = m(gn.tensor(x)).numpy()
    ref = (x - m.running_mean[:, None, None]) / np.sqrt(m.running_var[:, None, None] + 1e-5)
    np.testing.assert_allclose(y, ref, rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match=r"InstanceNorm2d: expected input \(N, C, 2 spatial dims\)"):
        m(gn.zeros(2, 3))
    with pytest.raises(ValueError, match="pixel_shuffle: expected"):
        nn.PixelShuffle(2)(gn.zeros(1, 3, 2, 2))
    with pytest.raises(ValueError, match="ReflectionPad2d: padding must be an int or 4 ints"):
        nn.ReflectionPad2d((1, 2))
