"""parameters_to_vector / vector_to_parameters: all parameters as one flat vector and back (torch.nn.utils'),
for optimisers and analyses that treat a model's weights as a single point (line searches, weight averaging)."""

from __future__ import annotations

from collections.abc import Iterable

from ...autograd import Tensor, concat

__all__ = ["parameters_to_vector", "vector_to_parameters"]


def parameters_to_vector(parameters: Iterable[Tensor]) -> Tensor:
    """The parameters flattened and joined in order -> (total,) (differentiable, as torch's).

    >>> nn.utils.parameters_to_vector(nn.Linear(3, 2).parameters()).shape
    (8,)
    """
    params = [parameters] if isinstance(parameters, Tensor) else list(parameters)
    if not params:
        raise ValueError("parameters_to_vector: got no parameters")
    return concat([p.reshape(-1) for p in params], 0)


def vector_to_parameters(vec: Tensor, parameters: Iterable[Tensor]) -> None:
    """Copy consecutive slices of vec (total,) into the parameters' data in place, in order.

    >>> lin = nn.Linear(1, 1); nn.utils.vector_to_parameters(gn.tensor([2.0, 3.0]), lin.parameters())
    >>> lin.weight.item(), lin.bias.item()
    (2.0, 3.0)
    """
    if not isinstance(vec, Tensor) or vec.ndim != 1:
        raise TypeError(f"vector_to_parameters: expected a 1-D Tensor, got {type(vec).__name__} of shape "
                        f"{getattr(vec, 'shape', None)}")
    params = [parameters] if isinstance(parameters, Tensor) else list(parameters)
    total = sum(p.numel() for p in params)
    if vec.shape[0] != total:
        raise ValueError(f"vector_to_parameters: the vector has {vec.shape[0]} entries but the parameters hold {total}")
    start = 0
    for p in params:
        n = p.numel()
        p.data[...] = vec.data[start:start + n].reshape(p.shape)
        start += n
