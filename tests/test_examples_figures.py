"""Every lesson example saves the figure it teaches, next to its printed table (issue 14), and the
MNIST examples without their data end in a message, not a traceback."""

import subprocess
import sys
from pathlib import Path

import matplotlib
import numpy as np
import pytest
from _examples import EXAMPLES
from _examples import load_example as _load
from local_datasets import DATASETS

from gradnote import viz

matplotlib.use("Agg")
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def drawn(monkeypatch):
    """The Figures the lessons save, in order: viz.save_figure is wrapped before an example imports it."""
    figures = []
    save = viz.save_figure
    monkeypatch.setattr(viz, "save_figure", lambda draw, path: save(lambda p: figures.append(draw(p)) or figures[-1], path))
    return figures


def _saved_png(path, out) -> None:
    assert f"figure: {path}" in out
    data = Path(path).read_bytes()
    assert data[:8] == PNG_MAGIC and len(data) > 5000


def _panels(fig) -> dict:
    return {ax.get_title(): ax for ax in fig.axes if ax.get_title()}


def _curves(ax) -> dict:
    """legend label -> (x, y) of every line of a panel."""
    return {line.get_label(): (list(line.get_xdata()), list(line.get_ydata())) for line in ax.lines}


def _assert_history_panels(fig, history, confusion, class_names) -> None:
    """plot_history(history, confusion=...): one panel per quantity with the run's numbers, epochs from 1,
    and the confusion matrix drawn cell for cell with its counts and class names."""
    panels = _panels(fig)
    names = [k for k in history if not k.startswith("val_")]
    assert list(panels) == [*names, "confusion matrix"]
    for name in names:
        curves = _curves(panels[name])
        epochs = list(range(1, len(history[name]) + 1))
        assert curves[f"train {name}"][0] == epochs
        np.testing.assert_allclose(curves[f"train {name}"][1], history[name], rtol=1e-6)
        if f"val_{name}" in history:
            np.testing.assert_allclose(curves[f"validation {name}"][1], history[f"val_{name}"], rtol=1e-6)
    ax = panels["confusion matrix"]
    np.testing.assert_array_equal(ax.images[0].get_array(), confusion)
    assert sorted(int(t.get_text()) for t in ax.texts) == sorted(np.asarray(confusion).ravel().tolist())
    assert [t.get_text() for t in ax.get_xticklabels()] == list(class_names)


@pytest.mark.parametrize("name, argv", [
    ("vanishing_gradients", ["--depth", "4", "--width", "8"]),
    ("optimizer_race", ["--epochs", "1"]),
    ("regularization", ["--steps", "5", "--n-train", "40"]),
    ("xor", ["--epochs", "2", "--steps", "300"]),
    ("rnn_gradient_clipping", ["--steps", "12"]),
])
def test_lesson_saves_its_figure(name, argv, drawn, tmp_path, capsys):
    # the lessons printed tables only and never drew the picture they teach
    figure = tmp_path / f"{name}.png"
    ex = _load(name)
    out = ex.main([*argv, "--figure", str(figure)])
    _saved_png(figure, capsys.readouterr().out)
    assert len(drawn) == 1
    ax = drawn[0].axes[0]
    if name == "vanishing_gradients":  # one line per network: its gradient norm per layer
        for act in ("sigmoid", "relu"):
            (y,) = [line.get_ydata() for line in ax.lines if line.get_label().startswith(act)]
            np.testing.assert_allclose(y, out[act], rtol=1e-6)
    elif name == "optimizer_race":  # each optimiser's loss per epoch, epoch 0 before training
        for opt, (x, y) in _curves(ax).items():
            assert x[0] == 0 and len(x) == len(out[opt])
            np.testing.assert_allclose(y, out[opt], rtol=1e-6)
    elif name == "regularization":  # train and validation accuracy bars per variant
        heights = [[bar.get_height() for bar in c] for c in ax.containers]
        np.testing.assert_allclose(heights, [[out[v][k] for v in out] for k in ("train_acc", "val_acc")], rtol=1e-6)
    elif name == "xor":  # the four points, one scatter per class, over the trained MLP's regions
        points = {c.get_label(): np.asarray(c.get_offsets()) for c in ax.collections}
        for k in (0, 1):
            np.testing.assert_array_equal(points[f"XOR = {k}"], ex.X[ex.Y == k])
    else:  # rnn_gradient_clipping: the loss with and without clipping, overflowed steps left out
        for run, (_, y) in zip(("plain", "clipped"), _curves(ax).values()):
            expected = np.array(out[run]["losses"])
            np.testing.assert_allclose(np.asarray(y)[np.isfinite(expected)], expected[np.isfinite(expected)], rtol=1e-6)


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
    assert len(out.stderr.strip().splitlines()) == 1, out.stderr  # the message alone, no usage block


