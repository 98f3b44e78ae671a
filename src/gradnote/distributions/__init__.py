"""Probability distributions with PyTorch's ``torch.distributions`` spelling, for policies and latent variables.

    m = Categorical(probs)          # or logits=...
    action = m.sample()             # drawn from gradnote's generator (gn.manual_seed), no gradient
    loss = -m.log_prob(action) * R  # differentiable in probs / logits (REINFORCE)

``Normal.rsample()`` is the reparameterised draw (loc + scale * eps) that lets gradients reach loc and
scale; ``sample()`` never records a graph. ``kl_divergence(p, q)`` covers pairs of the same family.
"""

from .bernoulli import Bernoulli
from .categorical import Categorical
from .distribution import Distribution
from .kl import kl_divergence
from .normal import Normal

__all__ = ["Bernoulli", "Categorical", "Distribution", "Normal", "kl_divergence"]
