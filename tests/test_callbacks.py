"""Callbacks: EarlyStopping, ModelCheckpoint, LearningRateScheduler, CSVLogger, TerminateOnNaN, hook order."""

import csv

import numpy as np
import pytest

import gradnote as gn
from gradnote.callbacks import (
    Callback,
    CSVLogger,
    EarlyStopping,
    LearningRateScheduler,
    ModelCheckpoint,
    TerminateOnNaN,
)
from gradnote.layers import Dense
from gradnote.models import Sequential


def _setup(lr=0.05, n=40):
    gn.manual_seed(0)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, 3)).astype(np.float32)
    y = x @ np.array([[1.0], [-2.0], [0.5]], np.float32)
    m = Sequential([Dense(1, input_shape=(3,))])
    m.compile(gn.optimizers.SGD(lr=lr), "mse", metrics=["mae"])
    return m, x, y


class _Scripted(Callback):
    """Feeds a scripted val_loss into the logs (runs before the callbacks under test)."""

    def __init__(self, values):
        super().__init__()
        self.values = values

    def on_epoch_end(self, epoch, logs=None):
        logs["val_loss"] = self.values[epoch]


def test_early_stopping_patience_and_restore_best_weights():
    m, x, y = _setup()
    seen = []
    snap = Callback()
    snap.on_epoch_end = lambda epoch, logs: seen.append({k: v.copy() for k, v in m.state_dict().items()})
    stop = EarlyStopping(monitor="val_loss", patience=2, restore_best_weights=True)
    h = m.fit(x, y, epochs=10, verbose=0, callbacks=[_Scripted([5, 3, 4, 3.5, 1, 0]), snap, stop])
    assert len(h.history["loss"]) == 4 and stop.stopped_epoch == 3 and stop.best_epoch == 1
    assert all(np.array_equal(v, seen[1][k]) for k, v in m.state_dict().items())
    assert "did not improve" in h.stop_reason


def test_early_stopping_min_delta_mode_and_missing_monitor():
    m, x, y = _setup()
    stop = EarlyStopping(monitor="val_loss", min_delta=0.5, patience=1)
    h = m.fit(x, y, epochs=10, verbose=0, callbacks=[_Scripted([5, 4.8, 4.6, 1]), stop])
    assert len(h.history["loss"]) == 2  # 4.8 is not better than 5 by more than 0.5: stop after 1 bad epoch
    assert EarlyStopping(monitor="val_acc").mode == "max" and EarlyStopping(monitor="loss").mode == "min"
    with pytest.warns(UserWarning, match="not in the logs"):
        m.fit(x, y, epochs=1, verbose=0, callbacks=[EarlyStopping(monitor="val_nope")])
    with pytest.raises(ValueError, match="mode"):
        EarlyStopping(mode="up")


def test_model_checkpoint_formats_epoch_and_saves_best_only(tmp_path):
    m, x, y = _setup()
    ck = ModelCheckpoint(tmp_path / "w-{epoch:02d}-{val_loss:.1f}.gnck", save_best_only=True)
    m.fit(x, y, epochs=4, verbose=0, callbacks=[_Scripted([3, 2, 2.5, 1]), ck])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["w-01-3.0.gnck", "w-02-2.0.gnck", "w-04-1.0.gnck"]
    state = gn.train.load_checkpoint(tmp_path / "w-04-1.0.gnck", restore_rng=False)
    assert state["epoch"] == 4 and all(np.array_equal(v, m.state_dict()[k]) for k, v in state["model"].items())
    m.fit(x, y, epochs=1, verbose=0,
          callbacks=[ModelCheckpoint(tmp_path / "weights.safetensors", save_weights_only=True)])
    weights = gn.load(tmp_path / "weights.safetensors")
    assert list(weights) == ["0.weight", "0.bias"]
    assert all(np.array_equal(v, m.state_dict()[k]) for k, v in weights.items())


