"""Loss functions: how far a prediction is from its target, as one number to minimise.

Regression: mse_loss (squared error), l1_loss (absolute error), huber_loss (squared near 0,
absolute beyond delta). Classification: binary_cross_entropy on probabilities,
binary_cross_entropy_with_logits on scores (stable), cross_entropy on class scores (log_softmax
fused with the negative log-likelihood, one op and one backward) and nll_loss on log-probabilities.

Every loss takes reduction="mean" (average over elements; for class losses over samples,
weighted by class weights), "sum", or "none" (per-element / per-sample losses).
"""

from __future__ import annotations

import warnings

from .. import backend
from ..autograd import Function, Tensor
from ..backend import expit, unbroadcast, xp
from ._util import as_tensor, check_reduction, float_tensor

__all__ = [
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "cross_entropy",
    "huber_loss",
    "l1_loss",
    "mse_loss",
    "nll_loss",
]


def _pair(input, target, op: str, reduction: str, broadcast: bool = False):
    check_reduction(reduction, op)
    input = float_tensor(input, op)
    target = as_tensor(target, op)
    if broadcast and target.data.dtype.kind in "biu":
        # torch's type promotion: the regression losses take an integer target (torch.arange(1, 11)) as
        # the input's float dtype; the probability losses (BCE) refuse it, as PyTorch does
        target = Tensor._wrap(target.data.astype(input.data.dtype))
    target = float_tensor(target, op)
    if input.shape != target.shape:
        if not broadcast:
            raise ValueError(f"{op}: input shape {input.shape} and target shape {target.shape} differ")
        try:
            xp.broadcast_shapes(input.shape, target.shape)
        except ValueError:
            raise ValueError(f"{op}: input shape {input.shape} and target shape {target.shape} cannot be "
                             "broadcast together") from None
        # PyTorch broadcasts here with this warning (a (N, 1) output against an (N,) target is an (N, N) loss)
        warnings.warn(f"{op}: using a target size {target.shape} that is different to the input size "
                      f"{input.shape}; this will likely lead to incorrect results due to broadcasting",
                      UserWarning, stacklevel=3)
    return input, target


class _PointwiseLoss(Function):
    """loss_i = w_i f(x_i, t_i) (x and t broadcast together), then reduced.

    "mean" divides by the element count, or by sum(w) when `weight_sum_mean` (PyTorch's weighted
    mse_loss / l1_loss). Subclasses give `elementwise` and `partials` (d/dx, d/dt).
    """

    weight_sum_mean = False

    def forward(self, x, t, reduction="mean", weight=None, **options):
        self.shapes = (x.shape, t.shape)
        if x.shape != t.shape:
            x, t = xp.broadcast_arrays(x, t)
        self.x, self.t, self.reduction, self.options, self.weight = x, t, reduction, options, weight
        loss = self.elementwise(x, t, **options)
        if weight is not None:
            loss = loss * weight
        self.count = weight.sum() if weight is not None and self.weight_sum_mean else loss.size
        if reduction == "mean":
            with xp.errstate(invalid="ignore", divide="ignore"):  # nothing to average: NaN, as PyTorch
                return backend.asarray(loss.sum() / self.count if self.weight_sum_mean else loss.mean(), dtype=loss.dtype)
        if reduction == "sum":
            return backend.asarray(loss.sum(), dtype=loss.dtype)
        return loss

    def backward(self, g):
        c = g
        if self.reduction == "mean":
            with xp.errstate(invalid="ignore", divide="ignore"):
                c = g / g.dtype.type(self.count)
        if self.weight is not None:
            c = c * self.weight
        dx, dt = self.partials(self.x, self.t, **self.options)
        return (unbroadcast(c * dx, self.shapes[0]) if self.needs[0] else None,
                unbroadcast(c * dt, self.shapes[1]) if self.needs[1] and dt is not None else None)


def _same_shape_weight(weight, input, op: str):
    """mse/l1/huber weight: one per element of input (PyTorch refuses any other shape)."""
    if weight is None:
        return None
    w = weight.data if isinstance(weight, Tensor) else xp.asarray(weight)
    if w.shape != input.shape:
        raise ValueError(f"{op}: weight must have the input's shape {input.shape}, got {w.shape}")
    return w.astype(input.dtype, copy=False)


