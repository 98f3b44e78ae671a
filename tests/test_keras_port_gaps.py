"""What stopped keras-io ports: ModelCheckpoint writing whole models (.keras / .h5) that load_model reads,
compile configs with metric objects kept by save, dataset batches as Tensors, the optimisers' positional order
(Keras 2's, the contract's) beside Keras 3's keywords, Keras 3's learning_rate log and keras.backend.get_value / set_value."""

import warnings

import numpy as np
import pytest

import gradnote as gn
from gradnote import keras
from gradnote.keras import layers

rng = np.random.default_rng(3)
X = rng.standard_normal((48, 5)).astype(np.float32)
Y = (X[:, 0] > 0).astype(np.float32)[:, None]


def _model():
    gn.manual_seed(0)
    inputs = keras.Input(shape=(5,))
    return keras.Model(inputs, layers.Dense(1, activation="sigmoid")(layers.Dense(4, activation="relu")(inputs)))


@pytest.mark.parametrize("name", ["best_model.h5", "best.keras"])
def test_model_checkpoint_saves_the_whole_model_for_load_model(tmp_path, name):
    model = _model()
    model.compile("adam", "binary_crossentropy", metrics=[keras.metrics.AUC(num_thresholds=20), "accuracy"])
    ckpt = keras.callbacks.ModelCheckpoint(str(tmp_path / name), save_best_only=True, monitor="val_loss")
    hist = model.fit(X, Y, epochs=3, batch_size=8, validation_split=0.25, verbose=0, callbacks=[ckpt])
    best = int(np.argmin(hist.history["val_loss"]))
    loaded = keras.models.load_model(tmp_path / name)
    logs = loaded.evaluate(X[36:], Y[36:], return_dict=True)
    assert logs["loss"] == pytest.approx(hist.history["val_loss"][best], rel=1e-5)
    assert set(logs) == {"loss", "auc", "accuracy"}  # the compile config came back, metric objects included
    if best == 2:
        np.testing.assert_allclose(loaded.predict(X), model.predict(X), rtol=1e-6)


def test_model_checkpoint_weights_only_and_training_checkpoints(tmp_path):
    model = _model()
    model.compile("sgd", "binary_crossentropy")
    model.fit(X, Y, epochs=1, verbose=0, callbacks=[
        keras.callbacks.ModelCheckpoint(str(tmp_path / "w.weights.h5"), save_weights_only=True),
        keras.callbacks.ModelCheckpoint(str(tmp_path / "run.gnck"))])
    fresh = _model()
    fresh.load_weights(tmp_path / "w.weights.h5")
    np.testing.assert_array_equal(fresh.predict(X), model.predict(X))
    state = gn.train.load_checkpoint(tmp_path / "run.gnck")  # other names stay resumable checkpoints
    assert state["epoch"] == 1 and state["loop"] is not None


