"""The one random generator gradnote owns.

Every initialiser, dropout mask, shuffle and augmentation draws from
``default_generator()`` unless given an explicit ``numpy.random.Generator``;
``manual_seed(n)`` therefore makes a whole run repeat bit for bit.
"""

from __future__ import annotations

import numpy as np

_state = {"rng": np.random.default_rng(), "seed": None}


def manual_seed(seed: int) -> np.random.Generator:
    """Seed every random source gradnote uses; returns the new generator."""
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool):
        raise TypeError(f"manual_seed: seed must be an int, got {seed!r}")
    _state["rng"] = np.random.default_rng(int(seed))
    _state["seed"] = int(seed)
    return _state["rng"]


def default_generator() -> np.random.Generator:
    return _state["rng"]


def get_rng(generator: np.random.Generator | None = None) -> np.random.Generator:
    """The explicit generator if one is given, else gradnote's own."""
    return generator if generator is not None else _state["rng"]


def get_rng_state() -> dict:
    """Bit-generator state of the global generator (JSON-serialisable dict)."""
    return _state["rng"].bit_generator.state


def set_rng_state(state: dict) -> None:
    _state["rng"].bit_generator.state = state


def seed() -> int:
    """Seed gradnote's generator from fresh OS entropy and return that seed (torch.seed)."""
    s = int(np.random.SeedSequence().entropy % (2**63))
    manual_seed(s)
    return s


def initial_seed() -> int | None:
    """The seed last given to manual_seed (or seed()), None if never seeded."""
    return _state["seed"]
