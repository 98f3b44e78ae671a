"""Hyperparameter search with Optuna over the ranges a config declares in [tune.space].

Each trial copies the config, sets the sampled values at their dotted names
("train.optimizer.lr", "model.hidden_units", ...) and trains; the per-epoch
validation metric is reported to Optuna so the median pruner can stop poor trials
early. The study is stored in SQLite (default ``sqlite:///<output>/study.db``):
running the command again resumes it, and several processes (or machines sharing a
database URL, such as ``postgresql://user@host/db``) can work on one study. ``--trials N`` asks for
N finished trials in total, and concurrent workers run exactly that many (see cli/storage.py).

Pruning (tune.pruner = "median") starts only after ``tune.startup_trials`` finished trials (default:
a fifth of the budget, at least 5) and never before epoch ``tune.warmup_epochs`` + 1 of a trial
(default: a third of train.epochs): a trial's first epochs say little about where it ends, and
pruning on them kept only the fast starters. Ctrl-C or SIGTERM ends the study after the current
batch: the interrupted trial is recorded as FAIL (never COMPLETE with a half-trained score) and
running the command again resumes. The study folder gets top_trials.md (the best trials) and
Optuna's plots: optimization_history.png, param_importances.png, parallel_coordinate.png.
"""

from __future__ import annotations

import copy
import logging
import math
import signal
import warnings
from pathlib import Path

from .config import load_config, save_config, set_path, validate, write_text_atomic
from .storage import open_storage, run_trials, study_lock


def _suggest(trial, name: str, spec: dict):
    kind = spec["type"]
    if kind == "loguniform":
        return trial.suggest_float(name, spec["low"], spec["high"], log=True)
    if kind == "uniform":
        return trial.suggest_float(name, spec["low"], spec["high"])
    if kind == "int":
        return trial.suggest_int(name, spec["low"], spec["high"], log=spec.get("log", False))
    return trial.suggest_categorical(name, spec["values"])


def _grid(space: dict) -> dict:
    return {name: (spec["values"] if spec["type"] == "choice" else list(range(spec["low"], spec["high"] + 1)))
            for name, spec in space.items()}


def _per_trial_seed(make, seed: int):
    """A sampler that rebuilds `make(seed)` with seed + trial.number before each trial.

    One fixed seed per process made every process on a shared study, and every resumed run,
    replay the same sequence of points (the same trials again); trial numbers are unique in
    the study, so this keeps a run reproducible from the config's seed and the points distinct.
    """
    import optuna

    class PerTrialSeed(optuna.samplers.BaseSampler):
        def __init__(self):
            self.inner = make(seed)

        def infer_relative_search_space(self, study, trial):
            return self.inner.infer_relative_search_space(study, trial)

        def sample_relative(self, study, trial, search_space):
            return self.inner.sample_relative(study, trial, search_space)

        def sample_independent(self, study, trial, param_name, param_distribution):
            return self.inner.sample_independent(study, trial, param_name, param_distribution)

        def before_trial(self, study, trial):
            self.inner = make(seed + trial.number)
            self.inner.before_trial(study, trial)

        def after_trial(self, study, trial, state, values):
            self.inner.after_trial(study, trial, state, values)

        def reseed_rng(self):
            self.inner.reseed_rng()

    return PerTrialSeed()


def _metric_key(cfg: dict) -> str:
    metric = cfg["tune"].get("metric")
    if metric:
        return metric
    return "val_accuracy" if cfg["tune"]["direction"] == "maximize" else "val_loss"


def build_pruner(tcfg: dict, trials: int, epochs: int):
    """MedianPruner with start-up trials in proportion to the budget and warm-up epochs; or none."""
    import optuna

    if tcfg["pruner"] == "none":
        return optuna.pruners.NopPruner()
    startup = tcfg.get("startup_trials")
    warmup = tcfg.get("warmup_epochs")
    return optuna.pruners.MedianPruner(
        n_startup_trials=max(5, trials // 5) if startup is None else startup,
        n_warmup_steps=epochs // 3 if warmup is None else warmup)


class Interrupted(Exception):
    """SIGINT/SIGTERM stopped a trial; Optuna records the trial as FAIL and the study stops."""

    def __init__(self, signum: int):
        super().__init__(f"interrupted by {signal.Signals(signum).name}")
        self.signum = signum


def _raise_interrupted(signum, frame):
    raise Interrupted(signum)


class _QuietOnInterrupt(logging.Filter):
    """Drops Optuna's "Trial n failed" warning, traceback included, for the trial a signal stopped:
    tune's own one-line note says what happened and what to do."""

    dropping = False

    def filter(self, record) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], (Interrupted, KeyboardInterrupt)):
            self.dropping = True  # Optuna's "failed with value None" line follows
            return False
        return not (self.dropping and "failed" in record.getMessage())