def test_save_warns_naming_a_compile_config_it_cannot_keep(tmp_path):
    model = _model()
    model.compile("adam", loss=lambda y, p: ((y - p) ** 2).mean(), metrics=["mae"])
    with pytest.warns(UserWarning, match="compile config is not saved .*loss <function"):
        model.save(tmp_path / "m.keras")
    assert "_compiled" not in keras.models.load_model(tmp_path / "m.keras").__dict__
    model.compile("adam", "mse", metrics=[keras.metrics.MeanAbsoluteError(), keras.metrics.Precision(0.3)],
                  loss_weights=2.0, weighted_metrics=["mse"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model.save(tmp_path / "m2.keras")
    config = keras.models.load_model(tmp_path / "m2.keras").get_compile_config()
    assert config["metrics"][1] == {"class_name": "Precision", "config": {
        "name": "precision", "thresholds": 0.3, "top_k": None, "class_id": None}}
    assert config["loss_weights"] == 2.0 and config["weighted_metrics"] == ["mse"]


def test_dataset_batches_are_tensors(tmp_path):
    for cls in ("cat", "dog"):
        (tmp_path / cls).mkdir()
        for i in range(3):
            keras.utils.save_img(tmp_path / cls / f"{i}.png", np.full((6, 6, 3), 40 * i, np.uint8), scale=False)
    ds = keras.utils.image_dataset_from_directory(tmp_path, image_size=(6, 6), batch_size=4, shuffle=False)
    for images, labels in ds.take(1):
        assert isinstance(images, gn.Tensor) and images.dtype == np.float32
        assert images[1].numpy().astype("uint8")[0, 0].tolist() == [40, 40, 40] and labels.numpy().tolist() == [0] * 3 + [1]
    assert all(isinstance(a, np.ndarray) for a in next(ds.as_numpy_iterator()))
    series = keras.utils.timeseries_dataset_from_array(np.arange(10.0, dtype=np.float32), None, 3, batch_size=4)
    assert isinstance(series[0], gn.Tensor) and series[0].numpy()[1].tolist() == [1.0, 2.0, 3.0]
    gn.manual_seed(0)
    model = keras.Sequential([keras.Input(shape=(6, 6, 3)), layers.Rescaling(1 / 255), layers.Flatten(),
                              layers.Dense(1, activation="sigmoid")])
    model.compile("adam", "binary_crossentropy")
    assert len(model.fit(ds, epochs=1, verbose=0).history["loss"]) == 1
    assert model.predict(ds).shape == (6, 1)


def test_optimizers_take_keras2_positional_order_and_keras3_keywords():
    """The contract (API.md) fixes Keras 2's positional order; Keras 3's flags come by keyword, and a Keras 3
    positional flag landing on decay is refused rather than read as decay=1.0."""
    sgd = keras.optimizers.SGD(0.1, 0.9, 0.5, True, weight_decay=0.01)
    assert (sgd.lr, sgd.hyper["momentum"], sgd.decay, sgd.hyper["nesterov"], sgd.weight_decay) == \
        (0.1, 0.9, 0.5, True, 0.01)
    adam = keras.optimizers.Adam(0.01, 0.8, 0.9, 1e-6, 0.5, True, weight_decay=0.02)
    assert (adam.lr, adam.hyper["beta_1"], adam.hyper["beta_2"], adam.hyper["epsilon"], adam.decay,
            adam.hyper["amsgrad"], adam.weight_decay) == (0.01, 0.8, 0.9, 1e-6, 0.5, True, 0.02)
    rms = keras.optimizers.RMSprop(0.01, 0.8, 1e-6, 0.0, 0.5, True)
    assert (rms.hyper["rho"], rms.hyper["epsilon"], rms.hyper["momentum"], rms.hyper["centered"]) == \
        (0.8, 1e-6, 0.5, True)
    adamw = keras.optimizers.AdamW(0.01, 0.1, 0.8, 0.9, 1e-6, 0.0, True)
    assert adamw._weight_decay == 0.1 and adamw.hyper["amsgrad"] is True
    new = keras.optimizers.SGD(learning_rate=0.1, momentum=0.9, nesterov=True, weight_decay=0.01)  # Keras 3
    assert (new.lr, new.hyper["nesterov"], new.weight_decay) == (0.1, True, 0.01)
    for cls in (keras.optimizers.Adagrad, keras.optimizers.Adadelta, keras.optimizers.Nadam,
                keras.optimizers.Adamax):
        assert cls(0.5, weight_decay=0.1).weight_decay == 0.1 and cls(learning_rate=0.3).lr == 0.3
    with pytest.raises(ValueError, match="nesterov=True"):
        keras.optimizers.SGD(0.1, 0.9, True)  # Keras 3's nesterov in Keras 2's decay place


def test_learning_rate_logs_and_backend_values():
    model = _model()
    model.compile(keras.optimizers.SGD(0.1), "binary_crossentropy")
    cb = keras.callbacks.ReduceLROnPlateau(monitor="loss", factor=0.5, patience=0, min_delta=10.0)
    hist = model.fit(X, Y, epochs=2, verbose=0, callbacks=[cb])
    assert "lr" not in hist.history and hist.history["learning_rate"][0] == pytest.approx(0.1)
    assert keras.backend.get_value(model.optimizer.learning_rate) == pytest.approx(0.05)  # lowered after epoch 2
    keras.backend.set_value(model.optimizer.learning_rate, 0.3)
    assert model.optimizer.param_groups[0]["lr"] == pytest.approx(0.3)
    v = gn.zeros(2)
    keras.backend.set_value(v, [1.0, 2.0])
    assert keras.backend.get_value(v).tolist() == [1.0, 2.0]
