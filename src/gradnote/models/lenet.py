"""LeNet-5 (LeCun et al., 1998), the classic convolutional network for handwritten digits."""

from __future__ import annotations

from .. import functional as F
from ..nn.conv import Conv2d
from ..nn.linear import Linear
from ..nn.module import Module

__all__ = ["LeNet5"]


class LeNet5(Module):
    """LeNet-5 for 28x28 images (MNIST): two conv + pool blocks, then dense 120 -> 84 -> classes.

        x (N, in_channels, 28, 28)
        conv1  Conv2d(in_channels, 6, 5, padding=2) -> ReLU -> MaxPool 2x2   (N, 6, 14, 14)
        conv2  Conv2d(6, 16, 5)                     -> ReLU -> MaxPool 2x2   (N, 16, 5, 5)
        flatten                                                              (N, 400)
        fc1    Linear(400, 120) -> ReLU,  fc2  Linear(120, 84) -> ReLU,  fc3  Linear(84, num_classes)

    The modern variant: ReLU and max pooling instead of the 1998 paper's scaled tanh and
    trainable subsampling (they train MNIST faster and to higher accuracy), and padding 2
    on conv1 so a 28x28 input meets conv2 at the 14x14 the 32x32 original had. Returns
    logits (N, num_classes), for cross_entropy. Submodule names (conv1, conv2, fc1, fc2,
    fc3) are those of the usual PyTorch LeNet, so state dicts exchange.

    >>> LeNet5()(gn.randn(64, 1, 28, 28)).shape
    (64, 10)
    """

    def __init__(self, num_classes: int = 10, in_channels: int = 1):
        super().__init__()
        for name, value in (("num_classes", num_classes), ("in_channels", in_channels)):
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"LeNet5: {name} must be a positive int, got {value!r}")
        self.conv1 = Conv2d(in_channels, 6, 5, padding=2)
        self.conv2 = Conv2d(6, 16, 5)
        self.fc1 = Linear(16 * 5 * 5, 120)
        self.fc2 = Linear(120, 84)
        self.fc3 = Linear(84, num_classes)

    def forward(self, x):
        if x.ndim != 4 or x.shape[2:] != (28, 28):
            raise ValueError(f"LeNet5: expected input of shape (N, {self.conv1.in_channels}, 28, 28), "
                             f"got {tuple(x.shape)}")
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = x.reshape(x.shape[0], 16 * 5 * 5)  # not -1: ambiguous for an empty batch
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.fc3(x)
