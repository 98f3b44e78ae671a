"""The command line end to end on tiny configs in a temporary folder."""

import json
import sqlite3
import subprocess
import sys

import numpy as np
import pytest

from gradnote.cli import main
from gradnote.cli.config import ConfigError, load_config, validate

TINY = """
seed = 1
output = "{out}"

[data]
name = "spiral"
n = 120
classes = 3
test_size = 0.25
validation_split = 0.2

[model]
type = "mlp"
hidden_units = 16
num_layers = 1

[train]
optimizer = {{ name = "adam", lr = 0.01 }}
schedule = {{ name = "StepLR", step_size = 1, gamma = 0.5 }}
batch_size = 16
epochs = 3
callbacks = [{{ name = "EarlyStopping", monitor = "val_loss", patience = 5 }}]

[tune]
sampler = "tpe"
metric = "val_accuracy"
direction = "maximize"

[tune.space]
"train.optimizer.lr" = {{ type = "loguniform", low = 1e-3, high = 1e-1 }}
"model.hidden_units" = {{ type = "int", low = 4, high = 32 }}
"train.batch_size" = {{ type = "choice", values = [8, 16] }}
"model.dropout" = {{ type = "uniform", low = 0.0, high = 0.3 }}
"""


@pytest.fixture
def config(tmp_path):
    path = tmp_path / "tiny.toml"
    path.write_text(TINY.format(out=(tmp_path / "run").as_posix()))
    return path


def test_train_writes_checkpoint_history_and_plots(config, tmp_path, capsys):
    assert main(["train", str(config), "--quiet"]) == 0
    run = tmp_path / "run"
    summary = capsys.readouterr().out
    assert "test accuracy:" in summary and str(run) in summary
    for name in ("model.safetensors", "checkpoint.safetensors", "history.json", "history.csv", "results.json",
                 "learning_curves.png", "confusion_matrix.png", "lr_schedule.png", "decision_boundary.png"):
        assert (run / name).stat().st_size > 0, name
    history = json.loads((run / "history.json").read_text())
    assert len(history["loss"]) == 3 and "val_loss" in history
    assert np.allclose(history["lr"], [0.01, 0.005, 0.0025])  # StepLR halves the rate every epoch
    assert (run / "history.csv").read_text().splitlines()[0].startswith("epoch,")
    results = json.loads((run / "results.json").read_text())
    assert np.asarray(results["confusion_matrix"]).sum() == 30  # 25% of 120 points

    for png in run.glob("*.png"):
        png.unlink()
    assert main(["plot", str(run)]) == 0
    assert (run / "learning_curves.png").exists() and (run / "decision_boundary.png").exists()

    capsys.readouterr()
    assert main(["inspect", str(run / "model.safetensors"), "--input-shape", "2"]) == 0
    out = capsys.readouterr().out
    assert "Linear" in out and "(None, 3)" in out and "Total params" in out


def test_tune_three_trials_then_resume_to_five(config, tmp_path, capsys):
    assert main(["tune", str(config), "--trials", "3"]) == 0
    db = tmp_path / "run" / "study.db"
    assert db.exists()

    def finished():
        with sqlite3.connect(db) as con:
            return con.execute("select count(*) from trials where state in ('COMPLETE', 'PRUNED')").fetchone()[0]

    assert finished() == 3
    assert main(["tune", str(config), "--trials", "5"]) == 0
    assert finished() == 5
    with sqlite3.connect(db) as con:  # a resumed run used to replay the first run's points
        rows = con.execute("select trial_id, param_name, param_value from trial_params").fetchall()
    points = {}
    for trial_id, name, value in rows:
        points.setdefault(trial_id, []).append((name, value))
    assert len(points) == 5 and len({tuple(sorted(p)) for p in points.values()}) == 5
    best = load_config(tmp_path / "run" / "best_config.toml")
    assert 1e-3 <= best["train"]["optimizer"]["lr"] <= 1e-1 and 4 <= best["model"]["hidden_units"] <= 32
    assert "best trial" in capsys.readouterr().out


def test_tune_trials_write_no_checkpoint_or_log_into_the_working_directory(tmp_path, monkeypatch):
    # trials used to fall back to ./best.safetensors and ./log.csv for ModelCheckpoint and CSVLogger
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    text = TINY.format(out=(tmp_path / "run").as_posix()).replace(
        'callbacks = [{ name = "EarlyStopping", monitor = "val_loss", patience = 5 }]',
        'callbacks = [{ name = "ModelCheckpoint", save_best_only = true }, { name = "CSVLogger" }]')
    assert "ModelCheckpoint" in text
    config = tmp_path / "cb.toml"
    config.write_text(text)
    assert main(["tune", str(config), "--trials", "2"]) == 0
    assert list(cwd.iterdir()) == []
    assert main(["train", str(config), "--quiet"]) == 0
    assert (tmp_path / "run" / "best.safetensors").exists() and (tmp_path / "run" / "log.csv").exists()


