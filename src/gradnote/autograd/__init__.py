"""Tensors and reverse-mode autograd: the engine every other part of gradnote builds on.

``gradnote.autograd`` is also PyTorch's ``torch.autograd``: ``Function`` (gradnote's array style or
torch's static ``forward(ctx, ...)`` style) and ``grad(outputs, inputs)``.
"""

from . import creation, functional, torch_functions  # noqa: F401 - functional: torch.autograd.functional
from .creation import *  # noqa: F401,F403
from .dtypes import get_default_dtype, promote_types, result_type, set_default_dtype
from .function import (
                       Function,
                       FunctionCtx,
                       Variable,  # noqa: F401 - torch.autograd.Variable only, not a top-level name (as in PyTorch)
                       enable_grad,
                       grad,
                       inference_mode,
                       is_anomaly_enabled,
                       is_grad_enabled,
                       no_grad,
                       set_anomaly_detection,
                       set_grad_enabled,
)
from .gradcheck import gradcheck
from .linalg import det, logdet, slogdet
from .linalg import inv as inverse
from .linalg import torch_cross as cross
from .printing import get_printoptions, set_printoptions
from .rearrange import block_diag, cartesian_prod, combinations, tril_indices, triu_indices
from .sampling import poisson
from .shape import concat
from .sorting import bucketize, searchsorted, unique_consecutive
from .tensor import Size, Tensor
from .torch_functions import *  # noqa: F401,F403

__all__ = ["Function", "FunctionCtx", "Size", "Tensor", "concat", "enable_grad", "get_default_dtype", "grad", "gradcheck",
           "inference_mode", "is_anomaly_enabled", "is_grad_enabled", "no_grad", "promote_types", "result_type",
           "set_anomaly_detection", "set_default_dtype", "set_grad_enabled", *creation.__all__,
           "block_diag", "bucketize", "cartesian_prod", "combinations", "cross", "det", "inverse", "logdet", "poisson",
           "searchsorted", "set_printoptions", "get_printoptions", "slogdet", "tril_indices", "triu_indices",
           "unique_consecutive",
           *torch_functions.__all__]
