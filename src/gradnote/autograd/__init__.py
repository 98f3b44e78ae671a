"""Tensors and reverse-mode autograd: the engine every other part of gradnote builds on."""

from .creation import arange, eye, from_numpy, full, ones, ones_like, rand, randint, randn, tensor, zeros, zeros_like
from .function import Function, enable_grad, is_anomaly_enabled, is_grad_enabled, no_grad, set_anomaly_detection
from .gradcheck import gradcheck
from .ops import concat, maximum, minimum, stack, where
from .tensor import Tensor

__all__ = ["Function", "Tensor", "arange", "concat", "enable_grad", "eye", "from_numpy", "full", "gradcheck",
           "is_anomaly_enabled", "is_grad_enabled", "maximum", "minimum", "no_grad", "ones", "ones_like", "rand",
           "randint", "randn", "set_anomaly_detection", "stack", "tensor", "where", "zeros", "zeros_like"]
