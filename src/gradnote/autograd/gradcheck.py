"""Finite-difference gradient check in float64."""

from __future__ import annotations

from .. import backend
from ..backend import xp
from .function import no_grad
from .tensor import Tensor


def _as_float64(inputs):
    """float32 inputs are copied to float64; float64 ones are used as given (so a module's
    own float64 parameters can be passed and perturbed in place, then restored)."""
    out = []
    for x in inputs:
        if isinstance(x, Tensor) and x.data.dtype.kind == "f" and x.data.dtype != backend.float64:
            out.append(Tensor(x.data.astype(backend.float64), requires_grad=x.requires_grad))
        else:
            out.append(x)
    return out


def _outputs(result):
    return list(result) if isinstance(result, (tuple, list)) else [result]


def gradcheck(fn, inputs, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
              raise_exception: bool = False) -> bool:
    """Compare autograd gradients of fn(*inputs) with central finite differences.

    Floating inputs are copied to float64; those with requires_grad are checked.
    Non-scalar outputs are projected on a fixed random direction v, so the check
    covers the vector-Jacobian product v^T J that backward computes.
    Returns True when every gradient matches within atol + rtol * |numeric|;
    with raise_exception=True a mismatch raises AssertionError with details.
    """
    inputs = _as_float64(inputs if isinstance(inputs, (tuple, list)) else [inputs])
    wrt = [x for x in inputs if isinstance(x, Tensor) and x.requires_grad]
    if not wrt:
        raise ValueError("gradcheck: no input has requires_grad=True")
    outs = _outputs(fn(*inputs))
    rng = xp.random.default_rng(1234)
    directions = [rng.standard_normal(o.shape) for o in outs]

    def objective() -> float:
        with no_grad():
            return float(sum((o.data.astype(backend.float64) * v).sum() for o, v in zip(_outputs(fn(*inputs)), directions)))

    for x in wrt:
        x.grad = None
    total = sum((o * Tensor._wrap(v.astype(o.data.dtype))).sum() for o, v in zip(outs, directions) if o.requires_grad)
    if isinstance(total, Tensor):
        total.backward()

    ok = True
    for k, x in enumerate(wrt):
        analytic = x.grad if x.grad is not None else xp.zeros_like(x.data)
        numeric = xp.zeros_like(x.data)
        # perturb through multi-indices: reshape(-1) of a non-contiguous array is a copy, not the tensor
        for i in xp.ndindex(x.data.shape):
            orig = x.data[i]
            x.data[i] = orig + eps
            plus = objective()
            x.data[i] = orig - eps
            minus = objective()
            x.data[i] = orig
            numeric[i] = (plus - minus) / (2 * eps)
        if analytic.shape != numeric.shape or not xp.allclose(analytic, numeric, atol=atol, rtol=rtol):
            ok = False
            if raise_exception:
                err = xp.abs(analytic - numeric).max() if analytic.shape == numeric.shape else "shape"
                raise AssertionError(
                    f"gradcheck: input {k} (shape {x.shape}) gradient mismatch, max abs error {err}\n"
                    f"analytic:\n{analytic}\nnumeric:\n{numeric}"
                )
    return ok
