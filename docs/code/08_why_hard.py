# ruff: noqa: F821, E402, E702, I001 -- a lesson's blocks run in one markdown-exec session after _setup.py (gn, np, show)
# --8<-- [start:overfit]
import gradnote.nn as nn
import gradnote.optim as optim
from gradnote.data import datasets

x_all, y_all = datasets.load_digits(normalize=True)
x_few, y_few = gn.tensor(x_all[:60]), gn.tensor(y_all[:60])         # only 60 training images
x_new, y_new = gn.tensor(x_all[1000:1400]), y_all[1000:1400]
model = nn.Sequential(nn.Linear(64, 256), nn.ReLU(), nn.Linear(256, 10))
opt = optim.Adam(model.parameters(), lr=2e-2)
for _ in range(60):
    loss = nn.functional.cross_entropy(model(x_few), y_few)
    opt.zero_grad(); loss.backward(); opt.step()
with gn.no_grad():
    train_acc = (model(x_few).data.argmax(1) == y_few.data).mean()
    test_acc = (model(x_new).data.argmax(1) == y_new).mean()
print(f"training loss {loss.item():.4f}  training accuracy {train_acc:.0%}  accuracy on new images {test_acc:.0%}")
# --8<-- [end:overfit]

# --8<-- [start:vanishing]
def gradient_per_layer(activation, depth=8):
    gn.manual_seed(0)
    layers = []
    for i in range(depth):
        layers += [nn.Linear(64 if i == 0 else 32, 32), activation()]
    net = nn.Sequential(*layers, nn.Linear(32, 10))
    loss = nn.functional.cross_entropy(net(gn.tensor(x_all[:128])), gn.tensor(y_all[:128]))
    loss.backward()
    return [float(np.abs(net[2 * i].weight.grad).mean()) for i in range(depth)]

flows = {"sigmoid": gradient_per_layer(nn.Sigmoid), "relu": gradient_per_layer(nn.ReLU)}
for name, g in flows.items():
    print(f"{name:8s} mean |dL/dW|, first layer {g[0]:.2e} ... last hidden layer {g[-1]:.2e}")
# --8<-- [end:vanishing]

# --8<-- [start:figure]
from matplotlib.figure import Figure

fig = Figure(figsize=(5, 3), layout="constrained")
ax = fig.subplots()
for name, g in flows.items():
    ax.semilogy(range(1, len(g) + 1), g, "o-", label=name)
ax.set(xlabel="layer (1 = nearest the input)", ylabel="mean |gradient|")
ax.legend()
show(fig, width=460)
# --8<-- [end:figure]

# --8<-- [start:lr]
for lr in (1e-4, 1e-2, 1.0, 10.0):
    gn.manual_seed(0)
    m = nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10))
    o = optim.SGD(m.parameters(), lr=lr)
    for _ in range(25):
        loss = nn.functional.cross_entropy(m(gn.tensor(x_all[:500])), gn.tensor(y_all[:500]))
        o.zero_grad(); loss.backward(); o.step()
    print(f"lr={lr:<7} loss after 25 steps: {loss.item():.4f}")
# --8<-- [end:lr]
