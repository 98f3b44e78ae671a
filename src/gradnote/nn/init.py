"""Weight initialisation, in place on a tensor's .data (names and formulas as torch.nn.init).

Xavier/Glorot keeps activation variance steady for tanh/sigmoid layers:
    std = gain * sqrt(2 / (fan_in + fan_out)).
Kaiming/He compensates for ReLU zeroing half its inputs:
    std = gain / sqrt(fan),  gain = sqrt(2 / (1 + a^2)) for (leaky) ReLU.
Uniform variants draw from U(-bound, bound) with bound = sqrt(3) * std.
Every draw comes from gradnote's generator (gn.manual_seed) unless `generator` is given.
"""

from __future__ import annotations

import math

from ..autograd import Tensor
from ..backend import xp
from ..random import get_rng

__all__ = ["calculate_gain", "calculate_fan_in_and_fan_out", "zeros_", "ones_", "constant_", "normal_",
           "uniform_", "xavier_uniform_", "xavier_normal_", "kaiming_uniform_", "kaiming_normal_",
           "glorot_uniform_", "glorot_normal_", "he_uniform_", "he_normal_"]


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """Recommended gain for a nonlinearity (PyTorch's table).

    >>> calculate_gain("relu") == math.sqrt(2)
    True
    """
    linear = ("linear", "identity", "conv1d", "conv2d", "conv3d", "sigmoid")
    if nonlinearity in linear:
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else param
        return math.sqrt(2.0 / (1 + slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"calculate_gain: unknown nonlinearity {nonlinearity!r}; expected one of "
                     f"{', '.join(linear + ('tanh', 'relu', 'leaky_relu', 'selu'))}")


def calculate_fan_in_and_fan_out(tensor: Tensor) -> tuple[int, int]:
    """fan_in = in_features * receptive field, fan_out = out_features * receptive field (weight (out, in, *k)).

    >>> calculate_fan_in_and_fan_out(gn.zeros(16, 3, 5, 5))
    (75, 400)
    """
    shape = tensor.shape
    if len(shape) < 2:
        raise ValueError(f"calculate_fan_in_and_fan_out (xavier_*/kaiming_* init): expected a weight of at least "
                         f"2 dimensions (out, in, *kernel), got shape {shape}")
    receptive = int(xp.prod(shape[2:])) if len(shape) > 2 else 1
    return shape[1] * receptive, shape[0] * receptive


def _fill(tensor: Tensor, values) -> Tensor:
    tensor.data[...] = values
    return tensor


def zeros_(tensor: Tensor) -> Tensor:
    """Fill with 0 (biases). Any shape.

    >>> zeros_(gn.ones(2, 3)).tolist()[0]
    [0.0, 0.0, 0.0]
    """
    return _fill(tensor, 0)


def ones_(tensor: Tensor) -> Tensor:
    """Fill with 1 (normalisation scales). Any shape.

    >>> ones_(gn.zeros(3)).tolist()
    [1.0, 1.0, 1.0]
    """
    return _fill(tensor, 1)


def constant_(tensor: Tensor, val: float) -> Tensor:
    """Fill with `val`. Any shape.

    >>> constant_(gn.zeros(2), 0.5).tolist()
    [0.5, 0.5]
    """
    return _fill(tensor, val)


def normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0, generator=None) -> Tensor:
    """Draw from N(mean, std^2). Any shape.

    >>> normal_(gn.zeros(64, 32), std=0.01).shape
    (64, 32)
    """
    if std < 0:
        raise ValueError(f"normal_: std must be non-negative, got {std}")
    return _fill(tensor, get_rng(generator).normal(mean, std, tensor.shape))


def uniform_(tensor: Tensor, a: float = 0.0, b: float = 1.0, generator=None) -> Tensor:
    """Draw from U(a, b). Any shape.

    >>> bool((uniform_(gn.zeros(100), -1, 1).abs() <= 1).numpy().all())
    True
    """
    if a > b:
        raise ValueError(f"uniform_: need a <= b, got a={a}, b={b}")
    return _fill(tensor, get_rng(generator).uniform(a, b, tensor.shape))


def xavier_uniform_(tensor: Tensor, gain: float = 1.0, generator=None) -> Tensor:
    """Glorot uniform: U(-b, b), b = gain * sqrt(6 / (fan_in + fan_out)). tensor: (out, in, *k).

    >>> xavier_uniform_(gn.zeros(128, 784), gain=calculate_gain("tanh")).shape
    (128, 784)
    """
    fan_in, fan_out = calculate_fan_in_and_fan_out(tensor)
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return uniform_(tensor, -bound, bound, generator)


def xavier_normal_(tensor: Tensor, gain: float = 1.0, generator=None) -> Tensor:
    """Glorot normal: N(0, std^2), std = gain * sqrt(2 / (fan_in + fan_out)). tensor: (out, in, *k).

    >>> xavier_normal_(gn.zeros(128, 784)).shape
    (128, 784)
    """
    fan_in, fan_out = calculate_fan_in_and_fan_out(tensor)
    return normal_(tensor, 0.0, gain * math.sqrt(2.0 / (fan_in + fan_out)), generator)


def _kaiming_std(tensor, a, mode, nonlinearity):
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"kaiming: mode must be 'fan_in' or 'fan_out', got {mode!r}")
    fan_in, fan_out = calculate_fan_in_and_fan_out(tensor)
    fan = fan_in if mode == "fan_in" else fan_out
    return calculate_gain(nonlinearity, a) / math.sqrt(fan)


def kaiming_uniform_(tensor: Tensor, a: float = 0.0, mode: str = "fan_in", nonlinearity: str = "leaky_relu",
                     generator=None) -> Tensor:
    """He uniform: U(-b, b), b = sqrt(3) * gain / sqrt(fan), fan = fan_in or fan_out (`mode`). tensor: (out, in, *k).

    >>> kaiming_uniform_(gn.zeros(16, 3, 5, 5), nonlinearity="relu").shape
    (16, 3, 5, 5)
    """
    bound = math.sqrt(3.0) * _kaiming_std(tensor, a, mode, nonlinearity)
    return uniform_(tensor, -bound, bound, generator)


def kaiming_normal_(tensor: Tensor, a: float = 0.0, mode: str = "fan_in", nonlinearity: str = "leaky_relu",
                    generator=None) -> Tensor:
    """He normal: N(0, std^2), std = gain / sqrt(fan), fan = fan_in or fan_out (`mode`). tensor: (out, in, *k).

    >>> kaiming_normal_(gn.zeros(256, 128), nonlinearity="relu").shape
    (256, 128)
    """
    return normal_(tensor, 0.0, _kaiming_std(tensor, a, mode, nonlinearity), generator)


glorot_uniform_ = xavier_uniform_
glorot_normal_ = xavier_normal_
he_uniform_ = kaiming_uniform_
he_normal_ = kaiming_normal_
