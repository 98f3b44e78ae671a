"""Op-table rows (run by test_functional_ops) for conv_transpose1d and ctc_loss, layer rows (run by
test_torch_layers) for ConvTranspose1d and BatchNorm3d, with NumPy references written from the definitions; plus
the CTC checks a row cannot express (target layouts, reductions, zero_infinity, the layer)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from op_table import OpCase, normal

import gradnote as gn
import gradnote.functional as F
import gradnote.nn as nn


def np_conv_transpose1d(x, w, b=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """Each input sample adds weight * value into the output window it maps to (the definition)."""
    n, cin, length = x.shape
    _, cog, k = w.shape
    full = (length - 1) * stride + dilation * (k - 1) + 1 + output_padding
    out = np.zeros((n, cog * groups, full))
    cig = cin // groups
    for ci in range(cin):
        g = ci // cig
        for i in range(length):
            for u in range(k):
                out[:, g * cog:(g + 1) * cog, i * stride + u * dilation] += x[:, ci, i, None] * w[ci, :, u]
    out = out[:, :, padding:full - padding]
    return out if b is None else out + b[:, None]


def np_ctc_nll(lp, target, blank=0):
    """-log sum over every frame labelling that collapses (merge repeats, drop blanks) to `target`: brute force."""
    total = 0.0
    for path in itertools.product(range(lp.shape[1]), repeat=lp.shape[0]):
        collapsed = [c for i, c in enumerate(path) if c != blank and (i == 0 or c != path[i - 1])]
        if collapsed == list(target):
            total += np.exp(sum(lp[t, c] for t, c in enumerate(path)))
    return -np.log(total)


TARGETS = np.array([[1, 2], [2, 2], [1, 0]])
IN_LEN, TGT_LEN = [5, 4, 5], [2, 2, 1]


def _np_ctc(lp, reduction="mean", blank=0, targets=TARGETS, in_len=IN_LEN, tgt_len=TGT_LEN):
    losses = np.array([np_ctc_nll(lp[:in_len[n], n], targets[n, :tgt_len[n]], blank) for n in range(lp.shape[1])])
    if reduction == "none":
        return losses
    return losses.sum() if reduction == "sum" else (losses / np.maximum(tgt_len, 1)).mean()


OPS = [
    OpCase("conv_transpose1d", lambda x, w, b: F.conv_transpose1d(x, w, b, stride=2, padding=1, output_padding=1,
                                                                  groups=2),
           [normal(2, 4, 5), normal(4, 3, 3), normal(6)],
           lambda x, w, b: np_conv_transpose1d(x, w, b, 2, 1, 1, 2),
           bad=[(lambda: F.conv_transpose1d(gn.zeros(2, 3, 4, 4), gn.zeros(3, 2, 2)), ValueError,
                 r"conv_transpose1d: expected input \(N, C_in, L\)"),
                (lambda: F.conv_transpose1d(gn.zeros(1, 3, 4), gn.zeros(3, 2, 2), stride=0), ValueError,
                 "conv_transpose1d: stride must be")]),
    OpCase("conv_transpose1d-dilated-unbatched", lambda x, w: F.conv_transpose1d(x, w, dilation=2),
           [normal(3, 4), normal(3, 2, 2)], lambda x, w: np_conv_transpose1d(x[None], w, dilation=2)[0]),
    OpCase("ctc_loss", lambda lp: F.ctc_loss(lp, gn.tensor(TARGETS), IN_LEN, TGT_LEN), [normal(5, 3, 3)],
           lambda lp: _np_ctc(lp),
           bad=[(lambda: F.ctc_loss(gn.zeros(4, 1, 3), gn.tensor([[1]]), [5], [1]), ValueError,
                 r"ctc_loss: input_lengths must lie in \[1, 4\]"),
                (lambda: F.ctc_loss(gn.zeros(4, 1, 3), gn.tensor([[0]]), [4], [1]), ValueError,
                 "target labels must lie in .* and differ from blank=0"),
                (lambda: F.ctc_loss(gn.zeros(4, 1, 3), gn.tensor([1, 2]), [4], [1]), ValueError,
                 "concatenated targets have 2 labels, target_lengths add up to 1"),
                (lambda: F.ctc_loss(gn.zeros(4, 1, 3), gn.tensor([[1]]), [4], [1], blank=3), ValueError,
                 r"blank must be an int in \[0, 3\)"),
                (lambda: F.ctc_loss(gn.zeros(4, 1, 3), gn.tensor([[1]]), [4], [1], reduction="avg"), ValueError,
                 "reduction must be one of")]),
    OpCase("ctc_loss-none-blank-last", lambda lp: F.ctc_loss(lp, gn.tensor([[0, 1], [1, 1]]), [4, 4], [2, 2], blank=2,
                                                             reduction="none"),
           [normal(4, 2, 3)], lambda lp: _np_ctc(lp, "none", 2, np.array([[0, 1], [1, 1]]), [4, 4], [2, 2])),
]

def _affine(m):
    """Seeded affine parameters away from 1 and 0, so the reference checks that they are applied."""
    m.weight.data.normal_(1.0, 0.5)
    m.bias.data.normal_(0.0, 0.5)
    return m


ROWS = [
    ("ConvTranspose1d", lambda: nn.ConvTranspose1d(4, 6, 3, stride=2, padding=1, output_padding=1, groups=2),
     [(2, 4, 5)], lambda sd, x: np_conv_transpose1d(x, sd["weight"], sd["bias"], 2, 1, 1, 2),
     {"weight": (4, 3, 3), "bias": (6,)}),
    ("BatchNorm3d", lambda: _affine(nn.BatchNorm3d(3)), [(2, 3, 2, 3, 2)],
     lambda sd, x: ((x - x.mean((0, 2, 3, 4), keepdims=True)) / np.sqrt(x.var((0, 2, 3, 4), keepdims=True) + 1e-5)
                    * sd["weight"][:, None, None, None] + sd["bias"][:, None, None, None]),
     {"weight": (3,), "bias": (3,), "running_mean": (3,), "running_var": (3,), "num_batches_tracked": ()}),
]

BAD = [
    (lambda: nn.ConvTranspose1d(4, 6, 3, stride=2, output_padding=2), ValueError,
     "ConvTranspose1d: output_padding must be smaller than stride or dilation"),
    (lambda: nn.ConvTranspose1d(4, 6, 3, padding_mode="reflect"), ValueError, "only padding_mode='zeros'"),
    (lambda: nn.CTCLoss(blank=-1), ValueError, "CTCLoss: blank must be a non-negative int, got -1"),
    (lambda: nn.BatchNorm3d(3)(gn.zeros(2, 3, 4, 4)), ValueError, r"BatchNorm3d: expected input of shape \(N, C, D, H, W\)"),
]


# ------------------------------------------------------------------------------------------- beyond the rows
def test_ctc_concatenated_targets_equal_padded_ones_and_layer_matches():
    rng = np.random.default_rng(0)
    lp = gn.tensor(rng.standard_normal((5, 3, 3))).log_softmax(2)
    padded = F.ctc_loss(lp, gn.tensor(TARGETS), gn.tensor(IN_LEN), gn.tensor(TGT_LEN), reduction="none")
    flat = F.ctc_loss(lp, gn.tensor([1, 2, 2, 2, 1]), IN_LEN, TGT_LEN, reduction="none")
    np.testing.assert_allclose(flat.data, padded.data)
    np.testing.assert_allclose(padded.data, _np_ctc(lp.data, "none"), rtol=1e-10)
    layer = nn.CTCLoss(reduction="sum")
    np.testing.assert_allclose(layer(lp, gn.tensor(TARGETS), IN_LEN, TGT_LEN).data, padded.data.sum())
    one = F.ctc_loss(lp[:, 0], gn.tensor([1, 2]), 5, 2, reduction="none")  # unbatched (T, C)
    assert one.shape == () and one.item() == pytest.approx(padded.data[0])


def test_ctc_gradient_through_log_softmax_sums_to_zero_per_frame():
    rng = np.random.default_rng(1)
    x = gn.tensor(rng.standard_normal((5, 3, 3)), requires_grad=True)
    assert gn.gradcheck(lambda x: F.ctc_loss(x.log_softmax(2), gn.tensor(TARGETS), IN_LEN, TGT_LEN), [x])
    F.ctc_loss(x.log_softmax(2), gn.tensor(TARGETS), IN_LEN, TGT_LEN).backward()
    np.testing.assert_allclose(x.grad.sum(2), 0, atol=1e-12)  # d/dlogits = softmax - posterior occupancy


def test_ctc_impossible_alignment_and_zero_infinity():
    lp = gn.tensor(np.log(np.full((2, 1, 3), 1 / 3)), requires_grad=True)
    targets = gn.tensor([[1, 1]])  # a repeated label needs a blank between: 3 frames, only 2 given
    assert F.ctc_loss(lp, targets, [2], [2], reduction="none").item() == np.inf
    loss = F.ctc_loss(lp, targets, [2], [2], zero_infinity=True)
    assert loss.item() == 0.0
    loss.backward()
    np.testing.assert_array_equal(lp.grad, 0)


def test_ctc_empty_target_and_float32():
    lp = gn.tensor(np.log(np.full((3, 1, 2), 0.5)).astype(np.float32))
    loss = F.ctc_loss(lp, gn.zeros(1, 0, dtype=gn.int64), [3], [0], reduction="none")
    assert loss.dtype == np.float32
    np.testing.assert_allclose(loss.data, [3 * np.log(2)], rtol=1e-6)  # all blanks: (1/2)^3
