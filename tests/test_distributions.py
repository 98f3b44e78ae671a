"""gradnote.distributions (torch.distributions' spelling): log_prob, entropy and KL against NumPy formulas,
float64 gradchecks through the parameters, sample shapes and frequencies, bad arguments."""

from __future__ import annotations

import math

import numpy as np
import pytest

import gradnote as gn
from gradnote.distributions import Bernoulli, Categorical, Normal, kl_divergence


def test_categorical_log_prob_entropy_and_sample_match_numpy():
    p = np.array([[0.2, 0.5, 0.3], [0.6, 0.1, 0.3]])
    m = Categorical(probs=gn.tensor(p * 4))  # unnormalised probs are normalised, as PyTorch
    np.testing.assert_allclose(m.log_prob(gn.tensor([1, 0])).data, np.log([0.5, 0.6]), rtol=1e-12)
    np.testing.assert_allclose(m.entropy().data, -(p * np.log(p)).sum(-1), rtol=1e-12)
    logits = np.log(p) + 7.0
    np.testing.assert_allclose(Categorical(logits=gn.tensor(logits)).probs.data, p, rtol=1e-12)
    gn.manual_seed(0)
    draws = m.sample((20000,))
    assert draws.shape == (20000, 2) and draws.dtype == np.int64 and m.batch_shape == (2,)
    for row in range(2):
        np.testing.assert_allclose(np.bincount(draws.data[:, row], minlength=3) / 20000, p[row], atol=0.015)
    assert m.log_prob(draws).shape == (20000, 2)  # sample dims in front broadcast against the batch


def test_categorical_log_prob_gradients():
    probs = gn.tensor(np.array([[0.2, 0.5, 0.3], [0.6, 0.1, 0.3]]), requires_grad=True)
    logits = gn.tensor(np.array([0.3, -1.2, 2.0]), requires_grad=True)
    idx = gn.tensor([2, 1])
    assert gn.gradcheck(lambda p: Categorical(probs=p).log_prob(idx).sum(), [probs])
    assert gn.gradcheck(lambda lg: (Categorical(logits=lg).log_prob(gn.tensor(1)) * 2 +
                                    Categorical(logits=lg).entropy()), [logits])


def test_normal_log_prob_entropy_rsample_and_kl():
    loc = gn.tensor(np.array([0.5, -1.0]), requires_grad=True)
    scale = gn.tensor(np.array([2.0, 0.3]), requires_grad=True)
    m = Normal(loc, scale)
    x = np.array([1.5, -0.7])
    ref = -((x - loc.data) ** 2) / (2 * scale.data**2) - np.log(scale.data) - 0.5 * math.log(2 * math.pi)
    np.testing.assert_allclose(m.log_prob(gn.tensor(x)).data, ref, rtol=1e-12)
    np.testing.assert_allclose(m.entropy().data, 0.5 + 0.5 * math.log(2 * math.pi) + np.log(scale.data))
    assert gn.gradcheck(lambda a, b: Normal(a, b).log_prob(gn.tensor(x)).sum(), [loc, scale])
    gn.manual_seed(1)
    z = m.rsample((3,))
    assert z.shape == (3, 2) and z.requires_grad and not m.sample((3,)).requires_grad
    loc.grad = None  # gradcheck ran backward through loc
    z.sum().backward()
    np.testing.assert_allclose(loc.grad, [3.0, 3.0])  # d(loc + scale * eps)/d loc = 1 per draw
    q = Normal(gn.tensor(np.array([0.0, 0.0])), gn.tensor(np.array([1.0, 1.0])))
    kl = np.log(1.0 / scale.data) + (scale.data**2 + loc.data**2) / 2 - 0.5
    np.testing.assert_allclose(kl_divergence(m, q).data, kl, rtol=1e-12)


def test_bernoulli_and_categorical_kl_match_numpy():
    p = np.array([0.1, 0.5, 0.97])
    b = Bernoulli(probs=gn.tensor(p))
    x = np.array([1.0, 0.0, 1.0])
    np.testing.assert_allclose(b.log_prob(gn.tensor(x)).data, x * np.log(p) + (1 - x) * np.log(1 - p), rtol=1e-9)
    np.testing.assert_allclose(b.entropy().data, -(p * np.log(p) + (1 - p) * np.log(1 - p)), rtol=1e-9)
    lg = np.log(p / (1 - p))
    np.testing.assert_allclose(Bernoulli(logits=gn.tensor(lg)).log_prob(gn.tensor(x)).data,
                               b.log_prob(gn.tensor(x)).data, rtol=1e-9)
    q = np.array([0.3, 0.4, 0.5])
    np.testing.assert_allclose(kl_divergence(b, Bernoulli(probs=gn.tensor(q))).data,
                               p * np.log(p / q) + (1 - p) * np.log((1 - p) / (1 - q)), rtol=1e-9)
    pc, qc = np.array([0.2, 0.8]), np.array([0.5, 0.5])
    np.testing.assert_allclose(kl_divergence(Categorical(gn.tensor(pc)), Categorical(gn.tensor(qc))).item(),
                               (pc * np.log(pc / qc)).sum(), rtol=1e-12)
    gn.manual_seed(0)
    assert abs(float(b.sample((4000,)).data.mean(0)[2]) - 0.97) < 0.02


def test_bad_arguments_name_the_distribution():
    with pytest.raises(ValueError, match="Categorical: give exactly one of probs or logits"):
        Categorical()
    with pytest.raises(ValueError, match="Categorical: probs must have at least one dimension"):
        Categorical(probs=gn.tensor(0.5))
    with pytest.raises(ValueError, match=r"Categorical.log_prob: values must be class indices in \[0, 2\)"):
        Categorical(probs=gn.tensor([0.5, 0.5])).log_prob(gn.tensor(2))
    with pytest.raises(ValueError, match="Normal: scale must be positive"):
        Normal(0.0, -1.0, validate_args=True)
    with pytest.raises(NotImplementedError, match="kl_divergence: no closed form for Normal || Categorical"):
        kl_divergence(Normal(0.0, 1.0), Categorical(gn.tensor([0.5, 0.5])))
