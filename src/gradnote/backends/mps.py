"""Apple's Metal backend: not available in gradnote."""


def is_available() -> bool:
    return False


def is_built() -> bool:
    return False
