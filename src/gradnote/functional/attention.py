"""Attention (Vaswani et al. 2017): each query row mixes the value rows, weighted by how well it matches each key.

    attention(Q, K, V) = softmax(Q K^T * scale + mask) V,    scale = 1 / sqrt(E) by default

Masks say which keys a query may see. scaled_dot_product_attention's boolean mask is True where a key
TAKES PART; multi_head_attention_forward's boolean masks (nn.MultiheadAttention's) are True where a key
is BLOCKED, as in PyTorch. A float mask is added to the scores (-inf blocks). A query row that sees no
key at all gives zeros from scaled_dot_product_attention, as torch's; multi_head_attention_forward with
need_weights=True takes the plain softmax there, which is NaN, as torch's does.

`scaled_dot_product_attention_simple` is the textbook formula written with existing ops; the fused
`scaled_dot_product_attention` (one op, its own backward) is held against it in the tests.
"""

from __future__ import annotations

import math
import numbers
import warnings

from .. import backend
from ..autograd import Function, Tensor, concat, where
from ..backend import xp
from ..random import get_rng
from ._util import as_tensor, float_tensor
from .activations import softmax
from .dropout import dropout
from .linear import linear

__all__ = ["multi_head_attention_forward", "multi_head_self_attention", "multi_head_self_attention_simple",
           "scaled_dot_product_attention", "scaled_dot_product_attention_simple"]


def _swap_last(x: Tensor) -> Tensor:
    nd = x.ndim
    return x.transpose(*range(nd - 2), nd - 1, nd - 2)


def _attention_weights(q: Tensor, k: Tensor, bias: Tensor | None, scale: float, blind_rows_to_zero: bool) -> Tensor:
    """softmax((q * scale) @ k^T + bias) over the keys; rows with every score -inf become 0 if asked."""
    scores = (q * scale) @ _swap_last(k)
    if bias is not None:
        scores = scores + bias
    blind = xp.isneginf(scores.data).all(axis=-1, keepdims=True)
    if not blind_rows_to_zero or not blind.any():
        return softmax(scores, axis=-1)
    # the softmax of an all -inf row is 0/0; give it finite scores, then zero its weights
    return where(blind, 0.0, softmax(where(blind, 0.0, scores), axis=-1))


def scaled_dot_product_attention_simple(query, key, value, attn_mask=None, dropout_p: float = 0.0,
                                        is_causal: bool = False, scale: float | None = None,
                                        enable_gqa: bool = False, generator=None) -> Tensor:
    """Reference attention built from matmul, softmax and dropout (same arguments as the fused op).

    >>> scaled_dot_product_attention_simple(gn.ones(2, 3, 4), gn.ones(2, 5, 4), gn.ones(2, 5, 6)).shape
    (2, 3, 6)
    """
    q, k, v, bias, scale, groups = _sdpa_inputs(query, key, value, attn_mask, dropout_p, is_causal, scale, enable_gqa)
    if groups > 1:
        heads = backend.module_of(k.data).arange(k.shape[-3]).repeat(groups)
        k, v = k[..., heads, :, :], v[..., heads, :, :]
    weights = _attention_weights(q, k, bias, scale, blind_rows_to_zero=True)
    return dropout(weights, dropout_p, training=True, generator=generator) @ v


