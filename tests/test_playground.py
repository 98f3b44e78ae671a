"""The playground without a browser: settings, datasets, a session's training and snapshots, the
generated scripts, and the server's WebSocket protocol (sessions per socket, pause, shutdown)."""

import ast
import base64
import json
import os
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import numpy as np
import pytest

from gradnote.playground import codegen
from gradnote.playground.datasets import CLASSIFICATION, DATASETS, FEATURES, LIMIT, features, grid, make_dataset, split
from gradnote.playground.session import BOUNDARY_SIZE, Session
from gradnote.playground.settings import Settings, SettingsError

SRC = Path(__file__).resolve().parents[1] / "src" / "gradnote"


# ----- settings ----------------------------------------------------------------------------------
@pytest.mark.parametrize("values, field, words", [
    ({"learning_rate": -0.1}, "learning-rate", "learning rate must be a number > 0"),
    ({"learning_rate": 0}, "learning-rate", "got 0"),
    ({"hidden": [4, 0]}, "neurons-1", "neurons in hidden layer 2 must be a whole number from 1 to 8, got 0"),
    ({"hidden": [2] * 11}, "hidden-layers", "at most 10"),
    ({"dataset": "swirl"}, "dataset", "unknown 'swirl'"),
    ({"activation": "softplus"}, "activation", "expected one of step, sigmoid"),
    ({"features": []}, "features", "at least one"),
    ({"features": ["x3"]}, "features", "'x3'"),
    ({"batch_size": -1}, "batch-size", "got -1"),
    ({"batch_size": 1, "batch_norm": True}, "batch-norm", "batch size 1"),
    ({"dropout": 1.0}, "dropout", "<= 0.9"),
    ({"noise": float("nan")}, "noise", "nan"),
    ({"train_fraction": 1.0}, "train-fraction", "got 1.0"),
    ({"learning_rate": "fast"}, "learning-rate", "'fast'"),
    ({"lr_decay": -1}, "learning-rate-decay", "got -1"),
    ({"speed": 3}, "speed", "unknown setting 'speed'"),
])
def test_settings_refuse_bad_values_naming_the_control(values, field, words):
    with pytest.raises(SettingsError, match=None) as e:
        Settings.from_dict(values)
    assert e.value.field == field
    assert words in str(e.value)


def test_settings_normalise_what_they_accept():
    s = Settings.from_dict({"features": ["sin_x1", "x1", "x1"], "hidden": [3.0, 2], "batch_size": 0})
    assert s.features == ["x1", "sin_x1"] and s.hidden == [3, 2] and s.batch_size == 0
    assert Settings.from_dict(s.to_dict()) == s
    assert Settings.from_dict({"dataset": "regression"}).task == "regression"


# ----- data --------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", DATASETS)
def test_datasets_fill_the_square_with_both_classes_in_train_and_test(name):
    x, y = make_dataset(name, n=200, noise=0.05, seed=3)
    assert x.shape == (200, 2) and y.shape == (200,) and x.dtype == np.float32 and y.dtype == np.float32
    assert np.abs(x).max() < LIMIT * 1.1 and np.abs(x).max() > LIMIT * 0.5
    again = make_dataset(name, n=200, noise=0.05, seed=3)
    assert np.array_equal(x, again[0]) and np.array_equal(y, again[1])
    assert not np.array_equal(x, make_dataset(name, n=200, noise=0.05, seed=4)[0])
    _, ytr, _, yte = split(x, y, 0.7)
    if name in CLASSIFICATION:
        assert set(np.unique(ytr)) == set(np.unique(yte)) == {0.0, 1.0}
    else:
        assert -1 <= y.min() < -0.3 and 0.3 < y.max() <= 1


def test_features_are_the_named_functions_of_the_coordinates():
    x = np.array([[0.5, -2.0], [1.0, 3.0]], dtype=np.float32)
    f = features(x, list(FEATURES))
    x1, x2 = x[:, 0], x[:, 1]
    assert np.allclose(f, np.stack([x1, x2, x1 ** 2, x2 ** 2, x1 * x2, np.sin(x1), np.sin(x2)], 1))
    assert f.dtype == np.float32
    with pytest.raises(ValueError, match="input features"):
        features(x, ["x1", "cos_x1"])
    g = grid(3)
    assert g[0].tolist() == [-LIMIT, LIMIT] and g[-1].tolist() == [LIMIT, -LIMIT]  # top-left first


# ----- a session ---------------------------------------------------------------------------------
def _pixels(b64: str) -> np.ndarray:
    return np.frombuffer(base64.b64decode(b64), dtype=np.uint8)


