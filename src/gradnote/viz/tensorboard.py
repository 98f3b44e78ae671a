"""TensorBoard logging during fit: scalars each epoch, histograms of weights and gradients.

Writes real event files with tensorboardX (``pip install gradnote[tensorboard]``), laid out as
Keras's callback lays them out, so ``tensorboard --logdir runs/`` overlays training and validation
on one chart per quantity, and gradnote runs compare with Keras runs tag for tag:

    <log_dir>/train/       epoch_loss, epoch_accuracy, ..., epoch_learning_rate; weight/gradient histograms
    <log_dir>/validation/  epoch_loss, epoch_accuracy, ...   (the val_* logs, prefix dropped)

    model.fit(x, y, epochs=10, validation_split=0.2, callbacks=[TensorBoard("runs/exp1")])
"""

from __future__ import annotations

import os

import numpy as np

from ..train.callbacks import Callback


def scalar_tags(logs: dict) -> dict:
    """Split epoch logs into {"train": {tag: value}, "validation": {tag: value}} with Keras's tag names.

    >>> scalar_tags({"loss": 0.5, "val_loss": 0.7, "lr": 0.1})
    {'train': {'epoch_loss': 0.5, 'epoch_learning_rate': 0.1}, 'validation': {'epoch_loss': 0.7}}
    """
    out: dict = {"train": {}, "validation": {}}
    for key, value in logs.items():
        if not (np.isscalar(value) or np.ndim(value) == 0) or isinstance(value, str):
            continue
        if key.startswith("val_"):
            out["validation"]["epoch_" + key[4:]] = float(value)
        elif key == "lr":
            out["train"]["epoch_learning_rate"] = float(value)
        else:
            out["train"]["epoch_" + key] = float(value)
    return out


class TensorBoard(Callback):
    """log_dir: folder holding the train/ and validation/ event folders; histogram_freq: every how many
    epochs to log weight/gradient histograms (0: never)."""

    def __init__(self, log_dir: str = "logs", histogram_freq: int = 1):
        super().__init__()
        if isinstance(histogram_freq, bool) or not isinstance(histogram_freq, int) or histogram_freq < 0:
            raise ValueError(f"TensorBoard: histogram_freq must be an int >= 0, got {histogram_freq!r}")
        self.log_dir, self.histogram_freq = os.fspath(log_dir), int(histogram_freq)
        self.writers: dict = {}
        try:  # checked here, so a missing extra is named before any training time is spent
            import tensorboardX  # noqa: F401
        except ImportError as e:
            raise ImportError("the TensorBoard callback needs tensorboardX, an optional extra: "
                              "pip install 'gradnote[tensorboard]'") from e

    def _writer(self, run: str):
        if run not in self.writers:
            from tensorboardX import SummaryWriter

            self.writers[run] = SummaryWriter(logdir=os.path.join(self.log_dir, run))
        return self.writers[run]

    def on_epoch_end(self, epoch, logs=None):
        for run, scalars in scalar_tags(logs or {}).items():
            for tag, value in scalars.items():
                self._writer(run).add_scalar(tag, value, epoch)
        if self.histogram_freq and epoch % self.histogram_freq == 0 and self.model is not None:
            writer = self._writer("train")
            for name, p in self.model.named_parameters():
                writer.add_histogram(f"weights/{name}", np.asarray(p.data, dtype=np.float64), epoch)
                if p.grad is not None:
                    writer.add_histogram(f"grads/{name}", np.asarray(p.grad, dtype=np.float64), epoch)
        for writer in self.writers.values():
            writer.flush()

    def on_train_end(self, logs=None):
        for writer in self.writers.values():
            writer.close()
        self.writers = {}
