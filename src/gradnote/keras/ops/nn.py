"""keras.ops' neural-network functions (Keras's keras.ops.nn), each over gradnote.functional.

Keras's defaults are kept where they differ from PyTorch's: gelu(approximate=True), leaky_relu's
negative_slope=0.2, softmax over axis=-1; images are channels_last (N, H, W, C) and kernels
(*kernel_size, in_channels, out_channels), as Keras stores them.

>>> ops = gn.keras.ops
>>> ops.conv(np.ones((1, 5, 5, 2), np.float32), np.ones((3, 3, 2, 4), np.float32), padding="same").shape
(1, 5, 5, 4)
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from ... import functional as F
from ...autograd import Tensor
from ...backend import xp
from ...train.losses import EPSILON
from ..arguments import _data_format, _to_nchw, _to_nhwc
from .core import convert_to_tensor as _t
from .core import keras_op, standardize_dtype
from .numpy import take_along_axis


# ----- activations -------------------------------------------------------------------------------------------
@keras_op
def relu(x): return F.relu(_t(x))
@keras_op
def relu6(x): return F.relu6(_t(x))
@keras_op
def sigmoid(x): return F.sigmoid(_t(x))
@keras_op
def tanh_shrink(x): return _t(x) - _t(x).tanh()
@keras_op
def softplus(x): return F.softplus(_t(x))
@keras_op
def softsign(x): return F.softsign(_t(x))
@keras_op
def silu(x): return F.silu(_t(x))
@keras_op
def swish(x): return F.silu(_t(x))
@keras_op
def elu(x, alpha=1.0): return F.elu(_t(x), alpha)
@keras_op
def selu(x): return F.selu(_t(x))
@keras_op
def leaky_relu(x, negative_slope=0.2): return F.leaky_relu(_t(x), negative_slope)
@keras_op
def hard_sigmoid(x): return F.hardsigmoid(_t(x))
@keras_op
def log_sigmoid(x): return F.logsigmoid(_t(x))
@keras_op
def gelu(x, approximate=True): return F.gelu(_t(x), approximate="tanh" if approximate else "none")


def _softmax_axis(x, axis):
    if axis is None or isinstance(axis, (tuple, list)):
        raise ValueError(f"softmax: axis must be one int, got {axis!r}")
    return axis


@keras_op
def softmax(x, axis=-1): return F.softmax(_t(x), _softmax_axis(x, axis))
@keras_op
def log_softmax(x, axis=-1): return F.log_softmax(_t(x), _softmax_axis(x, axis))


@keras_op
def one_hot(x, num_classes, axis=-1, dtype=None, sparse=False):
    """Class indices (any shape) as one-hot vectors of length num_classes on `axis` (float32); an index
    outside [0, num_classes) gives a row of zeros, as Keras.

    >>> one_hot(np.array([1, 3]), 3).tolist()
    [[0.0, 1.0, 0.0], [0.0, 0.0, 0.0]]
    """
    if sparse:
        raise ValueError("one_hot: sparse=True is not supported")
    idx = _t(x).data
    out = (idx[..., None] == xp.arange(int(num_classes))).astype(standardize_dtype(dtype) or np.float32)
    return Tensor._wrap(xp.moveaxis(out, -1, axis))


# ----- losses (per element / per sample, no reduction: Keras's ops) ---------------------------------------
@keras_op
def binary_crossentropy(target, output, from_logits=False):
    """-(t log p + (1 - t) log(1 - p)) elementwise; p clipped to [1e-7, 1 - 1e-7] (Keras's epsilon);
    from_logits takes logits (stable formula)."""
    t, o = _t(target), _t(output)
    t = t if t.dtype == o.dtype else t.to(o.dtype)
    if from_logits:
        return F.binary_cross_entropy_with_logits(o, t, reduction="none")
    o = o.clip(EPSILON, 1 - EPSILON)
    return -(t * o.log() + (1 - t) * (1 - o).log())


@keras_op
def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """-sum(t log p) over `axis` (one-hot or soft targets); probabilities are renormalised and clipped."""
    t, o = _t(target), _t(output)
    t = t if t.dtype == o.dtype else t.to(o.dtype)
    if from_logits:
        return -(t * F.log_softmax(o, axis)).sum(axis=axis)
    p = (o / o.sum(axis=axis, keepdims=True)).clip(EPSILON, 1 - EPSILON)
    return -(t * p.log()).sum(axis=axis)


@keras_op
def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """-log p[target] with integer class targets (output's shape without `axis`)."""
    o = _t(output)
    logp = F.log_softmax(o, axis) if from_logits else (o / o.sum(axis=axis, keepdims=True)).clip(
        EPSILON, 1 - EPSILON).log()
    idx = np.expand_dims(_t(target).data.astype(np.int64), axis)
    return -take_along_axis(logp, idx, axis=axis).squeeze(axis % o.ndim)


# ----- convolution and pooling (channels_last) -------------------------------------------------------------
def _tuple(v, n: int, what: str, op: str) -> tuple:
    t = (v,) * n if isinstance(v, numbers.Integral) else tuple(v)
    if len(t) != n:
        raise ValueError(f"{op}: {what} needs {n} values for {n} spatial axes, got {v!r}")
    return tuple(int(i) for i in t)


def _same(sizes, kernel, strides, dilation) -> list:
    """TensorFlow's "same" padding per axis (before, after): the output has ceil(n / stride) steps, the
    odd pixel of padding goes after."""
    pads = []
    for n, k, s, d in zip(sizes, kernel, strides, dilation):
        total = max(0, (math.ceil(n / s) - 1) * s + (k - 1) * d + 1 - n)
        pads.append((total // 2, total - total // 2))
    return pads



def _padded(x: Tensor, pads, value: float) -> Tensor:
    """Pad the spatial axes of an NC* tensor (pads per spatial axis, first to last)."""
    flat = [v for pair in reversed(pads) for v in pair]
    return F.pad(x, flat, value=value) if any(flat) else x



def _spatial(op: str, inputs, data_format):
    x = _t(inputs)
    if x.ndim not in (3, 4):
        raise ValueError(f"{op}: expected a batch of 1-D or 2-D inputs (rank 3 or 4), got shape {x.shape}")
    first = _data_format(op, data_format) == "channels_first"
    return (x if first else _to_nchw(x)), first


@keras_op
def conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    """N-D convolution (1-D and 2-D): inputs (N, *spatial, C_in), kernel (*kernel_size, C_in / groups,
    C_out) -> (N, *out_spatial, C_out); padding "valid" or "same" (TensorFlow's, any stride)."""
    x, first = _spatial("conv", inputs, data_format)
    w = _t(kernel)
    n = x.ndim - 2
    if w.ndim != n + 2:
        raise ValueError(f"conv: kernel must be (*kernel_size, in_channels, out_channels) of rank {n + 2}, "
                         f"got shape {w.shape}")
    if padding not in ("valid", "same"):
        raise ValueError(f"conv: padding must be 'valid' or 'same', got {padding!r}")
    strides, dilation = _tuple(strides, n, "strides", "conv"), _tuple(dilation_rate, n, "dilation_rate", "conv")
    if x.shape[1] % w.shape[-2]:
        raise ValueError(f"conv: input channels {x.shape[1]} are not a multiple of the kernel's {w.shape[-2]}")
    if padding == "same":
        x = _padded(x, _same(x.shape[2:], w.shape[:n], strides, dilation), 0.0)
    weight = w.transpose(n + 1, n, *range(n))  # (out, in, *k), gradnote's layout
    fn = F.conv2d if n == 2 else F.conv1d
    out = fn(x, weight, None, strides, 0, dilation, groups=x.shape[1] // w.shape[-2])
    return out if first else _to_nhwc(out)


def _pool(op, inputs, pool_size, strides, padding, data_format, kind):
    x, first = _spatial(op, inputs, data_format)
    n = x.ndim - 2
    size = _tuple(pool_size, n, "pool_size", op)
    strides = size if strides is None else _tuple(strides, n, "strides", op)
    if padding not in ("valid", "same"):
        raise ValueError(f"{op}: padding must be 'valid' or 'same', got {padding!r}")
    pads = _same(x.shape[2:], size, strides, (1,) * n) if padding == "same" else [(0, 0)] * n
    if kind == "max":
        pool = F.max_pool2d if n == 2 else F.max_pool1d
        out = pool(_padded(x, pads, -math.inf), size if n == 2 else size[0], strides if n == 2 else strides[0])
    else:  # Keras averages over the real pixels of each window only: padded sum / padded count
        pool = F.avg_pool2d if n == 2 else F.avg_pool1d
        k, s = (size, strides) if n == 2 else (size[0], strides[0])
        out = pool(_padded(x, pads, 0.0), k, s)
        if padding == "same":
            ones = Tensor._wrap(xp.ones((1, 1, *x.shape[2:]), dtype=x.dtype))
            out = out / pool(_padded(ones, pads, 0.0), k, s)
    return out if first else _to_nhwc(out)


@keras_op
def max_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    """Max over windows of pool_size (1-D or 2-D, channels_last), stride pool_size by default."""
    return _pool("max_pool", inputs, pool_size, strides, padding, data_format, "max")


@keras_op
def average_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    """Mean over windows (padding "same" averages only the real pixels at the borders, as Keras)."""
    return _pool("average_pool", inputs, pool_size, strides, padding, data_format, "avg")


# ----- statistics ------------------------------------------------------------------------------------------
@keras_op
def moments(x, axes, keepdims=False, synchronized=False):
    """(mean, variance) over `axes` (the biased variance, as batch normalisation uses)."""
    x = _t(x)
    axes = tuple(axes) if isinstance(axes, (list, tuple)) else (axes,)
    return x.mean(axis=axes, keepdims=keepdims), x.var(axis=axes, keepdims=keepdims)


@keras_op
def normalize(x, axis=-1, order=2, epsilon=None):
    """x / max(||x||_order, epsilon) along `axis` (epsilon default 1e-12)."""
    return F.normalize(_t(x), p=order, dim=axis, eps=1e-12 if epsilon is None else epsilon)


__all__ = [n for n, v in dict(globals()).items() if callable(v) and not n.startswith("_") and getattr(
    v, "__module__", None) == __name__]
