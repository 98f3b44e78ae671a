"""`gradnote tune --storage postgresql://...`: two worker processes share one study on a real PostgreSQL server.

.ci/run starts the server and sets GRADNOTE_TEST_POSTGRES_URL (a URL to a database the test may create
databases from); each test works in a database of its own and drops it afterwards. A SQLite study shared
by two workers gets the same exact-count check, so the file lock is tested everywhere.
"""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

optuna = pytest.importorskip("optuna", reason="the tune extra (optuna) is not installed")

ROOT = Path(__file__).resolve().parents[1]
URL = os.environ.get("GRADNOTE_TEST_POSTGRES_URL")

CONFIG = """
seed = 3
output = "{out}"

[data]
name = "spiral"
n = 90
classes = 3
validation_split = 0.2

[model]
type = "mlp"
hidden_units = 8
num_layers = 1

[train]
optimizer = {{ name = "adam", lr = 0.01 }}
batch_size = 16
epochs = 2

[tune]
sampler = "random"
pruner = "none"
metric = "val_accuracy"
direction = "maximize"

[tune.space]
"train.optimizer.lr" = {{ type = "loguniform", low = 1e-3, high = 1e-1 }}
"model.hidden_units" = {{ type = "int", low = 4, high = 64 }}
"""

TRIALS = 5


def _two_workers(tmp_path, storage: str, study: str):
    config = tmp_path / "study.toml"
    config.write_text(CONFIG.format(out=(tmp_path / "shared").as_posix()))
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    workers = [subprocess.Popen([sys.executable, "-m", "gradnote", "tune", str(config), "--trials", str(TRIALS),
                                 "--storage", storage, "--study-name", study, "--output", str(tmp_path / f"w{i}")],
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
               for i in range(2)]
    try:
        outs = [w.communicate(timeout=300)[0] for w in workers]
    finally:
        for w in workers:
            w.kill()
    for w, out in zip(workers, outs):
        assert w.returncode == 0, out
    return outs


def _check_study(storage: str, study: str, outs) -> None:
    trials = optuna.load_study(study_name=study, storage=storage).get_trials(deepcopy=False)
    states = [t.state.name for t in trials]
    assert len(trials) == TRIALS and states == ["COMPLETE"] * TRIALS, states
    assert sorted(t.number for t in trials) == list(range(TRIALS))
    points = {tuple(sorted(t.params.items())) for t in trials}
    assert len(points) == TRIALS, "two trials sampled the same point"
    assert all(t.value is not None and len(t.intermediate_values) == 2 for t in trials), "a result was lost"
    spans = sorted((t.datetime_start, t.datetime_complete) for t in trials)
    assert any(b[0] < a[1] for a, b in zip(spans, spans[1:])), "the two workers never ran a trial at the same time"
    # a worker stops claiming once the study holds enough trials, finished or running: the last one to
    # stop sees them all finished
    assert any(f"{TRIALS} finished trials" in out for out in outs), outs


@pytest.fixture
def database():
    """A fresh database on the test server, dropped afterwards."""
    if not URL:
        pytest.skip("GRADNOTE_TEST_POSTGRES_URL is not set (.ci/run starts a PostgreSQL server and sets it)")
    psycopg = pytest.importorskip("psycopg", reason="the postgres extra (psycopg) is not installed")
    name = f"gradnote_tune_{uuid.uuid4().hex[:10]}"
    admin = psycopg.connect(URL)
    admin.autocommit = True
    admin.cursor().execute(f"CREATE DATABASE {name}")
    yield URL.rsplit("/", 1)[0] + "/" + name
    admin.cursor().execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    admin.close()


def test_two_workers_share_one_postgres_study_exactly(tmp_path, database):
    outs = _two_workers(tmp_path, database, "pg-shared")
    _check_study(database, "pg-shared", outs)
    assert "postgresql://" in outs[0]


def test_two_workers_share_one_sqlite_study_exactly(tmp_path):
    storage = f"sqlite:///{tmp_path / 'shared.db'}"
    outs = _two_workers(tmp_path, storage, "sqlite-shared")
    _check_study(storage, "sqlite-shared", outs)


def test_missing_driver_names_the_extra(tmp_path, monkeypatch):
    from gradnote.cli import storage

    monkeypatch.setitem(sys.modules, "psycopg", None)
    with pytest.raises(ImportError, match=r"psycopg, an optional extra: pip install 'gradnote\[postgres\]'"):
        storage.open_storage("postgresql://nobody@127.0.0.1:1/none")
