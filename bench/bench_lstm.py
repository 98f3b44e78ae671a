"""LSTM many-to-one training step: (64, 50, 32) sequences, hidden 128, Linear head, cross-entropy, Adam.

One step = forward through nn.LSTM (one fused op: the time loop runs inside forward and
backward), the last hidden state through nn.Linear(128, 10), loss, backward, Adam step;
for gradnote and the same network in PyTorch eager (weights copied across, so both do
identical work; first-step losses checked equal). Target: <= 1.0x; DeZero (when installed) is
timed on the same network unrolled over its LSTM cell, target >= 5x slower than gradnote.

    python bench/bench_lstm.py                  # default threads (PyTorch: one per CPU)
    python bench/bench_lstm.py --single-thread  # one BLAS thread for NumPy, one thread for PyTorch
"""

from __future__ import annotations

import harness  # first: with --single-thread it limits BLAS threads before NumPy loads
import numpy as np
from harness import compare, same_first_loss, setup_torch

import gradnote as gn
import gradnote.functional as F
from gradnote import nn

N, T, IN, H, CLASSES = 64, 50, 32, 128, 10


class Classifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(IN, H, batch_first=True)
        self.head = nn.Linear(H, CLASSES)

    def forward(self, x):
        _, (h_n, _) = self.lstm(x)
        return self.head(h_n[-1])


def make_steps(torch=None):
    """Zero-argument callables (gn_step, torch_step); torch_step is None without torch."""
    rng = np.random.default_rng(0)
    x_np = rng.standard_normal((N, T, IN)).astype(np.float32)
    y_np = rng.integers(0, CLASSES, N)

    gn.manual_seed(0)
    model = Classifier()
    opt = gn.optim.Adam(model.parameters(), lr=1e-3)
    x, y = gn.tensor(x_np), gn.tensor(y_np)

    gn_step = harness.gn_train_step(model, opt, x, y)

    torch_step = None
    if torch is not None:
        class TorchClassifier(torch.nn.Module):
            def __init__(self):
                super().__init__()
                self.lstm = torch.nn.LSTM(IN, H, batch_first=True)
                self.head = torch.nn.Linear(H, CLASSES)

            def forward(self, t):
                _, (h_n, _) = self.lstm(t)
                return self.head(h_n[-1])

        tmodel = TorchClassifier()
        tmodel.load_state_dict({k: torch.from_numpy(v.copy()) for k, v in model.state_dict().items()})
        topt = torch.optim.Adam(tmodel.parameters(), lr=1e-3)
        tx, ty = torch.from_numpy(x_np), torch.from_numpy(y_np)

        with gn.no_grad(), torch.no_grad():
            same_first_loss("lstm", F.cross_entropy(model(x), y).item(),
                            torch.nn.functional.cross_entropy(tmodel(tx), ty).item())

        def torch_step():
            topt.zero_grad()
            torch.nn.functional.cross_entropy(tmodel(tx), ty).backward()
            topt.step()

    return gn_step, torch_step


def main() -> dict:
    torch = setup_torch()
    gn_step, torch_step = make_steps(torch)
    return compare("lstm 1-thread" if harness.SINGLE_THREAD else "lstm train step", gn_step, torch_step,
                   target=1.0)


if __name__ == "__main__":
    main()
