"""History: the per-epoch logs of a fit, as Keras returns them (``history.history["val_loss"]``)."""

from __future__ import annotations

from .callbacks import Callback

__all__ = ["History"]


class History(Callback):
    """Records every epoch's logs: ``history`` is a dict name -> list (one value per epoch),
    ``epoch`` the epoch indices. ``stop_reason`` says why training ended early (or None);
    ``interrupted`` is True when Ctrl-C / SIGTERM stopped it."""

    def __init__(self):
        super().__init__()
        self.history: dict = {}
        self.epoch: list = []
        self.stop_reason: str | None = None
        self.interrupted = False

    def on_train_end(self, logs=None):
        if self.loop is not None:
            self.stop_reason = self.loop.stop_reason

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for k, v in (logs or {}).items():
            self.history.setdefault(k, []).append(v)

    def get_state(self) -> dict:
        return {"history": {k: list(v) for k, v in self.history.items()}, "epoch": list(self.epoch)}

    def set_state(self, state: dict) -> None:
        self.history = {k: list(v) for k, v in state["history"].items()}
        self.epoch = list(state["epoch"])

    def __repr__(self) -> str:
        return f"History(epochs={len(self.epoch)}, keys={sorted(self.history)})"
