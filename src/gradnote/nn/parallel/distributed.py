"""DistributedDataParallel: every rank trains a replica on its own share of each batch; gradients are averaged.

At construction, rank 0's parameters and buffers are broadcast, so every replica starts equal.
Because every rank then applies the same averaged gradient, the replicas stay equal.

Where the averaging happens. gradnote has no tensor hooks, so during ``forward`` the wrapper
hands the module, instead of each Parameter, an identity view of it (``_GradReady``). All these
views hang off one more node (``_AllReady``) made from a private anchor. The backward walk runs
a node only after every node that used its output, so a view's backward sees the parameter's
complete local gradient, and ``_AllReady`` runs after all of them. The views pass their
gradients to a ``_Reducer``, which packs them into buckets (about ``bucket_cap_mb`` each, in
reverse registration order, roughly the order backward finishes them) and starts a
non-blocking all-reduce for each bucket as soon as it is full and all buckets before it have
started; ``_AllReady`` starts the rest, waits, and adds the averages into ``.grad``. Plain
``loss.backward(); optimizer.step()`` therefore sees averaged gradients, and the buckets start
in one fixed order on every rank, as MPI requires.
"""

from __future__ import annotations

import contextlib
import zlib

import numpy as np

from ... import distributed as dist
from ...autograd import Function, Tensor
from ...autograd.function import is_grad_enabled
from ..module import Module


class _GradReady(Function):
    """Identity on one parameter; its backward hands the parameter's gradient to the reducer."""

    saves = False

    def forward(self, param, token, reducer=None, index=0):
        self.reducer, self.index = reducer, index
        return param

    def backward(self, g):
        self.reducer.ready(self.index, g)
        return None, np.zeros((), dtype=g.dtype)  # the reducer adds into .grad; the zero orders _AllReady last


class _AllReady(Function):
    """Runs after every _GradReady of one forward: finishes the all-reduce and writes the gradients."""

    saves = False

    def forward(self, anchor, reducer=None):
        self.reducer = reducer
        return np.zeros((), dtype=anchor.dtype)

    def backward(self, g):
        self.reducer.finish()
        return (None,)


class _Reducer:
    """One forward's gradients, averaged over the ranks bucket by bucket (see the module docstring)."""

    def __init__(self, params, buckets, unsynced: bool):
        self.params, self.buckets, self.unsynced = params, buckets, unsynced
        self.grads: dict[int, np.ndarray] = {}
        self.started: list = []

    def ready(self, index, g) -> None:
        self.grads[index] = g
        while len(self.started) < len(self.buckets) and all(i in self.grads for i in self.buckets[len(self.started)]):
            self._start(len(self.started))

    def _local(self, i) -> np.ndarray:
        p, g = self.params[i], self.grads.get(i)
        g = np.zeros(p.data.shape, dtype=p.data.dtype) if g is None else g
        # gradients accumulated locally under no_sync() join this reduction, as in torch
        return g + p.grad if self.unsynced and p.grad is not None else g

    def _start(self, b) -> None:
        bucket = self.buckets[b]
        flat = np.concatenate([self._local(i).ravel() for i in bucket])
        # a parameter that no rank used keeps grad None, as in a single process
        used = np.array([i in self.grads for i in bucket], dtype=np.int32)
        self.started.append((flat, dist.all_reduce(flat, async_op=True), used, dist.all_reduce(used, async_op=True)))

    def finish(self) -> None:
        while len(self.started) < len(self.buckets):
            self._start(len(self.started))
        world = dist.get_world_size()
        for bucket, (flat, work, used, used_work) in zip(self.buckets, self.started):
            work.wait()
            used_work.wait()
            flat /= world
            offset = 0
            for i, anyone in zip(bucket, used):
                p = self.params[i]
                avg = flat[offset:offset + p.data.size].reshape(p.data.shape)
                offset += p.data.size
                if anyone or self.unsynced:
                    p.grad = avg if self.unsynced or p.grad is None else p.grad + avg
        self.grads.clear()