class MSE(_PointwiseLoss):
    weight_sum_mean = True

    def elementwise(self, x, t):
        self.diff = x - t
        return self.diff * self.diff

    def partials(self, x, t):
        d = 2 * self.diff
        return d, -d


def mse_loss(input: Tensor, target: Tensor, size_average=None, reduce=None, reduction: str = "mean",
             weight=None) -> Tensor:
    """Mean squared error: mean((input - target)^2); with weight, sum(w (input - target)^2) / sum(w).

    input, target: same shape (a different, broadcastable target warns and broadcasts, as PyTorch);
    weight: input's shape. size_average/reduce: PyTorch's deprecated spelling of reduction.

    >>> mse_loss(gn.tensor([1.0, 3.0]), gn.tensor([0.0, 0.0])).item()
    5.0
    """
    reduction = legacy_reduction("mse_loss", size_average, reduce, reduction)
    input, target = _pair(input, target, "mse_loss", reduction, broadcast=True)
    return MSE.apply(input, target, reduction=reduction, weight=_same_shape_weight(weight, input, "mse_loss"))


class L1(_PointwiseLoss):
    weight_sum_mean = True

    def elementwise(self, x, t):
        self.diff = x - t
        return xp.abs(self.diff)

    def partials(self, x, t):
        d = self.diff
        s = (d > 0).astype(d.dtype) - (d < 0)  # sign, but 0 at NaN as PyTorch's sgn-based backward
        return s, -s


def l1_loss(input: Tensor, target: Tensor, size_average=None, reduce=None, reduction: str = "mean",
            weight=None) -> Tensor:
    """Mean absolute error: mean(|input - target|); with weight, sum(w |input - target|) / sum(w).

    Gradient sign(input - target): 0 at equality and at NaN, as PyTorch. input, target: same shape
    (a different, broadcastable target warns and broadcasts); weight: input's shape.

    >>> l1_loss(gn.tensor([1.0, -3.0]), gn.tensor([0.0, 0.0])).item()
    2.0
    """
    reduction = legacy_reduction("l1_loss", size_average, reduce, reduction)
    input, target = _pair(input, target, "l1_loss", reduction, broadcast=True)
    return L1.apply(input, target, reduction=reduction, weight=_same_shape_weight(weight, input, "l1_loss"))


class Huber(_PointwiseLoss):
    def elementwise(self, x, t, delta):
        d = x - t
        self.diff, a = d, xp.abs(d)
        return xp.where(a <= delta, 0.5 * d * d, delta * (a - 0.5 * delta))

    def partials(self, x, t, delta):
        d = xp.clip(self.diff, -delta, delta)
        return d, -d


def huber_loss(input: Tensor, target: Tensor, reduction: str = "mean", delta: float = 1.0, weight=None) -> Tensor:
    """Huber: 0.5 d^2 where |d| <= delta, delta (|d| - 0.5 delta) beyond, d = input - target.

    Quadratic near the target, linear for outliers (gradient clipped to [-delta, delta], so +-delta
    at the threshold). With weight: mean(w * loss), as PyTorch. input, target: same shape (a
    different, broadcastable target warns and broadcasts); weight: input's shape.

    >>> huber_loss(gn.tensor([0.5, 3.0]), gn.zeros(2), reduction="none").tolist()
    [0.125, 2.5]
    """
    if not delta > 0:
        raise ValueError(f"huber_loss: delta must be positive, got {delta}")
    input, target = _pair(input, target, "huber_loss", reduction, broadcast=True)
    return Huber.apply(input, target, reduction=reduction, delta=float(delta),
                       weight=_same_shape_weight(weight, input, "huber_loss"))


def _weight_array(weight, input, op: str, what: str = "weight"):
    if weight is None:
        return None
    w = weight.data if isinstance(weight, Tensor) else xp.asarray(weight)
    try:
        xp.broadcast_shapes(w.shape, input.shape)
    except ValueError:
        raise ValueError(f"{op}: {what} of shape {w.shape} cannot be broadcast to the input shape "
                         f"{input.shape}") from None
    return w.astype(input.dtype, copy=False)


_BCE_EPS = xp.float32(1e-12)  # PyTorch's floor on (1 - p) p in the gradient, a float32 constant in every dtype


