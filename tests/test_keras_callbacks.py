"""Keras's callback surface in fit: on_train_batch_* hooks, EarlyStopping(start_from_epoch),
ModelCheckpoint(save_freq=int, initial_value_threshold) and every Keras callback by its Keras arguments."""

import numpy as np

import gradnote as gn
from gradnote import keras

rng = np.random.default_rng(4)
X = rng.normal(size=(40, 3)).astype(np.float32)
Y = (X.sum(1) > 0).astype(np.float32)


def _model():
    gn.manual_seed(0)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="binary_crossentropy", metrics=["accuracy"])
    return model


def test_train_batch_hooks_of_keras_callbacks_are_called():
    class Count(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.begins, self.ends = [], []

        def on_train_batch_begin(self, batch, logs=None):
            self.begins.append(batch)

        def on_train_batch_end(self, batch, logs=None):
            self.ends.append((batch, "loss" in logs))

    count = Count()
    _model().fit(X, Y, batch_size=10, epochs=2, verbose=0, callbacks=[count])
    assert count.begins == [0, 1, 2, 3] * 2 and count.ends == [(b, True) for b in [0, 1, 2, 3] * 2]


def test_early_stopping_waits_until_start_from_epoch():
    model = _model()
    model.compile(optimizer=keras.optimizers.SGD(0.0), loss="binary_crossentropy")  # the loss never improves
    stop = keras.callbacks.EarlyStopping(monitor="loss", patience=0, min_delta=1e-4, start_from_epoch=3)
    hist = model.fit(X, Y, epochs=10, verbose=0, callbacks=[stop])
    assert len(hist.history["loss"]) == 5  # epoch 3 sets the best, epoch 4 does not beat it
    stop = keras.callbacks.EarlyStopping(monitor="loss", patience=0, min_delta=1e-4)
    assert len(model.fit(X, Y, epochs=10, verbose=0, callbacks=[stop]).history["loss"]) == 2


def test_model_checkpoint_every_n_batches_and_initial_threshold(tmp_path):
    ckpt = keras.callbacks.ModelCheckpoint(str(tmp_path / "b{epoch}-{loss:.3f}.weights.h5"), save_weights_only=True,
                                           save_freq=3)
    _model().fit(X, Y, batch_size=10, epochs=3, verbose=0, callbacks=[ckpt])  # 12 batches: 4 saves
    assert len(list(tmp_path.glob("b*.weights.h5"))) == 4
    best = keras.callbacks.ModelCheckpoint(str(tmp_path / "best.weights.h5"), monitor="loss", save_best_only=True,
                                           save_weights_only=True, initial_value_threshold=1e-9)
    _model().fit(X, Y, epochs=2, verbose=0, callbacks=[best])
    assert not (tmp_path / "best.weights.h5").exists()


def test_keras_callbacks_take_keras_arguments_and_work_in_fit(tmp_path):
    cbs = [keras.callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=0, min_lr=1e-3, cooldown=0,
                                             min_delta=1e-4, mode="auto"),
           keras.callbacks.EarlyStopping(monitor="val_accuracy", patience=5, restore_best_weights=True),
           keras.callbacks.ModelCheckpoint(str(tmp_path / "best.keras"), monitor="val_accuracy", save_best_only=True),
           keras.callbacks.CSVLogger(str(tmp_path / "log.csv"), separator=",", append=False),
           keras.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: None),
           keras.callbacks.TerminateOnNaN(),
           keras.callbacks.BackupAndRestore(str(tmp_path / "backup")),
           keras.callbacks.LearningRateScheduler(lambda epoch, lr: lr * 0.9)]
    hist = _model().fit(X, Y, epochs=3, validation_split=0.25, verbose=0, callbacks=cbs)
    assert len(hist.history["val_accuracy"]) == 3 and (tmp_path / "best.keras").exists()
    assert (tmp_path / "log.csv").read_text().splitlines()[0].startswith("epoch")


def test_rate_callbacks_set_a_keras_optimizer_through_its_learning_rate():
    import pytest

    model = _model()
    model.compile(optimizer=keras.optimizers.SGD(0.1, decay=0.5), loss="binary_crossentropy")
    seen = []
    halve = keras.callbacks.LearningRateScheduler(lambda epoch: 0.1 / 2 ** epoch)
    probe = keras.callbacks.LambdaCallback(on_epoch_end=lambda e, logs: seen.append(
        (model.optimizer.param_groups[0]["initial_lr"], model.optimizer.iterations)))
    model.fit(X, Y, batch_size=20, epochs=3, verbose=0, callbacks=[halve, probe])
    assert seen == [(0.1, 2), (0.05, 4), (0.025, 6)]  # the base rate, with Keras 2's decay on top of it
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=keras.optimizers.schedules.ExponentialDecay(
        0.1, 10, 0.5)), loss="binary_crossentropy")
    with pytest.raises(TypeError, match="cannot be set to a number"):
        model.fit(X, Y, epochs=1, verbose=0, callbacks=[keras.callbacks.LearningRateScheduler(lambda e: 0.01)])
