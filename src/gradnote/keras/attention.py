"""Keras's MultiHeadAttention: per-head projections of query, key and value, F.scaled_dot_product_attention,
and an output projection.

    mha = layers.MultiHeadAttention(num_heads=4, key_dim=16)
    out = mha(query, value)                                   # query (N, T, D), value (N, S, D) -> (N, T, D)
    out, scores = mha(query, value, return_attention_scores=True)   # scores (N, heads, T, S)

Unlike nn.MultiheadAttention (torch: heads split embed_dim), Keras sizes each head by key_dim and
value_dim, so the projections are four lazily sized nn.Linear layers (glorot_uniform, zero bias).
"""

from __future__ import annotations

import math

import numpy as np

from .. import functional as F
from .. import nn
from ..autograd import Tensor, where
from ..nn import init
from .arguments import _positive_int, _rate, initializer
from .graph import Layer, mask_of

__all__ = ["AdditiveAttention", "Attention", "MultiHeadAttention"]


class MultiHeadAttention(Layer, nn.Module):
    """Keras's call: mha(query, value, key=None, attention_mask=None, return_attention_scores=False).

    query (N, T, Dq), value (N, S, Dv), key (N, S, Dk) (default: value); attention_mask (N, T, S)
    bool, True where query t may attend to key s; use_causal_mask=True lets t see s <= t.
    Output (N, T, output_shape or Dq); scores (N, num_heads, T, S) are the softmax weights
    (before dropout).

    >>> MultiHeadAttention(num_heads=2, key_dim=4)(gn.randn(3, 5, 8), gn.randn(3, 6, 8)).shape
    (3, 5, 8)
    """

    def __init__(self, num_heads: int, key_dim: int, value_dim: int | None = None, dropout: float = 0.0,
                 use_bias: bool = True, output_shape=None, kernel_initializer="glorot_uniform"):
        self.num_heads = _positive_int("MultiHeadAttention", "num_heads", num_heads)
        self.key_dim = _positive_int("MultiHeadAttention", "key_dim", key_dim)
        self.value_dim = self.key_dim if value_dim is None else _positive_int("MultiHeadAttention", "value_dim",
                                                                              value_dim)
        self.dropout = _rate("MultiHeadAttention", dropout, "dropout")
        self.use_bias = bool(use_bias)
        if isinstance(output_shape, (tuple, list)):
            output_shape = output_shape[-1] if len(output_shape) == 1 else output_shape
        self.output_shape = None if output_shape is None else _positive_int("MultiHeadAttention", "output_shape",
                                                                            output_shape)
        fn = initializer("MultiHeadAttention", kernel_initializer)
        self.kernel_initializer = kernel_initializer
        H = self.num_heads
        self.query_dense = nn.Linear(None, H * self.key_dim, bias=self.use_bias, init=fn)
        self.key_dense = nn.Linear(None, H * self.key_dim, bias=self.use_bias, init=fn)
        self.value_dense = nn.Linear(None, H * self.value_dim, bias=self.use_bias, init=fn)
        self.output_dense = None  # its size is the query's, known at the first call
        self._init = fn

    @property
    def built(self) -> bool:
        return self.output_dense is not None

    def _heads(self, x: Tensor, dim: int) -> Tensor:
        N, L = x.shape[0], x.shape[1]
        return x.reshape(N, L, self.num_heads, dim).transpose(0, 2, 1, 3)

    def forward(self, query, value, key=None, attention_mask=None, return_attention_scores: bool = False,
                training=None, use_causal_mask: bool = False):
        key = value if key is None else key
        for what, t in (("query", query), ("value", value), ("key", key)):
            if t.ndim != 3:
                raise ValueError(f"MultiHeadAttention: {what} must be (N, length, features), got shape "
                                 f"{tuple(t.shape)}")
        if self.output_dense is None:
            self.output_dense = nn.Linear(self.num_heads * self.value_dim, self.output_shape or query.shape[-1],
                                          bias=self.use_bias, init=self._init)
            if query.dtype != self.output_dense.weight.dtype and query.dtype.kind == "f":
                self.output_dense.to(query.dtype)
        q = self._heads(self.query_dense(query), self.key_dim)
        k = self._heads(self.key_dense(key), self.key_dim)
        v = self._heads(self.value_dense(value), self.value_dim)
        mask = None
        if attention_mask is not None:
            m = np.asarray(attention_mask.data if isinstance(attention_mask, Tensor) else attention_mask, bool)
            mask = Tensor._wrap(m[:, None] if m.ndim == 3 else m)
        if use_causal_mask:
            causal = np.tril(np.ones((q.shape[2], k.shape[2]), dtype=bool))
            mask = Tensor._wrap(causal if mask is None else mask.data & causal)
        p = self.dropout if self.training else 0.0
        out = F.scaled_dot_product_attention(q, k, v, attn_mask=mask, dropout_p=p)
        N, T = out.shape[0], out.shape[2]
        out = self.output_dense(out.transpose(0, 2, 1, 3).reshape(N, T, self.num_heads * self.value_dim))
        if not return_attention_scores:
            return out
        scores = (q @ k.transpose(0, 1, 3, 2)) * (1.0 / math.sqrt(self.key_dim))
        if mask is not None:
            scores = where(mask, scores, Tensor._wrap(np.array(-np.inf, dtype=scores.dtype)))
        return out, F.softmax(scores, -1)

    def get_config(self) -> dict:
        return {"num_heads": self.num_heads, "key_dim": self.key_dim, "value_dim": self.value_dim,
                "dropout": self.dropout, "use_bias": self.use_bias, "output_shape": self.output_shape,
                "kernel_initializer": self.kernel_initializer}


