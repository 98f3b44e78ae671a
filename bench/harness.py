"""Paired timing of a gradnote workload against the same workload in PyTorch.

Shared machines drift by up to 2x within seconds, so two separately timed numbers
are not comparable. ``compare`` therefore runs short blocks of each workload
ALTERNATELY (gradnote, torch, gradnote, torch, ...), turns each adjacent pair of
blocks into one ratio, and reports the median of those paired ratios; drift that
hits both halves of a pair cancels out.

    from harness import compare, setup_torch
    torch = setup_torch()
    compare("mlp train step", gn_step, torch_step if torch else None, target=1.0)

prints

    mlp train step      gradnote 812.3 us  torch 790.1 us  ratio 1.03x (target <= 1.00x)

Any script run with ``--single-thread`` times both sides on one thread (one BLAS thread for
NumPy, ``torch.set_num_threads(1)``): the steadier comparison on a busy machine. Scripts import
``harness`` before NumPy, so the BLAS setting is in place when NumPy loads it.

``--device cuda`` runs both sides on the GPU: gradnote through CuPy (``gradnote[cuda]``), PyTorch on its
CUDA build (without one the torch column is left out). Each timed step ends with the device's
synchronize (``gn.cuda.synchronize()`` / ``torch.cuda.synchronize()``), so a step's time includes its
kernels, not only their launch.
"""

from __future__ import annotations

import gc
import importlib.util
import os
import statistics
import sys
import time
from pathlib import Path

SINGLE_THREAD = "--single-thread" in sys.argv[1:]
DEVICE = sys.argv[sys.argv.index("--device") + 1] if "--device" in sys.argv[1:-1] else "cpu"  # "cpu" or "cuda"
if SINGLE_THREAD:  # must happen before NumPy loads OpenBLAS
    for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[_var] = "1"

try:  # let the scripts run from a plain checkout too (pip install -e . is the normal route)
    import gradnote  # noqa: F401
except ImportError:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
if SINGLE_THREAD:  # gradnote's own batch-parallel kernels too (gradnote.cpu's pool)
    import gradnote.cpu

    gradnote.cpu.set_num_threads(1)

__all__ = ["DEVICE", "SINGLE_THREAD", "compare", "gn_synced", "gn_train_step", "same_first_loss", "setup_torch",
           "to_device", "torch_available", "torch_state_dict", "torch_synced"]


def torch_available() -> bool:
    """True when PyTorch can be imported (it is only a benchmark dependency)."""
    return importlib.util.find_spec("torch") is not None


def setup_torch():
    """Import torch with one intra-op thread per CPU (os.cpu_count()), or one with --single-thread;
    None if not installed."""
    if not torch_available():
        return None
    import torch

    torch.set_num_threads(1 if SINGLE_THREAD else os.cpu_count() or 1)
    if DEVICE == "cuda" and not torch.cuda.is_available():
        print("--device cuda: this PyTorch has no CUDA device; timing gradnote alone", flush=True)
        return None
    return torch


def to_device(*objs):
    """gradnote models (moved in place) and tensors on DEVICE; refuses --device cuda without a GPU."""
    import gradnote as gn

    if DEVICE != "cpu" and not gn.cuda.is_available():
        raise SystemExit(f"--device {DEVICE}: gn.cuda.is_available() is False (pip install 'gradnote[cuda]' "
                         "on a machine with an NVIDIA GPU)")
    moved = tuple(o.to(DEVICE) for o in objs)
    return moved[0] if len(moved) == 1 else moved


def torch_state_dict(torch, model) -> dict:
    """A gradnote model's weights as CPU torch tensors (host copies, wherever the model is), for load_state_dict."""
    from gradnote import backend

    return {k: torch.from_numpy(backend.asnumpy(v).copy()) for k, v in model.state_dict().items()}


def gn_synced(step):
    """`step` followed by gn.cuda.synchronize() on the GPU (the step itself on the CPU)."""
    if DEVICE == "cpu":
        return step
    import gradnote as gn

    def run():
        out = step()
        gn.cuda.synchronize()
        return out

    return run


