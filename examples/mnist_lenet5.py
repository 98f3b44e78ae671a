"""Train LeNet-5 on MNIST: >= 98.5% test accuracy in 2 epochs, printing the time per epoch.

    python examples/mnist_lenet5.py [MNIST_DIR] [--epochs 2] [--batch-size 64] [--lr 0.05]

MNIST_DIR holds the four IDX files (gzip or raw); default ../shared/datasets/mnist beside the repository.
Pixels are scaled to [0, 1] and standardised with the training set's mean and std;
SGD with momentum 0.9 and a learning rate halved for the second epoch.

The figures: the six 5x5 filters conv1 learnt (examples/figures/mnist_lenet5.png; --figure to
choose; red weights add the pixel, blue ones subtract it: strokes and their edges) and what they make
of the first test digit, conv1's ReLU feature maps (mnist_lenet5_maps.png beside it).
--subset N trains and tests on the first N images of each split (a quick run).
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
from gradnote import viz
from gradnote.data import DataLoader, TensorDataset
from gradnote.data.datasets import load_mnist
from gradnote.models import LeNet5
from gradnote.viz import save_figure

SHARED = Path(__file__).resolve().parents[2] / "shared" / "datasets"  # the datasets folder beside the repo
DEFAULT_DIR = str(SHARED / "mnist")
FIGURES = Path(__file__).resolve().parent / "figures"


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


def first_feature_maps(model, image: np.ndarray) -> np.ndarray:
    """conv1's ReLU feature maps (channels, 28, 28) of one standardised (1, 28, 28) image."""
    model.eval()
    with gn.no_grad():
        maps = F.relu(model.conv1(gn.Tensor._wrap(image[None]))).data[0]
    model.train()
    return maps


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", default=DEFAULT_DIR, help="folder with the MNIST IDX files")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=0.05)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--subset", type=int, default=None, help="use only the first N images of each split")
    parser.add_argument("--figure", default=str(FIGURES / "mnist_lenet5.png"),
                        help="where to save the filters (PNG); the feature maps go beside it as NAME_maps.png")
    args = parser.parse_args(argv)
    if args.subset is not None and args.subset < 1:
        parser.error(f"--subset must be a positive number of images, got {args.subset}")

    gn.manual_seed(args.seed)
    try:
        (x_train, y_train), (x_test, y_test) = load_mnist(args.path, normalize=True)
    except FileNotFoundError as e:  # the usual first run: no MNIST folder given or at the default place
        name = Path(__file__).name
        parser.exit(2, f"{name}: error: {e} (give the folder holding the four MNIST IDX files: python examples/{name} PATH)\n")
    mean, std = x_train.mean(), x_train.std()
    x_train = ((x_train - mean) / std).astype(np.float32)[:, None]  # (N, 1, 28, 28)
    x_test = ((x_test - mean) / std).astype(np.float32)[:, None]
    x_train, y_train, x_test, y_test = x_train[:args.subset], y_train[:args.subset], x_test[:args.subset], y_test[:args.subset]
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
    maps = first_feature_maps(model, x_test[0])
    print(f"conv1 feature maps of the first test digit (a {y_test[0]}): strongest response per filter "
          + ", ".join(f"{v:.2f}" for v in maps.max(axis=(1, 2))))
    figure = Path(args.figure)
    save_figure(lambda path: viz.plot_filters(model.conv1.weight, path=path), figure)
    save_figure(lambda path: viz.plot_feature_maps(maps, path=path), figure.with_name(f"{figure.stem}_maps.png"))
    return {"accuracy": acc, "filters": model.conv1.weight.data.copy(), "feature_maps": maps}


if __name__ == "__main__":
    main()
