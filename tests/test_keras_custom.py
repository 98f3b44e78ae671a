"""Custom layers and models as keras-io writes them (Sampling of the VAE, TokenAndPositionEmbedding +
TransformerBlock, a residual block with ops), keras.random's seeding, keras.config and keras.saving."""

import numpy as np
import pytest

import gradnote as gn
from gradnote import keras
from gradnote.keras import layers, ops


class Sampling(layers.Layer):
    """keras-io's VAE: z = mean + exp(log_var / 2) * eps."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.seed_generator = keras.random.SeedGenerator(1337)

    def call(self, inputs):
        z_mean, z_log_var = inputs
        eps = keras.random.normal(shape=ops.shape(z_mean), seed=self.seed_generator)
        return z_mean + ops.exp(0.5 * z_log_var) * eps


class TokenAndPositionEmbedding(layers.Layer):
    def __init__(self, maxlen, vocab_size, embed_dim, **kwargs):
        super().__init__(**kwargs)
        self.token_emb = layers.Embedding(input_dim=vocab_size, output_dim=embed_dim)
        self.pos_emb = layers.Embedding(input_dim=maxlen, output_dim=embed_dim)

    def call(self, x):
        positions = ops.arange(start=0, stop=ops.shape(x)[-1], step=1)
        return self.token_emb(x) + self.pos_emb(positions)


class TransformerBlock(layers.Layer):
    def __init__(self, embed_dim, num_heads, ff_dim, rate=0.1, **kwargs):
        super().__init__(**kwargs)
        self.att = layers.MultiHeadAttention(num_heads=num_heads, key_dim=embed_dim)
        self.ffn = keras.Sequential([layers.Dense(ff_dim, activation="relu"), layers.Dense(embed_dim)])
        self.layernorm1 = layers.LayerNormalization(epsilon=1e-6)
        self.layernorm2 = layers.LayerNormalization(epsilon=1e-6)
        self.dropout1 = layers.Dropout(rate)
        self.dropout2 = layers.Dropout(rate)

    def call(self, inputs, training=None):
        attn_output = self.att(inputs, inputs)
        out1 = self.layernorm1(inputs + self.dropout1(attn_output, training=training))
        return self.layernorm2(out1 + self.dropout2(self.ffn(out1), training=training))


def test_vae_sampling_layer_in_a_functional_model():
    x = keras.Input((4,))
    z_mean, z_log_var = layers.Dense(2)(x), layers.Dense(2)(x)
    z = Sampling(name="z")([z_mean, z_log_var])
    assert z.shape == (None, 2)
    model = keras.Model(x, [z_mean, z_log_var, z], name="encoder")
    data = np.random.default_rng(0).normal(size=(6, 4)).astype(np.float32)
    m, lv, zz = model(data)
    eps = np.random.default_rng(1337)
    eps.normal(size=(1, 2))  # the symbolic call traced on one example sample first
    np.testing.assert_allclose(zz.numpy(), m.numpy() + np.exp(0.5 * lv.numpy()) * eps.normal(size=(6, 2)), rtol=1e-5)


def test_transformer_text_classifier_trains_and_training_flag_reaches_dropout():
    maxlen, vocab = 8, 20
    inputs = keras.Input(shape=(maxlen,), dtype="int64")
    x = TokenAndPositionEmbedding(maxlen, vocab, 8)(inputs)
    block = TransformerBlock(8, 2, 16, rate=0.5)
    x = block(x)
    x = layers.GlobalAveragePooling1D()(x)
    outputs = layers.Dense(2, activation="softmax")(x)
    model = keras.Model(inputs=inputs, outputs=outputs)
    rng = np.random.default_rng(0)
    xs, ys = rng.integers(0, vocab, (32, maxlen)), rng.integers(0, 2, 32)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    before = [p.data.copy() for p in block.parameters()]
    hist = model.fit(xs, ys, batch_size=16, epochs=2, verbose=0)
    assert len(hist.history["loss"]) == 2
    assert any(not np.array_equal(b, p.data) for b, p in zip(before, block.parameters()))
    a, b = model.predict(xs[:4]), model.predict(xs[:4])
    np.testing.assert_array_equal(a, b)  # predict: dropout off
    h = TokenAndPositionEmbedding(maxlen, vocab, 8)(gn.tensor(xs[:4]))
    assert not np.allclose(block(h, training=True).numpy(), block(h, training=True).numpy())  # forced on
    np.testing.assert_array_equal(block(h, training=False).numpy(), block(h, training=False).numpy())


def test_residual_block_with_ops():
    inputs = keras.Input((6, 6, 3))
    x = layers.Conv2D(3, 3, padding="same")(inputs)
    x = ops.relu(x + inputs)
    x = ops.mean(x, axis=(1, 2))
    model = keras.Model(inputs, layers.Dense(1)(x))
    assert x.shape == (None, 3)
    model.compile(optimizer="sgd", loss="mse")
    model.fit(np.ones((4, 6, 6, 3), np.float32), np.zeros((4, 1), np.float32), verbose=0)


class Linear(layers.Layer):
    def __init__(self, units=4, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.calls = []

    def build(self, input_shape):
        self.calls.append(input_shape)
        self.w = self.add_weight(shape=(input_shape[-1], self.units), initializer="random_normal", trainable=True,
                                 name="w")
        self.b = self.add_weight(shape=(self.units,), initializer="zeros", trainable=True, name="b")
        self.count = self.add_weight(shape=(), initializer="zeros", trainable=False, name="count")

    def call(self, x):
        self.add_loss(ops.sum(self.w ** 2))
        return ops.matmul(x, self.w) + self.b

    def get_config(self):
        return {**super().get_config(), "units": self.units}


def test_build_add_weight_losses_and_config():
    layer = Linear(3, name="lin")
    y = layer(keras.Input((5,)))
    assert y.shape == (None, 3) and layer.calls == [(None, 5)] and layer.built
    layer(gn.ones(2, 5))
    assert layer.calls == [(None, 5)]  # built once
    assert [w.shape for w in layer.trainable_weights] == [(5, 3), (3,)]
    assert len(layer.non_trainable_weights) == 1 and "count" in layer.state_dict()
    np.testing.assert_allclose(float(layer.losses[0].item()), (layer.w.data ** 2).sum(), rtol=1e-6)
    cfg = layer.get_config()
    assert cfg["units"] == 3 and cfg["name"] == "lin" and cfg["trainable"] is True
    assert Linear.from_config(cfg).units == 3
    with pytest.raises(ValueError, match="shape"):
        layer.add_weight(shape=(-1,))
    layer.trainable = False
    assert layer.trainable_weights == []


def test_initializer_object_and_compute_output_shape():
    class Const(layers.Layer):
        def build(self, input_shape):
            self.k = self.add_weight(shape=(2,), initializer=lambda shape, dtype=None: np.full(shape, 3.0, dtype))

        def call(self, x):
            return x[:, :2] * self.k

        def compute_output_shape(self, input_shape):
            return (input_shape[0], 2)

    layer = Const()
    assert layer(keras.Input((None,))).shape == (None, 2)
    assert layer.k.data.tolist() == [3.0, 3.0]


class MLP(keras.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.hidden = layers.Dense(8, activation="relu")
        self.drop = layers.Dropout(0.5)
        self.out = layers.Dense(1)
        self.seen = []

    def call(self, x, training=None):
        self.seen.append(training)
        return self.out(self.drop(self.hidden(x), training=training))


def test_subclassed_model_fit_evaluate_predict_get_training_right():
    model = MLP(name="mlp")
    assert model.name == "mlp"
    model.compile(optimizer="adam", loss="mse")
    x, y = np.ones((8, 3), np.float32), np.ones((8, 1), np.float32)
    model.fit(x, y, batch_size=8, epochs=1, verbose=0)
    assert model.seen[-1] is True
    model.evaluate(x, y)
    assert model.seen[-1] is False
    model.predict(x)
    assert model.seen[-1] is False


def test_dict_inputs_and_outputs():
    a, b = keras.Input((2,), name="a"), keras.Input((3,), name="b")
    h = layers.Concatenate()([a, b])
    model = keras.Model({"a": a, "b": b}, {"out": layers.Dense(1)(h), "sum": ops.sum(h, axis=-1)})
    out = model({"a": np.ones((4, 2), np.float32), "b": np.ones((4, 3), np.float32)})
    assert set(out) == {"out", "sum"} and out["sum"].tolist() == [5.0] * 4


def test_random_seeding():
    gn.manual_seed(3)
    a = keras.random.normal((2, 3))
    gn.manual_seed(3)
    np.testing.assert_array_equal(a.numpy(), keras.random.normal((2, 3)).numpy())
    keras.utils.set_random_seed(5)
    s1 = keras.random.SeedGenerator()
    keras.utils.set_random_seed(5)
    np.testing.assert_array_equal(keras.random.uniform((3,), seed=s1).numpy(),
                                  keras.random.uniform((3,), seed=keras.random.SeedGenerator()).numpy())
    np.testing.assert_array_equal(keras.random.normal((2,), seed=7).numpy(), keras.random.normal((2,), seed=7).numpy())
    r = keras.random.randint((1000,), 2, 5, seed=1).numpy()
    assert r.dtype == np.int32 and set(np.unique(r)) == {2, 3, 4}
    t = keras.random.truncated_normal((1000,), stddev=1.0, seed=1).numpy()
    assert np.abs(t).max() <= 2.0 and t.dtype == np.float32
    d = keras.random.dropout(np.ones((4, 100), np.float32), 0.5, noise_shape=(1, 100), seed=2).numpy()
    assert (d == d[:1]).all() and set(np.unique(d)) <= {0.0, 2.0}
    assert sorted(keras.random.shuffle(np.arange(5), seed=1).tolist()) == [0, 1, 2, 3, 4]
    c = keras.random.categorical(np.log([[0.0001, 0.9999]]), 50, seed=0).numpy()
    assert c.shape == (1, 50) and (c == 1).mean() > 0.9
    with pytest.raises(ValueError, match="seed"):
        keras.random.normal((2,), seed="x")


def test_config_backend_and_clear_session():
    assert keras.config.backend() == "numpy" and keras.config.floatx() == "float32"
    keras.config.set_floatx("float64")
    try:
        assert ops.ones(2).dtype == np.float64 and keras.backend.floatx() == "float64"
    finally:
        keras.config.set_floatx("float32")
    with pytest.raises(ValueError, match="float16"):
        keras.config.set_floatx("float16")
    keras.backend.clear_session()
    assert layers.Dense(1).name == "dense"


def test_registered_custom_layer_saves_and_loads(tmp_path):
    @keras.saving.register_keras_serializable(package="Tests")
    class Scale(layers.Layer):
        def __init__(self, factor=2.0, **kwargs):
            super().__init__(**kwargs)
            self.factor = factor

        def build(self, input_shape):
            self.w = self.add_weight(shape=(input_shape[-1],), initializer="random_normal")

        def call(self, x):
            return x * self.w * self.factor

        def get_config(self):
            return {**super().get_config(), "factor": self.factor}

    x = keras.Input((3,))
    model = keras.Model(x, Scale(3.0)(layers.Dense(3)(x)))
    data = np.ones((2, 3), np.float32)
    keras.saving.save_model(model, tmp_path / "m.gnx")
    loaded = keras.saving.load_model(tmp_path / "m.gnx")
    np.testing.assert_allclose(loaded(data).numpy(), model(data).numpy(), rtol=1e-6)
    assert keras.saving.get_registered_object("Tests>Scale") is Scale
    cfg = keras.saving.serialize_keras_object(Scale(4.0))
    assert cfg["class_name"] == "Tests>Scale" and keras.saving.deserialize_keras_object(cfg).factor == 4.0
