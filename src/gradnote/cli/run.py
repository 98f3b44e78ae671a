"""One experiment from a validated config: data -> model -> compile/fit -> files in the run folder.

A run folder holds: config.json (the resolved config, written first), checkpoint.safetensors (model +
optimiser + schedule + loop position + RNG, rewritten each epoch and on Ctrl-C / SIGTERM, so
``gradnote train --resume RUN`` continues bit for bit), model.safetensors (gn.save of the model),
history.json / history.csv (per-epoch logs), results.json (test metrics and confusion matrix),
and the figures that `gradnote plot` redraws. A new run never replaces an earlier one: when the
folder holds a run, the next free name (runs/digits-2, -3, ...) is used unless overwrite is asked.
"""

from __future__ import annotations

import csv
import io
import json
import time
from pathlib import Path

import numpy as np

from .config import ConfigError, registries, validate, write_text_atomic


# ----- data --------------------------------------------------------------------
def build_data(cfg: dict) -> dict:
    """Arrays for train / validation / test, scaled with statistics of the training split only."""
    from ..data import datasets, preprocessing

    d, seed = cfg["data"], cfg["seed"]
    name = d["name"]
    if name == "digits":
        x, y = datasets.load_digits(normalize=True)  # pixels in [0, 1]
        x_train, x_test, y_train, y_test = preprocessing.train_test_split(x, y, test_size=d["test_size"], seed=seed)
    elif name in ("mnist", "fashion_mnist"):
        loader = datasets.load_mnist if name == "mnist" else datasets.load_fashion_mnist
        (x_train, y_train), (x_test, y_test) = loader(d["path"])
        x_train = x_train.reshape(len(x_train), -1).astype(np.float32) / 255.0
        x_test = x_test.reshape(len(x_test), -1).astype(np.float32) / 255.0
    else:
        kwargs = {k: d[k] for k in ("n", "noise", "classes") if k in d}
        try:
            x, y = getattr(datasets, name)(**kwargs, seed=seed)
        except TypeError as e:
            raise ConfigError(f"config key 'data': {name} does not take these arguments ({e})") from None
        x_train, x_test, y_train, y_test = preprocessing.train_test_split(x, y, test_size=d["test_size"], seed=seed)
    n_val = int(round(len(x_train) * d["validation_split"]))
    if n_val:
        x_train, x_val, y_train, y_val = x_train[:-n_val], x_train[-n_val:], y_train[:-n_val], y_train[-n_val:]
    else:
        x_val = y_val = None
    if d["scale"] != "none":
        scaler = (preprocessing.StandardScaler if d["scale"] == "standard" else preprocessing.MinMaxScaler)().fit(x_train)
        x_train, x_test = scaler.transform(x_train), scaler.transform(x_test)
        x_val = scaler.transform(x_val) if x_val is not None else None
    out = {"x_train": x_train, "y_train": y_train, "x_val": x_val, "y_val": y_val, "x_test": x_test, "y_test": y_test}
    if d.get("images"):
        side = int(round(np.sqrt(x_train.shape[1])))
        for k in ("x_train", "x_val", "x_test"):
            if out[k] is not None:
                out[k] = np.ascontiguousarray(out[k].reshape(len(out[k]), 1, side, side), dtype=np.float32)
    for k in ("x_train", "x_val", "x_test"):
        if out[k] is not None:
            out[k] = np.asarray(out[k], dtype=np.float32)
    out["num_classes"] = int(max(y_train.max(), y_test.max())) + 1
    out["input_shape"] = tuple(out["x_train"].shape[1:])
    return out


