"""Experiment configs (TOML or YAML): parsing, validation, and building data, model and optimiser.

A config has four tables; every key is optional except the model:

    seed = 0
    output = "runs/digits"
    [data]   name = "digits" | "xor" | "spiral" | "moons" | "circles" | "mnist" | "fashion_mnist";
             path (mnist), n (generated sets), test_size = 0.2, validation_split = 0.1,
             scale = "standard" | "minmax" | "none"
    [model]  either  layers = [{type = "Linear", in_features = 64, out_features = 10}, {type = "ReLU"}, ...]
             or      type = "mlp", hidden_units = 64, num_layers = 2, activation = "relu", dropout = 0.0
             or      name = "LeNet5", args = {num_classes = 10}
    [train]  loss, optimizer = {name = "adam", lr = 1e-3, ...}, schedule = {name = "StepLR", ...},
             batch_size, epochs, metrics = ["accuracy"], callbacks = [{name = "EarlyStopping", ...}]
             (file-writing callbacks, CSVLogger, ModelCheckpoint, TensorBoard, LivePlot, write into the
             run folder: a relative filename is taken inside it)
    [tune]   trials, sampler = "tpe" | "random" | "grid", metric, direction,
             pruner = "median" | "none", startup_trials (default: a fifth of the trials, at least 5),
             warmup_epochs (default: a third of train.epochs: no trial is pruned before that),
             space = {"train.optimizer.lr" = {type = "loguniform", low = 1e-4, high = 1e-1}, ...}

Any key can be overridden from the command line: ``--set train.epochs=5 --set model.hidden_units=32``
(the value is read as TOML: numbers, true/false, "strings", [lists]; anything else is a string).
Errors name the key (dotted) and the allowed values.
"""

from __future__ import annotations

import copy
import json
import sys
from pathlib import Path

DATASETS = ("digits", "xor", "spiral", "moons", "circles", "mnist", "fashion_mnist")
SCALES = ("standard", "minmax", "none")
SECTIONS = {
    "": ("seed", "output", "data", "model", "train", "tune"),
    "data": ("name", "path", "n", "noise", "classes", "test_size", "validation_split", "scale", "images"),
    "model": ("layers", "type", "hidden_units", "num_layers", "activation", "dropout", "batch_norm", "name", "args"),
    "train": ("loss", "optimizer", "schedule", "batch_size", "epochs", "metrics", "callbacks", "verbose"),
    "tune": ("trials", "sampler", "metric", "direction", "pruner", "startup_trials", "warmup_epochs", "space",
             "study_name", "storage"),
}
SPACE_TYPES = ("loguniform", "uniform", "int", "choice")


class ConfigError(ValueError):
    """A config value is missing, unknown or out of range; the message names the dotted key."""


def _fail(key: str, problem: str, allowed=None):
    msg = f"config key '{key}': {problem}"
    if allowed is not None:
        msg += "; allowed: " + ", ".join(map(str, allowed))
    raise ConfigError(msg)


def registries():
    """The name registries a config's names go through (compile and model loading use the same ones)."""
    from .. import callbacks
    from ..keras import activations, optimizers
    from ..train import losses, metrics, schedules

    return {"activation": activations.ACTIVATIONS, "optimizer": optimizers.OPTIMIZERS, "loss": losses.LOSSES,
            "metric": metrics.METRICS, "schedule": schedules.SCHEDULES, "callback": callbacks.CALLBACKS}


def callback_names() -> tuple:
    """The callbacks a config may name (the callback registry: gradnote.callbacks' own, TensorBoard, LivePlot)."""
    return tuple(sorted(registries()["callback"].names()))


def parse_override(text: str) -> tuple:
    """"train.epochs=5" -> ("train.epochs", 5); the value is read as a TOML value, else kept as a string.

    >>> parse_override('train.optimizer={name="sgd", lr=0.1}')
    ('train.optimizer', {'name': 'sgd', 'lr': 0.1})
    """
    key, sep, raw = text.partition("=")
    key = key.strip()
    if not sep or not key or any(not part for part in key.split(".")):
        raise ConfigError(f"--set {text!r}: expected KEY=VALUE with a dotted key, e.g. --set train.epochs=5")
    try:
        value = _toml().loads(f"v = {raw.strip()}")["v"]
    except Exception:  # not a TOML value: a bare word such as adam or runs/x
        value = raw.strip()
    return key, value


def _toml():
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    return tomllib


