"""Automatic mixed precision as PyTorch spells it (``torch.autocast``, ``torch.amp``, ``torch.cuda.amp``).

gradnote computes in the dtypes it is given: there are no float16/bfloat16 kernels to switch to. So
``autocast`` runs its block unchanged in float32 (with one warning when it is enabled, since PyTorch would
compute some ops in lower precision there), and ``GradScaler``, whose loss scaling only protects float16
gradients, disables itself with a warning, as PyTorch's does when CUDA is unavailable. Its disabled path is
PyTorch's: ``scale(loss)`` is the loss, ``step(optimizer)`` is ``optimizer.step()``, ``get_scale()`` is 1.0.

    scaler = gn.amp.GradScaler()
    with gn.autocast(device_type="cpu"):
        loss = loss_fn(model(x), y)
    scaler.scale(loss).backward(); scaler.step(opt); scaler.update()
"""

from __future__ import annotations

import functools
import types
import warnings

_warned = set()


def _warn_once(key: str, message: str) -> None:
    if key not in _warned:
        _warned.add(key)
        warnings.warn(message, UserWarning, stacklevel=3)


class autocast:  # noqa: N801 - torch's name
    """Context manager and decorator: torch.autocast(device_type, dtype=None, enabled=True, cache_enabled=None).

    Enabled or not, ops inside run in their inputs' dtypes (float32 stays float32).

    >>> with gn.autocast(device_type="cpu", enabled=False):
    ...     y = gn.ones(2) * 2
    >>> y.dtype
    dtype('float32')
    """

    def __init__(self, device_type: str = "cuda", dtype=None, enabled: bool = True, cache_enabled=None):
        if not isinstance(device_type, str) or device_type.split(":")[0] not in ("cpu", "cuda", "mps", "xpu"):
            raise ValueError(f"autocast: device_type must be a device type such as 'cpu' or 'cuda', got {device_type!r}")
        self.device_type, self.fast_dtype, self.enabled = device_type, dtype, bool(enabled)

    def __enter__(self):
        if self.enabled:
            _warn_once("autocast", "autocast: gradnote has no float16/bfloat16 kernels, so the ops in this block run "
                                   "in their inputs' dtype (float32) rather than in mixed precision")
        return self

    def __exit__(self, *exc):
        return False

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with autocast(self.device_type, self.fast_dtype, self.enabled):
                return fn(*args, **kwargs)

        return wrapper


def is_autocast_available(device_type: str) -> bool:
    return device_type in ("cpu", "cuda")


def custom_fwd(fwd=None, *, device_type: str = "cuda", cast_inputs=None):
    """Decorator for a custom Function's forward under autocast: the function itself (nothing is cast here)."""
    return (lambda f: f) if fwd is None else fwd


def custom_bwd(bwd=None, *, device_type: str = "cuda"):
    return (lambda f: f) if bwd is None else bwd


class GradScaler:
    """torch.amp.GradScaler(device="cuda", init_scale=2.**16, growth_factor=2.0, backoff_factor=0.5,
    growth_interval=2000, enabled=True): always disabled here (see the module docstring), warning once
    when asked to be enabled.

    >>> s = GradScaler(enabled=False); s.scale(gn.tensor(3.0)).item(), s.get_scale(), s.is_enabled()
    (3.0, 1.0, False)
    """

    def __init__(self, device: str = "cuda", init_scale: float = 2.0**16, growth_factor: float = 2.0,
                 backoff_factor: float = 0.5, growth_interval: int = 2000, enabled: bool = True):
        if growth_factor <= 1.0:
            raise ValueError(f"GradScaler: growth_factor must be > 1, got {growth_factor}")
        if not 0.0 < backoff_factor < 1.0:
            raise ValueError(f"GradScaler: backoff_factor must be in (0, 1), got {backoff_factor}")
        if enabled:
            _warn_once("GradScaler", "GradScaler is enabled, but gradnote computes in float32 (no float16 "
                                     "gradients to protect). Disabling.")
        self._enabled = False
        self._init_scale, self._growth_factor, self._backoff_factor = init_scale, growth_factor, backoff_factor
        self._growth_interval = growth_interval

    def is_enabled(self) -> bool:
        return self._enabled

    def scale(self, outputs):
        """The outputs unchanged (a Tensor, or nested lists/tuples of them)."""
        return outputs

    def unscale_(self, optimizer) -> None:
        pass

    def step(self, optimizer, *args, **kwargs):
        """optimizer.step(*args, **kwargs), returning its result."""
        return optimizer.step(*args, **kwargs)

    def update(self, new_scale=None) -> None:
        pass

    def get_scale(self) -> float:
        return 1.0

    def get_growth_factor(self) -> float:
        return self._growth_factor

    def get_backoff_factor(self) -> float:
        return self._backoff_factor

    def get_growth_interval(self) -> int:
        return self._growth_interval

    def state_dict(self) -> dict:
        return {}  # PyTorch's disabled scaler saves nothing

    def load_state_dict(self, state_dict: dict) -> None:
        if not isinstance(state_dict, dict):
            raise TypeError(f"GradScaler.load_state_dict: expected a dict, got {type(state_dict).__name__}")


# torch.cuda.amp: the same classes with device_type "cuda" as their default
cuda_amp = types.ModuleType("gradnote.cuda.amp", "torch.cuda.amp: autocast and GradScaler for 'cuda'.")
cuda_amp.autocast = functools.partial(autocast, "cuda")
cuda_amp.GradScaler = functools.partial(GradScaler, "cuda")
cuda_amp.custom_fwd, cuda_amp.custom_bwd = custom_fwd, custom_bwd
