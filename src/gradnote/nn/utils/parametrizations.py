"""Weight normalisation and spectral normalisation as parametrizations (PyTorch's
``torch.nn.utils.parametrizations``). The math lives here once; the older hook-based ``nn.utils.weight_norm`` and
``nn.utils.spectral_norm`` (nn/utils/hook_norms.py) call the same functions.
"""

from __future__ import annotations

from ...autograd import Tensor
from ...backend import xp
from ...random import get_rng
from ..module import Module
from . import parametrize

__all__ = ["spectral_norm", "weight_norm"]


# ------------------------------------------------------------------------------------------- weight norm
def norm_except_dim(v: Tensor, dim: int) -> Tensor:
    """||v||_2 over every axis but `dim`, kept as size-1 axes (dim=-1: the norm of the whole tensor, 0-d, as
    torch.norm_except_dim)."""
    if dim == -1:
        return (v * v).sum().sqrt()
    axes = tuple(a for a in range(v.ndim) if a != dim)
    return (v * v).sum(dim=axes, keepdim=True).sqrt() if axes else v.abs()


def weight_norm_value(g: Tensor, v: Tensor, dim: int) -> Tensor:
    """w = g * v / ||v|| (the norm over every axis but `dim`): direction from v, length from g."""
    return v * (g / norm_except_dim(v, dim))


class _WeightNorm(Module):
    def __init__(self, dim: int):
        super().__init__()
        self.dim = dim

    def forward(self, weight_g: Tensor, weight_v: Tensor) -> Tensor:
        return weight_norm_value(weight_g, weight_v, self.dim)

    def right_inverse(self, weight: Tensor) -> tuple:
        return norm_except_dim(weight, self.dim), weight


def _dim(op: str, weight, dim: int | None) -> int:
    if dim is None:
        return -1
    if not -weight.ndim <= dim < max(weight.ndim, 1):
        raise IndexError(f"{op}: dim {dim} is out of range for a weight of {weight.ndim} dimension(s)")
    return dim if dim == -1 else dim % max(weight.ndim, 1)


def weight_norm(module: Module, name: str = "weight", dim: int | None = 0) -> Module:
    """Reparametrize ``module.<name>`` as g * v / ||v||, the norm over every axis but `dim` (dim=None: the whole
    tensor); g is ``parametrizations.<name>.original0``, v ``original1`` (Salimans & Kingma, 2016). Returns module.

    >>> m = weight_norm(nn.Linear(3, 2)); sorted(m.state_dict())
    ['bias', 'parametrizations.weight.original0', 'parametrizations.weight.original1']
    """
    dim = _dim("weight_norm", getattr(module, name), dim)
    return parametrize.register_parametrization(module, name, _WeightNorm(dim), unsafe=True)


# ------------------------------------------------------------------------------------------- spectral norm
def _to_matrix(weight, dim: int):
    """(out, in...) -> (size of `dim`, everything else): the matrix whose largest singular value is sigma."""
    if dim != 0:
        weight = weight.movedim(dim, 0) if isinstance(weight, Tensor) else xp.moveaxis(weight, dim, 0)
    return weight.reshape(weight.shape[0], -1)


def _normalize(a, eps: float):
    return a / max(float(xp.linalg.norm(a)), eps)


def power_iteration_(w, u, v, n: int, eps: float, v_first: bool = False) -> None:
    """n steps of the power method on the matrix w (an array), in place on the unit vectors u (left) and v
    (v_first: each step updates v before u, as the older hook-based spectral_norm)."""
    for _ in range(n):
        if v_first:
            v[...] = _normalize(w.T @ u, eps)
        u[...] = _normalize(w @ v, eps)
        if not v_first:
            v[...] = _normalize(w.T @ u, eps)


def spectral_value(weight: Tensor, u, v, dim: int) -> Tensor:
    """weight / sigma with sigma = u^T W v, differentiable in weight (u, v held constant, as PyTorch)."""
    w = _to_matrix(weight, dim)
    sigma = (w * Tensor._wrap((u[:, None] * v[None, :]).astype(w.data.dtype))).sum()
    return weight / sigma


def unit_vectors(weight, dim: int, eps: float) -> tuple:
    """Random unit vectors u (rows) and v (columns) for the power method, drawn from gradnote's generator."""
    h, w = _to_matrix(weight, dim).shape
    rng, dtype = get_rng(), weight.dtype
    return _normalize(rng.standard_normal(h).astype(dtype), eps), _normalize(rng.standard_normal(w).astype(dtype), eps)


class _SpectralNorm(Module):
    def __init__(self, weight: Tensor, n_power_iterations: int = 1, dim: int = 0, eps: float = 1e-12):
        super().__init__()
        if not -weight.ndim <= dim < max(weight.ndim, 1):
            raise IndexError(f"spectral_norm: dim {dim} is out of range for a weight of {weight.ndim} dimension(s)")
        if n_power_iterations <= 0:
            raise ValueError(f"spectral_norm: n_power_iterations must be positive, got {n_power_iterations}")
        self.dim = dim % max(weight.ndim, 1)
        self.eps = eps
        self.n_power_iterations = n_power_iterations
        if weight.ndim > 1:
            u, v = unit_vectors(weight.data, self.dim, eps)
            power_iteration_(_to_matrix(weight.data, self.dim), u, v, 15, eps)  # start near the top singular pair
            self.register_buffer("_u", u)
            self.register_buffer("_v", v)

    def forward(self, weight: Tensor) -> Tensor:
        if weight.ndim == 1:
            norm = (weight * weight).sum().sqrt().clamp(min=self.eps)
            return weight / norm
        if self.training:
            power_iteration_(_to_matrix(weight.data, self.dim), self._u, self._v, self.n_power_iterations, self.eps)
        return spectral_value(weight, self._u.copy(), self._v.copy(), self.dim)

    def right_inverse(self, value: Tensor) -> Tensor:
        return value


def _default_dim(module: Module) -> int:
    """1 for transposed convolutions (their weight is (in, out, ...)), else 0."""
    from ..conv import ConvTranspose2d
    from ..conv_transpose1d import ConvTranspose1d

    return 1 if isinstance(module, (ConvTranspose1d, ConvTranspose2d)) else 0


def spectral_norm(module: Module, name: str = "weight", n_power_iterations: int = 1, eps: float = 1e-12,
                  dim: int | None = None) -> Module:
    """Reparametrize ``module.<name>`` as W / sigma(W), sigma the largest singular value estimated by power
    iteration (Miyato et al., 2018): each access in training mode runs `n_power_iterations` steps on the buffers
    ``parametrizations.<name>.0._u`` / ``._v``; eval mode reuses them. dim: the output axis (default 0, 1 for
    transposed convolutions). Returns module.

    >>> m = spectral_norm(nn.Linear(3, 2)); sorted(m.state_dict())
    ['bias', 'parametrizations.weight.0._u', 'parametrizations.weight.0._v', 'parametrizations.weight.original']
    """
    weight = getattr(module, name, None)
    if not isinstance(weight, Tensor):
        raise ValueError(f"spectral_norm: module {type(module).__name__} has no parameter or buffer named {name!r}")
    dim = _default_dim(module) if dim is None else dim
    return parametrize.register_parametrization(module, name, _SpectralNorm(weight, n_power_iterations, dim, eps))
