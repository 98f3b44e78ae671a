"""Optional extras: import one or say, in one line, which extra to install.

    optuna = require("optuna", extra="tune", who="gradnote tune")
"""

from __future__ import annotations

import importlib


class MissingExtra(ImportError):
    """An optional dependency is not installed; the message names the pip extra that brings it."""


def require(module: str, extra: str, who: str):
    """Import `module`, or raise MissingExtra("<who> needs <module>, an optional extra: pip install ...")."""
    try:
        return importlib.import_module(module)
    except ImportError:
        raise MissingExtra(f"{who} needs {module.split('.')[0]}, an optional extra: "
                           f"pip install 'gradnote[{extra}]'") from None
