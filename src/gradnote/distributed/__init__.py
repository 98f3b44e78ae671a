"""Data-parallel communication between processes, PyTorch's ``torch.distributed`` spelling over MPI.

    import gradnote.distributed as dist
    dist.init_process_group(backend="mpi")      # launched with: mpirun -n 4 python train.py
    dist.all_reduce(t, op=dist.ReduceOp.SUM)    # t now holds the sum over every rank, in place

The engine is MPI through mpi4py (the optional extra ``gradnote[mpi]``, which brings mpi4py and
MPICH): it is what Horovod runs on and what HPC clusters provide. Nothing here imports mpi4py
before ``init_process_group`` is called, so ``import gradnote`` never needs it.
"""

from .collectives import ReduceOp, Work, all_reduce, barrier, broadcast, broadcast_object_list  # noqa: F401
from .process_group import (  # noqa: F401
    destroy_process_group,
    get_backend,
    get_rank,
    get_world_size,
    init_process_group,
    is_available,
    is_initialized,
    is_main_process,
    is_mpi_available,
    launched_with_several_ranks,
)
from .sharding import local_share  # noqa: F401
