"""Op-table rows (run by test_functional_ops) for group_norm, local_response_norm, unfold/fold, affine_grid,
grid_sample, max_unpool2d and embedding_bag, with NumPy references written from PyTorch's documented formulas;
plus the index-returning checks that a table row cannot express."""

from __future__ import annotations

import numpy as np
import pytest
from op_table import OpCase, normal, uniform

import gradnote as gn
import gradnote.functional as F
import gradnote.nn as nn


def np_group_norm(x, g, w=None, b=None, eps=1e-5):
    n, c = x.shape[:2]
    v = x.reshape(n, g, -1)
    y = ((v - v.mean(-1, keepdims=True)) / np.sqrt(v.var(-1, keepdims=True) + eps)).reshape(x.shape)
    shape = (1, c) + (1,) * (x.ndim - 2)
    return y if w is None else y * w.reshape(shape) + b.reshape(shape)


def np_lrn(x, size, alpha=1e-4, beta=0.75, k=1.0):
    c = x.shape[1]
    out = np.empty_like(x)
    for i in range(c):
        lo, hi = max(0, i - size // 2), min(c, i + (size - 1) // 2 + 1)
        out[:, i] = x[:, i] / (k + alpha / size * (x[:, lo:hi] ** 2).sum(1)) ** beta
    return out


def np_unfold(x, k, d=1, p=0, s=1):
    n, c, h, w = x.shape
    xp_ = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
    oh, ow = (h + 2 * p - d * (k - 1) - 1) // s + 1, (w + 2 * p - d * (k - 1) - 1) // s + 1
    cols = np.zeros((n, c, k, k, oh, ow))
    for u in range(k):
        for v in range(k):
            cols[:, :, u, v] = xp_[:, :, u * d:u * d + s * (oh - 1) + 1:s, v * d:v * d + s * (ow - 1) + 1:s]
    return cols.reshape(n, c * k * k, oh * ow)


def np_fold(cols, hw, k, d=1, p=0, s=1):
    n, ckk, _ = cols.shape
    c = ckk // (k * k)
    oh, ow = (hw[0] + 2 * p - d * (k - 1) - 1) // s + 1, (hw[1] + 2 * p - d * (k - 1) - 1) // s + 1
    out = np.zeros((n, c, hw[0] + 2 * p, hw[1] + 2 * p))
    blocks = cols.reshape(n, c, k, k, oh, ow)
    for u in range(k):
        for v in range(k):
            out[:, :, u * d:u * d + s * (oh - 1) + 1:s, v * d:v * d + s * (ow - 1) + 1:s] += blocks[:, :, u, v]
    return out[:, :, p:p + hw[0], p:p + hw[1]]


def np_affine_grid(theta, size, align):
    n, _, h, w = size

    def base(m):
        t = np.linspace(-1, 1, m) if m > 1 else np.zeros(1)
        return t if align else t * (m - 1) / m
    ys, xs = np.meshgrid(base(h), base(w), indexing="ij")
    pts = np.stack([xs, ys, np.ones_like(xs)], -1)
    return np.einsum("hwk,njk->nhwj", pts, theta)


def np_grid_sample(x, grid, mode, padding, align):
    """The definition, one output point at a time."""
    n, c, h, w = x.shape

    def src(v, m):
        v = (v + 1) / 2 * (m - 1) if align else ((v + 1) * m - 1) / 2
        if padding == "reflection":
            lo, hi = (0, m - 1) if align else (-0.5, m - 0.5)
            span = hi - lo
            v = abs(v - lo) % (2 * span)
            v = lo + (v if v <= span else 2 * span - v)
        return min(max(v, 0), m - 1) if padding != "zeros" else v

    def pix(b, yi, xi):
        return x[b, :, yi, xi] if 0 <= yi < h and 0 <= xi < w else np.zeros(c)

    out = np.zeros((n, c) + grid.shape[1:3])
    for b in range(n):
        for i in range(grid.shape[1]):
            for j in range(grid.shape[2]):
                gx, gy = src(grid[b, i, j, 0], w), src(grid[b, i, j, 1], h)
                if mode == "nearest":
                    out[b, :, i, j] = pix(b, int(np.round(gy)), int(np.round(gx)))
                    continue
                x0, y0 = int(np.floor(gx)), int(np.floor(gy))
                ax, ay = gx - x0, gy - y0
                out[b, :, i, j] = ((1 - ax) * (1 - ay) * pix(b, y0, x0) + ax * (1 - ay) * pix(b, y0, x0 + 1)
                                   + (1 - ax) * ay * pix(b, y0 + 1, x0) + ax * ay * pix(b, y0 + 1, x0 + 1))
    return out


def np_max_pool_indices(x, k):
    n, c, h, w = x.shape
    win = x.reshape(n, c, h // k, k, w // k, k).transpose(0, 1, 2, 4, 3, 5).reshape(n, c, h // k, w // k, k * k)
    a = win.argmax(-1)
    rows = np.arange(h // k)[:, None] * k + a // k
    cols = np.arange(w // k)[None, :] * k + a % k
    return win.max(-1), rows * w + cols


IDX = np.array([[1, 2, 4, 5], [4, 3, 2, 9], [0, 0, 1, 7]])
BAG_IDX, BAG_OFF = np.array([1, 2, 4, 5, 4, 3, 2, 9]), np.array([0, 2, 2, 5])


def np_bags(w, mode, psw=None):
    bags = [BAG_IDX[a:b] for a, b in zip(BAG_OFF, list(BAG_OFF[1:]) + [len(BAG_IDX)])]
    weights = [None if psw is None else psw[a:b] for a, b in zip(BAG_OFF, list(BAG_OFF[1:]) + [len(BAG_IDX)])]
    out = []
    for bag, pw in zip(bags, weights):
        rows = w[bag] if pw is None else w[bag] * pw[:, None]
        out.append(np.zeros(w.shape[1]) if len(bag) == 0 else
                   {"sum": rows.sum(0), "mean": rows.mean(0), "max": rows.max(0)}[mode])
    return np.stack(out)


def _grid(rng):
    return rng.uniform(-1.3, 1.3, (2, 3, 4, 2))


def _off_grid(rng):
    """Sampling points away from pixel centres and edges (bilinear weights have kinks there)."""
    g = _grid(rng)
    return g + 0.013


OPS = [
    OpCase("group_norm", lambda x, w, b: F.group_norm(x, 2, w, b, eps=1e-3), [normal(3, 4, 2, 5), normal(4), normal(4)],
           lambda x, w, b: np_group_norm(x, 2, w, b, 1e-3),
           bad=[(lambda: F.group_norm(gn.zeros(2, 6, 3), 4), ValueError, r"group_norm: the 6 channels of input \(2, 6, 3\)"),
                (lambda: F.group_norm(gn.zeros(2, 6), 2, gn.ones(3)), ValueError, r"weight must have shape \(6,\)")]),
    OpCase("group_norm-2d-input", lambda x: F.group_norm(x, 3), [normal(4, 6)], lambda x: np_group_norm(x, 3)),
    OpCase("local_response_norm", lambda x: F.local_response_norm(x, 3, alpha=0.5, beta=0.6, k=2.0),
           [normal(2, 5, 3, 2)], lambda x: np_lrn(x, 3, 0.5, 0.6, 2.0),
           bad=[(lambda: F.local_response_norm(gn.zeros(2, 3), 2), ValueError, "local_response_norm: expected an input"),
                (lambda: F.local_response_norm(gn.zeros(1, 2, 3), 0), ValueError, "size must be a positive int, got 0")]),
    OpCase("local_response_norm-even", lambda x: F.local_response_norm(x, 4), [normal(2, 6, 5)], lambda x: np_lrn(x, 4)),
    OpCase("unfold", lambda x: F.unfold(x, 3, dilation=1, padding=1, stride=2), [normal(2, 3, 6, 5)],
           lambda x: np_unfold(x, 3, 1, 1, 2),
           bad=[(lambda: F.unfold(gn.zeros(1, 1, 2, 2), 3), ValueError, "unfold: a 3x3 kernel .* does not fit a 2x2 image"),
                (lambda: F.unfold(gn.zeros(2, 2), 1), ValueError, r"unfold: expected an input \(N, C, H, W\)")]),
    OpCase("unfold-dilated", lambda x: F.unfold(x, 2, dilation=2), [normal(1, 2, 5, 5)], lambda x: np_unfold(x, 2, 2)),
    OpCase("fold", lambda c: F.fold(c, (5, 4), 2, padding=1, stride=1), [normal(2, 8, 30)],
           lambda c: np_fold(c, (5, 4), 2, 1, 1, 1),
           bad=[(lambda: F.fold(gn.zeros(1, 8, 12), (5, 5), 2), ValueError, r"fold: input \(1, 8, 12\) does not match")]),
    OpCase("fold-unbatched-strided", lambda c: F.fold(c, (6, 6), 3, stride=3), [normal(9, 4)],
           lambda c: np_fold(c[None], (6, 6), 3, 1, 0, 3)[0]),
    OpCase("affine_grid", lambda t: F.affine_grid(t, (2, 3, 4, 5), align_corners=False), [normal(2, 2, 3)],
           lambda t: np_affine_grid(t, (2, 3, 4, 5), False),
           bad=[(lambda: F.affine_grid(gn.zeros(1, 2, 3), (2, 1, 3, 3)), ValueError, r"expected theta of shape \(2, 2, 3\)"),
                (lambda: F.affine_grid(gn.zeros(1, 3, 4), (1, 1, 2, 2, 2)), NotImplementedError, "only 2-D grids")]),
    OpCase("affine_grid-align", lambda t: F.affine_grid(t, (1, 1, 3, 1), align_corners=True), [normal(1, 2, 3)],
           lambda t: np_affine_grid(t, (1, 1, 3, 1), True)),
    OpCase("grid_sample-nearest", lambda x, g: F.grid_sample(x, g, "nearest", "zeros", False), [normal(2, 2, 4, 5), _grid],
           lambda x, g: np_grid_sample(x, g, "nearest", "zeros", False), gradcheck=False,
           bad=[(lambda: F.grid_sample(gn.zeros(1, 1, 2, 2), gn.zeros(1, 1, 1, 2), "bicubic"), NotImplementedError,
                 "grid_sample: mode must be 'bilinear' or 'nearest'"),
                (lambda: F.grid_sample(gn.zeros(1, 1, 2, 2), gn.zeros(1, 1, 1, 2), padding_mode="wrap"), ValueError,
                 "padding_mode must be"),
                (lambda: F.grid_sample(gn.zeros(1, 1, 2, 2), gn.zeros(2, 1, 1, 2)), ValueError, "the same N")]),
]
for _pad in ("zeros", "border", "reflection"):
    for _align in (False, True):
        OPS.append(OpCase(f"grid_sample-bilinear-{_pad}-{'align' if _align else 'noalign'}",
                          lambda x, g, p=_pad, a=_align: F.grid_sample(x, g, "bilinear", p, a),
                          [normal(2, 2, 4, 5), _off_grid],
                          lambda x, g, p=_pad, a=_align: np_grid_sample(x, g, "bilinear", p, a)))
OPS += [
    OpCase("max_unpool2d", lambda y: F.max_unpool2d(y, gn.tensor(np.array([[[[0, 3], [9, 15]]]])), 2), [normal(1, 1, 2, 2)],
           lambda y: np.bincount([0, 3, 9, 15], y.reshape(-1), 16).reshape(1, 1, 4, 4),
           bad=[(lambda: F.max_unpool2d(gn.zeros(1, 1, 2, 2), gn.tensor(np.full((1, 1, 2, 2), 16)), 2), IndexError,
                 r"indices must lie in \[0, 16\)"),
                (lambda: F.max_unpool2d(gn.zeros(1, 1, 2, 2), gn.zeros(1, 1, 2, 2), 2), ValueError, "integer indices")]),
    OpCase("embedding_bag-2d-mean", lambda w: F.embedding_bag(gn.tensor(IDX), w), [normal(10, 3)],
           lambda w: w[IDX].mean(1),
           bad=[(lambda: F.embedding_bag(gn.tensor(BAG_IDX), gn.ones(10, 2), gn.tensor([1, 2])), ValueError,
                 "offsets must start at 0"),
                (lambda: F.embedding_bag(gn.tensor(IDX), gn.ones(10, 2), mode="median"), ValueError, "mode must be"),
                (lambda: F.embedding_bag(gn.tensor(IDX), gn.ones(10, 2), gn.tensor([0])), ValueError,
                 "offsets must be None for a 2-D input")]),
]
for _mode in ("sum", "mean", "max"):
    OPS.append(OpCase(f"embedding_bag-offsets-{_mode}", lambda w, m=_mode: F.embedding_bag(
        gn.tensor(BAG_IDX), w, gn.tensor(BAG_OFF), mode=m), [normal(10, 3)], lambda w, m=_mode: np_bags(w, m)))
OPS.append(OpCase("embedding_bag-per_sample_weights", lambda w, p: F.embedding_bag(
    gn.tensor(BAG_IDX), w, gn.tensor(BAG_OFF), mode="sum", per_sample_weights=p), [normal(10, 3), uniform(0, 1, 8)],
    lambda w, p: np_bags(w, "sum", p)))
OPS.append(OpCase("embedding_bag-padding_idx", lambda w: F.embedding_bag(gn.tensor(IDX), w, padding_idx=4),
                  [normal(10, 3)], lambda w: np.stack([w[[i for i in r if i != 4]].mean(0) for r in IDX])))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_max_pool2d_returns_the_first_maximums_flat_position(dtype):
    x = np.random.default_rng(0).standard_normal((2, 3, 6, 4)).astype(dtype)
    x[0, 0, :2, :2] = 1.0  # a tie: PyTorch's index is the first in the window
    out, idx = F.max_pool2d(gn.tensor(x), 2, return_indices=True)
    ref_out, ref_idx = np_max_pool_indices(x, 2)
    np.testing.assert_array_equal(out.data, ref_out)
    np.testing.assert_array_equal(idx.data, ref_idx)
    assert idx.dtype == np.int64 and idx.data[0, 0, 0, 0] == 0
    up = F.max_unpool2d(out, idx, 2).data.reshape(2, 3, -1)
    np.testing.assert_array_equal(np.take_along_axis(up, ref_idx.reshape(2, 3, -1), 2), ref_out.reshape(2, 3, -1))
    assert (up != 0).sum() == ref_out.size


def test_max_pool_with_padding_and_ceil_mode_never_points_into_the_padding():
    x = -np.abs(np.random.default_rng(1).standard_normal((1, 2, 5, 5)))  # all negative: padding must not win
    out, idx = F.max_pool2d(gn.tensor(x), 3, 2, 1, ceil_mode=True, return_indices=True)
    flat = x.reshape(1, 2, -1)
    np.testing.assert_array_equal(np.take_along_axis(flat, idx.data.reshape(1, 2, -1), 2).reshape(out.shape), out.data)
    o1, i1 = nn.MaxPool1d(2, return_indices=True)(gn.tensor(x[:, :, 0]))
    np.testing.assert_array_equal(i1.data, x[:, :, 0, :4].reshape(1, 2, 2, 2).argmax(-1) + [0, 2])
    assert nn.MaxUnpool1d(2)(o1, i1).shape == (1, 2, 4)
    with pytest.raises(ValueError, match=r"max_unpool2d: output_size \(9, 9\) is not reachable"):
        F.max_unpool2d(out, idx, 3, 2, 1, output_size=(9, 9))


def test_embedding_from_pretrained_copies_and_freezes():
    table = np.arange(6.0).reshape(3, 2)
    emb = nn.Embedding.from_pretrained(gn.tensor(table), padding_idx=2)
    assert not emb.weight.requires_grad and list(emb.state_dict()) == ["weight"]
    np.testing.assert_array_equal(emb(gn.tensor([2, 0])).data, table[[2, 0]])  # the padding row is kept as given
    table[0, 0] = 99.0
    assert emb.weight.data[0, 0] == 0.0
    trainable = nn.EmbeddingBag.from_pretrained(gn.tensor(table), freeze=False, mode="max")
    assert trainable.weight.requires_grad and trainable.mode == "max"
    with pytest.raises(ValueError, match="Embedding.from_pretrained: embeddings must be a 2-D float tensor"):
        nn.Embedding.from_pretrained(gn.zeros(3))


# ----- margin, embedding and likelihood losses; gates; bilinear -------------------------------------------------
def np_reduce(loss, reduction):
    return {"mean": np.mean, "sum": np.sum, "none": lambda a: a}[reduction](loss)


SIGNS = np.array([1.0, -1.0, 1.0, -1.0, -1.0])
CLASSES = np.array([0, 3, 2, 1, 3])
LABEL_LISTS = np.array([[3, 0, -1, 1], [1, 2, 3, 0], [-1, 0, 0, 0], [2, 2, -1, 3], [0, -1, 2, 2]])


def np_cosine_embedding(a, b, y, margin):
    cos = (a * b).sum(1) / np.sqrt(((a * a).sum(1) + 1e-12) * ((b * b).sum(1) + 1e-12))
    return np.where(y == 1, 1 - cos, np.maximum(0, cos - margin))


def np_triplet(a, p, n, margin, norm):
    def d(u, v):
        return (np.abs(u - v + 1e-6) ** norm).sum(1) ** (1 / norm)
    return np.maximum(d(a, p) - d(a, n) + margin, 0)


def np_multi_margin(x, t, p, margin, w):
    loss = np.zeros(len(x))
    for i, (row, y) in enumerate(zip(x, t)):
        for j in range(x.shape[1]):
            if j != y:
                loss[i] += w[y] * max(0, margin - row[y] + row[j]) ** p
    return loss / x.shape[1]


def np_multilabel_margin(x, t):
    loss = np.zeros(len(x))
    for i, (row, labels) in enumerate(zip(x, t)):
        listed = list(labels[:list(labels).index(-1)]) if -1 in labels else list(labels)
        for j in listed:
            for k in set(range(x.shape[1])) - set(listed):
                loss[i] += max(0, 1 - (row[j] - row[k]))
    return loss / x.shape[1]


def np_log_sigmoid(x):
    return -np.logaddexp(0, -x)


def _loss_rows():
    rows = []
    for red in ("mean", "sum", "none"):
        rows += [
            OpCase(f"cosine_embedding_loss-{red}", lambda a, b, r=red: F.cosine_embedding_loss(
                a, b, gn.tensor(SIGNS), margin=0.2, reduction=r), [normal(5, 4), normal(5, 4)],
                lambda a, b, r=red: np_reduce(np_cosine_embedding(a, b, SIGNS, 0.2), r)),
            OpCase(f"margin_ranking_loss-{red}", lambda a, b, r=red: F.margin_ranking_loss(
                a, b, gn.tensor(SIGNS), margin=0.3, reduction=r), [normal(5), normal(5)],
                lambda a, b, r=red: np_reduce(np.maximum(0, -SIGNS * (a - b) + 0.3), r)),
            OpCase(f"hinge_embedding_loss-{red}", lambda a, r=red: F.hinge_embedding_loss(
                a, gn.tensor(SIGNS), margin=0.5, reduction=r), [normal(5, kinks=(0.5,))],
                lambda a, r=red: np_reduce(np.where(SIGNS == 1, a, np.maximum(0, 0.5 - a)), r)),
            OpCase(f"soft_margin_loss-{red}", lambda a, r=red: F.soft_margin_loss(a, gn.tensor(SIGNS), reduction=r),
                   [normal(5)], lambda a, r=red: np_reduce(np.log1p(np.exp(-SIGNS * a)), r)),
            OpCase(f"triplet_margin_loss-{red}", lambda a, p, n, r=red: F.triplet_margin_loss(
                a, p, n, margin=0.5, p=1.5, reduction=r), [normal(5, 3), normal(5, 3), normal(5, 3)],
                lambda a, p, n, r=red: np_reduce(np_triplet(a, p, n, 0.5, 1.5), r)),
            OpCase(f"multilabel_soft_margin_loss-{red}", lambda a, r=red: F.multilabel_soft_margin_loss(
                a, gn.tensor((SIGNS[:4] > 0) * 1.0).expand(5, 4), weight=gn.tensor([1.0, 2.0, 0.5, 1.0]), reduction=r),
                [normal(5, 4)], lambda a, r=red: np_reduce(-(np.array([1.0, 2.0, 0.5, 1.0]) * np.where(
                    SIGNS[:4] > 0, np_log_sigmoid(a), np_log_sigmoid(-a))).mean(1), r)),
            OpCase(f"multi_margin_loss-p2-{red}", lambda a, r=red: F.multi_margin_loss(
                a, gn.tensor(CLASSES), p=2, margin=0.7, weight=gn.tensor([1.0, 2.0, 3.0, 4.0]), reduction=r),
                [normal(5, 4, scale=0.3)], lambda a, r=red: np_reduce(np_multi_margin(a, CLASSES, 2, 0.7, [1, 2, 3, 4]), r)),
            OpCase(f"multilabel_margin_loss-{red}", lambda a, r=red: F.multilabel_margin_loss(
                a, gn.tensor(LABEL_LISTS), reduction=r), [normal(5, 4, scale=0.3)],
                lambda a, r=red: np_reduce(np_multilabel_margin(a, LABEL_LISTS), r)),
            OpCase(f"poisson_nll_loss-full-{red}", lambda a, t, r=red: F.poisson_nll_loss(a, t, full=True, reduction=r),
                   [normal(5, 3), uniform(0, 4, 5, 3)], lambda a, t, r=red: np_reduce(np.exp(a) - t * a + np.where(
                       t > 1, t * np.log(np.maximum(t, 1)) - t + 0.5 * np.log(2 * np.pi * np.maximum(t, 1)), 0), r)),
            OpCase(f"gaussian_nll_loss-{red}", lambda a, t, v, r=red: F.gaussian_nll_loss(a, t, v, full=True, reduction=r),
                   [normal(5, 3), normal(5, 3), uniform(0.5, 2, 5, 1)],
                   lambda a, t, v, r=red: np_reduce(0.5 * (np.log(v) + (a - t) ** 2 / v + np.log(2 * np.pi)), r)),
        ]
    rows[0].bad = [(lambda: F.cosine_embedding_loss(gn.zeros(2, 3), gn.zeros(2, 4), gn.ones(2)), ValueError,
                    "cosine_embedding_loss: expected input1 and input2 of one shape"),
                   (lambda: F.margin_ranking_loss(gn.zeros(2), gn.zeros(2), gn.ones(2), reduction="avg"), ValueError,
                    "margin_ranking_loss: reduction must be one of")]
    rows[-1].bad = [(lambda: F.gaussian_nll_loss(gn.zeros(2, 3), gn.zeros(2, 3), gn.ones(3, 2)), ValueError,
                     r"gaussian_nll_loss: var of shape \(3, 2\) does not fit input \(2, 3\)"),
                    (lambda: F.gaussian_nll_loss(gn.zeros(2), gn.zeros(2), -gn.ones(2)), ValueError, "negative entries"),
                    (lambda: F.multi_margin_loss(gn.zeros(2, 3), gn.tensor([0, 3])), ValueError,
                     r"target must hold 2 class indices in \[0, 3\)"),
                    (lambda: F.multilabel_margin_loss(gn.zeros(1, 3), gn.tensor([[0, 5, -1]])), ValueError,
                     r"class indices in \[0, 3\) or -1"),
                    (lambda: F.multi_margin_loss(gn.zeros(2, 3), gn.tensor([0.0, 1.0])), TypeError, "integer class")]
    return rows


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


OPS += _loss_rows()
OPS += [
    OpCase("glu", lambda x: F.glu(x, dim=1), [normal(3, 4, 2)], lambda x: x[:, :2] * _sigmoid(x[:, 2:]),
           bad=[(lambda: F.glu(gn.zeros(3, 5)), ValueError, r"glu: dimension -1 of input \(3, 5\) has odd size 5")]),
    OpCase("threshold", lambda x: F.threshold(x, 0.2, -4.0), [normal(3, 4, kinks=(0.2,))],
           lambda x: np.where(x > 0.2, x, -4.0)),
    OpCase("rrelu-eval", lambda x: F.rrelu(x, 0.1, 0.3), [normal(3, 4)], lambda x: np.where(x >= 0, x, 0.2 * x),
           bad=[(lambda: F.rrelu(gn.zeros(2), 0.5, 0.1), ValueError, r"rrelu: lower \(0.5\) must not exceed upper")]),
    OpCase("alpha_dropout-eval", lambda x: F.alpha_dropout(x, 0.4, training=False), [normal(3, 4)], lambda x: x,
           bad=[(lambda: F.alpha_dropout(gn.zeros(2), 1.5, True), ValueError, r"alpha_dropout: p must be in \[0, 1\]"),
                (lambda: F.feature_alpha_dropout(gn.zeros(2), 0.5, True), ValueError, "expected an input")]),
    OpCase("gumbel_softmax-hard-forward-is-one-hot", lambda z: F.gumbel_softmax(z, tau=0.5, hard=True).sum(-1),
           [normal(3, 5)], lambda z: np.ones(3), gradcheck=False,
           bad=[(lambda: F.gumbel_softmax(gn.zeros(2, 3), tau=0), ValueError, "gumbel_softmax: tau must be a positive")]),
    OpCase("bilinear", lambda a, b, w, c: F.bilinear(a, b, w, c), [normal(2, 3, 4), normal(2, 3, 5), normal(6, 4, 5),
                                                                  normal(6)],
           lambda a, b, w, c: np.einsum("nti,oij,ntj->nto", a, w, b) + c,
           bad=[(lambda: F.bilinear(gn.zeros(2, 3), gn.zeros(2, 4), gn.zeros(5, 4, 3)), ValueError,
                 r"bilinear: expected input1 \(..., in1\)")]),
    OpCase("channel_shuffle", lambda x: F.channel_shuffle(x, 3), [normal(2, 6, 2)],
           lambda x: x.reshape(2, 3, 2, 2).transpose(0, 2, 1, 3).reshape(2, 6, 2),
           bad=[(lambda: F.channel_shuffle(gn.zeros(1, 4, 2), 3), ValueError, "channel_shuffle: the channels")]),
]


def test_random_gates_draw_from_gradnotes_generator_and_keep_their_contracts():
    x = gn.tensor(np.random.default_rng(3).standard_normal((400, 50)))
    gn.manual_seed(7)
    y = F.rrelu(x, 0.1, 0.3, training=True).data
    slope = y[x.data < 0] / x.data[x.data < 0]
    assert 0.1 <= slope.min() and slope.max() <= 0.3 and slope.std() > 0.03
    gn.manual_seed(7)
    np.testing.assert_array_equal(F.rrelu(x, 0.1, 0.3, training=True).data, y)
    a = F.alpha_dropout(x, 0.3, training=True).data  # zero mean and unit variance survive
    assert abs(a.mean()) < 0.02 and abs(a.std() - 1) < 0.02
    f = F.feature_alpha_dropout(gn.ones(4, 8, 3), 0.5, training=True).data
    assert (f == f[:, :, :1]).all() and len(np.unique(f)) == 2
    z = gn.tensor(np.random.default_rng(4).standard_normal((6, 5)), requires_grad=True)
    hard = F.gumbel_softmax(z, tau=0.7, hard=True)
    assert set(np.unique(hard.data)) == {0.0, 1.0} and (hard.data.sum(1) == 1).all()
    hard.sum().backward()  # straight-through: the soft sample's gradient, which sums to 0 over a softmax row
    assert np.allclose(z.grad, 0, atol=1e-12)