def test_a_session_trains_and_its_frame_describes_the_network():
    s = Session({"dataset": "circles", "hidden": [5, 3], "activation": "tanh", "learning_rate": 0.03})
    first = s.frame()
    assert first["epoch"] == 0 and first["steps"] == 0
    for _ in range(30):
        s.step_epoch()
    f = s.frame()
    assert f["epoch"] == 30 and f["steps"] == 30 * 28  # 280 training points in batches of 10
    assert f["test_loss"] < 0.5 * first["test_loss"]
    assert _pixels(f["boundary"]).shape == (BOUNDARY_SIZE ** 2,)
    assert not np.array_equal(_pixels(f["boundary"]), _pixels(first["boundary"]))
    assert [len(layer) for layer in f["neurons"]] == [5, 3]
    assert all(_pixels(m).shape == (f["neuron_size"] ** 2,) for layer in f["neurons"] for m in layer)
    assert [np.shape(w) for w in f["weights"]] == [(5, 2), (3, 5), (1, 3)]
    assert len(f["gradients"]) == 3 and all(g > 0 for g in f["gradients"])
    d = s.data()
    assert len(d["train"]) == 280 and len(d["test"]) == 120 and len(d["inputs"]) == 2


def test_batch_size_one_is_sgd_and_zero_is_the_whole_set():
    s = Session({"batch_size": 1, "n": 50})
    s.step_epoch()
    assert s.steps == 35
    s.configure({"batch_size": 0, "n": 50})
    s.step_epoch()
    assert (s.epoch, s.steps) == (1, 1)
    s.configure({"batch_size": 3, "n": 50, "batch_norm": True})  # 35 = 11 * 3 + 2; a lone point would break BN
    s.step_epoch()
    assert s.epoch == 1


def test_live_knobs_keep_the_training_and_the_rest_rebuild_it():
    s = Session({"dataset": "moons"})
    s.step_epoch()
    assert s.configure({"dataset": "moons", "learning_rate": 0.1, "regularization": "l2",
                        "regularization_rate": 0.01}) is False
    assert s.epoch == 1 and s.optimizer.param_groups[0]["lr"] == 0.1
    assert s.configure({"dataset": "moons", "activation": "relu"}) is True
    assert s.epoch == 0 and s.history == []


def test_a_refused_setting_leaves_the_session_as_it_was():
    s = Session({"dataset": "xor"})
    s.step_epoch()
    with pytest.raises(SettingsError):
        s.configure({"dataset": "xor", "learning_rate": -1})
    assert s.settings.learning_rate == 0.03 and s.epoch == 1


def test_reset_draws_new_weights_and_train_for_stops_when_asked():
    s = Session()
    w0 = s.model[0].weight.numpy().copy()
    s.reset()
    assert not np.array_equal(w0, s.model[0].weight.numpy())
    s.train_for(10.0, should_stop=lambda: True)  # one batch, then the stop is seen
    assert s.steps == 1


@pytest.mark.parametrize("options", [
    {"dataset": "spiral", "activation": "relu", "init": "he", "hidden": [6, 6], "optimizer": "momentum",
     "batch_norm": True, "dropout": 0.1, "regularization": "l2", "regularization_rate": 0.001,
     "lr_decay": 0.001, "clip_norm": 1.0},
    {"dataset": "regression", "activation": "gelu", "hidden": [4], "optimizer": "rmsprop", "batch_size": 0,
     "features": ["x1", "x2", "x1x2", "sin_x1"], "regularization": "l1", "regularization_rate": 0.0001},
    {"dataset": "blobs", "activation": "step", "hidden": [], "optimizer": "adagrad"},
    {"dataset": "moons", "activation": "leaky_relu", "hidden": [3, 3, 3], "optimizer": "adamw"},
    {"dataset": "circles", "activation": "sigmoid", "hidden": [8] * 10, "optimizer": "sgd", "learning_rate": 0.1},
])
def test_every_control_trains(options):
    s = Session(options)
    s.step_epoch()
    f = s.frame()
    assert f["epoch"] == 1 and np.isfinite(f["train_loss"]) and len(f["neurons"]) == len(options["hidden"])


def test_sigmoid_ten_layers_starves_the_first_layers_gradient_and_relu_he_does_not():
    """The gradient-flow bars' lesson: sigmoid's slope (at most 1/4) shrinks the gradient layer by layer."""
    def flow(activation, init):
        s = Session({"dataset": "circles", "activation": activation, "init": init, "hidden": [8] * 10,
                     "optimizer": "sgd", "learning_rate": 0.01})
        s.step_epoch()
        g = s.frame()["gradients"]
        return g[0] / g[-1]
    assert flow("sigmoid", "xavier") < 1e-3
    assert flow("relu", "he") > 1e-2


