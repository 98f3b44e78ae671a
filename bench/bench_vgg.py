"""A small VGG-style net on CIFAR-sized input: (64, 3, 32, 32), cross-entropy, SGD momentum 0.9.

    conv3x3(3, 32) ReLU conv3x3(32, 32) ReLU maxpool2   (64, 32, 16, 16)
    conv3x3(32, 64) ReLU conv3x3(64, 64) ReLU maxpool2  (64, 64, 8, 8)
    flatten -> Linear(4096, 10)

One step = forward, loss, backward, optimiser step, for gradnote and the same network in PyTorch eager
(weights copied across; the first step's losses are checked equal). Target: <= 1.0x.

    python bench/bench_vgg.py                  # default threads (PyTorch: one per CPU)
    python bench/bench_vgg.py --single-thread  # one BLAS thread for NumPy, one thread for PyTorch
"""

from __future__ import annotations

import harness  # first: with --single-thread it limits BLAS threads before NumPy loads
import numpy as np
from harness import compare, setup_torch

import gradnote as gn

BATCH = 64


def _gn_model():
    nn = gn.nn
    return nn.Sequential(
        nn.Conv2d(3, 32, 3, padding=1), nn.ReLU(), nn.Conv2d(32, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.Conv2d(64, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(64 * 8 * 8, 10))


def main() -> dict:
    torch = setup_torch()
    rng = np.random.default_rng(0)
    x_np = rng.standard_normal((BATCH, 3, 32, 32)).astype(np.float32)
    y_np = rng.integers(0, 10, BATCH)

    gn.manual_seed(0)
    model = _gn_model()
    opt = gn.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    x, y = gn.tensor(x_np), gn.tensor(y_np)
    gn_step = harness.gn_train_step(model, opt, x, y)

    torch_step = None
    if torch is not None:
        nn = torch.nn
        tmodel = nn.Sequential(
            nn.Conv2d(3, 32, 3, padding=1), nn.ReLU(), nn.Conv2d(32, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.Conv2d(64, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(64 * 8 * 8, 10))
        tmodel.load_state_dict({k: torch.from_numpy(v.copy()) for k, v in model.state_dict().items()})
        topt = torch.optim.SGD(tmodel.parameters(), lr=0.01, momentum=0.9)
        tx, ty = torch.from_numpy(x_np), torch.from_numpy(y_np)

        def torch_step():
            topt.zero_grad()
            torch.nn.functional.cross_entropy(tmodel(tx), ty).backward()
            topt.step()

        with gn.no_grad(), torch.no_grad():
            harness.same_first_loss("vgg", gn.functional.cross_entropy(model(x), y).item(),
                                    torch.nn.functional.cross_entropy(tmodel(tx), ty).item())

    return compare("vgg 1-thread" if harness.SINGLE_THREAD else "vgg train step", gn_step, torch_step, target=1.0)


if __name__ == "__main__":
    main()
