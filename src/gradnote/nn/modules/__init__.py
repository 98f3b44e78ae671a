"""``torch.nn.modules`` class paths (``from torch.nn.modules.loss import CrossEntropyLoss``): each
submodule name PyTorch uses is the gradnote nn module that holds those classes, not a copy."""

import sys as _sys

from .. import *  # noqa: F401,F403
from .. import (
    activation,
    attention,
    containers,
    conv,
    distance,
    dropout,
    embedding,
    identity,
    linear,
    loss,
    module,
    normalization,
    pooling,
    recurrent,
    reshape,
    transformer,
    upsampling,
)

_TORCH_PATHS = {
    "module": module, "linear": linear, "conv": conv, "activation": activation, "loss": loss,
    "container": containers, "batchnorm": normalization, "normalization": normalization, "dropout": dropout,
    "pooling": pooling, "rnn": recurrent, "sparse": embedding, "flatten": reshape, "transformer": transformer,
    "distance": distance, "upsampling": upsampling, "padding": conv, "pixelshuffle": upsampling,
}
_TORCH_PATHS["instancenorm"] = normalization
_TORCH_PATHS["identity"] = identity
_TORCH_PATHS["multihead_attention"] = attention
for _name, _mod in _TORCH_PATHS.items():
    _sys.modules[f"{__name__}.{_name}"] = _mod
    globals()[_name] = _mod
