"""Keras's fit/evaluate/predict options (sample_weight, class_weight, steps, batch sources), summary(), and the
ReduceLROnPlateau / BackupAndRestore / LambdaCallback callbacks."""

import numpy as np
import pytest

import gradnote as gn
from gradnote import keras
from gradnote.keras import layers


def _data(n=64, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 3)).astype(np.float32)
    return x, (x[:, 0] > 0).astype(np.int64)


def _model(seed=0):
    gn.manual_seed(seed)
    m = keras.Sequential([keras.Input(shape=(3,)), layers.Dense(2, activation="softmax")])
    m.compile(keras.optimizers.SGD(lr=0.1), "sparse_categorical_crossentropy", metrics=["accuracy"])
    return m


def test_sample_and_class_weights_scale_each_samples_loss():
    x, y = _data()
    m = _model()
    p = m.predict(x)
    per_sample = -np.log(p[np.arange(len(y)), y])
    w = np.linspace(0.5, 2.0, len(y)).astype(np.float32)
    np.testing.assert_allclose(m.evaluate(x, y, sample_weight=w, batch_size=64)[0], (per_sample * w).mean(),
                               rtol=1e-5)
    a, b = _model(), _model()
    a.fit(x, y, class_weight={0: 1.0, 1: 3.0}, epochs=1, batch_size=64, shuffle=False, verbose=0)
    b.fit(x, y, sample_weight=np.where(y == 1, 3.0, 1.0), epochs=1, batch_size=64, shuffle=False, verbose=0)
    np.testing.assert_allclose(a.get_weights()[0], b.get_weights()[0], rtol=1e-6)
    c = _model()
    c.fit(x, y, epochs=1, batch_size=64, shuffle=False, verbose=0)
    assert not np.allclose(a.get_weights()[0], c.get_weights()[0])
    with pytest.raises(ValueError, match="class_weight has no weight"):
        _model().fit(x, y, class_weight={0: 1.0}, verbose=0)


def test_fit_on_a_dataloader_a_generator_and_a_sequence():
    x, y = _data()
    loader = gn.data.DataLoader(gn.data.TensorDataset(x, y), batch_size=16)
    h = _model().fit(loader, epochs=2, verbose=0)
    assert len(h.history["loss"]) == 2

    def batches():
        while True:
            for i in range(0, 64, 16):
                yield x[i:i + 16], y[i:i + 16], np.ones(16)

    steps = []
    m = _model()
    h = m.fit(batches(), steps_per_epoch=3, epochs=2, verbose=0, validation_data=loader, validation_steps=1,
              callbacks=[keras.callbacks.LambdaCallback(on_batch_end=lambda b, logs: steps.append(b))])
    assert steps == [0, 1, 2, 0, 1, 2] and "val_loss" in h.history
    assert m.evaluate(batches(), steps=2) == pytest.approx(m.evaluate(x[:32], y[:32]), rel=1e-5)
    assert m.predict(batches(), steps=2).shape == (32, 2)

    class Seq(keras.utils.Sequence):
        ends = 0

        def __len__(self):
            return 4

        def __getitem__(self, i):
            return x[16 * i:16 * i + 16], y[16 * i:16 * i + 16]

        def on_epoch_end(self):
            Seq.ends += 1

    _model().fit(Seq(), epochs=3, verbose=0)
    assert Seq.ends == 3
    with pytest.raises(ValueError, match="steps_per_epoch"):
        _model().fit(x, y, steps_per_epoch=0, verbose=0)


def test_initial_epoch_and_steps_per_epoch_on_arrays():
    x, y = _data()
    seen = []
    cb = keras.callbacks.LambdaCallback(on_epoch_begin=lambda e, logs: seen.append(e))
    h = _model().fit(x, y, batch_size=8, epochs=4, initial_epoch=2, steps_per_epoch=2, verbose=0, callbacks=[cb])
    assert seen == [2, 3] and len(h.history["loss"]) == 2


def test_reduce_lr_on_plateau_follows_keras_counting():
    m = _model()
    cb = keras.callbacks.ReduceLROnPlateau(monitor="loss", factor=0.5, patience=2, cooldown=1, min_lr=0.02)
    cb.set_model(m)

    class Loop:
        optimizer = m.optimizer

    cb.set_loop(Loop())
    cb.on_train_begin()
    lrs = []
    for epoch, loss in enumerate([1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.5]):
        cb.on_epoch_end(epoch, {"loss": loss})
        lrs.append(m.optimizer.param_groups[0]["lr"])
    # Keras: bad epochs 1, 2 -> reduce at 2; epoch 3 ends the cooldown (wait reset, then counted as bad);
    # 4 -> reduce; 5 cooldown then bad; 6 -> reduce, capped at min_lr; 7 improves
    np.testing.assert_allclose(lrs, [0.1, 0.1, 0.05, 0.05, 0.025, 0.025, 0.02, 0.02])


def test_backup_and_restore_resumes_an_interrupted_fit(tmp_path):
    x, y = _data()
    full = _model()
    full.fit(x, y, epochs=4, batch_size=16, verbose=0)

    class StopAfter(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 1:
                raise KeyboardInterrupt

    m = _model()
    backup = keras.callbacks.BackupAndRestore(tmp_path / "backup")
    with pytest.raises(KeyboardInterrupt):
        m.fit(x, y, epochs=4, batch_size=16, verbose=0, callbacks=[StopAfter(), backup])
    assert (tmp_path / "backup" / "latest.gnck").exists()
    again = _model(seed=9)  # different initial weights: the backup must overwrite them
    h = again.fit(x, y, epochs=4, batch_size=16, verbose=0, callbacks=[keras.callbacks.BackupAndRestore(
        tmp_path / "backup")])
    assert len(h.history["loss"]) == 4
    np.testing.assert_array_equal(again.get_weights()[0], full.get_weights()[0])
    assert not (tmp_path / "backup" / "latest.gnck").exists()


def test_summary_prints_keras_table_with_real_shapes(capsys):
    model = keras.Sequential([keras.Input(shape=(8, 8, 1)), layers.Conv2D(4, 3), layers.Flatten(),
                              layers.BatchNormalization(), layers.Dense(3)])
    lines = []
    assert model.summary(print_fn=lines.append) is None
    text = "\n".join(lines)
    assert "(None, 6, 6, 4)" in text and "(None, 144)" in text and "(None, 3)" in text
    assert f"Total params: {40 + 4 * 144 + 145 * 3:,}" in text and f"Non-trainable params: {2 * 144:,}" in text
    lazy = keras.Sequential([layers.Dense(2)])
    with pytest.raises(ValueError, match="not been built"):
        lazy.summary()
    lazy.predict(np.ones((1, 5), np.float32))
    lazy.summary()
    assert "(None, 2)" in capsys.readouterr().out
