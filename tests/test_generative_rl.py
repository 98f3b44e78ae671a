"""Unsupervised and reinforcement-learning lessons: the autoencoder, the VAE and REINFORCE learn in quick
runs of their examples; roc_auc, make_grid, returns and the policy-gradient loss against NumPy references."""

import sys
from types import SimpleNamespace

import numpy as np
import pytest
from _examples import load_example
from local_datasets import MNIST

import gradnote as gn
from gradnote.data.datasets import load_mnist
from gradnote.metrics import roc_auc
from gradnote.viz.generative import make_grid, plot_generative


@pytest.fixture(scope="module")
def mnist():
    (x_train, y_train), (x_test, y_test) = load_mnist(str(MNIST), normalize=True, flatten=True)
    return x_train[:3000], y_train[:3000], x_test[:1000], y_test[:1000]


# ----- roc_auc -------------------------------------------------------------------------------------
def _auc_reference(y, s):
    """Every (positive, negative) pair: 1 if the positive scores higher, 1/2 on a tie."""
    pos, neg = s[y == 1], s[y == 0]
    return ((pos[:, None] > neg[None, :]) + 0.5 * (pos[:, None] == neg[None, :])).mean()


@pytest.mark.parametrize("n", [2, 7, 200])
def test_roc_auc_matches_the_pairwise_definition_with_ties(n):
    rng = np.random.default_rng(n)
    y = np.r_[0, 1, rng.integers(0, 2, n - 2)]
    s = rng.integers(0, 5, n).astype(np.float32)  # few distinct values: many ties
    assert roc_auc(y, s) == pytest.approx(_auc_reference(y, s), abs=1e-12)
    assert roc_auc(y, -s) == pytest.approx(1 - _auc_reference(y, s), abs=1e-12)


def test_roc_auc_refuses_one_class_and_non_binary_labels():
    with pytest.raises(ValueError, match="roc_auc: needs both classes, got 3 positives and 0 negatives"):
        roc_auc([1, 1, 1], [0.1, 0.2, 0.3])
    with pytest.raises(ValueError, match="roc_auc: y_true must hold 0/1 labels"):
        roc_auc([0, 2], [0.1, 0.2])
    with pytest.raises(ValueError, match="roc_auc"):
        roc_auc([0, 1, 1], [0.1, 0.2])


