"""Lesson 15 exercises: attention, the causal mask, a character vocabulary."""

import numpy as np


def causal_mask(T: int):
    """True above the diagonal: position t may not attend to positions after t."""
    return np.triu(np.ones((T, T), dtype=bool), 1)


def attention(q, k, v, causal: bool = False):
    """softmax(q k^T / sqrt(d)) v over the last two axes; q (..., T, d), k and v (..., S, d)."""
    q, k, v = (np.asarray(a, dtype=np.float64) for a in (q, k, v))
    scores = q @ np.swapaxes(k, -1, -2) / np.sqrt(q.shape[-1])
    if causal:
        scores = np.where(causal_mask(scores.shape[-1])[: scores.shape[-2]], -np.inf, scores)
    w = np.exp(scores - scores.max(-1, keepdims=True))
    return (w / w.sum(-1, keepdims=True)) @ v


def char_vocab(text: str):
    """(chars, encode, decode): sorted distinct characters and the maps between text and int ids."""
    chars = sorted(set(text))
    index = {c: i for i, c in enumerate(chars)}
    return chars, (lambda s: [index[c] for c in s]), (lambda ids: "".join(chars[i] for i in ids))
