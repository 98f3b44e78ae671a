"""layers.RNN(cell) with SimpleRNNCell / LSTMCell / GRUCell, single and stacked: the fused layers' numbers."""

import numpy as np
import pytest

import gradnote as gn
from gradnote import keras

L = keras.layers


@pytest.mark.parametrize("cell,layer", [(L.SimpleRNNCell, L.SimpleRNN), (L.LSTMCell, L.LSTM), (L.GRUCell, L.GRU)])
def test_rnn_of_a_cell_is_the_fused_layer(cell, layer):
    x = np.random.default_rng(0).normal(size=(2, 5, 3)).astype(np.float32)
    rnn = L.RNN(cell(4), return_sequences=True)
    ref = layer(4, return_sequences=True)
    ref(x)
    rnn(x)
    rnn.layers[0].load_state_dict(ref.state_dict())
    np.testing.assert_allclose(rnn(x).data, ref(x).data, rtol=1e-6)
    out = L.RNN(cell(4), return_state=True)(x)
    assert [o.shape for o in out][:2] == [(2, 4), (2, 4)]


def test_stacked_cells_feed_each_other_and_save(tmp_path):
    gn.manual_seed(0)
    x = np.random.default_rng(1).normal(size=(2, 5, 3)).astype(np.float32)
    rnn = L.RNN([L.LSTMCell(4), L.GRUCell(2)])
    out = rnn(x)
    first, second = rnn.layers
    np.testing.assert_allclose(out.data, second(first(x)).data, rtol=1e-6)
    assert first.return_sequences and not second.return_sequences and out.shape == (2, 2)
    assert gn.gradcheck(lambda t: rnn.to(gn.float64)(t), [gn.tensor(x[:1].astype(np.float64), requires_grad=True)])
    rnn.to(gn.float32)
    model = keras.Sequential([keras.Input(shape=(5, 3)), rnn, L.Dense(1)])
    expected = model.predict(x)
    model.save(tmp_path / "m.keras")
    np.testing.assert_allclose(keras.models.load_model(tmp_path / "m.keras").predict(x), expected, rtol=1e-6)


def test_rnn_masks_and_errors():
    x = np.random.default_rng(2).normal(size=(2, 4, 3)).astype(np.float32)
    x[0, 2:] = 0
    gn.manual_seed(0)
    rnn = L.RNN([L.SimpleRNNCell(3), L.SimpleRNNCell(2)])
    masked = rnn(L.Masking()(x))
    np.testing.assert_allclose(masked.data[0], rnn(x[:1, :2]).data[0], rtol=1e-5)
    with pytest.raises(TypeError, match="RNN: expected a SimpleRNNCell"):
        L.RNN(L.Dense(3))
    with pytest.raises(TypeError, match="LSTMCell: a cell runs inside layers.RNN"):
        L.LSTMCell(3)(x)
    with pytest.raises(ValueError, match="LSTM: activation"):
        L.LSTMCell(3, activation="relu")
