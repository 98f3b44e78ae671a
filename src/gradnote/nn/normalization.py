"""Normalisation layers: BatchNorm1d / BatchNorm2d (per channel, over the batch), LayerNorm (per sample) and
InstanceNorm1d/2d/3d (per sample and channel)."""

from __future__ import annotations

import numbers

from .. import functional as F
from ..autograd import Tensor
from ..backend import float32, int64, xp
from . import init
from ._checks import positive_float, positive_int
from ._factory import place
from .module import Module, Parameter

__all__ = ["BatchNorm1d", "BatchNorm2d", "BatchNorm3d", "LayerNorm"]


class _BatchNorm(Module):
    """Shared body of BatchNorm1d/2d; subclasses fix the accepted input ranks."""

    _ranks: tuple = ()
    _layout: str = ""

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1, affine: bool = True,
                 track_running_stats: bool = True):
        super().__init__()
        name = type(self).__name__
        self.num_features = positive_int(name, "num_features", num_features)
        self.eps = positive_float(name, "eps", eps)
        if momentum is not None and (not isinstance(momentum, numbers.Real) or not 0.0 <= momentum <= 1.0):
            raise ValueError(f"{name}: momentum must be in [0, 1] or None, got {momentum!r}")
        self.momentum = None if momentum is None else float(momentum)
        self.affine, self.track_running_stats = bool(affine), bool(track_running_stats)
        c = self.num_features
        if self.affine:
            self.weight = Parameter(xp.ones(c, dtype=float32))
            self.bias = Parameter(xp.zeros(c, dtype=float32))
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        if self.track_running_stats:
            self.register_buffer("running_mean", xp.zeros(c, dtype=float32))
            self.register_buffer("running_var", xp.ones(c, dtype=float32))
            self.register_buffer("num_batches_tracked", xp.zeros((), dtype=int64))
        else:
            for buf in ("running_mean", "running_var", "num_batches_tracked"):
                self.register_buffer(buf, None)
        self.reset_parameters()

    def reset_running_stats(self) -> None:
        if self.track_running_stats:
            self.running_mean[...] = 0
            self.running_var[...] = 1
            self.num_batches_tracked[...] = 0

    def reset_parameters(self) -> None:
        self.reset_running_stats()
        if self.affine:
            init.ones_(self.weight)
            init.zeros_(self.bias)

    def forward(self, x: Tensor) -> Tensor:
        shape = tuple(getattr(x, "shape", ()))
        if len(shape) not in self._ranks:
            raise ValueError(f"{type(self).__name__}: expected input of shape {self._layout}, got shape {shape}")
        if shape[1] != self.num_features:
            raise ValueError(f"{self._describe()}: expected {self.num_features} channels in dimension 1, "
                             f"got shape {shape}")
        momentum = self.momentum
        if self.training and self.track_running_stats:
            self.num_batches_tracked += 1
            if momentum is None:  # cumulative moving average, as PyTorch's momentum=None
                momentum = 1.0 / int(self.num_batches_tracked)
        use_batch_stats = self.training or not self.track_running_stats
        return F.batch_norm(x, self.running_mean, self.running_var, self.weight, self.bias,
                            training=use_batch_stats, momentum=momentum or 0.0, eps=self.eps)

    def _describe(self) -> str:
        return f"{type(self).__name__}({self.num_features})"

    def extra_repr(self) -> str:
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, "
                f"track_running_stats={self.track_running_stats}")


class BatchNorm1d(_BatchNorm):
    """Batch normalisation of (N, C) or (N, C, L) inputs, per feature/channel C.

    Training: y = (x - mean_B) / sqrt(var_B + eps) * weight + bias with the batch's mean and biased
    variance; running_mean/running_var (buffers, float32 (C,)) move towards the batch's mean and
    UNBIASED variance, r = (1 - momentum) r + momentum * new (momentum=None: cumulative average).
    Eval: the running statistics. Parameters weight (C,) = 1, bias (C,) = 0, as PyTorch.

    >>> BatchNorm1d(64)(gn.randn(32, 64)).shape
    (32, 64)
    """

    _ranks, _layout = (2, 3), "(N, C) or (N, C, L)"


class BatchNorm2d(_BatchNorm):
    """Batch normalisation of (N, C, H, W) images, per channel C (statistics over N, H and W).

    Same rule and buffers as BatchNorm1d (see there).

    >>> BatchNorm2d(6)(gn.randn(8, 6, 28, 28)).shape
    (8, 6, 28, 28)
    """

    _ranks, _layout = (4,), "(N, C, H, W)"


