"""Every lesson example saves the figure it teaches, next to its printed table (issue 14), and the
MNIST examples without their data end in a message, not a traceback."""

import subprocess
import sys

import matplotlib
import pytest
from _examples import EXAMPLES
from _examples import load_example as _load

matplotlib.use("Agg")
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("name, argv", [
    ("vanishing_gradients", ["--depth", "4", "--width", "8"]),
    ("optimizer_race", ["--epochs", "1"]),
    ("regularization", ["--steps", "5", "--n-train", "40"]),
    ("xor", ["--epochs", "2", "--steps", "300"]),
    ("rnn_gradient_clipping", ["--steps", "12"]),
])
def test_lesson_saves_its_figure(name, argv, tmp_path, capsys):
    # the lessons printed tables only and never drew the picture they teach
    figure = tmp_path / f"{name}.png"
    _load(name).main([*argv, "--figure", str(figure)])
    assert f"figure: {figure}" in capsys.readouterr().out
    data = figure.read_bytes()
    assert data[:8] == PNG_MAGIC and len(data) > 5000


def test_lesson_without_matplotlib_says_so_in_one_line(tmp_path, monkeypatch, capsys):
    for mod in ("matplotlib", "matplotlib.figure"):
        monkeypatch.setitem(sys.modules, mod, None)
    _load("vanishing_gradients").main(["--depth", "3", "--width", "4", "--figure", str(tmp_path / "v.png")])
    out = capsys.readouterr().out
    assert "figure skipped: gradnote.viz needs matplotlib" in out and not (tmp_path / "v.png").exists()


@pytest.mark.parametrize("script", ["mnist_lenet5.py", "mnist_mlp.py"])
def test_mnist_examples_without_data_end_in_a_message(script, tmp_path):
    # `python examples/mnist_lenet5.py` without a path ended in a raw FileNotFoundError traceback
    out = subprocess.run([sys.executable, str(EXAMPLES / script), str(tmp_path / "no-mnist")],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode != 0 and "Traceback" not in out.stderr
    assert "MNIST IDX files" in out.stderr and str(tmp_path / "no-mnist") in out.stderr


def test_digits_mlp_saves_its_learning_curves(tmp_path):
    figure = tmp_path / "curves.png"
    out = subprocess.run([sys.executable, str(EXAMPLES / "digits_mlp.py"), str(figure)], capture_output=True,
                         text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert f"figure: {figure}" in out.stdout and figure.read_bytes()[:8] == PNG_MAGIC
