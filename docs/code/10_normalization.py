# ruff: noqa: F821, E402, E702, I001 -- a lesson's blocks run in one markdown-exec session after _setup.py (gn, np, show)
# --8<-- [start:inputs]
from gradnote.data import datasets

x_raw, y = datasets.load_digits()                 # pixel values 0..16
mean, std = x_raw.mean(0), x_raw.std(0) + 1e-8
x_std = (x_raw - mean) / std                       # standardisation: each feature mean 0, std 1
print(f"raw      : min {x_raw.min():.1f} max {x_raw.max():.1f} mean {x_raw.mean():.2f}")
print(f"standard : mean {x_std.mean():.2e} std of features {x_std.std(0)[std > 1e-4].mean():.3f}")
# --8<-- [end:inputs]

# --8<-- [start:batchnorm]
import gradnote.nn as nn

h = gn.randn(32, 4) * 5 + 3                        # activations with a shifted, wide distribution
bn = nn.BatchNorm1d(4)
out = bn(h)                                        # training mode: the batch's own mean and variance
by_hand = (h.data - h.data.mean(0)) / np.sqrt(h.data.var(0) + bn.eps)
print("per-feature mean after BN:", np.round(out.data.mean(0), 4).tolist())
print("per-feature std  after BN:", np.round(out.data.std(0), 3).tolist())
print("equals (x - mean) / sqrt(var + eps) * gamma + beta:", np.allclose(out.data, by_hand, atol=1e-5))
print("running_mean moved towards the batch mean:", np.round(bn.running_mean.astype(float), 3).tolist())
ln = nn.LayerNorm(4)
print("LayerNorm normalises each sample instead; row means:", np.round(ln(h).data.mean(1)[:4], 4).tolist())
# --8<-- [end:batchnorm]

# --8<-- [start:compare]
import gradnote.optim as optim

x_train, y_train = gn.tensor(x_std[:500].astype(np.float32)), gn.tensor(y[:500])

def curve(with_bn, steps=30):
    gn.manual_seed(0)
    layers = [nn.Linear(64, 64)] + ([nn.BatchNorm1d(64)] if with_bn else []) + [nn.Sigmoid(),
              nn.Linear(64, 64)] + ([nn.BatchNorm1d(64)] if with_bn else []) + [nn.Sigmoid(), nn.Linear(64, 10)]
    model = nn.Sequential(*layers)
    opt = optim.SGD(model.parameters(), lr=0.5)
    losses = []
    for _ in range(steps):
        loss = nn.functional.cross_entropy(model(x_train), y_train)
        opt.zero_grad(); loss.backward(); opt.step()
        losses.append(loss.item())
    return losses

curves = {"sigmoid MLP": curve(False), "with BatchNorm1d": curve(True)}
print({k: round(v[-1], 4) for k, v in curves.items()})
show(gn.viz.plot_curves(curves, xlabel="step", ylabel="training loss"), width=480)
# --8<-- [end:compare]
