"""Patterns from keras-io programs ported by changing imports only (/work/notes/kports.md): each test is the
smallest form of what stopped a port (layers.Input, NumPy arrays into any layer, a Sequential built from its
Input at construction, GroupNormalization, compile's execution options, keras.preprocessing's old names)."""

import numpy as np
import pytest

import gradnote as gn
from gradnote import keras

layers = keras.layers
rng = np.random.default_rng(0)


def test_layers_input_is_keras_input():
    assert layers.Input is keras.Input
    inputs = layers.Input(shape=(28, 28, 1))
    x = layers.Conv2DTranspose(4, 3, strides=2, padding="same")(layers.MaxPooling2D(2, padding="same")(inputs))
    model = keras.models.Model(inputs, layers.Conv2D(1, 3, padding="same", activation="sigmoid")(x))
    assert model.predict(np.zeros((2, 28, 28, 1), np.float32)).shape == (2, 28, 28, 1)


class _Scale(layers.Layer):
    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones")

    def call(self, x):
        return x * self.w + x.shape[-1]  # a Tensor method: fails on a raw ndarray's arithmetic result type


def test_numpy_arrays_become_tensors_in_layer_call():
    x = rng.normal(size=(3, 4)).astype(np.float32)
    out = _Scale()(x)
    assert isinstance(out, gn.Tensor) and out.dtype == np.float32
    np.testing.assert_allclose(out.data, x + 4, rtol=1e-6)
    added = layers.add([x, 2 * x])  # arrays inside a list of inputs
    assert isinstance(added, gn.Tensor)
    np.testing.assert_allclose(added.data, 3 * x, rtol=1e-6)
    ids = np.array([[1, 2, 0]])
    assert layers.Embedding(5, 2)(ids).shape == (1, 3, 2)  # integer arrays keep their dtype
    # a keras.Sequential of preprocessing layers called on a batch of arrays (image_classification_from_scratch)
    aug = keras.Sequential([layers.RandomFlip("horizontal"), layers.Rescaling(1 / 255)])
    assert isinstance(aug(np.ones((2, 4, 4, 3), np.float32)), gn.Tensor)


def test_sequential_from_input_is_built_at_construction():
    model = keras.Sequential([keras.Input(shape=(6, 6, 1)), layers.Conv2D(2, 3), layers.Flatten(), layers.Dense(3)])
    assert model.count_params() == (9 * 2 + 2) + (32 * 3 + 3)  # before compile, predict or any call
    assert model.layers[-1].weight.shape == (3, 32)
    lines = []
    model.summary(print_fn=lines.append)
    assert any("(None, 4, 4, 2)" in line for line in lines)
    grown = keras.Sequential()
    grown.add(keras.Input(shape=(None,), dtype="int32"))
    grown.add(layers.Embedding(20, 4))
    grown.add(layers.LSTM(3))
    assert grown.layers[1].built and grown.count_params() == 20 * 4 + 4 * (3 * (4 + 3) + 2 * 3)


