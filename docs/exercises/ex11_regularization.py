"""Lesson 11 exercises: penalties, dropout, early stopping, a flip."""

import numpy as np


def l1(ws) -> float:
    return float(sum(np.abs(w).sum() for w in ws))


def l2(ws) -> float:
    """Sum of squares (no 1/2), as gradnote's nn.l2_penalty."""
    return float(sum((np.asarray(w, dtype=np.float64) ** 2).sum() for w in ws))


def dropout(x, p: float, rng: np.random.Generator):
    """Zero each value with probability p; scale the kept ones by 1 / (1 - p) so the mean is unchanged."""
    if p == 1:
        return np.zeros_like(x)
    keep = rng.random(np.shape(x)) >= p
    return np.where(keep, np.asarray(x) / (1 - p), 0.0)


def early_stop_epoch(val_losses, patience: int) -> int:
    """The epoch after which training stops: `patience` epochs in a row without a new best (else the last)."""
    best, waited = float("inf"), 0
    for epoch, loss in enumerate(val_losses):
        if loss < best:
            best, waited = loss, 0
        else:
            waited += 1
            if waited >= patience:
                return epoch
    return len(val_losses) - 1


def flip_horizontal(image):
    """Mirror the last axis (width) of an image (..., H, W)."""
    return np.asarray(image)[..., ::-1]
