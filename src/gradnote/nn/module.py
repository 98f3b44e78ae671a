"""Module and Parameter: the building blocks that make models modular and reusable.

Assigning a Parameter, a Module or (via register_buffer) an array to an attribute
registers it, so ``parameters()``, ``state_dict()`` and ``train()/eval()`` reach every
sub-module recursively with dotted names ("0.weight", "encoder.fc.bias"), as PyTorch.
"""

from __future__ import annotations

import inspect
from collections import OrderedDict
from collections.abc import Iterator
from typing import NamedTuple

from .. import backend
from .. import device as _device
from ..autograd import Tensor
from ..autograd.inplace_array import InplaceArray
from ..backend import xp
from . import backward_hooks


class Parameter(Tensor):
    """A Tensor that a Module registers as trainable (requires_grad=True by default).

    Python floats become float32, as for every tensor; arrays keep their dtype. On the CPU ``.data`` and
    ``.grad`` are InplaceArrays (ndarrays with PyTorch's in-place methods: p.data.add_(...)); on a CUDA
    device they are plain CuPy arrays (CuPy's ndarray cannot be subclassed that way): NumPy-style
    in-place updates (``p.data[...] = ...``, ``np.add(p.data, g, out=p.data)``, ``p.data -= lr * g``)
    work on both.
    """

    __slots__ = ()

    def __init__(self, data=None, requires_grad: bool = True, dtype=None):
        if data is None:  # PyTorch: an empty parameter, to be filled later
            data = xp.empty(0, dtype=backend.float32)
        super().__init__(data, requires_grad=requires_grad, dtype=dtype)
        self.data = self.data.view(InplaceArray)  # p.data.add_(g, alpha=-lr), m.weight.data.normal_(0, 0.02)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()


class IncompatibleKeys(NamedTuple):
    missing_keys: list
    unexpected_keys: list


class _Handle:
    def __init__(self, hooks: dict, key: int):
        self.hooks, self.key = hooks, key

    def remove(self) -> None:
        self.hooks.pop(self.key, None)


