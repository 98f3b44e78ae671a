"""KL(p || q) in closed form: one registry of (type of p, type of q) -> function, as torch.distributions.kl.

    @register_kl(MyDist, Normal)
    def _kl_mine_normal(p, q): ...

Pairs whose KL is infinite (p puts mass where q has none: Normal || Uniform) return +inf; a pair with no
entry raises NotImplementedError.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from ..autograd import Tensor, linalg
from ..autograd.indexing import where
from .bernoulli import Bernoulli
from .beta import Beta, _log_beta
from .categorical import Categorical
from .exponential import Exponential
from .gamma import Gamma
from .laplace import Laplace
from .multivariate_normal import MultivariateNormal
from .normal import Normal
from .uniform import Uniform

_KL_REGISTRY: dict = {}
_EULER_GAMMA = 0.5772156649015329


def register_kl(type_p: type, type_q: type) -> Callable:
    """Decorator: register ``fn(p, q) -> Tensor`` as KL(p || q) for instances of these types (and subclasses)."""
    if not (isinstance(type_p, type) and isinstance(type_q, type)):
        raise TypeError(f"register_kl: expected two distribution classes, got {type_p!r}, {type_q!r}")

    def decorator(fn: Callable) -> Callable:
        _KL_REGISTRY[type_p, type_q] = fn
        return fn

    return decorator


def kl_divergence(p, q) -> Tensor:
    """KL(p || q) = E_p[log p(x) - log q(x)], shape batch_shape, for the pairs registered (the most specific one
    by class hierarchy when several match).

    >>> kl_divergence(Normal(0.0, 1.0), Normal(0.0, 1.0)).item()
    0.0
    """
    matches = [(i + j, tp, tq) for i, tp in enumerate(type(p).__mro__) for j, tq in enumerate(type(q).__mro__)
               if (tp, tq) in _KL_REGISTRY]
    if not matches:
        raise NotImplementedError(f"kl_divergence: no closed form registered for {type(p).__name__} || "
                                  f"{type(q).__name__}")
    _, tp, tq = min(matches, key=lambda m: m[0])
    return _KL_REGISTRY[tp, tq](p, q)


def _infinite_like(t: Tensor) -> Tensor:
    return Tensor._wrap(np.full(t.shape, np.inf, dtype=t.data.dtype))


def _inf_where(mask, result: Tensor) -> Tensor:
    return where(Tensor._wrap(np.asarray(mask)), _infinite_like(result), result)


def _xlogx(t: Tensor) -> Tensor:
    return t.xlogy(t)


# ------------------------------------------------------------------------------------------- same family
@register_kl(Normal, Normal)
def _kl_normal_normal(p, q):
    var_ratio = (p.scale / q.scale) ** 2
    t1 = ((p.loc - q.loc) / q.scale) ** 2
    return 0.5 * (var_ratio + t1 - 1 - var_ratio.log())


@register_kl(Categorical, Categorical)
def _kl_categorical_categorical(p, q):
    return (p.probs * (p.logits - q.logits)).sum(-1)


@register_kl(Bernoulli, Bernoulli)
def _kl_bernoulli_bernoulli(p, q):
    # p log(p/q) + (1-p) log((1-p)/(1-q)) via log-sigmoids of the logits
    def log_sig(x):
        return -((-x).clamp(min=0) + (-x.abs()).exp().log1p())

    return p.probs * (log_sig(p.logits) - log_sig(q.logits)) + (1 - p.probs) * (log_sig(-p.logits) - log_sig(-q.logits))


@register_kl(Uniform, Uniform)
def _kl_uniform_uniform(p, q):
    result = ((q.high - q.low) / (p.high - p.low)).log()
    return _inf_where((q.low.data > p.low.data) | (q.high.data < p.high.data), result)


@register_kl(Exponential, Exponential)
def _kl_exponential_exponential(p, q):
    ratio = q.rate / p.rate
    return ratio - ratio.log() - 1


@register_kl(Laplace, Laplace)
def _kl_laplace_laplace(p, q):
    ratio = p.scale / q.scale
    gap = (p.loc - q.loc).abs()
    return -ratio.log() + gap / q.scale + ratio * (-gap / p.scale).exp() - 1


@register_kl(Gamma, Gamma)
def _kl_gamma_gamma(p, q):
    a, b, c, d = p.concentration, p.rate, q.concentration, q.rate
    return c * (b / d).log() + c.lgamma() - a.lgamma() + (a - c) * a.digamma() + (d - b) * a / b


@register_kl(Beta, Beta)
def _kl_beta_beta(p, q):
    a1, b1, a2, b2 = p.concentration1, p.concentration0, q.concentration1, q.concentration0
    return (_log_beta(a2, b2) - _log_beta(a1, b1) + (a1 - a2) * a1.digamma() + (b1 - b2) * b1.digamma()
            + (a2 - a1 + b2 - b1) * (a1 + b1).digamma())


@register_kl(MultivariateNormal, MultivariateNormal)
def _kl_mvn_mvn(p, q):
    """(tr(Sq^-1 Sp) + |Lq^-1 (mu_q - mu_p)|^2 - k) / 2 + log det Lq - log det Lp."""
    if p.event_shape != q.event_shape:
        raise ValueError(f"kl_divergence: MultivariateNormals of different event shapes {p.event_shape} and "
                         f"{q.event_shape}")
    k = p.event_shape[0]
    batch = np.broadcast_shapes(p.batch_shape, q.batch_shape)
    lp = p._unbroadcasted_scale_tril.expand(*batch, k, k)
    lq = q._unbroadcasted_scale_tril.expand(*batch, k, k)
    m = linalg.solve(lq, lp)  # Lq^-1 Lp: its squared Frobenius norm is tr(Sq^-1 Sp)
    y = linalg.solve(lq, (q.loc - p.loc).expand(*batch, k).unsqueeze(-1)).squeeze(-1)
    half_log_det = lq.diagonal(dim1=-2, dim2=-1).log().sum(-1) - lp.diagonal(dim1=-2, dim2=-1).log().sum(-1)
    return half_log_det + 0.5 * ((m**2).sum((-2, -1)) + (y**2).sum(-1) - k)


# ------------------------------------------------------------------------------------------- across families
def _kl_infinite(p, q):
    return _infinite_like(p.mean)


for _p, _qs in ((Exponential, (Beta, Uniform)), (Gamma, (Beta, Uniform)),
                (Laplace, (Beta, Exponential, Gamma, Uniform)), (Normal, (Beta, Exponential, Gamma, Uniform))):
    for _q in _qs:
        register_kl(_p, _q)(_kl_infinite)


@register_kl(Beta, Exponential)
def _kl_beta_exponential(p, q):
    return -p.entropy() - q.rate.log() + q.rate * p.mean


@register_kl(Beta, Gamma)
def _kl_beta_gamma(p, q):
    a, b = p.concentration1, p.concentration0
    c, d = q.concentration, q.rate
    return -p.entropy() + c.lgamma() - c * d.log() - (c - 1) * (a.digamma() - (a + b).digamma()) + d * p.mean


@register_kl(Beta, Normal)
def _kl_beta_normal(p, q):
    mean, var = p.mean, q.scale**2
    second = p.variance + mean**2
    return -p.entropy() + 0.5 * (2 * math.pi * var).log() + (0.5 * second - q.loc * mean + 0.5 * q.loc**2) / var


@register_kl(Beta, Uniform)
def _kl_beta_uniform(p, q):
    result = -p.entropy() + (q.high - q.low).log()
    return _inf_where((q.low.data > 0) | (q.high.data < 1), result)


@register_kl(Exponential, Gamma)
def _kl_exponential_gamma(p, q):
    ratio = q.rate / p.rate
    c = q.concentration
    return -c * ratio.log() + ratio + c.lgamma() + c * _EULER_GAMMA - (1 + _EULER_GAMMA)


@register_kl(Exponential, Normal)
def _kl_exponential_normal(p, q):
    var, rate2 = q.scale**2, p.rate**2
    return 0.5 * (rate2 * var * 2 * math.pi).log() - 1 + (1 / rate2 - q.loc / p.rate + 0.5 * q.loc**2) / var


@register_kl(Gamma, Exponential)
def _kl_gamma_exponential(p, q):
    return -p.entropy() - q.rate.log() + q.rate * p.mean


@register_kl(Gamma, Normal)
def _kl_gamma_normal(p, q):
    a, b = p.concentration, p.rate
    var = q.scale**2
    t1 = 0.5 * (b**2 * var * 2 * math.pi).log() - a - a.lgamma()
    return t1 + (a - 1) * a.digamma() + (0.5 * (a**2 + a) / b**2 - q.loc * a / b + 0.5 * q.loc**2) / var


@register_kl(Laplace, Normal)
def _kl_laplace_normal(p, q):
    var = q.scale**2
    ratio = p.scale**2 / var
    return -0.5 * (2 * ratio / math.pi).log() + ratio + 0.5 * (p.loc - q.loc) ** 2 / var - 1


@register_kl(Normal, Laplace)
def _kl_normal_laplace(p, q):
    gap = p.loc - q.loc
    z = gap / p.scale
    spread = math.sqrt(2 / math.pi) * p.scale * (-0.5 * z**2).exp() + gap * (math.sqrt(0.5) * z).erf()
    return -(p.scale / q.scale).log() + spread / q.scale - 0.5 * (1 + math.log(0.5 * math.pi))


@register_kl(Uniform, Beta)
def _kl_uniform_beta(p, q):
    width = p.high - p.low
    a, b = q.concentration1, q.concentration0
    t2 = (a - 1) * (_xlogx(p.high) - _xlogx(p.low) - width) / width
    t3 = (b - 1) * (_xlogx(1 - p.high) - _xlogx(1 - p.low) + width) / width
    result = t3 + _log_beta(a, b) - width.log() - t2
    return _inf_where((p.high.data > 1) | (p.low.data < 0), result)


@register_kl(Uniform, Exponential)
def _kl_uniform_exponential(p, q):
    result = q.rate * p.mean - ((p.high - p.low) * q.rate).log()
    return _inf_where(p.low.data < 0, result)


@register_kl(Uniform, Gamma)
def _kl_uniform_gamma(p, q):
    width = p.high - p.low
    c, d = q.concentration, q.rate
    t3 = (1 - c) * (_xlogx(p.high) - _xlogx(p.low) - width) / width
    result = -width.log() + c.lgamma() - c * d.log() + t3 + d * p.mean
    return _inf_where(p.low.data < 0, result)


@register_kl(Uniform, Normal)
def _kl_uniform_normal(p, q):
    width = p.high - p.low
    return (math.sqrt(2 * math.pi) * q.scale / width).log() + 0.5 * (width**2 / 12 + (p.mean - q.loc) ** 2) / q.scale**2
