"""One experiment from a validated config: data -> model -> compile/fit -> files in the run folder.

A run folder holds: config.json (the resolved config), model.safetensors (gn.save of the model),
checkpoint.safetensors (model + optimiser + schedule + epoch + RNG, for resuming),
history.json / history.csv (per-epoch logs), results.json (test metrics and confusion matrix),
and the figures that `gradnote plot` redraws.
"""

from __future__ import annotations

import csv
import io
import json
import time
from pathlib import Path

import numpy as np

from .config import ACTIVATIONS, OPTIMIZERS, ConfigError, write_text_atomic

LOSSES = {"cross_entropy": "CrossEntropyLoss", "mse": "MSELoss", "l1": "L1Loss", "huber": "HuberLoss",
          "bce_with_logits": "BCEWithLogitsLoss", "nll": "NLLLoss"}


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
            cls = getattr(nn, kind, None) or getattr(layers, kind, None)
            if not isinstance(cls, type):
                raise ConfigError(f"config key 'model.layers[{i}].type': unknown layer {kind!r}; allowed: any "
                                  "class of gradnote.nn (Linear, ReLU, Dropout, Conv2d, ...) or gradnote.layers (Dense, ...)")
            try:
                built.append(cls(**spec))
            except TypeError as e:
                raise ConfigError(f"config key 'model.layers[{i}]': {kind} {e}") from None
        return nn.Sequential(*built)
    # neither a named model nor a layer list: the default MLP
    width, depth = m.get("hidden_units", 64), m.get("num_layers", 2)
    act = getattr(nn, ACTIVATIONS[m.get("activation", "relu")])
    in_features = int(np.prod(input_shape))
    stack = [nn.Flatten()] if len(input_shape) > 1 else []
    for _ in range(depth):
        stack.append(nn.Linear(in_features, width))
        if m.get("batch_norm"):
            stack.append(nn.BatchNorm1d(width))
        stack.append(act())
        if m.get("dropout", 0) > 0:
            stack.append(nn.Dropout(m["dropout"]))
        in_features = width
    stack.append(nn.Linear(in_features, num_classes))
    return nn.Sequential(*stack)


def build_loss(name: str):
    from .. import nn

    if name in LOSSES:
        return getattr(nn, LOSSES[name])()
    return name  # a Keras string, resolved (and validated) by compile


def build_optimizer(spec: dict, params):
    from .. import optim

    spec = dict(spec)
    name = spec.pop("name").lower()
    try:
        return getattr(optim, OPTIMIZERS[name])(params, **spec)
    except TypeError as e:
        raise ConfigError(f"config key 'train.optimizer': {OPTIMIZERS[name]} {e}") from None


def build_schedule(spec: dict | None, optimizer):
    if not spec:
        return None
    from ..optim import lr_scheduler

    spec = dict(spec)
    name = spec.pop("name")
    try:
        return getattr(lr_scheduler, name)(optimizer, **spec)
    except TypeError as e:
        raise ConfigError(f"config key 'train.schedule': {name} {e}") from None


def build_callbacks(specs: list, run_dir: Path | None) -> list:
    """The config's callbacks; with no run folder (tune trials, demo without --output) the file-writing
    ones (ModelCheckpoint, CSVLogger) are left out, so nothing lands in the working directory."""
    from .. import callbacks

    out = []
    for i, spec in enumerate(specs or []):
        spec = dict(spec)
        name = spec.pop("name")
        if name in ("ModelCheckpoint", "CSVLogger") and run_dir is None:
            continue
        if name == "ModelCheckpoint":
            spec.setdefault("filepath", str(run_dir / "best.safetensors"))
        if name == "CSVLogger":
            spec.setdefault("filename", str(run_dir / "log.csv"))
        try:
            out.append(getattr(callbacks, name)(**spec))
        except TypeError as e:
            raise ConfigError(f"config key 'train.callbacks[{i}]': {name} {e}") from None
    return out


# ----- the run -----------------------------------------------------------------------
def train_from_config(cfg: dict, verbose: int = 1, extra_callbacks=(), write: bool = True) -> dict:
    """Train as the config says; returns {"history", "test_loss", "test_accuracy", "run_dir", "model"}."""
    import gradnote as gn

    from .. import callbacks as cbs
    from .. import metrics as metrics_mod
    from ..keras import training  # Keras's compile/fit/evaluate/predict work on any model (LeNet5 too)

    gn.manual_seed(cfg["seed"])
    run_dir = Path(cfg["output"]) if write else None
    data = build_data(cfg)
    model = build_model(cfg, data["input_shape"], data["num_classes"])
    train = cfg["train"]
    optimizer = build_optimizer(train["optimizer"], model.parameters())
    schedule = build_schedule(train.get("schedule"), optimizer)
    callbacks = build_callbacks(train.get("callbacks"), run_dir)
    if schedule is not None:
        callbacks.append(cbs.LearningRateScheduler(schedule))
    callbacks.extend(extra_callbacks)
    training.compile(model, optimizer=optimizer, loss=build_loss(train["loss"]), metrics=list(train["metrics"]))
    validation = (data["x_val"], data["y_val"]) if data["x_val"] is not None else None
    start = time.perf_counter()
    history = training.fit(model, data["x_train"], data["y_train"], batch_size=train["batch_size"], epochs=train["epochs"],
                           validation_data=validation, callbacks=callbacks, verbose=train.get("verbose", verbose))
    seconds = time.perf_counter() - start
    scores = training.evaluate(model, data["x_test"], data["y_test"], batch_size=256)
    scores = scores if isinstance(scores, (list, tuple)) else [scores]
    pred = np.asarray(training.predict(model, data["x_test"], batch_size=256))
    y_pred = pred.argmax(-1) if pred.ndim == 2 and pred.shape[1] > 1 else (pred.reshape(-1) > 0).astype(int)
    accuracy = float((y_pred == data["y_test"]).mean())
    result = {"history": history, "test_loss": float(scores[0]), "test_accuracy": accuracy, "seconds": seconds,
              "run_dir": run_dir, "model": model}
    if write:
        run_dir.mkdir(parents=True, exist_ok=True)
        logs = _history_dict(history)
        write_text_atomic(run_dir / "config.json", json.dumps(cfg, indent=2, default=str))
        write_text_atomic(run_dir / "history.json", json.dumps(logs, indent=2))
        write_text_atomic(run_dir / "history.csv", _csv(logs))
        cm = metrics_mod.confusion_matrix(data["y_test"], y_pred, num_classes=data["num_classes"])
        write_text_atomic(run_dir / "results.json", json.dumps({
            "test_loss": result["test_loss"], "test_accuracy": accuracy, "train_seconds": seconds,
            "confusion_matrix": np.asarray(cm).tolist(), "input_shape": list(data["input_shape"])}, indent=2))
        gn.save(model, run_dir / "model.safetensors")
        gn.train.save_checkpoint(run_dir / "checkpoint.safetensors", model=model, optimizer=optimizer,
                                 scheduler=schedule, epoch=len(logs.get("loss", [])))
        plot_run(run_dir, model=model, data=data)
    return result


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