def test_learning_rate_scheduler_function_and_object():
    m, x, y = _setup()
    h = m.fit(x, y, epochs=3, verbose=0, callbacks=[LearningRateScheduler(lambda epoch, lr: 0.1 * 0.5 ** epoch)])
    assert h.history["learning_rate"] == pytest.approx([0.1, 0.05, 0.025])
    m2, x, y = _setup()
    opt = gn.optim.SGD(m2.parameters(), lr=0.2)
    m2.compile(opt, "mse")
    sched = gn.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.1)
    h = m2.fit(x, y, epochs=4, verbose=0, callbacks=[LearningRateScheduler(sched)])
    assert h.history["learning_rate"] == pytest.approx([0.2, 0.2, 0.02, 0.02])
    with pytest.raises(TypeError, match="schedule"):
        LearningRateScheduler(3)


def test_csv_logger(tmp_path):
    m, x, y = _setup()
    path = tmp_path / "log.csv"
    h = m.fit(x, y, epochs=3, verbose=0, validation_split=0.25, callbacks=[CSVLogger(path)])
    with open(path) as f:
        rows = list(csv.DictReader(f))
    assert [r["epoch"] for r in rows] == ["0", "1", "2"]
    assert set(rows[0]) == {"epoch", "loss", "mae", "val_loss", "val_mae", "learning_rate"}
    for key in ("loss", "mae", "val_loss", "val_mae", "learning_rate"):  # the logged numbers are the history's
        assert [float(r[key]) for r in rows] == pytest.approx(h.history[key], rel=1e-6), key
    m.fit(x, y, epochs=1, verbose=0, callbacks=[CSVLogger(path, append=True)])
    with open(path) as f:
        assert len(list(csv.DictReader(f))) == 4


def test_csv_logger_creates_its_folder(tmp_path):
    # used to fail with FileNotFoundError where ModelCheckpoint (gn.save) creates the folder
    m, x, y = _setup()
    path = tmp_path / "new" / "logs" / "log.csv"
    m.fit(x, y, epochs=2, verbose=0, callbacks=[CSVLogger(path)])
    with open(path) as f:
        assert len(list(csv.DictReader(f))) == 2


def test_terminate_on_nan_names_epoch_and_batch(capsys):
    m, x, y = _setup()
    x = x.copy()
    x[25] = np.nan  # batch 2 (0-based 1... with batch_size 10: the third batch)
    h = m.fit(x, y, epochs=3, batch_size=10, shuffle=False, verbose=0, callbacks=[TerminateOnNaN()])
    msg = capsys.readouterr().out
    assert "epoch 1, batch 3" in msg and "nan" in msg
    assert len(h.history["loss"]) == 1 and "epoch 1, batch 3" in h.stop_reason


def test_hook_order_and_logs():
    m, x, y = _setup()
    calls = []

    class Recorder(Callback):
        def on_train_begin(self, logs=None): calls.append("train_begin")
        def on_epoch_begin(self, epoch, logs=None): calls.append(f"epoch_begin{epoch}")
        def on_batch_begin(self, batch, logs=None): calls.append(f"batch_begin{batch}")
        def on_batch_end(self, batch, logs=None): calls.append(f"batch_end{batch}:{sorted(logs)}")
        def on_epoch_end(self, epoch, logs=None): calls.append(f"epoch_end{epoch}")
        def on_train_end(self, logs=None): calls.append("train_end")

    r = Recorder()
    m.fit(x, y, epochs=2, batch_size=20, verbose=0, callbacks=[r])
    assert calls[:4] == ["train_begin", "epoch_begin0", "batch_begin0", "batch_end0:['batch_loss', 'loss', 'mae']"]
    assert calls[-2:] == ["epoch_end1", "train_end"] and len(calls) == 2 + 2 * (1 + 2 * 2 + 1)
    assert r.model is m and r.params["epochs"] == 2 and r.params["steps"] == 2
