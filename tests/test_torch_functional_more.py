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
