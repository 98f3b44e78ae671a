"""Op-table rows (run by test_functional_ops) for conv_transpose1d, conv3d, max/avg_pool3d and ctc_loss, layer rows
(run by test_torch_layers) for ConvTranspose1d, Conv3d, MaxPool3d, AvgPool3d and BatchNorm3d, with NumPy references
written from the definitions; plus the CTC checks a row cannot express (target layouts, reductions, zero_infinity,
the layer)."""

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


def np_conv3d(x, w, b=None, stride=1, padding=0):
    xp_ = np.pad(x, ((0, 0), (0, 0)) + ((padding, padding),) * 3)
    win = np.lib.stride_tricks.sliding_window_view(xp_, w.shape[2:], axis=(2, 3, 4))[:, :, ::stride, ::stride, ::stride]
    out = np.einsum("ncdhwuvz,ocuvz->nodhw", win, w)
    return out if b is None else out + b[:, None, None, None]


def np_conv3d_general(x, w, b):
    """conv3d with stride 2, padding 1 and a non-cubic kernel: every output by its own box."""
    xp_ = np.pad(x, ((0, 0), (0, 0)) + ((1, 1),) * 3)
    kd, kh, kw = w.shape[2:]
    od, oh, ow = ((xp_.shape[2 + i] - k) // 2 + 1 for i, k in enumerate((kd, kh, kw)))
    out = np.empty((x.shape[0], w.shape[0], od, oh, ow))
    for i, j, m in itertools.product(range(od), range(oh), range(ow)):
        box = xp_[:, :, 2 * i:2 * i + kd, 2 * j:2 * j + kh, 2 * m:2 * m + kw]
        out[:, :, i, j, m] = np.einsum("ncuvz,ocuvz->no", box, w)
    return out + b[:, None, None, None]


def np_pool3d(x, k, s, p, mode, count_include_pad=True):
    """Each output is the max / mean of its box of the padded volume (the definition, one box at a time)."""
    fill = -np.inf if mode == "max" else 0.0
    xp_ = np.pad(x, ((0, 0), (0, 0)) + ((p, p),) * 3, constant_values=fill)
    real = np.pad(np.ones(x.shape[2:]), ((p, p),) * 3)
    od, oh, ow = ((n + 2 * p - k) // s + 1 for n in x.shape[2:])
    out = np.empty(x.shape[:2] + (od, oh, ow))
    for i, j, m in itertools.product(range(od), range(oh), range(ow)):
        box = (slice(None), slice(None), slice(i * s, i * s + k), slice(j * s, j * s + k), slice(m * s, m * s + k))
        if mode == "max":
            out[:, :, i, j, m] = xp_[box].max(axis=(2, 3, 4))
        else:
            count = k**3 if count_include_pad else real[box[2:]].sum()
            out[:, :, i, j, m] = xp_[box].sum(axis=(2, 3, 4)) / count
    return out


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
    OpCase("conv3d", lambda x, w, b: F.conv3d(x, w, b, stride=2, padding=1), [normal(2, 3, 5, 4, 5),
                                                                          normal(4, 3, 3, 2, 3), normal(4)],
           lambda x, w, b: np_conv3d_general(x, w, b),
           bad=[(lambda: F.conv3d(gn.zeros(2, 3, 3), gn.zeros(1, 2, 1, 1, 1)), ValueError,
                 r"conv3d: expected input \(N, C, D, H, W\)"),
                (lambda: F.conv3d(gn.zeros(1, 2, 3, 3, 3), gn.zeros(1, 3, 1, 1, 1)), ValueError,
                 "expects input with 3 channels"),
                (lambda: F.conv3d(gn.zeros(1, 1, 3, 3, 3), gn.zeros(1, 1, 1, 1, 1), stride=2, padding="same"),
                 ValueError, "padding='same' needs stride 1")]),
    OpCase("conv3d-same-groups", lambda x, w: F.conv3d(x, w, padding="same", groups=2),
           [normal(1, 4, 3, 4, 3), normal(2, 2, 3, 3, 3)],
           lambda x, w: np.concatenate([np_conv3d(x[:, 2 * g:2 * g + 2], w[g:g + 1], padding=1) for g in range(2)], 1)),
    OpCase("max_pool3d", lambda x: F.max_pool3d(x, 3, 2, 1), [normal(2, 2, 5, 4, 5)],
           lambda x: np_pool3d(x, 3, 2, 1, "max"),
           bad=[(lambda: F.max_pool3d(gn.zeros(1, 1, 4, 4, 4), 2, padding=2), ValueError,
                 "max_pool3d: padding must be at most half the kernel size"),
                (lambda: F.max_pool3d(gn.zeros(1, 4, 4), 2), ValueError, r"expected input \(N, C, D, H, W\)")]),
    OpCase("avg_pool3d", lambda x: F.avg_pool3d(x, 2, 2, 1), [normal(2, 2, 3, 4, 5)],
           lambda x: np_pool3d(x, 2, 2, 1, "avg")),
    OpCase("avg_pool3d-real-count", lambda x: F.avg_pool3d(x, 3, 2, 1, count_include_pad=False), [normal(1, 2, 5, 4, 5)],
           lambda x: np_pool3d(x, 3, 2, 1, "avg", count_include_pad=False)),
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
    ("Conv3d", lambda: nn.Conv3d(2, 3, 2, stride=1, padding=1), [(2, 2, 3, 3, 2)],
     lambda sd, x: np_conv3d(x, sd["weight"], sd["bias"], 1, 1), {"weight": (3, 2, 2, 2, 2), "bias": (3,)}),
    ("MaxPool3d", lambda: nn.MaxPool3d(2), [(2, 2, 4, 4, 2)], lambda sd, x: np_pool3d(x, 2, 2, 0, "max")),
    ("AvgPool3d", lambda: nn.AvgPool3d(3, 1, 1, count_include_pad=False), [(1, 2, 3, 4, 3)],
     lambda sd, x: np_pool3d(x, 3, 1, 1, "avg", count_include_pad=False)),
    ("BatchNorm3d", lambda: _affine(nn.BatchNorm3d(3)), [(2, 3, 2, 3, 2)],
     lambda sd, x: ((x - x.mean((0, 2, 3, 4), keepdims=True)) / np.sqrt(x.var((0, 2, 3, 4), keepdims=True) + 1e-5)
                    * sd["weight"][:, None, None, None] + sd["bias"][:, None, None, None]),
     {"weight": (3,), "bias": (3,), "running_mean": (3,), "running_var": (3,), "num_batches_tracked": ()}),
]

BAD = [
    (lambda: nn.ConvTranspose1d(4, 6, 3, stride=2, output_padding=2), ValueError,
     "ConvTranspose1d: output_padding must be smaller than stride or dilation"),
    (lambda: nn.ConvTranspose1d(4, 6, 3, padding_mode="reflect"), ValueError, "only padding_mode='zeros'"),
    (lambda: nn.Conv3d(2, 3, 2, padding_mode="reflect"), ValueError, "Conv3d: only padding_mode='zeros'"),
    (lambda: nn.MaxPool3d(2, padding=2), ValueError, "MaxPool3d: padding must be at most half the kernel size"),
    (lambda: nn.AvgPool3d(2, divisor_override=0), ValueError, "AvgPool3d: divisor_override must be a positive int"),
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
