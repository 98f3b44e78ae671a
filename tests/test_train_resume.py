"""Checkpoints: resuming gives bit-identical results; SIGTERM during fit stops cleanly with a checkpoint."""

import os
import signal

import numpy as np
import pytest

import gradnote as gn
from gradnote.callbacks import Callback, ModelCheckpoint
from gradnote.layers import Dense, Dropout
from gradnote.models import Sequential


def _data():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(60, 5)).astype(np.float32)
    y = (x[:, 0] + x[:, 1] > 0).astype(np.int64)
    return x, y


def _model():
    gn.manual_seed(7)
    m = Sequential([Dense(8, input_shape=(5,), activation="relu"), Dropout(0.3), Dense(2, activation="softmax")])
    m.compile(optimizer=gn.optimizers.Adam(lr=0.01, decay=0.01), loss="sparse_categorical_crossentropy",
              metrics=["acc"])
    return m


def _weights(m):
    return {k: v.copy() for k, v in m.state_dict().items()}


def test_resume_from_epoch_checkpoint_is_bit_identical(tmp_path):
    x, y = _data()
    full = _model()
    h_full = full.fit(x, y, batch_size=16, epochs=4, verbose=0, validation_split=0.2)

    first = _model()
    first.fit(x, y, batch_size=16, epochs=2, verbose=0, validation_split=0.2,
              callbacks=[ModelCheckpoint(tmp_path / "ck-{epoch}.gnck", save_best_only=False)])
    gn.manual_seed(12345)  # a different global state must not matter after resuming
    second = _model()
    gn.randn(10)
    h_res = second.fit(x, y, batch_size=16, epochs=4, verbose=0, validation_split=0.2,
                       resume=tmp_path / "ck-2.gnck")
    for k, v in _weights(full).items():
        assert np.array_equal(v, second.state_dict()[k]), k
    assert h_res.history == h_full.history


class _SigtermAt(Callback):
    def __init__(self, epoch, batch):
        super().__init__()
        self.at = (epoch, batch)

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch

    def on_batch_end(self, batch, logs=None):
        if (self.epoch, batch) == self.at:
            os.kill(os.getpid(), signal.SIGTERM)


def test_sigterm_mid_epoch_writes_checkpoint_and_resume_is_bit_identical(tmp_path):
    x, y = _data()
    full = _model()
    h_full = full.fit(x, y, batch_size=16, epochs=3, verbose=0)

    before = signal.getsignal(signal.SIGTERM)
    m = _model()
    path = tmp_path / "ck.gnck"
    h = m.fit(x, y, batch_size=16, epochs=3, verbose=0, callbacks=[ModelCheckpoint(path), _SigtermAt(1, 1)])
    assert h.interrupted and "SIGTERM" in h.stop_reason and "epoch 2, batch 2" in h.stop_reason
    assert signal.getsignal(signal.SIGTERM) is before  # handlers restored after fit
    assert len(h.history["loss"]) == 1 and path.exists()

    state = gn.train.load_checkpoint(path)
    assert state["epoch"] == 1 and state["loop"]["batch"] == 2
    resumed = _model()
    h_res = resumed.fit(x, y, batch_size=16, epochs=3, verbose=0, resume=path)
    for k, v in _weights(full).items():
        assert np.array_equal(v, resumed.state_dict()[k]), k
    assert h_res.history == h_full.history


def test_pytorch_style_fit_resume_with_scheduler_and_own_generator(tmp_path):
    x, y = _data()

    def run(epochs, resume=None, ck=None):
        gn.manual_seed(3)
        model = gn.nn.Sequential(gn.nn.Linear(5, 8), gn.nn.ReLU(), gn.nn.Dropout(0.2), gn.nn.Linear(8, 2))
        opt = gn.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        sched = gn.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)
        loader = gn.data.DataLoader(gn.data.TensorDataset(x, y), batch_size=16, shuffle=True,
                                    generator=np.random.default_rng(99))
        cbs = [ModelCheckpoint(ck)] if ck else None
        h = gn.train.fit(model, loader, gn.nn.CrossEntropyLoss(), opt, epochs=epochs, scheduler=sched,
                         metrics=["accuracy"], callbacks=cbs, verbose=0, resume=resume)
        return model, h

    full, h_full = run(3)
    ck = tmp_path / "t.gnck"
    run(1, ck=ck)
    resumed, h_res = run(3, resume=ck)
    for k, v in full.state_dict().items():
        assert np.array_equal(v, resumed.state_dict()[k]), k
    assert h_res.history == h_full.history
    assert h_full.history["lr"] == [0.1, 0.05, 0.025]


def test_save_and_load_checkpoint_restores_everything(tmp_path):
    m = _model()
    x, y = _data()
    m.fit(x, y, epochs=1, verbose=0)
    opt = m.optimizer
    gn.train.save_checkpoint(tmp_path / "c.gnck", m, opt, epoch=5, note="hello")
    draws = gn.randn(3).data.copy()
    m2 = _model()
    m2.fit(x[:2], y[:2], epochs=1, verbose=0)  # builds its optimiser state
    state = gn.train.load_checkpoint(tmp_path / "c.gnck", m2, m2.optimizer)
    assert state["epoch"] == 5 and state["extra"] == {"note": "hello"}
    assert np.array_equal(gn.randn(3).data, draws)  # RNG state restored
    for k, v in m.state_dict().items():
        assert np.array_equal(v, m2.state_dict()[k])
    a, b = opt.state_dict()["state"], m2.optimizer.state_dict()["state"]  # optim.Adam's own layout
    assert a.keys() == b.keys() and all(np.array_equal(a[i]["exp_avg"], b[i]["exp_avg"]) for i in a)


def test_fit_on_a_loader_with_no_batches_is_a_clear_error():
    x, y = _data()
    model = gn.nn.Linear(5, 2)
    opt = gn.optim.SGD(model.parameters(), lr=0.1)
    loss = gn.nn.CrossEntropyLoss()
    too_few = gn.data.DataLoader(gn.data.TensorDataset(x, y), batch_size=64, drop_last=True)  # 60 samples
    with pytest.raises(ValueError, match=r"no batches \(dataset of 60 samples, batch_size=64, drop_last=True\)"):
        gn.train.fit(model, too_few, loss, opt, verbose=0)
    empty = gn.data.DataLoader(gn.data.TensorDataset(x[:0], y[:0]), batch_size=4)
    with pytest.raises(ValueError, match="fit: the loader yielded no batches"):
        gn.train.fit(model, empty, loss, opt, verbose=0)
    good = gn.data.DataLoader(gn.data.TensorDataset(x, y), batch_size=16)
    with pytest.raises(ValueError, match="evaluate: the loader yielded no batches"):
        gn.train.fit(model, good, loss, opt, val_loader=empty, verbose=0)