# ----- "show me the code" -----------------------------------------------------------------------
CODE_SETTINGS = [
    {"dataset": "circles", "activation": "tanh", "hidden": [4, 2]},
    {"dataset": "spiral", "activation": "relu", "init": "he", "hidden": [6, 6], "batch_norm": True, "dropout": 0.1,
     "regularization": "l2", "regularization_rate": 0.001, "lr_decay": 0.001, "clip_norm": 1.0,
     "optimizer": "rmsprop"},
    {"dataset": "regression", "activation": "step", "hidden": [3], "optimizer": "momentum", "batch_size": 0,
     "features": ["x1", "x2", "x1^2"], "regularization": "l1", "regularization_rate": 0.001},
    {"dataset": "xor", "activation": "gelu", "hidden": [], "optimizer": "adamw"},
]


def _run(script: str, epochs: int) -> tuple[dict, str]:
    assert f"EPOCHS = {codegen.EPOCHS}\n" in script
    script = script.replace(f"EPOCHS = {codegen.EPOCHS}\n", f"EPOCHS = {epochs}\n")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return out, out.stdout.strip().splitlines()[-1]


@pytest.mark.parametrize("options", CODE_SETTINGS, ids=lambda o: o["dataset"])
def test_both_generated_scripts_run_and_train(options):
    s = Settings.from_dict(options)
    for make in (codegen.pytorch_script, codegen.keras_script):
        script = make(s)
        ast.parse(script)
        _, last = _run(script, epochs=3)
        assert last.startswith("epoch 3: train loss ") and "test loss" in last
        assert np.isfinite(float(last.split()[-1]))


def test_the_pytorch_script_builds_the_sessions_network_and_learns():
    s = Settings.from_dict(CODE_SETTINGS[1])
    ns = {}
    script = codegen.pytorch_script(s).replace(f"EPOCHS = {codegen.EPOCHS}\n", "EPOCHS = 0\n")
    exec(compile(script, "pytorch_script", "exec"), ns)
    assert repr(ns["model"]) == repr(Session(s).model)
    _, last = _run(codegen.pytorch_script(Settings.from_dict(CODE_SETTINGS[0])), epochs=20)
    assert float(last.split()[-1]) < 0.4  # circles learnt (0.69 at the start)


# ----- the server ---------------------------------------------------------------------------------
starlette = pytest.importorskip("starlette", reason="the playground extra (starlette) is not installed")
uvicorn = pytest.importorskip("uvicorn", reason="the playground extra (uvicorn) is not installed")
from websockets.sync.client import connect  # noqa: E402

from gradnote.playground.server import bind, create_app  # noqa: E402


class Served:
    """The app on a real uvicorn server in a thread, on a free port."""

    def __init__(self):
        self.app, sock = create_app(), bind(0)
        self.server = uvicorn.Server(uvicorn.Config(self.app, log_level="error", ws="auto",
                                                    timeout_graceful_shutdown=3))
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [sock]}, daemon=True)
        self.thread.start()
        self.http = f"http://127.0.0.1:{sock.getsockname()[1]}"
        self.ws = self.http.replace("http", "ws") + "/ws"
        for _ in range(200):
            if self.server.started:
                break
            time.sleep(0.05)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=15)


@pytest.fixture
def served():
    s = Served()
    yield s
    s.stop()


class Socket:
    def __init__(self, url: str):
        self.conn = connect(url)

    def send_json(self, message: dict) -> None:
        self.conn.send(json.dumps(message))

    def receive_json(self) -> dict:
        return json.loads(self.conn.recv(timeout=20))

    def close(self) -> None:
        self.conn.close()


def _until(ws, kind: str, limit: int = 100) -> dict:
    for _ in range(limit):
        m = ws.receive_json()
        if m["type"] == kind:
            return m
    raise AssertionError(f"no {kind!r} message")


def test_the_page_and_its_scripts_are_served_from_the_package(served):
    page = urllib.request.urlopen(served.http + "/", timeout=10).read().decode()
    for testid in ("dataset", "activation", "learning-rate", "hidden-layers", "add-layer", "play", "pause",
                   "reset", "step", "epoch", "train-loss", "test-loss", "boundary"):
        assert f'data-testid="{testid}"' in page
    assert 'value="spiral"' in page and 'value="relu"' in page
    assert "http" not in page  # nothing fetched from the internet
    assert b"WebSocket" in urllib.request.urlopen(served.http + "/static/playground.js", timeout=10).read()


