"""Collective operations on tensors, in place, as torch.distributed: every rank must call them in the same order.

``async_op=True`` starts the operation and returns a ``Work`` whose ``wait()`` completes it; the
tensor must not be touched until then.
"""

from __future__ import annotations

import enum

import numpy as np

from ..autograd import Tensor
from .process_group import _comm, _require


class ReduceOp(enum.Enum):
    """How all_reduce combines the ranks' values. AVG is SUM divided by the world size (floating point only)."""

    SUM = "sum"
    PRODUCT = "product"
    MIN = "min"
    MAX = "max"
    BAND = "band"
    BOR = "bor"
    BXOR = "bxor"
    AVG = "avg"


_MPI_OPS = {ReduceOp.SUM: "SUM", ReduceOp.AVG: "SUM", ReduceOp.PRODUCT: "PROD", ReduceOp.MIN: "MIN",
            ReduceOp.MAX: "MAX", ReduceOp.BAND: "BAND", ReduceOp.BOR: "BOR", ReduceOp.BXOR: "BXOR"}


class Work:
    """A started collective (torch's Work): ``wait()`` blocks until it has finished and the tensor holds the result."""

    def __init__(self, request, finish):
        self._request, self._finish = request, finish

    def wait(self, timeout=None) -> bool:
        if self._request is not None:
            self._request.Wait()
            self._request = None
            self._finish()
        return True

    def is_completed(self) -> bool:
        return self._request is None


def _array(tensor, where: str) -> np.ndarray:
    data = tensor.data if isinstance(tensor, Tensor) else tensor
    if not isinstance(data, np.ndarray):
        raise TypeError(f"{where}: expected a Tensor, got {type(tensor).__name__}")
    if not data.flags.writeable:
        raise ValueError(f"{where}: the tensor of shape {data.shape} is read-only; collectives write into it")
    return data


def _run(data: np.ndarray, start, after, async_op: bool):
    """Run `start(buffer)` on a contiguous buffer (a copy when `data` is not), write back, then `after()`."""
    buf = data if data.flags.c_contiguous else np.ascontiguousarray(data)

    def finish():
        if buf is not data:
            data[...] = buf
        after(buf)

    request = start(buf)
    work = Work(request, finish)
    if async_op:
        return work
    work.wait()
    return None


def all_reduce(tensor, op: ReduceOp = ReduceOp.SUM, group=None, async_op: bool = False):
    """Combine `tensor` over every rank with `op`; each rank's tensor holds the result afterwards.

    tensor: any shape; the same shape and dtype on every rank.

    >>> import gradnote.distributed as dist
    >>> dist.ReduceOp.SUM.name
    'SUM'
    """
    from mpi4py import MPI

    data = _array(tensor, "all_reduce")
    if not isinstance(op, ReduceOp):
        raise TypeError(f"all_reduce: op must be a gradnote.distributed.ReduceOp, got {op!r}")
    if op is ReduceOp.AVG and data.dtype.kind not in "fc":
        raise TypeError(f"all_reduce: ReduceOp.AVG needs a floating-point tensor, got {data.dtype}")
    comm, size = _comm(), _require("all_reduce")["size"]
    mpi_op = getattr(MPI, _MPI_OPS[op])

    def after(buf):
        if op is ReduceOp.AVG:
            data[...] /= size

    return _run(data, lambda buf: comm.Iallreduce(MPI.IN_PLACE, buf, op=mpi_op), after, async_op)


def broadcast(tensor, src: int = 0, group=None, async_op: bool = False):
    """Copy rank `src`'s tensor into the tensor of every other rank (same shape and dtype everywhere)."""
    data = _array(tensor, "broadcast")
    comm, size = _comm(), _require("broadcast")["size"]
    if isinstance(src, bool) or not isinstance(src, (int, np.integer)) or not 0 <= src < size:
        raise ValueError(f"broadcast: src must be a rank in [0, {size - 1}], got {src!r}")
    return _run(data, lambda buf: comm.Ibcast(buf, root=int(src)), lambda buf: None, async_op)


def broadcast_object_list(object_list: list, src: int = 0, group=None, device=None) -> None:
    """Replace the items of `object_list` on every rank by rank `src`'s (pickled picklable objects, as torch)."""
    comm, size = _comm(), _require("broadcast_object_list")["size"]
    if not 0 <= src < size:
        raise ValueError(f"broadcast_object_list: src must be a rank in [0, {size - 1}], got {src!r}")
    object_list[:] = comm.bcast(list(object_list), root=src)


def barrier(group=None, async_op: bool = False, device_ids=None, timeout=None):
    """Wait until every rank has reached this call."""
    comm = _comm()
    work = Work(comm.Ibarrier(), lambda: None)
    if async_op:
        return work
    work.wait()
    return None
