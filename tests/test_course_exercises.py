"""The course's exercise solutions (docs/exercises/*.py) checked against gradnote and NumPy references."""

import importlib.util
import math
from pathlib import Path

import numpy as np
import pytest

import gradnote as gn
import gradnote.functional as F
import gradnote.nn as nn
import gradnote.optim as optim
from gradnote.data import DataLoader, TensorDataset, datasets

EXERCISES = Path(__file__).resolve().parents[1] / "docs" / "exercises"


def load(name):
    spec = importlib.util.spec_from_file_location(name, EXERCISES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_lesson_has_exercises_that_its_pages_show():
    lessons = sorted(p.name[:2] for p in (EXERCISES.parent / "course").glob("[0-9][0-9]-*.ko.md"))
    assert lessons == [f"{i:02d}" for i in range(1, 18)]
    for page in (EXERCISES.parent / "course").glob("[0-9][0-9]-*.md"):
        solution = next(EXERCISES.glob(f"ex{page.name[:2]}_*.py"))
        assert f'--8<-- "exercises/{solution.name}"' in page.read_text(encoding="utf-8"), page.name


def test_01_deep_learning():
    ex = load("ex01_deep_learning")
    assert ex.is_overfitting(1.0, 0.8) and not ex.is_overfitting(0.95, 0.93)
    assert ex.field_of("machine translation") == "natural language processing"
    assert ex.field_of("이미지 분류") == "컴퓨터 비전"
    with pytest.raises(KeyError):
        ex.field_of("cooking")
    _, labels = datasets.load_digits()
    counts = ex.class_counts(labels)
    assert sorted(counts) == list(range(10)) and sum(counts.values()) == len(labels)
    assert counts[0] == int((labels == 0).sum())


def test_02_perceptron():
    ex = load("ex02_perceptron")
    z = np.array([-1.0, 0.0, 2.0])
    np.testing.assert_array_equal(ex.step(z), F.step(gn.tensor(z)).numpy())
    w, b = ex.nand_weights()
    corners, _ = datasets.xor()
    assert [int(ex.step(w @ c + b)) for c in corners] == [1, 1, 1, 0]
    assert [ex.xor(*c) for c in corners] == [0, 1, 1, 0]
    w, b, mistakes = ex.fit_perceptron(corners, [0, 0, 0, 1], epochs=10)
    assert mistakes[-1] == 0 and [int(ex.step(w @ c + b)) for c in corners] == [0, 0, 0, 1]
    p = nn.Perceptron(2)                                    # the same rule as gradnote's Perceptron.fit
    p.fit(corners, np.array([0, 0, 0, 1]), epochs=10)
    np.testing.assert_allclose(p.weight.data.ravel(), w)
    *_, xor_mistakes = ex.fit_perceptron(corners, [0, 1, 1, 0], epochs=20)
    assert xor_mistakes[-1] > 0                             # no line separates XOR


def test_03_backprop_matches_autograd_and_finite_differences():
    ex = load("ex03_mlp_backprop")
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=3), 0.3
    W1, b1, W2, b2 = rng.normal(size=(4, 3)), rng.normal(size=4), rng.normal(size=(1, 4)), rng.normal(size=1)
    grads = ex.backward(x, y, W1, b1, W2, b2)
    net = nn.Sequential(nn.Linear(3, 4), nn.Sigmoid(), nn.Linear(4, 1), nn.Sigmoid()).double()
    for p, v in zip(net.parameters(), (W1, b1, W2, b2)):
        p.data[...] = v
    (0.5 * ((net(gn.tensor(x[None], dtype="float64")) - y) ** 2).sum()).backward()
    for g, p in zip(grads, net.parameters()):
        np.testing.assert_allclose(g, p.grad.reshape(g.shape), rtol=1e-10)
    loss_of_w1 = lambda w: 0.5 * (ex.forward(x, w, b1, W2, b2)[1][0] - y) ** 2
    np.testing.assert_allclose(ex.numerical_grad(loss_of_w1, W1), grads[0], rtol=1e-6, atol=1e-9)


