"""Rows of the one op table (run by test_functional_ops.py) for the torch-namespace ops: torch.linalg,
torch.special, the rearranging/selecting ops and the fused products. NumPy (and, for a few special functions,
the standard library's math) references written here."""

from __future__ import annotations

import math

import numpy as np
from op_table import OpCase, normal, uniform

import gradnote as gn


def spd(n, batch=()):
    """A well-conditioned symmetric positive-definite matrix (stack)."""
    def make(rng):
        a = rng.standard_normal(batch + (n, n))
        return a @ np.swapaxes(a, -1, -2) + n * np.eye(n)
    return make


def well_conditioned(n, batch=()):
    return lambda rng: rng.standard_normal(batch + (n, n)) + 3 * np.eye(n)


def distinct(*shape):
    """Values far apart (no ties, so order-based gradients are well defined under finite differences)."""
    return lambda rng: rng.permutation(np.prod(shape, dtype=int)).reshape(shape) * 0.5 + rng.uniform(0, 0.1, shape)


def sym(a):
    return (a + a.mT) / 2


def np_sym(a):
    return (a + np.swapaxes(a, -1, -2)) / 2


def np_kth(a, k, axis):
    return np.sort(a, axis=axis).take(k - 1, axis=axis)


def np_mode_values(a):
    out = []
    for row in a.reshape(-1, a.shape[-1]):
        vals, counts = np.unique(row, return_counts=True)
        out.append(vals[np.argmax(counts)])
    return np.array(out).reshape(a.shape[:-1])


def np_unfold(a, size, step):
    return np.stack([a[..., i:i + size] for i in range(0, a.shape[-1] - size + 1, step)], axis=-2)


def np_cross(a, b):
    return np.cross(a, b, axis=-1)


def vec(f):
    return np.vectorize(f, otypes=[np.float64])


