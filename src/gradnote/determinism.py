"""torch.use_deterministic_algorithms: gradnote's kernels are deterministic (the same inputs and seed give the
same bits), so turning the switch on is accepted and changes nothing; it is remembered for the query.

>>> use_deterministic_algorithms(True); are_deterministic_algorithms_enabled()
True
"""

from __future__ import annotations

_state = {"on": False, "warn_only": False}


def use_deterministic_algorithms(mode: bool, *, warn_only: bool = False) -> None:
    if not isinstance(mode, bool):
        raise TypeError(f"use_deterministic_algorithms: mode must be a bool, got {mode!r}")
    _state["on"], _state["warn_only"] = mode, bool(warn_only)


def are_deterministic_algorithms_enabled() -> bool:
    return _state["on"]


def is_deterministic_algorithms_warn_only_enabled() -> bool:
    return _state["warn_only"]
