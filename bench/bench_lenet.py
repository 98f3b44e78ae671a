"""LeNet-5 training step on MNIST-sized input: (64, 1, 28, 28), cross-entropy, SGD momentum 0.9.

One step = forward, loss, backward, optimiser step, for gradnote's models.LeNet5 and the same
network in PyTorch eager (weights copied across, so both do identical work; first-step losses
checked equal). Target: <= 1.0x. DeZero (when installed) runs the same network and weights with its
MomentumSGD; target: DeZero at least 5x slower than gradnote.

    python bench/bench_lenet.py                  # default threads (PyTorch: one per CPU)
    python bench/bench_lenet.py --single-thread  # one BLAS thread for NumPy, one thread for PyTorch
    python bench/bench_lenet.py --device cuda    # both on the GPU (gradnote through CuPy, PyTorch CUDA); no DeZero
    python bench/bench_lenet.py --memory         # peak memory of a batch-256 step, both sides; growth over 1,000 steps

--memory runs each side in a fresh process: the peak resident set (VmHWM, reset just before the
first step) above the resident set before it, over the first steps; then gradnote's resident set
after 100 and after 1,000 steps.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys

import harness  # first: with --single-thread it limits BLAS threads before NumPy loads
import numpy as np
from harness import compare, same_first_loss, setup_torch

import gradnote as gn
import gradnote.functional as F


def _data(batch: int):
    rng = np.random.default_rng(0)
    return rng.standard_normal((batch, 1, 28, 28)).astype(np.float32), rng.integers(0, 10, batch)


def _torch_lenet(torch, model):
    """The same network in PyTorch with `model`'s weights, and its SGD."""
    nn, tF = torch.nn, torch.nn.functional

    class TorchLeNet5(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 6, 5, padding=2)
            self.conv2 = nn.Conv2d(6, 16, 5)
            self.fc1, self.fc2, self.fc3 = nn.Linear(400, 120), nn.Linear(120, 84), nn.Linear(84, 10)

        def forward(self, t):
            t = tF.max_pool2d(tF.relu(self.conv1(t)), 2)
            t = tF.max_pool2d(tF.relu(self.conv2(t)), 2).flatten(1)
            return self.fc3(tF.relu(self.fc2(tF.relu(self.fc1(t)))))

    tmodel = TorchLeNet5()
    tmodel.load_state_dict(harness.torch_state_dict(torch, model))
    tmodel.to(harness.DEVICE)
    return tmodel, torch.optim.SGD(tmodel.parameters(), lr=0.01, momentum=0.9)


def _torch_step(torch, tmodel, topt, tx, ty):
    def step():
        topt.zero_grad()
        torch.nn.functional.cross_entropy(tmodel(tx), ty).backward()
        topt.step()

    return step


def dezero_step(model, x_np, y_np):
    """The same network in DeZero (its Conv2d, pooling, Linear and MomentumSGD) with `model`'s weights,
    None if DeZero is not installed."""
    if importlib.util.find_spec("dezero") is None:
        return None
    if not hasattr(np, "int"):
        np.int = int  # DeZero 0.0.13 still names np.int, removed in NumPy 1.24
    import dezero
    import dezero.functions as DF
    import dezero.layers as DL

    sd = model.state_dict()
    conv1, conv2 = DL.Conv2d(6, 5, pad=2, in_channels=1), DL.Conv2d(16, 5, in_channels=6)
    fcs = [DL.Linear(out, in_size=inp) for inp, out in ((400, 120), (120, 84), (84, 10))]
    for layer, name in ((conv1, "conv1"), (conv2, "conv2")):
        layer.W.data, layer.b.data = sd[f"{name}.weight"].copy(), sd[f"{name}.bias"].copy()
    for layer, name in zip(fcs, ("fc1", "fc2", "fc3")):
        layer.W.data, layer.b.data = sd[f"{name}.weight"].T.copy(), sd[f"{name}.bias"].copy()
    params = [p for layer in (conv1, conv2, *fcs) for p in layer.params()]
    opt = dezero.optimizers.MomentumSGD(lr=0.01, momentum=0.9)
    opt.target = type("Params", (), {"params": lambda self: iter(params)})()
    x = dezero.Variable(x_np)

    def forward():
        t = DF.pooling(DF.relu(conv1(x)), 2, stride=2)
        t = DF.pooling(DF.relu(conv2(t)), 2, stride=2)
        t = DF.reshape(t, (t.shape[0], 400))
        t = DF.relu(fcs[1](DF.relu(fcs[0](t))))
        return DF.softmax_cross_entropy(fcs[2](t), y_np)

    with gn.no_grad():
        same_first_loss("lenet5 (dezero)", float(forward().data), F.cross_entropy(model(gn.tensor(x_np)),
                                                                                  gn.tensor(y_np)).item())

    def step():
        for p in params:
            p.cleargrad()
        forward().backward()
        opt.update()

    return step


