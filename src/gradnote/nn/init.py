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
import numbers
import warnings

from .. import backend
from ..autograd import Tensor
from ..backend import xp
from ..random import get_rng

__all__ = ["calculate_gain", "calculate_fan_in_and_fan_out", "zeros_", "ones_", "constant_", "normal_",
           "uniform_", "xavier_uniform_", "xavier_normal_", "kaiming_uniform_", "kaiming_normal_",
           "trunc_normal_", "orthogonal_", "eye_", "dirac_", "sparse_",
           "glorot_uniform_", "glorot_normal_", "he_uniform_", "he_normal_"]


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """Recommended gain for a nonlinearity (PyTorch's table).

    >>> calculate_gain("relu") == math.sqrt(2)
    True
    """
    linear = ("linear", "identity", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
              "conv_transpose3d", "sigmoid")
    if nonlinearity in linear:
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is not None and (isinstance(param, bool) or not isinstance(param, numbers.Real)):
            raise ValueError(f"calculate_gain: negative_slope {param!r} is not a valid number")
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


_calculate_fan_in_and_fan_out = calculate_fan_in_and_fan_out  # PyTorch's private spelling, used in user code


def _fill(tensor: Tensor, values) -> Tensor:
    """Write `values` (drawn on the host from gradnote's generator) into the tensor, on its own device."""
    tensor.data[...] = values if backend.is_host(tensor.data) else backend.like(values, tensor.data)
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


def _zero_element(tensor) -> bool:
    """PyTorch's kaiming_* leave a tensor with a 0 in its shape unchanged (its fan may be 0), with a warning."""
    if 0 in tensor.shape:
        warnings.warn("Initializing zero-element tensors is a no-op", UserWarning, stacklevel=3)
        return True
    return False


def _kaiming_std(tensor, a, mode, nonlinearity):
    if not isinstance(mode, str) or mode.lower() not in ("fan_in", "fan_out"):
        raise ValueError(f"kaiming: mode must be 'fan_in' or 'fan_out', got {mode!r}")
    mode = mode.lower()
    fan_in, fan_out = calculate_fan_in_and_fan_out(tensor)
    fan = fan_in if mode == "fan_in" else fan_out
    return calculate_gain(nonlinearity, a) / math.sqrt(fan)


def kaiming_uniform_(tensor: Tensor, a: float = 0.0, mode: str = "fan_in", nonlinearity: str = "leaky_relu",
                     generator=None) -> Tensor:
    """He uniform: U(-b, b), b = sqrt(3) * gain / sqrt(fan), fan = fan_in or fan_out (`mode`). tensor: (out, in, *k).

    >>> kaiming_uniform_(gn.zeros(16, 3, 5, 5), nonlinearity="relu").shape
    (16, 3, 5, 5)
    """
    if _zero_element(tensor):
        return tensor
    bound = math.sqrt(3.0) * _kaiming_std(tensor, a, mode, nonlinearity)
    return uniform_(tensor, -bound, bound, generator)


def kaiming_normal_(tensor: Tensor, a: float = 0.0, mode: str = "fan_in", nonlinearity: str = "leaky_relu",
                    generator=None) -> Tensor:
    """He normal: N(0, std^2), std = gain / sqrt(fan), fan = fan_in or fan_out (`mode`). tensor: (out, in, *k).

    >>> kaiming_normal_(gn.zeros(256, 128), nonlinearity="relu").shape
    (256, 128)
    """
    if _zero_element(tensor):
        return tensor
    return normal_(tensor, 0.0, _kaiming_std(tensor, a, mode, nonlinearity), generator)


def trunc_normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0, a: float = -2.0, b: float = 2.0,
                  generator=None) -> Tensor:
    """N(mean, std^2) truncated to [a, b] (a and b are absolute bounds, as PyTorch), by redrawing what falls outside.

    >>> bool((trunc_normal_(gn.zeros(1000), std=1.0, a=-0.5, b=0.5).abs() <= 0.5).numpy().all())
    True
    """
    if std < 0 or not a < b:
        raise ValueError(f"trunc_normal_: need std >= 0 and a < b, got std={std}, a={a}, b={b}")
    rng = get_rng(generator)
    dtype = tensor.data.dtype
    lo, hi = dtype.type(a), dtype.type(b)  # compare in the tensor's dtype, so a float32 value is never out of range
    out = rng.normal(mean, std, tensor.shape).astype(dtype)
    redraw = (out < lo) | (out > hi)
    for _ in range(1000):  # each round keeps the mass inside [a, b]; far tails fall back to uniform below
        if not redraw.any():
            break
        out[redraw] = rng.normal(mean, std, int(redraw.sum())).astype(dtype)
        redraw = (out < lo) | (out > hi)
    if redraw.any():
        out[redraw] = rng.uniform(a, b, int(redraw.sum())).astype(dtype)
    return _fill(tensor, xp.clip(out, lo, hi))


