"""F.multi_head_self_attention (one fused op over packed q, k, v: the GPT's attention) held against its simple
version built from reshape, permute, indexing and scaled_dot_product_attention, across random shapes, causal or
not, with and without a key/value cache, with dropout; float64 gradchecks; bad arguments refused."""

from __future__ import annotations

import numpy as np
import pytest

import gradnote as gn
import gradnote.functional as F


def _run(fn, x, heads, causal, p, buffers, past, seed):
    xt = gn.tensor(x, requires_grad=True)
    bufs = None if buffers is None else tuple(b.copy() for b in buffers)
    y = fn(xt, heads, is_causal=causal, dropout_p=p, kv_buffers=bufs, past=past, generator=np.random.default_rng(seed))
    g = np.cos(np.arange(y.data.size)).reshape(y.shape).astype(x.dtype)
    y.backward(gn.tensor(g))
    return y.data, xt.grad.copy(), bufs


@pytest.mark.parametrize("seed", range(12))
def test_fused_equals_simple_on_random_shapes(seed):
    rng = np.random.default_rng(seed)
    n, t, heads, d = (int(a) for a in rng.integers(1, 5, 4))
    causal, cached = bool(seed % 2), seed % 3 == 0
    p = 0.3 if seed % 4 == 1 else 0.0
    dtype = np.float32 if seed % 5 == 2 else np.float64
    past = int(rng.integers(0, 4)) if cached else 0
    x = rng.standard_normal((n, t, 3 * heads * d)).astype(dtype)
    buffers = None
    if cached:
        cap = past + t + int(rng.integers(0, 3))
        buffers = tuple(rng.standard_normal((n, heads, cap, d)).astype(dtype) for _ in range(2))
    fused = _run(F.multi_head_self_attention, x, heads, causal, p, buffers, past, seed)
    simple = _run(F.multi_head_self_attention_simple, x, heads, causal, p, buffers, past, seed)
    assert fused[0].shape == (n, t, heads * d) and fused[0].dtype == dtype
    np.testing.assert_array_equal(fused[0], simple[0])
    np.testing.assert_array_equal(fused[1], simple[1])
    if cached:  # this call's keys and values were written after the cached ones, the rest untouched
        for before, after_f, after_s in zip(buffers, fused[2], simple[2]):
            np.testing.assert_array_equal(after_f, after_s)
            np.testing.assert_array_equal(after_f[:, :, :past], before[:, :, :past])
            np.testing.assert_array_equal(after_f[:, :, past + t:], before[:, :, past + t:])


def test_matches_numpy_multi_head_reference():
    rng = np.random.default_rng(0)
    n, t, heads, d = 2, 5, 3, 4
    x = rng.standard_normal((n, t, 3 * heads * d))
    q, k, v = (a.reshape(n, t, heads, d).transpose(0, 2, 1, 3) for a in np.split(x, 3, axis=-1))
    s = q @ k.transpose(0, 1, 3, 2) / np.sqrt(d) + np.where(np.tril(np.ones((t, t), bool)), 0.0, -np.inf)
    w = np.exp(s - s.max(-1, keepdims=True))
    ref = (w / w.sum(-1, keepdims=True) @ v).transpose(0, 2, 1, 3).reshape(n, t, heads * d)
    np.testing.assert_allclose(F.multi_head_self_attention(gn.tensor(x), heads, is_causal=True).data, ref, atol=1e-12)


def test_cached_chunks_equal_one_causal_call():
    rng = np.random.default_rng(1)
    n, t, heads, d = 2, 7, 2, 3
    x = rng.standard_normal((n, t, 3 * heads * d))
    full = F.multi_head_self_attention(gn.tensor(x), heads, is_causal=True).data
    bufs = tuple(np.zeros((n, heads, 8, d)) for _ in range(2))
    pieces = [F.multi_head_self_attention(gn.tensor(x[:, a:b]), heads, is_causal=True, kv_buffers=bufs, past=a).data
              for a, b in ((0, 3), (3, 4), (4, 7))]
    np.testing.assert_allclose(np.concatenate(pieces, axis=1), full, atol=1e-12)


@pytest.mark.parametrize("causal,cached", [(True, False), (False, False), (True, True)])
def test_gradcheck_float64(causal, cached):
    rng = np.random.default_rng(2)
    x = gn.tensor(rng.standard_normal((2, 3, 3 * 2 * 2)), requires_grad=True)

    def fn(a):
        bufs = tuple(np.zeros((2, 2, 5, 2)) for _ in range(2)) if cached else None
        return F.multi_head_self_attention(a, 2, is_causal=causal, kv_buffers=bufs, past=1 if cached else 0)

    assert gn.gradcheck(fn, [x], raise_exception=True)


@pytest.mark.parametrize("call,match", [
    (lambda: F.multi_head_self_attention(gn.ones(2, 3, 10), 2), r"multi_head_self_attention: expected qkv of shape"),
    (lambda: F.multi_head_self_attention(gn.ones(2, 3, 12), 3), r"num_heads must be a positive divisor of E = 4, got 3"),
    (lambda: F.multi_head_self_attention(gn.ones(2, 3, 12), 2, dropout_p=1.5), r"dropout_p must be in \[0, 1\]"),
    (lambda: F.multi_head_self_attention(gn.ones(2, 3, 12), 2, kv_buffers=(np.zeros((2, 2, 4, 2)),) * 2, past=2),
     r"2 cached \+ 3 new positions exceed the buffers' capacity 4"),
    (lambda: F.multi_head_self_attention(gn.ones(2, 3, 12), 2, kv_buffers=(np.zeros((2, 2, 4, 3)),) * 2),
     r"kv_buffers must be two arrays of shape \(2, 2, None, 2\)"),
])
def test_bad_arguments_refused(call, match):
    with pytest.raises(ValueError, match=match):
        call()
