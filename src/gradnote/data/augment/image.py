"""Image augmentation on batches: each image of a batch gets its own random rotation, crop, flip...

Every transform is a callable ``t(x) -> x`` taking a batch (N, C, H, W), or (N, H, W, C) with
``channels_last=True``, or a single image (C, H, W) / (H, W, C) / (H, W). It returns the same
kind of object (ndarray or Tensor) with the same layout and dtype (integer images are rounded
and clipped to their dtype's range), so it can serve as a ``DataLoader(transform=...)`` (batch)
or be called inside a Dataset's ``__getitem__`` (sample).

    aug = Compose([RandomCrop(28, padding=2), RandomRotation(10), GaussianNoise(0.05)])
    loader = DataLoader(TensorDataset(x, y), batch_size=64, shuffle=True, transform=aug)

Random parameters come from ``generator`` if given, else gradnote's generator at call time,
so ``gn.manual_seed`` makes augmentation repeat. Flips, crops, jitter and noise are single
vectorised NumPy operations on the batch; rotation and scaling resample each image with
``scipy.ndimage.affine_transform`` (imported on first use), since every image has its own matrix.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from ...random import get_rng

_GRAY = np.array([0.299, 0.587, 0.114])  # ITU-R 601 luma, as torchvision and PIL use


def _range(name: str, arg: str, value, center: float, low: float = -np.inf) -> tuple[float, float]:
    """A number v gives (center - v, center + v) clipped at ``low``; a pair is taken as (lo, hi)."""
    if isinstance(value, (int, float, np.number)) and not isinstance(value, bool):
        if value < 0:
            raise ValueError(f"{name}: {arg} must be >= 0, got {value!r}")
        return max(low, center - float(value)), center + float(value)
    try:
        lo, hi = (float(v) for v in value)
    except (TypeError, ValueError):
        raise ValueError(f"{name}: {arg} must be a number or a (min, max) pair, got {value!r}") from None
    if not low <= lo <= hi:
        raise ValueError(f"{name}: {arg} range must satisfy {low} <= min <= max, got {value!r}")
    return lo, hi


def _pair(name: str, arg: str, value) -> tuple[int, int]:
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        value = (value, value)
    try:
        a, b = (int(v) for v in value)
    except (TypeError, ValueError):
        raise ValueError(f"{name}: {arg} must be an int or an (h, w) pair, got {value!r}") from None
    return a, b


class ImageTransform:
    """Shared plumbing: bring any input to a float (N, C, H, W) batch, apply, restore the caller's layout."""

    def __init__(self, channels_last: bool = False, generator: np.random.Generator | None = None):
        self.channels_last = bool(channels_last)
        self.generator = generator

    def apply(self, x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """x: float (N, C, H, W) -> (N, C, H', W')."""
        raise NotImplementedError

    def __call__(self, x):
        from ...autograd import Tensor

        is_tensor = isinstance(x, Tensor)
        arr = np.asarray(x.data if is_tensor else x)
        name = type(self).__name__
        if arr.ndim not in (2, 3, 4):
            layout = "(N, H, W, C)" if self.channels_last else "(N, C, H, W)"
            raise ValueError(f"{name}: expected a batch {layout} or a single image, got shape {arr.shape}")
        if arr.dtype.kind not in "fiub":
            raise TypeError(f"{name}: expected a numeric image array, got dtype {arr.dtype}")
        ndim = arr.ndim
        batch = arr
        if ndim == 2:
            batch = arr[None, None]
        elif ndim == 3:
            batch = arr[None]
        if self.channels_last and ndim != 2:
            batch = batch.transpose(0, 3, 1, 2)
        work = batch if batch.dtype.kind == "f" else batch.astype(np.float32)
        out = self.apply(work, get_rng(self.generator))
        if self.channels_last and ndim != 2:
            out = out.transpose(0, 2, 3, 1)
        out = out[0, 0] if ndim == 2 else out[0] if ndim == 3 else out
        if arr.dtype.kind in "iu":
            info = np.iinfo(arr.dtype)
            out = np.clip(np.rint(out), info.min, info.max)
        elif arr.dtype.kind == "b":
            out = out > 0.5
        out = np.ascontiguousarray(out, dtype=arr.dtype)
        return Tensor._wrap(out) if is_tensor else out

    def __repr__(self) -> str:
        fields = ", ".join(f"{k}={v!r}" for k, v in vars(self).items() if k != "generator")
        return f"{type(self).__name__}({fields})"


def _affine(x: np.ndarray, matrices: np.ndarray, order: int, mode: str, fill: float) -> np.ndarray:
    """Resample each image n of x (N, C, H, W) at input coords A_n (o - c) + c for output pixel o, c = centre."""
    from scipy import ndimage

    h, w = x.shape[2:]
    center = np.array([(h - 1) / 2.0, (w - 1) / 2.0])
    out = np.empty(x.shape, dtype=x.dtype)
    # scipy takes one matrix per call; 2-D calls per channel are about twice as fast as one 3-D call
    # per image (a 3-D linear interpolation visits 8 neighbours instead of 4).
    for n, a in enumerate(matrices):
        offset = center - a @ center
        for c in range(x.shape[1]):
            ndimage.affine_transform(x[n, c], a, offset=offset, output=out[n, c], order=order, mode=mode, cval=fill)
    return out


class RandomRotation(ImageTransform):
    """Rotate each image about its centre by an angle drawn uniformly from ``degrees`` (counter-clockwise).

    ``degrees``: d gives angles in [-d, d], or a (min, max) pair. The output keeps (H, W); pixels
    from outside the image take ``fill`` (``mode`` as in scipy.ndimage: "constant", "nearest",
    "reflect", "wrap"). ``order``: spline order of the interpolation (0 nearest, 1 bilinear).
    A rotation by 90 degrees equals ``np.rot90`` on square images.
    """

    def __init__(self, degrees, fill: float = 0.0, order: int = 1, mode: str = "constant",
                 channels_last: bool = False, generator: np.random.Generator | None = None):
        super().__init__(channels_last, generator)
        self.degrees = _range("RandomRotation", "degrees", degrees, 0.0)
        self.fill, self.order, self.mode = float(fill), int(order), mode

    def apply(self, x, rng):
        theta = np.deg2rad(rng.uniform(*self.degrees, size=len(x)))
        # Rounding makes multiples of 90 degrees exact (cos(pi) is -1 + 1e-16 otherwise), so corner
        # pixels do not land a hair outside the image and take the fill value.
        cos, sin = np.round(np.cos(theta), 12), np.round(np.sin(theta), 12)
        # (row, col) coordinates with rows pointing down: a counter-clockwise turn of the picture
        # reads output pixel (r, c) from input (cos r + sin c, -sin r + cos c).
        mats = np.stack([np.stack([cos, sin], -1), np.stack([-sin, cos], -1)], 1)
        return _affine(x, mats, self.order, self.mode, self.fill)


class RandomScale(ImageTransform):
    """Zoom each image about its centre by a factor drawn uniformly from ``scale=(lo, hi)``, keeping (H, W).

    A factor s > 1 enlarges the content (the borders are cut off), s < 1 shrinks it (the border
    takes ``fill``): output pixel o reads input (o - c) / s + c.
    """

    def __init__(self, scale=(0.9, 1.1), fill: float = 0.0, order: int = 1, mode: str = "constant",
                 channels_last: bool = False, generator: np.random.Generator | None = None):
        super().__init__(channels_last, generator)
        lo, hi = _range("RandomScale", "scale", scale, 1.0, low=0.0)
        if lo <= 0:
            raise ValueError(f"RandomScale: scale factors must be > 0, got {scale!r}")
        self.scale = (lo, hi)
        self.fill, self.order, self.mode = float(fill), int(order), mode

    def apply(self, x, rng):
        s = rng.uniform(*self.scale, size=len(x))
        mats = np.eye(2)[None] / s[:, None, None]
        return _affine(x, mats, self.order, self.mode, self.fill)


class RandomCrop(ImageTransform):
    """Pad each side by ``padding`` (with ``fill``, or ``pad_mode`` "edge"/"reflect"), then cut a random
    (h, w) window per image: (N, C, H, W) -> (N, C, h, w). ``size``: int or (h, w)."""

    def __init__(self, size, padding=0, fill: float = 0.0, pad_mode: str = "constant",
                 channels_last: bool = False, generator: np.random.Generator | None = None):
        super().__init__(channels_last, generator)
        self.size = _pair("RandomCrop", "size", size)
        self.padding = _pair("RandomCrop", "padding", padding)
        if min(self.size) < 1 or min(self.padding) < 0:
            raise ValueError(f"RandomCrop: size must be >= 1 and padding >= 0, got size={size!r}, padding={padding!r}")
        self.fill, self.pad_mode = float(fill), pad_mode

    def apply(self, x, rng):
        ph, pw = self.padding
        if ph or pw:
            widths = ((0, 0), (0, 0), (ph, ph), (pw, pw))
            kw = {"constant_values": self.fill} if self.pad_mode == "constant" else {}
            x = np.pad(x, widths, mode=self.pad_mode, **kw)
        n, _, hp, wp = x.shape
        h, w = self.size
        if h > hp or w > wp:
            raise ValueError(f"RandomCrop: crop size {(h, w)} is larger than the padded image {(hp, wp)}")
        top = rng.integers(0, hp - h + 1, size=n)
        left = rng.integers(0, wp - w + 1, size=n)
        windows = np.lib.stride_tricks.sliding_window_view(x, (h, w), axis=(2, 3))  # (N, C, hp-h+1, wp-w+1, h, w)
        return windows[np.arange(n), :, top, left]  # advanced indices around a slice: (N, C, h, w)


class RandomHorizontalFlip(ImageTransform):
    """Mirror each image left-right with probability ``p``."""

    def __init__(self, p: float = 0.5, channels_last: bool = False, generator: np.random.Generator | None = None):
        super().__init__(channels_last, generator)
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"RandomHorizontalFlip: p must be in [0, 1], got {p!r}")
        self.p = float(p)

    def apply(self, x, rng):
        flip = rng.random(len(x)) < self.p
        return np.where(flip[:, None, None, None], x[..., ::-1], x)


