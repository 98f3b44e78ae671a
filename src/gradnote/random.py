"""The one random generator gradnote owns.

Every initialiser, dropout mask, shuffle and augmentation draws from
``default_generator()`` unless given an explicit generator (a ``gn.Generator``, PyTorch's spelling, or
a ``numpy.random.Generator``); ``manual_seed(n)`` therefore makes a whole run repeat bit for bit.
"""

from __future__ import annotations

import numpy as np

_state = {"rng": np.random.default_rng(), "seed": None}


def _checked_seed(op: str, seed) -> int:
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool):
        raise TypeError(f"{op}: seed must be an int, got {seed!r}")
    return int(seed)


def manual_seed(seed: int) -> np.random.Generator:
    """Seed every random source gradnote uses; returns the new generator."""
    _state["rng"] = np.random.default_rng(_checked_seed("manual_seed", seed))
    _state["seed"] = int(seed)
    return _state["rng"]


def default_generator() -> np.random.Generator:
    return _state["rng"]


class Generator:
    """PyTorch's ``torch.Generator``: a random stream of its own, for ``generator=`` of the factories
    (randn, rand, randint, randperm, normal, multinomial, bernoulli), ``random_split`` and ``DataLoader``.
    It holds a ``numpy.random.Generator``, so its numbers are NumPy's PCG64 stream, not PyTorch's.

    >>> a = gn.randn(3, generator=gn.Generator().manual_seed(42))
    >>> bool((a == gn.randn(3, generator=gn.Generator().manual_seed(42))).all())
    True
    """

    def __init__(self, device="cpu"):
        if str(device) != "cpu":
            raise ValueError(f"Generator: only device='cpu' is supported (gradnote draws on the host), got {device!r}")
        self.device = device
        self._rng, self._seed = np.random.default_rng(), None

    def manual_seed(self, seed: int) -> Generator:
        """Restart the stream from `seed`; returns the generator itself (as PyTorch)."""
        self._seed = _checked_seed("Generator.manual_seed", seed)
        self._rng = np.random.default_rng(self._seed)
        return self

    def seed(self) -> int:
        """Seed from fresh OS entropy and return that seed."""
        return self.manual_seed(int(np.random.SeedSequence().entropy % (2**63)))._seed

    def initial_seed(self) -> int | None:
        return self._seed

    def get_state(self) -> dict:
        """The bit-generator state (a JSON-serialisable dict, where PyTorch returns a ByteTensor)."""
        return self._rng.bit_generator.state

    def set_state(self, state: dict) -> Generator:
        self._rng.bit_generator.state = state
        return self


def get_rng(generator: Generator | np.random.Generator | None = None) -> np.random.Generator:
    """The explicit generator if one is given (a gn.Generator's stream), else gradnote's own."""
    if generator is None:
        return _state["rng"]
    return generator._rng if isinstance(generator, Generator) else generator


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
