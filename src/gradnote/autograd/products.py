"""BLAS-style fused products as PyTorch spells them: beta * input + alpha * (product), written over matmul,
so their gradients are matmul's. As in PyTorch, beta=0 ignores `input` entirely (NaN in it does not leak).

    out = gn.addmm(bias, x, w.T)        # bias + x @ w.T
"""

from __future__ import annotations

from .arithmetic import lift, matmul
from .tensor import Tensor


def _fused(op: str, input, product: Tensor, beta, alpha) -> Tensor:  # noqa: A002
    out = product if alpha == 1 else alpha * product
    return out if beta == 0 else (lift(input) if beta == 1 else beta * lift(input)) + out


def _check(op: str, *pairs) -> None:
    for t, nd, what in pairs:
        if lift(t).ndim != nd:
            raise ValueError(f"{op}: {what} must be {nd}-D, got shape {lift(t).shape}")


def addmm(input, mat1, mat2, *, beta=1, alpha=1) -> Tensor:  # noqa: A002
    """beta * input + alpha * (mat1 @ mat2); mat1: (n, m), mat2: (m, p), input broadcastable to (n, p).

    >>> gn.addmm(gn.ones(2), gn.ones(2, 3), gn.ones(3, 2)).tolist()
    [[4.0, 4.0], [4.0, 4.0]]
    """
    _check("addmm", (mat1, 2, "mat1"), (mat2, 2, "mat2"))
    return _fused("addmm", input, matmul(mat1, mat2), beta, alpha)


def addmv(input, mat, vec, *, beta=1, alpha=1) -> Tensor:  # noqa: A002
    """beta * input + alpha * (mat @ vec); mat: (n, m), vec: (m,)."""
    _check("addmv", (mat, 2, "mat"), (vec, 1, "vec"))
    return _fused("addmv", input, matmul(mat, vec), beta, alpha)


def baddbmm(input, batch1, batch2, *, beta=1, alpha=1) -> Tensor:  # noqa: A002
    """beta * input + alpha * (batch1 @ batch2) per batch; batch1: (b, n, m), batch2: (b, m, p)."""
    _check("baddbmm", (batch1, 3, "batch1"), (batch2, 3, "batch2"))
    return _fused("baddbmm", input, matmul(batch1, batch2), beta, alpha)


def addbmm(input, batch1, batch2, *, beta=1, alpha=1) -> Tensor:  # noqa: A002
    """beta * input + alpha * sum over the batch of batch1[i] @ batch2[i] -> (n, p)."""
    _check("addbmm", (batch1, 3, "batch1"), (batch2, 3, "batch2"))
    return _fused("addbmm", input, matmul(batch1, batch2).sum(0), beta, alpha)


def addr(input, vec1, vec2, *, beta=1, alpha=1) -> Tensor:  # noqa: A002
    """beta * input + alpha * outer(vec1, vec2)."""
    _check("addr", (vec1, 1, "vec1"), (vec2, 1, "vec2"))
    return _fused("addr", input, lift(vec1).reshape(-1, 1) * lift(vec2).reshape(1, -1), beta, alpha)


__all__ = ["addbmm", "addmm", "addmv", "addr", "baddbmm"]
