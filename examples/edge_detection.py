"""Edge detection with hand-made convolution filters (Sobel and Prewitt) on real handwritten digits.

    python examples/edge_detection.py [--mnist DIR | --uci FILE] [--out edges.png] [--count 4]

Four 3x3 filters run in ONE F.conv2d call (weight (4, 1, 3, 3), padding 1):

    Sobel  gx = [[-1 0 1], [-2 0 2], [-1 0 1]],  gy = gx^T   (centre rows weighted 2: smoother)
    Prewitt gx = [[-1 0 1], [-1 0 1], [-1 0 1]], gy = gx^T

The edge strength is the gradient magnitude sqrt(gx^2 + gy^2). The edge maps are saved
as a PNG when matplotlib or Pillow is installed, otherwise printed as text.
"""

from __future__ import annotations

import argparse
import gzip
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))  # run from a plain checkout too

import numpy as np

import gradnote as gn
import gradnote.functional as F

SHARED = Path(__file__).resolve().parents[2] / "shared" / "datasets"  # the datasets folder beside the repo
MNIST_DIR = str(SHARED / "mnist")
UCI_FILE = str(SHARED / "uci-digits" / "digits.csv.gz")

SOBEL_X = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], dtype=np.float32)
PREWITT_X = np.array([[-1, 0, 1], [-1, 0, 1], [-1, 0, 1]], dtype=np.float32)
FILTERS = np.stack([SOBEL_X, SOBEL_X.T, PREWITT_X, PREWITT_X.T])[:, None]  # (4, 1, 3, 3)


def load_digits(mnist_dir: str | None, uci_file: str | None, count: int) -> np.ndarray:
    """`count` digits side by side as one float32 image in [0, 1]: (H, count * W)."""
    if uci_file:
        rows = np.loadtxt(uci_file, delimiter=",", max_rows=count)
        digits = rows[:, :64].reshape(-1, 8, 8) / 16.0
    else:
        with gzip.open(Path(mnist_dir) / "t10k-images-idx3-ubyte.gz", "rb") as f:
            header = np.frombuffer(f.read(16), dtype=">i4")
            _n, h, w = header[1:]
            if header[0] != 2051:
                raise ValueError(f"{mnist_dir}: not an MNIST image file (magic {header[0]})")
            digits = np.frombuffer(f.read(count * h * w), dtype=np.uint8).reshape(count, h, w) / 255.0
    return np.concatenate(list(digits), axis=1).astype(np.float32)


def edge_maps(image: np.ndarray) -> dict[str, np.ndarray]:
    """Sobel and Prewitt gradient magnitudes of a (H, W) image, each (H, W)."""
    with gn.no_grad():
        g = F.conv2d(gn.tensor(image[None, None]), gn.tensor(FILTERS), padding=1).data[0]
    return {"sobel": np.hypot(g[0], g[1]), "prewitt": np.hypot(g[2], g[3])}


def save_png(path: str, panels: dict[str, np.ndarray]) -> bool:
    """Write the panels one above another; False when neither matplotlib nor Pillow is installed."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        plt = None
    if plt is not None:
        fig, axes = plt.subplots(len(panels), 1, figsize=(8, 2.2 * len(panels)))
        for ax, (name, img) in zip(axes, panels.items()):
            ax.imshow(img, cmap="gray")
            ax.set_title(name)
            ax.axis("off")
        fig.tight_layout()
        fig.savefig(path, dpi=100)
        plt.close(fig)
        return True
    try:
        from PIL import Image
    except ImportError:
        return False
    stacked = np.concatenate([img / max(img.max(), 1e-12) for img in panels.values()], axis=0)
    Image.fromarray((stacked * 255).astype(np.uint8)).resize((stacked.shape[1] * 4, stacked.shape[0] * 4)).save(path)
    return True


def text_render(img: np.ndarray) -> str:
    """Shade characters by strength, for terminals without an image library."""
    shades = " .:-=+*#%@"
    idx = np.clip((img / max(img.max(), 1e-12) * (len(shades) - 1)).round().astype(int), 0, len(shades) - 1)
    return "\n".join("".join(shades[i] for i in row) for row in idx)


def main(argv=None) -> dict[str, np.ndarray]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mnist", default=MNIST_DIR, help="MNIST folder (reads t10k-images-idx3-ubyte.gz)")
    parser.add_argument("--uci", default=None, help=f"use the 8x8 UCI digits CSV instead (e.g. {UCI_FILE})")
    parser.add_argument("--count", type=int, default=4, help="how many digits to put side by side")
    parser.add_argument("--out", default="edges.png", help="PNG file to write")
    parser.add_argument("--text", action="store_true", help="print a text rendering even if a PNG can be saved")
    args = parser.parse_args(argv)

    image = load_digits(None if args.uci else args.mnist, args.uci, args.count)
    maps = edge_maps(image)
    print(f"image {image.shape}: Sobel max {maps['sobel'].max():.2f}, Prewitt max {maps['prewitt'].max():.2f}")
    if not args.text and save_png(args.out, {"input": image, **maps}):
        print(f"saved the edge maps to {args.out}")
    else:
        print("Sobel edge magnitude:")
        print(text_render(maps["sobel"]))
    return maps


if __name__ == "__main__":
    main()
