"""The one training loop behind both ``model.fit(x, y)`` (Keras) and ``gn.train.fit(model, loader, ...)``.

One epoch, for each batch (x, y) of the loader::

    optimizer.zero_grad(); loss = loss_fn(model(x), y); loss.backward(); optimizer.step()

then the epoch's mean loss and metrics (weighted by batch size), validation on ``val_loader``
in eval mode without a graph, the scheduler step, and the callbacks. The loop never looks inside
the model: numerics such as a stable softmax cross-entropy belong to the loss and the ops
(gradnote.train.losses).

What is not the step is a callback the loop adds to every fit, as Keras's CallbackList adds History and
the progress bar: StopOnSignal (Ctrl-C / SIGTERM end training cleanly after the current batch),
ResumeState (random state at each epoch's start, and restoring a checkpoint, even one written
mid-epoch, bit for bit: gradnote.train.resume), ProgbarLogger (verbose=1 a bar, 2 a line per epoch) and
History. Under mpirun each rank trains on its share of each batch and the logs are agreed on.
"""

from __future__ import annotations

import itertools

import numpy as np

from .. import distributed
from ..autograd import Tensor, no_grad
from ..data.sampler import DistributedSampler
from ..nn.parallel import DistributedDataParallel
from . import metrics as metrics_mod
from .callbacks import CallbackList
from .history import History
from .progbar import ProgbarLogger
from .resume import ResumeState, StopOnSignal

__all__ = ["Loop"]


def _as_batch(batch, where: str):
    """(inputs, targets, sample_weight or None) from a batch (x, y) or (x, y, sample_weight)."""
    if isinstance(batch, (tuple, list)) and len(batch) in (2, 3):
        return (*batch, None) if len(batch) == 2 else tuple(batch)
    raise TypeError(f"{where}: each batch must be (inputs, targets) or (inputs, targets, sample_weight), got "
                    f"{type(batch).__name__}" + (f" of length {len(batch)}" if isinstance(batch, (tuple, list)) else ""))


def _loss(loss_fn, out, y, w):
    loss = loss_fn(out, y) if w is None else _weighted(loss_fn, out, y, w)
    if not isinstance(loss, Tensor) or loss.data.size != 1:
        raise TypeError(f"fit: the loss must return a scalar Tensor, got "
                        f"{type(loss).__name__}{getattr(loss, 'shape', '')}")
    return loss


def _weighted(loss_fn, out, y, w):
    try:
        return loss_fn(out, y, w)
    except TypeError as e:
        raise TypeError(f"fit: batches carry sample weights but the loss {loss_fn!r} takes no third argument "
                        "(use a Keras loss name or Loss object)") from e


def _no_batches(where: str, loader) -> ValueError:
    ds = getattr(loader, "dataset", None)
    detail = ""
    if ds is not None and hasattr(ds, "__len__") and hasattr(loader, "batch_size"):
        detail = f" (dataset of {len(ds)} samples, batch_size={loader.batch_size}"
        detail += f", drop_last={loader.drop_last})" if hasattr(loader, "drop_last") else ")"
    return ValueError(f"{where}: the loader yielded no batches{detail}; an empty epoch has no loss to report")


def _take(v, part: slice):
    if v is None or part == slice(None):
        return v
    if isinstance(v, dict):
        return {k: a[part] for k, a in v.items()}
    return [a[part] for a in v] if isinstance(v, (list, tuple)) else v[part]


def _batch_len(x) -> int:
    """Samples in a batch of inputs: one Tensor, or a list / tuple / dict of them (several inputs)."""
    if isinstance(x, dict):
        x = next(iter(x.values()))
    elif isinstance(x, (list, tuple)) and x and isinstance(x[0], Tensor):
        x = x[0]
    return len(x)


def _np(t):
    """A batch's outputs or targets as NumPy: one array, or a list / dict of them (several outputs)."""
    if isinstance(t, dict):
        return {k: _np(v) for k, v in t.items()}
    if isinstance(t, (list, tuple)) and t and isinstance(t[0], Tensor):
        return [_np(v) for v in t]
    return t.data if isinstance(t, Tensor) else np.asarray(t)