# ----- figures ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("shape, nrow", [((5, 3, 4), 2), ((4, 1, 3, 3), 4), ((3, 3, 2, 2), 8)])
def test_make_grid_places_each_image_in_torchvisions_layout(shape, nrow):
    images = np.random.default_rng(0).random(shape).astype(np.float32)
    grid = make_grid(images, nrow=nrow, padding=1, pad_value=-1.0)
    x = images if len(shape) == 3 else images.transpose(0, 2, 3, 1).squeeze(-1) if shape[1] == 1 \
        else images.transpose(0, 2, 3, 1)
    n, h, w = x.shape[:3]
    cols = min(nrow, n)
    rows = -(-n // cols)
    assert grid.shape[:2] == (rows * (h + 1) + 1, cols * (w + 1) + 1)
    assert grid.dtype == np.float32
    covered = np.zeros(grid.shape[:2], dtype=bool)
    for k in range(n):
        r, c = divmod(k, cols)
        np.testing.assert_array_equal(grid[1 + r * (h + 1):1 + r * (h + 1) + h, 1 + c * (w + 1):1 + c * (w + 1) + w], x[k])
        covered[1 + r * (h + 1):1 + r * (h + 1) + h, 1 + c * (w + 1):1 + c * (w + 1) + w] = True
    assert np.all(grid[~covered] == -1.0)


def test_make_grid_refuses_other_shapes():
    with pytest.raises(ValueError, match=r"make_grid: expected images .* got shape \(2, 5, 3, 3\)"):
        make_grid(np.zeros((2, 5, 3, 3)))
    with pytest.raises(ValueError, match="nrow must be >= 1"):
        make_grid(np.zeros((2, 3, 3)), nrow=0)


def test_plot_generative_draws_the_panels_it_is_given(tmp_path):
    rng = np.random.default_rng(0)
    fig = plot_generative(rng.random((10, 8, 8)), latent=rng.normal(size=(50, 2)), labels=rng.integers(0, 10, 50),
                          manifold=rng.random((9, 8, 8)), path=tmp_path / "g.png")
    assert (tmp_path / "g.png").read_bytes()[:4] == b"\x89PNG"
    assert [ax.get_title() for ax in fig.axes[:3]] == ["samples from the prior", "latent space (encoder means)",
                                                       "decoded latent grid"]
    assert len(plot_generative(rng.random((4, 8, 8))).axes) == 1
    with pytest.raises(ValueError, match=r"latent must be \(M, 2\)"):
        plot_generative(rng.random((4, 8, 8)), latent=np.zeros((5, 3)))
    with pytest.raises(ValueError, match="n \\* n images, got 5"):
        plot_generative(rng.random((4, 8, 8)), manifold=np.zeros((5, 8, 8)))


# ----- autoencoder -----------------------------------------------------------------------------------
def test_autoencoder_flags_digits_it_never_saw(mnist):
    ex = load_example("autoencoder_anomaly")
    result = ex.run(*mnist, normal=[0, 1, 2, 3, 4], epochs=3, hidden=32, latent=16, lr=3e-3, batch_size=16)
    assert result["losses"][-1] < 0.6 * result["losses"][0]
    assert result["is_anomaly"].sum() == np.isin(mnist[3], [5, 6, 7, 8, 9]).sum()
    assert result["auc"] > 0.7, result["auc"]  # 1,500 training images for seconds; the full run reaches ~0.85
    assert set(result["auc_per_digit"]) == {5, 6, 7, 8, 9}
    scores = result["scores"]
    assert scores[result["is_anomaly"] == 1].mean() > 1.3 * scores[result["is_anomaly"] == 0].mean()


# ----- VAE --------------------------------------------------------------------------------------------
def _vae_loss_reference(recon, x, mu, logvar):
    bce = -(x * np.maximum(np.log(recon), -100) + (1 - x) * np.maximum(np.log(1 - recon), -100)).sum()
    return bce + 0.5 * (mu**2 + np.exp(logvar) - 1 - logvar).sum()  # KL(N(mu, s^2) || N(0, 1)), summed


def test_vae_loss_is_bce_plus_the_gaussian_kl():
    ex = load_example("vae_mnist")
    rng = np.random.default_rng(0)
    recon, x = rng.uniform(0.01, 0.99, (6, 784)), (rng.random((6, 784)) > 0.5).astype(np.float64)
    mu, logvar = rng.normal(size=(6, 2)), rng.normal(size=(6, 2))
    got = ex.loss_function(*(gn.tensor(a) for a in (recon, x, mu, logvar))).item()
    assert got == pytest.approx(_vae_loss_reference(recon, x, mu, logvar), rel=1e-12)
    # the KL term vanishes exactly at the prior
    assert ex.loss_function(gn.tensor(recon), gn.tensor(x), gn.zeros(6, 2, dtype="float64"),
                            gn.zeros(6, 2, dtype="float64")).item() == pytest.approx(
        _vae_loss_reference(recon, x, np.zeros((6, 2)), np.zeros((6, 2))), rel=1e-12)


def test_vae_reparameterisation_is_differentiable_and_seeded():
    ex = load_example("vae_mnist")
    model = ex.VAE(in_features=6, hidden=5, latent=3)
    mu = gn.randn(4, 3, dtype="float64", requires_grad=True)
    logvar = gn.randn(4, 3, dtype="float64", requires_grad=True)

    def draw(mu, logvar):
        gn.manual_seed(7)  # the same eps on every call, so finite differences see a fixed function
        return model.reparameterize(mu, logvar) ** 2

    assert gn.gradcheck(draw, [mu, logvar])
    gn.manual_seed(7)
    eps = gn.randn_like(mu).numpy()
    np.testing.assert_allclose(draw(mu, logvar).numpy(), (mu.data + eps * np.exp(0.5 * logvar.data)) ** 2, rtol=1e-12)


def test_vae_elbo_improves_and_the_figure_is_drawn(mnist, tmp_path):
    ex = load_example("vae_mnist")
    x_train, _, x_test, y_test = mnist
    gn.manual_seed(0)
    model = ex.VAE(hidden=128, latent=2)
    before = ex.evaluate(model, x_test)
    losses = ex.train(model, x_train[:2000], epochs=3)
    after = ex.evaluate(model, x_test)
    assert all(b < a for a, b in zip(losses, losses[1:])), losses
    assert after < before - 200, (before, after)  # nats per image: from ~540 untrained to under ~250
    samples, grid, z = ex.sample(model, 16, 2), ex.decode_grid(model, n=5), ex.encode_means(model, x_test)
    assert samples.shape == (16, 28, 28) and grid.shape == (25, 28, 28) and z.shape == (1000, 2)
    assert samples.dtype == np.float32 and 0 <= samples.min() and samples.max() <= 1
    plot_generative(samples, latent=z, labels=y_test, manifold=grid, path=tmp_path / "vae.png")
    assert (tmp_path / "vae.png").stat().st_size > 1000


# ----- REINFORCE -------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def rl():
    return load_example("reinforce_cartpole")


def test_discounted_returns_match_the_sum_definition(rl):
    rewards = np.random.default_rng(0).normal(size=9).astype(np.float32)
    gamma = 0.9
    expected = [sum(gamma ** (k - t) * rewards[k] for k in range(t, 9)) for t in range(9)]
    got = rl.discounted_returns(rewards, gamma)
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, expected, rtol=1e-5)


