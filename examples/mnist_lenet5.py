"""Train LeNet-5 on MNIST: >= 98.5% test accuracy in 2 epochs, printing the time per epoch.

    python examples/mnist_lenet5.py [MNIST_DIR] [--epochs 2] [--batch-size 64] [--lr 0.05]

MNIST_DIR holds the four IDX files (gzip or raw); default ../shared/datasets/mnist beside the repository.
Pixels are scaled to [0, 1] and standardised with the training set's mean and std;
SGD with momentum 0.9 and a learning rate halved for the second epoch.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))  # run from a plain checkout too

import numpy as np

import gradnote as gn
import gradnote.functional as F
from gradnote.data import DataLoader, TensorDataset
from gradnote.data.datasets import load_mnist
from gradnote.models import LeNet5

SHARED = Path(__file__).resolve().parents[2] / "shared" / "datasets"  # the datasets folder beside the repo
DEFAULT_DIR = str(SHARED / "mnist")


def evaluate(model, x: np.ndarray, y: np.ndarray, batch_size: int = 1000) -> float:
    """Fraction of correctly classified images."""
    model.eval()
    correct = 0
    with gn.no_grad():
        for i in range(0, len(x), batch_size):
            logits = model(gn.Tensor._wrap(x[i:i + batch_size])).data
            correct += int((logits.argmax(axis=1) == y[i:i + batch_size]).sum())
    model.train()
    return correct / len(x)


def main(argv=None) -> float:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", default=DEFAULT_DIR, help="folder with the MNIST IDX files")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=0.05)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    gn.manual_seed(args.seed)
    try:
        (x_train, y_train), (x_test, y_test) = load_mnist(args.path, normalize=True)
    except FileNotFoundError as e:  # the usual first run: no MNIST folder given or at the default place
        parser.error(f"{e}\ngive the folder holding the four MNIST IDX files: python examples/mnist_lenet5.py PATH")
    mean, std = x_train.mean(), x_train.std()
    x_train = ((x_train - mean) / std).astype(np.float32)[:, None]  # (N, 1, 28, 28)
    x_test = ((x_test - mean) / std).astype(np.float32)[:, None]
    print(f"MNIST: {len(x_train)} training, {len(x_test)} test images from {args.path}")

    model = LeNet5()
    opt = gn.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9)
    loader = DataLoader(TensorDataset(x_train, y_train), batch_size=args.batch_size, shuffle=True)

    acc = 0.0
    for epoch in range(1, args.epochs + 1):
        opt.param_groups[0]["lr"] = args.lr * 0.5 ** (epoch - 1)
        start, total, batches = time.perf_counter(), 0.0, 0
        for xb, yb in loader:
            opt.zero_grad()
            loss = F.cross_entropy(model(xb), yb)
            loss.backward()
            opt.step()
            total += loss.item()
            batches += 1
        seconds = time.perf_counter() - start
        acc = evaluate(model, x_test, y_test)
        print(f"epoch {epoch}: train loss {total / batches:.4f}  test accuracy {acc:.2%}  "
              f"time {seconds:.1f} s ({seconds / batches * 1e3:.1f} ms/step)", flush=True)
    return acc


if __name__ == "__main__":
    main()
