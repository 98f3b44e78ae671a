"""Optimiser race: SGD, Momentum, Adagrad, RMSprop and Adam on the same problem.

    python examples/optimizer_race.py [--epochs 20] [--lr 0.01]

Every optimiser trains the same MLP (2-64-64-3, ReLU) from the same initial weights on the same
mini-batches of the spiral data (3 interleaved arms, not linearly separable), with the SAME
learning rate, and the script prints the training loss after each epoch.

    SGD       w -= lr * g                         one step size for every weight
    Momentum  v = 0.9 v + g;  w -= lr * v         keeps going where gradients agree (a ball rolling)
    Adagrad   G += g^2;  w -= lr * g / sqrt(G)    per-weight step that shrinks where gradients were big
    RMSprop   G = 0.99 G + 0.01 g^2;  w -= lr * g / sqrt(G)   Adagrad with a leaky memory
    Adam      momentum + RMSprop + bias correction

At equal lr plain SGD crawls: its step is lr times a gradient that is small far from the output.
Momentum multiplies the effective step by ~1 / (1 - 0.9) = 10; the adaptive methods divide by the
gradient's own scale, so every weight moves about lr per step whatever its gradient's size.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))  # run from a plain checkout too

import numpy as np  # noqa: E402

import gradnote as gn  # noqa: E402
import gradnote.functional as F  # noqa: E402
import gradnote.nn as nn  # noqa: E402
import gradnote.optim as optim  # noqa: E402
from gradnote import viz  # noqa: E402
from gradnote.viz import save_figure

FIGURES = Path(__file__).resolve().parent / "figures"

OPTIMIZERS = {
    "SGD": lambda params, lr: optim.SGD(params, lr=lr),
    "Momentum": lambda params, lr: optim.SGD(params, lr=lr, momentum=0.9),
    "Adagrad": lambda params, lr: optim.Adagrad(params, lr=lr),
    "RMSprop": lambda params, lr: optim.RMSprop(params, lr=lr),
    "Adam": lambda params, lr: optim.Adam(params, lr=lr),
}


def make_model(seed: int, hidden: int = 64) -> nn.Sequential:
    gn.manual_seed(seed)
    return nn.Sequential(nn.Linear(2, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU(), nn.Linear(hidden, 3))


def race(epochs: int = 20, lr: float = 0.01, n: int = 100, batch_size: int = 32, seed: int = 0,
         names=tuple(OPTIMIZERS)) -> dict:
    """Train one copy of the same model per optimiser; returns {name: [loss before training, after epoch 1, ...]}.

    The loss is the mean cross-entropy over the whole training set, measured after each epoch.
    """
    x_np, y_np = gn.data.datasets.spiral(3 * n, classes=3, seed=seed)  # n points per class
    x, y = gn.tensor(x_np.astype(np.float32)), gn.tensor(y_np)
    init = make_model(seed).state_dict()
    init = {k: v.copy() for k, v in init.items()}
    order_rng = np.random.default_rng(seed)
    orders = [order_rng.permutation(len(x_np)) for _ in range(epochs)]  # identical batches for everyone

    def full_loss(model) -> float:
        with gn.no_grad():
            return F.cross_entropy(model(x), y).item()

    history = {}
    for name in names:
        model = make_model(seed)
        model.load_state_dict(init)
        opt = OPTIMIZERS[name](model.parameters(), lr)
        losses = [full_loss(model)]
        for order in orders:
            for start in range(0, len(order), batch_size):
                idx = order[start:start + batch_size]
                loss = F.cross_entropy(model(x[idx]), y[idx])
                opt.zero_grad()
                loss.backward()
                opt.step()
            losses.append(full_loss(model))
        history[name] = losses
    return history


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--lr", type=float, default=0.01)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--figure", default=str(FIGURES / "optimizer_race.png"), help="where to save the figure (PNG)")
    args = parser.parse_args(argv)

    history = race(args.epochs, args.lr, seed=args.seed)
    print(f"spiral data (3 classes x 100 points), MLP 2-64-64-3, batch 32, lr {args.lr} for every optimiser")
    print("training cross-entropy after each epoch (epoch 0: before training)\n")
    print("epoch " + "".join(f"{name:>10}" for name in history))
    for epoch in range(args.epochs + 1):
        print(f"{epoch:5d} " + "".join(f"{history[name][epoch]:10.4f}" for name in history))
    ranking = sorted(history, key=lambda k: history[k][-1])
    print("\nfinal ranking (lowest loss first): " + " < ".join(ranking))
    save_figure(lambda path: viz.plot_curves(history, ylabel="training cross-entropy", start=0, logy=True,
                                             title="optimiser race (epoch 0: before training)", path=path),
                args.figure)
    return history


if __name__ == "__main__":
    main()
