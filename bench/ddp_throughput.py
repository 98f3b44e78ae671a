"""Data-parallel throughput: 1 process vs N MPI ranks (DistributedDataParallel), same global batch.

    python bench/ddp_throughput.py            # 1 process, then mpirun -n 2; prints samples/s of each
    python bench/ddp_throughput.py --ranks 4 --batch 256 --steps 60

The workload is the MLP 784-256-128-10 (ReLU) training step of bench_mlp.py (cross-entropy, SGD
momentum 0.9) on random data; each rank takes global_batch / ranks samples a step and one BLAS
thread, so 2 ranks on 2 cores compare against 1 process on 1 core. Not picked up by run_all.py
(it launches mpirun itself).
"""

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import numpy as np

import gradnote as gn
import gradnote.distributed as dist
import gradnote.nn as nn


def measure(batch: int, steps: int) -> float:
    """Global samples per second over `steps` training steps (after 5 warm-up steps)."""
    world = dist.get_world_size() if dist.is_initialized() else 1
    local = batch // world
    gn.manual_seed(0)
    model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10))
    net = nn.parallel.DistributedDataParallel(model) if dist.is_initialized() else model
    opt = gn.optim.SGD(net.parameters(), lr=0.01, momentum=0.9)
    rng = np.random.default_rng(dist.get_rank() if dist.is_initialized() else 0)
    x = gn.tensor(rng.normal(size=(local, 784)).astype(np.float32))
    y = gn.tensor(rng.integers(0, 10, size=local))
    loss_fn = nn.CrossEntropyLoss()

    def step():
        opt.zero_grad()
        loss_fn(net(x), y).backward()
        opt.step()

    for _ in range(5):
        step()
    if dist.is_initialized():
        dist.barrier()
    start = time.perf_counter()
    for _ in range(steps):
        step()
    if dist.is_initialized():
        dist.barrier()
    return local * world * steps / (time.perf_counter() - start)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--ranks", type=int, default=2)
    p.add_argument("--batch", type=int, default=128, help="global batch per step")
    p.add_argument("--steps", type=int, default=100)
    p.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.worker:
        dist.init_process_group(backend="mpi")
        rate = measure(args.batch, args.steps)
        if dist.get_rank() == 0:
            print(f"{rate:.0f}")
        return 0
    mpirun = Path(sys.executable).parent / "mpirun"
    mpirun = str(mpirun) if mpirun.exists() else shutil.which("mpirun")
    if mpirun is None:
        print("ddp_throughput: no mpirun (pip install 'gradnote[mpi]')", file=sys.stderr)
        return 1
    one = measure(args.batch, args.steps)
    out = subprocess.run([mpirun, "-n", str(args.ranks), sys.executable, __file__, "--worker", "--batch",
                          str(args.batch), "--steps", str(args.steps)], capture_output=True, text=True, check=True)
    many = float(out.stdout.split()[-1])
    print(f"MLP 784-256-128-10 train step, global batch {args.batch}: 1 process {one:.0f} samples/s, "
          f"{args.ranks} ranks {many:.0f} samples/s ({many / one:.2f}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
