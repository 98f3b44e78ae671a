"""KL(p || q) in closed form for pairs of the same family, as torch.distributions.kl_divergence."""

from __future__ import annotations

from ..autograd import Tensor
from .bernoulli import Bernoulli
from .categorical import Categorical
from .normal import Normal


def kl_divergence(p, q) -> Tensor:
    """KL(p || q), shape batch_shape: Normal-Normal, Categorical-Categorical, Bernoulli-Bernoulli.

    >>> kl_divergence(Normal(0.0, 1.0), Normal(0.0, 1.0)).item()
    0.0
    """
    if isinstance(p, Normal) and isinstance(q, Normal):
        var_ratio = (p.scale / q.scale) ** 2
        t1 = ((p.loc - q.loc) / q.scale) ** 2
        return 0.5 * (var_ratio + t1 - 1 - var_ratio.log())
    if isinstance(p, Categorical) and isinstance(q, Categorical):
        return (p.probs * (p.logits - q.logits)).sum(-1)
    if isinstance(p, Bernoulli) and isinstance(q, Bernoulli):
        return _bernoulli_kl(p, q)
    raise NotImplementedError(f"kl_divergence: no closed form for {type(p).__name__} || {type(q).__name__}")


def _bernoulli_kl(p: Bernoulli, q: Bernoulli) -> Tensor:
    # p log(p/q) + (1-p) log((1-p)/(1-q)) via log-sigmoids of the logits
    def log_sig(x):
        return -((-x).clamp(min=0) + (-x.abs()).exp().log1p())

    return p.probs * (log_sig(p.logits) - log_sig(q.logits)) + (1 - p.probs) * (log_sig(-p.logits) - log_sig(-q.logits))
