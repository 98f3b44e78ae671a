"""nn layers: gradcheck of every module in float64, PyTorch names/shapes/init, train/eval behaviour, errors."""

from __future__ import annotations

import math

import numpy as np
import pytest

import gradnote as gn
from gradnote import nn

# (module factory, input shape, extra positional inputs for losses)
TARGET_REG = np.random.default_rng(1).standard_normal((4, 3))
TARGET_PROB = np.random.default_rng(2).uniform(0.1, 0.9, (4, 3))
TARGET_IDX = np.array([0, 2, 1, 2])

MODULES = [
    ("Linear", lambda: nn.Linear(3, 2), (4, 3)),
    ("Linear-nobias-3d", lambda: nn.Linear(3, 2, bias=False), (2, 4, 3)),
    ("BatchNorm1d", lambda: nn.BatchNorm1d(3), (5, 3)),
    ("BatchNorm1d-3d", lambda: nn.BatchNorm1d(3), (4, 3, 2)),
    ("BatchNorm1d-noaffine", lambda: nn.BatchNorm1d(3, affine=False), (5, 3)),
    ("BatchNorm2d", lambda: nn.BatchNorm2d(2), (3, 2, 2, 3)),
    ("BatchNorm2d-eval", lambda: nn.BatchNorm2d(2).eval(), (3, 2, 2, 3)),
    ("LayerNorm", lambda: nn.LayerNorm((2, 3)), (4, 2, 3)),
    ("Dropout-eval", lambda: nn.Dropout(0.3).eval(), (4, 3)),
    ("Sigmoid", nn.Sigmoid, (4, 3)),
    ("Tanh", nn.Tanh, (4, 3)),
    ("ReLU", nn.ReLU, (4, 3)),
    ("LeakyReLU", lambda: nn.LeakyReLU(0.2), (4, 3)),
    ("ELU", nn.ELU, (4, 3)),
    ("GELU", nn.GELU, (4, 3)),
    ("GELU-tanh", lambda: nn.GELU("tanh"), (4, 3)),
    ("Softmax", lambda: nn.Softmax(dim=1), (4, 3)),
    ("LogSoftmax", lambda: nn.LogSoftmax(axis=0), (4, 3)),
]

LOSSES = [
    ("MSELoss", nn.MSELoss, TARGET_REG),
    ("L1Loss", lambda: nn.L1Loss(reduction="sum"), TARGET_REG),
    ("HuberLoss", lambda: nn.HuberLoss(delta=0.5), TARGET_REG),
    ("BCELoss", nn.BCELoss, TARGET_PROB),
    ("BCEWithLogitsLoss", lambda: nn.BCEWithLogitsLoss(pos_weight=np.array([1.0, 2.0, 3.0])), TARGET_PROB),
    ("CrossEntropyLoss", lambda: nn.CrossEntropyLoss(weight=np.array([1.0, 2.0, 0.5]), label_smoothing=0.1),
     TARGET_IDX),
    ("NLLLoss", nn.NLLLoss, TARGET_IDX),
]


def _sample(shape, seed=0):
    x = np.random.default_rng(seed).standard_normal(shape)
    return np.where(np.abs(x) < 0.05, x + 0.1, x)  # away from the kinks of relu and friends


@pytest.mark.parametrize("name, make, shape", MODULES, ids=[m[0] for m in MODULES])
def test_module_gradcheck_float64(name, make, shape):
    m = make().double()
    x = gn.tensor(_sample(shape), requires_grad=True)
    params = list(m.parameters())
    assert all(p.dtype == np.float64 for p in params)
    assert gn.gradcheck(lambda x, *ps: m(x), [x, *params], raise_exception=True)


@pytest.mark.parametrize("name, make, target", LOSSES, ids=[m[0] for m in LOSSES])
def test_loss_module_gradcheck_float64(name, make, target):
    loss_fn = make().double()
    x = _sample(target.shape if target.dtype.kind == "f" else (4, 3))
    if name == "BCELoss":
        x = 1 / (1 + np.exp(-x))
    x = gn.tensor(x, requires_grad=True)
    out = loss_fn(x, gn.tensor(target))
    assert out.shape == () and out.dtype == np.float64
    assert gn.gradcheck(lambda x: loss_fn(x, gn.tensor(target)), [x], raise_exception=True)