def test_inspect_state_dicts_checkpoints_embedding_models_and_folders(tmp_path, capsys):
    # a checkpoint or state dict used to be refused, an Embedding model crashed on float zeros,
    # and a folder raised IsADirectoryError with a traceback
    import gradnote as gn
    from gradnote import nn, optim

    model = nn.Sequential(nn.Embedding(10, 4), nn.LSTM(4, 8, batch_first=True))
    gn.save(model, tmp_path / "lstm.safetensors")
    opt = optim.Adam(model.parameters())
    gn.train.save_checkpoint(tmp_path / "ckpt.safetensors", model=model, optimizer=opt, epoch=3)
    capsys.readouterr()
    assert main(["inspect", str(tmp_path / "lstm.safetensors"), "--input-shape", "7"]) == 0
    assert "(None, 7, 8)" in capsys.readouterr().out
    assert main(["inspect", str(tmp_path / "ckpt.safetensors")]) == 0
    out = capsys.readouterr().out
    assert "model.0.weight" in out and "float32 (10, 4)" in out and "epoch" in out
    assert main(["inspect", str(tmp_path)]) == 2
    assert "is a folder" in capsys.readouterr().err


def test_config_errors_name_the_key_and_allowed_values(tmp_path):
    with pytest.raises(ConfigError, match=r"data\.name.*allowed: digits, xor"):
        validate({"data": {"name": "cifar"}, "model": {"type": "mlp"}})
    with pytest.raises(ConfigError, match=r"train\.optimizer\.name.*allowed: sgd, adam"):
        validate({"model": {"type": "mlp"}, "train": {"optimizer": {"name": "lbfgs"}}})
    with pytest.raises(ConfigError, match=r"'train\.epochs': must be a positive int"):
        validate({"model": {"type": "mlp"}, "train": {"epochs": 0}})
    with pytest.raises(ConfigError, match=r"'train\.batchsize': unknown key; allowed: loss"):
        validate({"model": {"type": "mlp"}, "train": {"batchsize": 3}})
    with pytest.raises(ConfigError, match=r"tune\.space\.train\.optimizer\.lr\.type.*allowed: loguniform"):
        validate({"model": {"type": "mlp"}, "tune": {"space": {"train.optimizer.lr": {"type": "exp"}}}})
    bad = tmp_path / "bad.yaml"
    bad.write_text("model:\n  type: mlp\ndata:\n  scale: log\n")
    assert main(["train", str(bad)]) == 2


def test_config_errors_for_loss_metrics_optimizer_and_model_args(tmp_path, capsys):
    # these used to pass validation and fail later without the key, or with a traceback
    with pytest.raises(ConfigError, match=r"'train\.loss': unknown loss 'foo'; allowed: .*cross_entropy"):
        validate({"model": {"type": "mlp"}, "train": {"loss": "foo"}})
    with pytest.raises(ConfigError, match=r"'train\.metrics\[1\]': unknown metric 'foo'; allowed: acc"):
        validate({"model": {"type": "mlp"}, "train": {"metrics": ["accuracy", "foo"]}})
    with pytest.raises(ConfigError, match=r"'train\.optimizer': expected a table"):
        validate({"model": {"type": "mlp"}, "train": {"optimizer": 5}})
    assert validate({"model": {"type": "mlp"}, "train": {"loss": "MSE", "metrics": ["ACC"]}})["train"]["loss"] == "MSE"
    bad = tmp_path / "lenet.toml"
    bad.write_text(f'output = "{(tmp_path / "run").as_posix()}"\n[model]\nname = "LeNet5"\nargs = {{ bogus = 1 }}\n')
    assert main(["train", str(bad), "--quiet"]) == 2
    assert "config key 'model.args': LeNet5" in capsys.readouterr().err


def test_demo_and_module_entry_point(tmp_path):
    out = subprocess.run([sys.executable, "-m", "gradnote", "demo", "xor", "--epochs", "40", "--quiet"],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    accuracy = float(out.stdout.split("test accuracy:")[1].split("%")[0])
    assert accuracy >= 90.0
    helps = subprocess.run([sys.executable, "-m", "gradnote", "tune", "--help"], capture_output=True, text=True)
    assert helps.returncode == 0 and "--trials" in helps.stdout and "--storage" in helps.stdout