class BCE(_PointwiseLoss):
    def elementwise(self, x, t):
        # log clamped at -100 (as PyTorch): a probability of exactly 0 or 1 costs 100, not inf
        with xp.errstate(divide="ignore"):
            self.log_p = xp.maximum(xp.log(x), -100)
            self.log_q = xp.maximum(xp.log1p(-x), -100)
        return -(t * self.log_p + (1 - t) * self.log_q)

    def partials(self, x, t):
        dx = (x - t) / xp.maximum((1 - x) * x, x.dtype.type(_BCE_EPS))
        with xp.errstate(divide="ignore"):
            return dx, xp.log1p(-x) - xp.log(x)  # d/dt = -logit(x), unclamped (PyTorch's target gradient)


def binary_cross_entropy(input: Tensor, target: Tensor, weight=None, size_average=None, reduce=None,
                         reduction: str = "mean") -> Tensor:
    """-[t log p + (1 - t) log(1 - p)] on probabilities p in [0, 1] (each log clamped at -100).

    input, target: same shape; weight (optional, broadcastable) rescales each element's loss.
    Prefer binary_cross_entropy_with_logits on raw scores: it is stable where sigmoid saturates.

    >>> round(binary_cross_entropy(gn.tensor([0.5]), gn.tensor([1.0])).item(), 4)   # log 2
    0.6931
    """
    reduction = legacy_reduction("binary_cross_entropy", size_average, reduce, reduction)
    input, target = _pair(input, target, "binary_cross_entropy", reduction)
    p = input.data
    if p.size and not ((p >= 0) & (p <= 1)).all():
        raise ValueError(f"binary_cross_entropy: input must be probabilities in [0, 1], got values in "
                         f"[{p.min()}, {p.max()}]; use binary_cross_entropy_with_logits for raw scores")
    w = _weight_array(weight, input, "binary_cross_entropy")
    return BCE.apply(input, target, reduction=reduction, weight=w)


class BCEWithLogits(_PointwiseLoss):
    def elementwise(self, x, t, pos_weight):
        # softplus(-x) = log(1 + e^-x) = log1p(e^-|x|) + max(-x, 0): finite for |x| = 1000
        self.sp_neg = xp.log1p(xp.exp(-xp.abs(x))) + xp.maximum(-x, 0)
        if pos_weight is None:
            return (1 - t) * x + self.sp_neg
        return (1 - t) * x + (1 + (pos_weight - 1) * t) * self.sp_neg

    def partials(self, x, t, pos_weight):
        s = expit(x)
        if pos_weight is None:
            return s - t, -x
        # d/dt = pos_weight softplus(-x) - softplus(x), PyTorch's form (finite where x = -inf)
        sp_pos = xp.log1p(xp.exp(-xp.abs(x))) + xp.maximum(x, 0)
        return (1 + (pos_weight - 1) * t) * s - pos_weight * t, pos_weight * self.sp_neg - sp_pos


def binary_cross_entropy_with_logits(input: Tensor, target: Tensor, weight=None, size_average=None, reduce=None,
                                     reduction: str = "mean", pos_weight=None) -> Tensor:
    """Binary cross-entropy on logits x: (1 - t) x + (1 + (pos_weight - 1) t) log(1 + e^-x).

    Equal to binary_cross_entropy(sigmoid(x), t) but computed with log-sum-exp, so finite and
    exact for |x| = 1000; gradient sigmoid(x) - t (without pos_weight). pos_weight (broadcast
    over the last axis, e.g. (C,)) weighs positive examples, as PyTorch's.

    input, target: same shape (any).

    >>> round(binary_cross_entropy_with_logits(gn.tensor([0.0]), gn.tensor([1.0])).item(), 4)
    0.6931
    """
    reduction = legacy_reduction("binary_cross_entropy_with_logits", size_average, reduce, reduction)
    input, target = _pair(input, target, "binary_cross_entropy_with_logits", reduction)
    w = _weight_array(weight, input, "binary_cross_entropy_with_logits")
    pw = _weight_array(pos_weight, input, "binary_cross_entropy_with_logits", "pos_weight")
    return BCEWithLogits.apply(input, target, reduction=reduction, weight=w, pos_weight=pw)


