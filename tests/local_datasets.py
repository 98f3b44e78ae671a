"""Stand-ins, made on the fly, for the datasets in ../shared/datasets, so no test depends on files outside
the repository (CI runs on a clean clone).

``DATASETS`` is a temporary folder in the same layout:

- ``mnist/``: the four MNIST IDX gzip files. The images are the UCI 8x8 digits built into gradnote, scaled
  up to 28x28 in 0..255 (uint8), each also shifted by a pixel three ways: 6,000 for training (from the first
  1,500 digits) and 1,188 for testing (from the other 297): real handwriting, learnable, small.
- ``sentiment-labelled-sentences/``: the three tab-separated review files (sentence, tab, 0 or 1), with
  sentences built from seeded word choices where a few sentiment words decide the label.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path

import numpy as np
from scipy import ndimage

from gradnote.data.datasets import load_digits
from gradnote.data.idx import write_idx

N_DIGITS_TRAIN = 1500
SHIFTS = ((0, 0), (1, 0), (0, 1), (-1, -1))
N_TRAIN, N_TEST = N_DIGITS_TRAIN * len(SHIFTS), (1797 - N_DIGITS_TRAIN) * len(SHIFTS)
POSITIVE = ["great", "good", "excellent", "love", "wonderful", "best", "amazing", "nice", "perfect", "happy"]
NEGATIVE = ["bad", "terrible", "awful", "hate", "worst", "poor", "boring", "waste", "broken", "sad"]
FILLER = ["the", "movie", "phone", "food", "was", "really", "this", "service", "it", "and", "very", "plot",
          "battery", "place", "quite", "so", "a", "story", "staff", "is"]


def _write_mnist(folder: Path) -> None:
    x, y = load_digits()
    images = ndimage.zoom(x.reshape(-1, 8, 8).astype(np.float64), (1, 3, 3), order=1)  # (n, 24, 24)
    images = np.pad(images, ((0, 0), (2, 2), (2, 2)))
    images = np.clip(images * 16, 0, 255).astype(np.uint8)
    labels = y.astype(np.uint8)
    folder.mkdir(parents=True)
    for prefix, part in (("train", slice(0, N_DIGITS_TRAIN)), ("t10k", slice(N_DIGITS_TRAIN, None))):
        shifted = np.concatenate([np.roll(images[part], shift, axis=(1, 2)) for shift in SHIFTS])
        order = np.random.default_rng(len(prefix)).permutation(len(shifted))
        write_idx(folder / f"{prefix}-images-idx3-ubyte.gz", shifted[order])
        write_idx(folder / f"{prefix}-labels-idx1-ubyte.gz", np.tile(labels[part], len(SHIFTS))[order])


def _write_reviews(folder: Path) -> None:
    rng = np.random.default_rng(0)
    folder.mkdir(parents=True)
    for k, name in enumerate(("amazon_cells_labelled.txt", "imdb_labelled.txt", "yelp_labelled.txt")):
        lines = []
        for i in range(1000):
            label = (i + k) % 2
            words = list(rng.choice(FILLER, rng.integers(4, 10)))
            for _ in range(rng.integers(1, 3)):
                words.insert(rng.integers(0, len(words) + 1), rng.choice(POSITIVE if label else NEGATIVE))
            lines.append(" ".join(words).capitalize() + ".\t" + str(label))
        (folder / name).write_text("\n".join(lines) + "\n", encoding="utf-8")


def _make() -> Path:
    root = Path(tempfile.mkdtemp(prefix="gradnote-test-datasets-"))
    atexit.register(shutil.rmtree, root, True)
    _write_mnist(root / "mnist")
    _write_reviews(root / "sentiment-labelled-sentences")
    return root


DATASETS = _make()
MNIST = DATASETS / "mnist"
