"""MLP 784-256-128-10 (ReLU), float32: one training step and one inference pass, gradnote vs PyTorch eager.

    train step   batch 128: forward, cross-entropy, backward, Adam(lr=1e-3) step    target <= 0.75x
    inference    batch 1024: forward only, under no_grad                              target <= 0.9x

Both frameworks start from the same weights (copied across) and see the same batch (first-step
losses checked equal), so they do identical arithmetic. PyTorch runs with os.cpu_count() threads (harness.setup_torch).

    python bench/bench_mlp.py             # the two comparisons
    python bench/bench_mlp.py --profile   # also cProfile 200 gradnote train steps: where the time goes
    python bench/bench_mlp.py --single-thread  # one BLAS thread for NumPy, one thread for PyTorch
    python bench/bench_mlp.py --device cuda    # both on the GPU (gradnote through CuPy, PyTorch CUDA)

One thread each is the steadier comparison on a busy machine.
"""

from __future__ import annotations

import cProfile
import pstats
import sys

import harness  # first: with --single-thread it limits BLAS threads before NumPy loads
import numpy as np
from harness import compare, same_first_loss, setup_torch

import gradnote as gn
import gradnote.functional as F
from gradnote import nn

SIZES = (784, 256, 128, 10)


def make_gn_model() -> nn.Sequential:
    gn.manual_seed(0)
    return nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10))


def make_steps(torch=None, train_batch: int = 128, infer_batch: int = 1024):
    """Zero-argument callables (gn_train, gn_infer, torch_train, torch_infer); torch ones None without torch."""
    rng = np.random.default_rng(0)
    x_np = rng.standard_normal((train_batch, 784)).astype(np.float32)
    y_np = rng.integers(0, 10, train_batch)
    xi_np = rng.standard_normal((infer_batch, 784)).astype(np.float32)

    model = make_gn_model()
    opt = gn.optim.Adam(model.parameters(), lr=1e-3)
    model, x, y, xi = harness.to_device(model, gn.tensor(x_np), gn.tensor(y_np), gn.tensor(xi_np))

    gn_train = harness.gn_train_step(model, opt, x, y)

    def gn_infer():
        with gn.no_grad():
            return model(xi)

    torch_train = torch_infer = None
    if torch is not None:
        tnn, tF = torch.nn, torch.nn.functional
        tmodel = tnn.Sequential(tnn.Linear(784, 256), tnn.ReLU(), tnn.Linear(256, 128), tnn.ReLU(),
                                tnn.Linear(128, 10))
        tmodel.load_state_dict(harness.torch_state_dict(torch, model))
        tmodel.to(harness.DEVICE)
        topt = torch.optim.Adam(tmodel.parameters(), lr=1e-3)
        tx, ty, txi = (torch.from_numpy(a).to(harness.DEVICE) for a in (x_np, y_np, xi_np))
        with gn.no_grad(), torch.no_grad():
            same_first_loss("mlp", F.cross_entropy(model(x), y).item(), tF.cross_entropy(tmodel(tx), ty).item())

        def torch_train():
            topt.zero_grad()
            tF.cross_entropy(tmodel(tx), ty).backward()
            topt.step()

        def torch_infer():
            with torch.no_grad():
                return tmodel(txi)

    return (harness.gn_synced(gn_train), harness.gn_synced(gn_infer), harness.torch_synced(torch, torch_train),
            harness.torch_synced(torch, torch_infer))


def profile(steps: int = 200, top: int = 25) -> None:
    """cProfile `steps` gradnote training steps and print the functions with the most own time."""
    gn_train, *_ = make_steps(None)
    for _ in range(10):
        gn_train()
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(steps):
        gn_train()
    prof.disable()
    stats = pstats.Stats(prof).strip_dirs().sort_stats("tottime")
    print(f"\ncProfile of {steps} gradnote MLP train steps (sorted by own time):")
    stats.print_stats(top)


def main(argv=None) -> list[dict]:
    argv = sys.argv[1:] if argv is None else argv
    torch = setup_torch()
    single = harness.SINGLE_THREAD
    gn_train, gn_infer, torch_train, torch_infer = make_steps(torch)
    train_name, infer_name = ("mlp train 1-thread", "mlp infer 1-thread") if single else (
        "mlp train step", "mlp inference b1024")
    results = [
        compare(train_name, gn_train, torch_train, target=0.75, repeats=11),
        compare(infer_name, gn_infer, torch_infer, target=0.9, repeats=11),
    ]
    if "--profile" in argv:
        profile()
    return results


if __name__ == "__main__":
    main()
