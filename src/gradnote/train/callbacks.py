"""Callbacks: code that fit calls at the start and end of training, of each epoch and of each batch.

    stop = EarlyStopping(monitor="val_loss", patience=3, restore_best_weights=True)
    ckpt = ModelCheckpoint("ckpt-{epoch:02d}.gnck", save_best_only=True)
    model.fit(x, y, validation_split=0.2, epochs=50, callbacks=[stop, ckpt, CSVLogger("log.csv")])

As in Keras, a callback sees ``self.model`` and ``self.params`` (epochs, steps), receives
``logs`` dicts (running means within an epoch, the epoch's values at its end, ``val_*`` after
validation) and stops training by setting ``self.model.stop_training = True``. ``self.loop``
is the running training loop (optimizer, scheduler, checkpointing).
"""

from __future__ import annotations

import csv
import math
import os
import warnings

import numpy as np

from ..io.registry import Registry

__all__ = [
    "CALLBACKS",
    "BackupAndRestore",
    "CSVLogger",
    "Callback",
    "CallbackList",
    "EarlyStopping",
    "History",
    "LambdaCallback",
    "LearningRateScheduler",
    "ModelCheckpoint",
    "ReduceLROnPlateau",
    "TerminateOnNaN",
    "get",
]


class Callback:
    """Base class; override any of the hooks. Each receives a logs dict (possibly empty)."""

    model = None
    loop = None
    params: dict = {}

    def __init__(self):
        self.model, self.loop, self.params = None, None, {}

    def set_model(self, model) -> None:
        self.model = model

    def set_params(self, params: dict) -> None:
        self.params = params

    def set_loop(self, loop) -> None:
        self.loop = loop

    def on_train_begin(self, logs=None): pass
    def on_train_end(self, logs=None): pass
    def on_epoch_begin(self, epoch, logs=None): pass
    def on_epoch_end(self, epoch, logs=None): pass

    # The loop calls on_batch_*; Keras 2.2+ callbacks override on_train_batch_* instead, so those are the defaults
    def on_batch_begin(self, batch, logs=None): self.on_train_batch_begin(batch, logs)
    def on_batch_end(self, batch, logs=None): self.on_train_batch_end(batch, logs)
    def on_train_batch_begin(self, batch, logs=None): pass
    def on_train_batch_end(self, batch, logs=None): pass

    # Keras's evaluate/predict hooks, for callbacks that call super(); the loop does not call them
    def on_test_begin(self, logs=None): pass
    def on_test_end(self, logs=None): pass
    def on_test_batch_begin(self, batch, logs=None): pass
    def on_test_batch_end(self, batch, logs=None): pass
    def on_predict_begin(self, logs=None): pass
    def on_predict_end(self, logs=None): pass
    def on_predict_batch_begin(self, batch, logs=None): pass
    def on_predict_batch_end(self, batch, logs=None): pass

    def on_interrupt(self, epoch, batch, logs=None):
        """Ctrl-C / SIGTERM arrived; called after the current batch, before on_train_end."""


class CallbackList:
    """Calls every callback in turn. Callbacks that save state (``saves_state = True``: ModelCheckpoint)
    run after all others at epoch end, so they capture the epoch's final state (e.g. a stepped scheduler)."""

    def __init__(self, callbacks, model, loop, params: dict):
        self.callbacks = list(callbacks)
        for cb in self.callbacks:
            if not isinstance(cb, Callback):
                raise TypeError(f"callbacks: expected Callback instances, got {type(cb).__name__}")
            cb.set_model(model)
            cb.set_params(params)
            cb.set_loop(loop)
        self._end_order = ([c for c in self.callbacks if not getattr(c, "saves_state", False)]
                           + [c for c in self.callbacks if getattr(c, "saves_state", False)])

    def call(self, hook: str, *args) -> None:
        order = self._end_order if hook in ("on_epoch_end", "on_interrupt") else self.callbacks
        for cb in order:
            getattr(cb, hook)(*args)

    def release(self) -> None:
        """Let go of what callbacks hold while fit runs (signal handlers, a progress bar), however fit ended."""
        for cb in self.callbacks:
            if hasattr(cb, "release"):
                cb.release()


