"""More rows of test_torch_layers' module table (it builds LayerCase rows from these tuples and runs its generic
tests over them): name, make, input shapes, NumPy reference, torch's parameter names -> shapes[, kinks]."""

from __future__ import annotations

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