NAMESPACE_OPS = [
    # ----- torch.linalg -----
    OpCase("linalg.inv", gn.linalg.inv, [well_conditioned(3, (2,))], np.linalg.inv,
           bad=[(lambda: gn.linalg.inv(gn.zeros(2, 3)), ValueError, r"linalg.inv: expects square.*\(2, 3\)"),
                (lambda: gn.linalg.inv(gn.zeros(2, 2)), RuntimeError, "linalg.inv: .*singular")]),
    OpCase("linalg.solve-matrix", gn.linalg.solve, [well_conditioned(3), normal(3, 2)], np.linalg.solve,
           bad=[(lambda: gn.linalg.solve(gn.eye(3), gn.ones(2, 1)), ValueError, r"\(3, 3\).*\(2, 1\)")]),
    OpCase("linalg.solve-vector-batch", gn.linalg.solve, [well_conditioned(3, (2,)), normal(2, 3)],
           lambda a, b: np.linalg.solve(a, b[..., None])[..., 0]),
    OpCase("linalg.det", gn.linalg.det, [well_conditioned(3, (2,))], np.linalg.det),
    OpCase("linalg.slogdet", lambda a: gn.linalg.slogdet(a).logabsdet, [normal(3, 3)],
           lambda a: np.linalg.slogdet(a)[1]),
    OpCase("linalg.cholesky", lambda a: gn.linalg.cholesky(sym(a)), [spd(3, (2,))],
           lambda a: np.linalg.cholesky(np_sym(a))),
    OpCase("linalg.cholesky-upper", lambda a: gn.linalg.cholesky(sym(a), upper=True), [spd(2)],
           lambda a: np.linalg.cholesky(np_sym(a)).T),
    OpCase("linalg.eigvalsh", lambda a: gn.linalg.eigvalsh(sym(a)), [normal(4, 4)],
           lambda a: np.linalg.eigvalsh(np_sym(a))),
    OpCase("linalg.eigh-values", lambda a: gn.linalg.eigh(sym(a)).eigenvalues, [normal(2, 3, 3)],
           lambda a: np.linalg.eigvalsh(np_sym(a))),
    OpCase("linalg.svdvals", gn.linalg.svdvals, [normal(2, 4, 3)], lambda a: np.linalg.svd(a, compute_uv=False)),
    OpCase("linalg.vector_norm", lambda a: gn.linalg.vector_norm(a, 3, dim=1), [normal(2, 4)],
           lambda a: (np.abs(a) ** 3).sum(1) ** (1 / 3)),
    OpCase("linalg.vector_norm-inf", lambda a: gn.linalg.vector_norm(a, -math.inf), [distinct(5)],
           lambda a: np.abs(a).min()),
    OpCase("linalg.norm", gn.linalg.norm, [normal(3, 4)], lambda a: np.sqrt((a ** 2).sum())),
    *[OpCase(f"linalg.matrix_norm-{o}", lambda a, o=o: gn.linalg.matrix_norm(a, o), [distinct(2, 3, 4)],
             lambda a, o=o: np.linalg.norm(a, o, axis=(-2, -1)))
      for o in ("fro", "nuc", 2, -2, 1, -1, math.inf, -math.inf)],
    OpCase("linalg.cross", gn.linalg.cross, [normal(4, 3), normal(1, 3)], np_cross,
           bad=[(lambda: gn.linalg.cross(gn.ones(2), gn.ones(2)), ValueError, "cross: dim -1 must have size 3")]),
    OpCase("torch.cross-first-dim-of-3", gn.cross, [normal(3, 5), normal(3, 5)],
           lambda a, b: np.cross(a, b, axis=0)),
    # ----- torch.special -----
    OpCase("special.erf", gn.special.erf, [normal(3, 4)], vec(math.erf)),
    OpCase("special.erfc", gn.special.erfc, [normal(5)], vec(math.erfc)),
    OpCase("special.erfinv", gn.special.erfinv, [uniform(-0.9, 0.9, 6)],
           lambda a: np.array([_erfinv_by_bisection(v) for v in a])),
    OpCase("special.gammaln", gn.special.gammaln, [uniform(0.5, 4.0, 6)], vec(math.lgamma)),
    OpCase("special.digamma", gn.special.digamma, [uniform(0.5, 4.0, 6)],
           lambda a: _np_digamma(a)),
    OpCase("special.i0", gn.special.i0, [normal(5)], np.i0),
    OpCase("special.ndtr", gn.special.ndtr, [normal(5)], lambda a: 0.5 * (1 + vec(math.erf)(a / math.sqrt(2)))),
    OpCase("special.sinc", gn.special.sinc, [normal(6)], np.sinc),
    OpCase("special.entr", gn.special.entr, [uniform(0.1, 3.0, 5)], lambda a: -a * np.log(a)),
    OpCase("special.xlogy", gn.special.xlogy, [normal(3, 1), uniform(0.5, 2.0, 4)], lambda x, y: x * np.log(y)),
    OpCase("special.logit", gn.special.logit, [uniform(0.1, 0.9, 5)], lambda p: np.log(p / (1 - p))),
    # ----- selecting by order -----
    OpCase("kthvalue", lambda a: a.kthvalue(2, dim=1).values, [distinct(3, 4)], lambda a: np_kth(a, 2, 1)),
    OpCase("median-dim", lambda a: a.median(0).values, [distinct(4, 3)], lambda a: np_kth(a, 2, 0)),
    OpCase("median-all", lambda a: a.median(), [distinct(2, 3)], lambda a: np.sort(a.ravel())[2]),
    OpCase("mode", lambda a: gn.mode(a.round(), 1).values, [lambda rng: rng.integers(0, 3, (4, 6)).astype(float)],
           np_mode_values, gradcheck=False),
    OpCase("cummax", lambda a: a.cummax(1).values, [distinct(2, 5)], lambda a: np.maximum.accumulate(a, 1)),
    OpCase("cummin", lambda a: gn.cummin(a, 0).values, [distinct(5, 2)], lambda a: np.minimum.accumulate(a, 0)),
    # ----- rearranging -----
    OpCase("roll", lambda a: a.roll((1, -2), (0, 2)), [normal(3, 2, 4)], lambda a: np.roll(a, (1, -2), (0, 2))),
    OpCase("roll-flat", lambda a: gn.roll(a, 3), [normal(2, 3)], lambda a: np.roll(a, 3)),
    OpCase("diagonal", lambda a: a.diagonal(-1, 1, 2), [normal(2, 4, 3)], lambda a: np.diagonal(a, -1, 1, 2)),
    OpCase("trace", gn.trace, [normal(3, 4)], np.trace),
    OpCase("movedim", lambda a: a.movedim((0, 1), (2, 0)), [normal(2, 3, 4)],
           lambda a: np.moveaxis(a, (0, 1), (2, 0))),
    OpCase("unfold", lambda a: a.unfold(-1, 3, 2), [normal(2, 8)], lambda a: np_unfold(a, 3, 2)),
    OpCase("repeat_interleave", lambda a: a.repeat_interleave(gn.tensor([1, 0, 2]), dim=1), [normal(2, 3)],
           lambda a: np.repeat(a, [1, 0, 2], axis=1)),
    OpCase("rot90", lambda a: gn.rot90(a, 1, (1, 2)), [normal(2, 3, 4)], lambda a: np.rot90(a, 1, (1, 2))),
    OpCase("rot90-k3", lambda a: a.rot90(3), [normal(3, 4)], lambda a: np.rot90(a, 3)),
    OpCase("diff", lambda a, p: gn.diff(a, 2, 0, prepend=p), [normal(4, 3), normal(1, 3)],
           lambda a, p: np.diff(a, 2, 0, prepend=p)),
    OpCase("kron", gn.kron, [normal(2, 3), normal(3, 2)], np.kron),
    OpCase("block_diag", gn.block_diag, [normal(2, 3), normal(4), normal(2, 2)],
           lambda a, b, c: _np_block_diag(a, b[None], c)),
    OpCase("cartesian_prod", gn.cartesian_prod, [normal(3), normal(2)],
           lambda a, b: np.array([[x, y] for x in a for y in b])),
    OpCase("combinations", lambda a: gn.combinations(a, 2), [normal(4)],
           lambda a: np.array([[a[i], a[j]] for i in range(4) for j in range(i + 1, 4)])),
    OpCase("masked_select", lambda a: a.masked_select(gn.tensor([True, False, True])), [normal(2, 3)],
           lambda a: a[:, [0, 2]].ravel()),
    # ----- fused products and writes along an index -----
    OpCase("addmm", lambda i, a, b: gn.addmm(i, a, b, beta=0.5, alpha=2.0), [normal(3), normal(2, 4), normal(4, 3)],
           lambda i, a, b: 0.5 * i + 2.0 * a @ b,
           bad=[(lambda: gn.addmm(gn.ones(2), gn.ones(2), gn.ones(2, 2)), ValueError, "addmm: mat1 must be 2-D")]),
    OpCase("addmv", gn.addmv, [normal(2), normal(2, 3), normal(3)], lambda i, a, v: i + a @ v),
    OpCase("baddbmm", lambda i, a, b: i.baddbmm(a, b, alpha=0.5), [normal(2, 3, 2), normal(2, 3, 4), normal(2, 4, 2)],
           lambda i, a, b: i + 0.5 * a @ b),
    OpCase("addbmm", gn.addbmm, [normal(3, 2), normal(2, 3, 4), normal(2, 4, 2)],
           lambda i, a, b: i + (a @ b).sum(0)),
    OpCase("index_add", lambda x, s: x.index_add(1, gn.tensor([0, 2, 0]), s, alpha=2), [normal(2, 4), normal(2, 3)],
           lambda x, s: _np_index_add(x, s)),
    OpCase("index_copy", lambda x, s: x.index_copy(0, gn.tensor([2, 0]), s), [normal(3, 2), normal(2, 2)],
           lambda x, s: _np_index_copy(x, s)),
    OpCase("masked_scatter", lambda x, s: x.masked_scatter(gn.tensor([[True, False], [True, True]]), s),
           [normal(2, 2), normal(4)], lambda x, s: np.array([[s[0], x[0, 1]], [s[1], s[2]]])),
    OpCase("fmod", gn.fmod, [normal(3, 4, scale=3.0), uniform(0.7, 1.3, 4)], np.fmod),
    OpCase("frac", lambda a: a.frac(), [normal(5, scale=3.0, kinks=(-3, -2, -1, 0, 1, 2, 3))],
           lambda a: a - np.trunc(a)),
    OpCase("nan_to_num", lambda a: (a.log()).nan_to_num(0.5, 7.0, -7.0), [normal(6, kinks=(0.0,))],
           lambda a: np.nan_to_num(np.log(a, where=a > 0, out=np.full_like(a, np.nan)), nan=0.5, posinf=7.0,
                                   neginf=-7.0)),
]


def _erfinv_by_bisection(y):
    lo, hi = -6.0, 6.0
    for _ in range(200):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if math.erf(mid) < y else (lo, mid)
    return (lo + hi) / 2


def _np_digamma(x):
    """psi(x) = psi(x + 10) - sum 1/(x + k), with the asymptotic series at x + 10."""
    z = x + 10
    series = np.log(z) - 1 / (2 * z) - 1 / (12 * z**2) + 1 / (120 * z**4) - 1 / (252 * z**6) + 1 / (240 * z**8)
    return series - sum(1 / (x + k) for k in range(10))


def _np_block_diag(*ms):
    out = np.zeros((sum(m.shape[0] for m in ms), sum(m.shape[1] for m in ms)))
    r = c = 0
    for m in ms:
        out[r:r + m.shape[0], c:c + m.shape[1]] = m
        r, c = r + m.shape[0], c + m.shape[1]
    return out


def _np_index_add(x, s):
    out = x.copy()
    for j, i in enumerate([0, 2, 0]):
        out[:, i] += 2 * s[:, j]
    return out


def _np_index_copy(x, s):
    out = x.copy()
    out[2], out[0] = s[0], s[1]
    return out
