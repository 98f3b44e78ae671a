"""Batch, layer and instance normalisation (batch and layer norm are fused ops with a hand-written backward).

Both compute x_hat = (x - mean) / sqrt(var + eps) and y = weight * x_hat + bias; they differ in
which axes the statistics are taken over. Batch norm: per channel, over the batch (and spatial)
axes, with running averages for evaluation. Layer norm: per sample, over the last dimensions.
Instance norm: per sample and channel, over the spatial axes; it is batch norm of the input seen as one
sample with N * C channels (as PyTorch computes it), so it reuses batch_norm.

The backward of a normalisation over M values (g the incoming gradient, gh = g * weight):
    dx = (1 / sqrt(var + eps)) * (gh - mean(gh) - x_hat * mean(gh * x_hat)).
"""

from __future__ import annotations

import math
import numbers

from .. import backend
from ..autograd import Function, Tensor
from ..backend import xp
from ._util import float_tensor

__all__ = ["batch_norm", "instance_norm", "layer_norm"]


class BatchNorm(Function):
    """Inputs: x, then weight and bias when affine. Channel axis 1; statistics over every other axis."""

    def forward(self, x, *affine, running_mean, running_var, training, momentum, eps):
        axes = (0, *range(2, x.ndim))
        shape = (1, x.shape[1]) + (1,) * (x.ndim - 2)
        self.axes, self.shape, self.training = axes, shape, training
        if training:
            mean = x.mean(axis=axes, keepdims=True)
            xc = x - mean
            var = (xc * xc).mean(axis=axes, keepdims=True)  # biased: what the batch is normalised with
            invstd = 1.0 / xp.sqrt(var + eps)
            n = x.size // x.shape[1]
            if running_mean is not None:
                running_mean *= 1 - momentum
                running_mean += momentum * mean.reshape(-1)
            if running_var is not None:
                running_var *= 1 - momentum
                running_var += (momentum * n / (n - 1)) * var.reshape(-1)  # unbiased, as PyTorch
            self.xhat = xc * invstd
        else:
            invstd = (1.0 / xp.sqrt(running_var + eps)).astype(x.dtype, copy=False).reshape(shape)
            self.xhat = (x - running_mean.astype(x.dtype, copy=False).reshape(shape)) * invstd
        self.invstd = invstd
        if not affine:
            self.weight = None
            return self.xhat
        weight, bias = affine
        self.weight = weight.reshape(shape)
        return self.xhat * self.weight + bias.reshape(shape)

    def backward(self, g):
        xhat, axes = self.xhat, self.axes
        gh = g if self.weight is None else g * self.weight
        gx = None
        if self.needs[0]:
            if self.training:
                gx = self.invstd * (gh - gh.mean(axis=axes, keepdims=True)
                                    - xhat * (gh * xhat).mean(axis=axes, keepdims=True))
            else:
                gx = gh * self.invstd
        if self.weight is None:
            return gx
        gw = (g * xhat).sum(axis=axes) if self.needs[1] else None
        gb = g.sum(axis=axes) if self.needs[2] else None
        return gx, gw, gb


