"""Figures are produced, non-empty, and saved as real PNG files."""

import matplotlib
import numpy as np
import pytest

import gradnote as gn
import gradnote.nn as nn
from gradnote import viz

matplotlib.use("Agg")
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _check_png(path):
    data = path.read_bytes()
    assert data[:8] == PNG_MAGIC
    assert len(data) > 2000  # a blank canvas compresses far below a drawn figure


def _lines(fig):
    return sum(len(ax.lines) + len(ax.collections) + len(ax.images) for ax in fig.axes)


def test_history_plot_has_train_and_validation_curves(tmp_path):
    logs = {"loss": [1.0, 0.5, 0.3], "val_loss": [1.1, 0.7, 0.6], "accuracy": [0.5, 0.7, 0.9],
            "val_accuracy": [0.4, 0.6, 0.7], "lr": [0.1, 0.1, 0.05]}
    fig = viz.plot_history(logs, path=tmp_path / "h.png")
    assert len(fig.axes) == 2 and all(len(ax.lines) == 2 for ax in fig.axes)
    drawn = sorted(tuple(line.get_ydata()) for ax in fig.axes for line in ax.lines)
    assert drawn == sorted(tuple(logs[k]) for k in ("loss", "val_loss", "accuracy", "val_accuracy"))
    _check_png(tmp_path / "h.png")


def test_history_plot_refuses_empty_logs():
    with pytest.raises(ValueError, match="plot_history"):
        viz.plot_history({"lr": [0.1]})


def test_activation_figure_plots_function_and_autograd_derivative(tmp_path):
    fig = viz.plot_activations(path=tmp_path / "act.png")
    assert len(fig.axes) == 2 * len(viz.ACTIVATIONS)
    sigmoid_grad = fig.axes[len(viz.ACTIVATIONS) + 1].lines[0].get_ydata()
    assert np.isclose(sigmoid_grad.max(), 0.25, atol=1e-3)  # sigma'(0) = 1/4
    _check_png(tmp_path / "act.png")


def test_gradient_flow_from_model_grads(tmp_path):
    model = nn.Sequential(nn.Linear(4, 8), nn.Sigmoid(), nn.Linear(8, 8), nn.Sigmoid(), nn.Linear(8, 2))
    model(gn.randn(16, 4)).sum().backward()
    stats = viz.gradient_stats(model)
    assert list(stats) == ["0.weight", "2.weight", "4.weight"]
    for name, value in stats.items():
        assert value == pytest.approx(np.abs(dict(model.named_parameters())[name].grad).mean(), rel=1e-6)
    fig = viz.plot_gradient_flow([stats, stats], path=tmp_path / "g.png")
    assert len(fig.axes[0].lines) == 2
    np.testing.assert_allclose(fig.axes[0].lines[0].get_ydata(), list(stats.values()), rtol=1e-6)
    _check_png(tmp_path / "g.png")


def test_decision_boundary_confusion_filters_maps_and_lr(tmp_path):
    model = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 3))
    x = gn.randn(30, 2).numpy()
    y = np.arange(30) % 3
    assert _lines(viz.plot_decision_boundary(model, x, y, resolution=50, path=tmp_path / "d.png")) >= 2
    fig = viz.plot_confusion_matrix(np.array([[5, 1], [2, 7]]), path=tmp_path / "c.png")
    assert sorted(int(txt.get_text()) for txt in fig.axes[0].texts) == [1, 2, 5, 7]
    assert _lines(viz.plot_filters(np.random.default_rng(0).normal(size=(6, 1, 5, 5)), path=tmp_path / "f.png")) == 6
    assert _lines(viz.plot_feature_maps(np.random.default_rng(0).normal(size=(2, 4, 8, 8)), path=tmp_path / "m.png")) == 4
    assert len(viz.plot_lr_schedule([0.1, 0.1, 0.01], path=tmp_path / "lr.png").axes[0].lines) == 1
    for name in ("d", "c", "f", "m", "lr"):
        _check_png(tmp_path / f"{name}.png")


def test_bad_inputs_are_named():
    with pytest.raises(ValueError, match="plot_decision_boundary"):
        viz.plot_decision_boundary(None, np.zeros((3, 3)), np.zeros(3))
    with pytest.raises(ValueError, match="plot_confusion_matrix"):
        viz.plot_confusion_matrix(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="plot_filters"):
        viz.plot_filters(np.zeros((2, 3)))
