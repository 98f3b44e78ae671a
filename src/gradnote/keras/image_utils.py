"""keras.utils' image files: load_img, img_to_array, array_to_img, save_img (Pillow, the `all` extra).

    img = keras.utils.load_img("cat.jpg", target_size=(180, 180))
    x = keras.utils.img_to_array(img)          # (180, 180, 3) float32, values 0..255

Arrays are channels_last (H, W, C) as Keras's; resizing to target_size is Pillow's, as Keras's load_img.
"""

from __future__ import annotations

import numpy as np

__all__ = ["array_to_img", "img_to_array", "load_img", "save_img"]

_MODES = {"grayscale": "L", "rgb": "RGB", "rgba": "RGBA"}


def _pil():
    try:
        from PIL import Image
    except ImportError:
        raise ImportError("keras.utils image functions need Pillow: pip install 'gradnote[all]' (or pillow)") from None
    return Image


def load_img(path, color_mode: str = "rgb", target_size=None, interpolation: str = "nearest",
             keep_aspect_ratio: bool = False):
    """A PIL image from `path` in color_mode "rgb", "rgba" or "grayscale", resized to target_size=(height,
    width) with Pillow's `interpolation` ("nearest", "bilinear", "bicubic", "lanczos", "box", "hamming")."""
    Image = _pil()
    if color_mode not in _MODES:
        raise ValueError(f"load_img: color_mode must be one of {sorted(_MODES)}, got {color_mode!r}")
    with open(path, "rb") as f:
        img = Image.open(f)
        img.load()
    img = img.convert(_MODES[color_mode]) if img.mode != _MODES[color_mode] else img
    if target_size is not None:
        height, width = (int(s) for s in target_size)
        methods = {"nearest": Image.NEAREST, "bilinear": Image.BILINEAR, "bicubic": Image.BICUBIC,
                   "lanczos": Image.LANCZOS, "box": Image.BOX, "hamming": Image.HAMMING}
        if interpolation not in methods:
            raise ValueError(f"load_img: interpolation must be one of {sorted(methods)}, got {interpolation!r}")
        if keep_aspect_ratio:  # crop the centre to the target's aspect ratio first, as Keras
            w, h = img.size
            crop_w, crop_h = min(w, round(h * width / height)), min(h, round(w * height / width))
            left, top = (w - crop_w) // 2, (h - crop_h) // 2
            img = img.crop((left, top, left + crop_w, top + crop_h))
        if img.size != (width, height):
            img = img.resize((width, height), methods[interpolation])
    return img


def img_to_array(img, data_format=None, dtype="float32") -> np.ndarray:
    """(H, W, C) array of a PIL image (C = 1 for grayscale); channels_first gives (C, H, W).

    >>> img_to_array(array_to_img(np.zeros((2, 3, 3)))).shape
    (2, 3, 3)
    """
    x = np.asarray(img, dtype=dtype or "float32")
    if x.ndim == 2:
        x = x[:, :, None]
    if x.ndim != 3:
        raise ValueError(f"img_to_array: expected an image of rank 2 or 3, got shape {x.shape}")
    return x.transpose(2, 0, 1) if data_format == "channels_first" else x


def array_to_img(x, data_format=None, scale: bool = True, dtype=None):
    """A PIL image of an (H, W, C) array (C in 1, 3, 4); scale maps its min..max to 0..255, as Keras."""
    Image = _pil()
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 3:
        raise ValueError(f"array_to_img: expected an image array of rank 3, got shape {x.shape}")
    if data_format == "channels_first":
        x = x.transpose(1, 2, 0)
    if scale:
        x = x - x.min()
        top = x.max()
        x = x / top * 255 if top > 0 else x
    channels = x.shape[2]
    if channels not in (1, 3, 4):
        raise ValueError(f"array_to_img: expected 1, 3 or 4 channels, got {channels}")
    x = np.clip(x, 0, 255).astype(np.uint8)
    return Image.fromarray(x[:, :, 0] if channels == 1 else x, {1: "L", 3: "RGB", 4: "RGBA"}[channels])


def save_img(path, x, data_format=None, file_format=None, scale: bool = True, **kwargs) -> None:
    """Write an (H, W, C) array as an image file (format from the extension unless file_format)."""
    array_to_img(x, data_format=data_format, scale=scale).save(path, format=file_format, **kwargs)
