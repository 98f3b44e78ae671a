"""torch.utils.checkpoint's spelling: same outputs and gradients as the plain call."""

import numpy as np
import pytest

import gradnote as gn
import gradnote.nn as nn
from gradnote.utils.checkpoint import checkpoint, checkpoint_sequential


def test_checkpoint_gives_the_plain_call_and_its_gradients():
    gn.manual_seed(0)
    layer, x = nn.Linear(3, 2), gn.randn(4, 3, requires_grad=True)
    checkpoint(layer, x, use_reentrant=False).pow(2).sum().backward()
    gx, gw = x.grad.copy(), layer.weight.grad.copy()
    x.grad, layer.weight.grad = None, None
    layer(x).pow(2).sum().backward()
    np.testing.assert_array_equal(gx, x.grad)
    np.testing.assert_array_equal(gw, layer.weight.grad)


def test_checkpoint_sequential_runs_modules_in_order_and_checks_segments():
    model = nn.Sequential(nn.Linear(3, 3), nn.ReLU(), nn.Linear(3, 1))
    x = gn.randn(2, 3)
    np.testing.assert_array_equal(checkpoint_sequential(model, 2, x).data, model(x).data)
    with pytest.raises(ValueError, match="segments"):
        checkpoint_sequential(model, 0, x)
    with pytest.raises(TypeError, match="callable"):
        checkpoint(3, x)
