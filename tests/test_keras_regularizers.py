"""keras.regularizers and keras.constraints: penalties in the training loss, projections after each update."""

import numpy as np
import pytest

import gradnote as gn
from gradnote import keras

R, C = keras.regularizers, keras.constraints
rng = np.random.default_rng(2)


def test_regularizer_values_names_and_configs():
    w = rng.normal(size=(4, 3))
    assert R.L2(0.3)(gn.Tensor(w)).item() == pytest.approx(0.3 * (w ** 2).sum())
    assert R.l1(0.2)(gn.Tensor(w)).item() == pytest.approx(0.2 * np.abs(w).sum())
    assert R.l1_l2(0.1, 0.2)(gn.Tensor(w)).item() == pytest.approx(0.1 * np.abs(w).sum() + 0.2 * (w ** 2).sum())
    assert R.L2(l=0.5).l2 == 0.5 and R.get("l2").l2 == 0.01 and R.get("L1L2").get_config() == {"l1": 0.0, "l2": 0.0}
    again = R.get(R.serialize(R.L1L2(l1=0.4, l2=0.1)))
    assert (again.l1, again.l2) == (0.4, 0.1)
    assert gn.gradcheck(lambda t: R.l1_l2(0.1, 0.2)(t), [gn.Tensor(w, requires_grad=True)])
    with pytest.raises(ValueError, match="L2: l2 must be a finite number >= 0, got -1"):
        R.L2(-1)


def test_layers_record_weight_and_activity_penalties_by_role():
    dense = keras.layers.Dense(3, kernel_regularizer=R.l2(0.1), bias_regularizer=R.l1(0.5),
                               activity_regularizer=R.l1(0.01))
    x = gn.Tensor(rng.normal(size=(5, 4)).astype(np.float32))
    out = dense(x)
    w, b = dense.weight.data, dense.bias.data
    values = sorted(v.item() for v in dense.losses)
    expected = sorted([0.1 * (w ** 2).sum(), 0.5 * np.abs(b).sum(), 0.01 * np.abs(out.data).sum()])
    np.testing.assert_allclose(values, expected, rtol=1e-5)
    dense(x)
    assert len(dense.losses) == 3  # recorded afresh at each call
    emb = keras.layers.Embedding(10, 4, embeddings_regularizer="l2")
    emb(np.array([[1, 2]]))
    assert emb.losses[0].item() == pytest.approx(0.01 * (emb.weight.data ** 2).sum(), rel=1e-5)
    lstm = keras.layers.LSTM(3, recurrent_regularizer=R.l2(1.0))
    lstm(gn.Tensor(rng.normal(size=(2, 5, 4)).astype(np.float32)))
    assert lstm.losses[0].item() == pytest.approx((lstm.weight_hh_l0.data ** 2).sum(), rel=1e-5)


def test_options_a_layer_does_not_have_are_refused():
    with pytest.raises(TypeError, match="Dense: unexpected keyword 'embeddings_regularizer'"):
        keras.layers.Dense(2, embeddings_regularizer="l2")
    with pytest.raises(TypeError, match="Dropout: unexpected keyword 'kernel_constraint'"):
        keras.layers.Dropout(0.1, kernel_constraint="max_norm")
    with pytest.raises(ValueError, match="Dense: kernel_regularizer: unknown regularizer 'l3'"):
        keras.layers.Dense(2, kernel_regularizer="l3")


def test_fit_minimises_and_reports_data_loss_plus_penalty():
    gn.manual_seed(1)
    x = rng.normal(size=(40, 4)).astype(np.float32)
    y = (x @ np.array([1.0, -1.0, 2.0, 0.5], np.float32))[:, None]
    model = keras.Sequential([keras.layers.Dense(1, input_shape=(4,), kernel_regularizer=R.l2(0.05))])
    model.compile(optimizer=keras.optimizers.SGD(0.0), loss="mse")  # lr 0: the logged loss is of fixed weights
    hist = model.fit(x, y, batch_size=40, epochs=1, verbose=0)
    w = model.layers[0].weight.data
    data = ((model.predict(x) - y) ** 2).mean()
    assert hist.history["loss"][0] == pytest.approx(data + 0.05 * (w ** 2).sum(), rel=1e-5)
    assert model.evaluate(x, y) == pytest.approx(data + 0.05 * (w ** 2).sum(), rel=1e-5)
    plain = keras.Sequential([keras.layers.Dense(1, input_shape=(4,))])
    strong = keras.Sequential([keras.layers.Dense(1, input_shape=(4,), kernel_regularizer=R.l2(1.0))])
    for m in (plain, strong):
        m.compile(optimizer=keras.optimizers.SGD(0.05), loss="mse")
        m.fit(x, y, batch_size=8, epochs=30, verbose=0)
    assert (strong.layers[0].weight.data ** 2).sum() < 0.5 * (plain.layers[0].weight.data ** 2).sum()


