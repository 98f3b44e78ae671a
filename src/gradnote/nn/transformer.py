"""The Transformer (Vaswani et al. 2017) as torch.nn builds it: encoder and decoder layers, their stacks, and both.

An encoder layer is self-attention then a position-wise feed-forward net, each wrapped as
x + dropout(block(x)) and layer-normalised after (post-norm, the paper's) or before (norm_first) the block.
A decoder layer adds attention over the encoder's output ("memory") between the two. Submodule names,
parameter shapes and dropout placement are torch's, so torch state_dicts load with strict=True.
"""

from __future__ import annotations

import copy
import numbers

from .. import functional as F
from ..autograd import Tensor
from ..backend import float32, xp
from . import init
from ._checks import positive_int
from .attention import MultiheadAttention
from .containers import ModuleList
from .dropout import Dropout
from .linear import Linear
from .module import Module
from .normalization import LayerNorm

__all__ = ["Transformer", "TransformerDecoder", "TransformerDecoderLayer", "TransformerEncoder",
           "TransformerEncoderLayer"]


def _activation(name: str, activation):
    if callable(activation):
        return activation
    if activation == "relu":
        return F.relu
    if activation == "gelu":
        return F.gelu
    raise ValueError(f"{name}: activation must be 'relu', 'gelu' or a callable, got {activation!r}")


def _layer_norm(d_model: int, eps: float, bias: bool) -> LayerNorm:
    return LayerNorm(d_model, eps=eps, bias=bias)


def _check_layer_args(name: str, d_model, nhead, dim_feedforward, dropout) -> None:
    positive_int(name, "d_model", d_model)
    positive_int(name, "nhead", nhead)
    positive_int(name, "dim_feedforward", dim_feedforward)
    if not isinstance(dropout, numbers.Real) or isinstance(dropout, bool) or not 0.0 <= dropout < 1.0:
        raise ValueError(f"{name}: dropout must be in [0, 1), got {dropout!r}")


class _Layer(Module):
    """What encoder and decoder layers share: hyperparameter checks, the feed-forward block, the norms."""

    def _build(self, name: str, n_norms: int, d_model, dim_feedforward, dropout, activation, layer_norm_eps,
               norm_first, bias) -> None:
        self.linear1 = Linear(d_model, dim_feedforward, bias=bias)
        self.dropout = Dropout(dropout)
        self.linear2 = Linear(dim_feedforward, d_model, bias=bias)
        self.norm_first = bool(norm_first)
        for i in range(1, n_norms + 1):
            setattr(self, f"norm{i}", _layer_norm(d_model, layer_norm_eps, bias))
        for i in range(1, n_norms + 1):
            setattr(self, f"dropout{i}", Dropout(dropout))
        self.activation = _activation(name, activation)

    def _ff_block(self, x: Tensor, drop: Dropout) -> Tensor:
        return drop(self.linear2(self.dropout(self.activation(self.linear1(x)))))

    def _attend(self, attn: MultiheadAttention, x, mem, mask, padding, is_causal, drop: Dropout) -> Tensor:
        out = attn(x, mem, mem, attn_mask=mask, key_padding_mask=padding, need_weights=False, is_causal=is_causal)
        return drop(out[0])


