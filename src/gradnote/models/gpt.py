"""GPT (Radford et al. 2018, 2019): a causal language model, a stack of pre-norm Transformer blocks
that reads tokens left to right and predicts each next one.

    x = wte(idx) + wpe(0..T-1)                     token + position embeddings    (N, T, C)
    x = x + attn(ln_1(x))                          causal self-attention: position t sees 0..t
    x = x + mlp(ln_2(x))                           Linear(C, 4C) -> GELU -> Linear(4C, C)   } n_layer times
    logits = ln_f(x) @ wte.weight^T                the head reuses the token embedding      (N, T, vocab)

Names and layout are nanoGPT's (Karpathy), itself GPT-2's: `transformer.wte`, `transformer.wpe`,
`transformer.h.<i>.ln_1 / attn.c_attn / attn.c_proj / ln_2 / mlp.c_fc / mlp.c_proj`, `transformer.ln_f`,
`lm_head`, so a state_dict moves between this model and nanoGPT's in PyTorch unchanged.

Weight tying: `lm_head.weight` IS `transformer.wte.weight` (one Parameter). parameters() yields it once
(the optimiser updates it once, num_parameters() counts it once); state_dict() lists it under both
names, as torch's state_dict of nanoGPT does, and load_state_dict() needs both (they are copied into the
one array, lm_head.weight last, as torch does).

Generation keeps a key/value cache: the prompt is run once, then each new token computes its own query,
key and value and attends to the keys and values cached for every earlier position, so a step costs one
token's work instead of the whole context's. Position embeddings are absolute, so once the context
outgrows block_size the window slides: the cache is refilled from the last block_size tokens, exactly
what the uncached model sees.
"""

from __future__ import annotations

import contextlib
import math
import numbers
from dataclasses import dataclass

from .. import cpu
from .. import functional as F
from ..autograd import Tensor, as_tensor, multinomial, no_grad, stack
from ..backend import xp
from ..nn import init
from ..nn.containers import ModuleDict, ModuleList
from ..nn.dropout import Dropout
from ..nn.embedding import Embedding
from ..nn.linear import Linear
from ..nn.module import Module
from ..nn.normalization import LayerNorm

__all__ = ["GPT", "GPTConfig", "KVCache"]


@dataclass(frozen=True)
class GPTConfig:
    """The hyperparameters of a GPT: `GPT(**dataclasses.asdict(config))` builds it; `model.config` is one."""

    vocab_size: int
    block_size: int
    n_layer: int
    n_head: int
    n_embd: int
    dropout: float = 0.0
    bias: bool = True


class KVCache:
    """Keys and values of every position run so far, per layer: (N, n_head, capacity, head_dim) buffers
    of which the first `len(cache)` positions are filled. Inference only (arrays, no gradient).

    >>> cache = KVCache(n_layer=2, capacity=8); model = GPT(11, 8, 2, 2, 16); _ = model(gn.zeros(1, 3,
    ...     dtype=gn.int64), cache=cache); _ = model(gn.zeros(1, 1, dtype=gn.int64), cache=cache); len(cache)
    4
    """

    def __init__(self, n_layer: int, capacity: int):
        self.keys, self.values = [None] * n_layer, [None] * n_layer
        self.capacity = capacity
        self.length = 0  # positions cached in every layer (advanced once all layers have appended)

    def __len__(self) -> int:
        return self.length

    def buffers(self, layer: int, shape: tuple, like) -> tuple:
        """Layer's (keys, values) buffers for a step of k, v of `shape` (N, H, T, D), made on first use with
        the dtype and device of the array `like`; refused when the T new positions do not fit after the cached ones."""
        past, t = self.length, shape[2]
        if past + t > self.capacity:
            raise ValueError(f"KVCache: {past} cached + {t} new positions exceed its capacity {self.capacity}")
        if self.keys[layer] is None:
            n, h, _, d = shape
            self.keys[layer] = xp.zeros_like(like, shape=(n, h, self.capacity, d))
            self.values[layer] = xp.zeros_like(like, shape=(n, h, self.capacity, d))
        return self.keys[layer], self.values[layer]

    def append(self, layer: int, k: Tensor, v: Tensor) -> tuple[Tensor, Tensor]:
        """Store this step's k, v (N, H, T, D) after the cached ones; return all of them (N, H, past + T, D)."""
        keys, values = self.buffers(layer, k.shape, k.data)
        past, t = self.length, k.shape[2]
        keys[:, :, past:past + t] = k.data
        values[:, :, past:past + t] = v.data
        return as_tensor(keys[:, :, :past + t]), as_tensor(values[:, :, :past + t])


