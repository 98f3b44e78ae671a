"""Training: one loop behind Keras-style ``model.fit`` and PyTorch-style ``gn.train.fit``, with
callbacks, metrics and bit-identical checkpoints.

    import gradnote as gn
    loader = gn.data.DataLoader(gn.data.TensorDataset(x, y), batch_size=32, shuffle=True)
    history = gn.train.fit(model, loader, gn.nn.CrossEntropyLoss(), gn.optim.Adam(model.parameters()),
                           epochs=5, metrics=["accuracy"], callbacks=[gn.callbacks.EarlyStopping("loss")])
"""

from __future__ import annotations

from . import callbacks, losses, metrics
from .callbacks import (
    BackupAndRestore,
    Callback,
    CSVLogger,
    EarlyStopping,
    LambdaCallback,
    LearningRateScheduler,
    ModelCheckpoint,
    ReduceLROnPlateau,
    TerminateOnNaN,
)
from .checkpoint import load_checkpoint, save_checkpoint
from .history import History
from .loop import Loop
from .losses import as_loop_loss

__all__ = [
    "BackupAndRestore",
    "CSVLogger",
    "Callback",
    "EarlyStopping",
    "History",
    "LambdaCallback",
    "LearningRateScheduler",
    "Loop",
    "ModelCheckpoint",
    "ReduceLROnPlateau",
    "TerminateOnNaN",
    "callbacks",
    "evaluate_loader",
    "fit",
    "load_checkpoint",
    "losses",
    "metrics",
    "save_checkpoint",
]


def fit(model, loader, loss, optimizer, epochs: int = 1, val_loader=None, metrics=None, callbacks=None,
        scheduler=None, verbose: int = 1, initial_epoch: int = 0, resume=None) -> History:
    """Train a PyTorch-style module on a DataLoader (batches (x, y)); returns a History.

    loss: a loss module/function loss(model(x), y) or a Keras loss name; optimizer: a gradnote.optim
    optimiser over model.parameters(); scheduler: an lr_scheduler stepped once per epoch
    (ReduceLROnPlateau with val_loss, else loss). resume: checkpoint path or dict (bit-identical continue).
    """
    loss_fn, key = as_loop_loss(loss)
    loop = Loop(model, loss_fn, optimizer, metrics=metrics, scheduler=scheduler, verbose=verbose, loss_name=key)
    state = None
    if resume is not None:
        state = resume if isinstance(resume, dict) else load_checkpoint(resume)
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        if scheduler is not None and state.get("scheduler") is not None:
            scheduler.load_state_dict(state["scheduler"])
    return loop.fit(loader, epochs, initial_epoch=initial_epoch, val_loader=val_loader, callbacks=callbacks,
                    resume=state)


def evaluate_loader(model, loader, loss, metrics=None) -> dict:
    """Mean loss and metrics of `model` over a DataLoader, in eval mode without a graph."""
    loss_fn, key = as_loop_loss(loss)
    return Loop(model, loss_fn, None, metrics=metrics, verbose=0, loss_name=key).evaluate(loader)