# ----- model, loss, optimiser, schedule, callbacks ------------------------------------
def build_model(cfg: dict, input_shape: tuple, num_classes: int):
    from .. import layers, models, nn
    from ..io.architecture import LAYERS

    m = cfg["model"]
    if "name" in m:
        if not hasattr(models, m["name"]) or m["name"] == "Sequential":
            raise ConfigError(f"config key 'model.name': unknown model {m['name']!r}; allowed: LeNet5")
        args = m.get("args", {})
        if not isinstance(args, dict):
            raise ConfigError(f"config key 'model.args': expected a table of {m['name']} arguments, got {args!r}")
        try:
            return getattr(models, m["name"])(**args)
        except TypeError as e:
            raise ConfigError(f"config key 'model.args': {m['name']} {e}") from None
    if "layers" in m:
        built = []
        for i, spec in enumerate(m["layers"]):
            spec = dict(spec)
            kind = spec.pop("type")
            try:
                built.append(LAYERS.get({"class_name": kind, "config": spec}))
            except ValueError:
                raise ConfigError(f"config key 'model.layers[{i}].type': unknown layer {kind!r}; allowed: any "
                                  "class of gradnote.nn (Linear, ReLU, Dropout, Conv2d, ...) or gradnote.layers (Dense, ...)"
                                  ) from None
            except TypeError as e:
                raise ConfigError(f"config key 'model.layers[{i}]': {kind} {e}") from None
        return nn.Sequential(*built)
    # neither a named model nor a layer list: the default MLP
    width, depth = m.get("hidden_units", 64), m.get("num_layers", 2)
    activation = m.get("activation", "relu")
    in_features = int(np.prod(input_shape))
    stack = [nn.Flatten()] if len(input_shape) > 1 else []
    for _ in range(depth):
        stack.append(nn.Linear(in_features, width))
        if m.get("batch_norm"):
            stack.append(nn.BatchNorm1d(width))
        stack.append(layers.Activation(activation))
        if m.get("dropout", 0) > 0:
            stack.append(nn.Dropout(m["dropout"]))
        in_features = width
    stack.append(nn.Linear(in_features, num_classes))
    return nn.Sequential(*stack)


def build_loss(name: str):
    """The loss registry's object for `name` (PyTorch's module losses and Keras's losses alike)."""
    return registries()["loss"].get(name)


def build_optimizer(spec: dict, params):
    """The optimizer registry's object for `spec` ({name = "adam", lr = 1e-3, ...}, Keras's arguments),
    bound to `params`."""
    try:
        return registries()["optimizer"].get(spec).bind(params)
    except TypeError as e:
        raise ConfigError(f"config key 'train.optimizer': {spec['name']} {e}") from None


def build_schedule(spec: dict | None, optimizer):
    if not spec:
        return None
    try:
        return registries()["schedule"].get(spec, optimizer=optimizer)
    except TypeError as e:
        raise ConfigError(f"config key 'train.schedule': {spec['name']} {e}") from None


def build_callbacks(specs: list, run_dir: Path | None, resume: bool = False) -> list:
    """The config's callbacks. The file-writing ones (ModelCheckpoint, CSVLogger, TensorBoard, LivePlot)
    write inside the run folder (a relative name is taken there, not in the working directory); with
    no run folder (tune trials, demo without --output) they are left out."""
    registry = registries()["callback"]
    out = []
    for i, spec in enumerate(specs or []):
        spec = dict(spec)
        name = registry.canonical(spec.pop("name"))
        meta = registry.meta(name)
        arg = meta.get("path_argument")
        if arg is not None:
            if run_dir is None:
                continue
            target = Path(spec.get(arg, meta["default_path"]))
            spec[arg] = str(target if target.is_absolute() else run_dir / target)
        if name == "CSVLogger" and resume:
            spec["append"] = True  # a resumed run continues its log
        if name == "LivePlot":
            spec.setdefault("verbose", 0)
        needs = meta.get("requires")
        if needs and not available(needs[0]):  # an optional part: training goes on without it
            print(f"gradnote: callback {name} skipped: it needs {needs[0]}, an optional extra: "
                  f"pip install 'gradnote[{needs[1]}]'")
            continue
        try:
            out.append(registry.get({"name": name, **spec}))
        except TypeError as e:
            raise ConfigError(f"config key 'train.callbacks[{i}]': {name} {e}") from None
    return out


