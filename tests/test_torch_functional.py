"""Op table for the PyTorch-spelled functional ops (activations, losses, conv1d/conv_transpose2d, pooling,
interpolate, pad, distances, channel dropout).

Each entry: sample inputs, a NumPy reference written here, a float64 gradcheck and bad inputs that must raise
a named error. The references follow PyTorch's documented formulas (window rules, index rules, kink choices).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from op_table import OpCase, normal, np_reduce, uniform
from op_table import away_from_kinks as away  # noqa: F401 - used by rows and by test_torch_layers

import gradnote as gn
import gradnote.functional as F


def np_softplus(x, beta=1.0, threshold=20.0):
    return np.where(beta * x > threshold, x, np.log1p(np.exp(np.minimum(beta * x, threshold))) / beta)


SELU_A, SELU_S = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946


def np_conv1d(x, w, b=None, stride=1, padding=0, dilation=1, groups=1):
    n, c, length = x.shape
    o, cg, k = w.shape
    xp_ = np.pad(x, ((0, 0), (0, 0), (padding, padding)))
    lout = (length + 2 * padding - dilation * (k - 1) - 1) // stride + 1
    out = np.zeros((n, o, lout))
    for oc in range(o):
        g = oc // (o // groups)
        for i in range(lout):
            patch = xp_[:, g * cg:(g + 1) * cg, i * stride:i * stride + dilation * (k - 1) + 1:dilation]
            out[:, oc, i] = (patch * w[oc]).sum(axis=(1, 2))
    return out if b is None else out + b[:, None]


def np_conv_transpose2d(x, w, b=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """Each input pixel adds weight * value into the output window it maps to (the definition)."""
    n, cin, h, wd = x.shape
    _, cog, kh, kw = w.shape
    full_h = (h - 1) * stride + dilation * (kh - 1) + 1 + output_padding
    full_w = (wd - 1) * stride + dilation * (kw - 1) + 1 + output_padding
    out = np.zeros((n, cog * groups, full_h, full_w))
    cig = cin // groups
    for ci in range(cin):
        g = ci // cig
        for i in range(h):
            for j in range(wd):
                for u in range(kh):
                    for v in range(kw):
                        out[:, g * cog:(g + 1) * cog, i * stride + u * dilation, j * stride + v * dilation] += \
                            x[:, ci, i, j, None] * w[ci, :, u, v]
    out = out[:, :, padding:full_h - padding, padding:full_w - padding]
    return out if b is None else out + b[:, None, None]


def windows(n, out):
    return [(i * n // out, -(-(i + 1) * n // out)) for i in range(out)]


def np_adaptive(x, out_hw, reduce):
    (oh, ow), (h, w) = out_hw, x.shape[2:]
    res = np.zeros(x.shape[:2] + (oh, ow))
    for i, (h0, h1) in enumerate(windows(h, oh)):
        for j, (w0, w1) in enumerate(windows(w, ow)):
            res[:, :, i, j] = reduce(x[:, :, h0:h1, w0:w1], axis=(2, 3))
    return res


def np_pool2d(x, k, s, p, ceil_mode, kind, count_include_pad=True):
    """PyTorch's pooling rules, one window at a time: the last ceil_mode window starts inside input+left pad;
    avg divides by the window clipped to the padded input (or to the input without count_include_pad)."""
    n, c, h, w = x.shape

    def size(length):
        o = (length + 2 * p - k + (s - 1 if ceil_mode else 0)) // s + 1
        return o - 1 if ceil_mode and (o - 1) * s >= length + p else o

    oh, ow = size(h), size(w)
    out = np.zeros((n, c, oh, ow))
    for i in range(oh):
        for j in range(ow):
            h0, w0 = i * s - p, j * s - p
            h1, w1 = min(h0 + k, h + p), min(w0 + k, w + p)
            window = x[:, :, max(h0, 0):min(h1, h), max(w0, 0):min(w1, w)]
            if kind == "max":
                out[:, :, i, j] = window.max(axis=(2, 3))
            else:
                count = (h1 - h0) * (w1 - w0) if count_include_pad else window.shape[2] * window.shape[3]
                out[:, :, i, j] = window.sum(axis=(2, 3)) / count
    return out


def np_resize_matrix(n_in, n_out, mode, align_corners=False, scale_factor=None):
    """Row i mixes the input positions output i reads (PyTorch's nearest and linear index rules)."""
    a = np.zeros((n_out, n_in))
    for i in range(n_out):
        if mode == "nearest":
            scale = np.float32(1 / scale_factor if scale_factor else n_in / n_out)
            a[i, min(int(np.floor(np.float32(i) * scale)), n_in - 1)] = 1
            continue
        if align_corners:
            src = i * (n_in - 1) / (n_out - 1) if n_out > 1 else 0.0
        else:
            src = max((i + 0.5) * (1 / scale_factor if scale_factor else n_in / n_out) - 0.5, 0.0)
        lo = min(int(math.floor(src)), n_in - 1)
        hi = min(lo + 1, n_in - 1)
        a[i, lo] += 1 - (src - lo)
        a[i, hi] += src - lo
    return a


def np_resize(x, out_hw, mode, align_corners=False, scale=(None, None)):
    ah = np_resize_matrix(x.shape[2], out_hw[0], mode, align_corners, scale[0])
    aw = np_resize_matrix(x.shape[3], out_hw[1], mode, align_corners, scale[1])
    return np.einsum("ih,nchw,jw->ncij", ah, x, aw)


def np_vector_norm(x, p, axis, keepdims=False):
    if p == math.inf:
        return np.abs(x).max(axis=axis, keepdims=keepdims)
    return (np.abs(x) ** p).sum(axis=axis, keepdims=keepdims) ** (1 / p)


def _activation_cases():
    x = normal(3, 4, scale=2)
    hard = (-3.0, 3.0, 0.0)
    return [
        OpCase("silu", F.silu, [x], lambda a: a / (1 + np.exp(-a))),
        OpCase("silu-0d", F.silu, [normal()], lambda a: a / (1 + np.exp(-a))),
        OpCase("softplus", F.softplus, [normal(3, 4, scale=10)], np_softplus,
               bad=[(lambda: F.softplus(gn.zeros(2), beta=0), ValueError, "softplus: beta must be positive, got 0")]),
        OpCase("softplus-beta-threshold", lambda a: F.softplus(a, beta=2.0, threshold=3.0),
               [normal(3, 4, scale=3, kinks=(1.5,))], lambda a: np_softplus(a, 2.0, 3.0)),
        OpCase("hardtanh", lambda a: F.hardtanh(a, -0.5, 1.5), [normal(3, 4, scale=2, kinks=(-0.5, 1.5))],
               lambda a: np.clip(a, -0.5, 1.5),
               bad=[(lambda: F.hardtanh(gn.zeros(2), 1.0, -1.0), ValueError, "min_val must be less than max_val")]),
        OpCase("relu6", F.relu6, [normal(3, 4, scale=5, kinks=(0.0, 6.0))], lambda a: np.clip(a, 0, 6)),
        OpCase("hardsigmoid", F.hardsigmoid, [normal(3, 4, scale=3, kinks=hard)], lambda a: np.clip(a + 3, 0, 6) / 6),
        OpCase("hardswish", F.hardswish, [normal(3, 4, scale=3, kinks=hard)], lambda a: a * np.clip(a + 3, 0, 6) / 6),
        OpCase("mish", F.mish, [x], lambda a: a * np.tanh(np.log1p(np.exp(a)))),
        OpCase("softsign", F.softsign, [x], lambda a: a / (1 + np.abs(a))),
        OpCase("logsigmoid", F.logsigmoid, [normal(3, 4, scale=5)], lambda a: -np.log1p(np.exp(-a)),
               bad=[(lambda: F.logsigmoid(gn.tensor([1, 2])), TypeError, "logsigmoid.*floating")]),
        OpCase("selu", F.selu, [x], lambda a: SELU_S * np.where(a > 0, a, SELU_A * (np.exp(a) - 1))),
        OpCase("celu", lambda a: F.celu(a, 0.7), [x], lambda a: np.maximum(a, 0) + np.minimum(0, 0.7 * (np.exp(a / 0.7) - 1)),
               bad=[(lambda: F.celu(gn.zeros(2), 0.0), ValueError, "celu: alpha must not be 0")]),
        OpCase("softmin", lambda a: F.softmin(a, dim=1), [x],
               lambda a: np.exp(-a) / np.exp(-a).sum(axis=1, keepdims=True)),
        OpCase("prelu-channels", F.prelu, [normal(2, 3, 4), uniform(0.1, 0.5, 3)],
               lambda a, w: np.where(a > 0, a, w[None, :, None] * a),
               bad=[(lambda: F.prelu(gn.zeros(2, 3), gn.zeros(4)), ValueError, r"prelu: weight of shape \(4,\).*\(2, 3\)"),
                    (lambda: F.prelu(gn.zeros(2, 3), gn.zeros(3, 1)), ValueError, "prelu: weight must be 1-D")]),
        OpCase("prelu-single", F.prelu, [normal(5), uniform(0.1, 0.5, 1)], lambda a, w: np.where(a > 0, a, w * a)),
    ]


def _loss_cases():
    cases = []
    for red in ("mean", "sum", "none"):
        cases.append(OpCase(
            f"smooth_l1_loss-{red}", lambda a, b, r=red: F.smooth_l1_loss(a, b, reduction=r, beta=0.5),
            [normal(3, 4, scale=2, kinks=(0.5, -0.5)), lambda rng: np.zeros((3, 4))],
            lambda a, b, r=red: np_reduce(np.where(np.abs(a - b) < 0.5, (a - b) ** 2, np.abs(a - b) - 0.25), r)))
    for red in ("mean", "sum", "none", "batchmean"):
        cases.append(OpCase(
            f"kl_div-{red}", lambda q, t, r=red: F.kl_div(q, t, reduction=r),
            [normal(4, 5), lambda rng: rng.dirichlet(np.ones(5), 4)],
            lambda q, t, r=red: np_reduce(t * (np.log(t) - q), r)))
        cases.append(OpCase(
            f"kl_div-log_target-{red}", lambda q, t, r=red: F.kl_div(q, t, reduction=r, log_target=True),
            [normal(4, 5), normal(4, 5)], lambda q, t, r=red: np_reduce(np.exp(t) * (t - q), r)))
    cases[0].bad = [
        (lambda: F.smooth_l1_loss(gn.zeros(2), gn.zeros(2), beta=-1), ValueError, "smooth_l1_loss: beta must be"),
        (lambda: F.kl_div(gn.zeros(2, 3), gn.zeros(3, 2)), ValueError, r"kl_div.*\(2, 3\).*\(3, 2\)"),
        (lambda: F.kl_div(gn.zeros(2), gn.zeros(2), reduction="avg"), ValueError, "kl_div.*'avg'")]
    return cases


def _conv_cases():
    return [
        OpCase("conv1d", lambda x, w, b: F.conv1d(x, w, b, stride=2, padding=1), [normal(2, 3, 9), normal(4, 3, 3), normal(4)],
               lambda x, w, b: np_conv1d(x, w, b, 2, 1),
               bad=[(lambda: F.conv1d(gn.zeros(2, 3, 9), gn.zeros(4, 2, 3)), ValueError,
                     r"conv1d: weight \(4, 2, 3\) with groups=1 expects input with 2 channels, got input of shape \(2, 3, 9\)"),
                    (lambda: F.conv1d(gn.zeros(2, 3, 4, 4), gn.zeros(4, 3, 3)), ValueError,
                     r"conv1d: expected input \(N, C, L\)"),
                    (lambda: F.conv1d(gn.zeros(2, 3, 9), gn.zeros(4, 3, 3), stride=(1, 2)), ValueError, "conv1d: stride"),
                    (lambda: F.conv1d(gn.zeros(2, 3, 9), gn.zeros(4, 3, 3), padding="full"), ValueError, "'same' or 'valid'"),
                    (lambda: F.conv1d(gn.zeros(2, 3, 9), gn.zeros(4, 3, 3), stride=2, padding="same"), ValueError,
                     "padding='same' needs stride 1")]),
        OpCase("conv1d-groups-dilation", lambda x, w: F.conv1d(x, w, dilation=2, groups=3), [normal(2, 6, 11), normal(6, 2, 3)],
               lambda x, w: np_conv1d(x, w, None, 1, 0, 2, 3)),
        OpCase("conv1d-same-even-kernel", lambda x, w: F.conv1d(x, w, padding="same"), [normal(1, 2, 7), normal(3, 2, 4)],
               # total padding 3: one left, two right (PyTorch puts the odd one at the end)
               lambda x, w: np_conv1d(np.pad(x, ((0, 0), (0, 0), (0, 1))), w, None, 1, 1)),
        OpCase("conv2d-same", lambda x, w: F.conv2d(x, w, padding="same"), [normal(1, 2, 5, 6), normal(3, 2, 2, 3)],
               _np_conv2d_same),
        OpCase("conv_transpose2d", lambda x, w, b: F.conv_transpose2d(x, w, b, stride=2, padding=1, output_padding=1),
               [normal(2, 3, 4, 3), normal(3, 2, 3, 3), normal(2)],
               lambda x, w, b: np_conv_transpose2d(x, w, b, 2, 1, 1),
               bad=[(lambda: F.conv_transpose2d(gn.zeros(1, 3, 4, 4), gn.zeros(2, 2, 3, 3)), ValueError,
                     r"weight of shape \(2, 2, 3, 3\) expects input with 2 channels"),
                    (lambda: F.conv_transpose2d(gn.zeros(1, 2, 4, 4), gn.zeros(2, 2, 3, 3), stride=2, output_padding=2),
                     ValueError, "output_padding must be smaller than stride or dilation"),
                    (lambda: F.conv_transpose2d(gn.zeros(1, 2, 1, 1), gn.zeros(2, 2, 1, 1), padding=1), ValueError,
                     "empty output"),
                    (lambda: F.conv_transpose2d(gn.zeros(1, 2, 4, 4), gn.zeros(2, 2, 3, 3), gn.zeros(3)), ValueError,
                     r"bias must have shape \(2,\)")]),
        OpCase("conv_transpose2d-groups-dilation", lambda x, w: F.conv_transpose2d(x, w, stride=3, groups=2, dilation=2),
               [normal(1, 4, 3, 2), normal(4, 3, 2, 3)], lambda x, w: np_conv_transpose2d(x, w, None, 3, 0, 0, 2, 2)),
    ]


def _np_conv2d_same(x, w):
    """Cross-correlation with PyTorch's "same" padding: total k - 1 per axis, the odd one at the end."""
    kh, kw = w.shape[2:]
    xp_ = np.pad(x, ((0, 0), (0, 0), ((kh - 1) // 2, kh // 2), ((kw - 1) // 2, kw // 2)))
    win = np.lib.stride_tricks.sliding_window_view(xp_, (kh, kw), axis=(2, 3))  # (n, c, H, W, kh, kw)
    return np.einsum("nchwuv,ocuv->nohw", win, w)


def _pool_cases():
    x = normal(2, 3, 7, 6)
    return [
        OpCase("adaptive_avg_pool2d", lambda a: F.adaptive_avg_pool2d(a, (3, 4)), [x], lambda a: np_adaptive(a, (3, 4), np.mean),
               bad=[(lambda: F.adaptive_avg_pool2d(gn.zeros(2, 3, 4, 4), (0, 2)), ValueError,
                     "adaptive_avg_pool2d: output_size must hold positive ints"),
                    (lambda: F.adaptive_avg_pool2d(gn.zeros(4, 4), 2), ValueError, r"adaptive_avg_pool2d: expected a 4-D")]),
        OpCase("adaptive_avg_pool2d-None-upsizing", lambda a: F.adaptive_avg_pool2d(a, (None, 9)), [x],
               lambda a: np_adaptive(a, (7, 9), np.mean)),
        OpCase("adaptive_avg_pool2d-global", lambda a: F.adaptive_avg_pool2d(a, 1), [x],
               lambda a: np_adaptive(a, (1, 1), np.mean)),
        OpCase("adaptive_max_pool2d", lambda a: F.adaptive_max_pool2d(a, (3, 4)), [x], lambda a: np_adaptive(a, (3, 4), np.max)),
        OpCase("adaptive_avg_pool1d", lambda a: F.adaptive_avg_pool1d(a, 4), [normal(2, 3, 10)],
               lambda a: np_adaptive(a[:, :, None], (1, 4), np.mean)[:, :, 0]),
        OpCase("adaptive_max_pool1d", lambda a: F.adaptive_max_pool1d(a, 4), [normal(2, 3, 10)],
               lambda a: np_adaptive(a[:, :, None], (1, 4), np.max)[:, :, 0]),
        OpCase("max_pool2d-ceil_mode", lambda a: F.max_pool2d(a, 3, 2, 1, ceil_mode=True), [x],
               lambda a: np_pool2d(a, 3, 2, 1, True, "max"),
               bad=[(lambda: F.max_pool2d(gn.zeros(1, 1, 4, 4), 2, dilation=2), NotImplementedError, "max_pool2d: dilation=2")]),
        OpCase("avg_pool2d-ceil_mode", lambda a: F.avg_pool2d(a, 3, 2, 1, ceil_mode=True), [x],
               lambda a: np_pool2d(a, 3, 2, 1, True, "avg")),
        OpCase("avg_pool2d-exclude-pad", lambda a: F.avg_pool2d(a, 3, 2, 1, count_include_pad=False), [x],
               lambda a: np_pool2d(a, 3, 2, 1, False, "avg", count_include_pad=False)),
        OpCase("avg_pool2d-ceil-exclude-pad", lambda a: F.avg_pool2d(a, 2, 2, 1, True, False), [x],
               lambda a: np_pool2d(a, 2, 2, 1, True, "avg", count_include_pad=False)),
        OpCase("avg_pool2d-divisor", lambda a: F.avg_pool2d(a, 2, divisor_override=3), [x],
               lambda a: np_pool2d(a, 2, 2, 0, False, "avg") * 4 / 3,
               bad=[(lambda: F.avg_pool2d(gn.zeros(1, 1, 4, 4), 2, divisor_override=0), ValueError, "divisor_override")]),
        OpCase("max_pool1d", lambda a: F.max_pool1d(a, 3, 2, 1, ceil_mode=True), [normal(2, 3, 10)],
               # ceil_mode: ceil((10 + 2 - 3) / 2) + 1 = 6 windows [2i - 1, 2i + 2), the last one partial
               lambda a: np.stack([a[:, :, max(2 * i - 1, 0):2 * i + 2].max(axis=2) for i in range(6)], axis=2),
               bad=[(lambda: F.max_pool1d(gn.zeros(2, 3, 4, 4), 2), ValueError, r"max_pool1d: expected a 3-D")]),
        OpCase("avg_pool1d", lambda a: F.avg_pool1d(a, 2, padding=1), [normal(2, 3, 6)],
               lambda a: np.pad(a, ((0, 0), (0, 0), (1, 1))).reshape(2, 3, 4, 2).mean(axis=3)),
    ]


def _resize_cases():
    x = normal(2, 2, 5, 4)
    cases = []
    for mode, ac in (("nearest", False), ("bilinear", False), ("bilinear", True)):
        kw = {} if mode == "nearest" else {"align_corners": ac}
        cases += [
            OpCase(f"interpolate-{mode}-{ac}-size", lambda a, m=mode, k=kw: F.interpolate(a, size=(7, 3), mode=m, **k),
                   [x], lambda a, m=mode, c=ac: np_resize(a, (7, 3), m, c)),
            OpCase(f"interpolate-{mode}-{ac}-scale", lambda a, m=mode, k=kw: F.interpolate(a, scale_factor=1.5, mode=m, **k),
                   [x], lambda a, m=mode, c=ac: np_resize(a, (7, 6), m, c, (1.5, 1.5))),
        ]
    cases.append(OpCase("interpolate-linear-3d", lambda a: F.interpolate(a, size=7, mode="linear"), [normal(2, 3, 4)],
                        lambda a: np_resize(a[:, :, None], (1, 7), "bilinear")[:, :, 0],
                        bad=[(lambda: F.interpolate(gn.zeros(1, 1, 4, 4)), ValueError, "exactly one of size and scale_factor"),
                             (lambda: F.interpolate(gn.zeros(1, 1, 4, 4), 2, mode="bicubic"), ValueError,
                              "interpolate: mode.*'bicubic'"),
                             (lambda: F.interpolate(gn.zeros(1, 1, 4, 4), 2, align_corners=True), ValueError,
                              "align_corners only"),
                             (lambda: F.interpolate(gn.zeros(4, 4), 2), ValueError, r"interpolate: expected a 3-D.*\(4, 4\)")]))
    return cases


def _misc_cases():
    pad_modes = {"reflect": "reflect", "replicate": "edge", "circular": "wrap"}
    cases = [
        OpCase("pad-constant", lambda a: F.pad(a, (1, 2, 0, 3), value=0.5), [normal(2, 3, 4)],
               lambda a: np.pad(a, ((0, 0), (0, 3), (1, 2)), constant_values=0.5),
               bad=[(lambda: F.pad(gn.zeros(2, 3), (1,)), ValueError, "pad: pad must be a tuple of an even number"),
                    (lambda: F.pad(gn.zeros(3), (1, 1, 1, 1)), ValueError, r"pad: pad \(1, 1, 1, 1\) covers 2 axes"),
                    (lambda: F.pad(gn.zeros(2, 3), (1, 1), mode="wrap"), ValueError, "pad: mode must be"),
                    (lambda: F.pad(gn.zeros(2, 3), (3, 0), mode="reflect"), ValueError, "pad: reflect padding of \\(3, 0\\)"),
                    (lambda: F.pad(gn.zeros(2, 3), (-4, 0)), ValueError, "crops more than")]),
        OpCase("pad-constant-negative-crops", lambda a: F.pad(a, (-1, 2, -2, 0)), [normal(2, 4, 5)],
               lambda a: np.pad(a[:, 2:, 1:], ((0, 0), (0, 0), (0, 2)))),
        *[OpCase(f"pad-{mode}", lambda a, m=mode: F.pad(a, (2, 1, 1, 3), mode=m), [normal(2, 1, 4, 5)],
                 lambda a, m=npm: np.pad(a, ((0, 0), (0, 0), (1, 3), (2, 1)), mode=m)) for mode, npm in pad_modes.items()],
        OpCase("normalize", F.normalize, [normal(3, 4)], lambda a: a / np.maximum(np_vector_norm(a, 2, 1, True), 1e-12),
               bad=[(lambda: F.normalize(gn.zeros(2, 3), p=0), ValueError, "normalize: p must be positive")]),
        OpCase("normalize-p1-dim0", lambda a: F.normalize(a, p=1.0, dim=0), [normal(3, 4)],
               lambda a: a / np_vector_norm(a, 1, 0, True)),
        OpCase("cosine_similarity", F.cosine_similarity, [normal(4, 5), normal(4, 5)],
               lambda a, b: (a * b).sum(1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1)),
               bad=[(lambda: F.cosine_similarity(gn.zeros(2, 3), gn.zeros(4, 3)), ValueError,
                     r"cosine_similarity: x1 of shape \(2, 3\) and x2 of shape \(4, 3\)")]),
        OpCase("cosine_similarity-broadcast-dim0", lambda a, b: F.cosine_similarity(a, b, dim=0), [normal(4, 5), normal(4, 1)],
               lambda a, b: (a * b).sum(0) / (np.linalg.norm(a, axis=0) * np.linalg.norm(np.broadcast_to(b, a.shape), axis=0))),
        OpCase("pairwise_distance", F.pairwise_distance, [normal(4, 5), normal(4, 5)],
               lambda a, b: np.linalg.norm(a - b + 1e-6, axis=-1)),
        OpCase("pairwise_distance-p3-keepdim", lambda a, b: F.pairwise_distance(a, b, p=3.0, keepdim=True),
               [normal(4, 5), normal(4, 5)], lambda a, b: np_vector_norm(a - b + 1e-6, 3, -1, True)),
        OpCase("dropout2d-fixed-mask", lambda a: F.dropout2d(a, 0.4, generator=np.random.default_rng(7)),
               [normal(3, 4, 2, 2)], lambda a: a * (np.random.default_rng(7).random((3, 4, 1, 1)) >= 0.4) / 0.6,
               bad=[(lambda: F.dropout2d(gn.zeros(3), 0.5), ValueError, r"dropout2d: expected input \(N, C, 2 spatial"),
                    (lambda: F.dropout2d(gn.zeros(1, 2, 3, 3), 1.5), ValueError, "dropout2d: p must be in"),
                    (lambda: F.dropout1d(gn.zeros(1, 2, 3, 3), 0.5), ValueError, r"dropout1d: expected input \(N, C, L\)")]),
        OpCase("dropout1d-fixed-mask", lambda a: F.dropout1d(a, 0.5, generator=np.random.default_rng(3)),
               [normal(3, 4, 5)], lambda a: a * (np.random.default_rng(3).random((3, 4, 1)) >= 0.5) / 0.5),
        OpCase("dropout3d-unbatched-fixed-mask", lambda a: F.dropout3d(a, 0.3, generator=np.random.default_rng(5)),
               [normal(4, 2, 2, 3)], lambda a: a * (np.random.default_rng(5).random((4, 1, 1, 1)) >= 0.3) / 0.7),
        OpCase("dropout1d-unbatched-fixed-mask", lambda a: F.dropout1d(a, 0.5, generator=np.random.default_rng(3)),
               [normal(4, 5)], lambda a: a * (np.random.default_rng(3).random((4, 1)) >= 0.5) / 0.5),
        OpCase("dropout2d-eval", lambda a: F.dropout2d(a, 0.5, training=False), [normal(2, 3, 2, 2)], lambda a: a),
    ]
    return cases


# rows of the one op table: test_functional_ops.py runs the generic tests (forward, float32, gradcheck, errors) on them
OPS = [*_activation_cases(), *_loss_cases(), *_conv_cases(), *_pool_cases(), *_resize_cases(), *_misc_cases()]
for _case in OPS:
    if _case.name.endswith("fixed-mask"):
        _case.same_values_in_float32 = False  # a float32 input draws its mask in float32: another stream


# ----- properties the table cannot express ---------------------------------------------------------------
@pytest.mark.parametrize("fn, x, grad", [
    (F.hardtanh, [-1.0, 1.0, 0.0], [0.0, 0.0, 1.0]),        # PyTorch: 0 at the corners
    (F.relu6, [0.0, 6.0, 3.0], [0.0, 0.0, 1.0]),
    (F.hardsigmoid, [-3.0, 3.0, 0.0], [0.0, 0.0, 1 / 6]),
    (F.hardswish, [-3.0, 3.0, 0.0], [0.0, 1.0, 0.5]),       # one-sided: 0 at -3, 1 at 3
    (F.selu, [0.0], [SELU_S * SELU_A]),                      # the x <= 0 branch at 0
    (F.celu, [0.0], [1.0]),
])
def test_gradients_at_the_kinks_follow_pytorch(fn, x, grad):
    t = gn.tensor(np.array(x), requires_grad=True)
    fn(t).sum().backward()
    np.testing.assert_allclose(t.grad, grad, rtol=1e-12)


def test_conv_transpose2d_is_the_adjoint_of_conv2d():
    """<conv2d(y, w), x> == <y, conv_transpose2d(x, w)> for every stride, padding and dilation."""
    rng = np.random.default_rng(0)
    for stride, padding, dilation in ((1, 0, 1), (2, 1, 1), (3, 2, 2)):
        w = rng.standard_normal((4, 3, 3, 3))
        y = rng.standard_normal((2, 3, 11, 10))
        cy = F.conv2d(gn.tensor(y), gn.tensor(w), stride=stride, padding=padding, dilation=dilation)
        x = rng.standard_normal(cy.shape)
        op = [(y.shape[2 + i] + 2 * padding - dilation * 2 - 1) % stride for i in range(2)]  # sizes lost by flooring
        tx = F.conv_transpose2d(gn.tensor(x), gn.tensor(w), stride=stride, padding=padding, output_padding=tuple(op),
                                dilation=dilation)
        assert tx.shape == y.shape
        np.testing.assert_allclose((cy.data * x).sum(), (y * tx.data).sum(), rtol=1e-10)


def test_adaptive_max_pool2d_indices_point_at_the_maxima():
    x = gn.tensor(np.random.default_rng(1).standard_normal((2, 3, 7, 5)))
    out, idx = F.adaptive_max_pool2d(x, (3, 2), return_indices=True)
    assert idx.dtype == np.int64
    np.testing.assert_array_equal(np.take_along_axis(x.data.reshape(2, 3, -1), idx.data.reshape(2, 3, -1), -1),
                                  out.data.reshape(2, 3, -1))


def test_one_hot_is_int64_indicator_rows():
    t = np.array([[0, 3], [2, 2]])
    out = F.one_hot(gn.tensor(t))
    assert out.dtype == np.int64 and out.shape == (2, 2, 4)
    np.testing.assert_array_equal(out.data, np.eye(4, dtype=np.int64)[t])
    assert F.one_hot(gn.tensor([1]), num_classes=5).tolist() == [[0, 1, 0, 0, 0]]
    with pytest.raises(ValueError, match="one_hot: class index 3 is out of range for num_classes=3"):
        F.one_hot(gn.tensor([3]), 3)
    with pytest.raises(ValueError, match="one_hot: class indices must be non-negative, got -1"):
        F.one_hot(gn.tensor([-1, 0]))
    with pytest.raises(TypeError, match="one_hot: expected integer class indices"):
        F.one_hot(gn.tensor([1.0]))


def test_channel_dropout_zeros_whole_channels_and_keeps_the_mean():
    gn.manual_seed(0)
    out = F.dropout2d(gn.ones(64, 32, 3, 3), p=0.25).data
    per_channel = out.reshape(64, 32, 9)
    assert np.all(per_channel.min(axis=2) == per_channel.max(axis=2))  # a channel is all kept or all dropped
    assert set(np.unique(out).tolist()) <= {0.0, float(np.float32(1 / 0.75))}
    assert abs(out.mean() - 1.0) < 0.05


def test_dropout2d_of_a_2d_input_warns_and_drops_elementwise_as_pytorch():
    # PyTorch's feature dropout keeps one draw per (N, C) entry: a (N, C) input is dropped elementwise
    with pytest.warns(UserWarning, match="dropout2d: received a 2-D input"):
        out = F.dropout2d(gn.ones(6, 5), 0.5, generator=np.random.default_rng(1)).data
    np.testing.assert_array_equal(out, (np.random.default_rng(1).random((6, 5), dtype=np.float32) >= 0.5) * 2.0)
    with pytest.warns(UserWarning):
        assert gn.nn.Dropout2d(0.5)(gn.ones(4, 3)).shape == (4, 3)


def test_legacy_size_average_maps_to_reduction_with_a_warning():
    a, b = gn.tensor([1.0, 3.0]), gn.zeros(2)
    with pytest.warns(UserWarning, match="size_average and reduce are deprecated"):
        assert F.smooth_l1_loss(a, b, size_average=False).item() == pytest.approx(0.5 + 2.5)
    with pytest.warns(UserWarning):
        assert F.kl_div(a, b + 1, reduce=False).shape == (2,)


@pytest.mark.parametrize("loss, reference", [
    (F.mse_loss, lambda x, t: np.mean((x - t) ** 2)),
    (F.l1_loss, lambda x, t: np.mean(np.abs(x - t))),
])
def test_regression_losses_promote_an_integer_target_as_pytorch(loss, reference):
    x = np.array([[0.5, 2.0, -1.0]], dtype=np.float32)
    t = np.arange(1, 4).reshape(1, 3)
    out = loss(gn.tensor(x), gn.tensor(t))
    assert out.dtype == np.float32
    np.testing.assert_allclose(out.item(), reference(x, t), rtol=1e-6)
    with pytest.raises(TypeError, match="binary_cross_entropy.*floating"):
        F.binary_cross_entropy(gn.tensor(x.clip(0, 1)), gn.tensor(t))
    with pytest.raises(TypeError, match="floating"):
        loss(gn.tensor(t), gn.tensor(t))