class Loop:
    """Train `model` with `loss_fn(out, y) -> scalar Tensor` and `optimizer` (anything with
    zero_grad/step/param_groups/state_dict). metrics: names, functions or Metric objects; weighted_metrics:
    more of them, updated with the batches' sample weights. lr_name: the rate's name in the logs ("lr";
    Keras 3 logs "learning_rate")."""

    def __init__(self, model, loss_fn, optimizer, *, metrics=None, scheduler=None,
                 verbose: int = 1, loss_name: str | None = None, weighted_metrics=None, lr_name: str = "lr"):
        if verbose not in (0, 1, 2):
            raise ValueError(f"fit: verbose must be 0, 1 or 2, got {verbose!r}")
        self.model, self.loss_fn, self.optimizer, self.scheduler = model, loss_fn, optimizer, scheduler
        self.lr_name = lr_name
        self.metrics = [metrics_mod.get(m, loss_name) for m in (metrics or [])]
        weighted = [metrics_mod.get(m, loss_name) for m in (weighted_metrics or [])]
        self._weighted = [False] * len(self.metrics) + [True] * len(weighted)
        self.metrics += weighted
        names = [m.name for m in self.metrics]
        if len(set(names)) != len(names):
            raise ValueError(f"fit: metric names must be distinct, got {names}")
        self.verbose = verbose if distributed.is_main_process() else 0  # under mpirun only rank 0 prints
        self._net, self._split = model, False
        self.history = History()
        self.stop_reason: str | None = None
        self.epoch = self.batch = self.initial_epoch = 0
        self.loader = self.batches = None
        self.callbacks: list = []
        self._resume, self._signals = ResumeState(), StopOnSignal()
        self._loss_sum, self._count = 0.0, 0
        self._steps = self._val_steps = self._one_pass = None

    # ----- the loop -----------------------------------------------------------------------------
    def fit(self, loader, epochs: int = 1, *, initial_epoch: int = 0, val_loader=None, callbacks=None,
            resume: dict | None = None, steps_per_epoch: int | None = None,
            validation_steps: int | None = None) -> History:
        """Train from `initial_epoch` to `epochs` (exclusive); returns the History.

        resume: a checkpoint dict (from gradnote.train.load_checkpoint) whose model, optimizer and
        scheduler are already restored; the loop restores its own position and random state. A
        callback with ``restore(loop)`` (BackupAndRestore) may supply it instead.
        steps_per_epoch: batches per epoch (default: the whole loader); a one-pass iterator (a
        generator) is then read on across epochs, as Keras does. validation_steps: batches of
        val_loader per validation.
        """
        cbs = self._start(loader, epochs, initial_epoch, callbacks, resume, steps_per_epoch, validation_steps)
        try:
            cbs.call("on_train_begin", {})
            for epoch in range(self.initial_epoch, epochs):
                self.epoch, self.batch, self.batches = epoch, 0, None
                if self.interrupted:  # arrived during validation or callbacks: stop before the epoch
                    cbs.call("on_interrupt", epoch, 0, {})
                    break
                self.model.train()
                self._reset_sums()
                cbs.call("on_epoch_begin", epoch, {})
                logs: dict = {}
                for batch in self.batches or self.epoch_batches():
                    x, y, w = _as_batch(batch, "fit")
                    cbs.call("on_batch_begin", self.batch, {"batch": self.batch, "size": _batch_len(x)})
                    value = self.train_step(x, y, w)
                    self.batch += 1
                    logs = self._results()
                    cbs.call("on_batch_end", self.batch - 1, {**logs, "batch_loss": value})
                    if self.interrupted or self.model.stop_training:
                        break
                if self.interrupted:
                    cbs.call("on_interrupt", epoch, self.batch, logs)
                    break
                cbs.call("on_epoch_end", epoch, self._end_epoch(epoch, val_loader))
                self.epoch = epoch
                if self.model.stop_training:
                    break
            cbs.call("on_train_end", {})
        finally:
            cbs.release()
        return self.history

    def train_step(self, x, y, w=None) -> float:
        """One update on a batch; returns its loss. (Under mpirun on this rank's share, weighted by it.)"""
        x, y, w, share = self._local_share(x, y, w)
        self.optimizer.zero_grad()
        out = self._net(x)
        loss = _loss(self.loss_fn, out, y, w)
        (loss * share if share != 1.0 else loss).backward()
        self.optimizer.step()
        self._accumulate(float(loss.data), out, y, _batch_len(x) if share else 0, w)
        return float(loss.data)

    # ----- setting up a fit ----------------------------------------------------------------------
    def _start(self, loader, epochs, initial_epoch, callbacks, resume, steps_per_epoch, validation_steps):
        if not isinstance(epochs, int) or epochs < 0:
            raise ValueError(f"fit: epochs must be an int >= 0, got {epochs!r}")
        for what, v in (("steps_per_epoch", steps_per_epoch), ("validation_steps", validation_steps)):
            if v is not None and (not isinstance(v, int) or isinstance(v, bool) or v < 1):
                raise ValueError(f"fit: {what} must be None or a positive int, got {v!r}")
        self.loader, self.initial_epoch = loader, initial_epoch
        self._steps, self._val_steps = steps_per_epoch, validation_steps
        self._one_pass = loader if hasattr(loader, "__next__") else None  # a generator: read on across epochs
        if distributed.is_initialized():  # replicas start from rank 0's weights and average their gradients
            self._net = DistributedDataParallel(self.model)
            self._split = not isinstance(getattr(loader, "sampler", None), DistributedSampler)
        self.model.stop_training = False
        self.stop_reason = None
        self._resume, self._signals = ResumeState(resume), StopOnSignal()
        steps = steps_per_epoch or (len(loader) if hasattr(loader, "__len__") else None)
        params = {"epochs": epochs, "steps": steps, "verbose": self.verbose}
        self.callbacks = [self._signals, self._resume, ProgbarLogger(self.verbose), self.history, *(callbacks or [])]
        return CallbackList(self.callbacks, self.model, self, params)

    def epoch_batches(self):
        """An iterator over this epoch's batches (steps_per_epoch of them, if given)."""
        batches = self._one_pass if self._one_pass is not None else iter(self.loader)
        return itertools.islice(batches, self._steps) if self._steps else batches

    @property
    def interrupted(self) -> bool:
        """Whether Ctrl-C / SIGTERM asked training to stop."""
        return self._signals.signum is not None

    def _local_share(self, x, y, w):
        """Under mpirun each rank trains on its part of the batch: (x, y, w, its share of the batch)."""
        if not self._split:
            return x, y, w, 1.0
        part, share = distributed.local_share(_batch_len(x))
        return _take(x, part), _take(y, part), _take(w, part), share

    def _end_epoch(self, epoch: int, val_loader) -> dict:
        """The epoch's logs (validation, lr, agreed across ranks), after the scheduler's step."""
        if self.batch == 0:
            raise _no_batches("fit", self.loader)
        logs = self._results()
        if val_loader is not None:
            logs.update({f"val_{k}": v for k, v in self.evaluate(val_loader, self._val_steps).items()})
        logs[self.lr_name] = float(self.optimizer.param_groups[0]["lr"])
        logs = self._agreed(logs)
        if self.scheduler is not None:
            if type(self.scheduler).__name__ == "ReduceLROnPlateau":
                self.scheduler.step(logs.get("val_loss", logs["loss"]))
            else:
                self.scheduler.step()
        self.epoch, self.batch = epoch + 1, 0  # a checkpoint written now resumes at the next epoch
        return logs

    # ----- running results ------------------------------------------------------------------
    def _reset_sums(self) -> None:
        self._loss_sum, self._count = 0.0, 0
        for m in self.metrics:
            m.reset()

    def restore_sums(self, state: dict) -> None:
        """The running loss and metric sums a checkpoint holds (resuming mid-epoch)."""
        self._loss_sum, self._count = state["loss_sum"], state["count"]
        for m, st in zip(self.metrics, state["metrics"]):
            m.set_state(st)

    def _accumulate(self, value: float, out, y, n: int, w=None) -> None:
        self._loss_sum += value * n
        self._count += n
        if self.metrics:
            pred, target = _np(out), _np(y)
            for m, weighted in zip(self.metrics, self._weighted):
                if weighted and w is not None:
                    m.update(target, pred, _np(w))
                else:
                    m.update(target, pred)

    def _results(self) -> dict:
        logs = {"loss": self._loss_sum / self._count if self._count else float("nan")}
        for m in self.metrics:
            logs[m.name] = float(m.result())
        return logs

    def _agreed(self, logs: dict) -> dict:
        """Under mpirun: the loss over every rank's samples, and rank 0's logs on every rank, so callbacks
        and schedules decide alike everywhere (train metrics are rank 0's share)."""
        if not distributed.is_initialized():
            return logs
        sums = np.array([self._loss_sum, self._count], dtype=np.float64)
        distributed.all_reduce(sums)
        box = [{**logs, "loss": float(sums[0] / sums[1])}]
        distributed.broadcast_object_list(box, src=0)
        return box[0]

    def evaluate(self, loader, steps: int | None = None) -> dict:
        """Mean loss and metrics over `loader` (its first `steps` batches if given), in eval mode and without
        a graph (sums are restored after)."""
        saved = (self._loss_sum, self._count, [m.get_state() for m in self.metrics])
        was_training = self.model.training
        self._reset_sums()
        self.model.eval()
        try:
            with no_grad():
                for batch in itertools.islice(loader, steps):
                    x, y, w = _as_batch(batch, "evaluate")
                    out = self.model(x)
                    self._accumulate(float(_loss(self.loss_fn, out, y, w).data), out, y, _batch_len(x), w)
            if self._count == 0:
                raise _no_batches("evaluate", loader)
            return self._results()
        finally:
            self.model.train(was_training)
            self._loss_sum, self._count = saved[0], saved[1]
            for m, st in zip(self.metrics, saved[2]):
                m.set_state(st)

    # ----- checkpoints --------------------------------------------------------------------------
    def state(self) -> dict:
        """Everything beyond model/optimizer/scheduler that a bit-identical resume needs."""
        return {"epoch": self.epoch, "batch": self.batch, **self._resume.state(), "loss_sum": self._loss_sum,
                "count": self._count, "metrics": [m.get_state() for m in self.metrics],
                "history": self.history.get_state()}

    def save_checkpoint(self, path) -> None:
        from .checkpoint import save_checkpoint

        save_checkpoint(path, self.model, self.optimizer, self.scheduler, epoch=self.epoch, loop=self)