class ColorJitter(ImageTransform):
    """Randomly change brightness, then contrast, then saturation, with one factor per image for each.

    Each argument v >= 0 draws a factor from [max(0, 1 - v), 1 + v] (or give a (min, max) pair; 0 = off):
    - brightness b: x * b
    - contrast c: m + c (x - m), m the image's mean grey level
    - saturation s: g + s (x - g), g the grey image 0.299 R + 0.587 G + 0.114 B (RGB only; grey
      images have nothing to saturate and pass unchanged)
    ``value_range=(lo, hi)`` clips the result (e.g. (0, 1) for images scaled to [0, 1]); integer
    images are always clipped to their dtype's range.
    """

    def __init__(self, brightness=0.0, contrast=0.0, saturation=0.0, value_range: tuple[float, float] | None = None,
                 channels_last: bool = False, generator: np.random.Generator | None = None):
        super().__init__(channels_last, generator)
        self.brightness = _range("ColorJitter", "brightness", brightness, 1.0, low=0.0)
        self.contrast = _range("ColorJitter", "contrast", contrast, 1.0, low=0.0)
        self.saturation = _range("ColorJitter", "saturation", saturation, 1.0, low=0.0)
        self.value_range = value_range

    @staticmethod
    def _gray(x: np.ndarray) -> np.ndarray:
        if x.shape[1] == 3:
            return np.tensordot(_GRAY.astype(x.dtype), x, axes=([0], [1]))[:, None]
        return x.mean(axis=1, keepdims=True)

    def apply(self, x, rng):
        n, c = x.shape[:2]
        if self.saturation != (1.0, 1.0) and c not in (1, 3):
            raise ValueError(f"ColorJitter: saturation needs RGB (3 channels) or grey (1), got {c} channels")

        def factors(rng_range):
            return rng.uniform(*rng_range, size=n).astype(x.dtype)[:, None, None, None]

        if self.brightness != (1.0, 1.0):
            x = x * factors(self.brightness)
        if self.contrast != (1.0, 1.0):
            mean = self._gray(x).mean(axis=(1, 2, 3), keepdims=True)
            x = mean + factors(self.contrast) * (x - mean)
        if self.saturation != (1.0, 1.0) and c == 3:
            gray = self._gray(x)
            x = gray + factors(self.saturation) * (x - gray)
        if self.value_range is not None:
            x = np.clip(x, *self.value_range)
        return x


