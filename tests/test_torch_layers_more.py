"""More rows of test_torch_layers' module table (it builds LayerCase rows from these tuples and runs its generic
tests over them): name, make, input shapes, NumPy reference, torch's parameter names -> shapes[, kinks]."""

from __future__ import annotations

import numpy as np
from test_torch_functional_more import np_fold, np_group_norm, np_lrn, np_unfold

import gradnote.nn as nn


def _affine(m):
    """Seeded draws away from 1 and 0, so the reference checks that the affine parameters are applied."""
    m.weight.data.normal_(1.0, 0.5)
    m.bias.data.normal_(0.0, 0.5)
    return m


ROWS = [
    ("GroupNorm", lambda: _affine(nn.GroupNorm(2, 4)), [(3, 4, 5)],
     lambda sd, x: np_group_norm(x, 2, sd["weight"], sd["bias"]), {"weight": (4,), "bias": (4,)}),
    ("GroupNorm-no-affine", lambda: nn.GroupNorm(3, 3, affine=False), [(2, 3, 2, 2)], lambda sd, x: np_group_norm(x, 3)),
    ("LocalResponseNorm", lambda: nn.LocalResponseNorm(3, alpha=0.3), [(2, 5, 3)], lambda sd, x: np_lrn(x, 3, 0.3)),
    ("Unflatten", lambda: nn.Unflatten(1, (2, -1)), [(3, 6)], lambda sd, x: x.reshape(3, 2, 3)),
    ("Unfold", lambda: nn.Unfold(2, padding=1, stride=2), [(2, 3, 4, 5)], lambda sd, x: np_unfold(x, 2, 1, 1, 2)),
    ("Fold", lambda: nn.Fold((3, 4), 2), [(2, 8, 6)], lambda sd, c: np_fold(c, (3, 4), 2)),
]


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


ROWS += [
    ("Bilinear", lambda: nn.Bilinear(3, 4, 2), [(5, 3), (5, 4)],
     lambda sd, a, b: np.einsum("ni,oij,nj->no", a, sd["weight"], b) + sd["bias"], {"weight": (2, 3, 4), "bias": (2,)}),
    ("GLU", lambda: nn.GLU(0), [(4, 3)], lambda sd, x: x[:2] * _sigmoid(x[2:])),
    ("Threshold", lambda: nn.Threshold(0.5, 2.0), [(3, 4)], lambda sd, x: np.where(x > 0.5, x, 2.0), {}, (0.5,)),
    ("RReLU-eval", lambda: nn.RReLU(0.2, 0.4).eval(), [(3, 4)], lambda sd, x: np.where(x >= 0, x, 0.3 * x)),
    ("Softmax2d", nn.Softmax2d, [(2, 3, 2, 2)], lambda sd, x: np.exp(x) / np.exp(x).sum(1, keepdims=True)),
    ("ChannelShuffle", lambda: nn.ChannelShuffle(2), [(1, 4, 3)], lambda sd, x: x[:, [0, 2, 1, 3]]),
    ("AlphaDropout-eval", lambda: nn.AlphaDropout(0.3).eval(), [(3, 4)], lambda sd, x: x),
    ("MarginRankingLoss", lambda: nn.MarginRankingLoss(0.5), [(4,), (4,), (4,)],
     lambda sd, a, b, y: np.maximum(0, -y * (a - b) + 0.5).mean(), {}, (0.0,), False),
    ("TripletMarginLoss", lambda: nn.TripletMarginLoss(margin=2.0, reduction="sum"), [(4, 3), (4, 3), (4, 3)],
     lambda sd, a, p, n: np.maximum(np.linalg.norm(a - p + 1e-6, axis=1) - np.linalg.norm(a - n + 1e-6, axis=1) + 2, 0).sum()),
    ("PoissonNLLLoss", lambda: nn.PoissonNLLLoss(), [(4, 3), (4, 3)], lambda sd, a, t: (np.exp(a) - t * a).mean()),
    ("SoftMarginLoss", lambda: nn.SoftMarginLoss(reduction="sum"), [(4, 3), (4, 3)],
     lambda sd, a, y: np.log1p(np.exp(-y * a)).sum(), {}, (0.0,), False),  # no gradient to the target, as torch
]

BAD = [
    (lambda: nn.GroupNorm(3, 4), ValueError, r"GroupNorm: num_channels \(4\) must be divisible by num_groups \(3\)"),
    (lambda: nn.GroupNorm(0, 4), ValueError, "GroupNorm: num_groups must be a positive integer, got 0"),
    (lambda: nn.LocalResponseNorm(0), ValueError, "LocalResponseNorm: size must be a positive integer, got 0"),
    (lambda: nn.Unfold(0), ValueError, "Unfold: kernel_size must be positive, got 0"),
    (lambda: nn.Fold((4, 4), 2, stride=0), ValueError, "Fold: stride must be positive, got 0"),
    (lambda: nn.MaxUnpool2d(2, stride=0), ValueError, "MaxUnpool2d: stride must be positive"),
    (lambda: nn.EmbeddingBag(10, 3, mode="median"), ValueError, "EmbeddingBag: mode must be 'sum', 'mean' or 'max'"),
    (lambda: nn.Unflatten(1, 4), TypeError, "Unflatten: unflattened_size must be a non-empty tuple"),
    (lambda: nn.Bilinear(3, 0, 2), ValueError, "Bilinear: in2_features must be a positive integer, got 0"),
    (lambda: nn.ChannelShuffle(0), ValueError, "ChannelShuffle: groups must be a positive integer, got 0"),
    (lambda: nn.Threshold("a", 1.0), ValueError, "Threshold: threshold must be a number, got 'a'"),
    (lambda: nn.RReLU(0.5, 0.1), ValueError, "RReLU: lower and upper must be numbers with lower <= upper"),
    (lambda: nn.AlphaDropout(1.5), ValueError, r"AlphaDropout: p must be in \[0, 1\], got 1.5"),
    (lambda: nn.MultiMarginLoss(p=3), ValueError, "MultiMarginLoss: p must be 1 or 2, got 3"),
    (lambda: nn.TripletMarginLoss(p=0), ValueError, "TripletMarginLoss: p must be positive, got 0"),
    (lambda: nn.GaussianNLLLoss(eps=0), ValueError, "GaussianNLLLoss: eps must be positive, got 0"),
    (lambda: nn.CosineEmbeddingLoss(reduction="avg"), ValueError, "CosineEmbeddingLoss: reduction must be one of"),
]
