"""Attention: F.scaled_dot_product_attention (fused) against its simple version and a NumPy reference,
float64 gradchecks with masks, and nn.MultiheadAttention against a NumPy multi-head reference (torch layout)."""

from __future__ import annotations

import numpy as np
import pytest

import gradnote as gn
import gradnote.functional as F
import gradnote.nn as nn


# ----- NumPy references ------------------------------------------------------------------------------------------
def np_softmax(x):
    e = np.exp(x - x.max(axis=-1, keepdims=True, initial=-np.inf))
    return e / e.sum(axis=-1, keepdims=True)


def np_sdpa(q, k, v, bias=None, scale=None):
    """softmax(q k^T * scale + bias) v; a row whose scores are all -inf gets weights 0 (torch's SDPA)."""
    scale = 1 / np.sqrt(q.shape[-1]) if scale is None else scale
    s = q @ np.swapaxes(k, -1, -2) * scale
    if bias is not None:
        s = s + bias
    blind = np.isneginf(s).all(axis=-1, keepdims=True)
    p = np_softmax(np.where(blind, 0.0, s)) * ~blind
    return p @ v, p


def np_bias(mask, true_blocks):
    if mask is None or mask.dtype != bool:
        return mask
    return np.where(mask == true_blocks, -np.inf, 0.0)


def np_mha(xq, xk, xv, sd, heads, key_padding_mask=None, attn_mask=None, add_zero_attn=False):
    """Multi-head attention, sequence-first (L, N, E), from a torch-layout state dict; returns (out, p (N, H, L, S))."""
    L, N, E = xq.shape
    hd = E // heads
    if "in_proj_weight" in sd:
        wq, wk, wv = np.split(sd["in_proj_weight"], 3)
    else:
        wq, wk, wv = sd["q_proj_weight"], sd["k_proj_weight"], sd["v_proj_weight"]
    bq, bk, bv = np.split(sd["in_proj_bias"], 3) if "in_proj_bias" in sd else (0, 0, 0)
    q, k, v = xq @ wq.T + bq, xk @ wk.T + bk, xv @ wv.T + bv
    S = k.shape[0]
    bias = np.zeros((N, heads, L, S))
    if attn_mask is not None:
        m = np_bias(attn_mask, True)
        bias = bias + (m if m.ndim == 2 else m.reshape(N, heads, L, S))
    if key_padding_mask is not None:
        bias = bias + np_bias(key_padding_mask, True)[:, None, None, :]
    pad = lambda b: np.concatenate([b, np.zeros((*b.shape[:-1], 1))], axis=-1)  # noqa: E731
    if "bias_k" in sd:
        k = np.concatenate([k, np.broadcast_to(sd["bias_k"], (1, N, E))])
        v = np.concatenate([v, np.broadcast_to(sd["bias_v"], (1, N, E))])
        bias = pad(bias)
    split = lambda t: t.reshape(t.shape[0], N, heads, hd).transpose(1, 2, 0, 3)  # noqa: E731
    q, k, v = split(q), split(k), split(v)
    if add_zero_attn:
        k = np.concatenate([k, np.zeros((N, heads, 1, hd))], axis=2)
        v = np.concatenate([v, np.zeros((N, heads, 1, hd))], axis=2)
        bias = pad(bias)
    o, p = np_sdpa(q, k, v, bias)
    o = o.transpose(2, 0, 1, 3).reshape(L, N, E) @ sd["out_proj.weight"].T
    return o + sd.get("out_proj.bias", 0), p


rng = np.random.default_rng(0)


def randn(*shape):
    return rng.standard_normal(shape)


# ----- scaled_dot_product_attention ------------------------------------------------------------------------------
def _mask_some(shape, p=0.4):
    m = rng.random(shape) > p
    m[..., 0] = True  # every query sees key 0
    return m


