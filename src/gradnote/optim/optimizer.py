"""Optimizer: the base class every update rule shares (parameter groups, state, saving).

    opt = optim.SGD(model.parameters(), lr=0.1)
    opt.zero_grad(); loss.backward(); opt.step()

Parameter groups let parts of a model use different hyperparameters:

    optim.SGD([{"params": body.parameters()}, {"params": head.parameters(), "lr": 1e-2}], lr=1e-3)

Every update runs in place on ``p.data`` (modules and other code share those arrays) and in the
parameter's dtype; parameters whose ``.grad`` is None are skipped. As in PyTorch, ``maximize=True``
ascends (the rule sees -grad); PyTorch's implementation switches are accepted for copied code:
``foreach`` is ignored, ``differentiable``, ``capturable`` and ``fused`` must stay False/None.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from .. import backend, cpu
from ..autograd.inplace_array import plain
from ..backend import xp
from ..nn.module import _Handle

# Below this many elements per thread a group is updated on the calling thread: each range costs every
# NumPy call of the rule again, and a thread's share must outweigh that.
PARALLEL_MIN = 32768


def _is_param(p) -> bool:
    return isinstance(getattr(p, "data", None), backend.array_types) and hasattr(p, "grad")


class Optimizer:
    """Base class: subclasses define ``_init_state(data, group)``, ``_begin(data, state, group)`` (per-step
    bookkeeping) and ``_update(data, grad, state, group, coeffs, tmp)`` (the arithmetic, on views).

    ``param_groups``: list of dicts, each with ``"params"`` (list of parameters), ``"lr"`` and every other
    hyperparameter. ``state``: defaultdict parameter -> dict of its buffers (ndarrays in the parameter's
    dtype) and ``"step"`` (int) where the rule counts steps; a rule's state is made at its first step.
    """

    def __init__(self, params: Iterable, defaults: dict):
        self.defaults = dict(defaults)
        self.param_groups: list[dict] = []
        self.state: defaultdict = defaultdict(dict)
        self._scratch: dict = {}
        name = type(self).__name__
        if _is_param(params) or isinstance(params, (dict, *backend.array_types)):
            raise TypeError(
                f"{name}: params must be an iterable of Parameters or of param-group dicts, got {type(params).__name__}"
            )
        groups = list(params)
        if not groups:
            raise ValueError(f"{name}: got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    # ----------------------------------------------------------------------------------------- groups
    def add_param_group(self, param_group: dict) -> None:
        """Add a group of parameters (``{"params": [...], "lr": ...}``); missing keys take the defaults."""
        name = type(self).__name__
        if not isinstance(param_group, dict):
            raise TypeError(f"{name}: a param group must be a dict, got {type(param_group).__name__}")
        params = param_group.get("params")
        if params is None:
            raise ValueError(f"{name}: a param group needs a 'params' entry")
        if _is_param(params):
            params = [params]
        elif isinstance(params, set):
            raise TypeError(f"{name}: params must be an ordered collection (list), not a set")
        else:
            params = list(params)
        for i, p in enumerate(params):
            if not _is_param(p):
                raise TypeError(
                    f"{name}: params must be Parameters or Tensors (with .data and .grad), "
                    f"got {type(p).__name__} at position {i}"
                )
            if p.data.dtype.kind != "f":
                raise TypeError(f"{name}: can only optimise floating-point parameters, got {p.data.dtype}")
        ids = [id(p) for p in params]
        if len(set(ids)) != len(ids):
            raise ValueError(f"{name}: a parameter appears more than once in the same param group")
        seen = {id(p) for g in self.param_groups for p in g["params"]}
        if seen.intersection(ids):
            raise ValueError(f"{name}: some parameters appear in more than one parameter group")
        group = {k: v for k, v in param_group.items() if k != "params"}
        for k, v in self.defaults.items():
            group.setdefault(k, v)
        self._check_group(group)
        group["params"] = params
        self.param_groups.append(group)

    def _check_group(self, group: dict) -> None:
        """Validate the hyperparameters of one group (at construction and in add_param_group), with
        PyTorch's wording: ``Adam: Invalid learning rate: -1``."""
        name = type(self).__name__
        for key, (ok, what) in _CHECKS.items():
            if key in group and not ok(group[key]):
                raise ValueError(f"{name}: Invalid {what}: {group[key]}")
        if "betas" in group:
            betas = group["betas"]
            if not (isinstance(betas, (tuple, list)) and len(betas) == 2):
                raise ValueError(f"{name}: betas must be a pair (beta1, beta2), got {betas!r}")
            for i, b in enumerate(betas):
                if not 0 <= b < 1:
                    raise ValueError(f"{name}: Invalid beta parameter at index {i}: {b}")
            group["betas"] = tuple(betas)
        for flag in ("differentiable", "capturable", "fused"):
            if group.get(flag):
                raise ValueError(
                    f"{name}: {flag}={group[flag]!r} is not supported (gradnote has one NumPy implementation "
                    f"of each update rule); leave it False/None"
                )

    # ----------------------------------------------------------------------------------------- stepping
    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget every gradient (``.grad = None``; with set_to_none=False, fresh zero arrays)."""
        for group in self.param_groups:
            for p in group["params"]:
                p.grad = None if set_to_none else xp.zeros_like(p.data)

    def step(self, closure: Callable | None = None):
        """Apply one update to every parameter that has a gradient; returns ``closure()`` if given."""
        for hook in list(self.__dict__.get("_step_pre_hooks", {}).values()):
            hook(self, (closure,), {})
        loss = None
        if closure is not None:
            from ..autograd import enable_grad

            with enable_grad():
                loss = closure()
        state = self.state
        for group in self.param_groups:
            work = []
            for p in group["params"]:
                grad = p.grad
                if grad is None:
                    continue
                grad = plain(grad)  # compute on plain ndarrays: an InplaceArray would wrap every ufunc result
                if grad.shape != p.data.shape:
                    raise ValueError(
                        f"{type(self).__name__}.step: a parameter of shape {p.data.shape} has a grad of shape "
                        f"{grad.shape}"
                    )
                if group.get("maximize"):
                    grad = xp.negative(grad)
                st = state.get(p)
                if not st:
                    st = state[p] = self._init_state(plain(p.data), group)  # plain buffers, as the scratch
                elif backend.cupy_loaded():  # state made before model.to(device) follows its parameter there
                    _follow(st, p.data)
                work.append((p, grad, st, self._begin(plain(p.data), st, group)))
            if work:
                self._apply(work, group)
        return loss

    def _init_state(self, data, group: dict) -> dict:
        return {}

    def _begin(self, data, state: dict, group: dict):
        """A parameter's bookkeeping for this step, before its arithmetic: count the step, make buffers
        that are missing; returns the per-step numbers `_update` needs (bias corrections, ...)."""
        return None

    _n_scratch = 2  # scratch arrays per parameter that `_update` asks `tmp` for

    def _update(self, data, grad, state: dict, group: dict, coeffs, tmp) -> None:
        """The update rule on arrays, in place: `data`, `grad` and the arrays of `state` are matching views
        (a whole parameter or a flat range of one); `tmp(i)` is scratch array i of that shape."""
        raise NotImplementedError

    def _apply(self, work: list, group: dict) -> None:
        """Run `_update` over the group as one pass: its parameters taken end to end as one long vector,
        cut into one contiguous range per thread (gradnote.cpu.parallel_for), each range updated through
        flat views. A small group (under PARALLEL_MIN elements per thread) runs whole on this thread."""
        for p, *_ in work:  # made here, not inside the threads, so ranges of one parameter share them
            self._tmp(p, self._n_scratch - 1)
        flat = [w for w in work if w[0].data.flags.c_contiguous]
        whole = [w for w in work if not w[0].data.flags.c_contiguous]  # a flat view of these would be a copy
        if (sum(w[0].data.size for w in flat) < 2 * PARALLEL_MIN or cpu.get_num_threads() == 1
                or not backend.is_host(work[0][0].data)):  # device arrays: one whole kernel per parameter
            whole, flat = work, []
        for p, grad, st, coeffs in whole:
            self._update(plain(p.data), grad, st, group, coeffs, lambda i, p=p: self._tmp(p, i))
        if not flat:
            return
        starts = [0]
        for p, *_ in flat:
            starts.append(starts[-1] + p.data.size)

        def run(start: int, stop: int) -> None:
            for (p, grad, st, coeffs), lo, hi in zip(flat, starts, starts[1:]):
                a, b = max(start, lo) - lo, min(stop, hi) - lo
                if a >= b:
                    continue
                shape = p.data.shape

                def view(arr, a=a, b=b):
                    return arr.reshape(-1)[a:b]

                views = {k: view(v) if isinstance(v, backend.array_types) and v.shape == shape else v for k, v in st.items()}
                self._update(view(plain(p.data)), view(grad), views, group, coeffs, lambda i, p=p, view=view:
                             view(self._scratch[p][i]))

        cpu.parallel_for(run, starts[-1], PARALLEL_MIN)

    def _tmp(self, param, i: int = 0):
        """Scratch array ``i`` for ``param`` (same shape and dtype), reused across steps; never saved."""
        bufs = self._scratch.get(param)
        data = plain(param.data)
        if bufs is None or bufs[0].shape != data.shape or bufs[0].dtype != data.dtype or type(bufs[0]) is not type(data):
            bufs = self._scratch[param] = [xp.empty_like(data)]
        while len(bufs) <= i:
            bufs.append(xp.empty_like(data))
        return bufs[i]

    # ----------------------------------------------------------------------------------------- saving
    def state_dict(self) -> dict:
        """A snapshot as plain data (PyTorch's layout): parameters are numbered 0.. across groups in order.

        ``{"state": {index: {"step": int, "exp_avg": ndarray, ...}}, "param_groups": [{"lr": ..., ...,
        "params": [indices]}]}``. Arrays are copies; tuples (betas) become lists.
        """
        index: dict = {}
        groups = []
        for group in self.param_groups:
            packed = {k: (list(v) if isinstance(v, tuple) else v) for k, v in group.items() if k != "params"}
            packed["params"] = []
            for p in group["params"]:
                index[p] = len(index)
                packed["params"].append(index[p])
            groups.append(packed)
        state = {}
        for p, i in index.items():
            st = self.state.get(p)
            if st:
                state[i] = {k: _snapshot(v) for k, v in st.items()}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict) -> None:
        """Restore hyperparameters and buffers saved by ``state_dict()`` (arrays are copied and cast to the
        parameter's dtype). Raises ValueError, before changing anything, if the groups, their sizes or the
        buffer shapes do not match this optimiser's parameters."""
        name = type(self).__name__
        if not isinstance(state_dict, dict) or "state" not in state_dict or "param_groups" not in state_dict:
            raise ValueError(f"{name}.load_state_dict: expected a dict with 'state' and 'param_groups' keys")
        saved_groups = list(state_dict["param_groups"])
        if len(saved_groups) != len(self.param_groups):
            raise ValueError(
                f"{name}.load_state_dict: the state dict has {len(saved_groups)} parameter group(s), "
                f"this optimizer has {len(self.param_groups)}"
            )
        bad = [
            f"group {i}: saved {len(s['params'])} parameters, optimizer has {len(g['params'])}"
            for i, (s, g) in enumerate(zip(saved_groups, self.param_groups))
            if len(s["params"]) != len(g["params"])
        ]
        if bad:
            raise ValueError(f"{name}.load_state_dict: parameter group sizes differ: " + "; ".join(bad))
        index = {}
        for s, g in zip(saved_groups, self.param_groups):
            for i, p in zip(s["params"], g["params"]):
                index[int(i)] = p
        new_state: dict = {}
        errors = []
        for key, st in state_dict["state"].items():
            p = index.get(int(key))
            if p is None:
                errors.append(f"state for parameter index {key} matches no parameter")
                continue
            restored = {}
            for k, v in st.items():
                if v is None:  # PyTorch saves momentum_buffer=None for plain SGD
                    continue
                try:
                    restored[k] = self._load_state_value(k, v, p)
                except ValueError as e:
                    errors.append(f"parameter {key} {e}")
            new_state[p] = restored
        if errors:
            raise ValueError(f"{name}.load_state_dict: " + "; ".join(errors))
        new_groups = []
        for s, g in zip(saved_groups, self.param_groups):
            group = dict(g)
            for k, v in s.items():
                if k == "params":
                    continue
                group[k] = tuple(v) if isinstance(g.get(k), tuple) else v
            new_groups.append(group)
        for group in new_groups:
            self._check_group(group)
        self.param_groups = new_groups
        self.state = defaultdict(dict, new_state)

    _scalar_state = ("step",)

    def _load_state_value(self, key: str, value, param):
        """One saved buffer, restored: ``step`` (and the rule's other counters in ``_scalar_state``) as Python
        numbers, arrays as copies in the parameter's dtype and shape (ValueError naming the shapes if not)."""
        if key in self._scalar_state:
            v = xp.asarray(value).item()
            return int(v) if key == "step" else float(v)
        arr = xp.array(value, dtype=param.data.dtype, copy=True)
        if arr.shape != param.data.shape:
            raise ValueError(f"'{key}': saved shape {arr.shape}, parameter shape {param.data.shape}")
        return arr

    # ----------------------------------------------------------------------------------------- hooks
    def register_step_pre_hook(self, hook: Callable) -> _Handle:
        """Call ``hook(optimizer, args, kwargs)`` at the start of every ``step()``, as PyTorch's (gradient
        clipping, Keras's per-step epsilon and decay run there); ``handle.remove()`` unregisters it.

        >>> opt = optim.SGD([nn.Parameter(gn.zeros(1))], lr=0.1)
        >>> handle = opt.register_step_pre_hook(lambda opt, args, kwargs: None); handle.remove()
        """
        hooks = self.__dict__.setdefault("_step_pre_hooks", {})
        key = self.__dict__["_step_pre_hook_count"] = self.__dict__.get("_step_pre_hook_count", 0) + 1
        hooks[key] = hook
        return _Handle(hooks, key)

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines += [f"    {k}: {v}" for k, v in sorted(group.items()) if k != "params"]
        return "\n".join(lines) + "\n)"


def _follow(state: dict, data) -> None:
    """Move the arrays of a parameter's state onto the device of its data (after model.to(device))."""
    where = backend.device_of(data)
    for k, v in state.items():
        if isinstance(v, backend.array_types) and backend.device_of(v) != where:
            state[k] = backend.to_device(v, where)


def _snapshot(value):
    """A copy of a state entry that later steps cannot change (arrays, and lists of them as L-BFGS keeps)."""
    if isinstance(value, backend.array_types):
        return value.copy()
    if isinstance(value, list):
        return [_snapshot(v) for v in value]
    return value


_CHECKS = {  # group key -> (valid?, PyTorch's name for it in "Invalid ...: value")
    "lr": (lambda v: v >= 0, "learning rate"),
    "eps": (lambda v: v >= 0, "epsilon value"),
    "weight_decay": (lambda v: v >= 0, "weight_decay value"),
    "momentum": (lambda v: v >= 0, "momentum value"),
    "alpha": (lambda v: v >= 0, "alpha value"),
    "rho": (lambda v: 0 <= v <= 1, "rho value"),
    "lr_decay": (lambda v: v >= 0, "lr_decay value"),
    "initial_accumulator_value": (lambda v: v >= 0, "initial_accumulator_value value"),
    "momentum_decay": (lambda v: v >= 0, "momentum_decay value"),
}


def _lerp_(a, b, weight: float, tmp) -> None:
    """a <- a + weight * (b - a) in place, rounded as torch.lerp (second form when weight >= 0.5)."""
    xp.subtract(b, a, out=tmp)
    if weight < 0.5:
        tmp *= weight
        a += tmp
    else:
        tmp *= 1.0 - weight
        xp.subtract(b, tmp, out=a)


def _square_avg_(v, g, decay: float, tmp) -> None:
    """v <- decay * v + (1 - decay) * g * g in place (the running mean of squared gradients of RMSprop and
    Adam), rounded as torch's v.mul_(decay).addcmul_(g, g, value=1 - decay). `tmp` is scratch."""
    v *= decay
    xp.multiply(g, 1 - decay, out=tmp)
    tmp *= g
    v += tmp


def _addcdiv_(data, num, denom, value: float, out) -> None:
    """data += value * num / denom in place, rounded as torch's addcdiv_ (the scalar scales the
    numerator before the division), so trajectories match PyTorch's to the last bit far more often.
    `out` is scratch; it may be `num` but must not be `denom`."""
    xp.multiply(num, value, out=out)
    out /= denom
    data += out


def _with_weight_decay(data, grad, weight_decay: float, out) -> Any:
    """grad + weight_decay * data in the scratch array `out` (the incoming grad is never modified)."""
    if not weight_decay:
        return grad
    xp.multiply(data, weight_decay, out=out)
    out += grad
    return out
