"""torch.linalg: matrix functions over NumPy's LAPACK, on stacks of matrices (..., n, n) as PyTorch.

Differentiable where the backward is short: inv, solve, det, slogdet's logabsdet, cholesky, the eigenvalues
of eigh/eigvalsh, svdvals, the norms and cross. The other outputs (svd's and qr's factors, eigh's
eigenvectors, pinv, lstsq) carry a node whose backward raises, naming the op, so a gradient that would
need them is never silently dropped.

    x = gn.linalg.solve(A, b)          # A: (n, n), b: (n,) or (n, k)
"""

from __future__ import annotations

import math
import numbers
from typing import NamedTuple

from .. import backend
from ..backend import xp
from .arithmetic import lift
from .axes import one_dim
from .function import Function
from .indexing import index_select
from .shape import concat
from .tensor import Tensor


def _mT(a):  # noqa: N802 - the matrix transpose of a stack
    return xp.swapaxes(a, -1, -2)


def _square(op: str, A: Tensor) -> Tensor:
    A = lift(A)
    if A.ndim < 2 or A.shape[-1] != A.shape[-2]:
        raise ValueError(f"linalg.{op}: expects square matrices (..., n, n), got shape {A.shape}")
    if A.data.dtype.kind != "f":
        raise TypeError(f"linalg.{op}: expects a floating tensor, got {A.dtype}")
    return A


def _lapack(op: str, fn, *arrays):
    try:
        return fn(*arrays)
    except xp.linalg.LinAlgError as e:
        raise RuntimeError(f"linalg.{op}: {e} (the input is singular or not positive definite)") from None


class NoGradient(Function):
    """An output computed outside autograd: forward passes it through; backward raises naming the op."""

    saves = False

    def forward(self, a, out, op):
        self.op = op
        return out

    def backward(self, g):
        raise NotImplementedError(f"linalg.{self.op}: gradients through this output are not implemented in "
                                  "gradnote; compute it under no_grad(), or use a differentiable op (inv, solve, "
                                  "det, cholesky, eigvalsh, svdvals)")


def _no_grad_output(A: Tensor, out, op: str) -> Tensor:
    return NoGradient.apply(A, out=out, op=op) if A.requires_grad else Tensor._wrap(out)


# ----- inverse, solve, determinants -------------------------------------------------------------
class Inv(Function):
    """Y = A^-1; dA = -Y^T g Y^T."""

    def forward(self, a):
        self.y = _lapack("inv", xp.linalg.inv, a)
        return self.y

    def backward(self, g):
        yt = _mT(self.y)
        return -(yt @ g @ yt)


def inv(A) -> Tensor:
    """The inverse of each square matrix in A (..., n, n).

    >>> gn.linalg.inv(gn.tensor([[2.0, 0.0], [0.0, 4.0]])).tolist()
    [[0.5, 0.0], [0.0, 0.25]]
    """
    return Inv.apply(_square("inv", A))


class Solve(Function):
    """X = A^-1 B; dB = A^-T g, dA = -dB X^T."""

    def forward(self, a, b):
        self.a = a
        self.x = _lapack("solve", xp.linalg.solve, a, b)
        return self.x

    def backward(self, g):
        gb = _lapack("solve", xp.linalg.solve, _mT(self.a), g)
        return (-(gb @ _mT(self.x)) if self.needs[0] else None), gb


def solve(A, B, *, left: bool = True) -> Tensor:
    """X with A X = B (left=False: X A = B). A: (..., n, n); B: (..., n, k), or (n,)/(..., n) for one vector.

    >>> gn.linalg.solve(gn.tensor([[2.0, 0.0], [0.0, 4.0]]), gn.tensor([2.0, 2.0])).tolist()
    [1.0, 0.5]
    """
    A, B = _square("solve", A), lift(B)
    if not left:
        return solve(A.mT, B.mT).mT
    vector = B.ndim == 1 or (B.ndim == A.ndim - 1 and B.shape == A.shape[:-1])
    Bm = B.unsqueeze(-1) if vector else B
    if Bm.shape[-2] != A.shape[-1]:
        raise ValueError(f"linalg.solve: A of shape {A.shape} and B of shape {B.shape} do not fit (A X = B)")
    X = Solve.apply(A, Bm.to(A.dtype))
    return X.squeeze(-1) if vector else X


class Det(Function):
    """d = det(A); dA = g d A^-T."""

    def forward(self, a):
        self.a, self.d = a, xp.linalg.det(a)
        return self.d

    def backward(self, g):
        return (g * self.d)[..., None, None] * _mT(_lapack("det", xp.linalg.inv, self.a))


def det(A) -> Tensor:
    """The determinant of each matrix: (..., n, n) -> (...)."""
    return Det.apply(_square("det", A))