class CausalSelfAttention(Module):
    """n_head attentions over slices of the embedding, each position seeing itself and the ones before.

    x: (N, T, C) -> (N, T, C). c_attn: Linear(C, 3C) gives q, k, v side by side; c_proj: Linear(C, C).
    """

    def __init__(self, n_embd: int, n_head: int, dropout: float = 0.0, bias: bool = True):
        super().__init__()
        self.n_head, self.n_embd, self.dropout = n_head, n_embd, dropout
        self.c_attn = Linear(n_embd, 3 * n_embd, bias=bias)
        self.c_proj = Linear(n_embd, n_embd, bias=bias)
        self.resid_dropout = Dropout(dropout)

    def _qkv(self, x: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        n, t, c = x.shape
        # (N, T, 3C) -> (3, N, n_head, T, head_dim), taken apart on axis 0
        heads = self.c_attn(x).reshape(n, t, 3, self.n_head, c // self.n_head).permute(2, 0, 3, 1, 4)
        return heads[0], heads[1], heads[2]

    def forward(self, x: Tensor, cache: KVCache | None = None, layer: int = 0) -> Tensor:
        n, t, c = x.shape
        qkv = self.c_attn(x)
        buffers, past = None, 0
        if cache is not None:  # this step's keys and values go into the cache; the queries see all of it
            past = len(cache)
            buffers = cache.buffers(layer, (n, self.n_head, t, c // self.n_head), qkv.data)
        p = self.dropout if self.training else 0.0
        y = F.multi_head_self_attention(qkv, self.n_head, is_causal=True, dropout_p=p, kv_buffers=buffers, past=past)
        return self.resid_dropout(self.c_proj(y))

    def weights(self, x: Tensor) -> Tensor:
        """The attention weights (N, n_head, T, T): row t is how position t spreads over positions 0..t."""
        q, k, _ = self._qkv(x)
        # attending over the identity as values returns the weights themselves, with the model's own numerics
        eye = as_tensor(xp.eye(x.shape[1], dtype=q.data.dtype)).to(q.device)
        return F.scaled_dot_product_attention(q, k, eye, is_causal=True)


class MLP(Module):
    """Linear(C, 4C) -> GELU (exact) -> Linear(4C, C) -> dropout, on each position alone."""

    def __init__(self, n_embd: int, dropout: float = 0.0, bias: bool = True):
        super().__init__()
        self.c_fc = Linear(n_embd, 4 * n_embd, bias=bias)
        self.c_proj = Linear(4 * n_embd, n_embd, bias=bias)
        self.dropout = Dropout(dropout)

    def forward(self, x: Tensor) -> Tensor:
        return self.dropout(self.c_proj(F.gelu(self.c_fc(x))))


class Block(Module):
    """Pre-norm Transformer block: x + attn(ln_1(x)), then + mlp(ln_2(x)). (N, T, C) -> (N, T, C)."""

    def __init__(self, n_embd: int, n_head: int, dropout: float = 0.0, bias: bool = True):
        super().__init__()
        self.ln_1 = LayerNorm(n_embd, bias=bias)
        self.attn = CausalSelfAttention(n_embd, n_head, dropout, bias)
        self.ln_2 = LayerNorm(n_embd, bias=bias)
        self.mlp = MLP(n_embd, dropout, bias)

    def forward(self, x: Tensor, cache: KVCache | None = None, layer: int = 0) -> Tensor:
        x = x + self.attn(self.ln_1(x), cache, layer)
        return x + self.mlp(self.ln_2(x))


def _positive_int(name: str, value) -> int:
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < 1:
        raise ValueError(f"GPT: {name} must be a positive int, got {value!r}")
    return int(value)


class GPT(Module):
    """A GPT language model (nanoGPT's layout; see the module docstring for the maths and the tying).

    idx: (N, T) int token ids with T <= block_size. forward(idx, targets=None) returns (logits, loss):
    logits (N, T, vocab_size) for every position, loss the mean cross-entropy against targets (N, T)
    (-1 ignored), None without targets. Init as GPT-2: weights N(0, 0.02), the residual projections
    (c_proj) N(0, 0.02 / sqrt(2 n_layer)), biases 0. bias=False drops every Linear and LayerNorm bias.

    >>> model = GPT(vocab_size=11, block_size=8, n_layer=2, n_head=2, n_embd=16); idx = gn.zeros(3, 5, dtype=gn.int64)
    >>> model(idx)[0].shape, model.generate(idx, 4).shape
    ((3, 5, 11), (3, 9))
    """

    def __init__(self, vocab_size: int, block_size: int, n_layer: int, n_head: int, n_embd: int,
                 dropout: float = 0.0, bias: bool = True):
        super().__init__()
        for name, value in (("vocab_size", vocab_size), ("block_size", block_size), ("n_layer", n_layer),
                            ("n_head", n_head), ("n_embd", n_embd)):
            _positive_int(name, value)
        if n_embd % n_head:
            raise ValueError(f"GPT: n_embd must be divisible by n_head, got n_embd={n_embd} and n_head={n_head}")
        if not isinstance(dropout, numbers.Real) or isinstance(dropout, bool) or not 0.0 <= dropout < 1.0:
            raise ValueError(f"GPT: dropout must be in [0, 1), got {dropout!r}")
        self.config = GPTConfig(int(vocab_size), int(block_size), int(n_layer), int(n_head), int(n_embd),
                                float(dropout), bool(bias))
        self.transformer = ModuleDict(dict(
            wte=Embedding(vocab_size, n_embd),
            wpe=Embedding(block_size, n_embd),
            drop=Dropout(dropout),
            h=ModuleList([Block(n_embd, n_head, dropout, bias) for _ in range(n_layer)]),
            ln_f=LayerNorm(n_embd, bias=bias),
        ))
        self.lm_head = Linear(n_embd, vocab_size, bias=False)
        self.lm_head.weight = self.transformer.wte.weight  # weight tying (Press & Wolf 2017)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        for m in self.modules():
            if isinstance(m, (Linear, Embedding)):
                init.normal_(m.weight, 0.0, 0.02)
            if isinstance(m, LayerNorm):
                init.ones_(m.weight)
            if isinstance(m, (Linear, LayerNorm)) and m.bias is not None:
                init.zeros_(m.bias)
        for name, p in self.named_parameters():
            if name.endswith("c_proj.weight"):  # 2 n_layer residual branches add up: keep their sum's scale
                init.normal_(p, 0.0, 0.02 / math.sqrt(2 * self.config.n_layer))

    def num_parameters(self, non_embedding: bool = False) -> int:
        """Trainable scalars, the tied head counted once; non_embedding=True leaves out the position
        embeddings (nanoGPT's convention: the token embedding also serves as the head)."""
        n = super().num_parameters()
        return n - self.transformer.wpe.weight.data.size if non_embedding else n

    def _embed(self, idx, start: int = 0) -> Tensor:
        idx = idx if isinstance(idx, Tensor) else as_tensor(idx)
        if idx.ndim != 2 or idx.data.dtype.kind not in "iu":
            raise ValueError(f"GPT: expected idx of integer token ids with shape (N, T), got shape {idx.shape} "
                             f"and dtype {idx.data.dtype}")
        t = idx.shape[1]
        if start + t > self.config.block_size:
            raise ValueError(f"GPT: cannot run {start + t} positions (cached {start} + {t} new), block_size is only "
                             f"{self.config.block_size}")
        pos = as_tensor(xp.arange(start, start + t, dtype=xp.int64)).to(idx.device)
        return self.transformer.drop(self.transformer.wte(idx) + self.transformer.wpe(pos))

    def forward(self, idx, targets=None, cache: KVCache | None = None):
        x = self._embed(idx, 0 if cache is None else len(cache))
        for i, block in enumerate(self.transformer.h):
            x = block(x, cache, i)
        if cache is not None:
            cache.length += x.shape[1]
        logits = self.lm_head(self.transformer.ln_f(x))
        if targets is None:
            return logits, None
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1), ignore_index=-1)
        return logits, loss

    def attention_weights(self, idx) -> Tensor:
        """Every layer's attention weights for idx (N, T): (n_layer, N, n_head, T, T), in evaluation mode.

        >>> GPT(11, 8, 2, 2, 16).attention_weights(gn.zeros(1, 5, dtype=gn.int64)).shape
        (2, 1, 2, 5, 5)
        """
        was_training = self.training
        self.eval()
        try:
            with no_grad():
                x, weights = self._embed(idx), []
                for block in self.transformer.h:
                    weights.append(block.attn.weights(block.ln_1(x)))
                    x = block(x)
        finally:
            self.train(was_training)
        return stack(weights, 0)

    def generate(self, idx, max_new_tokens: int, temperature: float = 1.0, top_k: int | None = None,
                 use_cache: bool = True, generator=None) -> Tensor:
        """Extend idx (N, T) by max_new_tokens drawn one at a time -> (N, T + max_new_tokens).

        Each token is drawn from softmax(logits / temperature), restricted to the top_k likeliest when
        given; temperature=0 takes the likeliest (greedy). use_cache=False recomputes the whole context
        every step (the reference the cache is tested against). Runs in evaluation mode without gradients.
        """
        if not isinstance(max_new_tokens, numbers.Integral) or max_new_tokens < 0:
            raise ValueError(f"GPT.generate: max_new_tokens must be an int >= 0, got {max_new_tokens!r}")
        if not isinstance(temperature, numbers.Real) or temperature < 0:
            raise ValueError(f"GPT.generate: temperature must be >= 0 (0 = greedy), got {temperature!r}")
        if top_k is not None and (not isinstance(top_k, numbers.Integral) or top_k < 1):
            raise ValueError(f"GPT.generate: top_k must be a positive int or None, got {top_k!r}")
        ids = as_tensor(idx).data
        if ids.ndim != 2 or ids.shape[1] == 0 or ids.dtype.kind not in "iu":
            raise ValueError(f"GPT.generate: expected a prompt of integer token ids with shape (N, T >= 1), got "
                             f"shape {ids.shape} and dtype {ids.dtype}")
        ids = ids.astype(xp.int64)
        was_training, block = self.training, self.config.block_size
        # a cached step's products have only N rows: below ~4 M multiply-adds OpenBLAS's threads cost more
        # to wake than they save (generation ran 10x slower with two of them on a busy 2-core machine)
        small = ids.shape[0] * 4 * self.config.n_embd ** 2 < 2 ** 22
        self.eval()
        try:
            with no_grad(), cpu.blas_threads(1) if small else contextlib.nullcontext():
                cache = None
                for _ in range(max_new_tokens):
                    if not use_cache:
                        logits, _ = self(ids[:, -block:])
                    elif cache is None or len(cache) == block:  # (re)fill: the prompt, or a slid window
                        cache = KVCache(self.config.n_layer, block)
                        logits, _ = self(ids[:, -block:], cache=cache)
                    else:
                        logits, _ = self(ids[:, -1:], cache=cache)
                    nxt = self._next_token(logits[:, -1, :], temperature, top_k, generator)
                    ids = xp.concatenate([ids, nxt], axis=1)
        finally:
            self.train(was_training)
        return as_tensor(ids)

    @staticmethod
    def _next_token(logits: Tensor, temperature: float, top_k: int | None, generator):
        """(N, V) logits -> (N, 1) int64 ids: greedy at temperature 0, else a draw from the tempered softmax."""
        if temperature == 0:
            return logits.data.argmax(axis=-1, keepdims=True).astype(xp.int64)
        logits = logits / temperature
        if top_k is not None and top_k < logits.shape[-1]:
            kth = logits.topk(top_k, dim=-1)[0][:, -1:]
            logits = logits.masked_fill(logits < kth, -math.inf)
        return multinomial(F.softmax(logits, axis=-1), 1, generator=generator).data

