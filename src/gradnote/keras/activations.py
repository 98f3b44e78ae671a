"""Keras's activations by name: one registry, one ``get(identifier)``.

    act = keras.activations.get("relu")        # F.relu; None and "linear" are the identity

``softmax`` (over the last axis) and ``sigmoid`` return probabilities that remember their
logits (gradnote.train.losses.remember_logits), so a Keras cross-entropy loss on them
computes log-sum-exp on the logits: finite and with a gradient however saturated the
softmax is, in whatever container the layer sits.
"""

from __future__ import annotations

import functools

from .. import functional as F
from ..io.registry import Registry
from ..train.losses import remember_logits

__all__ = ["ACTIVATIONS", "ACTIVATION_NAMES", "get", "linear", "serialize", "sigmoid", "softmax"]


def linear(x):
    """The identity."""
    return x


def softmax(x, axis: int = -1):
    """F.softmax over `axis`; over the last axis the output remembers its logits."""
    out = F.softmax(x, axis=axis)
    return remember_logits(out, x, "softmax") if axis in (-1, x.ndim - 1) else out


def sigmoid(x):
    """F.sigmoid; the output remembers its logits."""
    return remember_logits(F.sigmoid(x), x, "sigmoid")


def _make(fn, config: dict, **_):
    return functools.partial(fn, **config) if config else fn


ACTIVATIONS = Registry("activation", build=_make)
"""Every activation name -> its function (the Keras spelling; nn's modules wrap the same F ops)."""
for _name, _fn in (("linear", linear), ("relu", F.relu), ("sigmoid", sigmoid), ("tanh", F.tanh),
                   ("softmax", softmax), ("leaky_relu", F.leaky_relu), ("elu", F.elu), ("gelu", F.gelu)):
    ACTIVATIONS.register(_name, _fn)
ACTIVATION_NAMES = ACTIVATIONS.names()


def get(identifier):
    """The function for an activation name or config (None means linear) or a callable passed through.

    >>> get("relu")(gn.tensor([-1.0, 2.0])).tolist()
    [0.0, 2.0]
    """
    return linear if identifier is None else ACTIVATIONS.get(identifier)


def serialize(identifier):
    """The name of an activation for get_config (a name stays a name; a registered function gives its name)."""
    if identifier is None or isinstance(identifier, str):
        return identifier
    for name in ACTIVATIONS.names():
        if ACTIVATIONS.lookup(name) is identifier:
            return name
    return identifier
