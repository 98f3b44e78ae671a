"""torch.set_printoptions: how a Tensor's repr shows its values (digits, summarising, scientific notation).

>>> set_printoptions(precision=2); repr(gn.tensor([1.23456]))
'tensor([1.23])'
>>> set_printoptions(profile="default")
"""

from __future__ import annotations

import math

_PROFILES = {"default": {"precision": 4, "threshold": 1000, "edgeitems": 3, "linewidth": 80},
             "short": {"precision": 2, "threshold": 1000, "edgeitems": 2, "linewidth": 80},
             "full": {"precision": 4, "threshold": math.inf, "edgeitems": 3, "linewidth": 80}}
_options = {**_PROFILES["default"], "sci_mode": None}


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None, profile=None,
                     sci_mode=None) -> None:
    """PyTorch's arguments: a profile ("default", "short", "full") first, then each given option over it;
    sci_mode True/False forces or forbids scientific notation (None: NumPy decides)."""
    if profile is not None:
        if profile not in _PROFILES:
            raise ValueError(f"set_printoptions: profile must be 'default', 'short' or 'full', got {profile!r}")
        _options.update(_PROFILES[profile])
    for name, value in (("precision", precision), ("threshold", threshold), ("edgeitems", edgeitems),
                        ("linewidth", linewidth)):
        if value is not None:
            _options[name] = value
    _options["sci_mode"] = sci_mode


def get_printoptions() -> dict:
    return dict(_options)


def array2string_options() -> dict:
    """Keyword arguments for numpy.array2string that follow the options."""
    p = int(_options["precision"])
    threshold = _options["threshold"]
    out = {"precision": p, "edgeitems": int(_options["edgeitems"]), "max_line_width": int(_options["linewidth"]),
           "threshold": 2**62 if threshold == math.inf else int(threshold)}
    if _options["sci_mode"] is True:
        out["formatter"] = {"float_kind": lambda v: f"{v:.{p}e}"}
    elif _options["sci_mode"] is False:
        out["suppress_small"] = True
    return out
