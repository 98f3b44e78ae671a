"""models.LeNet5: shapes, PyTorch-style parameter names, errors, and that it learns a small synthetic task."""

import numpy as np
import pytest

import gradnote as gn
import gradnote.functional as F
from gradnote.models import LeNet5


def test_output_shape_and_options():
    assert LeNet5()(gn.randn(3, 1, 28, 28)).shape == (3, 10)
    assert LeNet5(num_classes=4, in_channels=3)(gn.randn(2, 3, 28, 28)).shape == (2, 4)


def test_parameter_names_shapes_and_count():
    shapes = {k: v.shape for k, v in LeNet5().state_dict().items()}
    assert shapes == {
        "conv1.weight": (6, 1, 5, 5), "conv1.bias": (6,),
        "conv2.weight": (16, 6, 5, 5), "conv2.bias": (16,),
        "fc1.weight": (120, 400), "fc1.bias": (120,),
        "fc2.weight": (84, 120), "fc2.bias": (84,),
        "fc3.weight": (10, 84), "fc3.bias": (10,),
    }
    # 6*25+6 + 16*6*25+16 + 400*120+120 + 120*84+84 + 84*10+10
    assert LeNet5().num_parameters() == 156 + 2416 + 48120 + 10164 + 850


def test_bad_input_and_arguments():
    with pytest.raises(ValueError, match=r"LeNet5: expected input of shape \(N, 1, 28, 28\), got \(2, 1, 32, 32\)"):
        LeNet5()(gn.randn(2, 1, 32, 32))
    with pytest.raises(ValueError, match="expected input with 1 channels"):
        LeNet5()(gn.randn(2, 3, 28, 28))
    with pytest.raises(ValueError, match="LeNet5: num_classes must be a positive int, got 0"):
        LeNet5(num_classes=0)


def _blob_batch(rng, n):
    """Class = which quadrant holds a bright 8x8 square, on a noisy background."""
    y = rng.integers(0, 4, n)
    x = 0.3 * rng.standard_normal((n, 1, 28, 28)).astype(np.float32)
    for i, c in enumerate(y):
        r, col = 3 + 14 * (c // 2), 3 + 14 * (c % 2)
        x[i, 0, r:r + 8, col:col + 8] += 1.0
    return gn.tensor(x), gn.tensor(y)


def test_loss_falls_on_synthetic_batches():
    rng = np.random.default_rng(0)
    model = LeNet5(num_classes=4)
    opt = gn.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    batches = [_blob_batch(rng, 32) for _ in range(4)]

    def mean_loss():
        with gn.no_grad():
            return float(np.mean([F.cross_entropy(model(x), y).item() for x, y in batches]))

    before = mean_loss()
    for _ in range(5):
        for x, y in batches:
            opt.zero_grad()
            F.cross_entropy(model(x), y).backward()
            opt.step()
    after = mean_loss()
    assert after < 0.5 * before
    x, y = batches[0]
    with gn.no_grad():
        assert (model(x).data.argmax(axis=1) == y.data).mean() > 0.9


def test_empty_batch_gives_empty_logits():
    # regression: flattening with reshape(N, -1) failed for N == 0 (-1 is ambiguous for 0 elements)
    assert LeNet5(num_classes=7)(gn.zeros(0, 1, 28, 28)).shape == (0, 7)