def test_constraints_project_in_keras_layout():
    w = rng.normal(size=(4, 3)) * 3  # Keras's Dense kernel (in=4, out=3)
    norms = np.sqrt((w ** 2).sum(0, keepdims=True))
    np.testing.assert_allclose(C.MaxNorm(2.0)(w), w * np.minimum(norms, 2.0) / (norms + 1e-7), rtol=1e-6)
    np.testing.assert_allclose(C.UnitNorm()(w), w / (norms + 1e-7), rtol=1e-6)
    np.testing.assert_allclose(C.MinMaxNorm(1.0, 2.0, rate=0.5)(w),
                               w * (0.5 * np.clip(norms, 1, 2) + 0.5 * norms) / (norms + 1e-7), rtol=1e-6)
    np.testing.assert_array_equal(C.NonNeg()(w), np.maximum(w, 0))
    conv = rng.normal(size=(3, 3, 2, 5))  # (kh, kw, in, out): axis [0, 1, 2] is each filter's norm
    n = np.sqrt((conv ** 2).sum((0, 1, 2), keepdims=True))
    np.testing.assert_allclose(C.MaxNorm(1.0, axis=[0, 1, 2])(conv), conv * np.minimum(n, 1) / (n + 1e-7), rtol=1e-6)
    assert isinstance(C.get("max_norm"), C.MaxNorm) and C.get(C.serialize(C.MaxNorm(3))).max_value == 3


def test_constraints_hold_after_every_update_in_fit():
    gn.manual_seed(2)
    x = rng.normal(size=(64, 6)).astype(np.float32)
    y = x.sum(1, keepdims=True)
    seen = []
    model = keras.Sequential([
        keras.layers.Dense(4, input_shape=(6,), kernel_constraint=C.MaxNorm(0.5), bias_constraint=C.NonNeg()),
        keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(0.01), loss="mse")
    check = keras.callbacks.LambdaCallback(on_batch_end=lambda b, logs: seen.append(
        (np.sqrt((model.layers[0].weight.data ** 2).sum(1)).max(), model.layers[0].bias.data.min())))
    model.fit(x, y, batch_size=8, epochs=2, verbose=0, callbacks=[check])
    norms, biases = zip(*seen)
    assert max(norms) <= 0.5 + 1e-5 and min(biases) >= 0
    conv = keras.layers.Conv2D(3, 3, kernel_constraint=C.UnitNorm(axis=[0, 1, 2]))
    conv(gn.zeros(1, 5, 5, 2))
    keras.weight_options.apply_constraints(conv)
    np.testing.assert_allclose(np.sqrt((conv.weight.data ** 2).sum((1, 2, 3))), 1.0, rtol=1e-5)


def test_weight_options_survive_get_config_and_saving(tmp_path):
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(
        2, kernel_regularizer=R.l2(0.3), bias_constraint="non_neg", activity_regularizer=R.L1(0.02))])
    x = gn.Tensor(rng.normal(size=(4, 3)).astype(np.float32))
    model(x)  # builds the weights
    config = model.layers[0].get_config()
    assert config["kernel_regularizer"] == {"class_name": "L2", "config": {"l2": 0.3}}
    assert config["bias_constraint"]["class_name"] == "NonNeg"
    model.save(tmp_path / "m.keras")
    again = keras.models.load_model(tmp_path / "m.keras")
    np.testing.assert_allclose(sorted(v.item() for v in (model(x), model.losses)[1]),
                               sorted(v.item() for v in (again(x), again.losses)[1]), rtol=1e-6)
    assert isinstance(again.layers[0].__dict__["_weight_options"]["constraint"]["bias"], C.NonNeg)


def test_a_composite_layer_regularizes_the_kernels_of_its_layers():
    mha = keras.layers.MultiHeadAttention(2, 4, kernel_regularizer=R.l2(1.0))
    x = gn.Tensor(rng.normal(size=(1, 5, 3)).astype(np.float32))
    mha(x, x)
    kernels = [p.data for n, p in mha.named_parameters() if n.endswith("weight")]
    assert len(kernels) == 4
    assert sum(v.item() for v in mha.losses) == pytest.approx(sum((k ** 2).sum() for k in kernels), rel=1e-5)


def test_keras_weight_names_of_norm_depthwise_separable_and_prelu_layers():
    L = keras.layers
    x4, x2 = gn.Tensor(rng.normal(size=(1, 6, 6, 2)).astype(np.float32)), gn.Tensor(rng.normal(size=(4, 3)).astype(
        np.float32))
    sep = L.SeparableConv2D(4, 3, depthwise_regularizer=R.l2(1.0), pointwise_regularizer=R.l1(1.0))
    sep(x4)
    expected = sorted([(sep.depthwise.weight.data ** 2).sum(), np.abs(sep.pointwise.weight.data).sum()])
    np.testing.assert_allclose(sorted(v.item() for v in sep.losses), expected, rtol=1e-5)
    bn = L.BatchNormalization(gamma_regularizer=R.l2(1.0), beta_constraint=C.NonNeg())
    bn(x2)
    assert bn.losses[0].item() == pytest.approx((bn.weight.data ** 2).sum())
    prelu = L.PReLU(alpha_regularizer=R.l1(2.0))
    prelu(x2)
    assert prelu.losses[0].item() == pytest.approx(2 * np.abs(prelu.alpha.data).sum())
    with pytest.raises(TypeError, match="BatchNormalization: unexpected keyword 'kernel_regularizer'"):
        L.BatchNormalization(kernel_regularizer="l2")(x2)
    with pytest.raises(ValueError, match="depthwise_constraint is not supported"):
        L.DepthwiseConv2D(3, depthwise_constraint="max_norm")
