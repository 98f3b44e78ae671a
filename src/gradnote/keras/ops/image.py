"""keras.ops.image: resizing images (channels_last), over gradnote.functional.interpolate.

>>> resize(np.ones((1, 4, 4, 3), np.float32), (8, 6)).shape
(1, 8, 6, 3)
"""

from __future__ import annotations

from ... import functional as F
from ..arguments import _data_format, _to_nchw, _to_nhwc
from .core import convert_to_tensor, keras_op

__all__ = ["resize"]

# TensorFlow's resize uses half-pixel centres: PyTorch's align_corners=False and nearest-exact
_MODES = {"bilinear": "bilinear", "nearest": "nearest-exact"}


@keras_op
def resize(images, size, interpolation="bilinear", antialias=False, crop_to_aspect_ratio=False,
           pad_to_aspect_ratio=False, fill_mode="constant", fill_value=0.0, data_format=None):
    """images (N, H, W, C) or (H, W, C) resized to size=(height, width); interpolation "bilinear" or
    "nearest"."""
    if interpolation not in _MODES:
        raise ValueError(f"resize: interpolation must be one of {sorted(_MODES)}, got {interpolation!r}")
    for what, value in (("antialias", antialias), ("crop_to_aspect_ratio", crop_to_aspect_ratio),
                        ("pad_to_aspect_ratio", pad_to_aspect_ratio)):
        if value:
            raise ValueError(f"resize: {what}=True is not supported")
    x = convert_to_tensor(images)
    if x.ndim not in (3, 4) or len(tuple(size)) != 2:
        raise ValueError(f"resize: expected images of rank 3 or 4 and size=(height, width), got shape {x.shape} "
                         f"and size={size!r}")
    single = x.ndim == 3
    x = x[None] if single else x
    first = _data_format("resize", data_format) == "channels_first"
    kwargs = {"align_corners": False} if interpolation == "bilinear" else {}
    if x.dtype.kind != "f":
        x = x.to("float32")
    out = F.interpolate(x if first else _to_nchw(x), size=tuple(int(s) for s in size), mode=_MODES[interpolation],
                        **kwargs)
    out = out if first else _to_nhwc(out)
    return out[0] if single else out