def torch_synced(torch, step):
    """`step` followed by torch.cuda.synchronize() on the GPU; None stays None (no torch)."""
    if DEVICE == "cpu" or step is None:
        return step

    def run():
        out = step()
        torch.cuda.synchronize()
        return out

    return run


def gn_train_step(model, optimizer, x, y):
    """A zero-argument gradnote training step on one fixed batch: zero_grad, cross-entropy, backward, step."""
    import gradnote.functional as F

    def step():
        optimizer.zero_grad()
        F.cross_entropy(model(x), y).backward()
        optimizer.step()

    return step


def same_first_loss(name: str, gn_loss: float, torch_loss: float, rtol: float = 1e-5) -> None:
    """Refuse to time a workload whose two sides do not start from the same loss (weights or data
    copied wrongly would make the comparison meaningless)."""
    if not abs(gn_loss - torch_loss) <= rtol * abs(torch_loss):
        raise AssertionError(f"{name}: first-step losses differ: gradnote {gn_loss!r}, torch {torch_loss!r}")


def _time_block(step, calls: int) -> float:
    """Seconds per call over one block of `calls` back-to-back calls."""
    gc.collect()
    start = time.perf_counter()
    for _ in range(calls):
        step()
    return (time.perf_counter() - start) / calls


def _calibrate(step, block_seconds: float) -> int:
    """Warm `step` up, then find how many calls fill about `block_seconds`."""
    deadline = time.perf_counter() + min(0.5, 2 * block_seconds)
    for _ in range(3):
        step()
    while time.perf_counter() < deadline:  # warm-up: caches, allocator, lazy imports
        step()
    calls = 1
    while True:
        per_call = _time_block(step, calls)
        if per_call * calls >= block_seconds / 4:
            return max(1, round(block_seconds / per_call))
        calls *= 4


def _report(name: str, gn_us: float, torch_us: float | None, ratio: float | None, target: float,
            other: str = "torch") -> str:
    line = f"{name:<20s}gradnote {gn_us:9.1f} us"
    if torch_us is None:
        return line + f"  ({other} not installed: no ratio)"
    return line + f"  {other} {torch_us:9.1f} us  ratio {ratio:.2f}x (target <= {target:.2f}x)"


def compare(name: str, gn_step, torch_step=None, *, target: float, repeats: int = 7,
            block_seconds: float = 0.2, other: str = "torch") -> dict:
    """Time `gn_step` against `torch_step` (zero-argument callables, one unit of work each).

    Both are warmed up and calibrated to ~`block_seconds` per block; then `repeats`
    pairs of blocks run alternately. Per-call times are medians over blocks; `ratio`
    is the median over pairs of gradnote_time / torch_time. Prints one line and returns
    {name, gn_us, torch_us, ratio, target, met} (torch_us, ratio, met are None without torch).
    `other` names the second framework in the printed line (its time is still `torch_us`).
    """
    if repeats < 1:
        raise ValueError(f"compare: repeats must be >= 1, got {repeats}")
    gn_calls = _calibrate(gn_step, block_seconds)
    torch_calls = _calibrate(torch_step, block_seconds) if torch_step is not None else 0

    gn_times, torch_times, ratios = [], [], []
    for i in range(repeats):
        if torch_step is None:
            gn_times.append(_time_block(gn_step, gn_calls))
            continue
        # Swap the order every other pair so neither side always runs first after a pause.
        if i % 2 == 0:
            g = _time_block(gn_step, gn_calls)
            t = _time_block(torch_step, torch_calls)
        else:
            t = _time_block(torch_step, torch_calls)
            g = _time_block(gn_step, gn_calls)
        gn_times.append(g)
        torch_times.append(t)
        ratios.append(g / t)

    gn_us = statistics.median(gn_times) * 1e6
    torch_us = statistics.median(torch_times) * 1e6 if torch_times else None
    ratio = statistics.median(ratios) if ratios else None
    met = None if ratio is None else ratio <= target
    print(_report(name, gn_us, torch_us, ratio, target, other), flush=True)
    return {"name": name, "gn_us": gn_us, "torch_us": torch_us, "ratio": ratio, "target": target, "met": met}
