"""The neural-network lesson examples: each runs small here and its lesson is asserted."""

import numpy as np
from _examples import load_example as _load


def test_xor_perceptron_fails_and_two_hidden_units_succeed():
    ex = _load("xor")
    per = ex.perceptron_on_xor(epochs=30)
    assert per["accuracy"] <= 0.75
    assert min(per["errors"]) > 0  # never a clean pass: XOR is not linearly separable
    mlp = ex.solve_xor(seeds=10, steps=500, verbose=False)
    assert mlp["accuracy"] == 1.0, mlp["attempts"]
    assert mlp["predictions"] == [0.0, 1.0, 1.0, 0.0]
    assert mlp["losses"][-1] < 0.05
    hidden = next(m for m in mlp["model"] if hasattr(m, "weight"))
    assert hidden.weight.shape == (2, 2)  # really only two hidden units


def test_xor_main_prints(capsys):
    ex = _load("xor")
    ex.main(["--epochs", "5", "--steps", "500"])
    out = capsys.readouterr().out
    assert "Perceptron" in out and "accuracy 100%" in out


def test_vanishing_gradients_sigmoid_vs_relu_he():
    ex = _load("vanishing_gradients")
    sig = ex.layer_grad_norms("sigmoid", depth=10, width=32, batch=32)
    relu = ex.layer_grad_norms("relu", depth=10, width=32, batch=32)
    assert len(sig) == len(relu) == 10
    assert sig[0] / sig[-1] < 1e-4  # orders of magnitude smaller at the first layer
    assert np.all(np.diff(np.log(sig)) > 0)  # shrinking monotonically towards the input
    assert max(relu) / min(relu) < 15  # He + ReLU: within about one order of magnitude


def test_optimizer_race_every_optimizer_learns_and_adaptive_ones_beat_sgd(capsys):
    ex = _load("optimizer_race")
    history = ex.race(epochs=6, lr=0.01, n=60)
    assert set(history) == {"SGD", "Momentum", "Adagrad", "RMSprop", "Adam"}
    assert len({round(losses[0], 6) for losses in history.values()}) == 1  # same start for everyone
    for name, losses in history.items():
        assert len(losses) == 7
        assert losses[-1] < losses[0], name
    for name in ("Momentum", "Adagrad", "RMSprop", "Adam"):
        assert history[name][-1] < history["SGD"][-1] - 0.05, (name, history[name][-1], history["SGD"][-1])
    ex.main(["--epochs", "2"])
    assert "final ranking" in capsys.readouterr().out


def test_regularization_l2_and_dropout_shrink_the_overfitting_gap():
    ex = _load("regularization")
    train, val = ex.make_data(n_train=150, n_val=1000, seed=0)
    res = {v: ex.train_variant(v, train, val, steps=300, hidden=128) for v in ("none", "L2", "dropout")}
    assert res["none"]["train_acc"] >= 0.99  # memorised, noise included
    assert res["none"]["gap"] > 0.15
    assert res["L2"]["gap"] < res["none"]["gap"] - 0.08
    assert res["dropout"]["gap"] < res["none"]["gap"] - 0.04
    assert res["L2"]["val_loss"] < res["none"]["val_loss"]
