"""Run management, resume, --set, --version, runs listing, signals in tune and the optional extras
(issue 14), on tiny configs."""

import json
import os
import signal
import sqlite3
import sys

import numpy as np
import pytest

import gradnote as gn
from gradnote.callbacks import Callback
from gradnote.cli import main
from gradnote.cli.config import ConfigError, load_config, parse_override
from gradnote.cli.run import train_from_config

TINY = """
seed = 3
output = "{out}"

[data]
name = "moons"
n = 96
noise = 0.15
test_size = 0.25
validation_split = 0.2

[model]
type = "mlp"
hidden_units = 8
num_layers = 1

[train]
optimizer = {{ name = "adam", lr = 0.02 }}
schedule = {{ name = "StepLR", step_size = 1, gamma = 0.7 }}
batch_size = 8
epochs = 4

[tune]
metric = "val_accuracy"
[tune.space]
"train.optimizer.lr" = {{ type = "loguniform", low = 1e-3, high = 1e-1 }}
"""


@pytest.fixture
def config(tmp_path):
    path = tmp_path / "tiny.toml"
    path.write_text(TINY.format(out=(tmp_path / "runs" / "moons").as_posix()))
    return path


class SendSignal(Callback):
    """Sends `signum` to this process after batch `batch` of epoch `epoch` (0-based), as Ctrl-C would."""

    def __init__(self, epoch, batch, signum=signal.SIGINT):
        super().__init__()
        self.at, self.signum, self.sent = (epoch, batch), signum, 0

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch

    def on_batch_end(self, batch, logs=None):
        if (self.epoch, batch) == self.at and not self.sent:
            self.sent += 1
            os.kill(os.getpid(), self.signum)


def _weights(run):
    return gn.load(run / "model.safetensors").state_dict()


def test_a_new_run_never_overwrites_an_earlier_one(config, tmp_path, capsys):
    # training twice (or training tune's best config) silently replaced the first run's files
    run = tmp_path / "runs" / "moons"
    assert main(["train", str(config), "--quiet"]) == 0
    first = (run / "history.json").read_text()
    assert main(["train", str(config), "--quiet", "--set", "train.epochs=2"]) == 0
    out = capsys.readouterr().out
    assert "runs/moons-2" in out.replace(os.sep, "/")
    assert (run / "history.json").read_text() == first
    assert len(json.loads((tmp_path / "runs" / "moons-2" / "history.json").read_text())["loss"]) == 2
    assert main(["train", str(config), "--quiet", "--overwrite", "--set", "train.epochs=1"]) == 0
    assert len(json.loads((run / "history.json").read_text())["loss"]) == 1
    assert not (tmp_path / "runs" / "moons-3").exists()


def test_resume_after_ctrl_c_is_bit_identical(config, tmp_path, capsys):
    # there was no way to resume: the checkpoint "for resuming" held no loop state nor the schedule
    full = load_config(config, ["output=" + (tmp_path / "full").as_posix()])
    train_from_config(full, verbose=0)
    cut = load_config(config, ["output=" + (tmp_path / "cut").as_posix()])
    result = train_from_config(cut, verbose=0, extra_callbacks=[SendSignal(epoch=1, batch=2)])
    assert result["interrupted"] and not (tmp_path / "cut" / "results.json").exists()
    assert main(["train", "--resume", str(tmp_path / "cut"), "--quiet"]) == 0
    a, b = _weights(tmp_path / "full"), _weights(tmp_path / "cut")
    assert all(np.array_equal(a[k], b[k]) for k in a)
    ha = json.loads((tmp_path / "full" / "history.json").read_text())
    hb = json.loads((tmp_path / "cut" / "history.json").read_text())
    assert ha == hb and len(ha["loss"]) == 4 and np.allclose(ha["lr"], 0.02 * 0.7 ** np.arange(4))
    capsys.readouterr()
    assert main(["train", "--resume", str(tmp_path / "cut"), "--quiet", "--set", "train.epochs=6"]) == 0
    assert len(json.loads((tmp_path / "cut" / "history.json").read_text())["loss"]) == 6


def test_resume_restores_callback_state(config, tmp_path):
    # EarlyStopping restarted its patience on resume, so the resumed run stopped later than the uninterrupted one
    stop = ['train.callbacks=[{name="EarlyStopping", monitor="loss", patience=1, min_delta=100.0, '
            'restore_best_weights=true}]']
    full = load_config(config, stop + ["output=" + (tmp_path / "full").as_posix()])
    train_from_config(full, verbose=0)
    cut = load_config(config, stop + ["output=" + (tmp_path / "cut").as_posix()])
    assert train_from_config(cut, verbose=0, extra_callbacks=[SendSignal(epoch=1, batch=1)])["interrupted"]
    assert main(["train", "--resume", str(tmp_path / "cut"), "--quiet"]) == 0
    ha = json.loads((tmp_path / "full" / "history.json").read_text())
    hb = json.loads((tmp_path / "cut" / "history.json").read_text())
    assert len(ha["loss"]) == 2 and ha == hb
    a, b = _weights(tmp_path / "full"), _weights(tmp_path / "cut")
    assert all(np.array_equal(a[k], b[k]) for k in a)