def test_loss_modules_match_functional_and_validate_reduction():
    x, y = gn.randn(4, 3), gn.tensor(TARGET_IDX)
    assert nn.CrossEntropyLoss(reduction="none")(x, y).shape == (4,)
    np.testing.assert_allclose(nn.CrossEntropyLoss()(x, y).item(), gn.functional.cross_entropy(x, y).item())
    for cls in (nn.MSELoss, nn.L1Loss, nn.HuberLoss, nn.BCELoss, nn.BCEWithLogitsLoss, nn.CrossEntropyLoss,
                nn.NLLLoss):
        with pytest.raises(ValueError, match=f"{cls.__name__}: reduction must be one of 'mean', 'sum', 'none'"):
            cls(reduction="average")
    weighted = nn.CrossEntropyLoss(weight=np.array([1.0, 2.0, 3.0], dtype=np.float32))
    assert list(weighted.state_dict()) == ["weight"]


# ----- Linear ----------------------------------------------------------------------------------------
def test_linear_names_shapes_and_pytorch_init():
    layer = nn.Linear(400, 30)
    assert list(layer.state_dict()) == ["weight", "bias"]
    assert layer.weight.shape == (30, 400) and layer.bias.shape == (30,)
    assert layer.weight.dtype == np.float32 and layer.weight.requires_grad
    bound = 1 / math.sqrt(400)  # kaiming_uniform_(a=sqrt(5)): gain sqrt(2/6), bound sqrt(3) gain / sqrt(fan_in)
    for p in (layer.weight, layer.bias):
        assert np.abs(p.data).max() <= bound
    assert abs(layer.weight.data.std() - bound / math.sqrt(3)) < 0.05 * bound  # std of U(-b, b) = b / sqrt 3
    assert layer.num_parameters() == 400 * 30 + 30
    assert nn.Linear(4, 2, bias=False).bias is None
    assert list(nn.Linear(4, 2, bias=False).state_dict()) == ["weight"]
    assert repr(layer) == "Linear(in_features=400, out_features=30, bias=True)"


def test_linear_is_seeded_and_computes_affine_map():
    gn.manual_seed(5)
    a = nn.Linear(3, 2)
    gn.manual_seed(5)
    b = nn.Linear(3, 2)
    np.testing.assert_array_equal(a.weight.data, b.weight.data)
    x = gn.randn(2, 5, 3)
    np.testing.assert_allclose(a(x).data, x.data @ a.weight.data.T + a.bias.data, rtol=1e-6)


def test_linear_wrong_feature_count_message():
    with pytest.raises(ValueError) as err:
        nn.Linear(4, 2)(gn.zeros(3, 5))
    assert str(err.value) == ("Linear(in_features=4, out_features=2): expected input with 4 features in the last "
                              "dimension, got shape (3, 5)")


@pytest.mark.parametrize("make, match", [
    (lambda: nn.Linear(-1, 3), "Linear: in_features must be a non-negative integer, got -1"),
    (lambda: nn.Linear(3, -2), "Linear: out_features must be a non-negative integer, got -2"),
    (lambda: nn.Linear(2.5, 3), "in_features must be a non-negative integer, got 2.5"),
    (lambda: nn.BatchNorm1d(0), "BatchNorm1d: num_features must be a positive integer, got 0"),
    (lambda: nn.BatchNorm2d(3, eps=0), "BatchNorm2d: eps must be a positive number, got 0"),
    (lambda: nn.BatchNorm2d(3, momentum=1.5), "momentum must be in .*1.5"),
    (lambda: nn.LayerNorm((3, 0)), "LayerNorm: normalized_shape entries must be a positive integer, got 0"),
    (lambda: nn.Dropout(1.5), r"Dropout: p must be in \[0, 1\], got 1.5"),
    (lambda: nn.Dropout(-0.1), r"Dropout: p must be in \[0, 1\], got -0.1"),
    (lambda: nn.GELU("fast"), "GELU: approximate must be 'none' or 'tanh', got 'fast'"),
    (lambda: nn.HuberLoss(delta=-1), "HuberLoss: delta must be a positive number, got -1"),
    (lambda: nn.CrossEntropyLoss(label_smoothing=2), "label_smoothing must be in .*2"),
])
def test_bad_hyperparameters_rejected_at_construction(make, match):
    with pytest.raises(ValueError, match=match):
        make()


