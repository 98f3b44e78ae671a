"""Parametrizations (PyTorch's ``torch.nn.utils.parametrize``): a module's tensor recomputed from other tensors on
every access, so training moves the originals and the constraint holds by construction.

    class Symmetric(nn.Module):
        def forward(self, X):
            return X.triu() + X.triu(1).mT
    register_parametrization(layer, "weight", Symmetric())
    layer.weight                                   # Symmetric()(layer.parametrizations.weight.original)

The module's class is swapped for a subclass with a property of that name (as PyTorch); the originals live in
``module.parametrizations[name]`` (state-dict keys ``parametrizations.weight.original``, or ``original0``,
``original1``, ... when ``right_inverse`` returns several tensors), next to the parametrization modules.
"""

from __future__ import annotations

from ...autograd import Tensor, no_grad
from ..containers import ModuleDict, ModuleList
from ..module import Module, Parameter

__all__ = ["ParametrizationList", "is_parametrized", "register_parametrization", "remove_parametrizations"]


def _like(original, value):
    """`value` as `original` was held: a Parameter (trainable as before) or a plain buffer Tensor."""
    if isinstance(original, Parameter):
        return Parameter(value.detach() if isinstance(value, Tensor) else value, requires_grad=original.requires_grad)
    return value.detach() if isinstance(value, Tensor) else value


class ParametrizationList(ModuleList):
    """The parametrizations of one tensor ("0", "1", ...) applied in order, with the originals they start from:
    ``original`` (or ``original0``, ``original1``, ... when the first ``right_inverse`` gives a tuple)."""

    def __init__(self, modules, original, unsafe: bool = False):
        super().__init__(modules)
        self.unsafe = unsafe
        first = modules[0]
        with no_grad():
            new = first.right_inverse(original) if hasattr(first, "right_inverse") else original
        self.is_tensor = isinstance(new, Tensor)
        if self.is_tensor:
            if new is not original:  # keep the same Parameter object, as torch's set_
                if tuple(new.shape) != tuple(original.shape) and not unsafe:
                    raise ValueError(f"register_parametrization: right_inverse changed the shape from "
                                     f"{tuple(original.shape)} to {tuple(new.shape)} (pass unsafe=True to allow it)")
                original.data = new.data.astype(original.data.dtype, copy=True)
            self._keep("original", original)
        else:
            if not isinstance(new, (tuple, list)) or not all(isinstance(t, Tensor) for t in new):
                raise ValueError(f"register_parametrization: right_inverse must return a Tensor or a tuple of "
                                 f"Tensors, got {type(new).__name__}")
            self.ntensors = len(new)
            for i, t in enumerate(new):
                self._keep(f"original{i}", _like(original, t))

    def _keep(self, name: str, value) -> None:
        if isinstance(value, Parameter):
            setattr(self, name, value)
        else:
            self.register_buffer(name, value)

    def originals(self) -> tuple:
        return (self.original,) if self.is_tensor else tuple(getattr(self, f"original{i}") for i in range(self.ntensors))

    def forward(self) -> Tensor:
        mods = list(self)
        x = mods[0](*self.originals())
        for m in mods[1:]:
            x = m(x)
        return x

    def right_inverse(self, value) -> None:
        """Assigning ``module.weight = value``: each parametrization's right_inverse in reverse order, into the
        originals (in place)."""
        with no_grad():
            for m in reversed(list(self)[1:]):
                value = m.right_inverse(value) if hasattr(m, "right_inverse") else value
            first = list(self)[0]
            value = first.right_inverse(value) if hasattr(first, "right_inverse") else value
            values = (value,) if self.is_tensor else tuple(value)
            for target, v in zip(self.originals(), values):
                arr = v.data if isinstance(v, Tensor) else v
                if tuple(arr.shape) != tuple(target.shape):
                    raise ValueError(f"parametrization: assigned value of shape {tuple(arr.shape)} for an original "
                                     f"of shape {tuple(target.shape)}")
                target.data[...] = arr


class _Parametrized:
    """Mixed into a parametrized module's class: assignment to a parametrized name goes to right_inverse."""

    def __setattr__(self, name: str, value) -> None:
        if name in type(self)._parametrized_names:
            self.parametrizations[name].right_inverse(value)
        else:
            super().__setattr__(name, value)