def test_interrupted_train_exits_130_and_names_the_resume_command(config, tmp_path, monkeypatch, capsys):
    import gradnote.cli.run as run_mod

    real = run_mod.build_callbacks
    monkeypatch.setattr(run_mod, "build_callbacks", lambda *a, **k: real(*a, **k) + [SendSignal(0, 1, signal.SIGTERM)])
    assert main(["train", str(config), "--quiet"]) == 128 + signal.SIGTERM
    err = capsys.readouterr().err
    assert "SIGTERM" in err and "gradnote train --resume" in err
    assert (tmp_path / "runs" / "moons" / "checkpoint.safetensors").exists()


def test_runs_lists_runs_with_their_best_metric(config, tmp_path, capsys):
    assert main(["train", str(config), "--quiet"]) == 0
    cut = load_config(config, ["output=" + (tmp_path / "runs" / "cut").as_posix()])
    train_from_config(cut, verbose=0, extra_callbacks=[SendSignal(epoch=1, batch=0)])
    capsys.readouterr()
    assert main(["runs", str(tmp_path / "runs")]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:3] == ["run", "status", "epochs"]
    history = json.loads((tmp_path / "runs" / "moons" / "history.json").read_text())
    done = next(line for line in lines if line.rstrip().endswith("%") and "moons" in line)
    assert "done" in done and f"val_accuracy {max(history['val_accuracy']):.4f}" in done
    assert any("cut" in line and "interrupted" in line for line in lines)
    assert main(["runs", str(tmp_path / "nothing")]) == 2


def test_set_overrides_config_keys_and_version(config, capsys):
    cfg = load_config(config, ["train.epochs=7", "train.optimizer.name=sgd", "model.hidden_units=5",
                               'train.metrics=["accuracy"]'])
    assert cfg["train"]["epochs"] == 7 and cfg["train"]["optimizer"]["name"] == "sgd"
    assert cfg["model"]["hidden_units"] == 5
    assert parse_override("output=runs/x") == ("output", "runs/x")
    with pytest.raises(ConfigError, match="expected KEY=VALUE"):
        parse_override("train.epochs")
    with pytest.raises(ConfigError, match="train.epochs.*positive int"):
        load_config(config, ["train.epochs=-1"])
    with pytest.raises(SystemExit) as e:
        main(["--version"])
    assert e.value.code == 0 and capsys.readouterr().out.startswith("gradnote ")


def test_best_config_trains_into_its_own_folder(config, tmp_path):
    # best_config.toml kept output = "runs/digits", so training it replaced the original run
    assert main(["tune", str(config), "--trials", "2", "--set", "train.epochs=2"]) == 0
    best = load_config(tmp_path / "runs" / "moons" / "best_config.toml")
    assert os.path.normpath(best["output"]) == os.path.normpath(tmp_path / "runs" / "moons" / "best")
    table = (tmp_path / "runs" / "moons" / "top_trials.md").read_text()
    assert table.startswith("| rank | trial | val_accuracy | epochs | train.optimizer.lr |")
    assert table.count("\n| ") == 2  # two trial rows below the header
    for name in ("optimization_history", "parallel_coordinate", "param_importances"):
        assert (tmp_path / "runs" / "moons" / f"{name}.png").stat().st_size > 1000, name


def test_pruning_defaults_scale_with_the_budget_and_the_config_sets_them():
    # a MedianPruner with 2 start-up trials and no warm-up pruned 56 of 60 trials after one epoch
    from gradnote.cli.tune import build_pruner

    pruner = build_pruner({"pruner": "median"}, trials=60, epochs=20)
    assert pruner._n_startup_trials == 12 and pruner._n_warmup_steps == 6
    assert build_pruner({"pruner": "median"}, trials=6, epochs=3)._n_startup_trials == 5
    pruner = build_pruner({"pruner": "median", "startup_trials": 3, "warmup_epochs": 0}, trials=60, epochs=20)
    assert pruner._n_startup_trials == 3 and pruner._n_warmup_steps == 0
    assert type(build_pruner({"pruner": "none"}, 10, 10)).__name__ == "NopPruner"
    with pytest.raises(ConfigError, match=r"tune\.warmup_epochs.*got -1"):
        load_config_text({"model": {"type": "mlp"}, "tune": {"warmup_epochs": -1, "space": {
            "train.batch_size": {"type": "choice", "values": [8]}}}})