class TransformerEncoderLayer(_Layer):
    """Self-attention then feed-forward, each a residual block: x = norm(x + dropout(block(x))).

    norm_first: x = x + dropout(block(norm(x))) instead. src: (S, N, E) ((N, S, E) with batch_first) or
    unbatched (S, E); src_mask (S, S) or (N * nhead, S, S) and src_key_padding_mask (N, S) as
    MultiheadAttention's (bool True = blocked). Submodules as torch: self_attn, linear1, dropout, linear2,
    norm1, norm2, dropout1, dropout2. activation: "relu", "gelu" or a callable.

    >>> layer = nn.TransformerEncoderLayer(8, 2, dim_feedforward=16); layer(gn.randn(5, 3, 8)).shape
    (5, 3, 8)
    """

    def __init__(self, d_model: int, nhead: int, dim_feedforward: int = 2048, dropout: float = 0.1,
                 activation="relu", layer_norm_eps: float = 1e-5, batch_first: bool = False,
                 norm_first: bool = False, bias: bool = True, device=None, dtype=None):
        super().__init__()
        _check_layer_args("TransformerEncoderLayer", d_model, nhead, dim_feedforward, dropout)
        self.self_attn = MultiheadAttention(d_model, nhead, dropout=dropout, bias=bias, batch_first=batch_first)
        self._build("TransformerEncoderLayer", 2, d_model, dim_feedforward, dropout, activation, layer_norm_eps,
                    norm_first, bias)
        if dtype is not None:
            self.to(dtype)

    def forward(self, src: Tensor, src_mask=None, src_key_padding_mask=None, is_causal: bool = False) -> Tensor:
        x = src
        if self.norm_first:
            h = self.norm1(x)
            x = x + self._attend(self.self_attn, h, h, src_mask, src_key_padding_mask, is_causal, self.dropout1)
            return x + self._ff_block(self.norm2(x), self.dropout2)
        x = self.norm1(x + self._attend(self.self_attn, x, x, src_mask, src_key_padding_mask, is_causal,
                                        self.dropout1))
        return self.norm2(x + self._ff_block(x, self.dropout2))


class TransformerDecoderLayer(_Layer):
    """Self-attention, attention over the encoder's memory, then feed-forward, each a residual block.

    tgt: (T, N, E), memory: (S, N, E) ((N, ., E) with batch_first) or unbatched. tgt_mask (T, T),
    memory_mask (T, S), key padding masks (N, T) / (N, S), as MultiheadAttention's. Submodules as torch:
    self_attn, multihead_attn, linear1, dropout, linear2, norm1..3, dropout1..3.

    >>> layer = nn.TransformerDecoderLayer(8, 2, dim_feedforward=16); layer(gn.randn(4, 3, 8), gn.randn(5, 3, 8)).shape
    (4, 3, 8)
    """

    def __init__(self, d_model: int, nhead: int, dim_feedforward: int = 2048, dropout: float = 0.1,
                 activation="relu", layer_norm_eps: float = 1e-5, batch_first: bool = False,
                 norm_first: bool = False, bias: bool = True, device=None, dtype=None):
        super().__init__()
        _check_layer_args("TransformerDecoderLayer", d_model, nhead, dim_feedforward, dropout)
        self.self_attn = MultiheadAttention(d_model, nhead, dropout=dropout, bias=bias, batch_first=batch_first)
        self.multihead_attn = MultiheadAttention(d_model, nhead, dropout=dropout, bias=bias, batch_first=batch_first)
        self._build("TransformerDecoderLayer", 3, d_model, dim_feedforward, dropout, activation, layer_norm_eps,
                    norm_first, bias)
        if dtype is not None:
            self.to(dtype)

    def forward(self, tgt: Tensor, memory: Tensor, tgt_mask=None, memory_mask=None, tgt_key_padding_mask=None,
                memory_key_padding_mask=None, tgt_is_causal: bool = False, memory_is_causal: bool = False) -> Tensor:
        x = tgt
        if self.norm_first:
            h = self.norm1(x)
            x = x + self._attend(self.self_attn, h, h, tgt_mask, tgt_key_padding_mask, tgt_is_causal, self.dropout1)
            x = x + self._attend(self.multihead_attn, self.norm2(x), memory, memory_mask, memory_key_padding_mask,
                                 memory_is_causal, self.dropout2)
            return x + self._ff_block(self.norm3(x), self.dropout3)
        x = self.norm1(x + self._attend(self.self_attn, x, x, tgt_mask, tgt_key_padding_mask, tgt_is_causal,
                                        self.dropout1))
        x = self.norm2(x + self._attend(self.multihead_attn, x, memory, memory_mask, memory_key_padding_mask,
                                        memory_is_causal, self.dropout2))
        return self.norm3(x + self._ff_block(x, self.dropout3))


def _clones(name: str, layer: Module, num_layers: int) -> ModuleList:
    if not isinstance(layer, Module):
        raise TypeError(f"{name}: expected a layer Module to copy, got {type(layer).__name__}")
    positive_int(name, "num_layers", num_layers)
    return ModuleList([copy.deepcopy(layer) for _ in range(num_layers)])


