"""Unsupervised anomaly detection: an autoencoder trained on some digits flags the others.

    python examples/autoencoder_anomaly.py [--data PATH] [--normal 0 1 2 3 4] [--epochs 10]

The autoencoder squeezes each 28x28 image through a small code and rebuilds it. Trained on "normal"
digits only (no labels used beyond choosing them), it learns to rebuild those well and others badly,
so the reconstruction error is an anomaly score: the same idea flags unusual card payments. The
score is judged by ROC AUC on the test set: the chance that a random anomaly scores higher than a
random normal image (0.5 is guessing, 1.0 is perfect).
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
from gradnote import nn, optim
from gradnote.data import DataLoader, TensorDataset
from gradnote.data.datasets import load_mnist
from gradnote.metrics import roc_auc

MNIST = Path(__file__).resolve().parent.parent.parent / "shared" / "datasets" / "mnist"


class Autoencoder(nn.Module):
    """x (N, 784) in [0, 1] -> reconstruction (N, 784): 784-hidden-latent-hidden-784, sigmoid output."""

    def __init__(self, in_features: int = 784, hidden: int = 128, latent: int = 16):
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(in_features, hidden), nn.ReLU(), nn.Linear(hidden, latent))
        self.decoder = nn.Sequential(nn.Linear(latent, hidden), nn.ReLU(), nn.Linear(hidden, in_features),
                                     nn.Sigmoid())

    def forward(self, x):
        return self.decoder(self.encoder(x))


def split(x: np.ndarray, y: np.ndarray, normal: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """The normal images, and an anomaly label per image (1 where the digit is not a normal one)."""
    is_anomaly = ~np.isin(y, normal)
    return x[~is_anomaly], is_anomaly.astype(np.int64)


def train(model: Autoencoder, x: np.ndarray, *, epochs: int = 10, batch_size: int = 128, lr: float = 1e-3,
          log: bool = False) -> list[float]:
    """Adam on the mean squared reconstruction error; returns each epoch's mean loss."""
    loader = DataLoader(TensorDataset(x), batch_size=batch_size, shuffle=True)
    opt = optim.Adam(model.parameters(), lr=lr)
    losses = []
    for epoch in range(epochs):
        total, start = 0.0, time.perf_counter()
        for (xb,) in loader:
            loss = F.mse_loss(model(xb), xb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(xb)
        losses.append(total / len(x))
        if log:
            print(f"epoch {epoch + 1}: reconstruction MSE {losses[-1]:.5f} ({time.perf_counter() - start:.1f} s)",
                  flush=True)
    return losses


def reconstruction_error(model: Autoencoder, x: np.ndarray, batch_size: int = 1000) -> np.ndarray:
    """Per-image mean squared error (N,): the anomaly score."""
    model.eval()
    with gn.no_grad():
        errors = [F.mse_loss(model(gn.tensor(xb)), gn.tensor(xb), reduction="none").data.mean(axis=1)
                  for xb in np.array_split(x, max(1, len(x) // batch_size))]
    model.train()
    return np.concatenate(errors)


def run(x_train, y_train, x_test, y_test, normal: list[int], *, epochs: int = 10, hidden: int = 128,
        latent: int = 16, lr: float = 1e-3, batch_size: int = 128, seed: int = 0, log: bool = False) -> dict:
    """Train on the normal training digits, score every test image; AUC overall and per anomalous digit."""
    gn.manual_seed(seed)
    x_normal, _ = split(x_train, y_train, normal)
    model = Autoencoder(x_train.shape[1], hidden, latent)
    losses = train(model, x_normal, epochs=epochs, batch_size=batch_size, lr=lr, log=log)
    scores = reconstruction_error(model, x_test)
    _, is_anomaly = split(x_test, y_test, normal)
    per_digit = {int(d): roc_auc(is_anomaly[np.isin(y_test, [*normal, d])], scores[np.isin(y_test, [*normal, d])])
                 for d in np.unique(y_test) if d not in normal}
    return {"model": model, "losses": losses, "scores": scores, "is_anomaly": is_anomaly,
            "auc": roc_auc(is_anomaly, scores), "auc_per_digit": per_digit}


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(MNIST), help="folder with the MNIST IDX files")
    parser.add_argument("--normal", type=int, nargs="+", default=[0, 1, 2, 3, 4], help="digits seen in training")
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--latent", type=int, default=16)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    try:
        (x_train, y_train), (x_test, y_test) = load_mnist(args.data, normalize=True, flatten=True)
    except FileNotFoundError as e:  # no MNIST at the default place: a message, not a traceback
        parser.error(f"{e}\ngive the folder holding the four MNIST IDX files: --data PATH")
    start = time.perf_counter()
    result = run(x_train, y_train, x_test, y_test, args.normal, epochs=args.epochs, latent=args.latent,
                 seed=args.seed, log=True)
    scores, is_anomaly = result["scores"], result["is_anomaly"]
    print(f"normal digits {args.normal}: mean error {scores[is_anomaly == 0].mean():.4f} on normal test images, "
          f"{scores[is_anomaly == 1].mean():.4f} on the others")
    print("AUC per anomalous digit: " + ", ".join(f"{d}: {a:.3f}" for d, a in result["auc_per_digit"].items()))
    print(f"ROC AUC {result['auc']:.3f} ({time.perf_counter() - start:.0f} s)")
    return result


if __name__ == "__main__":
    main()