# ----- class losses: cross_entropy and nll_loss ------------------------------------------------
def _classes_last(a):
    """(N, C, d1, ...) -> (N * d1 * ..., C); (N, C) unchanged."""
    if a.ndim == 2:
        return a
    return xp.moveaxis(a, 1, -1).reshape(-1, a.shape[1])


def _classes_back(a2, shape):
    """Inverse of _classes_last for an array of the original (N, C, d1, ...) shape."""
    if len(shape) == 2:
        return a2
    moved = (shape[0], *shape[2:], shape[1])
    return xp.moveaxis(a2.reshape(moved), -1, 1)


class _ClassLoss(Function):
    """Negative log-likelihood over classes, optionally fused with log_softmax (cross_entropy).

    With class-index targets t, log-probabilities z (rows of the (M, C) input) and class weights w:
        nll_i = -w[t_i] z[i, t_i],  smooth_i = -sum_c w_c z[i, c]      (both exactly 0 where t_i == ignore_index)
        loss = (1 - eps) nll + (eps / C) smooth   (label smoothing eps; eps = 0 is plain nll)
    "mean" divides each sum by sum_i w[t_i] over the kept samples (PyTorch's rule; 0 / 0 = NaN).
    With probability targets T: loss_i = -sum_c w_c T'[i, c] z[i, c], T' = (1 - eps) T + eps / C, "mean" over M.
    The backward follows PyTorch's order: the gradient gz reaching z, then log_softmax's backward
    gz - exp(z) sum_c gz, so an ignored row of -inf logits gets PyTorch's NaN and an all-ignored mean a zero gradient.
    The integer target is an option (data, not a differentiable input); a soft target is input 1.
    """

    def forward(self, x, *soft, idx, fused, weight, ignore_index, smoothing, reduction, out_shape):
        self.shape, self.fused, self.reduction, self.eps, self.weight = x.shape, fused, reduction, smoothing, weight
        z = _classes_last(x)
        m, c = z.shape
        if fused and c:
            shifted = z - z.max(axis=1, keepdims=True)  # log-sum-exp: finite for logits near 1e4
            z = shifted - xp.log(xp.exp(shifted).sum(axis=1, keepdims=True))
        self.z = z
        self.index = idx is not None
        w = 1 if weight is None else weight
        with xp.errstate(invalid="ignore", divide="ignore"):
            if self.index:
                t = idx.reshape(-1)
                self.keep = keep = t != ignore_index
                self.safe = safe = xp.where(keep, t, 0)
                self.wt = wt = (keep if weight is None else xp.where(keep, weight[safe], 0)).astype(z.dtype)
                parts = [xp.where(keep, -(wt * z[backend.module_of(z).arange(m), safe]), z.dtype.type(0))]
                if smoothing:
                    parts.append(xp.where(keep, -(z * w).sum(axis=1), z.dtype.type(0)))
                self.denom = wt.sum()
            else:
                tt = _classes_last(soft[0])
                if smoothing:
                    tt = tt * (1 - smoothing) + smoothing / c
                self.a = tt * w
                parts, self.denom = [-(z * self.a).sum(axis=1)], z.dtype.type(m)
            if reduction == "none":
                out = [pt.reshape(out_shape) for pt in parts]
            elif reduction == "sum":
                out = [pt.sum() for pt in parts]
            else:
                out = [pt.sum() / self.denom for pt in parts]
            if self.index and smoothing:
                return backend.asarray((1 - smoothing) * out[0] + (smoothing / c) * out[1], dtype=z.dtype)
            return backend.asarray(out[0], dtype=z.dtype)

    def backward(self, g):
        z, eps = self.z, self.eps
        m, c = z.shape
        with xp.errstate(invalid="ignore", divide="ignore"):
            if self.reduction == "none":
                coef = g.reshape(-1)
            else:
                coef = xp.broadcast_to(g / self.denom if self.reduction == "mean" else g, (m,))
            w = 1 if self.weight is None else self.weight
            gx = gt = None
            if self.index:
                kept = xp.where(self.keep, coef, 0)  # ignored rows get exactly 0, even where 1 / denom is inf
                gz = -(eps / c) * kept[:, None] * w if eps else xp.zeros_like(z)
                gz = xp.broadcast_to(gz, z.shape).copy() if eps else gz
                gz[backend.module_of(gz).arange(m), self.safe] -= (1 - eps) * self.wt * kept
            else:
                gz = -self.a * coef[:, None]
                if self.needs[1]:
                    gt = _classes_back(-(1 - eps) * coef[:, None] * w * z, self.shape)
            if self.needs[0]:
                if self.fused:
                    gz = gz - xp.exp(z) * gz.sum(axis=1, keepdims=True)  # log_softmax's backward
                gx = _classes_back(gz, self.shape)
        return (gx, gt) if len(self.needs) > 1 else gx


