"""Vanishing gradients: why deep sigmoid nets stopped learning and ReLU + He initialisation fixed it.

    python examples/vanishing_gradients.py [--depth 10] [--width 64]

Backpropagation multiplies, layer by layer, by W^T and by the activation's derivative. The
sigmoid's derivative is at most 1/4, so through 10 sigmoid layers the gradient reaching the first
layer is orders of magnitude smaller than the last layer's: the early layers barely learn.
ReLU's derivative is 1 wherever the unit is active, and He (Kaiming) initialisation,
std = sqrt(2 / fan_in), makes up for ReLU zeroing half of its inputs, so the signal and the
gradient keep their size through the depth: every layer's gradient is within about an order of
magnitude of the others.

The script builds both networks on the same random batch, runs one forward/backward pass of a
cross-entropy loss, prints the norm of every Linear layer's weight gradient and draws both networks'
gradients per layer on a log scale (examples/figures/vanishing_gradients.png; --figure to choose).
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


def deep_mlp(activation: str, depth: int = 10, width: int = 64, in_features: int = 32, classes: int = 10) -> nn.Sequential:
    """`depth` Linear layers with `activation` between them.

    "sigmoid": Linear's default (PyTorch) initialisation, as networks were built before 2010.
    "relu": weights from kaiming_normal_ (He, fan_in, gain sqrt(2)), biases zero.
    """
    layers = []
    sizes = [in_features] + [width] * (depth - 1) + [classes]
    for i in range(depth):
        linear = nn.Linear(sizes[i], sizes[i + 1])
        if activation == "relu":
            nn.init.kaiming_normal_(linear.weight, nonlinearity="relu")
            nn.init.zeros_(linear.bias)
        layers.append(linear)
        if i < depth - 1:
            layers.append(nn.Sigmoid() if activation == "sigmoid" else nn.ReLU())
    return nn.Sequential(*layers)


def layer_grad_norms(activation: str, depth: int = 10, width: int = 64, batch: int = 128, seed: int = 0) -> list[float]:
    """||dL/dW|| of each Linear layer, first to last, after one backward pass on a random batch."""
    gn.manual_seed(seed)
    rng = np.random.default_rng(seed)
    x = gn.tensor(rng.standard_normal((batch, 32)).astype(np.float32))
    y = gn.tensor(rng.integers(0, 10, batch))
    model = deep_mlp(activation, depth, width)
    F.cross_entropy(model(x), y).backward()
    return [float(np.linalg.norm(m.weight.grad)) for m in model if isinstance(m, nn.Linear)]


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--depth", type=int, default=10)
    parser.add_argument("--width", type=int, default=64)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--figure", default=str(FIGURES / "vanishing_gradients.png"), help="where to save the figure (PNG)")
    args = parser.parse_args(argv)

    results = {act: layer_grad_norms(act, args.depth, args.width, seed=args.seed) for act in ("sigmoid", "relu")}
    print(f"weight-gradient norm per layer, {args.depth}-layer MLP of width {args.width}, cross-entropy, batch 128\n")
    print(f"{'layer':>5}  {'sigmoid (default init)':>22}  {'relu (He init)':>15}")
    for i, (s, r) in enumerate(zip(results["sigmoid"], results["relu"]), start=1):
        print(f"{i:5d}  {s:22.3e}  {r:15.3e}")
    for act, norms in results.items():
        print(f"{act:>7}: first / last layer = {norms[0] / norms[-1]:.1e},  "
              f"max / min over layers = {max(norms) / min(norms):.2g}")
    records = {f"{act} ({'He' if act == 'relu' else 'default'} init)":
               {f"Linear {i}": v for i, v in enumerate(norms, start=1)} for act, norms in results.items()}
    save_figure(lambda path: viz.plot_gradient_flow(records, ylabel="||dL/dW||", path=path), args.figure)
    return results


if __name__ == "__main__":
    main()
