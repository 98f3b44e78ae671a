"""Uniform, Exponential, Laplace, Gamma, Beta, MultivariateNormal and the kl_divergence registry: values against
scipy.stats / NumPy, float64 gradchecks through the parameters, sample shapes and moments, bad arguments."""

import math

import numpy as np
import pytest
from scipy import integrate, stats

import gradnote as gn
from gradnote.distributions import (
    Bernoulli,
    Beta,
    Distribution,
    Exponential,
    Gamma,
    Laplace,
    MultivariateNormal,
    Normal,
    Uniform,
    kl_divergence,
    register_kl,
)

RNG = np.random.default_rng(0)


def _t(a):
    return gn.tensor(np.asarray(a, dtype=np.float64), requires_grad=True)


def _pos(*shape):
    return RNG.uniform(0.5, 3.0, shape)


# name -> (class, parameter sampler, scipy frozen distribution from the parameters, sampler of values in support)
FAMILIES = {
    "Uniform": (Uniform, lambda s: [RNG.uniform(-2, -0.5, s), RNG.uniform(0.5, 2, s)],
                lambda lo, hi: stats.uniform(lo, hi - lo), lambda s: RNG.uniform(-0.4, 0.4, s)),
    "Exponential": (Exponential, lambda s: [_pos(*s)], lambda r: stats.expon(scale=1 / r), lambda s: _pos(*s)),
    "Laplace": (Laplace, lambda s: [RNG.standard_normal(s), _pos(*s)], lambda m, b: stats.laplace(m, b),
                lambda s: RNG.standard_normal(s)),
    "Gamma": (Gamma, lambda s: [_pos(*s), _pos(*s)], lambda a, r: stats.gamma(a, scale=1 / r), lambda s: _pos(*s)),
    "Beta": (Beta, lambda s: [_pos(*s), _pos(*s)], lambda a, b: stats.beta(a, b),
             lambda s: RNG.uniform(0.05, 0.95, s)),
}


