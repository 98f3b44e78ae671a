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

from ...autograd import Tensor
from ...backend import xp

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


def clip_grad_norm_(parameters: Tensor | Iterable[Tensor], max_norm: float, norm_type: float = 2.0,
                    error_if_nonfinite: bool = False) -> float:
    """Rescale gradients in place so their joint norm is at most ``max_norm``; return the norm before.

    The joint norm treats all gradients as one long vector (norm_type inf, or "inf" as PyTorch allows):
        total = (sum_i ||g_i||_p^p)^(1/p)      (p = inf: max_i |g_i|)
    and, as PyTorch, every gradient is multiplied by min(1, max_norm / (total + 1e-6)).
    Parameters whose ``.grad`` is None are skipped. With ``error_if_nonfinite`` a NaN or
    infinite total raises RuntimeError instead of spreading NaN into every gradient.
    """
    op = "clip_grad_norm_"
    max_norm = _check_number(op, "max_norm", max_norm)
    if isinstance(norm_type, str) and norm_type.lower() in ("inf", "infinity"):
        norm_type = math.inf  # PyTorch documents norm_type='inf' for the max norm
    norm_type = float(_check_number(op, "norm_type", norm_type))
    if norm_type == 0:
        raise ValueError(f"{op}: norm_type must be > 0 (or inf), got {norm_type!r}")
    grads = _grads(op, parameters)
    if not grads:
        return 0.0
    if math.isinf(norm_type):
        total = max(float(xp.abs(g).max()) if g.size else 0.0 for g in grads)
    else:
        # per-gradient norms first (as PyTorch), then the norm of those norms
        norms = xp.array([xp.linalg.norm(g.reshape(-1), ord=norm_type) for g in grads], dtype=xp.float64)
        total = float(xp.linalg.norm(norms, ord=norm_type))
    if error_if_nonfinite and not math.isfinite(total):
        raise RuntimeError(f"{op}: the total gradient norm of order {norm_type} is {total}; "
                           "pass error_if_nonfinite=False to clip anyway")
    coef = max_norm / (total + 1e-6)
    if coef < 1.0:
        for g in grads:
            g *= g.dtype.type(coef)
    return total


def clip_grad_value_(parameters: Tensor | Iterable[Tensor], clip_value: float) -> None:
    """Clamp every gradient element into [-clip_value, clip_value] in place (None grads skipped).

    >>> w = gn.zeros(2, requires_grad=True); w.grad = np.array([-5.0, 0.5], dtype=np.float32)
    >>> clip_grad_value_([w], 1.0); w.grad.tolist()
    [-1.0, 0.5]
    """
    clip_value = _check_number("clip_grad_value_", "clip_value", clip_value)
    for g in _grads("clip_grad_value_", parameters):
        xp.clip(g, -clip_value, clip_value, out=g)
