"""Text augmentation on token lists: the four EDA operations (Wei and Zou, 2019).

Each transform is a callable taking one sentence as a list of tokens and returning a new list
(the input is not modified), or a list of such lists (a batch), returning a list of lists.

    thesaurus = {"good": ["fine", "nice"], "movie": ["film"]}
    SynonymReplacement(thesaurus, n=1)(["a", "good", "movie"])   # e.g. ["a", "good", "film"]
    RandomInsertion(thesaurus, n=1)(["a", "good", "movie"])      # e.g. ["a", "nice", "good", "movie"]
    RandomSwap(n=1)(["a", "good", "movie"])                      # e.g. ["movie", "good", "a"]
    RandomDeletion(p=0.1)(["a", "good", "movie"])                # each token dropped with prob. 0.1

Words are looked up in the thesaurus exactly as written (lower-case both if you want case-blind
matching). Randomness comes from ``generator`` or gradnote's generator.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from ...random import get_rng


def _check_thesaurus(name: str, thesaurus) -> dict[str, list[str]]:
    if not isinstance(thesaurus, Mapping):
        raise TypeError(f"{name}: thesaurus must be a dict word -> list of synonyms, got {type(thesaurus).__name__}")
    clean = {}
    for word, synonyms in thesaurus.items():
        if isinstance(synonyms, str) or not isinstance(synonyms, Sequence):
            raise TypeError(f"{name}: thesaurus[{word!r}] must be a list of synonyms, got {synonyms!r}")
        others = [s for s in synonyms if s != word]
        if others:
            clean[word] = others
    return clean


def _count(name: str, n) -> int:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
        raise ValueError(f"{name}: n must be an int >= 0, got {n!r}")
    return int(n)


def _prob(name: str, arg: str, p) -> float:
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"{name}: {arg} must be in [0, 1], got {p!r}")
    return float(p)


class TextTransform:
    """Shared plumbing: one sentence (list of str) or a batch (list of lists)."""

    def __init__(self, generator: np.random.Generator | None = None):
        self.generator = generator

    def apply(self, tokens: list[str], rng: np.random.Generator) -> list[str]:
        raise NotImplementedError

    def __call__(self, tokens):
        rng = get_rng(self.generator)
        if isinstance(tokens, str):
            raise TypeError(f"{type(self).__name__}: expected a list of tokens, got a string; split it first")
        tokens = list(tokens)
        if tokens and all(isinstance(t, (list, tuple)) for t in tokens):
            return [self.apply(list(sentence), rng) for sentence in tokens]
        return self.apply(tokens, rng)

    def __repr__(self) -> str:
        fields = ", ".join(f"{k}={v!r}" for k, v in vars(self).items() if k not in ("generator", "thesaurus"))
        return f"{type(self).__name__}({fields})"


class SynonymReplacement(TextTransform):
    """Replace ``n`` randomly chosen words that have synonyms by a random synonym each.

    With ``p`` given, n = max(1, int(p * len(tokens))) (EDA's alpha). Positions are chosen
    without repetition among the words found in ``thesaurus`` (and not in ``stopwords``); a
    sentence with fewer such words has all of them replaced. The length never changes.
    """

    def __init__(self, thesaurus: Mapping[str, Sequence[str]], n: int = 1, p: float | None = None,
                 stopwords: Sequence[str] = (), generator: np.random.Generator | None = None):
        super().__init__(generator)
        self.thesaurus = _check_thesaurus("SynonymReplacement", thesaurus)
        self.n = _count("SynonymReplacement", n)
        self.p = None if p is None else _prob("SynonymReplacement", "p", p)
        self.stopwords = frozenset(stopwords)

    def apply(self, tokens, rng):
        n = self.n if self.p is None else max(1, int(self.p * len(tokens)))
        where = [i for i, t in enumerate(tokens) if t in self.thesaurus and t not in self.stopwords]
        for i in rng.permutation(where)[:n] if where else ():
            synonyms = self.thesaurus[tokens[i]]
            tokens[i] = synonyms[rng.integers(len(synonyms))]
        return tokens


class RandomInsertion(TextTransform):
    """``n`` times: take a random word that has synonyms, insert one of its synonyms at a random position.

    The sentence grows by n tokens (by none if no word has a synonym).
    """

    def __init__(self, thesaurus: Mapping[str, Sequence[str]], n: int = 1, stopwords: Sequence[str] = (),
                 generator: np.random.Generator | None = None):
        super().__init__(generator)
        self.thesaurus = _check_thesaurus("RandomInsertion", thesaurus)
        self.n = _count("RandomInsertion", n)
        self.stopwords = frozenset(stopwords)

    def apply(self, tokens, rng):
        for _ in range(self.n):
            words = [t for t in tokens if t in self.thesaurus and t not in self.stopwords]
            if not words:
                break
            synonyms = self.thesaurus[words[rng.integers(len(words))]]
            tokens.insert(int(rng.integers(len(tokens) + 1)), synonyms[rng.integers(len(synonyms))])
        return tokens


class RandomSwap(TextTransform):
    """``n`` times: swap the tokens at two different random positions (sentences shorter than 2 pass unchanged)."""

    def __init__(self, n: int = 1, generator: np.random.Generator | None = None):
        super().__init__(generator)
        self.n = _count("RandomSwap", n)

    def apply(self, tokens, rng):
        if len(tokens) < 2:
            return tokens
        for _ in range(self.n):
            i, j = rng.choice(len(tokens), size=2, replace=False)
            tokens[i], tokens[j] = tokens[j], tokens[i]
        return tokens


class RandomDeletion(TextTransform):
    """Drop each token independently with probability ``p``; if all would go, one random token is kept."""

    def __init__(self, p: float = 0.1, generator: np.random.Generator | None = None):
        super().__init__(generator)
        self.p = _prob("RandomDeletion", "p", p)

    def apply(self, tokens, rng):
        if len(tokens) <= 1:
            return tokens
        keep = rng.random(len(tokens)) >= self.p
        if not keep.any():
            return [tokens[rng.integers(len(tokens))]]
        return [t for t, k in zip(tokens, keep) if k]