def _inject(module: Module, name: str) -> None:
    cls = type(module)
    if not issubclass(cls, _Parametrized):
        cls = type(f"Parametrized{cls.__name__}", (_Parametrized, cls), {"_parametrized_names": frozenset()})
        object.__setattr__(module, "__class__", cls)  # Module.__setattr__ would store it as an attribute
    cls._parametrized_names = cls._parametrized_names | {name}
    setattr(cls, name, property(lambda self: self.parametrizations[name]()))


def register_parametrization(module: Module, tensor_name: str, parametrization: Module, *,
                             unsafe: bool = False) -> Module:
    """Make ``module.<tensor_name>`` be ``parametrization(original)``, recomputed on each access; a second call
    on the same name chains (``p2(p1(original))``). ``parametrization.right_inverse(X)``, if defined, maps the
    current value to the original(s) (a Tensor or a tuple of them). Returns `module`.

    >>> m = nn.Linear(2, 2); _ = register_parametrization(m, "weight", nn.Identity())
    >>> is_parametrized(m, "weight"), sorted(m.state_dict())
    (True, ['bias', 'parametrizations.weight.original'])
    """
    if not isinstance(parametrization, Module):
        raise TypeError(f"register_parametrization: parametrization must be an nn.Module, got "
                        f"{type(parametrization).__name__}")
    if is_parametrized(module, tensor_name):
        plist = module.parametrizations[tensor_name]
        if not unsafe:
            with no_grad():
                x = getattr(module, tensor_name)
                y = parametrization(x)
            if not isinstance(y, Tensor) or tuple(y.shape) != tuple(x.shape) or y.dtype != x.dtype:
                raise ValueError(f"register_parametrization: the parametrization changes {tensor_name!r} from "
                                 f"{tuple(x.shape)} {x.dtype} to {getattr(y, 'shape', y)} (unsafe=True allows it)")
        plist.append(parametrization)
        return module
    original = module._parameters.get(tensor_name, module._buffers.get(tensor_name))
    if original is None:
        raise ValueError(f"register_parametrization: module {type(module).__name__} has no parameter or buffer "
                         f"with name {tensor_name!r}")
    if not isinstance(original, Tensor):
        original = Tensor(original)
    plist = ParametrizationList([parametrization], original, unsafe=unsafe)
    delattr(module, tensor_name)
    module.__dict__.get("_buffer_names", set()).discard(tensor_name)
    if "parametrizations" not in module._modules:
        Module.__setattr__(module, "parametrizations", ModuleDict())
    module.parametrizations[tensor_name] = plist
    _inject(module, tensor_name)
    return module


def is_parametrized(module: Module, tensor_name: str | None = None) -> bool:
    """Whether `module` has parametrizations (on `tensor_name`, if given)."""
    plists = module._modules.get("parametrizations")
    if not isinstance(plists, ModuleDict):
        return False
    return len(plists) > 0 if tensor_name is None else tensor_name in plists


def remove_parametrizations(module: Module, tensor_name: str, leave_parametrized: bool = True) -> Module:
    """Undo register_parametrization on `tensor_name`: the tensor becomes a plain parameter again, holding its
    current parametrized value (leave_parametrized=True) or the original. Returns `module`."""
    if not is_parametrized(module, tensor_name):
        raise ValueError(f"remove_parametrizations: module {type(module).__name__} does not have a parametrization "
                         f"on {tensor_name!r}")
    plist = module.parametrizations[tensor_name]
    if leave_parametrized:
        with no_grad():
            value = getattr(module, tensor_name)
        if plist.is_tensor:
            original = plist.original
            original.data = value.data.astype(original.data.dtype, copy=True)
        else:
            original = _like(plist.original0, value)
    elif plist.is_tensor:
        original = plist.original
    else:
        raise ValueError("remove_parametrizations: cannot leave unparametrized (leave_parametrized=False) a tensor "
                         "that is parametrized in terms of a sequence of tensors")
    cls = type(module)
    delattr(cls, tensor_name)
    cls._parametrized_names = cls._parametrized_names - {tensor_name}
    del module.parametrizations[tensor_name]
    if not cls._parametrized_names:
        Module.__delattr__(module, "parametrizations")
        object.__setattr__(module, "__class__", next(c for c in cls.__mro__[1:] if c is not _Parametrized))
    if isinstance(original, Parameter):
        Module.__setattr__(module, tensor_name, original)
    else:
        module.register_buffer(tensor_name, original)
    return module
