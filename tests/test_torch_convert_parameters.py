"""nn.utils.parameters_to_vector / vector_to_parameters: order, round trip, gradient and refused input."""

import numpy as np
import pytest

import gradnote as gn
import gradnote.nn as nn


def test_vector_round_trip_in_parameter_order_with_gradient():
    gn.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 2), nn.Linear(2, 1))
    vec = nn.utils.parameters_to_vector(model.parameters())
    expected = np.concatenate([p.data.reshape(-1) for p in model.parameters()])
    np.testing.assert_array_equal(vec.data, expected)
    (vec * gn.tensor(np.arange(11.0, dtype=np.float32))).sum().backward()
    np.testing.assert_array_equal(model[0].weight.grad.reshape(-1), np.arange(6.0))
    nn.utils.vector_to_parameters(gn.tensor(np.arange(11.0, dtype=np.float32)), model.parameters())
    np.testing.assert_array_equal(model[1].bias.data, [10.0])
    with pytest.raises(ValueError, match="vector_to_parameters: the vector has 3 entries but the parameters hold 11"):
        nn.utils.vector_to_parameters(gn.zeros(3), model.parameters())
    with pytest.raises(TypeError, match="vector_to_parameters: expected a 1-D Tensor"):
        nn.utils.vector_to_parameters(gn.zeros(11, 1), model.parameters())