def _attend(q, k, v, bias, scale: float, dropout_p: float, generator):
    """The fused kernel on arrays: (dropout(P) V, what _attend_backward needs), P = softmax((q * scale) K^T + bias)."""
    qs = q * q.dtype.type(scale)
    s = qs @ xp.swapaxes(k, -1, -2)
    if bias is not None:
        if xp.broadcast_shapes(bias.shape, s.shape) == s.shape:
            s += bias.astype(s.dtype, copy=False)
        else:  # the mask has more leading axes than q @ k^T
            s = s + bias.astype(s.dtype, copy=False)
    # the softmax in place on the scores (one (..., L, S) buffer instead of four)
    if s.shape[-1]:
        top = s.max(axis=-1, keepdims=True)  # exp stays finite for scores near 1e4
        blind = top == -math.inf  # a row whose every key is masked: its weights are 0
        any_blind = blind.any()
        if any_blind:
            top[blind] = 0
        s -= top
        xp.exp(s, out=s)
        total = s @ xp.ones_like(s, shape=(s.shape[-1], 1))  # a row sum as a GEMV: ~5x faster than sum(axis=-1)
        if any_blind:
            total[blind] = 1
        s /= total
    p = s
    keep = None
    if dropout_p > 0:  # drawn as F.dropout draws, so one seed gives both versions the same mask
        draw = get_rng(generator).random(p.shape, dtype=p.dtype if p.dtype == xp.float32 else xp.float64)
        draw = backend.like(draw, p)  # drawn on the host: one seed, one mask on every device
        keep = (draw >= dropout_p) * p.dtype.type(1.0 / (1.0 - dropout_p)) if dropout_p < 1 else xp.zeros_like(p)
    pd = p if keep is None else p * keep
    return pd @ v, (qs, k, v, p, pd, keep, scale)


def _attend_backward(saved, g, need_q: bool = True, need_k: bool = True, need_v: bool = True):
    """(dq, dk, dv, dS) of _attend for the output gradient g (None where not needed; dS always)."""
    qs, k, v, p, pd, keep, scale = saved
    dv = xp.swapaxes(pd, -1, -2) @ g if need_v else None
    dp = g @ xp.swapaxes(v, -1, -2)
    if keep is not None:
        dp *= keep
    # dS = P * (dP - rowsum(dP * P)), in place on dP
    dp -= xp.einsum("...ij,...ij->...i", dp, p)[..., None]  # no (..., L, S) temporary for dP * P
    dp *= p
    ds = dp
    dq = (ds @ k) * ds.dtype.type(scale) if need_q else None
    dk = xp.swapaxes(ds, -1, -2) @ qs if need_k else None
    return dq, dk, dv, ds


class ScaledDotProductAttention(Function):
    """out = dropout(P) V with P = softmax(S), S = (q * scale) K^T + bias; backward:
    dV = P_d^T g, dP = (g V^T) * keep, dS = P * (dP - rowsum(dP * P)), dQ = scale dS K, dK = dS^T (q * scale)."""

    def forward(self, q, k, v, bias=None, scale=1.0, dropout_p=0.0, groups=1, generator=None):
        if groups > 1:  # grouped-query attention: each key/value head serves `groups` query heads
            k, v = xp.repeat(k, groups, axis=-3), xp.repeat(v, groups, axis=-3)
        out, self.saved = _attend(q, k, v, bias, scale, dropout_p, generator)
        self.groups = groups
        return out

    def backward(self, g):
        dq, dk, dv, ds = _attend_backward(self.saved, g, *self.needs[:3])
        if self.groups > 1:
            dk = None if dk is None else _sum_groups(dk, self.groups)
            dv = None if dv is None else _sum_groups(dv, self.groups)
        dbias = ds if len(self.needs) > 3 and self.needs[3] else None
        return dq, dk, dv, dbias


def _sum_groups(grad, groups: int):
    h = grad.shape[-3]
    return grad.reshape(*grad.shape[:-3], h // groups, groups, *grad.shape[-2:]).sum(axis=-3)


def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p: float = 0.0, is_causal: bool = False,
                                 scale: float | None = None, enable_gqa: bool = False, generator=None) -> Tensor:
    """softmax(query key^T * scale + mask) value, one fused op with its own backward (as torch's).

    query: (N, ..., L, E), key: (N, ..., S, E), value: (N, ..., S, Ev) -> (N, ..., L, Ev); leading axes
    broadcast. attn_mask broadcasts to (N, ..., L, S): bool (True = the key takes part) or float (added to
    the scores; it gets a gradient if it requires one). is_causal: query i sees keys j <= i (top-left tril
    of (L, S)); not together with attn_mask. scale defaults to 1 / sqrt(E). dropout_p > 0 drops attention
    weights (always; pass 0 in evaluation). enable_gqa: key/value may have fewer heads (axis -3) than query,
    each serving query heads h * Hq/Hk ... in turn. A query row with no visible key gives zeros.

    >>> scaled_dot_product_attention(gn.ones(2, 3, 4), gn.ones(2, 5, 4), gn.ones(2, 5, 6)).shape
    (2, 3, 6)
    """
    q, k, v, bias, scale, groups = _sdpa_inputs(query, key, value, attn_mask, dropout_p, is_causal, scale, enable_gqa)
    tensors = (q, k, v) if bias is None else (q, k, v, bias)
    return ScaledDotProductAttention.apply(*tensors, scale=scale, dropout_p=float(dropout_p), groups=groups,
                                           generator=generator)