def test_digits_mlp_saves_its_learning_curves(tmp_path):
    figure = tmp_path / "curves.png"
    out = subprocess.run([sys.executable, str(EXAMPLES / "digits_mlp.py"), str(figure)], capture_output=True,
                         text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert f"figure: {figure}" in out.stdout and figure.read_bytes()[:8] == PNG_MAGIC


def test_gru_tagging_draws_accuracy_per_epoch_and_the_tag_confusion(drawn, tmp_path, capsys):
    figure = tmp_path / "gru.png"
    ex = _load("gru_tagging")
    out = ex.main(["--epochs", "2", "--train", "200", "--test", "40", "--figure", str(figure)])
    _saved_png(figure, capsys.readouterr().out)
    history, cm = out["history"], out["confusion"]
    assert len(drawn) == 1 and len(history["loss"]) == 2
    _assert_history_panels(drawn[0], history, cm, ex.TAGS)
    # the matrix counts every real word of the held-out sentences once; its diagonal is the printed accuracy
    sentences, _ = ex.make_sentences(40, seed=1)
    assert cm.sum() == sum(map(len, sentences))
    assert np.trace(cm) / cm.sum() == pytest.approx(out["accuracy"]) == pytest.approx(history["val_accuracy"][-1])


def test_sentiment_lstm_draws_learning_curves_and_the_confusion_matrix(drawn, tmp_path, capsys):
    figure = tmp_path / "sentiment.png"
    ex = _load("sentiment_lstm")
    out = ex.main([str(DATASETS / "sentiment-labelled-sentences"), "--limit", "150", "--epochs", "2",
                   "--figure", str(figure)])
    printed = capsys.readouterr().out
    _saved_png(figure, printed)
    history, cm = out["history"], out["confusion"]
    assert len(drawn) == 1 and all(len(v) == 2 for v in history.values())
    _assert_history_panels(drawn[0], history, cm, ex.CLASSES)
    assert cm.sum() == 30 and np.trace(cm) / 30 == pytest.approx(out["test_accuracy"])
    assert history["val_accuracy"][-1] == pytest.approx(out["test_accuracy"])
    assert history["accuracy"][-1] == pytest.approx(out["train_accuracy"])
    # the printed sentences carry the probabilities the model gives them
    assert f"{out['test_probs'][0, 1]:11.3f}  " in printed and "P(positive)" in printed


def test_char_lm_draws_its_loss_per_step(drawn, tmp_path, capsys):
    figure = tmp_path / "char_lm.png"
    out = _load("char_lm").main(["--steps", "12", "--length", "20", "--figure", str(figure)])
    printed = capsys.readouterr().out
    _saved_png(figure, printed)
    (x, y), = _curves(drawn[0].axes[0]).values()
    assert x == list(range(1, 13)) and drawn[0].axes[0].get_xlabel() == "step"
    np.testing.assert_allclose(y, out["losses"], rtol=1e-6)
    assert y[0] == pytest.approx(out["first_loss"]) and all(s in printed for s in out["samples"].values())


def test_mnist_lenet5_draws_its_learned_filters_and_feature_maps(drawn, tmp_path, capsys):
    figure = tmp_path / "lenet.png"
    out = _load("mnist_lenet5").main([str(DATASETS / "mnist"), "--subset", "256", "--epochs", "1",
                                      "--figure", str(figure)])
    printed = capsys.readouterr().out
    _saved_png(figure, printed)
    _saved_png(tmp_path / "lenet_maps.png", printed)
    filters, maps = drawn
    for fig, images in ((filters, out["filters"][:, 0]), (maps, out["feature_maps"])):
        shown = [ax.images[0].get_array() for ax in fig.axes if ax.images]
        assert len(shown) == len(images) == 6
        for k in range(6):
            np.testing.assert_allclose(shown[k], images[k], rtol=1e-6)
    assert out["feature_maps"].shape == (6, 28, 28) and out["feature_maps"].min() >= 0  # after the ReLU
    assert f"{out['feature_maps'].max(axis=(1, 2))[0]:.2f}" in printed


def test_mnist_mlp_draws_learning_curves_and_the_confusion_matrix(drawn, tmp_path, capsys):
    figure = tmp_path / "mlp.png"
    out = _load("mnist_mlp").main([str(DATASETS / "mnist"), "--subset", "300", "--epochs", "2",
                                   "--figure", str(figure)])
    _saved_png(figure, capsys.readouterr().out)
    history, cm = out["history"], out["confusion"]
    _assert_history_panels(drawn[0], {k: history[k] for k in ("loss", "val_loss", "acc", "val_acc")}, cm,
                           [str(d) for d in range(10)])
    assert cm.sum() == 300 and np.trace(cm) / 300 == pytest.approx(out["accuracy"])
    assert history["val_acc"][-1] == pytest.approx(out["accuracy"])


def test_keras_seed_dropout_draws_the_history_fit_returned(drawn, tmp_path, monkeypatch, capsys):
    figure = tmp_path / "keras.png"
    monkeypatch.setattr(sys, "argv", ["keras_seed_dropout.py", "--figure", str(figure)])
    ex = _load("keras_seed_dropout")  # a script: the notes' code runs at import
    _saved_png(figure, capsys.readouterr().out)
    panels = _panels(drawn[0])
    assert list(panels) == ["loss", "acc"]
    for name, ax in panels.items():
        curves = _curves(ax)
        np.testing.assert_allclose(curves[f"train {name}"][1], ex.history.history[name], rtol=1e-6)
        np.testing.assert_allclose(curves[f"validation {name}"][1], ex.history.history[f"val_{name}"], rtol=1e-6)
        assert curves[f"train {name}"][0] == [1, 2, 3, 4, 5]