def load_config(path, overrides=()) -> dict:
    """Read a TOML (.toml) or YAML (.yaml/.yml) file or JSON (.json), apply ``--set`` overrides
    ("key=value" strings or (key, value) pairs), and validate it."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"config file {path} does not exist")
    if path.is_dir():
        raise ConfigError(f"config file {path} is a folder; give a .toml, .yaml or .json file")
    text = path.read_text(encoding="utf-8")
    suffix = path.suffix.lower()
    try:
        if suffix == ".toml":
            cfg = _toml().loads(text)
        elif suffix in (".yaml", ".yml"):
            import yaml

            cfg = yaml.safe_load(text) or {}
        elif suffix == ".json":
            cfg = json.loads(text)
        else:
            raise ConfigError(f"config file {path}: unknown format {suffix!r}; allowed: .toml, .yaml, .yml, .json")
    except ConfigError:
        raise
    except Exception as e:  # a parser's own error, re-raised with the file name
        raise ConfigError(f"config file {path} could not be parsed: {e}") from None
    return validate(apply_overrides(cfg, overrides))


def apply_overrides(cfg: dict, overrides=()) -> dict:
    """A copy of cfg with each "key=value" (or (key, value)) set at its dotted key."""
    cfg = copy.deepcopy(cfg)
    for item in overrides:
        set_path(cfg, *(parse_override(item) if isinstance(item, str) else item))
    return cfg


def save_config(cfg: dict, path) -> None:
    """Write a config as TOML, YAML or JSON (by suffix), atomically."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".toml":
        import tomli_w

        text = tomli_w.dumps(_drop_none(cfg))
    elif suffix in (".yaml", ".yml"):
        import yaml

        text = yaml.safe_dump(cfg, sort_keys=False)
    else:
        text = json.dumps(cfg, indent=2)
    write_text_atomic(path, text)


def write_text_atomic(path, text: str) -> None:
    from ..io import atomic_write

    atomic_write(path, text.encode("utf-8"))


def _drop_none(obj):
    if isinstance(obj, dict):
        return {k: _drop_none(v) for k, v in obj.items() if v is not None}
    if isinstance(obj, list):
        return [_drop_none(v) for v in obj]
    return obj


def _check_keys(section: str, table) -> None:
    if not isinstance(table, dict):
        _fail(section or "<top>", f"expected a table, got {type(table).__name__}")
    for key in table:
        if key not in SECTIONS[section]:
            _fail(f"{section}.{key}" if section else key, "unknown key", SECTIONS[section])


def _positive(key: str, value, kind=int) -> None:
    if not isinstance(value, kind) or isinstance(value, bool) or value <= 0:
        _fail(key, f"must be a positive {kind.__name__}, got {value!r}")


