"""keras.ops: Keras 3's backend-neutral functions, here thin calls of gradnote's differentiable ops.

    from gradnote.keras import ops
    z = z_mean + ops.exp(0.5 * z_log_var) * keras.random.normal(ops.shape(z_mean))
    x = keras.Input((28, 28, 1)); y = ops.mean(layers.Dense(4)(x), axis=-1)   # a node of the model

Called on tensors, arrays or numbers an op runs at once (returning a gradnote Tensor, with gradients);
called on a KerasTensor it records a TensorOp node of the functional graph. The functions live in
core (conversion, cast, stop_gradient, cond), numpy (NumPy's names), math (erf, logsumexp, top_k) and
nn (activations, losses, conv/pooling); image holds resize. All but image are also here, flat.
"""

from . import image, nn  # noqa: F401
from .core import *  # noqa: F401,F403
from .core import __all__ as _core
from .math import *  # noqa: F401,F403
from .math import __all__ as _math
from .nn import *  # noqa: F401,F403
from .nn import __all__ as _nn
from .numpy import *  # noqa: F401,F403
from .numpy import __all__ as _numpy

__all__ = ["image", "nn", *_core, *_math, *_nn, *_numpy]
