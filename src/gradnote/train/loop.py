"""The one training loop behind both ``model.fit(x, y)`` (Keras) and ``gn.train.fit(model, loader, ...)``.

One epoch, for each batch (x, y) of the loader::

    optimizer.zero_grad(); loss = loss_fn(model(x), y); loss.backward(); optimizer.step()

then the epoch's mean loss and metrics (weighted by batch size), validation on ``val_loader``
in eval mode without a graph, the scheduler step, and the callbacks. The loop never looks inside
the model: numerics such as a stable softmax cross-entropy belong to the loss and the ops
(gradnote.train.losses).

Reproducibility: the loop records the random state (gradnote's generator and the loader's own,
if it has one) at each epoch's start. A checkpoint holds it with the current state, the batch
position and the running sums, so ``fit(..., resume=ckpt)`` redraws the same shuffle, skips the
batches already done and continues bit for bit, even from a checkpoint written mid-epoch when
Ctrl-C or SIGTERM stopped training (handlers are installed only while fit runs).
"""

from __future__ import annotations

import itertools
import signal
import sys
import threading
import time

import numpy as np

from .. import distributed
from ..autograd import Tensor, no_grad
from ..data.sampler import DistributedSampler
from ..nn.parallel import DistributedDataParallel
from ..random import get_rng_state, set_rng_state
from . import metrics as metrics_mod
from .callbacks import CallbackList
from .history import History

__all__ = ["Loop"]


def _as_batch(batch, where: str):
    """(inputs, targets, sample_weight or None) from a batch (x, y) or (x, y, sample_weight)."""
    if isinstance(batch, (tuple, list)) and len(batch) in (2, 3):
        return (*batch, None) if len(batch) == 2 else tuple(batch)
    raise TypeError(f"{where}: each batch must be (inputs, targets) or (inputs, targets, sample_weight), got "
                    f"{type(batch).__name__}" + (f" of length {len(batch)}" if isinstance(batch, (tuple, list)) else ""))


def _loss(loss_fn, out, y, w):
    if w is None:
        return loss_fn(out, y)
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
    return v if v is None or part == slice(None) else {k: a[part] for k, a in v.items()} if isinstance(v, dict) else v[part]


def _batch_len(x) -> int:
    if isinstance(x, dict):
        x = next(iter(x.values()))
    return len(x)


def _np(t):
    return t.data if isinstance(t, Tensor) else np.asarray(t)


def _loader_generator(loader):
    gen = getattr(loader, "generator", None)
    return gen if isinstance(gen, np.random.Generator) else None


def _fmt(logs: dict) -> str:
    return " - ".join(f"{k}: {v:.4f}" if isinstance(v, float) and abs(v) >= 1e-3 or v == 0 else f"{k}: {v:.4g}"
                      for k, v in logs.items())


