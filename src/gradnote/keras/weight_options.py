"""The *_regularizer, activity_regularizer and *_constraint keywords every Keras layer takes.

    Dense(64, kernel_regularizer="l2", bias_constraint=keras.constraints.NonNeg())
    LSTM(32, recurrent_regularizer=keras.regularizers.l1(1e-5))
    Embedding(1000, 16, embeddings_regularizer="l2")

Layer.__init_subclass__ (keras.graph) takes them off a layer's keywords and attaches them here. Weights
are found by their role, from gradnote's parameter names: kernel = ``weight`` / ``weight_ih_*``,
recurrent = ``weight_hh_*``, bias = ``bias*`` (an RNN's two biases both), embeddings = an Embedding's
``weight``, gamma / beta = a norm layer's weight / bias, depthwise / pointwise = the kernels of the
depthwise and separable convolutions, alpha = PReLU's, in the layer and the layers inside it
(MultiHeadAttention's Dense kernels). A keyword for weights the layer does not have is refused (at the
first call for layers sized then). At every call the layer records the penalties of its weights and of
its output (activity, as Keras 3: not divided by the batch size) in its losses (Layer.losses), which fit
adds to the data loss.
Constraints are projections applied after every optimiser step in fit (ApplyConstraints), on the weight
viewed in Keras's layout (kernels (..., in, out)), so Keras's axis= means what it means there.
"""

from __future__ import annotations

import functools

from ..autograd import Tensor, no_grad
from ..nn import Embedding, GroupNorm, LayerNorm
from ..nn.normalization import _BatchNorm
from ..train.callbacks import Callback
from . import constraints, initializers, regularizers

__all__ = ["OPTIONS", "ApplyConstraints", "apply_constraints", "attach", "config", "has_constraints", "take",
           "with_options_config"]

ROLES = ("kernel", "bias", "recurrent", "embeddings", "depthwise", "pointwise", "gamma", "beta", "alpha")
OPTIONS = {f"{role}_{kind}": (role, kind) for kind in ("regularizer", "constraint") for role in ROLES}
OPTIONS["activity_regularizer"] = ("activity", "regularizer")


def _role(module, name: str, path: str = "") -> str | None:
    """Keras's name for a weight: gradnote's parameter name read in its module (a norm layer's weight is
    gamma, a depthwise convolution's is depthwise, SeparableConv2D's pointwise Conv2D's is pointwise)."""
    if name == "alpha":
        return "alpha"
    if isinstance(module, (_BatchNorm, LayerNorm, GroupNorm)):
        return {"weight": "gamma", "bias": "beta"}.get(name)
    if name.startswith("weight_hh") or name == "recurrent_kernel":
        return "recurrent"
    if name.startswith("bias"):
        return "bias"
    if name in ("weight", "kernel", "embeddings") or name.startswith("weight_ih"):
        if isinstance(module, Embedding):
            return "embeddings"
        if type(module).__name__.startswith("Depthwise"):
            return "depthwise"
        return "pointwise" if path.rsplit(".", 1)[-1] == "pointwise" else "kernel"
    return None


def _owned(layer):
    """(module path, module, weight name, weight or None) for the layer and the layers inside it
    (MultiHeadAttention's kernels are its Dense layers'), with weights registered empty until it is built."""
    for path, module in layer.named_modules():
        for name, p in module._parameters.items():
            yield path, module, name, p
        for name in ("weight", "bias"):
            if name not in module._parameters and module.__dict__.get(name, 0) is None:
                yield path, module, name, None


def _names(layer) -> list:
    return [name for _, _, name, _ in _owned(layer)]


def take(kwargs: dict, keep=()) -> dict:
    """Remove the weight options (but those in `keep`) from a layer's keywords; returns those not None."""
    taken = {k: kwargs.pop(k) for k in list(kwargs) if k in OPTIONS and k not in keep}
    return {k: v for k, v in taken.items() if v is not None}


