"""cuDNN switches that PyTorch scripts set for determinism or speed; gradnote's CPU kernels are always
deterministic, so they are accepted and change nothing."""

enabled = True
benchmark = False
deterministic = False
allow_tf32 = False


def is_available() -> bool:
    return False
