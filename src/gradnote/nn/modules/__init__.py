"""``torch.nn.modules`` class paths (``from torch.nn.modules.loss import CrossEntropyLoss``).

Each submodule name PyTorch uses is a namespace holding the gradnote classes PyTorch keeps there: the
public names of the gradnote nn module(s) that implement them, plus the classes gradnote keeps in modules
of their own (CTCLoss lives in nn.ctc_loss, torch puts it in nn.modules.loss). The classes are the same
objects as ``gradnote.nn.X``, not copies.
"""

import sys as _sys
import types as _types

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

# torch.nn.modules.<path>: the gradnote modules whose public names it holds, and classes found elsewhere
_TORCH_PATHS = {
    "module": ((module,), ()),
    "linear": ((linear, identity), ("Bilinear",)),
    "conv": ((conv,), ("Conv3d", "ConvTranspose1d")),
    "activation": ((activation,), ("GLU", "MultiheadAttention", "RReLU", "Softmax2d", "Threshold")),
    "loss": ((loss,), ("CTCLoss", "CosineEmbeddingLoss", "GaussianNLLLoss", "HingeEmbeddingLoss",
                       "MarginRankingLoss", "MultiLabelMarginLoss", "MultiLabelSoftMarginLoss", "MultiMarginLoss",
                       "PoissonNLLLoss", "SoftMarginLoss", "TripletMarginLoss")),
    "container": ((containers,), ()),
    "batchnorm": ((normalization,), ()),
    "instancenorm": ((normalization,), ()),
    "normalization": ((normalization,), ("GroupNorm", "LocalResponseNorm")),
    "dropout": ((dropout,), ("AlphaDropout", "FeatureAlphaDropout")),
    "pooling": ((pooling,), ("AvgPool3d", "MaxPool3d", "MaxUnpool1d", "MaxUnpool2d")),
    "rnn": ((recurrent,), ()),
    "sparse": ((embedding,), ("EmbeddingBag",)),
    "flatten": ((reshape,), ()),
    "fold": ((), ("Fold", "Unfold")),
    "channelshuffle": ((), ("ChannelShuffle",)),
    "transformer": ((transformer,), ()),
    "distance": ((distance,), ()),
    "upsampling": ((upsampling,), ()),
    "pixelshuffle": ((upsampling,), ("PixelShuffle", "PixelUnshuffle")),
    "padding": ((conv,), tuple(f"{kind}Pad{n}d" for kind in ("Circular", "Constant", "Reflection", "Replication",
                                                                "Zero") for n in (1, 2, 3))),
    "multihead_attention": ((attention,), ()),
}


def _namespace(path: str, modules: tuple, extra: tuple) -> _types.ModuleType:
    ns = _types.ModuleType(f"{__name__}.{path}", f"torch.nn.modules.{path}'s classes in gradnote")
    for mod in modules:
        # private names too: custom losses subclass torch.nn.modules.loss._Loss / _WeightedLoss
        ns.__dict__.update({n: v for n, v in vars(mod).items() if not n.startswith("__")})

    def extra_class(name: str):  # looked up on use: gradnote.nn imports these modules after this package
        if name in extra:
            from .. import __dict__ as nn_names

            if name in nn_names:
                return nn_names[name]
        raise AttributeError(f"module 'torch.nn.modules.{path}' has no attribute {name!r} in gradnote")

    ns.__getattr__ = extra_class
    return ns


for _path, (_mods, _extra) in _TORCH_PATHS.items():
    _sys.modules[f"{__name__}.{_path}"] = globals()[_path] = _namespace(_path, _mods, _extra)