def attach(layer, options: dict) -> None:
    """Resolve `options` (names, configs or objects) and hook them onto `layer`."""
    who = type(layer).__name__
    resolved: dict = {"regularizer": {}, "constraint": {}}
    for key, value in options.items():
        role, kind = OPTIONS[key]
        family = regularizers if kind == "regularizer" else constraints
        try:
            resolved[kind][role] = family.get(value)
        except (ValueError, TypeError) as e:
            raise ValueError(f"{who}: {key}: {e}") from None
    if _names(layer) or getattr(layer, "built", False):
        _check_roles(layer, options)
    else:  # weights made at the first call: checked then
        layer.__dict__["_unchecked_options"] = options
    if "depthwise" in resolved["constraint"]:  # (C * multiplier, 1, kh, kw) has no plain view as Keras's
        raise ValueError(f"{who}: depthwise_constraint is not supported (the depthwise kernel is laid out "
                         "(channels * multiplier, 1, kh, kw) here); constrain the pointwise kernel or use a regularizer")
    layer.__dict__["_weight_options"] = resolved
    if resolved["regularizer"]:
        layer.register_forward_pre_hook(_clear_losses)
    layer.register_forward_hook(_record_penalties)


def _check_roles(layer, options: dict) -> None:
    roles = {_role(module, n, path) for path, module, n, _ in _owned(layer)}
    missing = [k for k in options if OPTIONS[k][0] != "activity" and OPTIONS[k][0] not in roles]
    if missing:
        raise TypeError(f"{type(layer).__name__}: unexpected keyword {missing[0]!r}: the layer has no "
                        f"{OPTIONS[missing[0]][0]} weights (its weights: {', '.join(_names(layer)) or 'none'})")


def config(layer) -> dict:
    """The layer's weight options as Keras configs ({"class_name": ..., "config": ...}), for get_config."""
    out = {}
    for kind, by_role in layer.__dict__.get("_weight_options", {}).items():
        for role, obj in by_role.items():
            if hasattr(obj, "get_config"):
                out[f"{role}_{kind}"] = {"class_name": type(obj).__name__, "config": obj.get_config()}
    return out


def _serialized(value):
    """An initializer / regularizer / constraint object given to a layer, as its Keras config (JSON-able)."""
    if isinstance(value, (initializers.Initializer, regularizers.Regularizer, constraints.Constraint)):
        return {"class_name": type(value).__name__, "config": value.get_config()}
    return value


def with_options_config(get_config):
    """get_config plus the layer's weight options, with initializer and other such objects as configs (what
    Layer.__init_subclass__ installs)."""

    @functools.wraps(get_config)
    def get_config_with_options(self) -> dict:
        plain = {k: _serialized(v) for k, v in get_config(self).items()}
        return {**plain, **config(self)}

    return get_config_with_options


def _weights(layer, role: str) -> list:
    return [p for path, module, n, p in _owned(layer) if p is not None and _role(module, n, path) == role]


def _clear_losses(layer, args) -> None:
    layer.__dict__["_losses"] = []


def _record_penalties(layer, args, out) -> None:
    unchecked = layer.__dict__.pop("_unchecked_options", None)
    if unchecked:
        _check_roles(layer, unchecked)
    if not layer.__dict__["_weight_options"]["regularizer"]:
        return
    losses = layer.__dict__.setdefault("_losses", [])
    for role, reg in layer.__dict__["_weight_options"]["regularizer"].items():
        if role == "activity":
            outs = out if isinstance(out, (tuple, list)) else (out,)
            losses.extend(reg(o) for o in outs if isinstance(o, Tensor))
        else:
            losses.extend(reg(p) for p in _weights(layer, role))


def _keras_view(w, role: str):
    """A kernel (out, in, *k) seen as Keras's (*k, in, out); biases and embeddings are laid out alike."""
    if role in ("kernel", "recurrent") and w.ndim >= 2:
        return w.transpose(*range(2, w.ndim), 1, 0)
    return w


def apply_constraints(model) -> None:
    """Project every constrained weight of `model` in place (Keras applies them after each update)."""
    with no_grad():
        for layer in model.modules():
            for role, c in layer.__dict__.get("_weight_options", {}).get("constraint", {}).items():
                for p in _weights(layer, role):
                    view = _keras_view(p.data, role)
                    view[...] = c(view)


def has_constraints(model) -> bool:
    return any(m.__dict__.get("_weight_options", {}).get("constraint") for m in model.modules())


class ApplyConstraints(Callback):
    """Applies the model's weight constraints after every training batch (fit adds it when there are any)."""

    def on_batch_end(self, batch, logs=None):
        apply_constraints(self.model)
