"""keras.mixed_precision: the dtype policy. Keras layers compute in float32 here, so "float32"
is accepted and the mixed policies are refused with the reason.

    keras.mixed_precision.set_global_policy("float32")          # fine
    keras.mixed_precision.set_global_policy("mixed_float16")    # ValueError: not supported
"""

from __future__ import annotations

__all__ = ["DTypePolicy", "Policy", "global_policy", "set_global_policy"]

_SUPPORTED = ("float32",)


class DTypePolicy:
    """A dtype policy: name, compute_dtype and variable_dtype (equal here).

    >>> DTypePolicy("float32").compute_dtype
    'float32'
    """

    def __init__(self, name: str = "float32"):
        name = getattr(name, "name", name)
        if name not in _SUPPORTED:
            reason = " (gradnote has no float16 kernels or loss scaling; train in float32)" if str(name).startswith(
                "mixed") else ""
            raise ValueError(f"mixed_precision: policy {name!r} is not supported{reason}; valid: "
                             f"{', '.join(_SUPPORTED)}")
        self.name = self.compute_dtype = self.variable_dtype = name

    def __repr__(self) -> str:
        return f'<DTypePolicy "{self.name}">'


Policy = DTypePolicy  # Keras 2's name
_policy = {"global": DTypePolicy("float32")}


def set_global_policy(policy) -> None:
    """Set the policy every layer uses ("float32"; mixed policies are refused)."""
    _policy["global"] = policy if isinstance(policy, DTypePolicy) else DTypePolicy(policy)


def global_policy() -> DTypePolicy:
    """The current policy (float32 unless set).

    >>> global_policy().name
    'float32'
    """
    return _policy["global"]
