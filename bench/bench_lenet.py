"""LeNet-5 training step on MNIST-sized input: (64, 1, 28, 28), cross-entropy, SGD momentum 0.9.

One step = forward, loss, backward, optimiser step, for gradnote's models.LeNet5 and the same
network in PyTorch eager (weights copied across, so both do identical work). Target: <= 1.5x.

    python bench/bench_lenet.py                  # default threads (PyTorch: one per CPU)
    python bench/bench_lenet.py --single-thread  # one BLAS thread for NumPy, one thread for PyTorch

One thread each is the steadier comparison on a busy machine.
"""

from __future__ import annotations

import harness  # first: with --single-thread it limits BLAS threads before NumPy loads
import numpy as np
from harness import compare, setup_torch

import gradnote as gn


def main() -> dict:
    torch = setup_torch()
    rng = np.random.default_rng(0)
    x_np = rng.standard_normal((64, 1, 28, 28)).astype(np.float32)
    y_np = rng.integers(0, 10, 64)

    gn.manual_seed(0)
    model = gn.models.LeNet5()
    opt = gn.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    x, y = gn.tensor(x_np), gn.tensor(y_np)

    gn_step = harness.gn_train_step(model, opt, x, y)

    torch_step = None
    if torch is not None:
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
        tmodel.load_state_dict({k: torch.from_numpy(v.copy()) for k, v in model.state_dict().items()})
        topt = torch.optim.SGD(tmodel.parameters(), lr=0.01, momentum=0.9)
        tx, ty = torch.from_numpy(x_np), torch.from_numpy(y_np)

        def torch_step():
            topt.zero_grad()
            tF.cross_entropy(tmodel(tx), ty).backward()
            topt.step()

    return compare("lenet5 1-thread" if harness.SINGLE_THREAD else "lenet5 train step", gn_step, torch_step,
                   target=1.5)


if __name__ == "__main__":
    main()