def _class_loss(op, input, target, weight, ignore_index, reduction, smoothing, fused):
    check_reduction(reduction, op)
    input = float_tensor(input, op)
    target = as_tensor(target, op)
    if not 0.0 <= smoothing <= 1.0:
        raise ValueError(f"{op}: label_smoothing must be in [0, 1], got {smoothing}")
    if input.ndim == 1:  # unbatched (C,) scores
        out = _class_loss(op, input.reshape(1, -1), target.reshape(1, *target.shape), weight, ignore_index,
                          reduction, smoothing, fused)
        return out.reshape(()) if reduction == "none" else out
    if input.ndim == 0 or input.shape[1] == 0:
        raise ValueError(f"{op}: input must be (N, C) or (N, C, d1, ...) with C >= 1, got shape {input.shape}")
    c = input.shape[1]
    w = None
    if weight is not None:
        w = (weight.data if isinstance(weight, Tensor) else backend.asarray(weight)).astype(input.dtype, copy=False)
        if w.shape != (c,):
            raise ValueError(f"{op}: weight must have shape ({c},), one per class, got {w.shape}")
    out_shape = (input.shape[0], *input.shape[2:])
    opts = {"fused": fused, "weight": w, "ignore_index": ignore_index, "smoothing": float(smoothing),
            "reduction": reduction, "out_shape": out_shape}
    if backend.cupy_loaded():  # class indices and weights are options, outside Function.apply's device check
        _, opts["weight"] = backend.same_device(op, [input.data, w])
    kind = target.data.dtype.kind
    if kind in "iu":
        if target.shape != out_shape:
            raise ValueError(f"{op}: input shape {input.shape} needs a class-index target of shape {out_shape}, "
                             f"got target shape {target.shape}")
        t = target.data
        bad = (t != ignore_index) & ((t < 0) | (t >= c))
        if bad.any():
            raise IndexError(f"{op}: target class index {int(t[bad].flat[0])} is out of range for {c} classes "
                             f"(valid: 0 to {c - 1})")
        if backend.cupy_loaded():
            t = backend.same_device(op, [input.data, t])[1]
        return _ClassLoss.apply(input, idx=t, **opts)
    if not fused or kind != "f":
        want = "integer class indices" if not fused else "integer class indices or float probabilities"
        raise TypeError(f"{op}: target must be {want}, got dtype {target.dtype}")
    if target.shape != input.shape:
        raise ValueError(f"{op}: input shape {input.shape} and probability target shape {target.shape} differ")
    return _ClassLoss.apply(input, target, idx=None, **opts)


def cross_entropy(input: Tensor, target: Tensor, weight=None, size_average=None, ignore_index: int = -100,
                  reduce=None, reduction: str = "mean", label_smoothing: float = 0.0) -> Tensor:
    """Cross-entropy of class scores (logits): -log softmax(input)[target], fused into one op.

    input: (N, C) or (N, C, d1, ...) raw scores (or unbatched (C,)).
    target: class indices, int, (N,) / (N, d1, ...), entries in [0, C) or ignore_index;
            or probabilities / one-hot, float, same shape as input.
    weight: optional (C,) class weights. label_smoothing eps mixes the target with uniform eps / C.
    size_average/reduce: PyTorch's deprecated spelling of reduction (argument order as PyTorch's).
    The gradient is softmax(input) - onehot(target) (per sample, scaled by the reduction).

    >>> round(cross_entropy(gn.zeros(2, 4), gn.tensor([1, 3])).item(), 4)   # log 4
    1.3863
    """
    reduction = legacy_reduction("cross_entropy", size_average, reduce, reduction)
    return _class_loss("cross_entropy", input, target, weight, ignore_index, reduction, label_smoothing, True)