def _is_causal(mask, is_causal, size: int) -> bool:
    """torch's rule: is_causal=None means "check whether the mask is the square subsequent mask"."""
    if is_causal is not None or mask is None:
        return bool(is_causal)
    m = mask.data if isinstance(mask, Tensor) else xp.asarray(mask)
    if m.shape != (size, size):
        return False
    blocked = m if m.dtype == bool else xp.isneginf(m)
    valid = True if m.dtype == bool else (m[~blocked] == 0).all()
    return bool(valid and (blocked == xp.triu(xp.ones((size, size), dtype=bool), 1)).all())


def _seq_len(x, batch_first: bool) -> int:
    shape = x.shape
    return shape[0] if len(shape) == 2 or not batch_first else shape[1]


class TransformerEncoder(Module):
    """num_layers deep copies of encoder_layer applied in turn (`layers`, a ModuleList), then `norm` if given.

    forward(src, mask=None, src_key_padding_mask=None, is_causal=None): shapes as the layer's; is_causal=None
    detects a square subsequent mask. enable_nested_tensor and mask_check are accepted (no nested tensors).

    >>> enc = nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 2, 16), num_layers=2); enc(gn.randn(5, 3, 8)).shape
    (5, 3, 8)
    """

    def __init__(self, encoder_layer: Module, num_layers: int, norm: Module | None = None,
                 enable_nested_tensor: bool = True, mask_check: bool = True):
        super().__init__()
        self.layers = _clones("TransformerEncoder", encoder_layer, num_layers)
        self.num_layers, self.norm = int(num_layers), norm
        self.enable_nested_tensor, self.mask_check = enable_nested_tensor, mask_check

    def forward(self, src: Tensor, mask=None, src_key_padding_mask=None, is_causal: bool | None = None) -> Tensor:
        first = self.layers[0]
        batch_first = getattr(getattr(first, "self_attn", None), "batch_first", False)
        is_causal = _is_causal(mask, is_causal, _seq_len(src, batch_first))
        out = src
        for layer in self.layers:
            out = layer(out, src_mask=mask, src_key_padding_mask=src_key_padding_mask, is_causal=is_causal)
        return out if self.norm is None else self.norm(out)


class TransformerDecoder(Module):
    """num_layers deep copies of decoder_layer applied in turn (`layers`), then `norm` if given.

    forward(tgt, memory, tgt_mask, memory_mask, tgt_key_padding_mask, memory_key_padding_mask,
    tgt_is_causal=None, memory_is_causal=False): shapes as the layer's.

    >>> dec = nn.TransformerDecoder(nn.TransformerDecoderLayer(8, 2, 16), 2); dec(gn.randn(4, 3, 8), gn.randn(5, 3, 8)).shape
    (4, 3, 8)
    """

    def __init__(self, decoder_layer: Module, num_layers: int, norm: Module | None = None):
        super().__init__()
        self.layers = _clones("TransformerDecoder", decoder_layer, num_layers)
        self.num_layers, self.norm = int(num_layers), norm

    def forward(self, tgt: Tensor, memory: Tensor, tgt_mask=None, memory_mask=None, tgt_key_padding_mask=None,
                memory_key_padding_mask=None, tgt_is_causal: bool | None = None,
                memory_is_causal: bool = False) -> Tensor:
        first = self.layers[0]
        batch_first = getattr(getattr(first, "self_attn", None), "batch_first", False)
        tgt_is_causal = _is_causal(tgt_mask, tgt_is_causal, _seq_len(tgt, batch_first))
        out = tgt
        for layer in self.layers:
            out = layer(out, memory, tgt_mask=tgt_mask, memory_mask=memory_mask,
                        tgt_key_padding_mask=tgt_key_padding_mask, memory_key_padding_mask=memory_key_padding_mask,
                        tgt_is_causal=tgt_is_causal, memory_is_causal=memory_is_causal)
        return out if self.norm is None else self.norm(out)