class LogAbsDet(Function):
    """log|det A|; dA = g A^-T."""

    def forward(self, a):
        self.a = a
        return xp.linalg.slogdet(a)[1]

    def backward(self, g):
        return g[..., None, None] * _mT(_lapack("slogdet", xp.linalg.inv, self.a))


class SignLogAbsDet(NamedTuple):
    sign: Tensor
    logabsdet: Tensor


def slogdet(A) -> SignLogAbsDet:
    """(sign, log|det|) of each matrix; logabsdet is differentiable."""
    A = _square("slogdet", A)
    sign = Tensor._wrap(xp.linalg.slogdet(A.data)[0].astype(A.dtype))
    return SignLogAbsDet(sign, LogAbsDet.apply(A))


def logdet(A) -> Tensor:
    """log det A (NaN where the determinant is negative, as PyTorch)."""
    s, la = slogdet(A)
    return la + Tensor._wrap(xp.where(s.data < 0, xp.nan, xp.where(s.data == 0, -xp.inf, 0)).astype(s.dtype))


# ----- factorisations --------------------------------------------------------------------------
class Cholesky(Function):
    """L with A = L L^T; dA = sym(L^-T Phi(L^T gL) L^-1), Phi: the lower triangle with half the diagonal."""

    def forward(self, a):
        self.l = _lapack("cholesky", xp.linalg.cholesky, a)
        return self.l

    def backward(self, g):
        n = self.l.shape[-1]
        p = xp.tril(_mT(self.l) @ g)
        p = p - 0.5 * backend.like(xp.eye(n, dtype=p.dtype), p) * p
        linv = xp.linalg.inv(self.l)
        s = _mT(linv) @ p @ linv
        return 0.5 * (s + _mT(s))


def cholesky(A, *, upper: bool = False) -> Tensor:
    """The Cholesky factor of symmetric positive-definite matrices: lower L with A = L L^T (upper: L^T)."""
    L = Cholesky.apply(_square("cholesky", A))
    return L.mT if upper else L


class EigValsH(Function):
    """Eigenvalues of a symmetric matrix (ascending); dA = V diag(g) V^T."""

    def forward(self, a, uplo):
        w, self.v = xp.linalg.eigh(a, UPLO=uplo)
        return w

    def backward(self, g):
        return (self.v * g[..., None, :]) @ _mT(self.v)


class EigH(NamedTuple):
    eigenvalues: Tensor
    eigenvectors: Tensor


def eigh(A, UPLO: str = "L") -> EigH:  # noqa: N803 - torch's name
    """Eigenvalues (ascending, differentiable) and eigenvectors (columns; no gradient) of symmetric matrices."""
    A = _square("eigh", A)
    if UPLO not in ("L", "U"):
        raise ValueError(f"linalg.eigh: UPLO must be 'L' or 'U', got {UPLO!r}")
    vectors = xp.linalg.eigh(A.data, UPLO=UPLO)[1]
    return EigH(EigValsH.apply(A, uplo=UPLO), _no_grad_output(A, vectors, "eigh (eigenvectors)"))


def eigvalsh(A, UPLO: str = "L") -> Tensor:  # noqa: N803
    """The eigenvalues of symmetric matrices, ascending (differentiable)."""
    return EigValsH.apply(_square("eigvalsh", A), uplo=UPLO)


def eig(A):
    raise NotImplementedError("linalg.eig: eigenvalues of a general matrix are complex, and gradnote is "
                              "real-valued; use linalg.eigh for symmetric matrices")


eigvals = eig


class SvdVals(Function):
    """Singular values (descending); dA = U diag(g) Vh."""

    def forward(self, a):
        self.u, s, self.vh = xp.linalg.svd(a, full_matrices=False)
        return s

    def backward(self, g):
        return (self.u * g[..., None, :]) @ self.vh


def _matrix(op: str, A) -> Tensor:
    A = lift(A)
    if A.ndim < 2 or A.data.dtype.kind != "f":
        raise ValueError(f"linalg.{op}: expects a floating tensor of matrices (..., m, n), got {A.dtype} {A.shape}")
    return A


def svdvals(A) -> Tensor:
    """The singular values of each matrix (..., m, n) -> (..., min(m, n)), descending (differentiable)."""
    return SvdVals.apply(_matrix("svdvals", A))


class SVD(NamedTuple):
    U: Tensor
    S: Tensor
    Vh: Tensor


def svd(A, full_matrices: bool = True) -> SVD:
    """A = U diag(S) Vh. S is differentiable; U and Vh are not (their backward raises)."""
    A = _matrix("svd", A)
    u, _, vh = xp.linalg.svd(A.data, full_matrices=full_matrices)
    return SVD(_no_grad_output(A, u, "svd (U)"), svdvals(A), _no_grad_output(A, vh, "svd (Vh)"))


