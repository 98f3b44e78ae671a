"""The arrays behind ``param.data`` and ``tensor.grad``: NumPy arrays that also answer PyTorch's in-place methods.

gradnote's contract keeps ``.data`` and ``.grad`` as ndarrays (NumPy-first). PyTorch code writes
``p.data.add_(p.grad, alpha=-lr)``, ``m.weight.data.normal_(0, 0.02)``, ``p.grad.data.clamp_(-1, 1)`` or
``w.grad.zero_()``; an ``InplaceArray`` is an ndarray (every NumPy use works unchanged) with those methods
added, each changing the array itself. Arithmetic on it gives plain ndarrays, so it never spreads into
the results of ops.

>>> g = np.ones(3).view(InplaceArray)
>>> g.mul_(3).add_(np.ones(3), alpha=-1).tolist(), type(g * 2).__name__
([2.0, 2.0, 2.0], 'ndarray')
"""

from __future__ import annotations

import numbers
import warnings

from .. import backend
from ..backend import xp as np  # the array namespace (NumPy today)
from ..random import get_rng


def _plain(x):
    """A Tensor's array, an array, or a number (ndarray.data is a memoryview, so arrays are kept as they are)."""
    if isinstance(x, np.ndarray) or np.isscalar(x):
        return x
    data = getattr(x, "data", None)
    return data if isinstance(data, np.ndarray) else np.asarray(x)


def scalar_first(op: str, value, other):
    """PyTorch's deprecated overloads ``add_(Number alpha, Tensor other)`` and ``addcmul_(Number value, t1, t2)``
    (old programs' ``p.data.add_(-lr, p.grad.data)``): True, with PyTorch's warning, when ``value`` came first."""
    if isinstance(value, numbers.Number) and not isinstance(other, numbers.Number) and other is not None:
        warnings.warn(f"{op}(Number, Tensor, ...) is a deprecated PyTorch overload; write the number as the "
                      "keyword argument (alpha= / value=)", UserWarning, stacklevel=3)
        return True
    return False


class InplaceArray(np.ndarray):
    """An ndarray with PyTorch's in-place methods (see the module docstring)."""

    def __array_wrap__(self, obj, context=None, return_scalar=False):
        out = obj.view(np.ndarray)
        return out[()] if return_scalar else out

    @property
    def data(self):  # PyTorch's p.grad.data / p.data.data: the same array
        return self

    def __repr__(self) -> str:  # shown as the ndarray it is
        return repr(self.view(np.ndarray))

    def add_(self, other, alpha=1):
        if scalar_first("add_", other, alpha):
            other, alpha = alpha, other
        np.add(self, _plain(other) if alpha == 1 else alpha * _plain(other), out=self, casting="unsafe")
        return self

    def sub_(self, other, alpha=1):
        if scalar_first("sub_", other, alpha):
            other, alpha = alpha, other
        return self.add_(other, alpha=-alpha)

    def addcmul_(self, tensor1, tensor2, value=1):
        if scalar_first("addcmul_", tensor1, value):
            tensor1, tensor2, value = tensor2, value, tensor1
        return self.add_(_plain(tensor1) * _plain(tensor2), alpha=value)

    def addcdiv_(self, tensor1, tensor2, value=1):
        if scalar_first("addcdiv_", tensor1, value):
            tensor1, tensor2, value = tensor2, value, tensor1
        return self.add_(_plain(tensor1) / _plain(tensor2), alpha=value)

    def mul_(self, other):
        np.multiply(self, _plain(other), out=self, casting="unsafe")
        return self

    def div_(self, other):
        np.divide(self, _plain(other), out=self, casting="unsafe")
        return self

    def clamp_(self, min=None, max=None):  # noqa: A002 - PyTorch's names
        np.clip(self, min, max, out=self)
        return self

    def zero_(self):
        self[...] = 0
        return self

    def fill_(self, value):
        self[...] = _plain(value)
        return self

    def copy_(self, src, non_blocking: bool = False):
        self[...] = _plain(src)
        return self

    def normal_(self, mean: float = 0.0, std: float = 1.0, generator=None):
        self[...] = get_rng(generator).standard_normal(self.shape) * std + mean
        return self

    def uniform_(self, a: float = 0.0, b: float = 1.0, generator=None):
        self[...] = get_rng(generator).uniform(a, b, self.shape)
        return self

    def norm(self, p: float = 2.0):
        """The p-norm of all elements, as a NumPy scalar (PyTorch's grad.norm() for logging and clipping)."""
        flat = np.abs(self.view(np.ndarray)).ravel()
        return flat.max() if p == np.inf else (flat**p).sum() ** (1.0 / p)

    def numel(self) -> int:
        return int(self.view(np.ndarray).size)

    def dim(self) -> int:
        return self.ndim

    def clone(self):
        return np.array(self.view(np.ndarray))

    def detach(self):
        return self


def plain(array):
    """The same memory as a plain ndarray (what the ops compute on); a Tensor (PyTorch code assigns
    ``p.grad = torch.zeros_like(p)``) gives its array."""
    if type(array) is np.ndarray:
        return array
    array = getattr(array, "data", array) if not isinstance(array, backend.array_types) else array
    if not backend.is_host(array):  # a CuPy array is already plain
        return array
    if not isinstance(array, np.ndarray):
        array = np.asarray(getattr(array, "data", array))
    return array.view(np.ndarray)
