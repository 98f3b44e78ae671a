"""Embedding: a trainable lookup table from token ids to dense vectors (a module over F.embedding).

    emb = nn.Embedding(10_000, 64, padding_idx=0)
    vectors = emb(ids)                  # ids: (N, T) ints -> (N, T, 64)
"""

from __future__ import annotations

import numbers

from .. import functional as F
from ..backend import xp
from ..functional.embedding import _check_padding_idx
from . import init
from .module import Module, Parameter

__all__ = ["Embedding"]


class Embedding(Module):
    """weight: (num_embeddings, embedding_dim), initialised N(0, 1) as PyTorch; the padding_idx row
    starts at zero and never receives a gradient.

    >>> Embedding(100, 16)(gn.tensor([[1, 2, 3]])).shape
    (1, 3, 16)
    """

    def __init__(self, num_embeddings: int, embedding_dim: int, padding_idx: int | None = None):
        super().__init__()
        for arg, value in (("num_embeddings", num_embeddings), ("embedding_dim", embedding_dim)):
            if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < 1:
                raise ValueError(f"Embedding: {arg} must be a positive int, got {value!r}")
        self.num_embeddings, self.embedding_dim = int(num_embeddings), int(embedding_dim)
        self.padding_idx = None if padding_idx is None else _check_padding_idx(padding_idx, num_embeddings, "Embedding")
        self.weight = Parameter(xp.empty((self.num_embeddings, self.embedding_dim), dtype=xp.float32))
        self.reset_parameters()

    @classmethod
    def from_pretrained(cls, embeddings, freeze: bool = True, padding_idx: int | None = None, max_norm=None,
                        norm_type: float = 2.0, scale_grad_by_freq: bool = False, sparse: bool = False):
        """An Embedding whose weight is a copy of `embeddings` (num_embeddings, embedding_dim), frozen unless
        freeze=False, as torch.nn.Embedding.from_pretrained (the padding row is kept as given).

        >>> Embedding.from_pretrained(gn.tensor([[1.0, 2.0], [3.0, 4.0]]))(gn.tensor([1])).tolist()
        [[3.0, 4.0]]
        """
        return _pretrained(cls, "Embedding.from_pretrained", embeddings, freeze, padding_idx=padding_idx)

    def reset_parameters(self) -> None:
        init.normal_(self.weight, 0.0, 1.0)
        if self.padding_idx is not None:
            self.weight.data[self.padding_idx] = 0

    def forward(self, idx):
        return F.embedding(idx, self.weight, padding_idx=self.padding_idx)

    def extra_repr(self) -> str:
        pad = "" if self.padding_idx is None else f", padding_idx={self.padding_idx}"
        return f"{self.num_embeddings}, {self.embedding_dim}{pad}"


def _pretrained(cls, who: str, embeddings, freeze: bool, **options):
    """Build `cls` sized by a 2-D table, then put a copy of the table in as its weight (torch's from_pretrained)."""
    data = getattr(embeddings, "data", embeddings)
    data = xp.asarray(data)
    if data.ndim != 2 or data.dtype.kind != "f":
        raise ValueError(f"{who}: embeddings must be a 2-D float tensor (num_embeddings, embedding_dim), got shape "
                         f"{data.shape} and dtype {data.dtype}")
    layer = cls(*data.shape, **options)
    layer.weight = Parameter(data.copy(), requires_grad=not freeze)
    return layer
