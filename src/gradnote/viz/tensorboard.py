"""TensorBoard logging during fit: scalars each epoch, histograms of weights and gradients.

Writes real event files with tensorboardX (``pip install gradnote[tensorboard]``), so
``tensorboard --logdir runs/`` shows the run.

    model.fit(x, y, epochs=10, callbacks=[TensorBoard("runs/exp1")])
"""

from __future__ import annotations

import numpy as np

from ..train.callbacks import Callback


class TensorBoard(Callback):
    """log_dir: folder for the event file; histogram_freq: every how many epochs to log
    weight/gradient histograms (0: never)."""

    def __init__(self, log_dir: str = "runs", histogram_freq: int = 1):
        super().__init__()
        if histogram_freq < 0:
            raise ValueError(f"TensorBoard: histogram_freq must be >= 0, got {histogram_freq}")
        self.log_dir, self.histogram_freq = str(log_dir), int(histogram_freq)
        self.writer = None

    def on_train_begin(self, logs=None):
        try:
            from tensorboardX import SummaryWriter
        except ImportError as e:  # pragma: no cover - depends on the environment
            raise ImportError("TensorBoard callback needs tensorboardX: pip install 'gradnote[tensorboard]'") from e
        self.writer = SummaryWriter(logdir=self.log_dir)

    def on_epoch_end(self, epoch, logs=None):
        for key, value in (logs or {}).items():
            if np.isscalar(value) or np.ndim(value) == 0:
                self.writer.add_scalar(key, float(value), epoch)
        if self.histogram_freq and epoch % self.histogram_freq == 0 and self.model is not None:
            for name, p in self.model.named_parameters():
                self.writer.add_histogram(f"weights/{name}", np.asarray(p.data, dtype=np.float64), epoch)
                if p.grad is not None:
                    self.writer.add_histogram(f"grads/{name}", np.asarray(p.grad, dtype=np.float64), epoch)
        self.writer.flush()

    def on_train_end(self, logs=None):
        if self.writer is not None:
            self.writer.close()
            self.writer = None