def test_policy_gradient_loss_and_its_gradient_against_numpy(rl):
    rng = np.random.default_rng(0)
    logits = rng.normal(size=(5, 3))
    actions, advantages = rng.integers(0, 3, 5), rng.normal(size=5)
    z = gn.tensor(logits, requires_grad=True)
    loss = rl.policy_gradient_loss(z, actions, advantages)
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    assert loss.item() == pytest.approx(-(np.log(p[np.arange(5), actions]) * advantages).mean(), rel=1e-5)
    loss.backward()
    # d/dz of -A log softmax(z)[a] is -A (onehot(a) - softmax(z)): raise the taken action where A > 0
    np.testing.assert_allclose(z.grad, -(np.eye(3)[actions] - p) * advantages[:, None] / 5, rtol=1e-5, atol=1e-7)
    assert gn.gradcheck(lambda z: rl.policy_gradient_loss(z, actions, advantages),
                        [gn.tensor(logits, requires_grad=True)])


class MatchTheSign:
    """A tiny environment with gymnasium's API: each step shows a random +-1 vector and pays 1 for
    the action that names the sign of its first entry (0: negative, 1: positive); 10 steps an episode.
    A reward depends on the current action alone, so gamma=0 is the right discount here."""

    observation_space = SimpleNamespace(shape=(4,))
    action_space = SimpleNamespace(n=2)

    def reset(self, seed=None):
        if seed is not None or not hasattr(self, "rng"):
            self.rng = np.random.default_rng(seed)
        self.t = 0
        self.obs = self.rng.choice([-1.0, 1.0], 4).astype(np.float32)
        return self.obs, {}

    def step(self, action):
        reward = float(action == int(self.obs[0] > 0))
        self.t += 1
        self.obs = self.rng.choice([-1.0, 1.0], 4).astype(np.float32)
        return self.obs, reward, False, self.t >= 10, {}


def test_reinforce_learns_a_hand_made_environment(rl):
    returns = rl.reinforce(MatchTheSign(), episodes=100, gamma=0.0, lr=3e-2, hidden=16, seed=0,
                           stop_at=None)["returns"]
    assert len(returns) == 100
    assert np.mean(returns[:4]) < 7  # chance is 5 of 10
    assert np.mean(returns[-20:]) >= 9.5


def test_reinforce_return_rises_on_cartpole_and_repeats_with_the_seed(rl):
    env = rl.make_env()
    first = rl.reinforce(env, episodes=120, lr=5e-3, seed=0, stop_at=None)["returns"]
    assert np.mean(first[-30:]) > 1.5 * np.mean(first[:30]), (np.mean(first[:30]), np.mean(first[-30:]))
    assert rl.reinforce(env, episodes=5, lr=5e-3, seed=0, stop_at=None)["returns"] == first[:5]


def test_reinforce_without_gymnasium_names_the_extra(rl, monkeypatch):
    monkeypatch.setitem(sys.modules, "gymnasium", None)  # import gymnasium now raises ImportError
    with pytest.raises(SystemExit, match=r"needs gymnasium: pip install 'gradnote\[rl\]'"):
        rl.make_env()


@pytest.mark.parametrize("name", ["autoencoder_anomaly", "vae_mnist"])
def test_mnist_examples_without_data_end_in_a_message(name, tmp_path, capsys):
    with pytest.raises(SystemExit):
        load_example(name).main(["--data", str(tmp_path / "no-mnist")])
    err = capsys.readouterr().err
    assert "MNIST IDX files: --data PATH" in err and str(tmp_path / "no-mnist") in err