def batch_norm(x: Tensor, running_mean, running_var, weight: Tensor | None = None, bias: Tensor | None = None,
               training: bool = False, momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """y = (x - mean) / sqrt(var + eps) * weight + bias, per channel.

    x: (N, C) or (N, C, L) or (N, C, H, W); running_mean, running_var, weight, bias: (C,).
    Training: mean and biased variance of the batch (over every axis but 1); running_mean and
    running_var (ndarrays) are updated in place, r = (1 - momentum) r + momentum * new, with the
    UNBIASED batch variance for running_var (as PyTorch). Evaluation: the running statistics.
    running_mean / running_var may be None in training (batch statistics only).

    >>> y = batch_norm(gn.randn(8, 3), None, None, training=True)
    >>> y.shape
    (8, 3)
    """
    x = float_tensor(x, "batch_norm")
    if x.ndim < 2:
        raise ValueError(f"batch_norm: expected input of shape (N, C) or (N, C, ...), got shape {x.shape}")
    c = x.shape[1]
    rm = running_mean.data if isinstance(running_mean, Tensor) else running_mean
    rv = running_var.data if isinstance(running_var, Tensor) else running_var
    for name, arr in (("running_mean", rm), ("running_var", rv)):
        if arr is not None and arr.shape != (c,):
            raise ValueError(f"batch_norm: {name} must have shape ({c},) for input {x.shape}, got {arr.shape}")
    if not training and (rm is None or rv is None):
        raise ValueError("batch_norm: evaluation mode needs running_mean and running_var")
    if training and x.data.size // max(c, 1) <= 1:
        raise ValueError(f"batch_norm: expected more than 1 value per channel when training, got input shape "
                         f"{x.shape}")
    if (weight is None) != (bias is None):
        raise ValueError("batch_norm: pass both weight and bias, or neither")
    affine = ()
    if weight is not None:
        weight, bias = float_tensor(weight, "batch_norm"), float_tensor(bias, "batch_norm")
        if weight.shape != (c,) or bias.shape != (c,):
            raise ValueError(f"batch_norm: weight and bias must have shape ({c},), got {weight.shape} and "
                             f"{bias.shape}")
        affine = (weight, bias)
    if backend.cupy_loaded():  # the running statistics are options, outside Function.apply's device check
        backend.same_device("batch_norm", [x.data, rm, rv])
    return BatchNorm.apply(x, *affine, running_mean=rm, running_var=rv, training=bool(training),
                           momentum=float(momentum), eps=float(eps))


class LayerNorm(Function):
    """Inputs: x, then weight and bias when given. Statistics over the last k axes, seen as one axis of
    m values per row (a (rows, m) view): one-axis reductions and in-place updates keep the passes over
    memory few, which is most of this op's time."""

    def forward(self, x, *affine, k, eps):
        m = math.prod(x.shape[x.ndim - k:])
        x2 = x.reshape(math.prod(x.shape[:x.ndim - k]), m)
        mean = x2.sum(axis=1, keepdims=True)
        mean /= m
        xc = x2 - mean
        var = (xc * xc).sum(axis=1, keepdims=True)
        var /= m
        var += x.dtype.type(eps)
        self.invstd = invstd = 1.0 / xp.sqrt(var)
        xc *= invstd
        self.xhat, self.m, self.shape = xc, m, x.shape
        self.weight = affine[0].reshape(m) if affine else None
        self.weight_shape = affine[0].shape if affine else None
        if not affine:
            return xc.reshape(x.shape)
        out = xc * self.weight
        bias = affine[1].reshape(m)
        if bias.dtype == out.dtype:
            out += bias
        else:
            out = out + bias
        return out.reshape(x.shape)

    def backward(self, g):
        xhat, m = self.xhat, self.m
        g2 = g.reshape(xhat.shape)
        gh = g2 if self.weight is None else g2 * self.weight
        gx = None
        if self.needs[0]:
            a = gh.sum(axis=1, keepdims=True)
            a /= m
            c = (gh * xhat).sum(axis=1, keepdims=True)
            c /= m
            gx = gh - a
            gx -= xhat * c
            gx *= self.invstd
            gx = gx.reshape(self.shape)
        if self.weight is None:
            return gx
        gw = gb = None
        if self.needs[1]:
            gw = (g2 * xhat).sum(axis=0).reshape(self.weight_shape)
        if self.needs[2]:
            gb = g2.sum(axis=0).reshape(self.weight_shape)
        return gx, gw, gb


def layer_norm(x: Tensor, normalized_shape, weight: Tensor | None = None, bias: Tensor | None = None,
               eps: float = 1e-5) -> Tensor:
    """y = (x - mean) / sqrt(var + eps) * weight + bias over the last len(normalized_shape) axes.

    x: (..., *normalized_shape); weight, bias: normalized_shape (or None). Each sample is normalised
    on its own (biased variance), so training and evaluation behave the same.

    >>> layer_norm(gn.randn(2, 5, 16), (16,)).shape
    (2, 5, 16)
    """
    x = float_tensor(x, "layer_norm")
    ns = (normalized_shape,) if isinstance(normalized_shape, numbers.Integral) else tuple(normalized_shape)
    k = len(ns)
    if k == 0 or x.shape[x.ndim - k:] != ns or x.ndim < k:
        raise ValueError(f"layer_norm: input shape {x.shape} does not end with normalized_shape {ns}")
    affine = ()
    if weight is not None or bias is not None:
        # PyTorch allows either alone (LayerNorm(bias=False)): the missing one is a constant 1 or 0
        like = weight if weight is not None else bias
        if weight is None:
            weight = Tensor._wrap(backend.module_of(x.data).ones(getattr(like, "shape", ns), dtype=x.dtype))
        if bias is None:
            bias = Tensor._wrap(backend.module_of(x.data).zeros(getattr(weight, "shape", ns), dtype=x.dtype))
        weight, bias = float_tensor(weight, "layer_norm"), float_tensor(bias, "layer_norm")
        if weight.shape != ns or bias.shape != ns:
            raise ValueError(f"layer_norm: weight and bias must have shape {ns}, got {weight.shape} and "
                             f"{bias.shape}")
        affine = (weight, bias)
    return LayerNorm.apply(x, *affine, k=k, eps=float(eps))


def instance_norm(input: Tensor, running_mean=None, running_var=None, weight: Tensor | None = None,
                  bias: Tensor | None = None, use_input_stats: bool = True, momentum: float = 0.1,
                  eps: float = 1e-5) -> Tensor:
    """y = (x - mean) / sqrt(var + eps) * weight + bias, the statistics per (sample, channel) over the spatial axes.

    x: (N, C, *spatial) with at least one spatial axis; running_mean, running_var, weight, bias: (C,) or None.
    With running statistics and use_input_stats they are updated with the batch's average per-instance
    mean and unbiased variance; use_input_stats=False normalises with them instead (PyTorch's
    InstanceNorm(track_running_stats=True) in eval mode).

    >>> instance_norm(gn.randn(2, 3, 8, 8)).mean(axis=(2, 3)).abs().max().item() < 1e-5
    True
    """
    x = float_tensor(input, "instance_norm")
    if x.ndim < 3:
        raise ValueError(f"instance_norm: expected input (N, C, *spatial) with a spatial axis, got shape {x.shape}")
    if not use_input_stats and (running_mean is None or running_var is None):
        raise ValueError("instance_norm: use_input_stats=False needs running_mean and running_var")
    n, c = x.shape[:2]
    buffers = [r.data if isinstance(r, Tensor) else r for r in (running_mean, running_var)]
    stats = [None if r is None else xp.tile(r, n) for r in buffers]
    y = batch_norm(x.reshape(1, n * c, *x.shape[2:]), stats[0], stats[1], training=use_input_stats,
                   momentum=momentum, eps=eps).reshape(*x.shape)
    if use_input_stats:
        for running, tiled in zip(buffers, stats):
            if running is not None:
                running[...] = tiled.reshape(n, c).mean(axis=0)
    per_channel = (c,) + (1,) * (x.ndim - 2)
    if weight is not None:
        y = y * float_tensor(weight, "instance_norm").reshape(*per_channel)
    if bias is not None:
        y = y + float_tensor(bias, "instance_norm").reshape(*per_channel)
    return y
