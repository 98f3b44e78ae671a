"""Data augmentation: random image transforms on batches and the EDA operations on token lists.

Image transforms (``image.py``) take a batch (N, C, H, W) (or NHWC with ``channels_last=True``)
or a single image and fit ``DataLoader(transform=...)``; text transforms (``text.py``) take a
token list or a list of them. All are seeded by gradnote's generator or an explicit ``generator``.
"""

from .image import (
                    ColorJitter,
                    Compose,
                    GaussianNoise,
                    ImageTransform,
                    RandomCrop,
                    RandomHorizontalFlip,
                    RandomRotation,
                    RandomScale,
)
from .text import RandomDeletion, RandomInsertion, RandomSwap, SynonymReplacement, TextTransform

__all__ = ["ColorJitter", "Compose", "GaussianNoise", "ImageTransform", "RandomCrop", "RandomDeletion",
           "RandomHorizontalFlip", "RandomInsertion", "RandomRotation", "RandomScale", "RandomSwap",
           "SynonymReplacement", "TextTransform"]
