"""Intel's XPU backend, ``torch.xpu`` as device-picking scripts query it: not available in gradnote.

>>> is_available(), device_count()
(False, 0)
"""


def is_available() -> bool:
    return False


def device_count() -> int:
    return 0
