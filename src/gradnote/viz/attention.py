"""Attention weights as heat maps, one panel per head: row t shows where position t looked.

    weights = model.attention_weights(idx)           # GPT: (n_layer, N, n_head, T, T)
    viz.plot_attention(weights[-1, 0], tokens=list("hello"), path="attention.png")

nn.MultiheadAttention gives them too: `_, w = mha(x, x, x, average_attn_weights=False)` is (N, heads, L, S).
"""

from __future__ import annotations

import numpy as np

from .plots import _figure, _finish

# whitespace tokens drawn as visible marks, so a label is never blank
_VISIBLE = {" ": "\u2423", "\n": "\u21b5", "\t": "\u21e5"}
# matplotlib's default font has no Hangul or CJK glyphs; the first of these that is installed backs it up
_CJK_FONTS = ("Noto Sans CJK KR", "Noto Sans KR", "NanumGothic", "Malgun Gothic", "AppleGothic", "Noto Sans CJK JP",
              "Noto Sans CJK SC", "WenQuanYi Zen Hei", "Droid Sans Fallback")


def _fonts() -> list:
    from matplotlib import font_manager, rcParams

    installed = {f.name for f in font_manager.fontManager.ttflist}
    return [*rcParams["font.sans-serif"][:1], *(name for name in _CJK_FONTS if name in installed)]


def _label(token) -> str:
    token = str(token)
    return "".join(_VISIBLE.get(ch, ch) for ch in token) if token.strip() == "" else token


def plot_attention(weights, tokens=None, path=None, title: str = "attention weights", cols: int = 4):
    """Heat maps of attention weights: (T, S) for one head or (heads, T, S), one panel per head.

    Rows are queries (the position that attends), columns keys (the positions it reads), all panels on
    one 0..1 colour scale with its colour bar. tokens: T labels (or S = T labels for self-attention)
    for both axes; whitespace tokens are shown as visible marks. Returns the matplotlib Figure; path
    also saves it as PNG. A causal model's panels are lower-triangular: nothing looks ahead.

    >>> fig = plot_attention(np.tril(np.ones((2, 3, 3))) / np.arange(1, 4)[:, None], tokens="abc"); len(fig.axes)
    3
    """
    w = np.asarray(getattr(weights, "data", weights), dtype=np.float64)
    if w.ndim == 2:
        w = w[None]
    if w.ndim != 3:
        raise ValueError(f"plot_attention: expected weights of shape (T, S) or (heads, T, S), got {w.shape}; "
                         "index one layer and one sample first, e.g. model.attention_weights(idx)[layer, 0]")
    heads, t, s = w.shape
    labels = None if tokens is None else [_label(tok) for tok in tokens]
    if labels is not None and len(labels) not in (t, s):
        raise ValueError(f"plot_attention: {len(labels)} tokens for weights over {t} queries and {s} keys")
    if not isinstance(cols, int) or cols < 1:
        raise ValueError(f"plot_attention: cols must be a positive int, got {cols!r}")
    ncols = min(heads, cols)
    nrows = -(-heads // ncols)
    side = min(6.0, max(2.8, 0.22 * max(t, s)))
    fig, axes = _figure(nrows, ncols, size=(side, side))
    fonts = _fonts() if labels is not None and any(ord(ch) > 0x2FFF for tok in labels for ch in tok) else None
    im = None
    for k, ax in enumerate(axes.ravel()):
        if k >= heads:
            ax.axis("off")
            continue
        im = ax.imshow(w[k], cmap="viridis", vmin=0.0, vmax=1.0)
        ax.set_title(f"head {k}" if heads > 1 else title, fontsize=9)
        ax.set_xlabel("key (position read)", fontsize=8)
        ax.set_ylabel("query (position attending)", fontsize=8)
        if labels is not None:
            if len(labels) == s:
                ax.set_xticks(range(s), labels, fontsize=7, fontfamily=fonts)
            if len(labels) == t:
                ax.set_yticks(range(t), labels, fontsize=7, fontfamily=fonts)
    fig.colorbar(im, ax=axes.ravel().tolist(), shrink=0.8, label="weight")
    if heads > 1:
        fig.suptitle(title)
    return _finish(fig, path)