def test_04_gradient_descent():
    ex = load("ex04_gradient_descent")
    grad, loss = (lambda w: 2 * (w - 3)), (lambda w: (w - 3) ** 2)
    path = ex.gradient_descent(grad, -2.0, 0.3, 15)
    assert len(path) == 16 and abs(path[-1] - 3) < 1e-3
    for lr in (0.02, 0.5, 0.9, 1.05, 1.5):
        far = abs(ex.gradient_descent(grad, -2.0, lr, 30)[-1] - 3)
        assert ex.diverges(lr) == (far > 5), lr
    assert ex.best_lr([0.01, 0.5, 1.2], grad, -2.0, 10, loss) == 0.5


def test_05_batches_match_the_dataloader():
    ex = load("ex05_batches")
    x = np.zeros((103, 2), dtype=np.float32)
    for bs in (1, 10, 32, 103, 200):
        for drop_last in (False, True):
            loader = DataLoader(TensorDataset(x), batch_size=bs, drop_last=drop_last)
            assert ex.iterations_per_epoch(103, bs, drop_last) == len(loader)
    batches = ex.minibatches(103, 10, np.random.default_rng(0))
    assert len(batches) == 11 and sorted(np.concatenate(batches).tolist()) == list(range(103))
    assert ex.updates(1000, 100, 3) == 30


def test_06_activation_derivatives_match_autograd():
    ex = load("ex06_activations")
    z = gn.tensor(np.array([-2.5, -0.3, 0.4, 3.0]), dtype="float64", requires_grad=True)
    for fn, grad in ((F.sigmoid, ex.sigmoid_grad), (F.tanh, ex.tanh_grad), (F.relu, ex.relu_grad),
                     (F.leaky_relu, ex.leaky_relu_grad)):
        z.grad = None
        fn(z).sum().backward()
        np.testing.assert_allclose(grad(z.data), z.grad, rtol=1e-12)
    rng = np.random.default_rng(0)
    W1, b1, W2, b2 = rng.normal(size=(4, 3)), rng.normal(size=4), rng.normal(size=(2, 4)), rng.normal(size=2)
    W, b = ex.collapse(W1, b1, W2, b2)
    x = rng.normal(size=3)
    np.testing.assert_allclose(W @ x + b, W2 @ (W1 @ x + b1) + b2)


def test_07_outputs_and_losses_match_functional():
    ex = load("ex07_outputs_losses")
    rng = np.random.default_rng(0)
    z = rng.normal(size=(5, 4)) * 3
    np.testing.assert_allclose(ex.softmax(z), F.softmax(gn.tensor(z, dtype="float64"), axis=-1).numpy(), rtol=1e-12)
    assert np.isfinite(ex.softmax(np.array([1000.0, 0.0]))).all()
    labels = np.array([0, 3, 1, 2, 3])
    assert math.isclose(ex.cross_entropy(z, labels),
                        F.cross_entropy(gn.tensor(z, dtype="float64"), gn.tensor(labels)).item(), rel_tol=1e-10)
    p, y = rng.uniform(0.05, 0.95, size=6), rng.integers(0, 2, size=6).astype(float)
    assert math.isclose(ex.binary_cross_entropy(p, y),
                        F.binary_cross_entropy(gn.tensor(p, dtype="float64"), gn.tensor(y, dtype="float64")).item(),
                        rel_tol=1e-10)
    assert math.isclose(ex.mse(p, y), F.mse_loss(gn.tensor(p, dtype="float64"), gn.tensor(y, dtype="float64")).item())


def test_08_why_hard():
    ex = load("ex08_why_hard")
    assert ex.sigmoid_chain_bound(3) == 0.25 ** 3
    for threshold in (0.5, 1e-3, 1e-6):
        n = ex.layers_until(threshold)
        assert 0.25 ** n < threshold <= 0.25 ** (n - 1)
    assert math.isclose(ex.overfit_gap(1.0, 0.84), 0.16)


def _trajectory(make_opt, step, state, steps=5):
    rng = np.random.default_rng(1)
    w0, grads = rng.normal(size=3), rng.normal(size=(steps, 3))
    p = gn.tensor(w0.copy(), dtype="float64", requires_grad=True)
    opt = make_opt([p])
    w = w0.copy()
    for t, g in enumerate(grads, start=1):
        p.grad = g.copy()
        opt.step()
        w, *state = step(w, *state, g, t)
    np.testing.assert_allclose(w, p.data, rtol=1e-10, atol=1e-12)