SDPA_CASES = {
    "plain 4-D": dict(q=(2, 3, 4, 5), k=(2, 3, 6, 5), v=(2, 3, 6, 2)),
    "3-D": dict(q=(2, 4, 3), k=(2, 5, 3), v=(2, 5, 3)),
    "2-D": dict(q=(4, 3), k=(5, 3), v=(5, 2)),
    "batch broadcast": dict(q=(2, 3, 4, 5), k=(1, 3, 6, 5), v=(1, 3, 6, 2)),
    "bool mask (L, S)": dict(q=(2, 3, 4, 5), k=(2, 3, 6, 5), v=(2, 3, 6, 2), mask=lambda: _mask_some((4, 6))),
    "bool mask (N, 1, L, S)": dict(q=(2, 3, 4, 5), k=(2, 3, 6, 5), v=(2, 3, 6, 2),
                                   mask=lambda: _mask_some((2, 1, 4, 6))),
    "float mask": dict(q=(2, 3, 4, 5), k=(2, 3, 6, 5), v=(2, 3, 6, 2), mask=lambda: randn(1, 3, 4, 6)),
    "float mask with -inf": dict(q=(2, 4, 3), k=(2, 5, 3), v=(2, 5, 3),
                                 mask=lambda: np.where(_mask_some((4, 5)), 0.5, -np.inf)),
    "fully masked row": dict(q=(2, 4, 3), k=(2, 5, 3), v=(2, 5, 3),
                             mask=lambda: np.array([[1, 1, 0, 0, 1], [0] * 5, [1] * 5, [0, 0, 0, 0, 1]], bool)),
    "causal": dict(q=(2, 2, 5, 3), k=(2, 2, 5, 3), v=(2, 2, 5, 4), causal=True),
    "causal L < S": dict(q=(2, 3, 3), k=(2, 5, 3), v=(2, 5, 3), causal=True),
    "causal L > S": dict(q=(2, 5, 3), k=(2, 3, 3), v=(2, 3, 3), causal=True),
    "scale": dict(q=(2, 4, 3), k=(2, 5, 3), v=(2, 5, 3), scale=0.7),
    "gqa": dict(q=(2, 4, 3, 5), k=(2, 2, 6, 5), v=(2, 2, 6, 3), gqa=True),
    "empty keys": dict(q=(2, 4, 3), k=(2, 0, 3), v=(2, 0, 2), grad=False),
}


def _case(c):
    q, k, v = randn(*c["q"]), randn(*c["k"]), randn(*c["v"])
    mask = c["mask"]() if "mask" in c else None
    return q, k, v, mask


def _reference(c, q, k, v, mask):
    if c.get("gqa"):
        g = q.shape[-3] // k.shape[-3]
        k, v = np.repeat(k, g, axis=-3), np.repeat(v, g, axis=-3)
    bias = np_bias(mask, False)
    if c.get("causal"):
        bias = np.where(np.tril(np.ones((q.shape[-2], k.shape[-2]), bool)), 0.0, -np.inf)
    return np_sdpa(q, k, v, bias, c.get("scale"))[0]


def _call(fn, c, q, k, v, mask, **kw):
    return fn(q, k, v, attn_mask=mask, is_causal=c.get("causal", False), scale=c.get("scale"),
              enable_gqa=c.get("gqa", False), **kw)


@pytest.mark.parametrize("name", SDPA_CASES)
@pytest.mark.parametrize("fn", [F.scaled_dot_product_attention, F.scaled_dot_product_attention_simple])
def test_sdpa_forward_matches_numpy(name, fn):
    c = SDPA_CASES[name]
    q, k, v, mask = _case(c)
    out = _call(fn, c, gn.tensor(q), gn.tensor(k), gn.tensor(v), mask)
    np.testing.assert_allclose(out.data, _reference(c, q, k, v, mask), atol=1e-12)
    assert np.isfinite(out.data).all()


