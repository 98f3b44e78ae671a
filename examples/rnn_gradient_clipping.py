"""Exploding gradients in an RNN, and gradient-norm clipping that tames them.

    python examples/rnn_gradient_clipping.py [--gain 1.3] [--steps 60] [--max-norm 1.0]

A ReLU RNN whose recurrent weight is `gain` times a random rotation multiplies the signal, and
the gradient flowing back through time, by up to `gain` at every step: over T = 50 steps that is
1.3**50 ~ 5e5. The task (predict the mean of 50 numbers) is easy, yet plain SGD's first update
is so large that the loss turns into inf/NaN. ``nn.utils.clip_grad_norm_`` rescales the whole
gradient to norm <= max_norm before each step (keeping its direction) and the same model trains.
Both runs print the gradient norm BEFORE clipping (what clip_grad_norm_ returns).
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))  # run from a plain checkout too

import numpy as np

import gradnote as gn
import gradnote.functional as F
from gradnote import nn, viz
from gradnote.viz import save_figure

FIGURES = Path(__file__).resolve().parent / "figures"


class MeanRegressor(nn.Module):
    """x (T, N, 1) -> (N, 1): ReLU RNN (sequence-first, PyTorch's default layout), last hidden state, Linear."""

    def __init__(self, hidden: int = 32, gain: float = 1.3, seed: int = 0):
        super().__init__()
        self.rnn = nn.RNN(1, hidden, nonlinearity="relu")
        self.head = nn.Linear(hidden, 1)
        q, _ = np.linalg.qr(np.random.default_rng(seed).standard_normal((hidden, hidden)))
        self.rnn.weight_hh_l0.data[...] = gain * q  # every singular value = gain

    def forward(self, x):
        _, h_n = self.rnn(x)
        return self.head(h_n[-1])


def train(max_norm: float | None, *, gain: float = 1.3, steps: int = 60, seq_len: int = 50, hidden: int = 32,
          lr: float = 0.01, seed: int = 0) -> dict:
    """SGD on MSE, with clipping to `max_norm` (None: no clipping). Returns per-step gradient norms
    (before clipping) and losses."""
    gn.manual_seed(seed)
    rng = np.random.default_rng(seed)
    model = MeanRegressor(hidden, gain, seed)
    params = list(model.parameters())
    opt = gn.optim.SGD(params, lr=lr)
    norms, losses = [], []
    with np.errstate(over="ignore", invalid="ignore"):  # the unclipped run overflows on purpose
        for _ in range(steps):
            x = rng.uniform(0, 1, (seq_len, 32, 1)).astype(np.float32)
            loss = F.mse_loss(model(gn.tensor(x)), gn.tensor(x.mean(axis=0)))
            opt.zero_grad()
            loss.backward()
            # with max_norm=inf clip_grad_norm_ only measures the norm
            norms.append(float(nn.utils.clip_grad_norm_(params, math.inf if max_norm is None else max_norm)))
            opt.step()
            losses.append(loss.item())
    return {"norms": norms, "losses": losses}


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gain", type=float, default=1.3)
    parser.add_argument("--steps", type=int, default=60)
    parser.add_argument("--max-norm", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--figure", default=str(FIGURES / "rnn_gradient_clipping.png"), help="where to save the figure")
    args = parser.parse_args(argv)

    plain = train(None, gain=args.gain, steps=args.steps, seed=args.seed)
    clipped = train(args.max_norm, gain=args.gain, steps=args.steps, seed=args.seed)
    print(f"{'step':>4}  {'grad norm (no clip)':>20}  {'loss':>10}  |  {'grad norm (clip)':>17}  {'loss':>10}")
    for s in [0, 1, 2, 3, 5, 10, 20, 40, args.steps - 1]:
        if s < args.steps:
            print(f"{s:4d}  {plain['norms'][s]:20.4g}  {plain['losses'][s]:10.4g}  |  "
                  f"{clipped['norms'][s]:17.4g}  {clipped['losses'][s]:10.4g}")
    print(f"without clipping the final loss is {plain['losses'][-1]:.4g}; "
          f"clipped to norm {args.max_norm} it is {clipped['losses'][-1]:.4g}")
    finite = lambda v: [x if math.isfinite(x) else float("nan") for x in v]  # noqa: E731 - overflowed steps leave gaps
    curves = {"no clipping": finite(plain["losses"]), f"clip_grad_norm_(max_norm={args.max_norm})": finite(clipped["losses"])}
    save_figure(lambda path: viz.plot_curves(curves, xlabel="step", ylabel="MSE loss", logy=True, path=path,
                                             title=f"exploding gradients (recurrent gain {args.gain})"), args.figure)
    return {"plain": plain, "clipped": clipped}


if __name__ == "__main__":
    main()