def _group_norm_ref(x, groups, eps, axis):
    x = np.moveaxis(x, axis, -1)
    g = x.reshape(*x.shape[:-1], groups, x.shape[-1] // groups)
    red = tuple(range(1, g.ndim - 2)) + (g.ndim - 1,)
    y = (g - g.mean(red, keepdims=True)) / np.sqrt(g.var(red, keepdims=True) + eps)
    return np.moveaxis(y.reshape(x.shape), -1, axis)


@pytest.mark.parametrize("shape,groups,axis", [((2, 3, 3, 6), 3, -1), ((2, 6, 5), 2, 1), ((3, 4), -1, -1),
                                               ((2, 5, 4), 1, -1)])
def test_group_normalization(shape, groups, axis):
    x = rng.normal(size=shape)
    layer = layers.GroupNormalization(groups=groups, axis=axis, dtype="float64")
    n_groups = shape[axis] if groups == -1 else groups
    np.testing.assert_allclose(layer(gn.tensor(x)).data, _group_norm_ref(x, n_groups, 1e-3, axis), atol=1e-10)
    with gn.no_grad():
        layer.weight.data[...] = rng.normal(size=shape[axis])
    assert gn.gradcheck(lambda t: layer(t), [gn.tensor(x, requires_grad=True)])
    assert type(layer)(**layer.get_config()).get_config() == layer.get_config()
    assert layers.GroupNormalization(groups=2)(gn.randn(2, 4, 4)).dtype == np.float32


def test_group_normalization_refuses_bad_options():
    with pytest.raises(ValueError, match="groups must be a positive int or -1, got 0"):
        layers.GroupNormalization(groups=0)
    with pytest.raises(ValueError, match="6 channels must be divisible by groups=4"):
        layers.GroupNormalization(groups=4)(gn.randn(2, 6))


def test_compile_takes_keras_execution_options():
    model = keras.Sequential([keras.Input(shape=(3,)), layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse", jit_compile=True, run_eagerly=False, steps_per_execution=1)
    model.fit(np.ones((4, 3), np.float32), np.ones((4, 1), np.float32), verbose=0)
    with pytest.raises(ValueError, match="one output, got 2 loss_weights"):
        model.compile(optimizer="adam", loss="mse", loss_weights=[0.5, 0.5])
    with pytest.raises(ValueError, match="steps_per_execution must be a positive int, got 0"):
        model.compile(optimizer="adam", loss="mse", steps_per_execution=0)


def test_keras2_preprocessing_names(tmp_path):
    from gradnote.keras.preprocessing import image

    assert keras.preprocessing.image_dataset_from_directory is keras.utils.image_dataset_from_directory
    assert keras.preprocessing.timeseries_dataset_from_array is keras.utils.timeseries_dataset_from_array
    path = tmp_path / "a.png"
    image.save_img(path, np.full((5, 6, 3), 200, np.uint8), scale=False)
    assert image.img_to_array(image.load_img(path, target_size=(4, 4))).shape == (4, 4, 3)


def test_keras_tensors_in_call_keywords_are_graph_inputs(tmp_path):
    # lstm_seq2seq: the decoder LSTM starts from the encoder's states, given as initial_state=[h, c]
    rng_ = np.random.default_rng(1)
    enc_in, dec_in = keras.Input(shape=(None, 5)), keras.Input(shape=(None, 6))
    _, h, c = layers.LSTM(4, return_state=True)(enc_in)
    dec = layers.LSTM(4, return_sequences=True, return_state=True)
    out, _, _ = dec(dec_in, initial_state=[h, c])
    model = keras.Model([enc_in, dec_in], layers.Dense(6)(out))
    xe, xd = rng_.normal(size=(2, 3, 5)).astype(np.float32), rng_.normal(size=(2, 7, 6)).astype(np.float32)
    got = model([xe, xd]).data
    enc = model.layers[2]  # after the two InputLayers, as Keras counts
    _, he, ce = enc(gn.tensor(xe))
    want = model.layers[4](dec(gn.tensor(xd), initial_state=[he, ce])[0]).data
    np.testing.assert_allclose(got, want, rtol=1e-6)
    assert not np.allclose(got, model.layers[4](dec(gn.tensor(xd))[0]).data)  # the states did reach the decoder
    model.save(tmp_path / "s2s.keras")
    np.testing.assert_allclose(keras.models.load_model(tmp_path / "s2s.keras")([xe, xd]).data, got, rtol=1e-6)


def test_training_keyword_of_a_symbolic_call_is_replayed():
    inputs = keras.Input(shape=(1000,))
    model = keras.Model(inputs, layers.Dropout(0.5)(inputs, training=True))  # Monte-Carlo dropout
    out = model.predict(np.ones((1, 1000), np.float32))  # predict runs in eval mode; the call keeps training=True
    assert 300 < (out == 0).sum() < 700


def test_keras_loss_functions_reduce_the_last_axis_only():
    # vae.py: ops.sum(keras.losses.binary_crossentropy(data, reconstruction), axis=(1, 2)) over (N, 28, 28, 1)
    y = (rng.random((2, 3, 4, 1)) > 0.5).astype(np.float32)
    p = rng.uniform(0.1, 0.9, size=(2, 3, 4, 1)).astype(np.float32)
    bce = keras.losses.binary_crossentropy(y, gn.tensor(p))
    assert bce.shape == (2, 3, 4)
    np.testing.assert_allclose(bce.data, -(y * np.log(p) + (1 - y) * np.log(1 - p))[..., 0], rtol=1e-5)
    q = rng.normal(size=(2, 3, 5)).astype(np.float32)
    assert keras.losses.mean_squared_error(q * 0, gn.tensor(q)).shape == (2, 3)
    np.testing.assert_allclose(keras.losses.MeanSquaredError()(q * 0, gn.tensor(q)).data, (q ** 2).mean(), rtol=1e-6)
    w = np.array([1.0, 0.0], np.float32)  # per-sample weights over per-step values
    np.testing.assert_allclose(keras.losses.MeanSquaredError()(q * 0, gn.tensor(q), w).data,
                               (q[0] ** 2).mean(-1).sum() / 6, rtol=1e-6)


def test_a_loss_function_given_to_a_keras_model_is_called_as_keras_calls_it():
    # Keras calls fn(y_true, y_pred); an asymmetric loss tells the order apart
    x = rng.normal(size=(16, 3)).astype(np.float32)
    y = np.abs(rng.normal(size=(16, 1))).astype(np.float32) + 1.0
    inputs = keras.Input(shape=(3,))
    model = keras.Model(inputs, layers.Dense(1, activation="sigmoid")(inputs))
    model.compile("sgd", loss=lambda y_true, y_pred: keras.ops.mean(y_true * keras.ops.log(y_pred), axis=-1))
    p = model.predict(x)
    assert model.evaluate(x, y, batch_size=16) == pytest.approx(float((y * np.log(p)).mean()), rel=1e-5)


def test_vae_style_add_loss_in_a_subclassed_model_trains_with_a_compile_loss():
    # vae.py port: KL through self.add_loss in call, the reconstruction as a keras.ops loss function
    gn.manual_seed(0)

    class Sampling(layers.Layer):
        def call(self, inputs):
            z_mean, z_log_var = inputs
            eps = keras.random.normal(shape=(keras.ops.shape(z_mean)[0], keras.ops.shape(z_mean)[1]), seed=1)
            return z_mean + keras.ops.exp(0.5 * z_log_var) * eps

    enc_in = keras.Input(shape=(6,))
    h = layers.Dense(8, activation="relu")(enc_in)
    z_mean, z_log_var = layers.Dense(2)(h), layers.Dense(2)(h)
    encoder = keras.Model(enc_in, [z_mean, z_log_var, Sampling()([z_mean, z_log_var])])
    dec_in = keras.Input(shape=(2,))
    decoder = keras.Model(dec_in, layers.Dense(6, activation="sigmoid")(layers.Dense(8, activation="relu")(dec_in)))

    class VAE(keras.Model):
        def __init__(self, encoder, decoder, **kwargs):
            super().__init__(**kwargs)
            self.encoder, self.decoder = encoder, decoder

        def call(self, x):
            z_mean, z_log_var, z = self.encoder(x)
            kl = -0.5 * (1 + z_log_var - keras.ops.square(z_mean) - keras.ops.exp(z_log_var))
            self.add_loss(keras.ops.mean(keras.ops.sum(kl, axis=1)))
            return self.decoder(z)

    vae = VAE(encoder, decoder)
    vae.compile(optimizer=keras.optimizers.Adam(0.01),
                loss=lambda d, r: keras.ops.mean(keras.ops.sum(keras.losses.binary_crossentropy(d[..., None],
                                                                                                r[..., None]), 1)))
    data = (rng.random((64, 6)) > 0.5).astype(np.float32)
    before = vae.evaluate(data, data)
    vae(data)
    assert len(vae.losses) == 1 and float(vae.losses[0].data) > 0
    hist = vae.fit(data, data, epochs=5, batch_size=16, verbose=0)
    assert hist.history["loss"][-1] < before


def test_structured_data_dict_inputs_columns_and_a_layer_called_on_a_dict(tmp_path):
    # structured_data_classification_from_scratch.py: Input(shape=(1,)) fed (N,) columns, lookups with Keras 2's
    # output_mode="binary", and a custom layer called on the dict of inputs
    lookup = layers.IntegerLookup(vocabulary=[1, 3, 5], mask_token=None, num_oov_indices=0, output_mode="binary")
    np.testing.assert_array_equal(lookup(np.array([3, 5])).data, [[0, 1, 0], [0, 0, 1]])
    assert layers.CategoryEncoding(num_tokens=3, output_mode="binary")(np.array([2])).data.tolist() == [[0, 0, 1]]

    @keras.saving.register_keras_serializable(package="ports")
    class Classifier(keras.layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.dense = layers.Dense(1, activation="sigmoid")

        def call(self, inputs):
            return self.dense(layers.concatenate(list(inputs.values())))

    gn.manual_seed(0)
    inputs = {"age": keras.Input(shape=(1,), name="age"), "cp": keras.Input(shape=(3,), name="cp", dtype="int64")}
    clf = Classifier()
    model = keras.Model(inputs, clf(inputs))
    assert [type(m).__name__ for m in model.layers] == ["InputLayer", "InputLayer", "Classifier"]  # one node
    x = {"age": rng.normal(size=8).astype(np.float32), "cp": np.eye(3, dtype=np.int64)[rng.integers(0, 3, 8)]}
    want = 1 / (1 + np.exp(-(np.concatenate([x["age"][:, None], x["cp"]], 1) @ clf.dense.weight.data.T
                             + clf.dense.bias.data)))
    np.testing.assert_allclose(model.predict(x), want, rtol=1e-5)
    model.compile("adam", "binary_crossentropy")
    model.fit(x, (x["age"] > 0).astype(np.float32), epochs=1, verbose=0)
    model.save(tmp_path / "clf.keras")  # the dict argument of the call is saved with the graph
    np.testing.assert_allclose(keras.models.load_model(tmp_path / "clf.keras").predict(x), model.predict(x),
                               rtol=1e-6)


def test_endpoint_layer_compile_without_loss_and_fit_without_targets():
    # endpoint_layer_pattern.py: the loss is added by a layer that sees the targets; compile(optimizer) only
    class LogisticEndpoint(keras.layers.Layer):
        def __init__(self, name=None):
            super().__init__(name=name)
            self.loss_fn = keras.losses.BinaryCrossentropy(from_logits=True)

        def call(self, logits, targets=None, sample_weight=None):
            if targets is not None:
                self.add_loss(self.loss_fn(targets, logits, sample_weight))
            return keras.ops.sigmoid(logits)

    class LogReg(keras.Model):
        def __init__(self):
            super().__init__()
            self.dense = layers.Dense(1)
            self.logistic_endpoint = LogisticEndpoint()

        def call(self, inputs):
            return self.logistic_endpoint(logits=self.dense(inputs["inputs"]), targets=inputs["targets"],
                                          sample_weight=inputs["sample_weight"])

    gn.manual_seed(0)
    data = {"inputs": rng.random((64, 5)), "targets": (rng.random((64, 1)) > 0.5).astype(np.float64),
            "sample_weight": rng.random((64, 1))}
    model = LogReg()
    model.compile(keras.optimizers.Adam(1e-2))
    before = model.evaluate(data, batch_size=64)
    z = data["inputs"] @ model.dense.weight.data.T.astype(np.float64) + model.dense.bias.data
    t, w = data["targets"], data["sample_weight"]
    bce = np.maximum(z, 0) - z * t + np.log1p(np.exp(-np.abs(z)))
    assert before == pytest.approx(float((bce * w).mean()), rel=1e-4)
    hist = model.fit(data, epochs=3, batch_size=16, verbose=0)
    assert hist.history["loss"][-1] < before
    plain = keras.Sequential([keras.Input(shape=(5,)), layers.Dense(1)])
    plain.compile("sgd")
    with pytest.raises(ValueError, match="compiled without a loss and its layers added none"):
        plain.fit(data["inputs"], epochs=1, verbose=0)
    plain.compile("sgd", "mse")
    with pytest.raises(ValueError, match="y is required"):
        plain.fit(data["inputs"], epochs=1, verbose=0)