class QR(NamedTuple):
    Q: Tensor
    R: Tensor


def qr(A, mode: str = "reduced") -> QR:
    """A = Q R (mode "reduced", "complete" or "r"); no gradient (the backward raises)."""
    A = _matrix("qr", A)
    if mode not in ("reduced", "complete", "r"):
        raise ValueError(f"linalg.qr: mode must be 'reduced', 'complete' or 'r', got {mode!r}")
    if mode == "r":
        r = xp.linalg.qr(A.data, mode="r")
        return QR(Tensor._wrap(xp.zeros((0,), A.dtype)), _no_grad_output(A, r, "qr (R)"))
    q, r = xp.linalg.qr(A.data, mode=mode)
    return QR(_no_grad_output(A, q, "qr (Q)"), _no_grad_output(A, r, "qr (R)"))


def pinv(A, *, atol=None, rtol=None, hermitian: bool = False) -> Tensor:
    """The Moore-Penrose pseudo-inverse (no gradient: the backward raises)."""
    A = _matrix("pinv", A)
    rcond = 1e-15 if rtol is None else rtol
    return _no_grad_output(A, xp.linalg.pinv(A.data, rcond=rcond, hermitian=hermitian), "pinv")


class LstSq(NamedTuple):
    solution: Tensor
    residuals: Tensor
    rank: Tensor
    singular_values: Tensor


def lstsq(A, B, rcond=None, *, driver=None) -> LstSq:
    """The least-squares solution X of A X = B (A: (..., m, n), B: (..., m, k)); residuals, rank and
    singular values as NumPy computes them (PyTorch's default CPU driver leaves residuals empty)."""
    A, B = _matrix("lstsq", A), lift(B)
    vector = B.ndim == A.ndim - 1
    b = B.data[..., None] if vector else B.data
    batch = xp.broadcast_shapes(A.shape[:-2], b.shape[:-2])
    a2 = xp.broadcast_to(A.data, batch + A.shape[-2:]).reshape(-1, *A.shape[-2:])
    b2 = xp.broadcast_to(b, batch + b.shape[-2:]).reshape(-1, *b.shape[-2:])
    parts = [xp.linalg.lstsq(a, bb, rcond=rcond) for a, bb in zip(a2, b2)]
    x = xp.stack([p[0] for p in parts]).reshape(batch + (A.shape[-1], b.shape[-1]))
    res = xp.stack([p[1] for p in parts]) if parts and all(p[1].size for p in parts) else xp.zeros(0, A.dtype)
    rank = xp.array([p[2] for p in parts], dtype=xp.int64).reshape(batch)
    sv = xp.stack([p[3] for p in parts]).reshape(batch + (-1,)) if parts else xp.zeros(0, A.dtype)
    x = x[..., 0] if vector else x
    return LstSq(_no_grad_output(A, x.astype(A.dtype), "lstsq"), Tensor._wrap(res.astype(A.dtype)),
                 Tensor._wrap(rank), Tensor._wrap(sv.astype(A.dtype)))


def matrix_rank(A, *, atol=None, rtol=None, hermitian: bool = False, tol=None) -> Tensor:
    """The number of singular values above the tolerance (int64)."""
    A = _matrix("matrix_rank", A)
    return Tensor._wrap(xp.asarray(xp.linalg.matrix_rank(A.data, tol=tol if tol is not None else atol,
                                                          hermitian=hermitian), dtype=xp.int64))


