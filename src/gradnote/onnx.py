"""``torch.onnx``'s place: importable, so PyTorch programs that import it run; exporting is not provided.

gradnote has no ONNX writer: ``gn.save(model, path)`` (architecture + safetensors) is its portable format.
"""

from __future__ import annotations

__all__ = ["export"]


def export(model, args=None, f=None, *unused, **options) -> None:
    """Refused with an explanation: gradnote cannot write ONNX graphs.

    >>> export(None)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    NotImplementedError: gn.onnx.export: gradnote cannot write ONNX; save the model with gn.save(model, path)...
    """
    raise NotImplementedError("gn.onnx.export: gradnote cannot write ONNX; save the model with gn.save(model, path) "
                              "(architecture + safetensors weights) or its state_dict")
