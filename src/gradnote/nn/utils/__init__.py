"""Gradient clipping, applied between ``loss.backward()`` and ``optimizer.step()``.

Exploding gradients (deep or recurrent nets) make one step jump far off; clipping
bounds the step without changing its direction (by norm) or per element (by value).

    loss.backward()
    nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
    opt.step()
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable

from ... import backend
from ...autograd import Tensor
from ...backend import xp
from . import parametrizations, parametrize, rnn  # noqa: F401  (torch.nn.utils.parametrize, .parametrizations, .rnn)
from .convert_parameters import parameters_to_vector, vector_to_parameters  # noqa: F401
from .hook_norms import remove_spectral_norm, remove_weight_norm, spectral_norm, weight_norm  # noqa: F401

__all__ = ["clip_grad_norm_", "clip_grad_value_"]


def _grads(op: str, parameters) -> list:
    """The .grad arrays of a tensor or an iterable of tensors (None grads skipped)."""
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    out = []
    for p in parameters:
        if not isinstance(p, Tensor):
            raise TypeError(f"{op}: expected tensors (e.g. model.parameters()), got {type(p).__name__}")
        if p.grad is not None:
            out.append(p.grad)
    return out


def _check_number(op: str, name: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or math.isnan(value):
        raise ValueError(f"{op}: {name} must be a real number, got {value!r}")
    if value < 0:
        raise ValueError(f"{op}: {name} must be >= 0, got {value!r}")
    return float(value)


def _vector_norm(a, norm_type: float, op: str):
    """||a||_p of a flattened array in its own dtype (p may be inf, -inf, 0 or negative, as torch.linalg.vector_norm)."""
    a = a.reshape(-1)
    if a.size == 0:
        if math.isinf(norm_type):
            raise RuntimeError(f"{op}: the infinity norm of an empty gradient is undefined (a max over nothing)")
        return xp.zeros_like(a, shape=())
    with xp.errstate(divide="ignore", over="ignore"):
        return backend.asarray(xp.linalg.norm(a, ord=norm_type), dtype=a.dtype)


def clip_grad_norm_(parameters: Tensor | Iterable[Tensor], max_norm: float, norm_type: float = 2.0,
                    error_if_nonfinite: bool = False, foreach: bool | None = None) -> Tensor:
    """Rescale gradients in place so their joint norm is at most ``max_norm``; return the norm before (0-d tensor).

    The joint norm is the norm of the per-gradient norms (as PyTorch; norm_type inf, or "inf", is the max):
        total = ||(||g_1||_p, ..., ||g_k||_p)||_p
    and every gradient is multiplied by min(1, max_norm / (total + 1e-6)). A NaN gradient makes the total
    NaN and so every gradient NaN, an infinite total zeroes the finite ones, as in PyTorch; with
    ``error_if_nonfinite`` such a total raises RuntimeError instead. Parameters whose ``.grad`` is None are
    skipped; ``foreach`` is accepted for PyTorch compatibility (NumPy has one code path).

    >>> w = gn.zeros(2, requires_grad=True); w.grad = np.array([3.0, 4.0])
    >>> float(clip_grad_norm_([w], 1.0)), w.grad.round(4).tolist()
    (5.0, [0.6, 0.8])
    """
    op = "clip_grad_norm_"
    max_norm = _check_number(op, "max_norm", max_norm)
    if isinstance(norm_type, str) and norm_type.lower() in ("inf", "infinity"):
        norm_type = math.inf  # PyTorch documents norm_type='inf' for the max norm
    if isinstance(norm_type, bool) or not isinstance(norm_type, numbers.Real) or math.isnan(norm_type):
        raise ValueError(f"{op}: norm_type must be a real number or 'inf', got {norm_type!r}")
    norm_type = float(norm_type)
    grads = _grads(op, parameters)
    if not grads:
        return Tensor(xp.zeros((), dtype=xp.float32))
    norms = [_vector_norm(g, norm_type, op) for g in grads]
    total = _vector_norm(xp.stack(norms), norm_type, op)  # mixed float32/float64 grads: float64
    if error_if_nonfinite and not xp.isfinite(total):
        raise RuntimeError(f"{op}: the total gradient norm of order {norm_type} is {float(total)}, non-finite, so "
                           "it cannot be clipped; pass error_if_nonfinite=False to scale by it anyway")
    with xp.errstate(divide="ignore", invalid="ignore"):
        coef = xp.minimum(total.dtype.type(max_norm) / (total + total.dtype.type(1e-6)), 1)  # NaN stays NaN
    if coef != 1:
        with xp.errstate(invalid="ignore"):  # inf * 0 = NaN, as PyTorch
            for g in grads:
                g *= coef.astype(g.dtype)
    return Tensor(total)


def clip_grad_value_(parameters: Tensor | Iterable[Tensor], clip_value: float, foreach: bool | None = None) -> None:
    """Clamp every gradient element into [-clip_value, clip_value] in place (None grads skipped; NaN stays NaN).

    >>> w = gn.zeros(2, requires_grad=True); w.grad = np.array([-5.0, 0.5], dtype=np.float32)
    >>> clip_grad_value_([w], 1.0); w.grad.tolist()
    [-1.0, 0.5]
    """
    clip_value = _check_number("clip_grad_value_", "clip_value", clip_value)
    for g in _grads("clip_grad_value_", parameters):
        xp.clip(g, -clip_value, clip_value, out=g)