def _auto_mode(monitor: str, mode: str, who: str) -> str:
    if mode not in ("auto", "min", "max"):
        raise ValueError(f"{who}: mode must be 'auto', 'min' or 'max', got {mode!r}")
    if mode != "auto":
        return mode
    name = monitor.removeprefix("val_")
    return "max" if name in ("acc", "accuracy", "auc", "precision", "recall", "f1", "r2") or "accuracy" in name \
        else "min"


class EarlyStopping(Callback):
    """Stop when `monitor` has not improved by more than min_delta for `patience` epochs.

    mode "auto" maximises accuracy-like names and minimises the rest. With
    restore_best_weights the weights of the best epoch are put back when it stops (Keras's rule:
    only when it stops early). baseline: stop unless the metric beats it within patience epochs.
    start_from_epoch: epochs before it are not watched (a warm-up).
    """

    def __init__(self, monitor: str = "val_loss", min_delta: float = 0.0, patience: int = 0, verbose: int = 0,
                 mode: str = "auto", baseline: float | None = None, restore_best_weights: bool = False,
                 start_from_epoch: int = 0):
        super().__init__()
        if not isinstance(patience, int) or patience < 0:
            raise ValueError(f"EarlyStopping: patience must be an int >= 0, got {patience!r}")
        if not isinstance(start_from_epoch, int) or start_from_epoch < 0:
            raise ValueError(f"EarlyStopping: start_from_epoch must be an int >= 0, got {start_from_epoch!r}")
        self.start_from_epoch = start_from_epoch
        self.monitor, self.min_delta, self.patience, self.verbose = monitor, abs(min_delta), patience, verbose
        self.mode = _auto_mode(monitor, mode, "EarlyStopping")
        self.baseline, self.restore_best_weights = baseline, restore_best_weights

    def _better(self, current: float, reference: float) -> bool:
        if self.mode == "min":
            return current + self.min_delta < reference
        return current - self.min_delta > reference

    def on_train_begin(self, logs=None):
        self.wait, self.stopped_epoch, self.best_epoch, self.best_weights = 0, 0, 0, None
        self.best = math.inf if self.mode == "min" else -math.inf

    def on_epoch_end(self, epoch, logs=None):
        current = (logs or {}).get(self.monitor)
        if epoch < self.start_from_epoch:  # Keras's warm-up: these epochs neither count nor set the best
            return
        if current is None:
            warnings.warn(f"EarlyStopping: monitor {self.monitor!r} is not in the logs "
                          f"(available: {', '.join(sorted(logs or {}))})", stacklevel=2)
            return
        if self.restore_best_weights and self.best_weights is None:
            self.best_weights = _snapshot(self.model)
        self.wait += 1
        if self._better(current, self.best):
            self.best, self.best_epoch = current, epoch
            if self.restore_best_weights:
                self.best_weights = _snapshot(self.model)
            if self.baseline is None or self._better(current, self.baseline):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True
            reason = (f"EarlyStopping: {self.monitor} did not improve for {self.wait} epoch(s) "
                      f"(best {self.best:.6g} at epoch {self.best_epoch + 1})")
            if self.loop is not None:
                self.loop.stop_reason = reason
            if self.restore_best_weights and self.best_weights is not None:
                self.model.load_state_dict(self.best_weights)
            if self.verbose:
                print(reason + (", restoring its weights" if self.restore_best_weights else ""))


def _snapshot(model) -> dict:
    return {k: np.array(v, copy=True) for k, v in model.state_dict().items()}


class _Defaults(dict):
    def __missing__(self, key):
        return float("nan")