@pytest.mark.parametrize("name", list(FAMILIES))
@pytest.mark.parametrize("shape", [(), (4,), (2, 3)])
def test_values_match_scipy(name, shape):
    cls, params, ref, values = FAMILIES[name]
    ps = params(shape)
    d, x = cls(*[gn.tensor(p) for p in ps]), values(shape)
    r = ref(*ps)
    assert d.batch_shape == shape and d.event_shape == ()
    np.testing.assert_allclose(d.log_prob(gn.tensor(x)).data, r.logpdf(x), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(d.entropy().data, r.entropy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(d.mean.data, r.mean(), rtol=1e-12)
    np.testing.assert_allclose(d.variance.data, r.var(), rtol=1e-12)
    np.testing.assert_allclose(d.stddev.data, r.std(), rtol=1e-12)
    if hasattr(d, "cdf"):
        np.testing.assert_allclose(d.cdf(gn.tensor(x)).data, r.cdf(x), rtol=1e-10, atol=1e-12)
    if hasattr(d, "icdf"):
        u = RNG.uniform(0.05, 0.95, shape)
        np.testing.assert_allclose(d.icdf(gn.tensor(u)).data, r.ppf(u), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name", list(FAMILIES))
def test_log_prob_and_entropy_gradcheck(name):
    cls, params, _, values = FAMILIES[name]
    ps = [_t(p) for p in params((3,))]
    x = gn.tensor(values((2, 3)))
    assert gn.gradcheck(lambda *q: cls(*q).log_prob(x), ps)
    assert gn.gradcheck(lambda *q: cls(*q).entropy(), ps)


def test_parameters_broadcast_and_numbers_are_float32():
    d = Laplace(0.0, gn.tensor(np.array([1.0, 2.0])))
    assert d.batch_shape == (2,) and d.loc.shape == (2,) and d.loc.dtype == np.float64
    assert Exponential(2.0).rate.dtype == np.float32
    assert Uniform(gn.zeros(3), 1.0).sample((5,)).dtype == np.float32


@pytest.mark.parametrize("name", ["Uniform", "Exponential", "Laplace"])
def test_rsample_is_differentiable_and_distributed(name):
    cls, params, ref, _ = FAMILIES[name]
    ps = params(())
    gen = gn.Generator().manual_seed(3)
    draws = cls(*[gn.tensor(p) for p in ps]).sample((4000,), generator=gen).data
    assert draws.shape == (4000,)
    assert stats.kstest(draws, ref(*ps).cdf).pvalue > 1e-3
    qs = [_t(p) for p in ps]

    def drawn(*q):
        return cls(*q).rsample((3,), generator=gn.Generator().manual_seed(5))

    assert gn.gradcheck(drawn, qs)
    assert not cls(*qs).sample((2,)).requires_grad


@pytest.mark.parametrize("name", ["Gamma", "Beta"])
def test_gamma_and_beta_sample_without_gradient(name):
    cls, params, ref, _ = FAMILIES[name]
    ps = params(())
    d = cls(*[_t(p) for p in ps])
    draws = d.sample((4000,), generator=gn.Generator().manual_seed(1))
    assert draws.shape == (4000,) and not draws.requires_grad
    assert stats.kstest(draws.data, ref(*ps).cdf).pvalue > 1e-3
    assert not d.has_rsample
    with pytest.raises(NotImplementedError, match=f"{name}.rsample: gradnote has no reparameterised"):
        d.rsample()


def test_uniform_log_prob_outside_the_support_is_minus_inf():
    d = Uniform(0.0, 2.0)
    np.testing.assert_allclose(d.log_prob(gn.tensor([-1.0, 0.0, 1.0, 2.0])).data,
                               [-np.inf, -np.log(2), -np.log(2), -np.inf], rtol=1e-6)


# ------------------------------------------------------------------------------------------- MultivariateNormal
def _spd(*batch, k=3):
    a = RNG.standard_normal((*batch, k, k))
    return a @ np.swapaxes(a, -1, -2) + k * np.eye(k)


def _np_mvn_logpdf(x, loc, cov):
    k = loc.shape[-1]
    diff = x - loc
    sol = np.linalg.solve(cov, diff[..., None])[..., 0]
    return -0.5 * (k * np.log(2 * np.pi) + (diff * sol).sum(-1) + np.linalg.slogdet(cov)[1])


@pytest.mark.parametrize("form", ["covariance_matrix", "precision_matrix", "scale_tril"])
@pytest.mark.parametrize("loc_shape, batch", [((3,), ()), ((2, 3), ()), ((3,), (4,)), ((4, 1, 3), (2,))])
def test_mvn_matches_numpy(form, loc_shape, batch):
    loc, cov = RNG.standard_normal(loc_shape), _spd(*batch)
    given = {"covariance_matrix": cov, "precision_matrix": np.linalg.inv(cov), "scale_tril": np.linalg.cholesky(cov)}
    d = MultivariateNormal(gn.tensor(loc), **{form: gn.tensor(given[form])})
    want_batch = np.broadcast_shapes(loc_shape[:-1], batch)
    assert d.batch_shape == want_batch and d.event_shape == (3,)
    x = RNG.standard_normal((5, *want_batch, 3))
    np.testing.assert_allclose(d.log_prob(gn.tensor(x)).data, _np_mvn_logpdf(x, loc, cov), rtol=1e-10)
    entropy = 0.5 * (3 * (1 + np.log(2 * np.pi)) + np.linalg.slogdet(cov)[1])
    np.testing.assert_allclose(d.entropy().data, np.broadcast_to(entropy, want_batch), rtol=1e-12)
    np.testing.assert_allclose(d.covariance_matrix.data, np.broadcast_to(cov, (*want_batch, 3, 3)), rtol=1e-10)
    np.testing.assert_allclose(d.precision_matrix.data, np.broadcast_to(np.linalg.inv(cov), (*want_batch, 3, 3)),
                               rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(d.variance.data, np.broadcast_to(np.diagonal(cov, 0, -2, -1), (*want_batch, 3)),
                               rtol=1e-10)
    np.testing.assert_allclose(d.mean.data, np.broadcast_to(loc, (*want_batch, 3)))
    assert d.rsample((2,)).shape == (2, *want_batch, 3)


def test_mvn_gradcheck_through_loc_and_each_matrix():
    loc, cov = _t(RNG.standard_normal((2, 3))), _spd()
    x = gn.tensor(RNG.standard_normal((4, 2, 3)))

    def sym(a):
        return (a + a.mT) / 2

    assert gn.gradcheck(lambda m, c: MultivariateNormal(m, covariance_matrix=sym(c)).log_prob(x), [loc, _t(cov)])
    assert gn.gradcheck(lambda m, p: MultivariateNormal(m, precision_matrix=sym(p)).log_prob(x),
                        [loc, _t(np.linalg.inv(cov))])
    assert gn.gradcheck(lambda m, s: MultivariateNormal(m, scale_tril=s.tril()).log_prob(x) +
                        MultivariateNormal(m, scale_tril=s.tril()).entropy(), [loc, _t(np.linalg.cholesky(cov))])
    gen = 11
    assert gn.gradcheck(lambda m, s: MultivariateNormal(m, scale_tril=s.tril()).rsample(
        (2,), generator=gn.Generator().manual_seed(gen)), [loc, _t(np.linalg.cholesky(cov))])


def test_mvn_samples_have_the_covariance():
    cov = _spd()
    draws = MultivariateNormal(gn.zeros(3, dtype=gn.float64), gn.tensor(cov)).sample(
        (20000,), generator=gn.Generator().manual_seed(0)).data
    np.testing.assert_allclose(np.cov(draws.T), cov, rtol=0.05, atol=0.1)


def test_mvn_bad_arguments():
    with pytest.raises(ValueError, match="exactly one of covariance_matrix, precision_matrix or scale_tril"):
        MultivariateNormal(gn.zeros(2))
    with pytest.raises(ValueError, match="exactly one of"):
        MultivariateNormal(gn.zeros(2), covariance_matrix=gn.eye(2), scale_tril=gn.eye(2))
    with pytest.raises(ValueError, match="loc must be at least one-dimensional"):
        MultivariateNormal(gn.tensor(0.0), covariance_matrix=gn.eye(1))
    with pytest.raises(ValueError, match=r"the matrix must be \(..., k, k\) with k = loc.shape\[-1\] = 2, got \(3, 3\)"):
        MultivariateNormal(gn.zeros(2), covariance_matrix=gn.eye(3))
    with pytest.raises(ValueError, match="log_prob: value must end in the event size 2"):
        MultivariateNormal(gn.zeros(2), covariance_matrix=gn.eye(2)).log_prob(gn.zeros(3))


# ------------------------------------------------------------------------------------------- kl_divergence
def _scalar(name, rng):
    """One scalar distribution of family `name` (float64) and its scipy twin."""
    if name == "Normal":
        m, s = rng.standard_normal(), rng.uniform(0.5, 2)
        return Normal(gn.tensor(m), gn.tensor(s)), stats.norm(m, s)
    cls, params, ref, _ = FAMILIES[name]
    ps = [float(p) for p in params(())]
    return cls(*[gn.tensor(np.float64(p)) for p in ps]), ref(*ps)


def _kl_quad(p, q):
    lo, hi = p.support()
    lo, hi = max(lo, p.ppf(1e-17)), min(hi, p.isf(1e-17))  # beyond: under 1e-17 of p's mass

    def f(x):
        lp = p.logpdf(x)
        return 0.0 if lp == -np.inf else np.exp(lp) * (lp - q.logpdf(x))

    return integrate.quad(f, lo, hi, limit=400, points=[p.mean()])[0]


PAIRS = [("Normal", "Normal"), ("Uniform", "Uniform"), ("Exponential", "Exponential"), ("Laplace", "Laplace"),
         ("Gamma", "Gamma"), ("Beta", "Beta"), ("Beta", "Exponential"), ("Beta", "Gamma"), ("Beta", "Normal"),
         ("Beta", "Uniform"), ("Exponential", "Gamma"), ("Exponential", "Normal"), ("Gamma", "Exponential"),
         ("Gamma", "Normal"), ("Laplace", "Normal"), ("Normal", "Laplace"), ("Uniform", "Beta"),
         ("Uniform", "Exponential"), ("Uniform", "Gamma"), ("Uniform", "Normal")]
INFINITE = [("Exponential", "Beta"), ("Exponential", "Uniform"), ("Gamma", "Beta"), ("Gamma", "Uniform"),
            ("Laplace", "Beta"), ("Laplace", "Exponential"), ("Laplace", "Gamma"), ("Laplace", "Uniform"),
            ("Normal", "Beta"), ("Normal", "Exponential"), ("Normal", "Gamma"), ("Normal", "Uniform")]


def _fit(pn, qn, p, q, rng):
    """Redraw (p, q) until q covers p's support where the pair allows it, so the KL is finite."""
    for _ in range(200):
        (gp, sp), (gq, sq) = _scalar(pn, rng), _scalar(qn, rng)
        if qn == "Uniform":
            lo, hi = sp.support()
            if not (sq.support()[0] <= lo and hi <= sq.support()[1]):
                continue
        if pn == "Uniform" and qn in ("Beta", "Exponential", "Gamma"):
            qlo, qhi = sq.support()
            if not (qlo <= sp.support()[0] and sp.support()[1] <= qhi):
                gp, sp = Uniform(gn.tensor(0.2), gn.tensor(0.7)), stats.uniform(0.2, 0.5)
        return gp, sp, gq, sq
    raise AssertionError("no covering pair drawn")


@pytest.mark.parametrize("pn, qn", PAIRS)
def test_kl_matches_numerical_integration(pn, qn):
    rng = np.random.default_rng(hash((pn, qn)) % 2**32)
    for _ in range(3):
        gp, sp, gq, sq = _fit(pn, qn, None, None, rng)
        np.testing.assert_allclose(kl_divergence(gp, gq).item(), _kl_quad(sp, sq), rtol=1e-6, atol=1e-8,
                                   err_msg=f"{pn} || {qn}")


@pytest.mark.parametrize("pn, qn", INFINITE)
def test_kl_is_infinite_where_q_misses_p_s_mass(pn, qn):
    gp, _ = _scalar(pn, np.random.default_rng(1))
    gq, _ = _scalar(qn, np.random.default_rng(2))
    assert kl_divergence(gp, gq).item() == np.inf


def test_kl_uniform_is_infinite_where_support_is_not_covered():
    p = Uniform(gn.tensor([0.0, 0.0]), gn.tensor([1.0, 1.0]))
    q = Uniform(gn.tensor([-1.0, 0.5]), gn.tensor([2.0, 2.0]))
    np.testing.assert_allclose(kl_divergence(p, q).data, [np.log(3.0), np.inf])


@pytest.mark.parametrize("pn, qn", [("Gamma", "Gamma"), ("Beta", "Beta"), ("Laplace", "Laplace"), ("Beta", "Normal"),
                                    ("Uniform", "Normal"), ("Normal", "Laplace"), ("Exponential", "Gamma")])
def test_kl_gradcheck(pn, qn):
    def params(name):
        if name == "Normal":
            return Normal, [_t(RNG.standard_normal(3)), _t(_pos(3))]
        cls, sampler, _, _ = FAMILIES[name]
        return cls, [_t(p) for p in sampler((3,))]

    (cp, pp), (cq, pq) = params(pn), params(qn)
    n = len(pp)
    assert gn.gradcheck(lambda *a: kl_divergence(cp(*a[:n]), cq(*a[n:])), pp + pq)


def _np_kl_mvn(lp, sp, lq, sq):
    k = lp.shape[-1]
    iq = np.linalg.inv(sq)
    d = lq - lp
    return 0.5 * (np.trace(iq @ sp, axis1=-2, axis2=-1) + np.einsum("...i,...ij,...j", d, iq, d) - k
                  + np.linalg.slogdet(sq)[1] - np.linalg.slogdet(sp)[1])


@pytest.mark.parametrize("bp, bq", [((), ()), ((2,), ()), ((), (4,)), ((3, 1), (2,))])
def test_kl_mvn(bp, bq):
    lp, lq, sp, sq = RNG.standard_normal((*bp, 3)), RNG.standard_normal((*bq, 3)), _spd(*bp), _spd(*bq)
    got = kl_divergence(MultivariateNormal(gn.tensor(lp), gn.tensor(sp)), MultivariateNormal(gn.tensor(lq), gn.tensor(sq)))
    np.testing.assert_allclose(got.data, _np_kl_mvn(lp, sp, lq, sq), rtol=1e-10)
    lt = _t(np.linalg.cholesky(sq))
    assert gn.gradcheck(lambda m, s: kl_divergence(MultivariateNormal(m, scale_tril=s.tril()),
                                                   MultivariateNormal(gn.tensor(lq), scale_tril=lt.tril())),
                        [_t(lp), _t(np.linalg.cholesky(sp))])
    with pytest.raises(ValueError, match="different event shapes"):
        kl_divergence(MultivariateNormal(gn.zeros(2), gn.eye(2)), MultivariateNormal(gn.zeros(3), gn.eye(3)))


def test_register_kl_extends_the_registry_and_subclasses_match():
    class Shifted(Normal):
        pass

    class Mine(Distribution):
        pass

    assert kl_divergence(Shifted(0.0, 1.0), Normal(1.0, 1.0)).item() == pytest.approx(0.5)
    with pytest.raises(NotImplementedError, match="no closed form registered for Mine || Bernoulli"):
        kl_divergence(Mine(), Bernoulli(probs=0.5))

    @register_kl(Mine, Bernoulli)
    def _kl(p, q):
        return gn.tensor(math.pi)

    assert kl_divergence(Mine(), Bernoulli(probs=0.5)).item() == pytest.approx(math.pi)
    with pytest.raises(TypeError, match="register_kl: expected two distribution classes"):
        register_kl("Normal", Normal)