def test_09_optimizer_steps_follow_gradnote():
    ex = load("ex09_optimizers")
    z = np.zeros(3)
    _trajectory(lambda p: optim.SGD(p, lr=0.1, momentum=0.9),
                lambda w, v, g, t: ex.momentum_step(w, v, g, 0.1, 0.9), [z])
    _trajectory(lambda p: optim.Adagrad(p, lr=0.5), lambda w, G, g, t: ex.adagrad_step(w, G, g, 0.5), [z])
    _trajectory(lambda p: optim.RMSprop(p, lr=0.05, alpha=0.9),
                lambda w, s, g, t: ex.rmsprop_step(w, s, g, 0.05, 0.9), [z])
    _trajectory(lambda p: optim.Adam(p, lr=0.1), lambda w, m, v, g, t: ex.adam_step(w, m, v, g, t, 0.1), [z, z])


def test_10_normalization():
    ex = load("ex10_normalization")
    x = np.random.default_rng(0).normal(3, 5, size=(16, 4))
    x[:, 2] = 7.0                                           # a constant feature
    s = ex.standardize(x)
    np.testing.assert_allclose(s[:, [0, 1, 3]].mean(0), 0, atol=1e-12)
    np.testing.assert_allclose(s[:, [0, 1, 3]].std(0), 1)
    assert (s[:, 2] == 0).all()
    gamma, beta = np.array([1.0, 2.0, 0.5, 1.0]), np.array([0.0, -1.0, 0.3, 0.0])
    bn = nn.BatchNorm1d(4).double()
    bn.weight.data[...], bn.bias.data[...] = gamma, beta
    x[:, 2] += np.arange(16)
    np.testing.assert_allclose(ex.batch_norm_train(x, gamma, beta), bn(gn.tensor(x, dtype="float64")).numpy(),
                               rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(ex.update_running(np.zeros(4), x.mean(0), 0.1), bn.running_mean, rtol=1e-10)


def test_11_regularization():
    ex = load("ex11_regularization")
    layer = nn.Linear(5, 3)
    ws = [layer.weight.data, layer.bias.data]
    assert math.isclose(ex.l1(ws), nn.l1_penalty([layer.weight, layer.bias]).item(), rel_tol=1e-5)
    assert math.isclose(ex.l2(ws), nn.l2_penalty([layer.weight, layer.bias]).item(), rel_tol=1e-5)
    out = ex.dropout(np.ones(100_000), 0.3, np.random.default_rng(0))
    assert set(np.unique(out).round(6)) == {0.0, round(1 / 0.7, 6)}
    assert abs(out.mean() - 1) < 0.02 and abs((out == 0).mean() - 0.3) < 0.01
    assert (ex.dropout(np.ones(4), 1.0, np.random.default_rng(0)) == 0).all()
    assert ex.early_stop_epoch([1.0, 0.8, 0.7, 0.75, 0.72, 0.9], patience=2) == 4
    assert ex.early_stop_epoch([1.0, 0.9, 0.8], patience=2) == 2
    image = np.arange(6).reshape(1, 2, 3)
    np.testing.assert_array_equal(ex.flip_horizontal(image), image[..., ::-1])


def test_12_init_scales_and_clipping():
    ex = load("ex12_init_clipping")
    w = gn.zeros(400, 600, dtype="float64")
    nn.init.xavier_normal_(w)
    assert abs(float(w.data.std()) / ex.xavier_std(600, 400) - 1) < 0.02
    nn.init.kaiming_normal_(w, nonlinearity="relu")
    assert abs(float(w.data.std()) / ex.he_std(600) - 1) < 0.02
    nn.init.xavier_uniform_(w)
    assert float(np.abs(w.data).max()) <= ex.xavier_uniform_bound(600, 400) < 1.01 * float(np.abs(w.data).max())
    layer = nn.Linear(4, 2).double()
    (layer(gn.randn(8, 4, dtype="float64") * 50) ** 2).sum().backward()
    grads = [p.grad.copy() for p in layer.parameters()]
    clipped, total = ex.clip_by_norm(grads, 1.0)
    norm = nn.utils.clip_grad_norm_(layer.parameters(), 1.0)
    assert math.isclose(total, float(norm), rel_tol=1e-10)
    for c, p in zip(clipped, layer.parameters()):
        np.testing.assert_allclose(c, p.grad, rtol=1e-10)


def test_13_cnn():
    ex = load("ex13_cnn")
    for n, k, s, p in [(39, 5, 2, 0), (8, 3, 1, 1), (28, 5, 1, 2), (10, 4, 3, 1)]:
        assert ex.conv_output_size(n, k, s, p) == F.conv_output_size(n, k, s, p)
    rng = np.random.default_rng(0)
    image, kernel = rng.normal(size=(6, 7)), rng.normal(size=(3, 2))
    expected = F.conv2d(gn.tensor(image[None, None], dtype="float64"), gn.tensor(kernel[None, None], dtype="float64"))
    np.testing.assert_allclose(ex.conv2d_single(image, kernel), expected.numpy()[0, 0], rtol=1e-12)
    pooled = F.max_pool2d(gn.tensor(image[None, None, :6, :6]), 2)
    np.testing.assert_allclose(ex.max_pool(image[:6, :6], 2), pooled.numpy()[0, 0], rtol=1e-6)
    assert ex.conv_params(3, 6, 5) == nn.Conv2d(3, 6, 5).num_parameters()


def test_14_rnn_matches_nn_rnn():
    ex = load("ex14_rnn")
    rnn = nn.RNN(3, 5).double()
    x = np.random.default_rng(0).normal(size=(7, 3))
    out, _ = rnn(gn.tensor(x[:, None], dtype="float64"))                 # (T, N=1, H)
    p = dict(rnn.named_parameters())
    states = ex.rnn_forward(x, p["weight_ih_l0"].data, p["weight_hh_l0"].data, p["bias_ih_l0"].data,
                            p["bias_hh_l0"].data)
    np.testing.assert_allclose(states, out.numpy()[:, 0], rtol=1e-10)
    assert ex.problem_shape("sentiment") == "many to one"
    assert ex.problem_shape("translation") == "many to many"
    assert ex.problem_shape("music") == "one to many"
    assert ex.rnn_params(3, 5) == rnn.num_parameters()


def test_15_attention_matches_functional():
    ex = load("ex15_attention_gpt")
    rng = np.random.default_rng(0)
    q, k, v = rng.normal(size=(2, 6, 4)), rng.normal(size=(2, 6, 4)), rng.normal(size=(2, 6, 3))
    for causal in (False, True):
        expected = F.scaled_dot_product_attention(*(gn.tensor(a, dtype="float64") for a in (q, k, v)), is_causal=causal)
        np.testing.assert_allclose(ex.attention(q, k, v, causal), expected.numpy(), rtol=1e-10, atol=1e-12)
    mask = ex.causal_mask(4)
    assert mask.dtype == bool and mask[0, 1] and not mask[1, 0] and not mask.diagonal().any()
    chars, encode, decode = ex.char_vocab("퍼셉트론은 퍼셉트론")
    assert decode(encode("트론 퍼셉")) == "트론 퍼셉" and len(chars) == len(set("퍼셉트론은 "))


def test_16_hyperparameters():
    ex = load("ex16_hyperparameters")
    combos = ex.grid({"lr": [0.1, 0.01], "hidden": [8, 16, 32]})
    assert len(combos) == 6 and {"lr": 0.01, "hidden": 32} in combos
    rng = np.random.default_rng(0)
    samples = [ex.log_uniform(1e-4, 1e-1, rng) for _ in range(2000)]
    assert min(samples) >= 1e-4 and max(samples) <= 1e-1
    assert abs(np.mean(np.log10(samples)) + 2.5) < 0.05     # uniform in the exponent: mean -2.5
    assert ex.best([(0.8, "a"), (0.93, "b"), (0.9, "c")]) == "b"


def test_17_scaling_out():
    ex = load("ex17_scaling_out")
    shards = [ex.shard(10, r, 3) for r in range(3)]
    assert sorted(np.concatenate(shards).tolist()) == list(range(10))
    with pytest.raises(ValueError, match="rank"):
        ex.shard(10, 3, 3)
    x, y = datasets.load_digits(normalize=True)
    model = nn.Sequential(nn.Linear(64, 8), nn.Tanh(), nn.Linear(8, 10)).double()

    def grads(idx):
        model.zero_grad()
        F.cross_entropy(model(gn.tensor(x[idx], dtype="float64")), gn.tensor(y[idx])).backward()
        return [p.grad.copy() for p in model.parameters()]

    full = grads(np.arange(40))
    for a, f in zip(ex.all_reduce_mean([grads(ex.shard(40, r, 4)) for r in range(4)]), full):
        np.testing.assert_allclose(a, f, rtol=1e-10, atol=1e-14)
    assert ex.global_batch(32, 4, 2) == 256
