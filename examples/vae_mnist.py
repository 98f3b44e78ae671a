"""A variational autoencoder on MNIST: draw new digits, and see how the 2-D latent space sorts them.

    python examples/vae_mnist.py [--data PATH] [--epochs 10] [--latent 2] [--figure examples/figures/vae_mnist.png]

The encoder gives each image a Gaussian q(z|x) = N(mu, exp(logvar)) instead of one code. Training
maximises the evidence lower bound (ELBO): rebuild x from a z drawn from q (the reparameterisation
z = mu + eps * std keeps the draw differentiable in mu and logvar), while the KL term pulls every q
towards the prior N(0, I). Because the codes fill the prior, decoding z ~ N(0, I) gives new digits.
Written as PyTorch's examples/vae/main.py is, with gradnote in place of torch.
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

MNIST = Path(__file__).resolve().parent.parent.parent / "shared" / "datasets" / "mnist"
FIGURE = Path(__file__).resolve().parent / "figures" / "vae_mnist.png"


class VAE(nn.Module):
    """x (N, 784) in [0, 1] -> (reconstruction (N, 784), mu (N, latent), logvar (N, latent))."""

    def __init__(self, in_features: int = 784, hidden: int = 400, latent: int = 2):
        super().__init__()
        self.fc1 = nn.Linear(in_features, hidden)
        self.fc21 = nn.Linear(hidden, latent)  # mu
        self.fc22 = nn.Linear(hidden, latent)  # log variance: any real number, unlike a variance
        self.fc3 = nn.Linear(latent, hidden)
        self.fc4 = nn.Linear(hidden, in_features)

    def encode(self, x):
        h1 = F.relu(self.fc1(x))
        return self.fc21(h1), self.fc22(h1)

    def reparameterize(self, mu, logvar):
        std = gn.exp(0.5 * logvar)
        eps = gn.randn_like(std)  # gradnote's generator: gn.manual_seed repeats the draws
        return mu + eps * std

    def decode(self, z):
        h3 = F.relu(self.fc3(z))
        return gn.sigmoid(self.fc4(h3))

    def forward(self, x):
        mu, logvar = self.encode(x.reshape(len(x), -1))
        z = self.reparameterize(mu, logvar)
        return self.decode(z), mu, logvar


def loss_function(recon_x, x, mu, logvar):
    """Negative ELBO summed over the batch: reconstruction cross-entropy + KL(q(z|x) || N(0, I))."""
    bce = F.binary_cross_entropy(recon_x, x.reshape(len(x), -1), reduction="sum")
    # KL of two Gaussians in closed form (Kingma & Welling, 2014, appendix B)
    kld = -0.5 * gn.sum(1 + logvar - mu.pow(2) - logvar.exp())
    return bce + kld


def train(model: VAE, x: np.ndarray, *, epochs: int = 10, batch_size: int = 128, lr: float = 1e-3,
          log: bool = False) -> list[float]:
    """Adam on the negative ELBO; returns each epoch's mean loss per image (in nats)."""
    loader = DataLoader(TensorDataset(x), batch_size=batch_size, shuffle=True)
    opt = optim.Adam(model.parameters(), lr=lr)
    losses = []
    for epoch in range(epochs):
        total, start = 0.0, time.perf_counter()
        for (xb,) in loader:
            recon_batch, mu, logvar = model(xb)
            loss = loss_function(recon_batch, xb, mu, logvar)
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item()
        losses.append(total / len(x))
        if log:
            print(f"epoch {epoch + 1}: -ELBO {losses[-1]:.1f} nats per image ({time.perf_counter() - start:.1f} s)",
                  flush=True)
    return losses


def evaluate(model: VAE, x: np.ndarray, batch_size: int = 1000) -> float:
    """Mean negative ELBO per image on held-out images (one draw of z per image)."""
    total = 0.0
    with gn.no_grad():
        for xb in np.array_split(x, max(1, len(x) // batch_size)):
            xb = gn.tensor(xb)
            recon_batch, mu, logvar = model(xb)
            total += loss_function(recon_batch, xb, mu, logvar).item()
    return total / len(x)


def encode_means(model: VAE, x: np.ndarray) -> np.ndarray:
    """The code mu of each image (N, latent): where the encoder puts it in latent space."""
    with gn.no_grad():
        return model.encode(gn.tensor(x))[0].numpy()


def sample(model: VAE, n: int, latent: int) -> np.ndarray:
    """n new images (n, 28, 28) decoded from z ~ N(0, I)."""
    with gn.no_grad():
        return model.decode(gn.randn(n, latent)).numpy().reshape(n, 28, 28)


def decode_grid(model: VAE, n: int = 15) -> np.ndarray:
    """Images (n * n, 28, 28) decoded on an n x n grid over a 2-D latent space, spaced by the prior's
    quantiles (5% to 95%) so that each cell covers as much probability as the next."""
    from scipy.stats import norm

    q = norm.ppf(np.linspace(0.05, 0.95, n)).astype(np.float32)
    z = np.stack(np.meshgrid(q, q[::-1]), axis=-1).reshape(-1, 2)  # rows top to bottom: z2 falls
    with gn.no_grad():
        return model.decode(gn.tensor(z)).numpy().reshape(n * n, 28, 28)


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(MNIST), help="folder with the MNIST IDX files")
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--latent", type=int, default=2, help="2 also draws the latent space and its grid")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--figure", default=str(FIGURE), help="PNG path ('' for none; needs matplotlib)")
    args = parser.parse_args(argv)

    gn.manual_seed(args.seed)
    try:
        (x_train, _), (x_test, y_test) = load_mnist(args.data, normalize=True, flatten=True)
    except FileNotFoundError as e:  # no MNIST at the default place: a message, not a traceback
        parser.error(f"{e}\ngive the folder holding the four MNIST IDX files: --data PATH")
    model = VAE(latent=args.latent)
    start = time.perf_counter()
    losses = train(model, x_train, epochs=args.epochs, log=True)
    test_loss = evaluate(model, x_test)
    print(f"test -ELBO {test_loss:.1f} nats per image ({time.perf_counter() - start:.0f} s)")
    if args.figure:
        from gradnote.viz.generative import plot_generative

        z = encode_means(model, x_test) if args.latent == 2 else None
        grid = decode_grid(model) if args.latent == 2 else None
        plot_generative(sample(model, 64, args.latent), latent=z, labels=y_test, manifold=grid, path=args.figure)
        print(f"figure: {args.figure}")
    return {"model": model, "losses": losses, "test_loss": test_loss}


if __name__ == "__main__":
    main()