class ModelCheckpoint(Callback):
    """Write a training checkpoint (model, optimizer, scheduler, epoch, RNG state) each epoch.

    filepath may contain ``{epoch}`` (1-based, as Keras) and log names (``{val_loss:.3f}``).
    save_best_only: only when `monitor` improves (on initial_value_threshold, if given). save_weights_only:
    write the model's state dict (gn.save; model.load_weights reads it) instead of the full checkpoint.
    A filepath ending in ".keras" or ".h5" (but not ".weights.h5") with save_weights_only=False saves the
    whole model as Keras does (model.save: architecture, weights, compile config), which
    keras.models.load_model reads; that file is not a resumable training checkpoint. save_freq: "epoch", or an int:
    every that many batches (with the running logs). On Ctrl-C / SIGTERM the current
    state is written too (mid-epoch), so ``fit(..., resume=path)`` continues bit for bit.
    """

    saves_state = True

    def __init__(self, filepath, monitor: str = "val_loss", verbose: int = 0, save_best_only: bool = False,
                 save_weights_only: bool = False, mode: str = "auto", save_freq="epoch",
                 initial_value_threshold: float | None = None):
        super().__init__()
        if save_freq != "epoch" and (not isinstance(save_freq, int) or isinstance(save_freq, bool) or save_freq < 1):
            raise ValueError(f"ModelCheckpoint: save_freq must be 'epoch' or a positive int (batches), got "
                             f"{save_freq!r}")
        self.filepath, self.monitor, self.verbose = os.fspath(filepath), monitor, verbose
        self.save_best_only, self.save_weights_only, self.save_freq = save_best_only, save_weights_only, save_freq
        self.mode = _auto_mode(monitor, mode, "ModelCheckpoint")
        self.best = (math.inf if self.mode == "min" else -math.inf) if initial_value_threshold is None \
            else initial_value_threshold
        self.last_path: str | None = None
        self._batches = 0

    def _path(self, epoch: int, logs) -> str:
        return self.filepath.format_map(_Defaults({**(logs or {}), "epoch": epoch + 1}))

    def _write(self, path: str) -> None:
        from .. import io

        if self.save_weights_only:
            io.save(self.model.state_dict(), path)
        elif path.endswith((".keras", ".h5")) and not path.endswith(".weights.h5"):  # Keras's whole-model file
            self.model.save(path) if hasattr(self.model, "save") else io.save(self.model, path)
        else:
            self.loop.save_checkpoint(path)
        self.last_path = path

    def on_batch_end(self, batch, logs=None):
        self._batches += 1
        if self.save_freq != "epoch" and self._batches % self.save_freq == 0:
            self._save(self.loop.epoch if self.loop is not None else 0, logs)

    def on_epoch_end(self, epoch, logs=None):
        if self.save_freq == "epoch":
            self._save(epoch, logs)

    def _save(self, epoch, logs=None):
        logs = logs or {}
        if self.save_best_only:
            current = logs.get(self.monitor)
            if current is None:
                warnings.warn(f"ModelCheckpoint: monitor {self.monitor!r} is not in the logs; nothing saved",
                              stacklevel=2)
                return
            better = current < self.best if self.mode == "min" else current > self.best
            if not better:
                return
            self.best = current
        path = self._path(epoch, logs)
        self._write(path)
        if self.verbose:
            print(f"ModelCheckpoint: epoch {epoch + 1}: saved {path}")

    def on_interrupt(self, epoch, batch, logs=None):
        path = self._path(epoch, logs)
        self._write(path)
        if self.verbose:
            print(f"ModelCheckpoint: interrupted at epoch {epoch + 1}, batch {batch}: saved {path}")


def _set_lr(optimizer, lr: float) -> None:
    """Give every param group the rate `lr`; an optimiser with its own learning_rate setter (a Keras one: Keras
    2's decay applies on top of it, and a schedule refuses the number) is set through it."""
    setter = getattr(type(optimizer), "learning_rate", None)
    if isinstance(setter, property) and setter.fset is not None:
        optimizer.learning_rate = lr
    else:
        for g in optimizer.param_groups:
            g["lr"] = lr


