"""Ready-made models: Keras-style Sequential and classic architectures (LeNet-5)."""

from .lenet import *  # noqa: F401,F403
from .sequential import *  # noqa: F401,F403
