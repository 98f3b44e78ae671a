"""Containers: Sequential (layers applied in order) and ModuleList."""

from __future__ import annotations

import warnings
from collections import OrderedDict

from ..autograd import Tensor
from .module import Module, Parameter


class Sequential(Module):
    """Applies its layers in order; sub-modules are named "0", "1", ... as in PyTorch.

    >>> model = nn.Sequential(nn.Linear(2, 4), nn.ReLU()).add(nn.Linear(4, 1))
    >>> model(gn.ones(5, 2)).shape, [name for name, _ in model.named_parameters()]
    ((5, 1), ['0.weight', '0.bias', '2.weight', '2.bias'])
    """

    def __init__(self, *layers):
        super().__init__()
        if len(layers) == 1 and isinstance(layers[0], (list, tuple)):  # Keras: Sequential([Dense(...), ...])
            layers = tuple(layers[0])
        if len(layers) == 1 and isinstance(layers[0], OrderedDict):
            for name, layer in layers[0].items():
                self.add_module(name, _check_module("Sequential", layer))
        else:
            for layer in layers:
                self.add(layer)

    def add(self, layer: Module) -> Sequential:
        """Append a layer (Keras's model.add)."""
        self.add_module(str(len(self._modules)), _check_module("Sequential.add", layer))
        return self

    def forward(self, x):
        for layer in self._modules.values():
            x = layer(x)
        return x

    def __getitem__(self, i):
        layers = list(self._modules.values())
        if isinstance(i, slice):
            return Sequential(*layers[i])
        return layers[i]

    # Deprecated Keras training: gradnote.keras.Sequential has these; gradnote.keras installs its training
    # module here on import (install_keras_training), so nn imports nothing from the layers above it
    def compile(self, optimizer="rmsprop", loss=None, metrics=None) -> None:
        """Deprecated: use gradnote.keras.Sequential (Keras's compile)."""
        _keras_training("compile").compile(self, optimizer=optimizer, loss=loss, metrics=metrics)

    def fit(self, x=None, y=None, batch_size: int = 32, epochs: int = 1, verbose: int = 1, callbacks=None,
            validation_split: float = 0.0, validation_data=None, shuffle: bool = True, initial_epoch: int = 0,
            resume=None):
        """Deprecated: use gradnote.keras.Sequential (Keras's fit)."""
        return _keras_training("fit").fit(self, x, y, batch_size=batch_size, epochs=epochs, verbose=verbose,
                                          callbacks=callbacks, validation_split=validation_split,
                                          validation_data=validation_data, shuffle=shuffle,
                                          initial_epoch=initial_epoch, resume=resume)

    def evaluate(self, x=None, y=None, batch_size: int = 32, verbose: int = 0):
        """Deprecated: use gradnote.keras.Sequential (Keras's evaluate)."""
        return _keras_training("evaluate").evaluate(self, x, y, batch_size=batch_size, verbose=verbose)

    def predict(self, x, batch_size: int = 32, verbose: int = 0):
        """Deprecated: use gradnote.keras.Sequential (Keras's predict)."""
        return _keras_training("predict").predict(self, x, batch_size=batch_size, verbose=verbose)

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())


class ModuleList(Module):
    """A list of sub-modules, registered as "0", "1", ... (no forward of its own)."""

    def __init__(self, modules=()):
        super().__init__()
        for m in modules:
            self.append(m)

    def append(self, module: Module) -> ModuleList:
        self.add_module(str(len(self._modules)), _check_module("ModuleList.append", module))
        return self

    def __getitem__(self, i):
        return list(self._modules.values())[i]

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())


_KERAS_TRAINING = []  # [gradnote.keras.training] once that package is imported


def install_keras_training(module) -> None:
    """Called by gradnote.keras: the implementation behind nn.Sequential's deprecated compile/fit/..."""
    _KERAS_TRAINING[:] = [module]


def _keras_training(method: str):
    warnings.warn(f"nn.Sequential.{method} is deprecated and will be removed in the next release; build the "
                  "model with gradnote.keras.Sequential (or gradnote.models.Sequential) instead",
                  DeprecationWarning, stacklevel=3)
    if not _KERAS_TRAINING:
        raise RuntimeError(f"nn.Sequential.{method}: Keras training lives in gradnote.keras; import gradnote.keras "
                           "(or use gradnote.keras.Sequential) first")
    return _KERAS_TRAINING[0]


