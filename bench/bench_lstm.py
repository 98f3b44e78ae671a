"""LSTM many-to-one training step: (64, 50, 32) sequences, hidden 128, Linear head, cross-entropy, Adam.

One step = forward through nn.LSTM (one fused op: the time loop runs inside forward and
backward), the last hidden state through nn.Linear(128, 10), loss, backward, Adam step;
for gradnote and the same network in PyTorch eager (weights copied across, so both do
identical work; first-step losses checked equal). Target: <= 1.0x; DeZero (when installed) is
timed on the same network unrolled over its LSTM cell, target >= 5x slower than gradnote.

    python bench/bench_lstm.py                  # default threads (PyTorch: one per CPU)
    python bench/bench_lstm.py --single-thread  # one BLAS thread for NumPy, one thread for PyTorch
    python bench/bench_lstm.py --device cuda    # both on the GPU (gradnote through CuPy, PyTorch CUDA); no DeZero
"""

from __future__ import annotations

import importlib.util

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
    model, x, y = harness.to_device(model, gn.tensor(x_np), gn.tensor(y_np))

    gn_step = harness.gn_synced(harness.gn_train_step(model, opt, x, y))

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
        tmodel.load_state_dict(harness.torch_state_dict(torch, model))
        tmodel.to(harness.DEVICE)
        topt = torch.optim.Adam(tmodel.parameters(), lr=1e-3)
        tx, ty = torch.from_numpy(x_np).to(harness.DEVICE), torch.from_numpy(y_np).to(harness.DEVICE)

        with gn.no_grad(), torch.no_grad():
            same_first_loss("lstm", F.cross_entropy(model(x), y).item(),
                            torch.nn.functional.cross_entropy(tmodel(tx), ty).item())

        def torch_step():
            topt.zero_grad()
            torch.nn.functional.cross_entropy(tmodel(tx), ty).backward()
            topt.step()

    return gn_step, harness.torch_synced(torch, torch_step), model, x_np, y_np


def dezero_step(model, x_np, y_np):
    """The same network in DeZero (its LSTM cell unrolled over the T steps, its Adam), None if DeZero
    is not installed. Its four gates are separate Linear layers; the weights come from `model`."""
    if importlib.util.find_spec("dezero") is None:
        return None
    if not hasattr(np, "int"):
        np.int = int  # DeZero 0.0.13 still names np.int, removed in NumPy 1.24
    import dezero
    import dezero.functions as DF
    import dezero.layers as DL

    sd = model.state_dict()
    w_ih, w_hh, bias = sd["lstm.weight_ih_l0"], sd["lstm.weight_hh_l0"], sd["lstm.bias_ih_l0"] + sd["lstm.bias_hh_l0"]
    cell, head = DL.LSTM(H, in_size=IN), DL.Linear(CLASSES, in_size=H)
    for k, gate in enumerate("ifuo"):  # PyTorch's order i, f, g, o; DeZero calls g "u"
        rows = slice(k * H, (k + 1) * H)
        getattr(cell, f"x2{gate}").W.data = w_ih[rows].T.copy()
        getattr(cell, f"x2{gate}").b.data = bias[rows].copy()
        getattr(cell, f"h2{gate}").W.data = w_hh[rows].T.copy()
    head.W.data, head.b.data = sd["head.weight"].T.copy(), sd["head.bias"].copy()
    params = [p for layer in (cell, head) for p in layer.params()]
    opt = dezero.optimizers.Adam(alpha=1e-3)
    opt.target = type("Params", (), {"params": lambda self: iter(params)})()
    xs = [dezero.Variable(np.ascontiguousarray(x_np[:, t])) for t in range(T)]

    def forward():
        cell.reset_state()
        for x_t in xs:
            h = cell(x_t)
        return DF.softmax_cross_entropy(head(h), y_np)

    same_first_loss("lstm (dezero)", float(forward().data), F.cross_entropy(model(gn.tensor(x_np)),
                                                                             gn.tensor(y_np)).item())

    def step():
        for p in params:
            p.cleargrad()
        forward().backward()
        opt.update()

    return step


def main() -> list[dict]:
    torch = setup_torch()
    gn_step, torch_step, model, x_np, y_np = make_steps(torch)
    results = [compare("lstm 1-thread" if harness.SINGLE_THREAD else "lstm train step", gn_step, torch_step,
                       target=1.0)]
    dz_step = dezero_step(model, x_np, y_np) if harness.DEVICE == "cpu" else None
    if dz_step is not None:  # gradnote / DeZero: at most 0.2 means DeZero is at least 5x slower
        results.append(compare("lstm vs dezero", gn_step, dz_step, target=0.2, other="dezero", repeats=3))
    return results


if __name__ == "__main__":
    main()
