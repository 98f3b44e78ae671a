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
from .arguments import _positive_int, _rate, initializer
from .graph import Layer

__all__ = ["MultiHeadAttention"]


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
