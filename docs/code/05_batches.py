# ruff: noqa: F821, E402, E702, I001 -- a lesson's blocks run in one markdown-exec session after _setup.py (gn, np, show)
# --8<-- [start:data]
import gradnote.nn as nn
import gradnote.optim as optim
from gradnote.data import DataLoader, TensorDataset

rng = np.random.default_rng(0)
x = rng.uniform(-1, 1, size=(128, 1)).astype(np.float32)
y = (3 * x - 1 + 0.1 * rng.normal(size=x.shape)).astype(np.float32)   # y = 3x - 1 + noise
dataset = TensorDataset(x, y)
for batch_size in (len(dataset), 1, 32):
    loader = DataLoader(dataset, batch_size=batch_size, shuffle=True)
    print(f"batch_size={batch_size:3d}: {len(loader):3d} updates per epoch")
# --8<-- [end:data]

# --8<-- [start:train]
def train(batch_size, epochs=6, lr=0.1):
    gn.manual_seed(0)
    model = nn.Linear(1, 1)
    opt = optim.SGD(model.parameters(), lr=lr)
    loader = DataLoader(dataset, batch_size=batch_size, shuffle=True)
    curve = []
    for _ in range(epochs):
        for xb, yb in loader:
            loss = nn.functional.mse_loss(model(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
        with gn.no_grad():
            curve.append(nn.functional.mse_loss(model(gn.tensor(x)), gn.tensor(y)).item())
    return curve, model

curves = {}
for name, bs, lr in (("batch (128)", 128, 0.5), ("stochastic (1)", 1, 0.02), ("mini-batch (32)", 32, 0.2)):
    curves[name], model = train(bs, lr=lr)
    print(f"{name:16s} final loss {curves[name][-1]:.4f}  w={model.weight.item():.3f} b={model.bias.item():.3f}")
# --8<-- [end:train]

# --8<-- [start:figure]
show(gn.viz.plot_curves(curves, ylabel="training MSE", logy=True), width=520)
# --8<-- [end:figure]
