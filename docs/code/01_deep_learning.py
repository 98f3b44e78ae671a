# ruff: noqa: F821, E402, E702, I001 -- a lesson's blocks run in one markdown-exec session after _setup.py (gn, np, show)
# --8<-- [start:tensor]
import gradnote as gn

x = gn.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
y = (x * x).sum()          # a tiny "model": the sum of squares
y.backward()               # the framework differentiates for us
print("y      =", y.item())
print("dy/dx  =", x.grad.tolist())
# --8<-- [end:tensor]

# --8<-- [start:digits]
from gradnote.data import datasets

images, labels = datasets.load_digits(images=True)
print("images:", images.shape, images.dtype, " labels:", labels.shape)
print("first labels:", labels[:10].tolist())
# --8<-- [end:digits]

# --8<-- [start:figure]
from matplotlib.figure import Figure

fig = Figure(figsize=(8, 1.6), layout="constrained")
for i, ax in enumerate(fig.subplots(1, 10)):
    ax.imshow(images[i].reshape(8, 8), cmap="gray_r")
    ax.set_title(str(labels[i]))
    ax.axis("off")
show(fig, width=640)
# --8<-- [end:figure]

# --8<-- [start:fit]
import gradnote.nn as nn
import gradnote.optim as optim

x_all, y_all = datasets.load_digits(normalize=True)
x_train, y_train, x_test, y_test = x_all[:1500], y_all[:1500], x_all[1500:], y_all[1500:]
model = nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10))
opt = optim.Adam(model.parameters(), lr=1e-2)
loss_fn = nn.CrossEntropyLoss()
for _ in range(30):          # full-batch steps: a fraction of a second
    loss = loss_fn(model(gn.tensor(x_train)), gn.tensor(y_train))
    opt.zero_grad()
    loss.backward()
    opt.step()
with gn.no_grad():
    accuracy = (model(gn.tensor(x_test)).data.argmax(1) == y_test).mean()
print(f"loss after 30 steps: {loss.item():.3f}, test accuracy: {accuracy:.1%}")
# --8<-- [end:fit]
