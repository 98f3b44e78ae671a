"""``gn.accelerator`` as PyTorch 2.6+ spells it: no accelerator is available here."""

from __future__ import annotations


def is_available() -> bool:
    return False


def current_accelerator(check_available: bool = False):
    return None


def device_count() -> int:
    return 0
