"""MultiheadAttention: num_heads attentions side by side on slices of the embedding, joined by out_proj."""

from __future__ import annotations

import numbers

from ..autograd import Tensor
from ..backend import float32, xp
from ..functional._util import float_tensor
from ..functional.attention import multi_head_attention_forward
from . import init
from ._checks import positive_int
from .linear import Linear
from .module import Module, Parameter

__all__ = ["MultiheadAttention"]


class MultiheadAttention(Module):
    """Multi-head attention as torch.nn.MultiheadAttention (same arguments, parameters and numerics).

    query: (L, N, E), key: (S, N, kdim), value: (S, N, vdim) ((N, L, E) ... with batch_first), or
    unbatched (L, E), (S, kdim), (S, vdim). forward returns (out of query's shape, weights) with weights
    (N, L, S) averaged over heads, (N, num_heads, L, S) with average_attn_weights=False, None with
    need_weights=False. key_padding_mask (N, S) and attn_mask (L, S) or (N * num_heads, L, S): bool
    True = BLOCKED (the opposite of scaled_dot_product_attention's), or float, added to the scores.
    Parameters (names, shapes, order and init as torch): in_proj_weight (3E, E) xavier-uniform, or
    q_proj_weight (E, E), k_proj_weight (E, kdim), v_proj_weight (E, vdim) when kdim/vdim differ from E;
    in_proj_bias (3E,) = 0; bias_k, bias_v (1, 1, E) xavier-normal with add_bias_kv; out_proj a Linear(E, E)
    whose bias is 0. dropout drops attention weights while training.

    >>> mha = nn.MultiheadAttention(8, 2); x = gn.randn(5, 3, 8); out, w = mha(x, x, x); out.shape, w.shape
    ((5, 3, 8), (3, 5, 5))
    """

    def __init__(self, embed_dim: int, num_heads: int, dropout: float = 0.0, bias: bool = True,
                 add_bias_kv: bool = False, add_zero_attn: bool = False, kdim: int | None = None,
                 vdim: int | None = None, batch_first: bool = False, device=None, dtype=None):
        super().__init__()
        name = "MultiheadAttention"
        self.embed_dim = positive_int(name, "embed_dim", embed_dim)
        self.num_heads = positive_int(name, "num_heads", num_heads)
        if embed_dim % num_heads:
            raise ValueError(f"{name}: embed_dim must be divisible by num_heads, got embed_dim={embed_dim} and "
                             f"num_heads={num_heads}")
        if not isinstance(dropout, numbers.Real) or isinstance(dropout, bool) or not 0.0 <= dropout < 1.0:
            raise ValueError(f"{name}: dropout must be in [0, 1), got {dropout!r}")
        self.kdim = embed_dim if kdim is None else positive_int(name, "kdim", kdim)
        self.vdim = embed_dim if vdim is None else positive_int(name, "vdim", vdim)
        self._qkv_same_embed_dim = self.kdim == embed_dim and self.vdim == embed_dim
        self.dropout, self.batch_first = float(dropout), bool(batch_first)
        self.head_dim = embed_dim // num_heads
        self.add_zero_attn = bool(add_zero_attn)
        e = embed_dim
        if self._qkv_same_embed_dim:
            self.in_proj_weight = Parameter(xp.empty((3 * e, e), dtype=float32))
            for unused in ("q_proj_weight", "k_proj_weight", "v_proj_weight"):
                self.register_parameter(unused, None)
        else:
            self.q_proj_weight = Parameter(xp.empty((e, e), dtype=float32))
            self.k_proj_weight = Parameter(xp.empty((e, self.kdim), dtype=float32))
            self.v_proj_weight = Parameter(xp.empty((e, self.vdim), dtype=float32))
            self.register_parameter("in_proj_weight", None)
        if bias:
            self.in_proj_bias = Parameter(xp.empty(3 * e, dtype=float32))
        else:
            self.register_parameter("in_proj_bias", None)
        self.out_proj = Linear(e, e, bias=bias)
        if add_bias_kv:
            self.bias_k = Parameter(xp.empty((1, 1, e), dtype=float32))
            self.bias_v = Parameter(xp.empty((1, 1, e), dtype=float32))
        else:
            self.register_parameter("bias_k", None)
            self.register_parameter("bias_v", None)
        self.reset_parameters()
        if dtype is not None:
            self.to(dtype)

    def reset_parameters(self) -> None:
        if self._qkv_same_embed_dim:
            init.xavier_uniform_(self.in_proj_weight)
        else:
            for w in (self.q_proj_weight, self.k_proj_weight, self.v_proj_weight):
                init.xavier_uniform_(w)
        if self.in_proj_bias is not None:
            init.zeros_(self.in_proj_bias)
            init.zeros_(self.out_proj.bias)
        if self.bias_k is not None:
            init.xavier_normal_(self.bias_k)
            init.xavier_normal_(self.bias_v)

    def forward(self, query: Tensor, key: Tensor, value: Tensor, key_padding_mask=None, need_weights: bool = True,
                attn_mask=None, average_attn_weights: bool = True, is_causal: bool = False):
        if self.batch_first and getattr(query, "ndim", 0) == 3:
            query, key, value = (float_tensor(t, "MultiheadAttention").transpose(1, 0, 2)
                                 for t in (query, key, value))
        out, weights = multi_head_attention_forward(
            query, key, value, self.embed_dim, self.num_heads, self.in_proj_weight, self.in_proj_bias,
            self.bias_k, self.bias_v, self.add_zero_attn, self.dropout, self.out_proj.weight, self.out_proj.bias,
            training=self.training, key_padding_mask=key_padding_mask, need_weights=need_weights,
            attn_mask=attn_mask, use_separate_proj_weight=not self._qkv_same_embed_dim,
            q_proj_weight=self.q_proj_weight, k_proj_weight=self.k_proj_weight, v_proj_weight=self.v_proj_weight,
            average_attn_weights=average_attn_weights, is_causal=is_causal)
        if self.batch_first and out.ndim == 3:
            out = out.transpose(1, 0, 2)
        return out, weights

    def extra_repr(self) -> str:
        return f"embed_dim={self.embed_dim}, num_heads={self.num_heads}, dropout={self.dropout}"
