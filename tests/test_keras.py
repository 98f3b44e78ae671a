"""Keras-style models: the seed's code, compile strings, fit/evaluate/predict semantics, layers, optimizers."""

import math

import numpy as np
import pytest

import gradnote as gn
from gradnote import layers
from gradnote.layers import Dense, Dropout
from gradnote.models import Sequential


def _blobs(n=120, d=4, classes=3, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, classes, n)
    centers = rng.normal(scale=4, size=(classes, d))
    return (centers[y] + rng.normal(size=(n, d))).astype(np.float32), y


def test_seed_code_runs_with_only_imports_changed():
    import gradnote as tf  # was: import tensorflow as tf
    from gradnote.keras.layers import Dense, Dropout  # was: from tensorflow.keras.layers import Dropout, Dense
    from gradnote.keras.models import Sequential  # was: from tensorflow.keras.models import Sequential

    gn.manual_seed(0)
    max_words, num_classes = 10000, 46
    model = Sequential()
    model.add(Dense(256, input_shape=(max_words,), activation='relu'))
    model.add(Dropout(0.5))
    model.add(Dense(128, activation='relu'))
    model.add(Dropout(0.5))
    model.add(Dense(num_classes, activation='softmax'))
    adam = tf.keras.optimizers.Adam(lr=0.001, beta_1=0.9, beta_2=0.999, epsilon=None, decay=0.0, amsgrad=False)
    model.compile(loss='categorical_crossentropy', optimizer=adam, metrics=['acc'])

    rng = np.random.default_rng(0)
    x = (rng.random((48, max_words)) < 0.01).astype(np.float32)
    y = np.eye(num_classes, dtype=np.float32)[rng.integers(0, num_classes, 48)]
    history = model.fit(x, y, batch_size=16, epochs=2, verbose=0, validation_split=0.25)
    assert set(history.history) == {"loss", "acc", "val_loss", "val_acc", "learning_rate"}
    assert all(len(v) == 2 and np.all(np.isfinite(v)) for v in history.history.values())
    assert model.predict(x[:5]).shape == (5, num_classes)
    assert model.num_parameters() == 10000 * 256 + 256 + 256 * 128 + 128 + 128 * 46 + 46
    assert adam.hyper["epsilon"] == 1e-7
    assert tf.keras.models.Sequential is gn.models.Sequential and tf.keras.layers.Dense is gn.layers.Dense
    assert issubclass(tf.keras.models.Sequential, gn.nn.Sequential) and issubclass(Dense, gn.nn.Linear)


@pytest.mark.parametrize("opt", ["sgd", "adam", "rmsprop", "adagrad", "adamw"])
def test_string_optimizers_learn(opt):
    gn.manual_seed(1)
    x, y = _blobs()
    m = Sequential([Dense(16, activation="relu"), Dense(3, activation="softmax")])
    m.compile(optimizer=opt if opt != "sgd" else gn.optimizers.SGD(lr=0.1), loss="sparse_categorical_crossentropy",
              metrics=["accuracy"])
    assert isinstance(m.optimizer, gn.optimizers.Optimizer)
    m.optimizer.lr = 0.05  # Keras's default rates (1e-3) are slow for 15 short epochs
    h = m.fit(x, y, epochs=15, batch_size=16, verbose=0)
    assert h.history["loss"][-1] < h.history["loss"][0]
    assert m.evaluate(x, y)[1] > 0.9


