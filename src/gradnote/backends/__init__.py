"""``gn.backends`` as PyTorch spells it: switches scripts set (cudnn.benchmark, ...) and availability checks."""

from . import cudnn, mps  # noqa: F401