CLASS_LOSSES = ("cross_entropy", "nll", "sparse_categorical_crossentropy", "categorical_crossentropy")
BINARY_LOSSES = ("bce_with_logits", "binary_crossentropy")


def check_model_fits_data(model, loss: str, data: dict) -> None:
    """One forward pass on two training samples (eval mode, no graph), before any training time is spent:
    the model must take the data's input shape and give one score per class for a class-label loss."""
    import gradnote as gn

    x = data["x_train"][:2]
    was = model.training
    model.eval()
    try:
        with gn.no_grad():
            out = model(gn.Tensor._wrap(x))
    except (ValueError, TypeError, IndexError, RuntimeError) as e:
        raise ConfigError(f"config key 'model': the model does not take the data's samples of shape "
                          f"{data['input_shape']}: {e}") from None
    finally:
        model.train(was)
    shape, k = tuple(out.shape), data["num_classes"]
    key = registries()["loss"].canonical(loss)
    if key in CLASS_LOSSES and (len(shape) != 2 or shape[1] != k):
        raise ConfigError(f"config key 'model': the model gives outputs of shape {shape[1:]} per sample but the "
                          f"data has {k} classes; the last layer needs {k} outputs for loss {loss!r}")
    if key in BINARY_LOSSES and not (k == 2 and shape[1:] in ((), (1,))):
        raise ConfigError(f"config key 'train.loss': {loss!r} is for two classes and one output per sample; "
                          f"the data has {k} classes and the model gives {shape[1:]}; use cross_entropy")
    if key not in CLASS_LOSSES + BINARY_LOSSES:
        raise ConfigError(f"config key 'train.loss': {loss!r} compares outputs with targets of the same shape, "
                          f"but the data's targets are class labels ({k} classes) and the model gives "
                          f"{shape[1:]} per sample; use cross_entropy (or sparse_categorical_crossentropy)")


def is_run(path: Path) -> bool:
    return any((path / f).exists() for f in ("config.json", "checkpoint.safetensors", "history.json"))


RUN_FILES = ("config.json", "checkpoint.safetensors", "model.safetensors", "history.json", "history.csv",
             "results.json", "learning_curves.png", "lr_schedule.png", "confusion_matrix.png",
             "decision_boundary.png")