class Loop:
    """Train `model` with `loss_fn(out, y) -> scalar Tensor` and `optimizer` (anything with
    zero_grad/step/param_groups/state_dict). metrics: names, functions or Metric objects."""

    def __init__(self, model, loss_fn, optimizer, *, metrics=None, scheduler=None,
                 verbose: int = 1, loss_name: str | None = None):
        if verbose not in (0, 1, 2):
            raise ValueError(f"fit: verbose must be 0, 1 or 2, got {verbose!r}")
        self.model, self.loss_fn, self.optimizer, self.scheduler = model, loss_fn, optimizer, scheduler
        self.metrics = [metrics_mod.get(m, loss_name) for m in (metrics or [])]
        names = [m.name for m in self.metrics]
        if len(set(names)) != len(names):
            raise ValueError(f"fit: metric names must be distinct, got {names}")
        self.verbose = verbose if distributed.is_main_process() else 0  # under mpirun only rank 0 prints
        self._net, self._split = model, False
        self.history = History()
        self.stop_reason: str | None = None
        self.epoch = self.batch = 0
        self._loader = None
        self._epoch_start: dict | None = None
        self._signal: int | None = None
        self._loss_sum, self._count = 0.0, 0
        self._steps = self._val_steps = None

    # ----- running results ------------------------------------------------------------------
    def _reset_sums(self) -> None:
        self._loss_sum, self._count = 0.0, 0
        for m in self.metrics:
            m.reset()

    def _results(self) -> dict:
        logs = {"loss": self._loss_sum / self._count if self._count else float("nan")}
        for m in self.metrics:
            logs[m.name] = float(m.result())
        return logs

    # ----- one batch ------------------------------------------------------------------------------
    def _train_step(self, x, y, w=None) -> float:
        self.optimizer.zero_grad()
        share = 1.0
        if self._split:  # under mpirun each rank trains on its part of the batch
            part, share = distributed.local_share(_batch_len(x))
            x, y, w = _take(x, part), _take(y, part), _take(w, part)
        out = self._net(x)
        loss = _loss(self.loss_fn, out, y, w)
        if not isinstance(loss, Tensor) or loss.data.size != 1:
            raise TypeError(f"fit: the loss must return a scalar Tensor, got "
                            f"{type(loss).__name__}{getattr(loss, 'shape', '')}")
        (loss * share if share != 1.0 else loss).backward()
        self.optimizer.step()
        value = float(loss.data)
        n = _batch_len(x) if share else 0  # a rank without samples trained on the batch at weight 0
        self._loss_sum += value * n
        self._count += n
        if self.metrics:
            pred, target = out.data, _np(y)
            for m in self.metrics:
                m.update(target, pred)
        return value

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
                    n = _batch_len(x)
                    self._loss_sum += float(_loss(self.loss_fn, out, y, w).data) * n
                    self._count += n
                    if self.metrics:
                        pred, target = out.data, _np(y)
                        for m in self.metrics:
                            m.update(target, pred)
            if self._count == 0:
                raise _no_batches("evaluate", loader)
            return self._results()
        finally:
            self.model.train(was_training)
            self._loss_sum, self._count = saved[0], saved[1]
            for m, st in zip(self.metrics, saved[2]):
                m.set_state(st)

    # ----- random state and checkpoints ------------------------------------------------------
    def _rng_states(self) -> dict:
        gen = _loader_generator(self._loader)
        return {"rng": get_rng_state(), "loader_rng": gen.bit_generator.state if gen is not None else None}

    def _set_rng_states(self, states: dict) -> None:
        set_rng_state(states["rng"])
        gen = _loader_generator(self._loader)
        if gen is not None and states.get("loader_rng") is not None:
            gen.bit_generator.state = states["loader_rng"]

    def state(self) -> dict:
        """Everything beyond model/optimizer/scheduler that a bit-identical resume needs."""
        return {"epoch": self.epoch, "batch": self.batch, "epoch_start": self._epoch_start,
                "current": self._rng_states(), "loss_sum": self._loss_sum, "count": self._count,
                "metrics": [m.get_state() for m in self.metrics], "history": self.history.get_state()}

    def save_checkpoint(self, path) -> None:
        from .checkpoint import save_checkpoint

        save_checkpoint(path, self.model, self.optimizer, self.scheduler, epoch=self.epoch, loop=self)

    # ----- signals ------------------------------------------------------------------------------
    def _on_signal(self, signum, frame) -> None:
        if self._signal is not None and signum == signal.SIGINT:
            raise KeyboardInterrupt  # a second Ctrl-C stops at once
        self._signal = signum

    def _install_handlers(self) -> dict:
        if threading.current_thread() is not threading.main_thread():
            return {}
        old = {}
        for sig in (signal.SIGINT, signal.SIGTERM):
            old[sig] = signal.getsignal(sig)
            signal.signal(sig, self._on_signal)
        return old

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
        if not isinstance(epochs, int) or epochs < 0:
            raise ValueError(f"fit: epochs must be an int >= 0, got {epochs!r}")
        for what, v in (("steps_per_epoch", steps_per_epoch), ("validation_steps", validation_steps)):
            if v is not None and (not isinstance(v, int) or isinstance(v, bool) or v < 1):
                raise ValueError(f"fit: {what} must be None or a positive int, got {v!r}")
        self._loader = loader
        self._steps, self._val_steps = steps_per_epoch, validation_steps
        for cb in callbacks or []:
            if resume is None and hasattr(cb, "restore"):
                resume = cb.restore(self)
        loop_state = (resume or {}).get("loop")
        if resume is not None:
            initial_epoch = int(resume["epoch"])
            if loop_state is not None:
                self.history.set_state(loop_state["history"])
        model = self.model
        if distributed.is_initialized():  # replicas start from rank 0's weights and average their gradients
            self._net = DistributedDataParallel(model)
            self._split = not isinstance(getattr(loader, "sampler", None), DistributedSampler)
        model.stop_training = False
        self.stop_reason = None
        steps = steps_per_epoch or (len(loader) if hasattr(loader, "__len__") else None)
        one_pass = loader if hasattr(loader, "__next__") else None  # a generator: read on across epochs
        params = {"epochs": epochs, "steps": steps, "verbose": self.verbose}
        self.history.set_model(model)
        self.history.set_params(params)
        cbs = CallbackList(callbacks or [], model, self, params)
        self._signal = None
        old_handlers = self._install_handlers()
        try:
            cbs.call("on_train_begin", {})
            for epoch in range(initial_epoch, epochs):
                self.epoch = epoch
                if self._signal is not None:  # arrived during validation or callbacks: stop before the epoch
                    self.batch = 0
                    self._epoch_start = self._rng_states()
                    cbs.call("on_interrupt", epoch, 0, {})
                    break
                resumed_batch = 0
                if resume is not None and epoch == initial_epoch:
                    resumed_batch = int(loop_state["batch"]) if loop_state else 0
                    if resumed_batch:
                        self._set_rng_states(loop_state["epoch_start"])
                    else:
                        self._set_rng_states(loop_state["current"] if loop_state else {"rng": resume["rng"]})
                self._epoch_start = self._rng_states()
                model.train()
                cbs.call("on_epoch_begin", epoch, {"resumed_at_batch": resumed_batch} if resumed_batch else {})
                self._reset_sums()
                batches = one_pass if one_pass is not None else iter(loader)
                if steps_per_epoch:
                    batches = itertools.islice(batches, steps_per_epoch)
                self.batch = 0
                if resumed_batch:
                    for _ in range(resumed_batch):
                        next(batches)
                    self._set_rng_states(loop_state["current"])
                    self._loss_sum, self._count = loop_state["loss_sum"], loop_state["count"]
                    for m, st in zip(self.metrics, loop_state["metrics"]):
                        m.set_state(st)
                    self.batch = resumed_batch
                logs = self._run_epoch(batches, cbs, epoch, epochs, steps, val_loader)
                if logs is None:  # interrupted
                    break
                if model.stop_training:
                    break
            if self._signal is not None:
                self.history.interrupted = True
                self.stop_reason = (f"interrupted by {signal.Signals(self._signal).name} at epoch "
                                    f"{self.epoch + 1}, batch {self.batch}")
                if self.verbose:
                    print(self.stop_reason, file=sys.stderr)
            self.history.stop_reason = self.stop_reason
            cbs.call("on_train_end", {})
        finally:
            for sig, handler in old_handlers.items():
                signal.signal(sig, handler)
        return self.history

    def _run_epoch(self, batches, cbs, epoch, epochs, steps, val_loader) -> dict | None:
        bar = None
        if self.verbose == 1:
            from tqdm.auto import tqdm

            bar = tqdm(total=steps, initial=self.batch, desc=f"Epoch {epoch + 1}/{epochs}", unit="batch",
                       dynamic_ncols=True, leave=True)
        start = time.perf_counter()
        logs: dict = {}
        try:
            for batch in batches:
                x, y, w = _as_batch(batch, "fit")
                cbs.call("on_batch_begin", self.batch, {"batch": self.batch, "size": _batch_len(x)})
                value = self._train_step(x, y, w)
                self.batch += 1
                logs = self._results()
                cbs.call("on_batch_end", self.batch - 1, {**logs, "batch_loss": value})
                if bar is not None:
                    bar.set_postfix_str(_fmt(logs), refresh=False)
                    bar.update(1)
                if self._signal is not None or self.model.stop_training:
                    break
            if self._signal is not None:
                cbs.call("on_interrupt", epoch, self.batch, logs)
                return None
            if self.batch == 0:
                raise _no_batches("fit", self._loader)
            logs = self._results()
            if val_loader is not None:
                logs.update({f"val_{k}": v for k, v in self.evaluate(val_loader, self._val_steps).items()})
            logs["lr"] = float(self.optimizer.param_groups[0]["lr"])
            logs = self._agreed(logs)
            if self.scheduler is not None:
                if type(self.scheduler).__name__ == "ReduceLROnPlateau":
                    self.scheduler.step(logs.get("val_loss", logs["loss"]))
                else:
                    self.scheduler.step()
            self.epoch, self.batch = epoch + 1, 0  # a checkpoint written now resumes at the next epoch
            self.history.on_epoch_end(epoch, logs)
            seconds = time.perf_counter() - start
            if bar is not None:
                bar.set_postfix_str(_fmt({k: v for k, v in logs.items() if k != "lr"}), refresh=True)
            elif self.verbose == 2:
                print(f"Epoch {epoch + 1}/{epochs} - {seconds:.1f}s - {_fmt(logs)}", flush=True)
        finally:
            if bar is not None:
                bar.close()
        cbs.call("on_epoch_end", epoch, logs)
        self.epoch = epoch
        return logs
