"""Neural-network modules: layers that own parameters, each a thin object over gradnote.functional.

    import gradnote.nn as nn
    model = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10))
"""

from . import init, utils  # noqa: F401
from .activation import *  # noqa: F401,F403
from .attention import *  # noqa: F401,F403
from .containers import ModuleDict, ParameterDict, ParameterList  # noqa: F401
from .containers import ModuleList, Sequential  # noqa: F401
from .conv import *  # noqa: F401,F403
from .distance import *  # noqa: F401,F403
from .dropout import *  # noqa: F401,F403
from .embedding import *  # noqa: F401,F403
from .identity import *  # noqa: F401,F403
from .linear import *  # noqa: F401,F403
from .loss import *  # noqa: F401,F403
from .module import Module, Parameter  # noqa: F401
from .normalization import *  # noqa: F401,F403
from .perceptron import *  # noqa: F401,F403
from .pooling import *  # noqa: F401,F403
from .recurrent import *  # noqa: F401,F403
from .regularization import *  # noqa: F401,F403
from .reshape import *  # noqa: F401,F403
from .transformer import *  # noqa: F401,F403
from .upsampling import *  # noqa: F401,F403