def test_losses_by_name_match_references():
    gn.manual_seed(2)
    x, y = _blobs(n=20)
    onehot = np.eye(3, dtype=np.float32)[y]
    m = Sequential([Dense(3, input_shape=(4,), activation="softmax")])
    logits = x @ m[0].weight.data.T + m[0].bias.data
    p = np.exp(logits - logits.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    ce = -np.log(p[np.arange(20), y]).mean()
    for loss, target in [("categorical_crossentropy", onehot), ("sparse_categorical_crossentropy", y)]:
        m.compile("sgd", loss)
        assert m.evaluate(x, target) == pytest.approx(ce, rel=1e-5)
    m.compile("sgd", "mse", metrics=["mae"])
    loss, mae = m.evaluate(x, onehot)
    assert loss == pytest.approx(((p - onehot) ** 2).mean(), rel=1e-5)
    assert mae == pytest.approx(np.abs(p - onehot).mean(), rel=1e-5)
    b = Sequential([Dense(1, input_shape=(4,), activation="sigmoid")])
    b.compile("sgd", "binary_crossentropy", metrics=["acc"])
    z = (x @ b[0].weight.data.T + b[0].bias.data)[:, 0]
    q = 1 / (1 + np.exp(-z))
    t = (y > 0).astype(np.float32)
    loss, acc = b.evaluate(x, t)
    assert loss == pytest.approx(-(t * np.log(q) + (1 - t) * np.log(1 - q)).mean(), rel=1e-4)
    assert acc == pytest.approx(((q > 0.5) == t).mean())


def test_softmax_output_with_huge_logits_stays_finite():
    m = Sequential([Dense(3, input_shape=(2,), activation="softmax")])
    m[0].weight.data[...] = np.array([[1e4, 0], [0, 1e4], [-1e4, -1e4]], np.float32)
    x = np.array([[1.0, -1.0], [-1.0, 1.0]], np.float32)
    y = np.array([1, 0])  # confidently wrong: the loss is about 2e4
    m.compile(gn.optimizers.SGD(lr=1e-6), "sparse_categorical_crossentropy")
    loss = m.evaluate(x, y)
    assert np.isfinite(loss) and loss == pytest.approx(2e4, rel=1e-3)
    h = m.fit(x, y, epochs=1, verbose=0)
    assert np.isfinite(h.history["loss"][0])
    assert np.all(np.isfinite(m[0].weight.data))


def test_validation_split_takes_the_last_fraction():
    x, y = _blobs(n=50)
    m = Sequential([Dense(3, input_shape=(4,), activation="softmax")])
    m.compile(gn.optimizers.SGD(lr=0.0), "sparse_categorical_crossentropy", metrics=["acc"])
    h = m.fit(x, y, epochs=1, validation_split=0.2, verbose=0)
    assert h.history["val_loss"][0] == pytest.approx(m.evaluate(x[40:], y[40:])[0])
    assert h.history["loss"][0] == pytest.approx(m.evaluate(x[:40], y[:40])[0])
    h2 = m.fit(x, y, epochs=1, validation_data=(x[:10], y[:10]), verbose=0)
    assert h2.history["val_acc"][0] == pytest.approx(m.evaluate(x[:10], y[:10])[1])


def test_predict_is_batched_eval_mode_without_graph():
    gn.manual_seed(3)
    m = Sequential([Dense(8, input_shape=(4,), activation="relu"), Dropout(0.5), Dense(2)])
    x, _ = _blobs(n=37)
    out = m.predict(x, batch_size=5)
    assert isinstance(out, np.ndarray) and out.shape == (37, 2) and m.training
    with gn.no_grad():
        m.eval()
        ref = m(gn.tensor(x)).data
        m.train()
    assert np.allclose(out, ref, atol=1e-6)
    assert all(p.grad is None for p in m.parameters())


def test_bad_input_errors():
    m = Sequential([Dense(2, input_shape=(4,))])
    with pytest.raises(ValueError, match="valid names.*mse"):
        m.compile("adam", "crossentropy")
    with pytest.raises(ValueError, match="valid names.*adam"):
        m.compile("adamm", "mse")
    with pytest.raises(ValueError, match="valid names.*acc"):
        m.compile("adam", "mse", metrics=["acuracy"])
    with pytest.raises(RuntimeError, match="compile"):
        m.fit(np.zeros((3, 4)), np.zeros((3, 2)))
    m.compile("adam", "mse")
    with pytest.raises(ValueError, match="len\\(x\\)=5.*len\\(y\\)=4"):
        m.fit(np.zeros((5, 4)), np.zeros((4, 2)), verbose=0)
    with pytest.raises(ValueError, match="4 features in the last dimension"):
        m.predict(np.zeros((2, 3)))
    m.compile("adam", "categorical_crossentropy")
    with pytest.raises(ValueError, match="sparse_categorical_crossentropy"):
        m.fit(np.zeros((3, 4)), np.array([0, 1, 1]), verbose=0)
    with pytest.raises(ValueError, match="rate must be in"):
        Dropout(1.5)
    with pytest.raises(ValueError, match="unknown activation"):
        Dense(3, activation="relu6")


def test_verbose_modes(capsys):
    x, y = _blobs(n=20)
    m = Sequential([Dense(3, activation="softmax")])
    m.compile("adam", "sparse_categorical_crossentropy", metrics=["acc"])
    m.fit(x, y, epochs=1, verbose=2)
    out = capsys.readouterr()
    assert "Epoch 1/1" in out.out and "loss:" in out.out and "acc:" in out.out
    m.fit(x, y, epochs=1, verbose=1)
    err = capsys.readouterr().err
    assert "Epoch 1/1" in err and "loss" in err  # tqdm's bar
    m.fit(x, y, epochs=1, verbose=0)
    assert capsys.readouterr() == ("", "")


def test_dense_matches_linear_and_is_built_lazily():
    gn.manual_seed(4)
    d = Dense(3, kernel_initializer="glorot_uniform")
    assert not d.built and list(d.parameters()) == []
    x = gn.randn(5, 7)
    out = d(x)
    assert d.weight.shape == (3, 7) and np.all(d.bias.data == 0)
    limit = np.sqrt(6 / (7 + 3))
    assert np.abs(d.weight.data).max() <= limit
    lin = gn.nn.Linear(7, 3)
    lin.load_state_dict(d.state_dict())
    assert np.allclose(lin(x).data, out.data)
    assert d.get_config()["input_shape"] == [7] and Dense(**d.get_config()).built


def test_keras_optimizer_standalone_matches_optim_and_decay():
    w0 = np.array([1.0, -2.0, 3.0], np.float32)
    a, b = gn.nn.Parameter(w0.copy()), gn.nn.Parameter(w0.copy())
    keras_opt = gn.optimizers.Adam([a], learning_rate=0.1, decay=0.5)
    ref = gn.optim.Adam([b], lr=0.1, eps=1e-7)
    for t in range(3):
        g = np.array([0.5, -1.0, 2.0], np.float32) * (t + 1)
        keras_opt.apply_gradients([(g, a)])
        for group in ref.param_groups:
            group["lr"] = 0.1 / (1 + 0.5 * t)
            group["eps"] = 1e-7 / np.sqrt(1 - 0.999 ** (t + 1))  # Keras's epsilon hat in torch's placement
        b.grad = g
        ref.step()
        assert np.allclose(a.data, b.data, rtol=1e-6)
    assert keras_opt.lr == pytest.approx(0.1 / (1 + 0.5 * 3))
    sgd = gn.optimizers.SGD(lr=0.5, momentum=0.9, nesterov=True)
    p = gn.nn.Parameter(np.ones(2, np.float32))
    sgd.minimize(lambda: (p * p).sum(), [p])
    assert np.allclose(p.data, 1 - 0.5 * 2 * (1 + 0.9))
    with pytest.raises(RuntimeError, match="bind"):
        gn.optimizers.Adam().step()
    with pytest.raises(ValueError, match="lr must be"):
        gn.optimizers.SGD(lr=-1)


def test_pytorch_style_fit_and_sequential_identity():
    assert gn.models.Sequential is gn.keras.Sequential
    gn.manual_seed(5)
    x, y = _blobs()
    loader = gn.data.DataLoader(gn.data.TensorDataset(x[:90], y[:90]), batch_size=16, shuffle=True)
    val = gn.data.DataLoader(gn.data.TensorDataset(x[90:], y[90:]), batch_size=16)
    model = gn.nn.Sequential(gn.nn.Linear(4, 16), gn.nn.ReLU(), gn.nn.Linear(16, 3))
    opt = gn.optim.Adam(model.parameters(), lr=0.02)
    h = gn.train.fit(model, loader, gn.nn.CrossEntropyLoss(), opt, epochs=10, val_loader=val,
                     metrics=["accuracy"], verbose=0)
    assert h.history["val_accuracy"][-1] > 0.9
    assert gn.train.evaluate_loader(model, val, gn.nn.CrossEntropyLoss(), metrics=["accuracy"])["accuracy"] \
        == pytest.approx(h.history["val_accuracy"][-1])


def test_other_layers():
    gn.manual_seed(6)
    m = Sequential([layers.Conv2D(4, 3, padding="same", activation="relu", data_format="channels_first"),
                    layers.MaxPooling2D(2, data_format="channels_first"), layers.BatchNormalization(axis=1),
                    layers.Flatten(), layers.Activation("tanh"), Dense(2)])
    out = m(gn.randn(2, 1, 6, 6))
    assert out.shape == (2, 2) and m[0].weight.shape == (4, 1, 3, 3)
    assert m[2].running_mean.shape == (4,) and int(m[2].num_batches_tracked) == 1
    a = np.random.default_rng(6).standard_normal((2, 3))
    erf = np.vectorize(math.erf)
    expected = {"relu": np.maximum(a, 0), "sigmoid": 1 / (1 + np.exp(-a)), "tanh": np.tanh(a),
                "softmax": np.exp(a) / np.exp(a).sum(-1, keepdims=True), "leaky_relu": np.where(a > 0, a, 0.01 * a),
                "elu": np.where(a > 0, a, np.exp(a) - 1), "gelu": a * 0.5 * (1 + erf(a / math.sqrt(2))), "linear": a}
    for name, ref in expected.items():  # PyTorch's defaults: leaky slope 0.01, elu alpha 1, exact gelu
        np.testing.assert_allclose(layers.Activation(name)(gn.tensor(a)).data, ref, rtol=1e-12, err_msg=name)


def test_image_layers_are_channels_last_by_default_and_match_channels_first():
    gn.manual_seed(7)
    x = gn.randn(2, 6, 6, 3)  # NHWC
    last = Sequential([layers.Conv2D(4, 3, padding="same"), layers.BatchNormalization(), layers.MaxPooling2D(2)])
    first = Sequential([layers.Conv2D(4, 3, padding="same", data_format="channels_first"),
                        layers.BatchNormalization(axis=1), layers.MaxPooling2D(2, data_format="channels_first")])
    out = last(x)
    first(x.transpose(0, 3, 1, 2))
    first.load_state_dict(last.state_dict())
    assert out.shape == (2, 3, 3, 4) and last[0].weight.shape == (4, 3, 3, 3)
    np.testing.assert_allclose(first(x.transpose(0, 3, 1, 2)).transpose(0, 2, 3, 1).data, last(x).data, atol=1e-5)
    assert layers.Conv2D(8, 3, input_shape=(28, 28, 1)).weight.shape == (8, 1, 3, 3)
    with pytest.raises(ValueError, match="data_format"):
        layers.Conv2D(8, 3, data_format="NHWC")


def test_keras_layers_are_nn_layers_so_nn_fixes_reach_them():
    assert layers.Flatten()(gn.zeros(0, 2, 3)).shape == (0, 6)  # nn.Flatten handles the empty batch
    with pytest.raises(ValueError, match="filters must be a positive int, got True"):
        layers.Conv2D(True, 3)
    with pytest.raises(ValueError, match="Dropout: rate must be in \\[0, 1\\), got 'a'"):
        Dropout("a")
    for keras_cls, nn_cls in [(Dense, gn.nn.Linear), (layers.Conv2D, gn.nn.Conv2d), (Dropout, gn.nn.Dropout),
                              (layers.Flatten, gn.nn.Flatten), (layers.MaxPooling2D, gn.nn.MaxPool2d)]:
        assert issubclass(keras_cls, nn_cls)
    bn = layers.BatchNormalization()
    bn(gn.randn(8, 3))
    assert bn.momentum == pytest.approx(0.01) and bn.eps == pytest.approx(1e-3)  # Keras 0.99 is PyTorch 0.01


def test_compile_builds_lazy_layers_from_the_first_layers_input_shape():
    model = Sequential([Dense(8, input_shape=(4,), activation="relu"), layers.BatchNormalization(), Dense(3)])
    model.compile(optimizer=gn.optimizers.Adam(lr=0.01), loss="mse")
    assert model.num_parameters() == 4 * 8 + 8 + 2 * 8 + 8 * 3 + 3  # every layer built at compile, as Keras
    assert sum(p.data.size for g in model.optimizer.param_groups for p in g["params"]) == model.num_parameters()
    bn = model[1]
    assert np.all(bn.running_mean == 0) and np.all(bn.running_var == 1)  # the build pass ran in eval mode
    assert model.training


def test_keras_adam_uses_keras_epsilon_hat_and_clipping_options():
    rng = np.random.default_rng(0)
    w0 = rng.normal(size=3)
    p = gn.nn.Parameter(w0.copy())
    opt = gn.optimizers.Adam(lr=0.1, epsilon=1e-3).bind([p])
    m = v = np.zeros(3)
    w = w0.copy()
    for t in range(1, 6):
        g = rng.normal(size=3)
        p.grad = g.copy()
        opt.step()
        m, v = 0.9 * m + 0.1 * g, 0.999 * v + 0.001 * g * g
        w = w - 0.1 * np.sqrt(1 - 0.999 ** t) / (1 - 0.9 ** t) * m / (np.sqrt(v) + 1e-3)  # Keras's update
    np.testing.assert_allclose(p.data, w, rtol=1e-12)

    a, b = gn.nn.Parameter(np.zeros(2)), gn.nn.Parameter(np.zeros(2))
    sgd = gn.optimizers.SGD(lr=1.0, clipnorm=1.0).bind([a, b])
    a.grad, b.grad = np.array([3.0, 4.0]), np.array([0.3, 0.4])
    sgd.step()  # clipnorm: each gradient by its own norm
    np.testing.assert_allclose(np.r_[a.data, b.data], [-0.6, -0.8, -0.3, -0.4], rtol=1e-5)  # torch's 1e-6 guard
    a.data[:], b.data[:] = 0, 0
    glob = gn.optimizers.SGD(lr=1.0, global_clipnorm=1.0).bind([a, b])
    a.grad, b.grad = np.array([3.0, 0.0]), np.array([0.0, 4.0])
    glob.step()
    np.testing.assert_allclose(np.r_[a.data, b.data], [-0.6, 0, 0, -0.8], rtol=1e-5)
    c = gn.nn.Parameter(np.zeros(1))
    ada = gn.optimizers.Adagrad(lr=1.0).bind([c])  # Keras's accumulator starts at 0.1
    c.grad = np.array([1.0])
    ada.step()
    np.testing.assert_allclose(c.data, [-1.0 / (np.sqrt(1.1) + 1e-7)])
    with pytest.raises(ValueError, match="global_clipnorm"):
        gn.optimizers.Adam(global_clipnorm=-1)


def test_keras_loss_functions_are_per_sample_and_compile_takes_them_in_keras_order():
    # mnist_cnn.py (Keras 2 examples): compile(loss=keras.losses.categorical_crossentropy, ...)
    from gradnote import keras
    rng = np.random.default_rng(3)
    p = rng.dirichlet(np.ones(4), 6).astype(np.float32)
    t = np.eye(4, dtype=np.float32)[rng.integers(0, 4, 6)]
    per_sample = keras.losses.categorical_crossentropy(gn.tensor(t), gn.tensor(p))
    assert per_sample.shape == (6,)
    np.testing.assert_allclose(per_sample.data, -(t * np.log(p)).sum(1), rtol=1e-5)
    np.testing.assert_allclose(keras.losses.mse(gn.tensor(t), gn.tensor(p)).data, ((t - p) ** 2).mean(1), rtol=1e-6)
    assert keras.losses.mae is keras.losses.mean_absolute_error
    gn.manual_seed(0)
    x, y = _blobs(n=20)
    onehot = np.eye(3, dtype=np.float32)[y]
    m = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(3, activation="softmax")])
    m.compile("sgd", keras.losses.categorical_crossentropy)
    z = x @ m.layers[0].weight.data.T + m.layers[0].bias.data
    q = np.exp(z - z.max(1, keepdims=True))
    q /= q.sum(1, keepdims=True)
    assert m.evaluate(x, onehot, verbose=0) == pytest.approx(-np.log(q[np.arange(20), y]).mean(), rel=1e-5)