# ----- Dropout -------------------------------------------------------------------------------------------
def test_dropout_inverted_scaling_and_mean_preserved():
    drop = nn.Dropout(0.25)
    x = gn.ones(400, 500, requires_grad=True)
    y = drop(x)
    values = np.unique(y.data)
    np.testing.assert_allclose(values, [0.0, 1 / 0.75], rtol=1e-6)
    assert abs((y.data == 0).mean() - 0.25) < 0.01
    assert abs(y.data.mean() - 1.0) < 0.02
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, y.data)  # gradient flows through kept units, scaled the same


def test_dropout_identity_in_eval_and_seeded_in_train():
    x = gn.randn(6, 7)
    drop = nn.Dropout(0.5)
    drop.eval()
    assert not drop.training
    np.testing.assert_array_equal(drop(x).data, x.data)
    drop.train()
    gn.manual_seed(11)
    a = drop(x).data
    gn.manual_seed(11)
    b = drop(x).data
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, drop(x).data)
    np.testing.assert_array_equal(nn.Dropout(0.0)(x).data, x.data)
    assert repr(drop) == "Dropout(p=0.5, inplace=False)"


# ----- BatchNorm -------------------------------------------------------------------------------------
def test_batchnorm_state_dict_names_and_buffers():
    bn = nn.BatchNorm2d(4)
    sd = bn.state_dict()
    assert list(sd) == ["weight", "bias", "running_mean", "running_var", "num_batches_tracked"]
    assert sd["running_mean"].dtype == np.float32 and sd["running_var"].dtype == np.float32
    assert sd["num_batches_tracked"].dtype == np.int64 and sd["num_batches_tracked"].shape == ()
    np.testing.assert_array_equal(bn.weight.data, np.ones(4))
    np.testing.assert_array_equal(bn.bias.data, np.zeros(4))
    assert [n for n, _ in bn.named_parameters()] == ["weight", "bias"]
    assert bn.num_parameters() == 8
    assert list(nn.BatchNorm1d(3, affine=False, track_running_stats=False).state_dict()) == []
    assert repr(bn) == "BatchNorm2d(4, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)"
    model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4))
    assert list(model.state_dict()) == ["0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean",
                                        "1.running_var", "1.num_batches_tracked"]


