"""What makes a fit resumable bit for bit, as two callbacks the loop adds to every fit.

ResumeState records the random state (gradnote's generator and the loader's own, if it has one)
at each epoch's start. A checkpoint holds it with the current state, the batch position and the
running sums (Loop.state), so ``fit(..., resume=ckpt)`` redraws the same shuffle, skips the
batches already done and continues bit for bit, even from a checkpoint written mid-epoch.

StopOnSignal turns Ctrl-C and SIGTERM into a clean stop after the current batch (callbacks then
see on_interrupt and can write that checkpoint); a second Ctrl-C stops at once. Its handlers are
installed only while fit runs.
"""

from __future__ import annotations

import signal
import sys
import threading

import numpy as np

from ..random import get_rng_state, set_rng_state
from .callbacks import Callback

__all__ = ["ResumeState", "StopOnSignal"]


def _loader_generator(loader):
    gen = getattr(loader, "generator", None)
    return gen if isinstance(gen, np.random.Generator) else None


class ResumeState(Callback):
    """Random state at each epoch's start, and the restore of a checkpoint's position and state.

    resume: a checkpoint dict (gradnote.train.load_checkpoint) whose model, optimizer and scheduler are
    already restored, or None; a callback with ``restore(loop)`` (BackupAndRestore) may supply one.
    """

    def __init__(self, resume: dict | None = None):
        super().__init__()
        self.resume, self.epoch_start = resume, None

    def rng_states(self) -> dict:
        gen = _loader_generator(self.loop.loader)
        return {"rng": get_rng_state(), "loader_rng": gen.bit_generator.state if gen is not None else None}

    def set_rng_states(self, states: dict) -> None:
        set_rng_state(states["rng"])
        gen = _loader_generator(self.loop.loader)
        if gen is not None and states.get("loader_rng") is not None:
            gen.bit_generator.state = states["loader_rng"]

    def on_train_begin(self, logs=None):
        for cb in self.loop.callbacks:
            if self.resume is None and hasattr(cb, "restore"):
                self.resume = cb.restore(self.loop)
        if self.resume is not None:
            self.loop.initial_epoch = int(self.resume["epoch"])
            if self.resume.get("loop") is not None:
                self.loop.history.set_state(self.resume["loop"]["history"])

    def on_epoch_begin(self, epoch, logs=None):
        resume, self.resume = self.resume, None  # only the first epoch resumes
        state = (resume or {}).get("loop")
        batch = int(state["batch"]) if state else 0
        if resume is not None:
            self.set_rng_states(state["epoch_start"] if batch else state["current"] if state else
                                {"rng": resume["rng"]})
        self.epoch_start = self.rng_states()
        if batch:  # mid-epoch: the same shuffle, the trained batches skipped, then the state at the stop
            loop = self.loop
            loop.batches = loop.epoch_batches()
            for _ in range(batch):
                next(loop.batches)
            self.set_rng_states(state["current"])
            loop.restore_sums(state)
            loop.batch = batch
            if logs is not None:
                logs["resumed_at_batch"] = batch

    def state(self) -> dict:
        return {"epoch_start": self.epoch_start, "current": self.rng_states()}


class StopOnSignal(Callback):
    """Ctrl-C / SIGTERM during fit: stop after the current batch, say why (History.stop_reason)."""

    def __init__(self):
        super().__init__()
        self.signum, self._old = None, {}

    def _on_signal(self, signum, frame) -> None:
        if self.signum is not None and signum == signal.SIGINT:
            raise KeyboardInterrupt  # a second Ctrl-C stops at once
        self.signum = signum

    def on_train_begin(self, logs=None):
        self.signum = None
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                self._old[sig] = signal.getsignal(sig)
                signal.signal(sig, self._on_signal)

    def on_train_end(self, logs=None):
        loop = self.loop
        if self.signum is not None:
            loop.history.interrupted = True
            loop.stop_reason = (f"interrupted by {signal.Signals(self.signum).name} at epoch {loop.epoch + 1}, "
                                f"batch {loop.batch}")
            if loop.verbose:
                print(loop.stop_reason, file=sys.stderr)

    def release(self) -> None:
        """Put back the handlers fit found (also when it ends by an exception)."""
        for sig, handler in self._old.items():
            signal.signal(sig, handler)
        self._old = {}
