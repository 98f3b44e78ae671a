"""Probability distributions with PyTorch's ``torch.distributions`` spelling, for policies and latent variables.

    m = Categorical(probs)          # or logits=...
    action = m.sample()             # drawn from gradnote's generator (gn.manual_seed), no gradient
    loss = -m.log_prob(action) * R  # differentiable in probs / logits (REINFORCE)

``Normal.rsample()`` is the reparameterised draw (loc + scale * eps) that lets gradients reach loc and
scale; ``sample()`` never records a graph. ``kl_divergence(p, q)`` looks the pair up in one registry
(``register_kl``), with the pairs torch registers among these families.
"""

from .bernoulli import Bernoulli
from .beta import Beta
from .categorical import Categorical
from .distribution import Distribution
from .exponential import Exponential
from .gamma import Gamma
from .kl import kl_divergence, register_kl
from .laplace import Laplace
from .multivariate_normal import MultivariateNormal
from .normal import Normal
from .uniform import Uniform

__all__ = ["Bernoulli", "Beta", "Categorical", "Distribution", "Exponential", "Gamma", "Laplace",
           "MultivariateNormal", "Normal", "Uniform", "kl_divergence", "register_kl"]
