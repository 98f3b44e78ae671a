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
    fig = viz.plot_filters(np.random.default_rng(0).normal(size=(6, 1, 5, 5)), path=tmp_path / "f.png")
    assert sum(len(ax.images) for ax in fig.axes) == 6
    fig = viz.plot_feature_maps(np.random.default_rng(0).normal(size=(2, 4, 8, 8)), path=tmp_path / "m.png")
    assert sum(len(ax.images) for ax in fig.axes) == 4
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


# ----- issue 14: figures a learner can read --------------------------------------------------------
def _luminance(rgba):
    r, g, b = rgba[:3]
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def test_decision_boundary_has_axis_labels_a_class_legend_and_no_near_white_class(tmp_path):
    # the coolwarm map gave the middle of three classes a near-white colour, and there were no labels
    model = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 3))
    x = gn.randn(30, 2).numpy()
    y = np.arange(30) % 3
    fig = viz.plot_decision_boundary(model, x, y, resolution=30, class_names=["a", "b", "c"])
    ax = fig.axes[0]
    assert ax.get_xlabel() and ax.get_ylabel()
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["a", "b", "c"]
    colours = [tuple(c.get_facecolor()[0]) for c in ax.collections if len(c.get_offsets()) == 10]
    assert len(colours) == 3 and len(set(colours)) == 3
    assert max(_luminance(c) for c in colours) < 0.8


def test_lr_schedule_counts_epochs_from_one_and_epoch_ticks_are_whole(tmp_path):
    fig = viz.plot_lr_schedule([0.1, 0.05, 0.025])
    assert list(fig.axes[0].lines[0].get_xdata()) == [1, 2, 3]  # the learning curves' epochs
    assert fig.axes[0].get_xlabel() == "epoch"
    fig = viz.plot_history({"loss": [1.0, 0.8, 0.7], "val_loss": [1.1, 0.9, 0.8]})
    ticks = fig.axes[0].get_xticks()
    assert len(ticks) and np.allclose(ticks, np.round(ticks))  # no epoch 2.5
    with pytest.raises(ValueError, match="unit"):
        viz.plot_lr_schedule([0.1], unit="batch")


def test_gradient_flow_legend_names_the_records_not_record_numbers():
    stats = {"0.weight": 1e-3, "2.weight": 1e-2}
    fig = viz.plot_gradient_flow({"sigmoid": stats, "relu": {"0.weight": 0.1, "2.weight": 0.1}})
    texts = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert texts == ["sigmoid", "relu"]
    fig = viz.plot_gradient_flow([stats, stats, stats])
    assert fig.axes[0].get_legend() is None and "record 0" not in fig.axes[0].get_title()
    with pytest.raises(ValueError, match="2 labels for 3 records"):
        viz.plot_gradient_flow([stats, stats, stats], labels=["a", "b"])


def test_filters_share_one_colour_scale_with_a_colour_bar():
    w = np.random.default_rng(0).normal(size=(4, 1, 3, 3))
    fig = viz.plot_filters(w)
    images = [im for ax in fig.axes for im in ax.images]
    assert len(fig.axes) == 4 + 1  # the cells and the colour bar
    lims = {im.get_clim() for im in images}
    assert len(lims) == 1 and np.isclose(-lims.pop()[0], np.abs(w.mean(1)).max())


def test_liveplot_redraws_curves_and_boundary_into_a_refreshing_png(tmp_path):
    x, y = gn.data.datasets.moons(60, noise=0.1, seed=0)
    model = gn.models.Sequential([gn.layers.Dense(8, activation="relu", input_shape=(2,)), gn.layers.Dense(2)])
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["acc"])
    live = viz.LivePlot(data=(x, y), path=tmp_path / "live.png", notebook=False, verbose=0)
    model.fit(x, y, epochs=3, batch_size=16, validation_split=0.25, verbose=0, callbacks=[live])
    assert live.draws == 3
    _check_png(tmp_path / "live.png")
    titles = [ax.get_title() for ax in live.figure.axes]
    assert titles[:2] == ["loss", "acc"] and "decision boundary" in titles
    assert len(live.figure.axes[0].lines[0].get_xdata()) == 3
    with pytest.raises(ValueError, match="LivePlot: data must hold 2-D points"):
        viz.LivePlot(data=(np.zeros((4, 3)), np.zeros(4)))


def test_liveplot_in_a_notebook_updates_one_output(monkeypatch):
    shown = []

    class Handle:
        def update(self, fig):
            shown.append(("update", fig))

    def display(fig, display_id=False):
        shown.append(("display", fig))
        return Handle()

    import sys
    import types

    fake = types.ModuleType("IPython.display")  # IPython is not a dependency: stand in for the kernel's display
    fake.display = display
    monkeypatch.setitem(sys.modules, "IPython", types.ModuleType("IPython"))
    monkeypatch.setitem(sys.modules, "IPython.display", fake)
    live = viz.LivePlot(notebook=True, verbose=0)
    for epoch in range(3):
        live.on_epoch_end(epoch, {"loss": 1.0 / (epoch + 1)})
    live.on_train_end()
    assert [kind for kind, _ in shown] == ["display", "update", "update"]


def test_tensorboard_groups_train_and_validation_as_keras(tmp_path):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    x = gn.randn(64, 4).numpy()
    y = (x[:, 0] > 0).astype(np.int64)
    model = gn.models.Sequential([gn.layers.Dense(8, activation="relu", input_shape=(4,)), gn.layers.Dense(2)])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["acc"])
    history = model.fit(x, y, epochs=2, batch_size=16, validation_split=0.25, verbose=0,
                        callbacks=[viz.TensorBoard(tmp_path / "tb", histogram_freq=0)])
    for run, key in (("train", "loss"), ("validation", "val_loss")):
        events = EventAccumulator(str(tmp_path / "tb" / run))
        events.Reload()
        assert "epoch_loss" in events.Tags()["scalars"]  # one tag in two runs: TensorBoard overlays them
        assert np.allclose([e.value for e in events.Scalars("epoch_loss")], history.history[key], rtol=1e-6)
