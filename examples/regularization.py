"""Regularisation: L2, dropout and batch norm against an MLP that memorises its training set.

    python examples/regularization.py [--steps 400] [--n-train 150] [--l2 0.01]

The data: 5 random features, a label that depends on three of them (y = [x0 * x1 + x2 > 0]), and
20% of the training labels flipped at random. With only 150 training points a 5-256-256-2 MLP
(~67k weights) memorises every point, noise included: training accuracy reaches 100% while
validation accuracy (2000 clean points) lags far behind. That gap is overfitting.

    none       the plain MLP
    L2         loss + lambda * sum w^2 (nn.l2_penalty): big weights, needed to fit noise, cost extra
    dropout    each hidden unit dropped with p = 0.5 in training: no unit can rely on another
    batchnorm  BatchNorm1d after each hidden Linear: mainly speeds up optimisation; with full-batch
               training its batch statistics add no noise, so it does not close the gap here

The script prints training and validation loss and accuracy and the train - validation gap, and
draws train beside validation accuracy per variant (examples/figures/regularization.png). L2 and
dropout shrink the gap mostly by refusing to fit the flipped labels, and validation accuracy rises.
The default lambda = 0.01 is large on purpose: the usual 1e-4 barely touches a model this wide.
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
from gradnote import viz  # noqa: E402
from gradnote.viz import save_figure

FIGURES = Path(__file__).resolve().parent / "figures"

VARIANTS = ("none", "L2", "dropout", "batchnorm")


def make_data(n_train: int = 150, n_val: int = 2000, features: int = 5, label_noise: float = 0.2, seed: int = 0):
    """x ~ N(0, I); y = [x0 * x1 + x2 > 0]; a `label_noise` fraction of training labels flipped."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n_train + n_val, features)).astype(np.float32)
    y = (x[:, 0] * x[:, 1] + x[:, 2] > 0).astype(np.int64)
    flip = rng.random(n_train) < label_noise
    y[:n_train][flip] = 1 - y[:n_train][flip]
    return (x[:n_train], y[:n_train]), (x[n_train:], y[n_train:])


def make_model(variant: str, features: int = 5, hidden: int = 256, p: float = 0.5) -> nn.Sequential:
    layers = []
    for fan_in in (features, hidden):
        layers.append(nn.Linear(fan_in, hidden))
        if variant == "batchnorm":
            layers.append(nn.BatchNorm1d(hidden))
        layers.append(nn.ReLU())
        if variant == "dropout":
            layers.append(nn.Dropout(p))
    layers.append(nn.Linear(hidden, 2))
    return nn.Sequential(*layers)


def evaluate(model, x, y) -> tuple[float, float]:
    model.eval()
    with gn.no_grad():
        logits = model(x)
        loss = F.cross_entropy(logits, y).item()
        acc = float((logits.data.argmax(axis=1) == y.data).mean())
    model.train()
    return loss, acc


def train_variant(variant: str, train, val, steps: int = 400, lr: float = 1e-3, l2: float = 1e-2,
                  hidden: int = 256, seed: int = 0) -> dict:
    """Full-batch Adam for `steps` steps; returns final train/val loss and accuracy and the gap."""
    if variant not in VARIANTS:
        raise ValueError(f"regularization example: variant must be one of {VARIANTS}, got {variant!r}")
    gn.manual_seed(seed)
    model = make_model(variant, features=train[0].shape[1], hidden=hidden)
    opt = gn.optim.Adam(model.parameters(), lr=lr)
    xt, yt = gn.tensor(train[0]), gn.tensor(train[1])
    xv, yv = gn.tensor(val[0]), gn.tensor(val[1])
    weights = [m.weight for m in model if isinstance(m, nn.Linear)]  # biases are not penalised, as usual
    for _ in range(steps):
        loss = F.cross_entropy(model(xt), yt)
        if variant == "L2":
            loss = loss + l2 * nn.l2_penalty(weights)
        opt.zero_grad()
        loss.backward()
        opt.step()
    train_loss, train_acc = evaluate(model, xt, yt)
    val_loss, val_acc = evaluate(model, xv, yv)
    return {"train_loss": train_loss, "train_acc": train_acc, "val_loss": val_loss, "val_acc": val_acc,
            "gap": train_acc - val_acc}


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=400)
    parser.add_argument("--n-train", type=int, default=150)
    parser.add_argument("--l2", type=float, default=1e-2, help="L2 penalty coefficient lambda")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--figure", default=str(FIGURES / "regularization.png"), help="where to save the figure (PNG)")
    args = parser.parse_args(argv)

    train, val = make_data(args.n_train, seed=args.seed)
    print(f"{len(train[0])} noisy training points (20% labels flipped), {len(val[0])} clean validation points")
    print(f"MLP 5-256-256-2, full-batch Adam lr 1e-3, {args.steps} steps; L2 lambda {args.l2}, dropout p 0.5\n")
    print(f"{'variant':<10} {'train loss':>10} {'train acc':>10} {'val loss':>10} {'val acc':>10} {'acc gap':>9}")
    results = {}
    for variant in VARIANTS:
        r = train_variant(variant, train, val, steps=args.steps, l2=args.l2, seed=args.seed)
        results[variant] = r
        print(f"{variant:<10} {r['train_loss']:10.4f} {r['train_acc']:10.1%} {r['val_loss']:10.4f} "
              f"{r['val_acc']:10.1%} {r['gap']:9.1%}")
    bars = {v: {"train accuracy": r["train_acc"], "validation accuracy": r["val_acc"]} for v, r in results.items()}
    save_figure(lambda path: viz.plot_bars(bars, ylabel="accuracy", percent=True, path=path,
                                           title="overfitting gap: train vs validation accuracy"), args.figure)
    return results


if __name__ == "__main__":
    main()
