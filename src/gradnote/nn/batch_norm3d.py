"""BatchNorm3d: batch normalisation of volumes (N, C, D, H, W), the shared _BatchNorm body at rank 5."""

from __future__ import annotations

from .normalization import _BatchNorm

__all__ = ["BatchNorm3d"]


class BatchNorm3d(_BatchNorm):
    """Batch normalisation of (N, C, D, H, W) volumes, per channel C (statistics over N, D, H and W).

    Same rule and buffers as BatchNorm1d (see there).

    >>> BatchNorm3d(4)(gn.randn(2, 4, 3, 5, 5)).shape
    (2, 4, 3, 5, 5)
    """

    _ranks, _layout = (5,), "(N, C, D, H, W)"
