"""torch.nn.modules.<path> names: every gradnote nn class sits where PyTorch keeps it (the same object)."""

import importlib

import pytest

import gradnote.nn as nn

# (torch path, classes PyTorch keeps there), including classes gradnote implements in modules of their own
WHERE_TORCH_KEEPS_THEM = [
    ("loss", ["CrossEntropyLoss", "MSELoss", "CTCLoss", "TripletMarginLoss", "PoissonNLLLoss", "_Loss",
              "_WeightedLoss"]),
    ("conv", ["Conv2d", "Conv3d", "ConvTranspose1d", "ConvTranspose2d"]),
    ("pooling", ["MaxPool2d", "MaxPool3d", "MaxUnpool2d", "AdaptiveAvgPool2d"]),
    ("batchnorm", ["BatchNorm1d", "BatchNorm2d", "BatchNorm3d"]),
    ("normalization", ["LayerNorm", "GroupNorm", "LocalResponseNorm"]),
    ("sparse", ["Embedding", "EmbeddingBag"]),
    ("activation", ["ReLU", "GLU", "MultiheadAttention", "Softmax2d"]),
    ("linear", ["Linear", "Identity", "Bilinear"]),
    ("fold", ["Fold", "Unfold"]),
    ("padding", ["ReflectionPad2d", "ZeroPad2d"]),
    ("module", ["Module"]),
    ("rnn", ["LSTM", "GRU"]),
]


@pytest.mark.parametrize("path, names", WHERE_TORCH_KEEPS_THEM)
def test_classes_import_from_torch_paths(path, names):
    mod = importlib.import_module(f"gradnote.nn.modules.{path}")
    for name in names:
        assert name.startswith("_") and hasattr(mod, name) or getattr(mod, name) is getattr(nn, name), (path, name)


def test_a_name_torch_keeps_elsewhere_is_not_invented():
    with pytest.raises(ImportError):
        from gradnote.nn.modules.loss import Conv2d  # noqa: F401