def _pruning_callback(trial, key: str):
    import optuna

    from ..callbacks import Callback

    class OptunaPruning(Callback):
        """Reports the monitored validation metric each epoch; stops the trial when the pruner says so."""

        def on_epoch_end(self, epoch, logs=None):
            logs = logs or {}
            if key not in logs:
                raise ValueError(f"tune: metric {key!r} is not in the epoch logs ({', '.join(sorted(logs))}); "
                                 "set tune.metric to one of them")
            trial.report(float(logs[key]), step=epoch)
            if trial.should_prune():
                raise optuna.TrialPruned(f"pruned at epoch {epoch} with {key}={logs[key]:.4f}")

    return OptunaPruning()


def tune(config_path, trials: int, storage: str | None = None, study_name: str | None = None,
         sampler: str | None = None, output: str | None = None, verbose: bool = True, overrides=()):
    """Run (or resume) a study until it holds `trials` finished trials; print and save the best config.

    Returns the study; ``study.interrupted_by`` is the signal number that stopped it (else None).
    """
    from .optional import require

    optuna = require("optuna", "tune", "gradnote tune")
    from optuna.trial import TrialState

    from .run import train_from_config

    if trials <= 0:
        raise ValueError(f"tune: --trials must be positive, got {trials}")
    cfg = load_config(config_path, overrides)
    if not cfg["tune"]:
        raise ValueError(f"tune: config {config_path} has no [tune] table with a space to search")
    if sampler:
        cfg["tune"]["sampler"] = sampler
        cfg = validate(cfg)
    if output:
        cfg["output"] = output
    out_dir = Path(cfg["output"])
    out_dir.mkdir(parents=True, exist_ok=True)
    tcfg = cfg["tune"]
    storage = storage or tcfg.get("storage") or f"sqlite:///{out_dir / 'study.db'}"
    study_name = study_name or tcfg.get("study_name") or Path(config_path).stem
    seed = cfg["seed"]
    samplers = {"tpe": lambda: _per_trial_seed(lambda s: optuna.samplers.TPESampler(seed=s), seed),
                "random": lambda: _per_trial_seed(lambda s: optuna.samplers.RandomSampler(seed=s), seed),
                "grid": lambda: optuna.samplers.GridSampler(_grid(tcfg["space"]), seed=seed)}
    pruner = build_pruner(tcfg, trials, cfg["train"]["epochs"])
    if not verbose:
        optuna.logging.set_verbosity(optuna.logging.WARNING)
    with study_lock(storage, study_name):  # the first workers on a new database must not create its tables twice
        study = optuna.create_study(study_name=study_name, storage=open_storage(storage), load_if_exists=True,
                                    direction=tcfg["direction"], sampler=samplers[tcfg["sampler"]](), pruner=pruner)
    key = _metric_key(cfg)

    def objective(trial):
        trial_cfg = copy.deepcopy(cfg)
        trial_cfg["tune"] = {}
        for name, spec in tcfg["space"].items():
            set_path(trial_cfg, name, _suggest(trial, name, spec))
        trial_cfg = validate(trial_cfg)
        result = train_from_config(trial_cfg, verbose=0, extra_callbacks=[_pruning_callback(trial, key)],
                                   write=False)
        if result["interrupted"]:  # fit stopped after a batch: its score is no trial result
            reason = result["history"].stop_reason or ""
            raise Interrupted(signal.SIGTERM if "SIGTERM" in reason else signal.SIGINT)
        logs = result["history"].history
        return float(logs[key][-1])

    if tcfg["sampler"] == "grid":  # past the grid's size the sampler would repeat points
        trials = min(trials, math.prod(len(v) for v in _grid(tcfg["space"]).values()))
    finished = (TrialState.COMPLETE, TrialState.PRUNED)
    done = len(study.get_trials(deepcopy=False, states=finished))
    study.interrupted_by = None
    if done < trials:
        # outside fit's own handlers (data loading, between trials) a signal also ends the study cleanly
        old = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
        quiet, handlers = _QuietOnInterrupt(), list(logging.getLogger("optuna").handlers)
        try:
            for h in handlers:
                h.addFilter(quiet)
            for sig in old:
                signal.signal(sig, _raise_interrupted)
            run_trials(study, objective, trials, storage, study_name)
        except (Interrupted, KeyboardInterrupt) as e:
            study.interrupted_by = getattr(e, "signum", signal.SIGINT)
            failed = [t.number for t in study.get_trials(deepcopy=False, states=(TrialState.FAIL,))]
            print(f"tune: interrupted by {signal.Signals(study.interrupted_by).name}; trial "
                  f"#{failed[-1] if failed else '?'} recorded as FAIL; run the same command again to continue")
        finally:
            for sig, handler in old.items():
                signal.signal(sig, handler)
            for h in handlers:
                h.removeFilter(quiet)
    complete = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
    if not complete:
        if study.interrupted_by:
            return study
        raise ValueError(f"tune: no trial of study {study_name!r} completed (all pruned or failed)")
    best = study.best_trial
    best_cfg = copy.deepcopy(cfg)
    best_cfg.pop("tune", None)
    best_cfg["output"] = str(out_dir / "best")  # training it must not land on (or be mistaken for) another run
    for name, value in best.params.items():
        set_path(best_cfg, name, value)
    best_path = out_dir / ("best_config" + (Path(config_path).suffix if Path(config_path).suffix in
                                            (".toml", ".yaml", ".yml", ".json") else ".json"))
    save_config(best_cfg, best_path)
    n_total = len(study.get_trials(deepcopy=False, states=finished))
    print(f"study {study_name!r} ({storage}): {n_total} finished trials; best trial #{best.number} "
          f"{key}={best.value:.4f} with {best.params}")
    print(f"best config written to {best_path}")
    table = top_trials_table(study, key)
    write_text_atomic(out_dir / "top_trials.md", table + "\n")
    print(table)
    for path in save_study_plots(study, out_dir):
        print(path)
    return study