@pytest.mark.parametrize("name", [n for n, c in SDPA_CASES.items() if c.get("grad", True)])
def test_sdpa_fused_gradcheck_float64(name):
    c = SDPA_CASES[name]
    q, k, v, mask = _case(c)
    ts = [gn.tensor(a, requires_grad=True) for a in (q, k, v)]
    if mask is not None and mask.dtype != bool and np.isfinite(mask).all():
        ts.append(gn.tensor(mask, requires_grad=True))  # a float mask gets its gradient too
    fn = lambda q, k, v, *m: _call(F.scaled_dot_product_attention, c, q, k, v, m[0] if m else mask)  # noqa: E731
    assert gn.gradcheck(fn, ts, raise_exception=True)


@pytest.mark.parametrize("name", SDPA_CASES)
@pytest.mark.parametrize("dropout_p", [0.0, 0.3])
def test_sdpa_fused_equals_simple_values_and_grads(name, dropout_p):
    c = SDPA_CASES[name]
    q, k, v, mask = _case(c)
    results = []
    for fn in (F.scaled_dot_product_attention, F.scaled_dot_product_attention_simple):
        ts = [gn.tensor(a, requires_grad=True) for a in (q, k, v)]
        gn.manual_seed(7)  # both draw their dropout mask the same way
        out = _call(fn, c, *ts, mask, dropout_p=dropout_p)
        (out * gn.tensor(np.linspace(-1, 1, out.data.size).reshape(out.shape))).sum().backward()
        results.append([out.data] + [t.grad for t in ts])
    for a, b in zip(*results):
        np.testing.assert_allclose(a, b, atol=1e-12)


def test_sdpa_fully_masked_row_gives_zeros_and_zero_gradients():
    q, k, v = (gn.tensor(randn(1, 3, 4), requires_grad=True) for _ in range(3))
    mask = np.ones((3, 3), bool)
    mask[1] = False
    out = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
    out.sum().backward()
    assert np.all(out.data[:, 1] == 0) and np.abs(out.data[:, 0]).sum() > 0
    assert np.all(q.grad[:, 1] == 0) and np.isfinite(k.grad).all() and np.isfinite(v.grad).all()


def test_sdpa_bool_mask_true_means_take_part():
    q, k, v = randn(2, 5), randn(4, 5), randn(4, 3)
    only_key_2 = np.zeros((2, 4), bool)
    only_key_2[:, 2] = True
    out = F.scaled_dot_product_attention(gn.tensor(q), gn.tensor(k), gn.tensor(v), attn_mask=only_key_2)
    np.testing.assert_allclose(out.data, np.broadcast_to(v[2], (2, 3)), atol=1e-12)


def test_sdpa_causal_is_the_top_left_tril_mask():
    q, k, v = (gn.tensor(randn(2, 4, 3)) for _ in range(3))
    causal = F.scaled_dot_product_attention(q, k, v, is_causal=True)
    explicit = F.scaled_dot_product_attention(q, k, v, attn_mask=np.tril(np.ones((4, 4), bool)))
    np.testing.assert_array_equal(causal.data, explicit.data)
    np.testing.assert_allclose(causal.data[:, 0], v.data[:, 0], atol=1e-12)  # the first query sees only key 0


def test_sdpa_default_scale_is_one_over_sqrt_e():
    q, k, v = (gn.tensor(randn(3, 4, 9)) for _ in range(3))
    a = F.scaled_dot_product_attention(q, k, v)
    b = F.scaled_dot_product_attention(q, k, v, scale=1 / 3)
    c = F.scaled_dot_product_attention(q, k, v, scale=1.0)
    np.testing.assert_array_equal(a.data, b.data)
    assert not np.allclose(a.data, c.data)


def test_sdpa_float32_stays_float32_and_is_stable_for_large_scores():
    q = gn.tensor((randn(2, 4, 8) * 1e4).astype(np.float32), requires_grad=True)
    k, v = gn.tensor(randn(2, 6, 8).astype(np.float32)), gn.tensor(randn(2, 6, 3).astype(np.float32))
    out = F.scaled_dot_product_attention(q, k, v, attn_mask=_mask_some((4, 6)))
    out.sum().backward()
    assert out.dtype == np.float32 and q.grad.dtype == np.float32
    assert np.isfinite(out.data).all() and np.isfinite(q.grad).all()