def _packed_inputs(qkv, num_heads, dropout_p, scale, kv_buffers, past, op):
    qkv = float_tensor(qkv, op)
    if qkv.ndim != 3 or qkv.shape[-1] % 3:
        raise ValueError(f"{op}: expected qkv of shape (N, T, 3 * E), got {qkv.shape}")
    e = qkv.shape[-1] // 3
    if not isinstance(num_heads, numbers.Integral) or num_heads < 1 or e % num_heads:
        raise ValueError(f"{op}: num_heads must be a positive divisor of E = {e}, got {num_heads!r}")
    if not isinstance(dropout_p, numbers.Real) or not 0.0 <= dropout_p <= 1.0:
        raise ValueError(f"{op}: dropout_p must be in [0, 1], got {dropout_p!r}")
    n, t = qkv.shape[:2]
    if kv_buffers is not None:
        want = (n, num_heads, None, e // num_heads)
        shapes = [getattr(b, "shape", None) for b in kv_buffers]
        if (len(shapes) != 2 or any(sh is None or len(sh) != 4 or sh[:2] + sh[3:] != (n, num_heads, e // num_heads)
                                    for sh in shapes) or shapes[0] != shapes[1]):
            raise ValueError(f"{op}: kv_buffers must be two arrays of shape {want} (None: the capacity), got {shapes}")
        if not 0 <= past or past + t > shapes[0][2]:
            raise ValueError(f"{op}: {past} cached + {t} new positions exceed the buffers' capacity {shapes[0][2]}")
    scale = 1.0 / math.sqrt(e // num_heads) if scale is None else float(scale)
    return qkv, int(num_heads), float(dropout_p), scale, int(past)


def multi_head_self_attention_simple(qkv, num_heads: int, is_causal: bool = False, dropout_p: float = 0.0,
                                     scale: float | None = None, kv_buffers=None, past: int = 0,
                                     generator=None) -> Tensor:
    """Reference for multi_head_self_attention, built from reshape, permute, indexing and
    scaled_dot_product_attention (same arguments).

    >>> multi_head_self_attention_simple(gn.ones(2, 5, 12), 2, is_causal=True).shape
    (2, 5, 4)
    """
    op = "multi_head_self_attention"
    qkv, num_heads, dropout_p, scale, past = _packed_inputs(qkv, num_heads, dropout_p, scale, kv_buffers, past, op)
    n, t, e3 = qkv.shape
    heads = qkv.reshape(n, t, 3, num_heads, e3 // (3 * num_heads)).permute(2, 0, 3, 1, 4)
    q, k, v = heads[0], heads[1], heads[2]
    if kv_buffers is not None:  # earlier positions are constants: no gradient flows into the buffers
        keys, values = kv_buffers
        keys[:, :, past:past + t], values[:, :, past:past + t] = k.data, v.data
        k = concat([Tensor._wrap(keys[:, :, :past]), k], axis=2)
        v = concat([Tensor._wrap(values[:, :, :past]), v], axis=2)
    mask = xp.tril(xp.ones_like(qkv.data, bool, shape=(t, past + t)), k=past) if is_causal else None
    y = scaled_dot_product_attention(q, k, v, attn_mask=mask, dropout_p=dropout_p, scale=scale, generator=generator)
    return y.transpose(1, 2).reshape(n, t, e3 // 3)


class MultiHeadSelfAttention(Function):
    """Heads split from packed q, k, v and joined after attention as array views, around _attend."""

    def forward(self, qkv, num_heads, is_causal, dropout_p, scale, kv_buffers, past, generator):
        n, t, e3 = qkv.shape
        d = e3 // (3 * num_heads)
        q, k, v = qkv.reshape(n, t, 3, num_heads, d).transpose(2, 0, 3, 1, 4)
        self.past = past
        if kv_buffers is not None:
            keys, values = kv_buffers
            keys[:, :, past:past + t], values[:, :, past:past + t] = k, v
            k, v = keys[:, :, :past + t], values[:, :, :past + t]
        bias = None
        if is_causal and t > 1:  # query i is position past + i: it sees keys 0..past + i
            visible = xp.tril(xp.ones_like(qkv, bool, shape=(t, past + t)), k=past)
            bias = xp.where(visible, qkv.dtype.type(0), qkv.dtype.type(-math.inf))
        out, self.saved = _attend(q, k, v, bias, scale, dropout_p, generator)
        self.shape = (n, t, num_heads, d)
        return out.transpose(0, 2, 1, 3).reshape(n, t, num_heads * d)

    def backward(self, g):
        n, t, h, d = self.shape
        g = g.reshape(n, t, h, d).transpose(0, 2, 1, 3)
        dq, dk, dv, _ = _attend_backward(self.saved, g)
        dqkv = xp.empty_like(dq, shape=(n, t, 3, h, d))
        parts = dqkv.transpose(2, 0, 3, 1, 4)
        # the keys and values of cached positions (before past) are constants
        parts[0], parts[1], parts[2] = dq, dk[:, :, self.past:], dv[:, :, self.past:]
        return dqkv.reshape(n, t, 3 * h * d)


def multi_head_self_attention(qkv, num_heads: int, is_causal: bool = False, dropout_p: float = 0.0,
                              scale: float | None = None, kv_buffers=None, past: int = 0, generator=None) -> Tensor:
    """Self-attention of packed projections, one fused op: split into heads, attend, join the heads.

    qkv: (N, T, 3 * E), the queries, keys and values side by side (a Linear(E, 3E)'s output: nanoGPT's
    c_attn, the in_proj layout of nn.MultiheadAttention) -> (N, T, E). Each of q, k, v is cut into
    num_heads slices of E / num_heads; head h attends with its slices (scaled_dot_product_attention's
    maths, scale default 1 / sqrt(E / num_heads)) and the heads' outputs are concatenated in order.
    is_causal: position i sees positions <= i. kv_buffers: a key/value cache, two arrays (N, num_heads,
    capacity, E / num_heads); this call's keys and values are written at positions past..past + T - 1
    and its queries (those positions) attend to positions 0..past + T - 1. The earlier positions are
    constants: gradients reach this call's qkv only, never the buffers.

    >>> multi_head_self_attention(gn.ones(2, 5, 12), 2, is_causal=True).shape
    (2, 5, 4)
    """
    op = "multi_head_self_attention"
    qkv, num_heads, dropout_p, scale, past = _packed_inputs(qkv, num_heads, dropout_p, scale, kv_buffers, past, op)
    return MultiHeadSelfAttention.apply(qkv, num_heads=num_heads, is_causal=bool(is_causal), dropout_p=dropout_p,
                                        scale=scale, kv_buffers=kv_buffers, past=past, generator=generator)


def _additive_mask(mask, name: str, dtype, op: str, true_blocks: bool) -> Tensor | None:
    """A mask as a float tensor to add to the scores: bool becomes 0 / -inf, float passes through."""
    if mask is None:
        return None
    mask = as_tensor(mask, op)
    kind = mask.data.dtype.kind
    if kind == "b":
        blocked = mask.data if true_blocks else ~mask.data
        return Tensor._wrap(xp.where(blocked, dtype.type(-math.inf), dtype.type(0)))
    if kind != "f":
        raise TypeError(f"{op}: {name} must be bool or floating point, got dtype {mask.data.dtype}")
    if mask.data.dtype != dtype and not mask.requires_grad:
        mask = Tensor._wrap(mask.data.astype(dtype))
    return mask


def _sdpa_inputs(query, key, value, attn_mask, dropout_p, is_causal, scale, enable_gqa):
    op = "scaled_dot_product_attention"
    q, k, v = (float_tensor(t, op) for t in (query, key, value))
    if q.ndim < 2 or k.ndim < 2 or v.ndim < 2:
        raise ValueError(f"{op}: query, key and value need at least 2 dimensions (..., L|S, E), got shapes "
                         f"{q.shape}, {k.shape}, {v.shape}")
    if q.shape[-1] != k.shape[-1] or k.shape[-2] != v.shape[-2]:
        raise ValueError(f"{op}: expected query (..., L, E), key (..., S, E), value (..., S, Ev), got shapes "
                         f"{q.shape}, {k.shape}, {v.shape}")
    if not isinstance(dropout_p, numbers.Real) or not 0.0 <= dropout_p <= 1.0:
        raise ValueError(f"{op}: dropout_p must be in [0, 1], got {dropout_p!r}")
    if is_causal and attn_mask is not None:
        raise ValueError(f"{op}: pass attn_mask or is_causal=True, not both")
    groups = 1
    if enable_gqa and q.ndim >= 3 and k.shape[-3] != q.shape[-3]:
        hq, hk = q.shape[-3], k.shape[-3]
        if k.ndim < 3 or v.ndim < 3 or v.shape[-3] != hk or hq % hk:
            raise ValueError(f"{op}: with enable_gqa the query heads (axis -3, {hq}) must be a multiple of the "
                             f"key/value heads, got shapes {q.shape}, {k.shape}, {v.shape}")
        groups = hq // hk
    L, S = q.shape[-2], k.shape[-2]
    if is_causal:
        attn_mask = xp.tril(backend.module_of(q.data).ones((L, S), dtype=bool))
    bias = _additive_mask(attn_mask, "attn_mask", q.data.dtype, op, true_blocks=False)
    if bias is not None:
        try:
            xp.broadcast_shapes(bias.shape, (*q.shape[:-1], S))
        except ValueError:
            raise ValueError(f"{op}: attn_mask of shape {bias.shape} does not broadcast to the scores' shape "
                             f"(..., L={L}, S={S}) of query {q.shape} and key {k.shape}") from None
    scale = 1.0 / math.sqrt(q.shape[-1]) if scale is None else float(scale)
    return q, k, v, bias, scale, groups


def _pad_key(mask: Tensor | None) -> Tensor | None:
    """Let an appended key (bias_k, the zero key) be seen: one more 0 column on the mask."""
    if mask is None:
        return None
    return concat([mask, Tensor._wrap(xp.zeros_like(mask.data, shape=(*mask.shape[:-1], 1)))], axis=-1)


def _split_heads(x: Tensor, n: int, heads: int) -> Tensor:
    """(S, N, heads * d) -> (N, heads, S, d)."""
    return x.reshape(x.shape[0], n, heads, x.shape[-1] // heads).transpose(1, 2, 0, 3)


def _check_mha_shapes(op, query, key, value, key_padding_mask, attn_mask, num_heads) -> bool:
    batched = query.ndim == 3
    if query.ndim not in (2, 3) or key.ndim != query.ndim or value.ndim != query.ndim:
        raise ValueError(f"{op}: expected query, key and value all 3-D (L, N, E) or all 2-D (unbatched, L, E), "
                         f"got shapes {query.shape}, {key.shape}, {value.shape}")
    if key_padding_mask is not None and key_padding_mask.ndim != query.ndim - 1:
        raise ValueError(f"{op}: key_padding_mask must be {query.ndim - 1}-D for a {query.ndim}-D query, "
                         f"got shape {key_padding_mask.shape}")
    if attn_mask is not None:
        L, S = query.shape[0], key.shape[0]
        heads = num_heads * (query.shape[1] if batched else 1)
        if attn_mask.shape not in ((L, S), (heads, L, S)):
            raise ValueError(f"{op}: attn_mask must have shape (L, S) = {(L, S)} or (N * num_heads, L, S) = "
                             f"{(heads, L, S)}, got {attn_mask.shape}")
    return batched


def multi_head_attention_forward(query, key, value, embed_dim_to_check: int, num_heads: int, in_proj_weight,
                                 in_proj_bias, bias_k, bias_v, add_zero_attn: bool, dropout_p: float,
                                 out_proj_weight, out_proj_bias, training: bool = True, key_padding_mask=None,
                                 need_weights: bool = True, attn_mask=None, use_separate_proj_weight: bool = False,
                                 q_proj_weight=None, k_proj_weight=None, v_proj_weight=None, static_k=None,
                                 static_v=None, average_attn_weights: bool = True, is_causal: bool = False,
                                 generator=None):
    """Multi-head attention with torch's arguments (nn.MultiheadAttention's maths, sequence-first).

    query: (L, N, E), key: (S, N, kdim), value: (S, N, vdim), or unbatched (L, E), (S, kdim), (S, vdim).
    Heads: q, k, v are projected, split into num_heads slices of E / num_heads, attended per head
    (scaled_dot_product_attention) and joined through out_proj. in_proj_weight (3E, E) stacks the q, k, v
    projections (or q/k/v_proj_weight with use_separate_proj_weight). key_padding_mask: (N, S); attn_mask:
    (L, S) or (N * num_heads, L, S); bool masks are True where a key is BLOCKED, float masks are added.
    is_causal is a hint that attn_mask is causal (attn_mask is still required). Returns
    (out (L, N, E), weights) with weights (N, L, S) averaged over heads, (N, num_heads, L, S) otherwise,
    or None when need_weights is False. Dropout (on the attention weights) only when training.

    >>> w = gn.randn(12, 4); out, weights = multi_head_attention_forward(gn.randn(3, 2, 4), gn.randn(5, 2, 4),
    ...     gn.randn(5, 2, 4), 4, 2, w, None, None, None, False, 0.0, gn.randn(4, 4), None); out.shape, weights.shape
    ((3, 2, 4), (2, 3, 5))
    """
    op = "multi_head_attention_forward"
    query, key, value = (float_tensor(t, op) for t in (query, key, value))
    key_padding_mask = None if key_padding_mask is None else as_tensor(key_padding_mask, op)
    attn_mask = None if attn_mask is None else as_tensor(attn_mask, op)
    batched = _check_mha_shapes(op, query, key, value, key_padding_mask, attn_mask, num_heads)
    if not batched:
        query, key, value = (t.reshape(t.shape[0], 1, t.shape[1]) for t in (query, key, value))
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask.reshape(1, -1)
    L, N, E = query.shape
    if E != embed_dim_to_check:
        raise ValueError(f"{op}: expected query with embedding dimension {embed_dim_to_check}, got shape {query.shape}")
    head_dim = E // num_heads
    if head_dim * num_heads != E:
        raise ValueError(f"{op}: embed_dim {E} is not divisible by num_heads {num_heads}")
    dtype = query.data.dtype
    if (key_padding_mask is not None and attn_mask is not None
            and (key_padding_mask.data.dtype.kind == "b") != (attn_mask.data.dtype.kind == "b")):
        warnings.warn(f"{op}: support for mismatched key_padding_mask and attn_mask is deprecated. "
                      "Use the same type for both instead.", stacklevel=2)
    kpm = _additive_mask(key_padding_mask, "key_padding_mask", dtype, op, true_blocks=True)
    if is_causal and attn_mask is None:
        raise ValueError(f"{op}: is_causal=True is a hint that attn_mask is causal and needs attn_mask; make one "
                         "with nn.Transformer.generate_square_subsequent_mask")
    # as torch: with no padding mask and no weights wanted, the hint replaces the mask by causal attention
    causal = is_causal and kpm is None and not need_weights
    mask = None if causal else _additive_mask(attn_mask, "attn_mask", dtype, op, true_blocks=True)

    if use_separate_proj_weight:
        if key.shape[:2] != value.shape[:2]:
            raise ValueError(f"{op}: key {key.shape} and value {value.shape} must share sequence and batch axes")
        w_q, w_k, w_v = q_proj_weight, k_proj_weight, v_proj_weight
        if w_q is None or w_k is None or w_v is None:
            raise ValueError(f"{op}: use_separate_proj_weight=True needs q_proj_weight, k_proj_weight, v_proj_weight")
    else:
        if key.shape != value.shape:
            raise ValueError(f"{op}: key shape {key.shape} does not match value shape {value.shape}")
        if in_proj_weight is None:
            raise ValueError(f"{op}: in_proj_weight is None (pass it, or use_separate_proj_weight=True)")
        w_q, w_k, w_v = in_proj_weight[:E], in_proj_weight[E:2 * E], in_proj_weight[2 * E:]
    b_q = b_k = b_v = None
    if in_proj_bias is not None:
        b_q, b_k, b_v = in_proj_bias[:E], in_proj_bias[E:2 * E], in_proj_bias[2 * E:]
    q, k, v = linear(query, w_q, b_q), linear(key, w_k, b_k), linear(value, w_v, b_v)

    if mask is not None:
        mask = mask.reshape(1, 1, L, -1) if mask.ndim == 2 else mask.reshape(N, num_heads, L, -1)
    if (bias_k is None) != (bias_v is None):
        raise ValueError(f"{op}: pass both bias_k and bias_v, or neither")
    if bias_k is not None:
        if static_k is not None or static_v is not None:
            raise ValueError(f"{op}: bias_k/bias_v cannot be added to static_k/static_v")
        zeros = Tensor._wrap(backend.module_of(q.data).zeros((1, N, E), dtype=dtype))
        k, v = concat([k, bias_k + zeros], axis=0), concat([v, bias_v + zeros], axis=0)
        mask, kpm = _pad_key(mask), _pad_key(kpm)

    q = _split_heads(q, N, num_heads)
    k = _static(static_k, "static_k", N, num_heads, head_dim, op) if static_k is not None else _split_heads(k, N, num_heads)
    v = _static(static_v, "static_v", N, num_heads, head_dim, op) if static_v is not None else _split_heads(v, N, num_heads)
    if add_zero_attn:
        zeros = Tensor._wrap(backend.module_of(q.data).zeros((N, num_heads, 1, head_dim), dtype=dtype))
        k, v = concat([k, zeros], axis=2), concat([v, zeros], axis=2)
        mask, kpm = _pad_key(mask), _pad_key(kpm)
    S = k.shape[2]
    if kpm is not None:
        if kpm.shape != (N, S):
            raise ValueError(f"{op}: key_padding_mask must have shape (N, S) = {(N, S)}, got {kpm.shape}")
        kpm = kpm.reshape(N, 1, 1, S)
        mask = kpm if mask is None else mask + kpm

    p = float(dropout_p) if training else 0.0
    if need_weights:
        weights = _attention_weights(q, k, mask, 1.0 / math.sqrt(head_dim), blind_rows_to_zero=False)
        weights = dropout(weights, p, training=True, generator=generator)
        out = weights @ v
        if average_attn_weights:
            weights = weights.mean(axis=1)
        if not batched:
            weights = weights.reshape(weights.shape[1:])
    else:
        out = scaled_dot_product_attention(q, k, v, attn_mask=mask, dropout_p=p, is_causal=causal, generator=generator)
        weights = None
    out = linear(out.transpose(2, 0, 1, 3).reshape(L, N, E), out_proj_weight, out_proj_bias)
    return (out if batched else out.reshape(L, E)), weights


def _static(t, name: str, n: int, heads: int, head_dim: int, op: str) -> Tensor:
    t = float_tensor(t, op)
    if t.ndim != 3 or t.shape[0] != n * heads or t.shape[2] != head_dim:
        raise ValueError(f"{op}: {name} must have shape (N * num_heads, S, head_dim) = ({n * heads}, S, {head_dim}), "
                         f"got {t.shape}")
    return t.reshape(n, heads, t.shape[1], head_dim)
