"""``gn.cuda`` as PyTorch spells it. No GPU backend is installed, so nothing is available, and
the seeding and synchronisation calls that device-generic scripts make are harmless no-ops."""

from __future__ import annotations


def is_available() -> bool:
    return False


def device_count() -> int:
    return 0


def _unavailable(*args, **kwargs):
    raise RuntimeError("gn.cuda: no CUDA device is available (gradnote computes on the CPU here); "
                       "check gn.cuda.is_available() first")


current_device = get_device_name = set_device = _unavailable


def manual_seed(seed: int) -> None:
    """Seeds nothing (there is no GPU generator); gn.manual_seed seeds gradnote's one generator."""


manual_seed_all = manual_seed


def synchronize(device=None) -> None:
    pass


def empty_cache() -> None:
    pass


def is_initialized() -> bool:
    return False