def test_sdpa_dropout_drops_weights_and_is_seeded():
    q, k, v = (gn.tensor(randn(2, 8, 4)) for _ in range(3))
    gn.manual_seed(1)
    a = F.scaled_dot_product_attention(q, k, v, dropout_p=0.5)
    gn.manual_seed(1)
    b = F.scaled_dot_product_attention(q, k, v, dropout_p=0.5)
    np.testing.assert_array_equal(a.data, b.data)
    assert not np.allclose(a.data, F.scaled_dot_product_attention(q, k, v).data)
    assert np.all(F.scaled_dot_product_attention(q, k, v, dropout_p=1.0).data == 0)


@pytest.mark.parametrize("kwargs, match", [
    (dict(q=(2, 4, 3), k=(2, 5, 4), v=(2, 5, 3)), "expected query"),
    (dict(q=(2, 4, 3), k=(2, 5, 3), v=(2, 6, 3)), "expected query"),
    (dict(q=(3,), k=(5, 3), v=(5, 3)), "at least 2 dimensions"),
    (dict(mask=np.ones((4, 4), bool), is_causal=True), "not both"),
    (dict(dropout_p=1.5), "dropout_p"),
    (dict(mask=np.ones((3, 5), bool)), "does not broadcast"),
    (dict(q=(2, 3, 4, 3), k=(2, 2, 5, 3), v=(2, 2, 5, 3), enable_gqa=True), "multiple"),
])
def test_sdpa_errors(kwargs, match):
    q, k, v = (gn.tensor(randn(*kwargs.get(n, d))) for n, d in (("q", (2, 4, 3)), ("k", (2, 5, 3)), ("v", (2, 5, 3))))
    with pytest.raises(ValueError, match=match):
        F.scaled_dot_product_attention(q, k, v, attn_mask=kwargs.get("mask"), is_causal=kwargs.get("is_causal", False),
                                       dropout_p=kwargs.get("dropout_p", 0.0), enable_gqa=kwargs.get("enable_gqa", False))


def test_sdpa_integer_mask_refused():
    q = gn.tensor(randn(4, 3))
    with pytest.raises(TypeError, match="attn_mask must be bool or floating"):
        F.scaled_dot_product_attention(q, q, q, attn_mask=np.ones((4, 4), np.int64))


# ----- nn.MultiheadAttention -------------------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs, expected", [
    ({}, [("in_proj_weight", (24, 8)), ("in_proj_bias", (24,)), ("out_proj.weight", (8, 8)), ("out_proj.bias", (8,))]),
    (dict(kdim=5, vdim=6), [("q_proj_weight", (8, 8)), ("k_proj_weight", (8, 5)), ("v_proj_weight", (8, 6)),
                            ("in_proj_bias", (24,)), ("out_proj.weight", (8, 8)), ("out_proj.bias", (8,))]),
    (dict(add_bias_kv=True), [("in_proj_weight", (24, 8)), ("in_proj_bias", (24,)), ("bias_k", (1, 1, 8)),
                              ("bias_v", (1, 1, 8)), ("out_proj.weight", (8, 8)), ("out_proj.bias", (8,))]),
    (dict(bias=False), [("in_proj_weight", (24, 8)), ("out_proj.weight", (8, 8))]),
])
def test_mha_state_dict_has_torch_names_shapes_and_order(kwargs, expected):
    sd = nn.MultiheadAttention(8, 2, **kwargs).state_dict()
    assert [(k, v.shape) for k, v in sd.items()] == expected
    assert all(v.dtype == np.float32 for v in sd.values())


def test_mha_init_as_torch():
    gn.manual_seed(0)
    mha = nn.MultiheadAttention(16, 4)
    bound = np.sqrt(6 / (16 + 48))  # xavier_uniform_ on (3E, E)
    w = mha.in_proj_weight.data
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.8 * bound
    assert np.all(mha.in_proj_bias.data == 0) and np.all(mha.out_proj.bias.data == 0)
    assert np.abs(mha.out_proj.weight.data).max() <= 1 / np.sqrt(16)  # Linear's own init
    assert mha.head_dim == 4 and mha._qkv_same_embed_dim