class GaussianNoise(ImageTransform):
    """Add independent N(mean, std^2) noise to every pixel; ``clip=(lo, hi)`` bounds the result."""

    def __init__(self, std: float, mean: float = 0.0, clip: tuple[float, float] | None = None,
                 channels_last: bool = False, generator: np.random.Generator | None = None):
        super().__init__(channels_last, generator)
        if not std >= 0:
            raise ValueError(f"GaussianNoise: std must be >= 0, got {std!r}")
        self.std, self.mean, self.clip = float(std), float(mean), clip

    def __call__(self, x):
        # Noise has no notion of layout: any shape works, so skip the image-shape checks.
        from ...autograd import Tensor

        is_tensor = isinstance(x, Tensor)
        arr = np.asarray(x.data if is_tensor else x)
        if arr.ndim in (2, 3, 4) and arr.dtype.kind in "fiu":
            return super().__call__(x)
        if arr.dtype.kind != "f":
            raise TypeError(f"GaussianNoise: expected a float array, got dtype {arr.dtype}")
        out = self.apply(arr, get_rng(self.generator))
        return Tensor._wrap(out) if is_tensor else out

    def apply(self, x, rng):
        out = x + rng.normal(self.mean, self.std, size=x.shape).astype(x.dtype)
        if self.clip is not None:
            out = np.clip(out, *self.clip)
        return out


class Compose:
    """Apply transforms in order: ``Compose([RandomCrop(28, padding=2), RandomHorizontalFlip()])(x)``."""

    def __init__(self, transforms: Sequence[Callable]):
        transforms = list(transforms)
        for t in transforms:
            if not callable(t):
                raise TypeError(f"Compose: every transform must be callable, got {t!r}")
        self.transforms = transforms

    def __call__(self, x):
        for t in self.transforms:
            x = t(x)
        return x

    def __repr__(self) -> str:
        return "Compose([" + ", ".join(map(repr, self.transforms)) + "])"