class LearningRateScheduler(Callback):
    """Set the learning rate each epoch.

    schedule: a function schedule(epoch, lr) -> new lr, applied at each epoch's start (Keras),
    or a gradnote.optim.lr_scheduler object, stepped at each epoch's end (PyTorch);
    ReduceLROnPlateau is stepped with logs[monitor] (val_loss, else loss).
    """

    def __init__(self, schedule, verbose: int = 0, monitor: str = "val_loss"):
        super().__init__()
        if not callable(schedule) and not hasattr(schedule, "step"):
            raise TypeError(f"LearningRateScheduler: schedule must be a function (epoch, lr) -> lr or an "
                            f"lr_scheduler object, got {type(schedule).__name__}")
        self.schedule, self.verbose, self.monitor = schedule, verbose, monitor

    @property
    def _is_object(self) -> bool:
        return hasattr(self.schedule, "step") and hasattr(self.schedule, "optimizer")

    def on_epoch_begin(self, epoch, logs=None):
        if self._is_object or (logs or {}).get("resumed_at_batch"):
            return  # a resumed epoch already has the rate its start set
        groups = self.loop.optimizer.param_groups
        try:
            lr = float(self.schedule(epoch, float(groups[0]["lr"])))
        except TypeError:  # Keras also takes schedule(epoch)
            lr = float(self.schedule(epoch))
        if not math.isfinite(lr) or lr < 0:
            raise ValueError(f"LearningRateScheduler: schedule({epoch}, lr) returned {lr!r}; expected a number >= 0")
        _set_lr(self.loop.optimizer, lr)
        if self.verbose:
            print(f"Epoch {epoch + 1}: LearningRateScheduler set learning rate to {lr:.6g}")

    def on_epoch_end(self, epoch, logs=None):
        if not self._is_object:
            return
        if type(self.schedule).__name__ == "ReduceLROnPlateau":
            logs = logs or {}
            key = self.monitor if self.monitor in logs else "loss"
            self.schedule.step(logs[key])
        else:
            self.schedule.step()


class ReduceLROnPlateau(Callback):
    """Keras's rule: multiply the learning rate by `factor` once `monitor` has not improved by more than
    min_delta for `patience` epochs, then wait `cooldown` epochs; never below min_lr.

    (PyTorch's optim.lr_scheduler.ReduceLROnPlateau counts differently: it lowers the rate after MORE
    than patience bad epochs and measures improvement relatively by default.)
    """

    def __init__(self, monitor: str = "val_loss", factor: float = 0.1, patience: int = 10, verbose: int = 0,
                 mode: str = "auto", min_delta: float = 1e-4, cooldown: int = 0, min_lr: float = 0.0, **kwargs):
        super().__init__()
        if not 0 <= factor < 1 or isinstance(factor, bool):
            raise ValueError(f"ReduceLROnPlateau: factor must be in [0, 1), got {factor!r}")
        if not isinstance(patience, int) or patience < 0 or not isinstance(cooldown, int) or cooldown < 0:
            raise ValueError(f"ReduceLROnPlateau: patience and cooldown must be ints >= 0, got {patience!r}, "
                             f"{cooldown!r}")
        self.monitor, self.factor, self.patience, self.verbose = monitor, float(factor), patience, verbose
        self.mode = _auto_mode(monitor, mode, "ReduceLROnPlateau")
        self.min_delta, self.cooldown, self.min_lr = abs(float(kwargs.pop("epsilon", min_delta))), cooldown, min_lr
        if kwargs:
            raise TypeError(f"ReduceLROnPlateau: unexpected arguments {sorted(kwargs)}")

    def on_train_begin(self, logs=None):
        self.wait, self.cooldown_counter = 0, 0
        self.best = math.inf if self.mode == "min" else -math.inf

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        current = logs.get(self.monitor)
        if current is None:
            warnings.warn(f"ReduceLROnPlateau: monitor {self.monitor!r} is not in the logs "
                          f"(available: {', '.join(sorted(logs))})", stacklevel=2)
            return
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.wait = 0
        better = current < self.best - self.min_delta if self.mode == "min" else current > self.best + self.min_delta
        if better:
            self.best, self.wait = current, 0
        elif self.cooldown_counter <= 0:
            self.wait += 1
            if self.wait >= self.patience:
                groups = self.loop.optimizer.param_groups
                old = float(groups[0]["lr"])
                if old > self.min_lr:
                    new = max(old * self.factor, self.min_lr)
                    _set_lr(self.loop.optimizer, new)
                    logs["learning_rate" if "learning_rate" in logs else "lr"] = new  # Keras 3's name / gn.train's
                    if self.verbose:
                        print(f"Epoch {epoch + 1}: ReduceLROnPlateau reducing learning rate to {new:.6g}.")
                    self.cooldown_counter, self.wait = self.cooldown, 0


