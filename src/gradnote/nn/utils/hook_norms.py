"""The older, hook-based ``nn.utils.weight_norm`` / ``remove_weight_norm`` and ``nn.utils.spectral_norm`` /
``remove_spectral_norm``: the same math as the parametrizations (nn/utils/parametrizations.py), recomputed into a
plain attribute by a forward pre-hook. State-dict names as PyTorch: ``weight_g``, ``weight_v``; ``weight_orig``,
``weight_u``, ``weight_v``. New code should prefer ``nn.utils.parametrizations``.
"""

from __future__ import annotations

from ..module import Module, Parameter
from .parametrizations import (
    _default_dim,
    _dim,
    _to_matrix,
    norm_except_dim,
    power_iteration_,
    spectral_value,
    unit_vectors,
    weight_norm_value,
)

__all__ = ["remove_spectral_norm", "remove_weight_norm", "spectral_norm", "weight_norm"]


def _hooks(module: Module) -> dict:
    return module.__dict__.setdefault("_norm_hooks", {})


def weight_norm(module: Module, name: str = "weight", dim: int | None = 0) -> Module:
    """w = g * v / ||v|| before every forward, from parameters ``<name>_g`` and ``<name>_v`` (dim: the axis
    kept, None for the whole tensor). Returns module.

    >>> m = nn.utils.weight_norm(nn.Linear(3, 2)); sorted(m.state_dict())
    ['bias', 'weight_g', 'weight_v']
    """
    if (name, "weight_norm") in _hooks(module):
        raise RuntimeError(f"weight_norm: cannot register two weight_norm hooks on the same parameter {name!r}")
    weight = module._parameters.get(name)
    if weight is None:
        raise ValueError(f"weight_norm: module {type(module).__name__} has no parameter {name!r}")
    dim = _dim("weight_norm", weight, dim)
    delattr(module, name)
    setattr(module, f"{name}_g", Parameter(norm_except_dim(weight, dim).detach()))
    setattr(module, f"{name}_v", Parameter(weight.detach()))

    def compute(mod, inputs):
        setattr(mod, name, weight_norm_value(getattr(mod, f"{name}_g"), getattr(mod, f"{name}_v"), dim))

    compute(module, ())
    _hooks(module)[name, "weight_norm"] = module.register_forward_pre_hook(compute), compute
    return module


def remove_weight_norm(module: Module, name: str = "weight") -> Module:
    """Fold ``<name>_g`` and ``<name>_v`` back into one parameter ``<name>`` and drop the hook."""
    entry = _hooks(module).pop((name, "weight_norm"), None)
    if entry is None:
        raise ValueError(f"remove_weight_norm: weight_norm of {name!r} not found in {type(module).__name__}")
    handle, compute = entry
    handle.remove()
    compute(module, ())
    weight = getattr(module, name)
    delattr(module, name)
    delattr(module, f"{name}_g")
    delattr(module, f"{name}_v")
    setattr(module, name, Parameter(weight.detach()))
    return module


def spectral_norm(module: Module, name: str = "weight", n_power_iterations: int = 1, eps: float = 1e-12,
                  dim: int | None = None) -> Module:
    """W / sigma(W) before every forward, from parameter ``<name>_orig`` and power-iteration buffers ``<name>_u``,
    ``<name>_v`` (one or more steps per forward in training mode). Returns module.

    >>> m = nn.utils.spectral_norm(nn.Linear(3, 2)); sorted(m.state_dict())
    ['bias', 'weight_orig', 'weight_u', 'weight_v']
    """
    if (name, "spectral_norm") in _hooks(module):
        raise RuntimeError(f"spectral_norm: cannot register two spectral_norm hooks on the same parameter {name!r}")
    weight = module._parameters.get(name)
    if weight is None:
        raise ValueError(f"spectral_norm: module {type(module).__name__} has no parameter {name!r}")
    if n_power_iterations <= 0:
        raise ValueError(f"spectral_norm: n_power_iterations must be positive, got {n_power_iterations}")
    dim = (_default_dim(module) if dim is None else dim) % max(weight.ndim, 1)
    delattr(module, name)
    setattr(module, f"{name}_orig", weight)
    u, v = unit_vectors(weight.data, dim, eps)
    module.register_buffer(f"{name}_u", u)
    module.register_buffer(f"{name}_v", v)

    def compute(mod, inputs, iterate=True):
        w = getattr(mod, f"{name}_orig")
        bu, bv = getattr(mod, f"{name}_u"), getattr(mod, f"{name}_v")
        if mod.training and iterate:
            power_iteration_(_to_matrix(w.data, dim), bu, bv, n_power_iterations, eps, v_first=True)
        setattr(mod, name, spectral_value(w, bu.copy(), bv.copy(), dim))

    compute(module, (), iterate=False)
    _hooks(module)[name, "spectral_norm"] = module.register_forward_pre_hook(compute), compute
    return module


def remove_spectral_norm(module: Module, name: str = "weight") -> Module:
    """Replace ``<name>_orig`` and its buffers by one parameter ``<name>`` = W / sigma with the current u, v."""
    entry = _hooks(module).pop((name, "spectral_norm"), None)
    if entry is None:
        raise ValueError(f"remove_spectral_norm: spectral_norm of {name!r} not found in {type(module).__name__}")
    handle, compute = entry
    handle.remove()
    compute(module, (), iterate=False)
    weight = getattr(module, name)
    for attr in (name, f"{name}_orig", f"{name}_u", f"{name}_v"):
        delattr(module, attr)
        module.__dict__.get("_buffer_names", set()).discard(attr)
    setattr(module, name, Parameter(weight.detach()))
    return module


