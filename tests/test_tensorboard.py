"""The TensorBoard callback writes event files that TensorBoard's own reader parses back."""

import numpy as np
import pytest
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

import gradnote as gn
import gradnote.keras  # noqa: F401 - nn.Sequential's compile/fit are Keras's
import gradnote.nn as nn
from gradnote.callbacks import TensorBoard


def test_event_files_hold_logged_scalars_and_histograms(tmp_path):
    x = gn.randn(64, 4).numpy()
    y = (x[:, 0] > 0).astype(np.int64)
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["acc"])
    history = model.fit(x, y, epochs=3, batch_size=16, validation_split=0.25, verbose=0,
                        callbacks=[TensorBoard(tmp_path / "tb")])

    # Keras's layout: train/ and validation/ runs holding the same epoch_* tags, so TensorBoard overlays them
    events = EventAccumulator(str(tmp_path / "tb" / "train"), size_guidance={"scalars": 0, "histograms": 0})
    events.Reload()
    tags = events.Tags()
    assert {"epoch_loss", "epoch_acc", "epoch_learning_rate"} <= set(tags["scalars"])
    logged = [e.value for e in events.Scalars("epoch_loss")]
    assert np.allclose(logged, history.history["loss"], rtol=1e-6)
    val = EventAccumulator(str(tmp_path / "tb" / "validation"))
    val.Reload()
    assert [e.step for e in val.Scalars("epoch_loss")] == [0, 1, 2]
    assert "weights/0.weight" in tags["histograms"] and "grads/2.bias" in tags["histograms"]
    hist = events.Histograms("weights/0.weight")[-1].histogram_value
    assert hist.num == 32 and np.isclose(hist.max, model[0].weight.data.max(), rtol=1e-5)


def test_torch_summary_writer_takes_gradnote_tensors(tmp_path):
    import gradnote as gn
    from gradnote.utils.tensorboard import SummaryWriter

    writer = SummaryWriter(tmp_path / "run")
    assert isinstance(writer, SummaryWriter)
    writer.add_scalar("loss", gn.tensor(0.25), 3)
    writer.add_histogram("w", gn.randn(20), 3)
    with pytest.raises(NotImplementedError, match="add_graph"):
        writer.add_graph(gn.nn.Linear(2, 2), gn.randn(1, 2))
    writer.close()
    events = EventAccumulator(str(tmp_path / "run"))
    events.Reload()
    assert [(e.step, e.value) for e in events.Scalars("loss")] == [(3, 0.25)]
    assert "w" in events.Tags()["histograms"]