class BatchNorm3d(_BatchNorm):
    """Batch normalisation of (N, C, D, H, W) volumes, per channel C (statistics over N, D, H and W).

    Same rule and buffers as BatchNorm1d (see there).

    >>> BatchNorm3d(4)(gn.randn(2, 4, 3, 5, 5)).shape
    (2, 4, 3, 5, 5)
    """

    _ranks, _layout = (5,), "(N, C, D, H, W)"


class LayerNorm(Module):
    """Normalise each sample over its last dimensions: y = (x - mean) / sqrt(var + eps) * weight + bias.

    normalized_shape: int or tuple, the trailing shape of x; weight = 1 and bias = 0 of that shape when
    elementwise_affine. Same in training and evaluation (no running statistics).

    >>> LayerNorm(16)(gn.randn(2, 5, 16)).shape
    (2, 5, 16)
    """

    def __init__(self, normalized_shape, eps: float = 1e-5, elementwise_affine: bool = True, bias: bool = True,
                 device=None, dtype=None):
        super().__init__()
        ns = (normalized_shape,) if isinstance(normalized_shape, numbers.Integral) else tuple(normalized_shape)
        if not ns:
            raise ValueError(f"LayerNorm: normalized_shape must not be empty, got {normalized_shape!r}")
        for n in ns:
            positive_int("LayerNorm", "normalized_shape entries", n)
        self.normalized_shape = tuple(int(n) for n in ns)
        self.eps = positive_float("LayerNorm", "eps", eps)
        self.elementwise_affine = bool(elementwise_affine)
        if self.elementwise_affine:
            self.weight = Parameter(xp.ones(self.normalized_shape, dtype=float32))
        else:
            self.register_parameter("weight", None)
        if self.elementwise_affine and bias:
            self.bias = Parameter(xp.zeros(self.normalized_shape, dtype=float32))
        else:
            self.register_parameter("bias", None)
        place(self, device, dtype)

    def reset_parameters(self) -> None:
        if self.weight is not None:
            init.ones_(self.weight)
        if self.bias is not None:
            init.zeros_(self.bias)

    def forward(self, x: Tensor) -> Tensor:
        shape = tuple(getattr(x, "shape", ()))
        k = len(self.normalized_shape)
        if len(shape) < k or shape[len(shape) - k:] != self.normalized_shape:
            raise ValueError(f"LayerNorm({self.normalized_shape}): expected input whose last dimensions are "
                             f"{self.normalized_shape}, got shape {shape}")
        return F.layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}"


__all__ += ["InstanceNorm1d", "InstanceNorm2d", "InstanceNorm3d"]


class _InstanceNorm(_BatchNorm):
    """Shared body of InstanceNorm1d/2d/3d: BatchNorm's parameters and buffers, PyTorch's defaults
    (affine=False, track_running_stats=False) and F.instance_norm; an unbatched input (C, *spatial) works too."""

    _spatial = 0

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float = 0.1, affine: bool = False,
                 track_running_stats: bool = False, device=None, dtype=None):
        super().__init__(num_features, eps, momentum, affine, track_running_stats)
        place(self, device, dtype)

    def forward(self, x: Tensor) -> Tensor:
        shape = tuple(getattr(x, "shape", ()))
        k = self._spatial
        if len(shape) not in (k + 1, k + 2):
            raise ValueError(f"{type(self).__name__}: expected input (N, C, {k} spatial dims) or (C, {k} spatial "
                             f"dims), got shape {shape}")
        batched = len(shape) == k + 2
        if (self.affine or self.track_running_stats) and shape[int(batched)] != self.num_features:
            raise ValueError(f"{self._describe()}: expected {self.num_features} channels, got shape {shape}")
        y = F.instance_norm(x if batched else x.reshape(1, *shape), self.running_mean, self.running_var,
                            self.weight, self.bias, use_input_stats=self.training or not self.track_running_stats,
                            momentum=0.1 if self.momentum is None else self.momentum, eps=self.eps)
        return y if batched else y.reshape(*shape)


class InstanceNorm1d(_InstanceNorm):
    """Normalise each (sample, channel) of (N, C, L) over L (F.instance_norm).

    >>> InstanceNorm1d(3)(gn.randn(2, 3, 10)).shape
    (2, 3, 10)
    """

    _spatial = 1


class InstanceNorm2d(_InstanceNorm):
    """Normalise each (sample, channel) of (N, C, H, W) over H and W, as style-transfer networks do.

    >>> InstanceNorm2d(3, affine=True)(gn.randn(2, 3, 4, 4)).shape
    (2, 3, 4, 4)
    """

    _spatial = 2


class InstanceNorm3d(_InstanceNorm):
    """Normalise each (sample, channel) of (N, C, D, H, W) over D, H and W.

    >>> InstanceNorm3d(2)(gn.randn(1, 2, 3, 3, 3)).shape
    (1, 2, 3, 3, 3)
    """

    _spatial = 3