def new_run_dir(path, overwrite: bool = False) -> Path:
    """The folder a new run writes: `path`, or with overwrite=False and a run already there, the
    first free path-2, path-3, ... (an earlier run is never replaced unless asked)."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise ConfigError(f"config key 'output': {path} is a file, not a folder")
    if not is_run(path):
        return path
    if overwrite:
        for name in RUN_FILES:
            (path / name).unlink(missing_ok=True)
        return path
    n = 2
    while is_run(path.with_name(f"{path.name}-{n}")):
        n += 1
    return path.with_name(f"{path.name}-{n}")


def _plain_state(cb) -> dict:
    """A callback's own numbers, strings and arrays (EarlyStopping's wait/best/best_weights, ...):
    what it must get back on resume to decide as the uninterrupted run would."""
    def plain(v):
        if isinstance(v, dict):
            return all(isinstance(k, str) and plain(x) for k, x in v.items())
        return v is None or isinstance(v, (bool, int, float, str, np.ndarray, np.generic))

    return {k: v for k, v in vars(cb).items() if k not in ("model", "loop", "params") and plain(v)}


def _run_checkpoint(path: Path, schedule, callbacks: list, restore: list | None = None):
    """Writes the run's checkpoint after each epoch and when Ctrl-C / SIGTERM stops training. It holds
    the schedule (fit's loop steps it through a callback, not as its own scheduler) and the other
    callbacks' state, which `restore` (from a checkpoint) puts back after their on_train_begin reset it."""
    from .. import callbacks as cbs
    from ..train import save_checkpoint

    class RunCheckpoint(cbs.Callback):
        saves_state = True  # after the schedule's step, so the checkpoint holds the epoch's final state

        def on_train_begin(self, logs=None):
            for cb, state in zip(callbacks, restore or []):
                for k, v in state.items():
                    setattr(cb, k, v)

        def _write(self):
            save_checkpoint(path, self.model, self.loop.optimizer, schedule, epoch=self.loop.epoch, loop=self.loop,
                            callbacks=[_plain_state(cb) for cb in callbacks])

        def on_epoch_end(self, epoch, logs=None):
            self._write()

        def on_interrupt(self, epoch, batch, logs=None):
            self._write()

    return RunCheckpoint()


def available(module: str) -> bool:
    try:
        __import__(module)
    except ImportError:
        return False
    return True


# ----- the run -----------------------------------------------------------------------
def train_from_config(cfg: dict, verbose: int = 1, extra_callbacks=(), write: bool = True, resume=None,
                      overwrite: bool = False) -> dict:
    """Train as the config says; returns {"history", "test_loss", "test_accuracy", "run_dir", "model",
    "interrupted"}. write: keep a run folder (a new one unless overwrite; see new_run_dir).
    resume: a run folder to continue from its checkpoint (its config is the one given)."""
    import gradnote as gn

    from .. import callbacks as cbs
    from .. import metrics as metrics_mod
    from ..keras import training  # Keras's compile/fit/evaluate/predict work on any model (LeNet5 too)
    from ..train import load_checkpoint

    gn.manual_seed(cfg["seed"])
    if resume is not None:
        run_dir = Path(resume)
    else:
        run_dir = new_run_dir(cfg["output"], overwrite) if write else None
    if write and run_dir != Path(cfg["output"]):
        print(f"gradnote: {cfg['output']} holds an earlier run; this one goes to {run_dir} "
              "(--overwrite replaces it, --resume continues it)")
    data = build_data(cfg)
    model = build_model(cfg, data["input_shape"], data["num_classes"])
    train = cfg["train"]
    check_model_fits_data(model, train["loss"], data)
    optimizer = build_optimizer(train["optimizer"], model.parameters())
    schedule = build_schedule(train.get("schedule"), optimizer)
    callbacks = build_callbacks(train.get("callbacks"), run_dir, resume=resume is not None)
    if schedule is not None:
        callbacks.append(cbs.LearningRateScheduler(schedule))
    state = None
    if write:
        run_dir.mkdir(parents=True, exist_ok=True)
        if resume is None:
            write_text_atomic(run_dir / "config.json", json.dumps({**cfg, "output": str(run_dir)}, indent=2, default=str))
        else:
            ckpt = run_dir / "checkpoint.safetensors"
            if not ckpt.exists():
                raise FileNotFoundError(f"--resume {run_dir}: no checkpoint.safetensors there to continue from")
            state = load_checkpoint(ckpt)
            if schedule is not None and state.get("scheduler") is not None:
                schedule.load_state_dict(state["scheduler"])
        restore = (state or {}).get("extra", {}).get("callbacks")
        callbacks.append(_run_checkpoint(run_dir / "checkpoint.safetensors", schedule, list(callbacks), restore))
    callbacks.extend(extra_callbacks)
    training.compile(model, optimizer=optimizer, loss=build_loss(train["loss"]), metrics=list(train["metrics"]))
    validation = (data["x_val"], data["y_val"]) if data["x_val"] is not None else None
    start = time.perf_counter()
    history = training.fit(model, data["x_train"], data["y_train"], batch_size=train["batch_size"], epochs=train["epochs"],
                           validation_data=validation, callbacks=callbacks, verbose=train.get("verbose", verbose),
                           resume=state)
    seconds = time.perf_counter() - start
    if getattr(history, "interrupted", False):
        if write:
            write_text_atomic(run_dir / "history.json", json.dumps(_history_dict(history), indent=2))
        return {"history": history, "test_loss": float("nan"), "test_accuracy": float("nan"), "seconds": seconds,
                "run_dir": run_dir, "model": model, "interrupted": True}
    scores = training.evaluate(model, data["x_test"], data["y_test"], batch_size=256)
    scores = scores if isinstance(scores, (list, tuple)) else [scores]
    pred = np.asarray(training.predict(model, data["x_test"], batch_size=256))
    y_pred = pred.argmax(-1) if pred.ndim == 2 and pred.shape[1] > 1 else (pred.reshape(-1) > 0).astype(int)
    accuracy = float((y_pred == data["y_test"]).mean())
    result = {"history": history, "test_loss": float(scores[0]), "test_accuracy": accuracy, "seconds": seconds,
              "run_dir": run_dir, "model": model, "interrupted": False}
    if write:
        logs = _history_dict(history)
        write_text_atomic(run_dir / "history.json", json.dumps(logs, indent=2))
        write_text_atomic(run_dir / "history.csv", _csv(logs))
        cm = metrics_mod.confusion_matrix(data["y_test"], y_pred, num_classes=data["num_classes"])
        write_text_atomic(run_dir / "results.json", json.dumps({
            "test_loss": result["test_loss"], "test_accuracy": accuracy, "train_seconds": seconds,
            "confusion_matrix": np.asarray(cm).tolist(), "input_shape": list(data["input_shape"])}, indent=2))
        gn.save(model, run_dir / "model.safetensors")
        if available("matplotlib"):
            plot_run(run_dir, model=model, data=data)
        else:
            print("gradnote: figures skipped: they need matplotlib, an optional extra: pip install 'gradnote[viz]'")
    return result


def resume_config(run_dir, overrides=()) -> dict:
    """The config a run folder was trained with (config.json), with --set overrides (e.g. more epochs)."""
    from .config import apply_overrides

    run_dir = Path(run_dir)
    if not (run_dir / "config.json").exists():
        raise FileNotFoundError(f"--resume {run_dir}: not a run folder (no config.json); `gradnote runs` lists them")
    cfg = apply_overrides(json.loads((run_dir / "config.json").read_text()), overrides)
    cfg["output"] = str(run_dir)
    return validate(cfg)


def list_runs(root="runs") -> list:
    """One dict per run folder under `root` (itself included): name, status, epochs, best validation
    metric, test accuracy; sorted by name."""
    root = Path(root)
    if not root.is_dir():
        raise FileNotFoundError(f"runs: {root} is not a folder")
    rows = []
    for path in sorted({p.parent for name in ("config.json", "study.db") for p in root.rglob(name)}):
        row = {"run": str(path), "status": "", "epochs": "", "best": "", "test_accuracy": ""}
        if (path / "study.db").exists():
            row["status"] = "study"
            top = path / "top_trials.md"
            if top.exists():
                lines = [ln for ln in top.read_text().splitlines() if ln.startswith("| 1 |")]
                row["best"] = lines[0].split("|")[3].strip() if lines else ""
        history = path / "history.json"
        logs = json.loads(history.read_text()) if history.exists() else {}
        if (path / "config.json").exists():
            row["status"] = "done" if (path / "results.json").exists() else (
                "interrupted" if (path / "checkpoint.safetensors").exists() else "started")
            row["epochs"] = len(logs.get("loss", []))
            for key, pick in (("val_accuracy", max), ("val_acc", max), ("val_loss", min), ("loss", min)):
                if logs.get(key):
                    row["best"] = f"{key} {pick(logs[key]):.4f}"
                    break
        results = path / "results.json"
        if results.exists():
            row["test_accuracy"] = f"{json.loads(results.read_text())['test_accuracy']:.2%}"
        rows.append(row)
    return rows


def format_runs(rows: list) -> str:
    head = {"run": "run", "status": "status", "epochs": "epochs", "best": "best validation", "test_accuracy": "test acc"}
    table = [head] + rows
    widths = {k: max(len(str(r[k])) for r in table) for k in head}
    return "\n".join("  ".join(str(r[k]).ljust(widths[k]) for k in head).rstrip() for r in table)


def _history_dict(history) -> dict:
    logs = getattr(history, "history", history)
    return {k: [float(v) for v in vals] for k, vals in logs.items()}


def _csv(logs: dict) -> str:
    buf = io.StringIO()
    keys = list(logs)
    writer = csv.writer(buf)
    writer.writerow(["epoch", *keys])
    for i in range(max((len(v) for v in logs.values()), default=0)):
        writer.writerow([i + 1, *[logs[k][i] if i < len(logs[k]) else "" for k in keys]])
    return buf.getvalue()


# ----- plots and inspection ------------------------------------------------------------
def plot_run(run_dir, model=None, data=None) -> list:
    """(Re)draw a run's figures from its files; returns the PNG paths written."""
    from .optional import require

    require("matplotlib", "viz", "gradnote plot")
    from .. import viz

    run_dir = Path(run_dir)
    hist_file = run_dir / "history.json"
    if not hist_file.exists():
        raise FileNotFoundError(f"plot: {run_dir} has no history.json (is it a run folder written by gradnote train?)")
    logs = json.loads(hist_file.read_text())
    written = []
    viz.plot_history(logs, path=run_dir / "learning_curves.png")
    written.append(run_dir / "learning_curves.png")
    if logs.get("lr"):
        viz.plot_lr_schedule(logs["lr"], path=run_dir / "lr_schedule.png")
        written.append(run_dir / "lr_schedule.png")
    results_file = run_dir / "results.json"
    if results_file.exists():
        results = json.loads(results_file.read_text())
        viz.plot_confusion_matrix(results["confusion_matrix"], path=run_dir / "confusion_matrix.png")
        written.append(run_dir / "confusion_matrix.png")
    cfg_file = run_dir / "config.json"
    if cfg_file.exists():
        cfg = json.loads(cfg_file.read_text())
        if data is None and cfg["data"]["name"] in ("xor", "spiral", "moons", "circles"):
            data = build_data(cfg)
        if data is not None and data["x_test"].ndim == 2 and data["x_test"].shape[1] == 2:
            import gradnote as gn

            model = model if model is not None else gn.load(run_dir / "model.safetensors")
            viz.plot_decision_boundary(model, data["x_test"], data["y_test"], path=run_dir / "decision_boundary.png")
            written.append(run_dir / "decision_boundary.png")
    return [str(p) for p in written]


def inspect_model(path, input_shape=None) -> str:
    """Print the summary of a model file (loading never runs code from it)."""
    import gradnote as gn

    model = gn.load(path)
    if not hasattr(model, "summary"):  # a state dict, optimiser state or checkpoint: list what it holds
        rows = list(_entries(model))
        arrays = [v for _, v in rows if isinstance(v, np.ndarray)]
        width = max((len(k) for k, _ in rows), default=0)
        lines = [f"{path}: {type(model).__name__} of {len(arrays)} arrays "
                 f"({sum(a.size for a in arrays):,} numbers)"]
        for key, v in rows:
            what = f"{v.dtype} {tuple(v.shape)}" if isinstance(v, np.ndarray) else repr(v)
            lines.append(f"  {key.ljust(width)}  {what}")
        text = "\n".join(lines)
        print(text)
        return text
    print(f"{path}: {type(model).__name__}")
    return model.summary(input_shape)


def _entries(obj, prefix=""):
    """(dotted key, leaf) pairs of nested dicts; arrays and scalars are leaves."""
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from _entries(v, f"{prefix}.{k}" if prefix else str(k))
    else:
        yield prefix, obj