def test_backend_and_np_utils_spellings_of_keras_2_programs():
    # mnist_cnn.py: `from keras import backend as K; K.image_data_format()`; mnist_mlp.py: `np_utils.to_categorical`
    from gradnote.keras import backend as K
    from gradnote.keras.utils import np_utils
    assert K.image_data_format() == "channels_last" and K.floatx() == "float32" and K.epsilon() == 1e-7
    assert np_utils.to_categorical is gn.utils.to_categorical
    np.testing.assert_array_equal(np_utils.to_categorical([2, 0], 3), np.eye(3, dtype=np.float32)[[2, 0]])
    x = np.zeros((2, 5, 5, 1), np.float32)  # the channels_last layout the backend reports is what Conv2D takes
    assert gn.keras.layers.Conv2D(3, 3)(gn.tensor(x)).shape == (2, 3, 3, 3)


def test_unknown_lengths_trace_through_strided_convolutions_and_layers_take_name():
    # text_classification_from_scratch.py (keras-io): Input(shape=(None,)), Conv1D(128, 7, strides=3) twice,
    # GlobalMaxPooling1D, Dense(1, activation="sigmoid", name="predictions")
    from gradnote import keras
    from gradnote.keras import layers as KL
    gn.manual_seed(0)
    inputs = keras.Input(shape=(None,), dtype="int64")
    emb, c1, c2 = (KL.Embedding(50, 6), KL.Conv1D(4, 7, padding="valid", activation="relu", strides=3),
                   KL.Conv1D(4, 7, padding="valid", activation="relu", strides=3))
    h1 = c1(emb(inputs))
    h2 = c2(h1)
    assert h1.shape == (None, None, 4) and h2.shape == (None, None, 4)
    pooled = KL.GlobalMaxPooling1D()(h2)
    head = KL.Dense(1, activation="sigmoid", name="predictions")
    model = keras.Model(inputs, head(pooled))
    assert head.name == "predictions" and model.get_layer("predictions") is head
    ids = np.random.default_rng(0).integers(0, 50, (3, 40))
    e = emb.weight.data[ids]  # (3, 40, 6), a NumPy reference of the two valid stride-3 convolutions
    for conv in (c1, c2):
        w, b = conv.weight.data, conv.bias.data  # (out, in, k) as nn.Conv1d
        steps = (e.shape[1] - 7) // 3 + 1
        e = np.maximum(np.stack([np.einsum("nki,oik->no", e[:, 3 * t:3 * t + 7], w) + b for t in range(steps)], 1), 0)
    z = e.max(1) @ head.weight.data.T + head.bias.data
    np.testing.assert_allclose(model.predict(ids, verbose=0), 1 / (1 + np.exp(-z)), rtol=1e-4, atol=1e-6)
    with pytest.raises(ValueError, match="Dense: name must be a non-empty string"):
        KL.Dense(1, name="")
