"""Identity: a placeholder layer that returns its input (e.g. to switch off a block or replace a head)."""

from __future__ import annotations

from .module import Module

__all__ = ["Identity"]


class Identity(Module):
    """Returns its input unchanged; accepts and ignores any constructor arguments, as torch.nn.Identity.

    >>> x = gn.ones(2); Identity(54, unused="x")(x) is x
    True
    """

    def __init__(self, *args, **kwargs):
        super().__init__()

    def forward(self, input):
        return input
