"""Stateless differentiable functions (activations, losses, layers' maths), each forward beside its backward.

    import gradnote.functional as F
    F.relu(x); F.cross_entropy(logits, target)
"""

from .activations import *  # noqa: F401,F403
from .alpha_dropout import *  # noqa: F401,F403
from .attention import *  # noqa: F401,F403
from .bilinear import *  # noqa: F401,F403
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
from .grid_sample import *  # noqa: F401,F403
from .group_norm import *  # noqa: F401,F403
from .interpolation import *  # noqa: F401,F403
from .likelihood_losses import *  # noqa: F401,F403
from .linear import *  # noqa: F401,F403
from .local_response_norm import *  # noqa: F401,F403
from .losses import *  # noqa: F401,F403
from .margin_losses import *  # noqa: F401,F403
from .normalization import *  # noqa: F401,F403
from .one_hot import *  # noqa: F401,F403
from .padding import *  # noqa: F401,F403
from .pool3d import *  # noqa: F401,F403
from .pooling import *  # noqa: F401,F403
from .recurrent import *  # noqa: F401,F403
from .unpool import *  # noqa: F401,F403