class Module:
    """Base class of every layer and model. Subclasses define ``forward``.

    Constructor arguments are captured automatically, so ``get_config()`` can describe
    any layer as plain data (that is what saving a whole model uses).
    """

    training: bool

    def __new__(cls, *args, **kwargs):
        obj = super().__new__(cls)
        d = obj.__dict__
        d["_parameters"] = OrderedDict()
        d["_modules"] = OrderedDict()
        d["_buffers"] = OrderedDict()
        d["_forward_hooks"] = {}
        d["_init_args"] = (args, kwargs)
        d["training"] = True
        return obj

    def __init__(self):
        pass

    # ----- registration -----------------------------------------------------
    def __setattr__(self, name: str, value) -> None:
        d = self.__dict__
        target = (d["_parameters"] if isinstance(value, Parameter) else d["_modules"] if isinstance(value, Module)
                  else d["_buffers"] if name in d.get("_buffer_names", ()) else None)
        for registry in (d["_parameters"], d["_modules"], d["_buffers"]):
            if registry is not target:
                registry.pop(name, None)
        if target is not None:
            # replacing model.conv1 keeps its place, as PyTorch: children()/state_dict() order is unchanged
            target[name] = value
        d[name] = value

    def __delattr__(self, name: str) -> None:
        for registry in (self._parameters, self._modules, self._buffers):
            registry.pop(name, None)
        object.__delattr__(self, name)

    def register_buffer(self, name: str, array, persistent: bool = True) -> None:
        """State that is saved and loaded but not trained (e.g. BatchNorm's running_mean): an ndarray or a
        Tensor (as PyTorch code registers them). persistent=False keeps it out of state_dict()."""
        self.__dict__.setdefault("_buffer_names", set()).add(name)
        if not persistent:
            self.__dict__.setdefault("_non_persistent", set()).add(name)
        setattr(self, name, array)

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        if param is None:
            self._parameters.pop(name, None)
            self.__dict__[name] = None
        else:
            setattr(self, name, param)

    def add_module(self, name: str, module: Module) -> None:
        setattr(self, name, module)

    # ----- calling ----------------------------------------------------------
    def forward(self, *args, **kwargs):
        raise NotImplementedError(f"{type(self).__name__} must define forward()")

    def __call__(self, *args, **kwargs):
        for hook in list(self.__dict__.get("_pre_hooks", {}).values()):
            result = hook(self, args)
            if result is not None:
                args = result if isinstance(result, tuple) else (result,)
        gates = None
        if "_backward_hooks" in self.__dict__ or "_backward_pre_hooks" in self.__dict__:
            gates, args = backward_hooks.gate_inputs(self, args)
        out = self.forward(*args, **kwargs)
        if self._forward_hooks:
            for hook in list(self._forward_hooks.values()):
                result = hook(self, args, out)
                if result is not None:
                    out = result
        return out if gates is None else backward_hooks.gate_outputs(gates, out)

    def register_forward_hook(self, hook) -> _Handle:
        """hook(module, inputs, output) runs after forward; returns a handle with .remove()."""
        key = id(hook) ^ len(self._forward_hooks)
        self._forward_hooks[key] = hook
        return _Handle(self._forward_hooks, key)

    def register_forward_pre_hook(self, hook) -> _Handle:
        """hook(module, inputs) runs before forward and may return replacement inputs."""
        hooks = self.__dict__.setdefault("_pre_hooks", {})
        key = id(hook) ^ len(hooks)
        hooks[key] = hook
        return _Handle(hooks, key)

    def register_full_backward_hook(self, hook, prepend: bool = False) -> backward_hooks.RemovableHandle:
        """hook(module, grad_input, grad_output) runs when the gradients of the module's inputs are computed and
        may return a replacement grad_input (nn/backward_hooks.py)."""
        return backward_hooks.register(self, "_backward_hooks", hook, prepend)

    def register_full_backward_pre_hook(self, hook, prepend: bool = False) -> backward_hooks.RemovableHandle:
        """hook(module, grad_output) runs when the gradients of the module's outputs are computed and may return
        a replacement grad_output."""
        return backward_hooks.register(self, "_backward_pre_hooks", hook, prepend)

    # ----- traversal --------------------------------------------------------
    def named_modules(self, prefix: str = "") -> Iterator[tuple[str, Module]]:
        seen = set()
        stack = [(prefix, self)]
        while stack:
            name, mod = stack.pop()
            if id(mod) in seen:
                continue
            seen.add(id(mod))
            yield name, mod
            children = [(f"{name}.{k}" if name else k, m) for k, m in mod._modules.items() if m is not None]
            stack.extend(reversed(children))

    def modules(self) -> Iterator[Module]:
        for _, m in self.named_modules():
            yield m

    def named_children(self) -> Iterator[tuple[str, Module]]:
        yield from ((k, m) for k, m in self._modules.items() if m is not None)

    def children(self) -> Iterator[Module]:
        for _, m in self.named_children():
            yield m

    def named_parameters(self, prefix: str = "", recurse: bool = True) -> Iterator[tuple[str, Parameter]]:
        seen = set()
        mods = self.named_modules(prefix) if recurse else [(prefix, self)]
        for mname, mod in mods:
            for pname, p in mod._parameters.items():
                if p is not None and id(p) not in seen:
                    seen.add(id(p))
                    yield (f"{mname}.{pname}" if mname else pname), p

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    def named_buffers(self, prefix: str = "", recurse: bool = True) -> Iterator[tuple[str, object]]:
        for mname, mod in self.named_modules(prefix) if recurse else [(prefix, self)]:
            for bname, b in mod._buffers.items():
                if b is not None:
                    yield (f"{mname}.{bname}" if mname else bname), b

    def buffers(self, recurse: bool = True) -> Iterator[object]:
        for _, b in self.named_buffers(recurse=recurse):
            yield b

    def get_submodule(self, target: str) -> Module:
        """The sub-module at a dotted path ("encoder.layers.0"), as PyTorch."""
        mod = self
        for part in target.split(".") if target else []:
            if part not in mod._modules:
                raise AttributeError(f"{type(mod).__name__} has no sub-module {part!r} (looking up {target!r})")
            mod = mod._modules[part]
        return mod

    def apply(self, fn) -> Module:
        for m in list(self.modules())[::-1]:
            fn(m)
        return self

    # ----- modes and gradients ---------------------------------------------
    def train(self, mode: bool = True) -> Module:
        for m in self.modules():
            m.__dict__["training"] = bool(mode)
        return self

    def eval(self) -> Module:
        return self.train(False)

    def zero_grad(self, set_to_none: bool = True) -> None:
        for p in self.parameters():
            if set_to_none or p.grad is None:
                p.grad = None
            else:
                p.grad[...] = 0

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        """Freeze (False) or unfreeze every parameter."""
        for p in self.parameters():
            p.requires_grad = requires_grad
        return self

    def num_parameters(self) -> int:
        """Number of trainable scalars (parameters with requires_grad)."""
        return int(sum(p.data.size for p in self.parameters() if p.requires_grad))

    def to(self, *args, **kwargs) -> Module:
        """to(dtype), to(device), to(device, dtype), as PyTorch: floating parameters and buffers are cast in
        place (e.g. float64 for gradcheck); parameters and buffers (and gradients) move to the device in
        place, so an optimiser made before or after keeps updating the same Parameter objects."""
        dtype, dev = _device.to_arguments(f"{type(self).__name__}.to", args, kwargs)
        if dev is not None:
            self._move(dev)
        if dtype is None:
            return self
        dtype = backend.to_dtype(dtype)
        if dtype.kind != "f":
            raise TypeError(f"{type(self).__name__}.to: only floating dtypes can hold parameters, got {dtype}")
        for m in self.modules():
            for p in m._parameters.values():
                if p is not None and p.data.dtype.kind == "f" and p.data.dtype != dtype:
                    p.data = p.data.astype(dtype)
                    p.grad = None
            for name, b in list(m._buffers.items()):
                if isinstance(b, Tensor) and b.data.dtype.kind == "f":
                    b.data = b.data.astype(dtype)
                elif isinstance(b, backend.array_types) and b.dtype.kind == "f":
                    setattr(m, name, b.astype(dtype))
        return self

    def _move(self, dev) -> None:
        """Every parameter, gradient and buffer of this module tree onto device `dev`, in place."""
        def moved(a):
            a = backend.to_device(a, dev)
            return a.view(InplaceArray) if isinstance(a, xp.ndarray) else a  # host .data/.grad: InplaceArray

        for m in self.modules():
            for p in m._parameters.values():
                if p is not None:
                    p.data = moved(p.data)
                    p.grad = None if p.grad is None else moved(p.grad)
            for name, b in list(m._buffers.items()):
                if isinstance(b, Tensor):
                    b.data = backend.to_device(b.data, dev)
                elif isinstance(b, backend.array_types):
                    setattr(m, name, backend.to_device(b, dev))

    def cpu(self) -> Module:
        return self.to("cpu")

    def cuda(self, device=None) -> Module:
        return self.to("cuda" if device is None else device)

    def half(self) -> Module:
        return self.to(xp.float16)

    def share_memory(self) -> Module:
        return self

    def double(self) -> Module:
        return self.to(backend.float64)

    def float(self) -> Module:
        return self.to(backend.float32)

    # ----- state ------------------------------------------------------------
    def state_dict(self, destination=None, prefix: str = "", keep_vars: bool = False) -> OrderedDict[str, object]:
        """Dotted name -> ndarray sharing memory with the module (copy to snapshot); keep_vars=True gives the
        Parameters themselves. Non-persistent buffers are left out, as PyTorch."""
        sd = OrderedDict() if destination is None else destination
        for mname, mod in self.named_modules(prefix.rstrip(".")):
            for pname, p in mod._parameters.items():
                if p is not None:
                    sd[f"{mname}.{pname}" if mname else pname] = p if keep_vars else p.data
            skip = mod.__dict__.get("_non_persistent", ())
            for bname, b in mod._buffers.items():
                if b is not None and bname not in skip:
                    sd[f"{mname}.{bname}" if mname else bname] = b.data if isinstance(b, Tensor) else b
        return sd

    def load_state_dict(self, state_dict, strict: bool = True, assign: bool = False) -> IncompatibleKeys:
        """Copy arrays into this module's parameters and buffers (in place).

        With strict=True any missing, unexpected or mis-shaped key raises one
        error that lists every bad key; with strict=False mis-shapes still raise.
        """
        own = self.state_dict()
        given = {k: (v.data if isinstance(v, Tensor) else v if isinstance(v, backend.array_types) else xp.asarray(v))
                 for k, v in state_dict.items()}
        missing = [k for k in own if k not in given]
        unexpected = [k for k in given if k not in own]
        misshaped = [f"{k}: expected {own[k].shape}, got {given[k].shape}"
                     for k in own if k in given and own[k].shape != given[k].shape]
        problems = []
        if strict and missing:
            problems.append("missing keys: " + ", ".join(missing))
        if strict and unexpected:
            problems.append("unexpected keys: " + ", ".join(unexpected))
        if misshaped:
            problems.append("mis-shaped keys: " + "; ".join(misshaped))
        if problems:
            raise KeyError(f"{type(self).__name__}.load_state_dict: " + " | ".join(problems))
        for k, target in own.items():
            if k in given:
                target[...] = given[k] if not backend.cupy_loaded() else backend.to_device(given[k],
                                                                                          backend.device_of(target))
        return IncompatibleKeys(missing, unexpected)

    def get_config(self) -> dict:
        """The constructor arguments as a dict (by parameter name), as Keras layers describe themselves."""
        args, kwargs = self._init_args
        try:
            bound = inspect.signature(type(self).__init__).bind(self, *args, **kwargs)
        except TypeError:
            return {"args": list(args), **kwargs}
        cfg = dict(bound.arguments)
        cfg.pop("self", None)
        for name, param in inspect.signature(type(self).__init__).parameters.items():
            if param.kind is inspect.Parameter.VAR_POSITIONAL and name in cfg:
                cfg[name] = list(cfg[name])
            elif param.kind is inspect.Parameter.VAR_KEYWORD and name in cfg:
                cfg.update(cfg.pop(name))
        return cfg

    # ----- description ------------------------------------------------------
    def extra_repr(self) -> str:
        return ""

    def __repr__(self) -> str:
        lines = [f"({k}): " + repr(m).replace("\n", "\n  ") for k, m in self._modules.items()]
        head = f"{type(self).__name__}({self.extra_repr()}"
        if not lines:
            return head + ")"
        return head + "\n  " + "\n  ".join(lines) + "\n)"

    def summary(self, input_shape=None, dtype=None, print_fn=print) -> str:
        """Print (and return) a table of layers, output shapes and parameter counts.

        input_shape (without the batch axis) runs one forward pass on zeros to record
        each layer's output shape; without it the shape column shows "?". The zeros are
        int64 token ids when the first layer is an Embedding, else float32 (or `dtype`).
        """
        from ..autograd import no_grad
        from .embedding import Embedding

        if dtype is None:
            first = next((m for _, m in self.named_modules() if not m._modules), None)
            dtype = backend.int64 if isinstance(first, Embedding) else backend.float32

        shapes, handles = {}, []
        rows = [(name or type(self).__name__, m) for name, m in self.named_modules()]
        if input_shape is not None:
            for name, m in rows:
                handles.append(m.register_forward_hook(
                    lambda mod, inp, out, name=name: shapes.__setitem__(name, _shape_of(out))))
            was_training = self.training
            self.eval()
            try:
                with no_grad():
                    self(Tensor._wrap(xp.zeros((1, *tuple(input_shape)), dtype=dtype)))
            finally:
                for h in handles:
                    h.remove()
                self.train(was_training)
        table = [("Layer", "Type", "Output shape", "Params")]
        for name, m in rows[1:] if len(rows) > 1 else rows:
            own = sum(p.data.size for p in m._parameters.values() if p is not None)
            table.append((name, type(m).__name__, shapes.get(name, "?"), f"{own:,}"))
        widths = [max(len(str(r[i])) for r in table) for i in range(4)]
        fmt = lambda r: "  ".join(str(c).ljust(w) for c, w in zip(r, widths))  # noqa: E731
        rule = "-" * len(fmt(table[0]))
        total = sum(p.data.size for p in self.parameters())
        text = "\n".join([fmt(table[0]), rule, *map(fmt, table[1:]), rule,
                          f"Total params: {total:,}  (trainable: {self.num_parameters():,})"])
        if print_fn is not None:
            print_fn(text)
        return text


def _shape_of(out) -> str:
    if isinstance(out, Tensor):
        return str((None, *out.shape[1:]))
    if isinstance(out, (tuple, list)) and out:
        return _shape_of(out[0])
    return "?"
