"""``torch.utils.tensorboard`` spelling: ``from gradnote.utils.tensorboard import SummaryWriter``.

The writer is tensorboardX's (the ``tensorboard`` extra: ``pip install 'gradnote[tensorboard]'``); this module
loads only when asked for, so a missing extra costs nothing until then.
"""

from __future__ import annotations

try:
    import tensorboardX as _tensorboardX
except ImportError as e:
    raise ImportError("gradnote.utils.tensorboard needs tensorboardX, an optional extra: "
                      "pip install 'gradnote[tensorboard]'") from e

from ..autograd import Tensor

__all__ = ["SummaryWriter"]


def _as_numpy(value):
    """Tensors (also inside lists, tuples, dicts) as NumPy arrays: tensorboardX knows only NumPy, numbers and
    torch tensors."""
    if isinstance(value, Tensor):
        return value.detach().cpu().numpy()
    if isinstance(value, (list, tuple)):
        return type(value)(_as_numpy(v) for v in value)
    if isinstance(value, dict):
        return {k: _as_numpy(v) for k, v in value.items()}
    return value


class SummaryWriter(_tensorboardX.SummaryWriter):
    """torch.utils.tensorboard.SummaryWriter(log_dir=None, comment="", purge_step=None, max_queue=10,
    flush_secs=120, filename_suffix=""): tensorboardX's writer, whose ``add_*`` methods also take gradnote
    Tensors (``add_scalar("loss", loss, step)``, ``add_histogram("w", layer.weight, step)``, ``add_image``,
    ``add_scalars``, ``add_hparams``, ...). Default folder ``runs/<date>_<host><comment>`` as torch's.
    ``add_graph`` needs PyTorch's JIT tracer and is refused with a clear error.
    """

    def __init__(self, log_dir=None, comment: str = "", purge_step=None, max_queue: int = 10,
                 flush_secs: int = 120, filename_suffix: str = ""):
        super().__init__(logdir=log_dir, comment=comment, purge_step=purge_step, max_queue=max_queue,
                         flush_secs=flush_secs, filename_suffix=filename_suffix)

    def __getattribute__(self, name):
        attr = super().__getattribute__(name)
        if not name.startswith("add_") or name == "add_graph" or not callable(attr):
            return attr

        def with_numpy_arguments(*args, **kwargs):
            return attr(*_as_numpy(args), **_as_numpy(kwargs))

        return with_numpy_arguments

    def add_graph(self, model, input_to_model=None, verbose=False, use_strict_trace=True):
        raise NotImplementedError("SummaryWriter.add_graph: drawing a model's graph needs PyTorch's JIT tracer, "
                                  "which gradnote does not have; print(model) shows its layers")