def _check_module(where: str, layer) -> Module:
    if not isinstance(layer, Module):
        raise TypeError(f"{where}: expected a Module, got {type(layer).__name__}")
    return layer


# ----- keyed and parameter containers (PyTorch's ModuleDict, ParameterList, ParameterDict) -----------------
class ModuleDict(Module):
    """A dict of sub-modules registered under their keys, so parameters are named "<key>.weight" (no forward).

    >>> heads = nn.ModuleDict({"cls": nn.Linear(4, 3)}); [n for n, _ in heads.named_parameters()]
    ['cls.weight', 'cls.bias']
    """

    def __init__(self, modules=None):
        super().__init__()
        if modules is not None:
            self.update(modules)

    def __setitem__(self, key: str, module: Module) -> None:
        self.add_module(_check_key("ModuleDict", key), _check_module("ModuleDict", module))

    def __getitem__(self, key: str) -> Module:
        return self._modules[key]

    def __delitem__(self, key: str) -> None:
        delattr(self, key)

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules)

    def __contains__(self, key) -> bool:
        return key in self._modules

    def keys(self):
        return self._modules.keys()

    def values(self):
        return self._modules.values()

    def items(self):
        return self._modules.items()

    def update(self, modules) -> None:
        for key, module in (modules.items() if hasattr(modules, "items") else modules):
            self[key] = module

    def pop(self, key: str) -> Module:
        module = self._modules[key]
        del self[key]
        return module

    def clear(self) -> None:
        for key in list(self._modules):
            del self[key]


class ParameterList(Module):
    """A list of parameters registered as "0", "1", ... (tensors and arrays are wrapped as Parameters).

    >>> ps = nn.ParameterList([gn.zeros(2), gn.ones(3)]); [n for n, _ in ps.named_parameters()]
    ['0', '1']
    """

    def __init__(self, values=None):
        super().__init__()
        for v in values or ():
            self.append(v)

    def append(self, value) -> ParameterList:
        setattr(self, str(len(self._parameters)), _as_parameter(value))
        return self

    def extend(self, values) -> ParameterList:
        for v in values:
            self.append(v)
        return self

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self._parameters[str(k)] for k in range(len(self))[i]]
        return self._parameters[str(range(len(self))[i])]

    def __setitem__(self, i: int, value) -> None:
        key, param = str(range(len(self))[i]), _as_parameter(value)
        self._parameters[key] = self.__dict__[key] = param  # in place: the list keeps its order

    def __len__(self) -> int:
        return len(self._parameters)

    def __iter__(self):
        return iter(self._parameters.values())


class ParameterDict(Module):
    """A dict of parameters registered under their keys (tensors and arrays are wrapped as Parameters).

    >>> pd = nn.ParameterDict({"scale": gn.ones(3)}); pd["scale"].shape, list(pd.state_dict())
    ((3,), ['scale'])
    """

    def __init__(self, parameters=None):
        super().__init__()
        if parameters is not None:
            self.update(parameters)

    def __setitem__(self, key: str, value) -> None:
        setattr(self, _check_key("ParameterDict", key), _as_parameter(value))

    def __getitem__(self, key: str):
        return self._parameters[key]

    def __delitem__(self, key: str) -> None:
        delattr(self, key)

    def __len__(self) -> int:
        return len(self._parameters)

    def __iter__(self):
        return iter(self._parameters)

    def __contains__(self, key) -> bool:
        return key in self._parameters

    def keys(self):
        return self._parameters.keys()

    def values(self):
        return self._parameters.values()

    def items(self):
        return self._parameters.items()

    def update(self, parameters) -> None:
        for key, value in (parameters.items() if hasattr(parameters, "items") else parameters):
            self[key] = value

    def pop(self, key: str):
        value = self._parameters[key]
        del self[key]
        return value


def _check_key(where: str, key) -> str:
    if not isinstance(key, str) or not key or "." in key:
        raise KeyError(f"{where}: keys must be non-empty strings without '.', got {key!r}")
    if hasattr(Module, key) or key in ("training",):
        raise KeyError(f"{where}: key {key!r} would hide the Module attribute of that name")
    return key


def _as_parameter(value) -> Parameter:
    if isinstance(value, Parameter):
        return value
    if isinstance(value, Tensor):
        return Parameter(value.data, requires_grad=value.requires_grad or value.grad_fn is None)
    return Parameter(value)