class Transformer(Module):
    """Encoder-decoder Transformer: memory = encoder(src), out = decoder(tgt, memory), as torch.nn.Transformer.

    src: (S, N, E), tgt: (T, N, E) ((N, ., E) with batch_first) or unbatched; out has tgt's shape.
    Submodules encoder (layers + norm) and decoder (layers + norm) unless custom_encoder/custom_decoder are
    given; every parameter with more than one dimension is re-initialised xavier-uniform, as torch.

    >>> model = nn.Transformer(8, 2, 1, 1, 16); model(gn.randn(5, 3, 8), gn.randn(4, 3, 8)).shape
    (4, 3, 8)
    """

    def __init__(self, d_model: int = 512, nhead: int = 8, num_encoder_layers: int = 6, num_decoder_layers: int = 6,
                 dim_feedforward: int = 2048, dropout: float = 0.1, activation="relu", custom_encoder=None,
                 custom_decoder=None, layer_norm_eps: float = 1e-5, batch_first: bool = False,
                 norm_first: bool = False, bias: bool = True, device=None, dtype=None):
        super().__init__()
        args = dict(d_model=d_model, nhead=nhead, dim_feedforward=dim_feedforward, dropout=dropout,
                    activation=activation, layer_norm_eps=layer_norm_eps, batch_first=batch_first,
                    norm_first=norm_first, bias=bias)
        if custom_encoder is not None:
            self.encoder = custom_encoder
        else:
            self.encoder = TransformerEncoder(TransformerEncoderLayer(**args), num_encoder_layers,
                                              _layer_norm(d_model, layer_norm_eps, bias))
        if custom_decoder is not None:
            self.decoder = custom_decoder
        else:
            self.decoder = TransformerDecoder(TransformerDecoderLayer(**args), num_decoder_layers,
                                              _layer_norm(d_model, layer_norm_eps, bias))
        self.reset_parameters()
        self.d_model, self.nhead, self.batch_first = d_model, nhead, bool(batch_first)
        if dtype is not None:
            self.to(dtype)

    def reset_parameters(self) -> None:
        for p in self.parameters():
            if p.ndim > 1:
                init.xavier_uniform_(p)

    def forward(self, src: Tensor, tgt: Tensor, src_mask=None, tgt_mask=None, memory_mask=None,
                src_key_padding_mask=None, tgt_key_padding_mask=None, memory_key_padding_mask=None,
                src_is_causal: bool | None = None, tgt_is_causal: bool | None = None,
                memory_is_causal: bool = False) -> Tensor:
        batched = len(src.shape) == 3
        axis = 0 if self.batch_first else 1
        if batched and src.shape[axis] != tgt.shape[axis]:
            raise ValueError(f"Transformer: src {tuple(src.shape)} and tgt {tuple(tgt.shape)} must have the same "
                             f"batch size (axis {axis})")
        if src.shape[-1] != self.d_model or tgt.shape[-1] != self.d_model:
            raise ValueError(f"Transformer: src {tuple(src.shape)} and tgt {tuple(tgt.shape)} must have "
                             f"d_model={self.d_model} features in the last axis")
        memory = self.encoder(src, mask=src_mask, src_key_padding_mask=src_key_padding_mask, is_causal=src_is_causal)
        return self.decoder(tgt, memory, tgt_mask=tgt_mask, memory_mask=memory_mask,
                            tgt_key_padding_mask=tgt_key_padding_mask,
                            memory_key_padding_mask=memory_key_padding_mask, tgt_is_causal=tgt_is_causal,
                            memory_is_causal=memory_is_causal)

    @staticmethod
    def generate_square_subsequent_mask(sz: int, device=None, dtype=None) -> Tensor:
        """(sz, sz) float mask: -inf above the diagonal (a position cannot see later ones), 0 elsewhere.

        >>> nn.Transformer.generate_square_subsequent_mask(3).tolist()[0]
        [0.0, -inf, -inf]
        """
        if not isinstance(sz, numbers.Integral) or sz < 0:
            raise ValueError(f"Transformer.generate_square_subsequent_mask: sz must be a non-negative int, got {sz!r}")
        dtype = float32 if dtype is None else dtype
        return Tensor._wrap(xp.triu(xp.full((int(sz), int(sz)), -xp.inf, dtype=dtype), 1))
