"""Neural-network modules: layers that own parameters, each a thin object over gradnote.functional.

    import gradnote.nn as nn
    model = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10))

``gradnote.nn.functional`` is ``gradnote.functional`` itself (one module under torch's path too), and
``gradnote.nn.modules.<name>`` are torch's class paths.
"""

import sys as _sys

from .. import functional  # noqa: F401
from . import (  # noqa: F401
    init,
    modules,  # noqa: E402,F401
    parallel,
    utils,
)
from .activation import *  # noqa: F401,F403
from .attention import *  # noqa: F401,F403
from .bilinear import *  # noqa: F401,F403
from .containers import ModuleDict, ModuleList, ParameterDict, ParameterList, Sequential  # noqa: F401  # noqa: F401
from .conv import *  # noqa: F401,F403
from .conv3d import *  # noqa: F401,F403
from .conv_transpose1d import *  # noqa: F401,F403
from .ctc_loss import *  # noqa: F401,F403
from .distance import *  # noqa: F401,F403
from .dropout import *  # noqa: F401,F403
from .embedding import *  # noqa: F401,F403
from .embedding_bag import *  # noqa: F401,F403
from .fold import *  # noqa: F401,F403
from .gating import *  # noqa: F401,F403
from .group_norm import *  # noqa: F401,F403
from .identity import *  # noqa: F401,F403
from .linear import *  # noqa: F401,F403
from .loss import *  # noqa: F401,F403
from .margin_loss import *  # noqa: F401,F403
from .module import Module, Parameter  # noqa: F401
from .normalization import *  # noqa: F401,F403
from .padding import *  # noqa: F401,F403
from .perceptron import *  # noqa: F401,F403
from .pool3d import *  # noqa: F401,F403
from .pooling import *  # noqa: F401,F403
from .recurrent import *  # noqa: F401,F403
from .regularization import *  # noqa: F401,F403
from .reshape import *  # noqa: F401,F403
from .transformer import *  # noqa: F401,F403
from .upsampling import *  # noqa: F401,F403

_sys.modules[__name__ + ".functional"] = functional