class BackupAndRestore(Callback):
    """Fault tolerance: write the whole training state to backup_dir after every epoch (and when Ctrl-C /
    SIGTERM stops training); a fit started again with the same callback resumes from it bit for bit,
    then the backup is deleted once training ends normally (delete_checkpoint=True)."""

    saves_state = True

    def __init__(self, backup_dir, save_freq="epoch", delete_checkpoint: bool = True):
        super().__init__()
        if save_freq != "epoch":
            raise ValueError(f"BackupAndRestore: only save_freq='epoch' is supported, got {save_freq!r}")
        self.backup_dir, self.delete_checkpoint = os.fspath(backup_dir), bool(delete_checkpoint)
        self.path = os.path.join(self.backup_dir, "latest.gnck")

    def restore(self, loop):
        """The checkpoint to resume from (model and optimizer restored), or None; called by the loop."""
        if not os.path.exists(self.path):
            return None
        from .checkpoint import load_checkpoint

        return load_checkpoint(self.path, loop.model, loop.optimizer, loop.scheduler)

    def _write(self) -> None:
        os.makedirs(self.backup_dir, exist_ok=True)
        self.loop.save_checkpoint(self.path)

    def on_epoch_end(self, epoch, logs=None):
        self._write()

    def on_interrupt(self, epoch, batch, logs=None):
        self._write()

    def on_train_end(self, logs=None):
        if self.delete_checkpoint and not getattr(self.loop.history, "interrupted", False) \
                and os.path.exists(self.path):
            os.remove(self.path)


class CSVLogger(Callback):
    """Append one row per epoch (epoch, then every log value) to a CSV file, flushed each epoch."""

    def __init__(self, filename, separator: str = ",", append: bool = False):
        super().__init__()
        self.filename, self.separator, self.append = os.fspath(filename), separator, append
        self._file = self._writer = None
        self._keys = None

    def on_train_begin(self, logs=None):
        exists = self.append and os.path.exists(self.filename) and os.path.getsize(self.filename) > 0
        os.makedirs(os.path.dirname(os.path.abspath(self.filename)), exist_ok=True)  # as gn.save does
        self._file = open(self.filename, "a" if self.append else "w", newline="")
        self._keys = None
        if exists:
            with open(self.filename, newline="") as f:
                header = next(csv.reader(f, delimiter=self.separator), None)
            self._keys = header[1:] if header else None

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self._keys is None:
            self._keys = sorted(logs)
            csv.writer(self._file, delimiter=self.separator).writerow(["epoch", *self._keys])
        csv.writer(self._file, delimiter=self.separator).writerow([epoch, *(logs.get(k, "") for k in self._keys)])
        self._file.flush()

    def on_train_end(self, logs=None):
        if self._file is not None:
            self._file.close()
            self._file = None


class TerminateOnNaN(Callback):
    """Stop as soon as a batch's loss is NaN or infinite, saying at which epoch and batch."""

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("batch_loss", (logs or {}).get("loss"))
        if loss is not None and not math.isfinite(loss):
            msg = (f"TerminateOnNaN: loss became {loss} at epoch {getattr(self, '_epoch', 0) + 1}, "
                   f"batch {batch + 1}; training stopped")
            print(msg)
            self.model.stop_training = True
            if self.loop is not None:
                self.loop.stop_reason = msg


class LambdaCallback(Callback):
    """A callback from functions: LambdaCallback(on_epoch_end=lambda epoch, logs: ...)."""

    def __init__(self, **hooks):
        super().__init__()
        for name, fn in hooks.items():
            if not hasattr(Callback, name) or not name.startswith("on_"):
                raise ValueError(f"LambdaCallback: unknown hook {name!r}")
            setattr(self, name, fn)


CALLBACKS = Registry("callback", passes=(Callback,))
"""Callbacks by name, as configs give them ({name = "EarlyStopping", patience = 3}). A file-writing callback
records the argument that takes its path (path_argument) and the file name a run folder gives it
(default_path), so the command line can put it in the run folder;
gradnote.callbacks adds TensorBoard and LivePlot (gradnote.viz, above this package)."""
for _cls in (EarlyStopping, ReduceLROnPlateau, LearningRateScheduler, TerminateOnNaN, BackupAndRestore):
    CALLBACKS.register(_cls.__name__, _cls)
CALLBACKS.register("ModelCheckpoint", ModelCheckpoint, path_argument="filepath", default_path="best.safetensors")
CALLBACKS.register("CSVLogger", CSVLogger, path_argument="filename", default_path="log.csv")


def get(identifier) -> Callback:
    """A callback from a name, a config dict ({"name": "EarlyStopping", "patience": 3}) or an instance."""
    return CALLBACKS.get(identifier)


from .history import History  # noqa: E402