def orthogonal_(tensor: Tensor, gain: float = 1.0, generator=None) -> Tensor:
    """A (semi-)orthogonal matrix times gain (Saxe et al.): rows or columns orthonormal. tensor: (rows, *rest).

    Drawn as the Q of a QR factorisation of a Gaussian matrix, signs fixed by diag(R), as PyTorch.

    >>> w = orthogonal_(gn.zeros(3, 5)); bool(np.allclose(w.data @ w.data.T, np.eye(3), atol=1e-6))
    True
    """
    if tensor.ndim < 2:
        raise ValueError(f"orthogonal_: expected a tensor of at least 2 dimensions, got shape {tensor.shape}")
    if tensor.data.size == 0:
        return tensor
    rows = tensor.shape[0]
    cols = tensor.data.size // rows
    flat = get_rng(generator).standard_normal((rows, cols))
    if rows < cols:
        flat = flat.T
    q, r = xp.linalg.qr(flat)
    q = q * xp.sign(xp.diag(r))
    if rows < cols:
        q = q.T
    return _fill(tensor, (gain * q).reshape(tensor.shape))


def eye_(tensor: Tensor) -> Tensor:
    """The identity matrix (ones on the main diagonal of a possibly non-square 2-D tensor).

    >>> eye_(gn.zeros(2, 3)).tolist()
    [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]
    """
    if tensor.ndim != 2:
        raise ValueError(f"eye_: expected a 2-D tensor, got shape {tensor.shape}")
    return _fill(tensor, xp.eye(*tensor.shape, dtype=tensor.data.dtype))


def dirac_(tensor: Tensor, groups: int = 1) -> Tensor:
    """A convolution kernel that passes its input through: 1 at the centre tap of channel d -> d, per group.

    tensor: (out, in, *k) with 1, 2 or 3 kernel dimensions; out divisible by groups.

    >>> dirac_(gn.zeros(2, 2, 3, 3))[0, 0].tolist()[1]
    [0.0, 1.0, 0.0]
    """
    if tensor.ndim not in (3, 4, 5):
        raise ValueError(f"dirac_: expected a 3-, 4- or 5-D tensor (out, in, *kernel), got shape {tensor.shape}")
    out = tensor.shape[0]
    if groups < 1 or out % groups:
        raise ValueError(f"dirac_: dim 0 ({out}) must be divisible by groups, got groups={groups}")
    per_group = out // groups
    values = xp.zeros(tensor.shape, dtype=tensor.data.dtype)
    centre = tuple(k // 2 for k in tensor.shape[2:])
    for g in range(groups):
        for d in range(min(per_group, tensor.shape[1])):
            values[(g * per_group + d, d, *centre)] = 1
    return _fill(tensor, values)


def sparse_(tensor: Tensor, sparsity: float, std: float = 0.01, generator=None) -> Tensor:
    """N(0, std^2) with ceil(sparsity * rows) entries of every column set to 0 (Martens 2010). tensor: 2-D.

    >>> int((sparse_(gn.zeros(10, 4), 0.3).numpy() == 0).sum())
    12
    """
    if tensor.ndim != 2:
        raise ValueError(f"sparse_: expected a 2-D tensor, got shape {tensor.shape}")
    rows, cols = tensor.shape
    rng = get_rng(generator)
    values = rng.normal(0.0, std, tensor.shape)
    zeros = math.ceil(sparsity * rows)
    for c in range(cols):
        values[rng.permutation(rows)[:zeros], c] = 0
    return _fill(tensor, values)


glorot_uniform_ = xavier_uniform_
glorot_normal_ = xavier_normal_
he_uniform_ = kaiming_uniform_
he_normal_ = kaiming_normal_


def _deprecated(new):
    """PyTorch's pre-0.4 names without the trailing underscore (init.orthogonal, init.xavier_uniform, ...)."""
    old = new.__name__.rstrip("_")

    def alias(*args, **kwargs):
        warnings.warn(f"nn.init.{old} is now deprecated in favor of nn.init.{new.__name__}", FutureWarning,
                      stacklevel=2)
        return new(*args, **kwargs)

    alias.__name__ = alias.__qualname__ = old
    alias.__doc__ = f"Deprecated spelling of {new.__name__} (as PyTorch, with a FutureWarning)."
    return alias


uniform, normal, constant = _deprecated(uniform_), _deprecated(normal_), _deprecated(constant_)
xavier_uniform, xavier_normal = _deprecated(xavier_uniform_), _deprecated(xavier_normal_)
kaiming_uniform, kaiming_normal = _deprecated(kaiming_uniform_), _deprecated(kaiming_normal_)
orthogonal, sparse = _deprecated(orthogonal_), _deprecated(sparse_)
eye, dirac = _deprecated(eye_), _deprecated(dirac_)