def nll_loss(input: Tensor, target: Tensor, weight=None, size_average=None, ignore_index: int = -100,
             reduce=None, reduction: str = "mean") -> Tensor:
    """Negative log-likelihood: -input[n, target[n]] for log-probabilities input (e.g. log_softmax output).

    input: (N, C) or (N, C, d1, ...); target: int class indices (N,) / (N, d1, ...).
    nll_loss(log_softmax(x, axis=1), t) == cross_entropy(x, t).

    >>> nll_loss(gn.tensor([[-1.0, -2.0], [-3.0, -4.0]]), gn.tensor([0, 1])).item()
    2.5
    """
    reduction = legacy_reduction("nll_loss", size_average, reduce, reduction)
    return _class_loss("nll_loss", input, target, weight, ignore_index, reduction, 0.0, False)


# ----- smooth_l1_loss and kl_div (PyTorch's names and argument order) ---------------------------------
__all__ += ["kl_div", "smooth_l1_loss"]


def legacy_reduction(op: str, size_average, reduce, reduction: str) -> str:
    """PyTorch's deprecated size_average/reduce flags as a reduction string (None leaves `reduction`)."""
    if size_average is None and reduce is None:
        return reduction
    warnings.warn(f"{op}: size_average and reduce are deprecated, use reduction= instead", UserWarning, stacklevel=3)
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    return ("mean" if size_average else "sum") if reduce else "none"


def smooth_l1_loss(input: Tensor, target: Tensor, size_average=None, reduce=None, reduction: str = "mean",
                   beta: float = 1.0) -> Tensor:
    """0.5 d^2 / beta where |d| < beta, |d| - 0.5 beta beyond (d = input - target): huber_loss(delta=beta) / beta.

    beta=0 is l1_loss. input, target: same shape (any).

    >>> smooth_l1_loss(gn.tensor([0.5, 3.0]), gn.zeros(2), reduction="none").tolist()
    [0.125, 2.5]
    """
    reduction = legacy_reduction("smooth_l1_loss", size_average, reduce, reduction)
    if not beta >= 0:
        raise ValueError(f"smooth_l1_loss: beta must be non-negative, got {beta}")
    if beta == 0:
        return l1_loss(input, target, reduction=reduction)
    loss = huber_loss(input, target, reduction, delta=float(beta))
    return loss if beta == 1 else loss * (1.0 / beta)


class KLDiv(_PointwiseLoss):
    def elementwise(self, x, t, log_target):
        if log_target:
            self.p = xp.exp(t)
            return self.p * (t - x)
        with xp.errstate(divide="ignore", invalid="ignore"):
            self.log_t = xp.log(t)
            # 0 log 0 = 0: a class the target gives no mass adds nothing (PyTorch's xlogy)
            return xp.where(t > 0, t * self.log_t, 0) - t * x

    def partials(self, x, t, log_target):
        if log_target:
            return -self.p, self.p * (t - x + 1)
        return -t, self.log_t + 1 - x


def kl_div(input: Tensor, target: Tensor, size_average=None, reduce=None, reduction: str = "mean",
           log_target: bool = False) -> Tensor:
    """Kullback-Leibler divergence KL(target || q) for log-probabilities `input` = log q, pointwise:
    target (log target - input), or exp(target) (target - input) when log_target.

    reduction: "mean" averages over ALL elements (PyTorch's rule, not the KL per sample);
    "batchmean" divides the sum by the batch size input.shape[0], the true mean KL; "sum"; "none".
    input, target: same shape.

    >>> p = gn.tensor([[0.5, 0.5]]); kl_div(p.log(), p, reduction="batchmean").item()
    0.0
    """
    reduction = legacy_reduction("kl_div", size_average, reduce, reduction)
    if reduction == "batchmean":
        input, target = _pair(input, target, "kl_div", "sum")
        batch = input.shape[0] if input.ndim else 1
        return KLDiv.apply(input, target, reduction="sum", log_target=bool(log_target)) * (1.0 / max(batch, 1))
    input, target = _pair(input, target, "kl_div", reduction)
    return KLDiv.apply(input, target, reduction=reduction, log_target=bool(log_target))
