"""Lesson 13 exercises: convolution sizes, a convolution, max pooling, parameter counts."""

import numpy as np


def conv_output_size(n: int, k: int, s: int = 1, p: int = 0) -> int:
    return (n + 2 * p - k) // s + 1


def conv2d_single(image, kernel):
    """Valid cross-correlation of an (H, W) image with a (kh, kw) kernel -> (H - kh + 1, W - kw + 1)."""
    image, kernel = np.asarray(image, dtype=np.float64), np.asarray(kernel, dtype=np.float64)
    kh, kw = kernel.shape
    out = np.empty((image.shape[0] - kh + 1, image.shape[1] - kw + 1))
    for i, j in np.ndindex(out.shape):
        out[i, j] = (image[i:i + kh, j:j + kw] * kernel).sum()
    return out


def max_pool(image, size: int = 2):
    """The largest value of each size x size window of an (H, W) image (H, W divisible by size)."""
    h, w = np.shape(image)
    return np.asarray(image).reshape(h // size, size, w // size, size).max(axis=(1, 3))


def conv_params(c_in: int, c_out: int, k: int) -> int:
    return c_out * c_in * k * k + c_out