@pytest.mark.parametrize("cls, shape", [(nn.BatchNorm1d, (8, 3)), (nn.BatchNorm2d, (4, 3, 2, 5))])
def test_batchnorm_running_stats_match_numpy(cls, shape):
    bn = cls(3)
    sd = bn.state_dict()  # shares memory: running stats must be updated in place
    rng = np.random.default_rng(0)
    axes = (0, *range(2, len(shape)))
    n = int(np.prod([shape[a] for a in axes]))
    rm, rv = np.zeros(3), np.ones(3)
    for _ in range(4):
        x = (rng.standard_normal(shape) * 3 + 2).astype(np.float32)
        y = bn(gn.tensor(x))
        mean, var = x.mean(axis=axes), x.var(axis=axes)
        rm = 0.9 * rm + 0.1 * mean
        rv = 0.9 * rv + 0.1 * var * n / (n - 1)  # unbiased
        bshape = (1, 3) + (1,) * (len(shape) - 2)
        expect = (x - mean.reshape(bshape)) / np.sqrt(var.reshape(bshape) + 1e-5)  # biased for the batch
        np.testing.assert_allclose(y.data, expect, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(sd["running_mean"], rm, rtol=1e-5)
    np.testing.assert_allclose(sd["running_var"], rv, rtol=1e-5)
    assert int(sd["num_batches_tracked"]) == 4
    bn.eval()
    bn.weight.data[...] = [1.0, 2.0, 3.0]
    bn.bias.data[...] = [0.0, -1.0, 1.0]
    x = rng.standard_normal(shape).astype(np.float32)
    bshape = (1, 3) + (1,) * (len(shape) - 2)
    expect = ((x - rm.reshape(bshape)) / np.sqrt(rv.reshape(bshape) + 1e-5) * bn.weight.data.reshape(bshape)
              + bn.bias.data.reshape(bshape))
    np.testing.assert_allclose(bn(gn.tensor(x)).data, expect, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(sd["running_mean"], rm, rtol=1e-5)  # eval does not update
    assert int(sd["num_batches_tracked"]) == 4


def test_batchnorm_momentum_none_is_cumulative_average():
    bn = nn.BatchNorm1d(2, momentum=None)
    batches = [np.random.default_rng(i).standard_normal((5, 2)).astype(np.float32) for i in range(3)]
    for b in batches:
        bn(gn.tensor(b))
    np.testing.assert_allclose(bn.running_mean, np.mean([b.mean(0) for b in batches], axis=0), rtol=1e-5)


def test_batchnorm_without_running_stats_uses_batch_in_eval():
    bn = nn.BatchNorm1d(2, track_running_stats=False).eval()
    x = np.array([[1.0, 2.0], [3.0, 6.0]], dtype=np.float32)
    np.testing.assert_allclose(bn(gn.tensor(x)).data, [[-1, -1], [1, 1]], atol=1e-4)


def test_batchnorm_bad_inputs():
    with pytest.raises(ValueError, match=r"BatchNorm2d: expected input of shape \(N, C, H, W\), got shape \(2, 3\)"):
        nn.BatchNorm2d(3)(gn.zeros(2, 3))
    with pytest.raises(ValueError, match=r"BatchNorm1d\(3\): expected 3 channels in dimension 1, got shape \(2, 4\)"):
        nn.BatchNorm1d(3)(gn.zeros(2, 4))
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        nn.BatchNorm1d(3)(gn.zeros(1, 3))


# ----- LayerNorm and activations --------------------------------------------------------------------------
def test_layernorm_names_shapes_and_values():
    ln = nn.LayerNorm(4)
    assert list(ln.state_dict()) == ["weight", "bias"] and ln.weight.shape == (4,)
    assert repr(ln) == "LayerNorm((4,), eps=1e-05, elementwise_affine=True)"
    y = ln(gn.tensor([[1.0, 2.0, 3.0, 4.0]])).data
    np.testing.assert_allclose(y, [np.array([-1.5, -0.5, 0.5, 1.5]) / np.sqrt(1.25 + 1e-5)], rtol=1e-5)
    ln.eval()
    np.testing.assert_allclose(ln(gn.tensor([[1.0, 2.0, 3.0, 4.0]])).data, y)  # same in eval
    with pytest.raises(ValueError, match=r"LayerNorm\(\(4,\)\): expected input whose last dimensions are \(4,\)"):
        ln(gn.zeros(2, 3))
    assert list(nn.LayerNorm((2, 3), elementwise_affine=False).state_dict()) == []


def test_activation_module_reprs_and_values():
    x = gn.tensor([[-1.0, 0.5]])
    assert repr(nn.LeakyReLU()) == "LeakyReLU(negative_slope=0.01)"
    assert repr(nn.ELU()) == "ELU(alpha=1.0)"
    assert repr(nn.GELU()) == "GELU(approximate='none')"
    np.testing.assert_allclose(nn.Step()(x).data, [[0, 1]])
    np.testing.assert_allclose(nn.ReLU()(x).data, [[0, 0.5]])
    np.testing.assert_allclose(nn.Softmax(axis=1)(x).data.sum(), 1.0, rtol=1e-6)
    np.testing.assert_allclose(np.exp(nn.LogSoftmax(dim=1)(x).data), nn.Softmax(dim=1)(x).data, rtol=1e-6)
    model = nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 2), nn.Sigmoid())
    assert model(x).shape == (1, 2)