def top_trials_table(study, key: str, n: int = 10) -> str:
    """A Markdown table of the n best complete trials (rank, trial, value, epochs, parameters)."""
    from optuna.trial import TrialState

    complete = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
    complete.sort(key=lambda t: t.value, reverse=study.direction.name == "MAXIMIZE")
    names = sorted({k for t in complete for k in t.params})
    lines = [f"| rank | trial | {key} | epochs | " + " | ".join(names) + " |",
             "|" + "---|" * (4 + len(names))]
    for rank, t in enumerate(complete[:n], start=1):
        cells = [_fmt(t.params.get(k, "")) for k in names]
        epochs = (max(t.intermediate_values) + 1) if t.intermediate_values else ""
        lines.append(f"| {rank} | {t.number} | {t.value:.4f} | {epochs} | " + " | ".join(cells) + " |")
    counts = {s.name: len(study.get_trials(deepcopy=False, states=(s,))) for s in TrialState}
    lines.append("")
    lines.append(", ".join(f"{v} {k.lower()}" for k, v in counts.items() if v))
    return "\n".join(lines)


def _fmt(v) -> str:
    return f"{v:.4g}" if isinstance(v, float) else str(v)


def save_study_plots(study, out_dir: Path) -> list:
    """Optuna's own figures (matplotlib backend) into the study folder; a figure that needs more
    trials than the study has is skipped, and without matplotlib one line says so."""
    from .run import available

    if not available("matplotlib"):
        print("tune: study plots skipped: they need matplotlib, an optional extra: pip install 'gradnote[viz]'")
        return []
    import sys

    import matplotlib

    if "matplotlib.pyplot" not in sys.modules:
        matplotlib.use("Agg")  # Optuna draws through pyplot: keep a command-line run off any display
    from matplotlib import pyplot as plt
    from optuna.visualization import matplotlib as ovm

    written = []
    for name, fn in (("optimization_history", ovm.plot_optimization_history),
                     ("param_importances", ovm.plot_param_importances),
                     ("parallel_coordinate", ovm.plot_parallel_coordinate)):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # Optuna marks these plots experimental
                ax = fn(study)
        except (ValueError, RuntimeError, ZeroDivisionError) as e:  # e.g. importances of one trial
            print(f"tune: {name}.png skipped ({e})")
            continue
        fig = ax.figure if hasattr(ax, "figure") else ax.flat[0].figure
        path = out_dir / f"{name}.png"
        fig.savefig(path, dpi=100, bbox_inches="tight")
        plt.close(fig)
        written.append(str(path))
    return written