# ----- norms -------------------------------------------------------------------------------------
def vector_norm(x, ord=2, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:  # noqa: A002
    """(sum |x|^ord)^(1/ord) over `dim` (None: all elements); inf: max |x|, -inf: min |x|, 0: the count of
    non-zeros.

    >>> gn.linalg.vector_norm(gn.tensor([3.0, 4.0])).item()
    5.0
    """
    x = lift(x) if dtype is None else lift(x).to(dtype)
    if x.data.dtype.kind != "f":
        raise TypeError(f"linalg.vector_norm: expects a floating tensor, got {x.dtype}")
    if not isinstance(ord, numbers.Real):
        raise ValueError(f"linalg.vector_norm: ord must be a number (or inf), got {ord!r}")
    if ord == -math.inf:
        return x.abs().amin(dim, keepdim)
    if ord == 0:
        return (x != 0).sum(dim=dim, keepdim=keepdim).to(x.dtype)
    return x.norm(ord, dim, keepdim)


def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim: bool = False, *, dtype=None) -> Tensor:  # noqa: A002
    """Matrix norms over the two dims `dim`: "fro", "nuc" (sum of singular values), inf / -inf (max / min
    row sum of |A|), 1 / -1 (max / min column sum), 2 / -2 (largest / smallest singular value)."""
    A = _matrix("matrix_norm", A if dtype is None else lift(A).to(dtype))
    d0, d1 = (one_dim("matrix_norm", d, A.ndim) for d in dim)
    if d0 == d1:
        raise ValueError(f"linalg.matrix_norm: dim must be two different dims, got {dim}")
    if ord == "fro":
        out = (A * A).sum(dim=(d0, d1), keepdim=keepdim).sqrt()
        return out
    if ord in ("nuc", 2, -2):
        s = svdvals(A.movedim((d0, d1), (-2, -1)))
        out = s.sum(-1) if ord == "nuc" else s.amax(-1) if ord == 2 else s.amin(-1)
    elif ord in (math.inf, -math.inf, 1, -1):
        rows_dim, cols_dim = (d1, d0) if ord in (math.inf, -math.inf) else (d0, d1)
        sums = A.abs().sum(dim=rows_dim, keepdim=True)
        out = sums.amax(cols_dim, keepdim=True) if ord > 0 else sums.amin(cols_dim, keepdim=True)
        return out if keepdim else out.squeeze((d0, d1))
    else:
        raise ValueError(f"linalg.matrix_norm: ord must be 'fro', 'nuc', inf, -inf, 1, -1, 2 or -2, got {ord!r}")
    if keepdim:
        out = out.unsqueeze(min(d0, d1)).unsqueeze(max(d0, d1))
    return out


def norm(A, ord=None, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:  # noqa: A002
    """torch.linalg.norm: a vector norm for one dim (or, with ord None, over all elements); a matrix norm
    for two dims (or a 2-D input with an ord and no dim)."""
    A = lift(A)
    if isinstance(dim, numbers.Integral):
        dim = (dim,)
    if ord is None:
        if dim is not None and len(dim) == 2:
            return matrix_norm(A, "fro", dim, keepdim, dtype=dtype)
        return vector_norm(A, 2, dim, keepdim, dtype=dtype)
    if dim is None:
        if A.ndim not in (1, 2):
            raise ValueError(f"linalg.norm: with ord and no dim the input must be 1-D or 2-D, got shape {A.shape}")
        dim = tuple(range(A.ndim))
    if len(dim) == 2:
        return matrix_norm(A, ord, dim, keepdim, dtype=dtype)
    return vector_norm(A, ord, dim, keepdim, dtype=dtype)


def cross(input, other, *, dim: int = -1) -> Tensor:  # noqa: A002
    """torch.linalg.cross: the cross product of 3-vectors along `dim`; differentiable, the inputs broadcast.

    >>> gn.linalg.cross(gn.tensor([1.0, 0.0, 0.0]), gn.tensor([0.0, 1.0, 0.0])).tolist()
    [0.0, 0.0, 1.0]
    """
    return torch_cross(input, other, dim)


def torch_cross(input, other, dim=None) -> Tensor:  # noqa: A002
    """torch.cross / Tensor.cross: as linalg.cross, but dim=None takes the first dim of size 3."""
    a, b = lift(input), lift(other)
    shape = xp.broadcast_shapes(a.shape, b.shape)
    a, b = a.expand(*shape), b.expand(*shape)
    if dim is None:
        dim = next((i for i, n in enumerate(shape) if n == 3), None)
        if dim is None:
            raise ValueError(f"cross: no dim of size 3 in the shape {tuple(shape)}")
    d = one_dim("cross", dim, len(shape))
    if shape[d] != 3:
        raise ValueError(f"cross: dim {dim} must have size 3, got shape {tuple(shape)}")

    def part(t, i):
        return index_select(t, d, Tensor._wrap(backend.like(xp.array([i], dtype=xp.int64), t.data)))

    comps = [part(a, (i + 1) % 3) * part(b, (i + 2) % 3) - part(a, (i + 2) % 3) * part(b, (i + 1) % 3)
             for i in range(3)]
    return concat(comps, d)


def matrix_power(A, n: int) -> Tensor:
    """A^n by repeated products (n < 0: of the inverse)."""
    A = _square("matrix_power", A)
    if not isinstance(n, numbers.Integral):
        raise TypeError(f"linalg.matrix_power: n must be an int, got {n!r}")
    base = inv(A) if n < 0 else A
    out = Tensor._wrap(xp.broadcast_to(xp.eye(A.shape[-1], dtype=A.dtype), A.shape).copy())
    for _ in range(abs(int(n))):
        out = out @ base
    return out


def multi_dot(tensors) -> Tensor:
    """The product of a chain of matrices (first and last may be vectors), left to right."""
    out = lift(tensors[0])
    for t in tensors[1:]:
        out = out @ lift(t)
    return out