def main() -> list[dict]:
    torch = setup_torch()
    x_np, y_np = _data(64)
    gn.manual_seed(0)
    model = gn.models.LeNet5()
    opt = gn.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    dz_step = dezero_step(model, x_np, y_np) if harness.DEVICE == "cpu" else None  # before any step: same weights
    model, x, y = harness.to_device(model, gn.tensor(x_np), gn.tensor(y_np))
    gn_step = harness.gn_synced(harness.gn_train_step(model, opt, x, y))

    torch_step = None
    if torch is not None:
        tmodel, topt = _torch_lenet(torch, model)
        tx, ty = torch.from_numpy(x_np).to(harness.DEVICE), torch.from_numpy(y_np).to(harness.DEVICE)
        with gn.no_grad(), torch.no_grad():
            same_first_loss("lenet5", F.cross_entropy(model(x), y).item(),
                            torch.nn.functional.cross_entropy(tmodel(tx), ty).item())
        torch_step = harness.torch_synced(torch, _torch_step(torch, tmodel, topt, tx, ty))
    results = [compare("lenet5 1-thread" if harness.SINGLE_THREAD else "lenet5 train step", gn_step, torch_step,
                       target=1.0)]
    if dz_step is not None:  # gradnote / DeZero: at most 0.2 means DeZero is at least 5x slower
        results.append(compare("lenet5 vs dezero", gn_step, dz_step, target=0.2, other="dezero", repeats=3))
    return results


# ----- --memory: peak resident memory of a batch-256 step, each side in its own process -----------------
def _rss_kib(field: str) -> int:
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith(field + ":"))


def _memory_worker(side: str, steps: int) -> None:
    x_np, y_np = _data(256)
    gn.manual_seed(0)
    model = gn.models.LeNet5()
    if side == "torch":
        import torch

        tmodel, topt = _torch_lenet(setup_torch(), model)
        step = _torch_step(torch, tmodel, topt, torch.from_numpy(x_np), torch.from_numpy(y_np))
    else:
        opt = gn.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
        step = harness.gn_train_step(model, opt, gn.tensor(x_np), gn.tensor(y_np))
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")  # resets the peak resident set (VmHWM) to the current one
    base = _rss_kib("VmRSS")
    for _ in range(3):
        step()
    peak = _rss_kib("VmHWM") - base
    line = f"{side}: peak above the pre-step resident set over 3 steps {peak / 1024:.1f} MiB"
    if steps > 3:
        for _ in range(97):
            step()
        at_100 = _rss_kib("VmRSS")
        for _ in range(steps - 100):
            step()
        line += f"; resident set after 100 steps {at_100 / 1024:.1f} MiB, after {steps}: {_rss_kib('VmRSS') / 1024:.1f} MiB"
    print(line, flush=True)


def memory(steps: int = 1000) -> None:
    """Print both sides' peak step memory at batch 256, and gradnote's resident set after 100 and `steps` steps."""
    sides = ["gradnote"] + (["torch"] if harness.torch_available() else [])
    flags = [a for a in sys.argv[1:] if a == "--single-thread"]
    for side in sides:
        subprocess.run([sys.executable, __file__, "--memory-worker", side,
                        str(steps if side == "gradnote" else 3), *flags], check=True)


if __name__ == "__main__":
    if "--memory-worker" in sys.argv:
        i = sys.argv.index("--memory-worker")
        _memory_worker(sys.argv[i + 1], int(sys.argv[i + 2]))
    elif "--memory" in sys.argv:
        memory()
    else:
        main()