def _np_state(m):
    return {k: np.array(v, dtype=np.float64) for k, v in m.state_dict().items()}


L, S, N, E, H = 4, 5, 3, 8, 2
KPM = rng.random((N, S)) > 0.7
KPM[:, 0] = False
AM = rng.random((L, S)) > 0.7
AM[:, 1] = False
MHA_CASES = {
    "no mask": dict(),
    "key padding (bool)": dict(key_padding_mask=KPM),
    "attn mask (bool, 2-D)": dict(attn_mask=AM),
    "attn mask 3-D + padding": dict(attn_mask=~_mask_some((N * H, L, S), 0.3), key_padding_mask=KPM),
    "float masks": dict(attn_mask=randn(L, S), key_padding_mask=np.where(KPM, -1e9, 0.0)),
    "need_weights=False": dict(attn_mask=AM, key_padding_mask=KPM, need_weights=False),
    "per-head weights": dict(attn_mask=AM, average_attn_weights=False),
    "kdim/vdim": dict(module=dict(kdim=5, vdim=6), attn_mask=AM),
    "add_bias_kv": dict(module=dict(add_bias_kv=True), key_padding_mask=KPM),
    "add_zero_attn": dict(module=dict(add_zero_attn=True), attn_mask=AM, need_weights=False),
    "no bias": dict(module=dict(bias=False), key_padding_mask=KPM),
}


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("name", MHA_CASES)
def test_mha_forward_matches_numpy_reference(name, batch_first):
    case = dict(MHA_CASES[name])
    mkw = case.pop("module", {})
    gn.manual_seed(3)
    mha = nn.MultiheadAttention(E, H, batch_first=batch_first, **mkw).double()
    q, k, v = randn(L, N, E), randn(S, N, mkw.get("kdim", E)), randn(S, N, mkw.get("vdim", E))
    want, p = np_mha(q, k, v, _np_state(mha), H, case.get("key_padding_mask"), case.get("attn_mask"),
                     mkw.get("add_zero_attn", False))
    bf = (lambda a: a.transpose(1, 0, 2)) if batch_first else (lambda a: a)
    out, weights = mha(gn.tensor(bf(q)), gn.tensor(bf(k)), gn.tensor(bf(v)), **case)
    np.testing.assert_allclose(out.data, bf(want), atol=1e-12)
    if case.get("need_weights", True):
        want_w = p if case.get("average_attn_weights", True) is False else p.mean(axis=1)
        np.testing.assert_allclose(weights.data, want_w, atol=1e-12)
    else:
        assert weights is None


def test_mha_unbatched_equals_batch_of_one():
    mha = nn.MultiheadAttention(E, H).double()
    q, k = randn(L, E), randn(S, E)
    mask3 = rng.random((H, L, S)) > 0.6
    mask3[..., 0] = False
    out, w = mha(gn.tensor(q), gn.tensor(k), gn.tensor(k), key_padding_mask=KPM[0], attn_mask=mask3)
    out1, w1 = mha(gn.tensor(q[:, None]), gn.tensor(k[:, None]), gn.tensor(k[:, None]), key_padding_mask=KPM[:1],
                   attn_mask=mask3)
    assert out.shape == (L, E) and w.shape == (L, S)
    np.testing.assert_allclose(out.data, out1.data[:, 0], atol=1e-12)
    np.testing.assert_allclose(w.data, w1.data[0], atol=1e-12)


def test_mha_bool_mask_true_means_blocked():
    mha = nn.MultiheadAttention(E, H).double()
    x = gn.tensor(randn(L, N, E))
    blocked = np.zeros((L, L), bool)
    blocked[:, 2] = True
    _, w = mha(x, x, x, attn_mask=blocked)
    assert np.all(w.data[..., 2] == 0) and np.all(w.data[..., 0] > 0)


