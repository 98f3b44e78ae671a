"""Text to integer tensors: a simple tokenizer, a vocabulary and padding of variable lengths.

    tokens = [tokenize(s) for s in sentences]          # "Not bad at all!" -> ['not', 'bad', 'at', 'all', '!']
    vocab = Vocab(tokens, min_freq=2, max_size=5000)   # <pad> = 0, <unk> = 1, then by frequency
    ids, lengths = pad_sequences([vocab.encode(t) for t in tokens], maxlen=40)
    # ids: int64 (N, 40) padded with 0 after each sentence; lengths: int64 (N,) for masking
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence

from ..backend import xp

__all__ = ["Vocab", "pad_sequences", "tokenize"]

_TOKEN = re.compile(r"[\w]+(?:'[\w]+)*|[!?]")


def tokenize(text: str, lower: bool = True) -> list[str]:
    """Split text into words (keeping inner apostrophes: "don't") and the tokens "!" and "?"
    (they carry sentiment); other punctuation is dropped."""
    if not isinstance(text, str):
        raise TypeError(f"tokenize: expected a str, got {type(text).__name__}")
    return _TOKEN.findall(text.lower() if lower else text)


class Vocab:
    """Token <-> id mapping. Ids 0 and 1 are reserved for ``<pad>`` and ``<unk>`` (any unknown
    token); the rest are tokens seen at least `min_freq` times, most frequent first (ties in
    order of first appearance), at most `max_size` of them besides the two specials.

    tokens: an iterable of token sequences (lists of words; a str is a sequence of characters).
    """

    PAD, UNK = "<pad>", "<unk>"
    pad_id, unk_id = 0, 1

    def __init__(self, tokens: Iterable[Sequence[str]] = (), min_freq: int = 1, max_size: int | None = None):
        if not isinstance(min_freq, int) or min_freq < 1:
            raise ValueError(f"Vocab: min_freq must be an int >= 1, got {min_freq!r}")
        if max_size is not None and (not isinstance(max_size, int) or max_size < 0):
            raise ValueError(f"Vocab: max_size must be None or an int >= 0, got {max_size!r}")
        counts = Counter()
        for seq in tokens:
            counts.update(seq)
        self.freqs = counts
        kept = [t for t, c in sorted(counts.items(), key=lambda tc: -tc[1]) if c >= min_freq
                and t not in (self.PAD, self.UNK)]
        if max_size is not None:
            kept = kept[:max_size]
        self.itos: list[str] = [self.PAD, self.UNK, *kept]
        self.stoi: dict[str, int] = {t: i for i, t in enumerate(self.itos)}

    def __len__(self) -> int:
        return len(self.itos)

    def __contains__(self, token: str) -> bool:
        return token in self.stoi

    def __getitem__(self, token: str) -> int:
        return self.stoi.get(token, self.unk_id)

    def encode(self, tokens: Sequence[str]) -> list[int]:
        """Ids of the tokens (unknown ones -> 1)."""
        get, unk = self.stoi.get, self.unk_id
        return [get(t, unk) for t in tokens]

    def decode(self, ids: Iterable[int], skip_pad: bool = True) -> list[str]:
        """Tokens of the ids (padding dropped unless skip_pad=False)."""
        out = []
        for i in ids:
            i = int(i)
            if not 0 <= i < len(self.itos):
                raise IndexError(f"Vocab.decode: id {i} is out of range for a vocabulary of {len(self.itos)} tokens")
            if i != self.pad_id or not skip_pad:
                out.append(self.itos[i])
        return out

    def __repr__(self) -> str:
        return f"Vocab({len(self)} tokens)"


def pad_sequences(seqs: Sequence[Sequence[int]], maxlen: int | None = None, value: int = 0,
                  padding: str = "post", truncating: str = "post"):
    """Stack variable-length id sequences into one int64 array (N, L), L = maxlen or the longest.

    Shorter sequences are filled with `value` after (padding="post", default) or before ("pre")
    their ids; longer ones lose their tail (truncating="post") or head ("pre"). Returns
    (ids (N, L) int64, lengths (N,) int64): the number of real ids in each row, for masking.
    """
    if padding not in ("post", "pre") or truncating not in ("post", "pre"):
        raise ValueError(f"pad_sequences: padding and truncating must be 'post' or 'pre', "
                         f"got {padding!r} and {truncating!r}")
    if maxlen is not None and (not isinstance(maxlen, int) or maxlen < 0):
        raise ValueError(f"pad_sequences: maxlen must be None or an int >= 0, got {maxlen!r}")
    seqs = [list(s) for s in seqs]
    L = max((len(s) for s in seqs), default=0) if maxlen is None else maxlen
    lengths = xp.array([min(len(s), L) for s in seqs], dtype=xp.int64)
    out = xp.full((len(seqs), L), value, dtype=xp.int64)
    for row, s, n in zip(out, seqs, lengths):  # one slice copy per sentence, not per token
        if n == 0:
            continue
        s = s[:n] if truncating == "post" else s[len(s) - n:]
        if padding == "post":
            row[:n] = s
        else:
            row[L - n:] = s
    return out, lengths
