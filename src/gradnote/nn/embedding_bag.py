"""EmbeddingBag: a lookup table that returns one vector per bag of ids (their sum, mean or max), as the
text-classification tutorial's model: nn.EmbeddingBag(vocab_size, 64)(text, offsets) -> (B, 64)."""

from __future__ import annotations

from .. import functional as F
from ..backend import float32, xp
from ..functional.embedding import _check_padding_idx
from . import init
from ._checks import positive_int
from ._factory import place
from .embedding import _pretrained
from .module import Module, Parameter

__all__ = ["EmbeddingBag"]


class EmbeddingBag(Module):
    """weight: (num_embeddings, embedding_dim), N(0, 1) as torch.nn.EmbeddingBag; forward(input, offsets=None,
    per_sample_weights=None) -> (B, embedding_dim) (see F.embedding_bag).

    >>> EmbeddingBag(10, 3, mode="sum")(gn.tensor([1, 2, 4, 5, 4]), gn.tensor([0, 2])).shape
    (2, 3)
    """

    def __init__(self, num_embeddings: int, embedding_dim: int, max_norm=None, norm_type: float = 2.0,
                 scale_grad_by_freq: bool = False, mode: str = "mean", sparse: bool = False, _weight=None,
                 include_last_offset: bool = False, padding_idx: int | None = None, device=None, dtype=None):
        super().__init__()
        self.num_embeddings = positive_int("EmbeddingBag", "num_embeddings", num_embeddings)
        self.embedding_dim = positive_int("EmbeddingBag", "embedding_dim", embedding_dim)
        if mode not in ("sum", "mean", "max"):
            raise ValueError(f"EmbeddingBag: mode must be 'sum', 'mean' or 'max', got {mode!r}")
        if max_norm is not None or scale_grad_by_freq:
            raise NotImplementedError("EmbeddingBag: max_norm and scale_grad_by_freq are not implemented in gradnote")
        self.mode, self.include_last_offset = mode, bool(include_last_offset)
        self.padding_idx = None if padding_idx is None else _check_padding_idx(padding_idx, num_embeddings,
                                                                               "EmbeddingBag")
        self.weight = Parameter(xp.empty((self.num_embeddings, self.embedding_dim), dtype=float32))
        self.reset_parameters()
        place(self, device, dtype)

    @classmethod
    def from_pretrained(cls, embeddings, freeze: bool = True, max_norm=None, norm_type: float = 2.0,
                        scale_grad_by_freq: bool = False, mode: str = "mean", sparse: bool = False,
                        include_last_offset: bool = False, padding_idx: int | None = None):
        """An EmbeddingBag over a copy of `embeddings` (num_embeddings, embedding_dim), frozen unless freeze=False.

        >>> EmbeddingBag.from_pretrained(gn.eye(3), mode="sum")(gn.tensor([[0, 2]])).tolist()
        [[1.0, 0.0, 1.0]]
        """
        return _pretrained(cls, "EmbeddingBag.from_pretrained", embeddings, freeze, mode=mode,
                           include_last_offset=include_last_offset, padding_idx=padding_idx)

    def reset_parameters(self) -> None:
        init.normal_(self.weight, 0.0, 1.0)
        if self.padding_idx is not None:
            self.weight.data[self.padding_idx] = 0

    def forward(self, input, offsets=None, per_sample_weights=None):
        return F.embedding_bag(input, self.weight, offsets, mode=self.mode, per_sample_weights=per_sample_weights,
                               include_last_offset=self.include_last_offset, padding_idx=self.padding_idx)

    def extra_repr(self) -> str:
        return f"{self.num_embeddings}, {self.embedding_dim}, mode={self.mode!r}"
