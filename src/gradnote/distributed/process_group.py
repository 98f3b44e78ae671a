"""The default process group: one MPI communicator spanning every rank that ``mpirun`` started.

A rank that raises an uncaught exception aborts the whole job (MPI_Abort) after printing its
traceback: without that, the other ranks would wait forever in their next collective.
"""

from __future__ import annotations

import os
import sys

_state: dict = {}  # "comm", "rank", "size", "hook" while a process group exists


def _import_mpi():
    try:
        from mpi4py import MPI
    except ImportError as e:
        raise ImportError("gradnote.distributed: the 'mpi' backend needs mpi4py and an MPI library; "
                          "install them with: pip install 'gradnote[mpi]'") from e
    return MPI


def is_available() -> bool:
    """True: the distributed API exists (its MPI backend may still be missing; see is_mpi_available)."""
    return True


def is_mpi_available() -> bool:
    """Whether mpi4py imports (without initialising anything)."""
    import importlib.util

    return importlib.util.find_spec("mpi4py") is not None


def is_initialized() -> bool:
    return "comm" in _state


def _require(where: str) -> dict:
    if "comm" not in _state:
        raise ValueError(f"{where}: Default process group has not been initialized, please make sure to call "
                         "init_process_group.")
    return _state


def _comm():
    return _require("gradnote.distributed")["comm"]


def init_process_group(backend: str | None = None, init_method: str | None = None, timeout=None,
                       world_size: int = -1, rank: int = -1, store=None, group_name: str = "",
                       pg_options=None, device_id=None) -> None:
    """Join the job's ranks into the default process group (torch.distributed.init_process_group).

    Only ``backend="mpi"`` (also the default) exists: MPI itself tells each process its rank and
    the world size, so ``init_method``, ``store`` and ``timeout`` are not needed; ``world_size``
    and ``rank``, when given, must agree with what ``mpirun`` started.

    >>> import gradnote.distributed as dist
    >>> dist.is_initialized()
    False
    """
    if backend not in (None, "mpi"):
        raise ValueError(f"init_process_group: backend must be 'mpi' (gradnote's only backend), got {backend!r}")
    if "comm" in _state:
        raise ValueError("init_process_group: trying to initialize the default process group twice!")
    MPI = _import_mpi()
    comm = MPI.COMM_WORLD
    actual = (comm.Get_rank(), comm.Get_size())
    for name, given, real in (("world_size", world_size, actual[1]), ("rank", rank, actual[0])):
        if given not in (-1, None) and given != real:
            raise ValueError(f"init_process_group: {name}={given} does not match the MPI job "
                             f"(rank {actual[0]} of {actual[1]}); start the job with mpirun -n N")
    previous = sys.excepthook

    def abort_job(kind, value, tb):
        previous(kind, value, tb)
        if _state.get("size", 1) > 1:
            print(f"gradnote.distributed: rank {actual[0]} of {actual[1]} failed with {kind.__name__}: {value}; "
                  "aborting every rank of the job", file=sys.stderr, flush=True)
            comm.Abort(1)

    sys.excepthook = abort_job
    _state.update(comm=comm, rank=actual[0], size=actual[1], hook=(previous, abort_job))


def destroy_process_group(group=None) -> None:
    """Leave the process group (MPI itself is finalised when the process exits)."""
    if group is not None:
        raise ValueError("destroy_process_group: gradnote has only the default group; pass group=None")
    _require("destroy_process_group")
    previous, ours = _state["hook"]
    if sys.excepthook is ours:
        sys.excepthook = previous
    _state.clear()


def get_rank(group=None) -> int:
    """This process's rank in [0, world_size)."""
    return _require("get_rank")["rank"]


def get_world_size(group=None) -> int:
    """The number of processes in the group."""
    return _require("get_world_size")["size"]


def get_backend(group=None) -> str:
    _require("get_backend")
    return "mpi"


def launched_with_several_ranks() -> bool:
    """True when this process was started by mpirun/mpiexec with more than one rank (MPICH, Open MPI, Slurm)."""
    for var in ("PMI_SIZE", "OMPI_COMM_WORLD_SIZE", "MPI_LOCALNRANKS", "SLURM_NTASKS"):
        if os.environ.get(var, "1").isdigit() and int(os.environ.get(var, "1")) > 1:
            return True
    return False


def is_main_process() -> bool:
    """True on rank 0, and in a plain (not distributed) run: the process that prints and writes files.

    >>> import gradnote.distributed as dist
    >>> dist.is_main_process()
    True
    """
    return _state.get("rank", 0) == 0