class DistributedDataParallel(Module):
    """Data parallelism across the ranks of ``gradnote.distributed`` (torch.nn.parallel.DistributedDataParallel).

    Each rank feeds its own share of the data (``DistributedSampler``); after ``loss.backward()``
    every parameter's ``.grad`` holds the mean of the ranks' gradients, so 2 ranks at batch 32
    train as 1 rank at batch 64. ``model.module`` is the wrapped model: its ``state_dict()`` has
    the plain names, while the wrapper's has them under ``module.`` (as in torch), so save
    ``model.module.state_dict()`` (on rank 0) to load it later without the wrapper.

    module: any Module; the same architecture on every rank. broadcast_buffers: copy rank 0's
    buffers (BatchNorm's running statistics) before each training forward. bucket_cap_mb: the size
    of one all-reduce (default 25, as torch). ``no_sync()``: accumulate gradients locally; the next
    backward outside it averages the accumulated sum. CPU only: ``device_ids`` must be None.

    >>> ddp = nn.parallel.DistributedDataParallel  # needs init_process_group(backend="mpi") first
    >>> ddp.__name__
    'DistributedDataParallel'
    """

    def __init__(self, module: Module, device_ids=None, output_device=None, dim: int = 0,
                 broadcast_buffers: bool | None = True, init_sync: bool = True, process_group=None,
                 bucket_cap_mb: float | None = None, find_unused_parameters: bool = False,
                 check_reduction: bool = False, gradient_as_bucket_view: bool = False, static_graph: bool = False):
        super().__init__()
        if not isinstance(module, Module):
            raise TypeError(f"DistributedDataParallel: module must be a gradnote.nn.Module, got {type(module).__name__}")
        if not dist.is_initialized():
            raise RuntimeError("DistributedDataParallel: call gradnote.distributed.init_process_group(backend='mpi') "
                               "first (and launch with mpirun -n N)")
        if device_ids not in (None, [], ()) or output_device is not None:
            raise ValueError(f"DistributedDataParallel: device_ids/output_device are for GPUs; gradnote's MPI "
                             f"backend replicates on the CPU, got device_ids={device_ids!r}")
        if process_group is not None:
            raise ValueError("DistributedDataParallel: only the default process group exists; pass process_group=None")
        cap = 25.0 if bucket_cap_mb is None else bucket_cap_mb
        if isinstance(cap, bool) or not isinstance(cap, (int, float)) or not cap > 0:
            raise ValueError(f"DistributedDataParallel: bucket_cap_mb must be > 0, got {bucket_cap_mb!r}")
        self.module = module
        self.broadcast_buffers = broadcast_buffers is not False
        self.bucket_cap_mb = float(cap)
        self.__dict__["_syncing"] = True
        self.__dict__["_unsynced"] = False
        self.__dict__["_anchor"] = Tensor(np.zeros((), dtype=np.float32), requires_grad=True)
        if init_sync:
            self._check_same_model()
            for p in module.parameters():
                dist.broadcast(p.data, src=0)
            self._sync_buffers()

    # ----- set-up ---------------------------------------------------------------------------------
    def _check_same_model(self) -> None:
        mine = [(n, tuple(p.shape), str(p.dtype)) for n, p in self.module.named_parameters()]
        digest = np.array([zlib.crc32(repr(mine).encode())], dtype=np.int64)
        rank0 = digest.copy()
        dist.broadcast(rank0, src=0)
        if rank0[0] != digest[0]:
            raise ValueError(f"DistributedDataParallel: rank {dist.get_rank()}'s model differs from rank 0's in its "
                             f"parameter names, shapes or dtypes ({len(mine)} parameters here, the first "
                             f"{mine[:2]}); every rank must build the same model")

    def _sync_buffers(self) -> None:
        for _, b in self.module.named_buffers():
            if isinstance(b, np.ndarray) and b.flags.writeable:
                dist.broadcast(b, src=0)

    def _buckets(self, params) -> list:
        """Parameter indices in reverse registration order, grouped by dtype into buckets of about bucket_cap_mb."""
        cap = self.bucket_cap_mb * 2**20
        buckets, open_by_dtype = [], {}
        for i in reversed(range(len(params))):
            dt = params[i].data.dtype
            entry = open_by_dtype.get(dt)
            if entry is None or entry[1] >= cap:
                entry = open_by_dtype[dt] = [[], 0]
                buckets.append(entry[0])
            entry[0].append(i)
            entry[1] += params[i].data.nbytes
        return buckets

    # ----- training -------------------------------------------------------------------------------
    @contextlib.contextmanager
    def no_sync(self):
        """Within this block backward only accumulates local gradients (no communication)."""
        self.__dict__["_syncing"] = False
        try:
            yield
        finally:
            self.__dict__["_syncing"] = True

    def forward(self, *inputs, **kwargs):
        if self.training and self.broadcast_buffers:
            self._sync_buffers()
        if not self._syncing:
            if is_grad_enabled():
                self.__dict__["_unsynced"] = True
            return self.module(*inputs, **kwargs)
        owners = [(m, name, p) for m in self.module.modules() for name, p in m._parameters.items()
                  if p is not None and p.requires_grad]
        if not owners or not is_grad_enabled():
            return self.module(*inputs, **kwargs)
        params = list(dict.fromkeys(p for _, _, p in owners))  # a shared (tied) parameter once
        index = {id(p): i for i, p in enumerate(params)}
        reducer = _Reducer(params, self._buckets(params), self._unsynced)
        self.__dict__["_unsynced"] = False
        token = _AllReady.apply(self._anchor, reducer=reducer)
        views = [_GradReady.apply(p, token, reducer=reducer, index=i) for i, p in enumerate(params)]
        try:
            for m, name, p in owners:
                m._parameters[name] = m.__dict__[name] = views[index[id(p)]]
            return self.module(*inputs, **kwargs)
        finally:
            for m, name, p in owners:
                m._parameters[name] = m.__dict__[name] = p
