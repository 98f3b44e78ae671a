"""Training checkpoints: model, optimizer, scheduler, epoch and random state in one safe file.

    gn.train.save_checkpoint("ckpt.gnck", model, optimizer, scheduler, epoch=3)
    state = gn.train.load_checkpoint("ckpt.gnck", model, optimizer, scheduler)   # restores them in place
    model.fit(x, y, epochs=10, resume="ckpt.gnck")                              # or continue a fit

The file is a gradnote "checkpoint" (safetensors + JSON, see gradnote.io): no pickle.
Checkpoints written by fit (ModelCheckpoint, or on Ctrl-C / SIGTERM) also hold the loop's
position and running sums, so resuming gives bit-identical results to an uninterrupted run.
"""

from __future__ import annotations

import os

import numpy as np

from .. import io
from ..random import get_rng_state, set_rng_state

__all__ = ["load_checkpoint", "save_checkpoint"]

FORMAT = "checkpoint"


def save_checkpoint(path, model, optimizer=None, scheduler=None, epoch: int = 0, *, loop=None, **extra) -> None:
    """Write model/optimizer/scheduler state, `epoch` (epochs completed) and gradnote's RNG state.

    extra: more plain data (numbers, strings, arrays, dicts of them) stored under "extra".
    """
    tree = {
        "epoch": int(epoch),
        "model": {k: np.array(v, copy=True) for k, v in model.state_dict().items()},
        "optimizer": optimizer.state_dict() if optimizer is not None else None,
        "scheduler": scheduler.state_dict() if scheduler is not None else None,
        "rng": get_rng_state(),
        "loop": loop.state() if loop is not None else None,
        "extra": extra,
    }
    io.save_tree(tree, path, kind=FORMAT)


def load_checkpoint(path, model=None, optimizer=None, scheduler=None, restore_rng: bool = True) -> dict:
    """Read a checkpoint and restore what is given (model, optimizer, scheduler, gradnote's RNG) in place.

    Returns the checkpoint dict: "epoch", "model", "optimizer", "scheduler", "rng", "loop", "extra".
    """
    state = io.load_tree(path, kind=FORMAT)
    where = f"load_checkpoint: {os.fspath(path)!r}"
    if not isinstance(state, dict) or "model" not in state or "epoch" not in state:
        raise io.GradnoteFileError(f"{where} is not a training checkpoint")
    if model is not None:
        model.load_state_dict(state["model"])
    if optimizer is not None:
        if state["optimizer"] is None:
            raise ValueError(f"{where} holds no optimizer state")
        optimizer.load_state_dict(state["optimizer"])
    if scheduler is not None:
        if state["scheduler"] is None:
            raise ValueError(f"{where} holds no scheduler state")
        scheduler.load_state_dict(state["scheduler"])
    if restore_rng:
        set_rng_state(state["rng"])
    return state