@pytest.mark.filterwarnings("ignore:invalid value encountered")
def test_mha_fully_masked_row_as_torch():
    """need_weights=True takes the plain softmax (NaN for a row that sees nothing, as torch); the
    scaled_dot_product_attention path (need_weights=False) gives that row zeros before out_proj."""
    mha = nn.MultiheadAttention(E, H).double()
    x = gn.tensor(randn(L, N, E))
    blocked = np.zeros((L, L), bool)
    blocked[1] = True
    out, _ = mha(x, x, x, attn_mask=blocked)
    assert np.isnan(out.data[1]).all() and np.isfinite(out.data[[0, 2, 3]]).all()
    out, _ = mha(x, x, x, attn_mask=blocked, need_weights=False)
    np.testing.assert_allclose(out.data[1], np.broadcast_to(mha.out_proj.bias.data, (N, E)), atol=1e-12)


def test_mha_is_causal_hint():
    mha = nn.MultiheadAttention(E, H).double()
    x = gn.tensor(randn(L, N, E))
    causal = np.triu(np.ones((L, L), bool), 1)
    a, _ = mha(x, x, x, attn_mask=causal, is_causal=True, need_weights=False)
    b, _ = mha(x, x, x, attn_mask=causal)
    np.testing.assert_allclose(a.data, b.data, atol=1e-12)
    with pytest.raises(ValueError, match="needs attn_mask"):
        mha(x, x, x, is_causal=True)


@pytest.mark.parametrize("need_weights", [True, False])
def test_mha_gradcheck_float64(need_weights):
    gn.manual_seed(0)
    mha = nn.MultiheadAttention(4, 2, kdim=3, vdim=5, add_bias_kv=True).double()
    q = gn.tensor(randn(3, 2, 4), requires_grad=True)
    k, v = gn.tensor(randn(4, 2, 3), requires_grad=True), gn.tensor(randn(4, 2, 5), requires_grad=True)
    kpm = np.where([[False, False, True, False], [False, True, False, False]], -np.inf, 0.0)
    am = np.where(rng.random((3, 4)) > 0.7, -np.inf, 0.0)
    am[:, 0] = 0

    def fn(q, k, v, *params):
        out, w = mha(q, k, v, key_padding_mask=kpm, attn_mask=am, need_weights=need_weights)
        return (out, w) if need_weights else out

    assert gn.gradcheck(fn, [q, k, v, *mha.parameters()], raise_exception=True)


def test_mha_dropout_only_in_training():
    mha = nn.MultiheadAttention(E, H, dropout=0.5).double()
    x = gn.tensor(randn(L, N, E))
    mha.eval()
    a, wa = mha(x, x, x)
    b, wb = mha(x, x, x)
    np.testing.assert_array_equal(a.data, b.data)
    mha.train()
    c, wc = mha(x, x, x, average_attn_weights=False)
    assert not np.allclose(a.data, c.data)
    assert np.any(wc.data == 0) and not np.allclose(wc.data.sum(-1), 1)  # dropped and rescaled weights


@pytest.mark.parametrize("args, kwargs, match", [
    ((10, 3), {}, "divisible"),
    ((0, 1), {}, "embed_dim"),
    ((8, 2), dict(dropout=1.5), "dropout"),
])
def test_mha_bad_hyperparameters(args, kwargs, match):
    with pytest.raises(ValueError, match=match):
        nn.MultiheadAttention(*args, **kwargs)


def test_mha_bad_inputs():
    mha = nn.MultiheadAttention(E, H)
    x = gn.randn(L, N, E)
    with pytest.raises(ValueError, match="attn_mask must have shape"):
        mha(x, x, x, attn_mask=np.zeros((L, L + 1), bool))
    with pytest.raises(ValueError, match="key_padding_mask must have shape"):
        mha(x, x, x, key_padding_mask=np.zeros((N + 1, L), bool))
    with pytest.raises(ValueError, match="embedding dimension 8"):
        mha(gn.randn(L, N, 6), x, x)
    with pytest.raises(ValueError, match="all 3-D"):
        mha(x, gn.randn(L, E), x)