def test_a_socket_streams_frames_pauses_and_refuses_bad_input(served):
    ws = Socket(served.ws)
    assert ws.receive_json()["type"] == "data"
    assert ws.receive_json()["epoch"] == 0
    ws.send_json({"type": "configure", "settings": {"dataset": "spiral", "activation": "relu", "hidden": [8, 8]}})
    assert _until(ws, "settings")["settings"]["dataset"] == "spiral"
    ws.send_json({"type": "play"})
    _until(ws, "frame")
    t0, frames = time.perf_counter(), []
    while time.perf_counter() - t0 < 2.0:
        frames.append(_until(ws, "frame"))
    rate = len(frames) / (time.perf_counter() - t0)
    # the server paces frames by the clock (PERIOD); only a machine with more runnable processes than
    # cores (other test workers, a browser) can slow the stream below that, and never to a stop
    assert rate >= (10 if os.getloadavg()[0] < os.cpu_count() else 1), f"{rate:.1f} frames a second"
    assert frames[-1]["epoch"] > frames[0]["epoch"]
    ws.send_json({"type": "configure", "settings": {"dataset": "spiral", "learning_rate": -0.1}})
    err = _until(ws, "error")
    assert err["field"] == "learning-rate" and "learning rate must be" in err["message"]
    ws.send_json({"type": "pause"})
    paused = _until(ws, "frame")
    while paused["playing"]:
        paused = _until(ws, "frame")
    ws.send_json({"type": "code"})
    code = _until(ws, "code")
    assert "nn.ReLU()" in code["pytorch"] and 'activation="relu"' in code["keras"]
    ws.send_json({"type": "step"})
    stepped = _until(ws, "frame")
    while stepped["epoch"] == paused["epoch"]:  # frames sent before the step was handled may come first
        stepped = _until(ws, "frame")
    ws.send_json({"type": "reset"})
    reset = _until(ws, "frame")
    while not reset.get("reset"):
        reset = _until(ws, "frame")
    assert stepped["epoch"] == paused["epoch"] + 1 and reset["epoch"] == 0
    ws.close()


def test_each_socket_is_its_own_session(served):
    a, b = Socket(served.ws), Socket(served.ws)
    for ws in (a, b):
        _until(ws, "frame")
    a.send_json({"type": "configure", "settings": {"dataset": "regression"}})
    assert _until(a, "data")["task"] == "regression"
    a.send_json({"type": "play"})
    _until(a, "frame")
    b.send_json({"type": "step"})
    assert _until(b, "frame")["epoch"] == 1
    sessions = [c.session for c in served.app.state.connections]
    assert len(sessions) == 2 and {s.settings.dataset for s in sessions} == {"regression", "circles"}
    a.close()
    b.close()


def test_stopping_the_server_ends_every_training_loop():
    served = Served()
    a, b = Socket(served.ws), Socket(served.ws)
    for ws in (a, b):
        ws.send_json({"type": "play"})
    for ws in (a, b):
        for _ in range(3):
            ws.receive_json()
    sessions = [c.session for c in served.app.state.connections]
    assert len(sessions) == 2 and all(s.playing for s in sessions)
    served.stop()
    assert not served.thread.is_alive(), "the server did not stop"
    assert not served.app.state.loops and not served.app.state.connections
    steps = [s.steps for s in sessions]
    time.sleep(0.3)
    assert [s.steps for s in sessions] == steps  # nothing trains on
    a.close()
    b.close()


def test_a_busy_port_is_a_one_line_error_and_the_web_stack_loads_only_when_the_command_runs():
    from gradnote.cli import main

    taken = bind(0)
    taken.listen()
    port = taken.getsockname()[1]
    out = subprocess.run([sys.executable, "-m", "gradnote", "playground", "--port", str(port), "--no-browser"],
                         capture_output=True, text=True, timeout=60)
    taken.close()
    assert out.returncode == 2 and f"cannot listen on 127.0.0.1:{port}" in out.stderr
    probe = ("import sys, gradnote.playground, gradnote.cli, gradnote.playground.session; "
             "print(sorted(m for m in ('starlette', 'uvicorn') if m in sys.modules))")
    assert subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True).stdout.strip() == "[]"
    with pytest.raises(SystemExit):
        main(["playground", "--help"])


def test_nothing_below_the_playground_imports_it():
    for path in SRC.rglob("*.py"):
        rel = path.relative_to(SRC).parts
        if rel[0] in ("playground", "cli"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                assert "playground" not in (node.module or ""), f"{path} imports the playground"
            elif isinstance(node, ast.Import):
                assert all("playground" not in a.name for a in node.names), f"{path} imports the playground"