def load_config_text(cfg):
    from gradnote.cli.config import validate

    return validate(cfg)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_ends_tune_at_once_and_the_trial_is_not_complete(config, tmp_path, monkeypatch, capsys, signum):
    # Ctrl-C needed three presses and the half-trained trial became COMPLETE (and the best)
    import gradnote.cli.tune as tune_mod

    real = tune_mod._pruning_callback
    calls = []

    def with_signal(trial, key):
        calls.append(trial.number)
        return SendSignal(epoch=1, batch=0, signum=signum) if trial.number == 1 else real(trial, key)

    monkeypatch.setattr(tune_mod, "_pruning_callback", with_signal)
    assert main(["tune", str(config), "--trials", "6"]) == 128 + signum
    assert calls == [0, 1]  # one signal stopped the study: no trial after the interrupted one
    with sqlite3.connect(tmp_path / "runs" / "moons" / "study.db") as con:
        states = dict(con.execute("select number, state from trials").fetchall())
    assert states == {0: "COMPLETE", 1: "FAIL"}
    assert "recorded as FAIL" in capsys.readouterr().out
    monkeypatch.setattr(tune_mod, "_pruning_callback", real)
    assert main(["tune", str(config), "--trials", "3"]) == 0  # running again resumes
    with sqlite3.connect(tmp_path / "runs" / "moons" / "study.db") as con:
        assert con.execute("select count(*) from trials where state = 'COMPLETE'").fetchone()[0] == 3


def test_main_paths_work_without_the_optional_extras(config, tmp_path, monkeypatch, capsys):
    # after `pip install .` alone: train ended in an ImportError traceback without printing the accuracy,
    # tune in a bare ModuleNotFoundError
    for name in ("matplotlib", "matplotlib.figure", "optuna", "tensorboardX"):
        monkeypatch.setitem(sys.modules, name, None)
    text = config.read_text().replace('epochs = 4', 'epochs = 2\ncallbacks = [{ name = "TensorBoard" }]')
    config.write_text(text)
    assert main(["train", str(config), "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "test accuracy:" in out
    assert "pip install 'gradnote[viz]'" in out and "pip install 'gradnote[tensorboard]'" in out
    assert main(["tune", str(config), "--trials", "1"]) == 2
    err = capsys.readouterr().err.strip()
    assert err == "gradnote tune: error: gradnote tune needs optuna, an optional extra: pip install 'gradnote[tune]'"
    assert main(["plot", str(tmp_path / "runs" / "moons")]) == 2
    assert "gradnote[viz]" in capsys.readouterr().err


def test_file_callbacks_write_into_the_run_folder(config, tmp_path, monkeypatch):
    # a config CSVLogger with a relative filename wrote into the working directory
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    text = config.read_text().replace('epochs = 4', 'epochs = 2\ncallbacks = [{ name = "CSVLogger", filename = '
                                      '"log.csv" }, { name = "TensorBoard" }, { name = "LivePlot" }]')
    config.write_text(text)
    assert main(["train", str(config), "--quiet"]) == 0
    run = tmp_path / "runs" / "moons"
    assert list(cwd.iterdir()) == []
    assert len((run / "log.csv").read_text().splitlines()) == 3
    assert (run / "tensorboard" / "train").is_dir() and (run / "tensorboard" / "validation").is_dir()
    assert (run / "live.png").stat().st_size > 1000


def test_config_mistakes_are_one_line_errors(config, tmp_path, capsys):
    # these escaped as IndexError / silent nonsense / ValueError tracebacks
    digits = tmp_path / "digits.toml"
    digits.write_text('[data]\nname = "digits"\n[model]\nlayers = [{ type = "Linear", in_features = 64, '
                      'out_features = 5 }]\n')
    capsys.readouterr()
    assert main(["train", str(digits), "--quiet", "--set", f"output={(tmp_path / 'd').as_posix()}"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "10 classes" in err and "5" in err
    assert main(["train", str(config), "--quiet", "--set", "train.loss=mse"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "train.loss" in err and "class labels" in err
    wide = tmp_path / "wide.toml"
    wide.write_text('[data]\nname = "digits"\n[model]\nlayers = [{ type = "Linear", in_features = 63, '
                    'out_features = 10 }]\n')
    assert main(["train", str(wide), "--quiet", "--set", f"output={(tmp_path / 'w').as_posix()}"]) == 2
    assert "config key 'model'" in capsys.readouterr().err
    gn.save(gn.nn.Sequential(gn.nn.Linear(2, 3)), tmp_path / "m.safetensors")
    assert main(["inspect", str(tmp_path / "m.safetensors"), "--input-shape", "abc"]) == 2
    assert "--input-shape 'abc'" in capsys.readouterr().err


def test_example_configs_validate():
    from pathlib import Path

    for path in sorted((Path(__file__).resolve().parents[1] / "examples" / "configs").iterdir()):
        cfg = load_config(path)
        assert cfg["model"] and cfg["train"]["epochs"] > 0, path