def validate(cfg: dict) -> dict:
    """Check keys and values; return a copy with defaults filled in."""
    cfg = copy.deepcopy(cfg)
    _check_keys("", cfg)
    for section in ("data", "model", "train", "tune"):
        cfg.setdefault(section, {})
        _check_keys(section, cfg[section])
    data, model, train = cfg["data"], cfg["model"], cfg["train"]
    data.setdefault("name", "digits")
    if data["name"] not in DATASETS:
        _fail("data.name", f"unknown dataset {data['name']!r}", DATASETS)
    if data["name"] in ("mnist", "fashion_mnist") and not data.get("path"):
        _fail("data.path", f"dataset {data['name']!r} needs the folder of its IDX files")
    data.setdefault("scale", "standard")
    if data["scale"] not in SCALES:
        _fail("data.scale", f"unknown scaling {data['scale']!r}", SCALES)
    for key in ("test_size", "validation_split"):
        v = data.setdefault(key, 0.2 if key == "test_size" else 0.1)
        if not isinstance(v, (int, float)) or not 0 <= v < 1:
            _fail(f"data.{key}", f"must be a fraction in [0, 1), got {v!r}")

    if not model:
        _fail("model", "missing; give layers = [...], type = \"mlp\", or name = \"LeNet5\"")
    kinds = [k for k in ("layers", "type", "name") if k in model]
    if len(kinds) != 1:
        _fail("model", f"give exactly one of layers, type or name (got {kinds or 'none'})", ("layers", "type", "name"))
    if "type" in model and model["type"] != "mlp":
        _fail("model.type", f"unknown model type {model['type']!r}", ("mlp",))
    if "layers" in model:
        if not isinstance(model["layers"], list) or not model["layers"]:
            _fail("model.layers", "must be a non-empty list of tables with a 'type'")
        for i, layer in enumerate(model["layers"]):
            if not isinstance(layer, dict) or "type" not in layer:
                _fail(f"model.layers[{i}]", "each layer needs a 'type' (e.g. Linear, ReLU, Dense)")
    names = registries()
    if model.get("activation", "relu") not in names["activation"]:
        _fail("model.activation", f"unknown activation {model['activation']!r}", names["activation"].names())
    for key in ("hidden_units", "num_layers"):
        if key in model:
            _positive(f"model.{key}", model[key])
    if "dropout" in model and not (isinstance(model["dropout"], (int, float)) and 0 <= model["dropout"] < 1):
        _fail("model.dropout", f"must be in [0, 1), got {model['dropout']!r}")

    train.setdefault("loss", "cross_entropy")
    train.setdefault("batch_size", 32)
    train.setdefault("epochs", 10)
    train.setdefault("metrics", ["accuracy"])
    _positive("train.batch_size", train["batch_size"])
    _positive("train.epochs", train["epochs"])
    _check_loss_and_metrics(train)
    opt = train.setdefault("optimizer", {"name": "adam", "lr": 1e-3})
    if isinstance(opt, str):
        opt = train["optimizer"] = {"name": opt}
    if not isinstance(opt, dict):
        _fail("train.optimizer", f"expected a table like {{name = \"adam\", lr = 1e-3}} or a name, got {opt!r}",
              names["optimizer"].names())
    if opt.get("name") not in names["optimizer"]:
        _fail("train.optimizer.name", f"unknown optimizer {opt.get('name')!r}", names["optimizer"].names())
    sched = train.get("schedule")
    if sched is not None and (not isinstance(sched, dict) or sched.get("name") not in names["schedule"]):
        _fail("train.schedule.name", f"unknown schedule {sched.get('name') if isinstance(sched, dict) else sched!r}",
              names["schedule"].names())
    for i, cb in enumerate(train.get("callbacks", [])):
        if not isinstance(cb, dict) or cb.get("name") not in names["callback"]:
            _fail(f"train.callbacks[{i}].name", f"unknown callback {cb.get('name') if isinstance(cb, dict) else cb!r}",
                  callback_names())
    if "seed" in cfg and (not isinstance(cfg["seed"], int) or isinstance(cfg["seed"], bool)):
        _fail("seed", f"must be an integer, got {cfg['seed']!r}")
    cfg.setdefault("seed", 0)
    cfg.setdefault("output", "runs/" + data["name"])

    tune = cfg["tune"]
    if tune:
        sampler = tune.setdefault("sampler", "tpe")
        if sampler not in ("tpe", "random", "grid"):
            _fail("tune.sampler", f"unknown sampler {sampler!r}", ("tpe", "random", "grid"))
        if tune.setdefault("direction", "maximize") not in ("maximize", "minimize"):
            _fail("tune.direction", f"unknown direction {tune['direction']!r}", ("maximize", "minimize"))
        if tune.setdefault("pruner", "median") not in ("median", "none"):
            _fail("tune.pruner", f"unknown pruner {tune['pruner']!r}", ("median", "none"))
        for key in ("startup_trials", "warmup_epochs"):
            v = tune.get(key)
            if v is not None and (not isinstance(v, int) or isinstance(v, bool) or v < 0):
                _fail(f"tune.{key}", f"must be an int >= 0, got {v!r}")
        space = tune.get("space", {})
        if not isinstance(space, dict) or not space:
            _fail("tune.space", "needs at least one parameter range, e.g. \"train.optimizer.lr\" = "
                  "{type = \"loguniform\", low = 1e-4, high = 1e-1}")
        for name, spec in space.items():
            key = f"tune.space.{name}"
            if not isinstance(spec, dict) or spec.get("type") not in SPACE_TYPES:
                _fail(f"{key}.type", f"unknown range type {spec.get('type') if isinstance(spec, dict) else spec!r}",
                      SPACE_TYPES)
            if spec["type"] == "choice":
                if not isinstance(spec.get("values"), list) or not spec["values"]:
                    _fail(f"{key}.values", "a choice needs a non-empty list of values")
            elif not ("low" in spec and "high" in spec and spec["low"] < spec["high"]):
                _fail(key, f"needs low < high, got low={spec.get('low')!r}, high={spec.get('high')!r}")
            if sampler == "grid" and spec["type"] != "choice" and spec["type"] != "int":
                _fail(f"{key}.type", "the grid sampler needs discrete ranges", ("choice", "int"))
            _check_tuned_section(name, key)
    return cfg


def _check_loss_and_metrics(train: dict) -> None:
    """train.loss is a name of the loss registry (Keras's and PyTorch's); metrics are metric names."""
    names = registries()
    losses, metrics_names = names["loss"], sorted(names["metric"].names(aliases=True), key=str.lower)
    loss = train["loss"]
    if loss not in losses:
        _fail("train.loss", f"unknown loss {loss!r}", losses.names(aliases=True))
    metrics = train["metrics"]
    if not isinstance(metrics, list):
        _fail("train.metrics", f"must be a list of metric names, got {metrics!r}", metrics_names)
    for i, m in enumerate(metrics):
        if m not in names["metric"]:
            _fail(f"train.metrics[{i}]", f"unknown metric {m!r}", metrics_names)


def _check_tuned_section(dotted: str, key: str) -> None:
    """Check that a tuned dotted name ("train.lr") starts with a config section."""
    if dotted.split(".")[0] not in ("data", "model", "train"):
        _fail(key, "tuned names start with a section", ("data", "model", "train"))


def set_path(cfg: dict, dotted: str, value) -> None:
    """Set cfg['a']['b']['c'] = value for "a.b.c", creating tables on the way."""
    parts = dotted.split(".")
    node = cfg
    for p in parts[:-1]:
        node = node.setdefault(p, {})
        if not isinstance(node, dict):
            raise ConfigError(f"config key '{dotted}': {p!r} holds {node!r}, not a table")
    node[parts[-1]] = value