class _BaseAttention(Layer, nn.Module):
    """Keras's Attention call: layer([query, value(, key)], mask=[query_mask, value_mask],
    return_attention_scores=False, use_causal_mask=False); query (N, T, d), value and key (N, S, d) ->
    (N, T, d_value), with softmax(scores) over S; value_mask (N, S) False hides a key, query_mask (N, T)
    zeroes an output row."""

    def _scores(self, q: Tensor, k: Tensor) -> Tensor:
        raise NotImplementedError

    def forward(self, inputs, mask=None, return_attention_scores: bool = False, training=None,
                use_causal_mask: bool = False):
        name = type(self).__name__
        if not isinstance(inputs, (list, tuple)) or len(inputs) not in (2, 3):
            raise ValueError(f"{name}: expected inputs [query, value] or [query, value, key], got {type(inputs).__name__}"
                             f" of {len(inputs) if isinstance(inputs, (list, tuple)) else 1}")
        q, v = inputs[0], inputs[1]
        k = inputs[2] if len(inputs) == 3 else v
        if q.ndim != 3 or v.ndim != 3 or k.shape[:2] != v.shape[:2] or q.shape[0] != v.shape[0]:
            raise ValueError(f"{name}: query (N, T, d), value (N, S, d) and key (N, S, d) must agree, got "
                             f"{tuple(q.shape)}, {tuple(v.shape)}, {tuple(k.shape)}")
        q_mask, v_mask = (list(mask) + [None])[:2] if isinstance(mask, (list, tuple)) else (None, mask)
        q_mask = mask_of(inputs[0]) if q_mask is None else q_mask
        v_mask = mask_of(inputs[1]) if v_mask is None else v_mask
        scores = self._scores(q, k)  # (N, T, S)
        hide = np.zeros(scores.shape, dtype=bool)
        if v_mask is not None:
            hide |= ~np.asarray(v_mask.data if isinstance(v_mask, Tensor) else v_mask, dtype=bool)[:, None, :]
        if use_causal_mask:
            hide |= ~np.tril(np.ones(scores.shape[1:], dtype=bool))[None]
        if hide.any():  # Keras subtracts 1e9 where hidden, so a fully hidden row stays uniform
            scores = scores - Tensor._wrap((hide * 1e9).astype(scores.dtype))
        weights = F.softmax(scores, -1)
        p = self.dropout if self.training else 0.0
        out = (F.dropout(weights, p, True) if p else weights) @ v
        if q_mask is not None:
            keep = np.asarray(q_mask.data if isinstance(q_mask, Tensor) else q_mask, dtype=bool)
            out = out * Tensor._wrap(keep[..., None].astype(out.dtype))
        return (out, weights) if return_attention_scores else out


class Attention(_BaseAttention):
    """Luong-style (dot-product) attention: scores = query @ key^T (times a learned scalar with use_scale=True);
    score_mode="concat": scores = sum(tanh(query_t + key_s)) over features (times the scalar).

    >>> Attention()([gn.randn(2, 3, 4), gn.randn(2, 5, 4)]).shape
    (2, 3, 4)
    """

    def __init__(self, use_scale: bool = False, score_mode: str = "dot", dropout: float = 0.0, seed=None):
        if score_mode not in ("dot", "concat"):
            raise ValueError(f"Attention: score_mode must be 'dot' or 'concat', got {score_mode!r}")
        self.use_scale, self.score_mode = bool(use_scale), score_mode
        self.dropout = _rate("Attention", dropout, "dropout")
        self.scale = nn.Parameter(np.ones((), np.float32)) if self.use_scale else None
        self.concat_score_weight = nn.Parameter(np.ones((), np.float32)) if score_mode == "concat" else None

    def _scores(self, q, k):
        if self.score_mode == "dot":
            scores = q @ k.transpose(0, 2, 1)
            return scores * self.scale if self.scale is not None else scores
        summed = q.reshape(q.shape[0], q.shape[1], 1, q.shape[2]) + k.reshape(k.shape[0], 1, k.shape[1], k.shape[2])
        if self.scale is not None:
            summed = summed * self.scale
        return F.tanh(summed).sum(axis=-1) * self.concat_score_weight

    def get_config(self) -> dict:
        return {"use_scale": self.use_scale, "score_mode": self.score_mode, "dropout": self.dropout}


class AdditiveAttention(_BaseAttention):
    """Bahdanau-style attention: scores = sum_d scale_d tanh(query_td + key_sd), scale a learned (d,) vector
    (glorot_uniform; use_scale=False: ones, fixed).

    >>> AdditiveAttention()([gn.randn(2, 3, 4), gn.randn(2, 5, 4)]).shape
    (2, 3, 4)
    """

    def __init__(self, use_scale: bool = True, dropout: float = 0.0):
        self.use_scale = bool(use_scale)
        self.dropout = _rate("AdditiveAttention", dropout, "dropout")
        self.register_parameter("scale", None)

    @property
    def built(self) -> bool:
        return self.scale is not None or not self.use_scale

    def _scores(self, q, k):
        summed = F.tanh(q.reshape(q.shape[0], q.shape[1], 1, q.shape[2]) +
                        k.reshape(k.shape[0], 1, k.shape[1], k.shape[2]))
        if not self.use_scale:
            return summed.sum(axis=-1)
        if self.scale is None:  # glorot_uniform with Keras's fans of a vector: fan_in = fan_out = d
            d = q.shape[-1]
            self.scale = nn.Parameter(np.zeros(d, q.dtype if q.dtype.kind == "f" else np.float32))
            init.uniform_(self.scale, -math.sqrt(3 / d), math.sqrt(3 / d))
        return (summed * self.scale).sum(axis=-1)

    def get_config(self) -> dict:
        return {"use_scale": self.use_scale, "dropout": self.dropout}
