# ruff: noqa: F821, E402, E702, I001 -- a lesson's blocks run in one markdown-exec session after _setup.py (gn, np, show)
# --8<-- [start:step]
import gradnote.functional as F

z = gn.tensor([-2.0, -0.5, 0.0, 0.5, 2.0])
print("z       :", z.tolist())
print("step(z) :", F.step(z).tolist())   # 1 where z > 0 (past the threshold), else 0
# --8<-- [end:step]

# --8<-- [start:gates]
import gradnote.nn as nn
from gradnote.data import datasets

x, _ = datasets.xor()                    # the four corners (0,0) (0,1) (1,0) (1,1)
gates = {"AND": np.array([0, 0, 0, 1]), "OR": np.array([0, 1, 1, 1]), "XOR": np.array([0, 1, 1, 0])}
learned = {}
for name, y in gates.items():
    p = nn.Perceptron(2)
    errors = p.fit(x, y, epochs=20, lr=1.0)     # Rosenblatt's rule: w += lr * (y - y_hat) * x
    learned[name] = p
    out = p(gn.tensor(x)).numpy().astype(int)
    print(f"{name:3s}: output {out.tolist()}  target {y.tolist()}  "
          f"mistakes in the last epoch {errors[-1]}  w={p.weight.data.ravel().tolist()} b={p.bias.data.tolist()}")
# --8<-- [end:gates]

# --8<-- [start:figure]
from matplotlib.figure import Figure

fig = Figure(figsize=(9, 3), layout="constrained")
for ax, (name, y) in zip(fig.subplots(1, 3), gates.items()):
    w, b = learned[name].weight.data.ravel(), learned[name].bias.data[0]
    xs = np.linspace(-0.5, 1.5, 2)
    if abs(w[1]) > 1e-9:                  # the boundary w1 x1 + w2 x2 + b = 0
        ax.plot(xs, -(w[0] * xs + b) / w[1], "k--", label="boundary")
    ax.scatter(x[:, 0], x[:, 1], c=y, cmap="coolwarm", s=120, edgecolors="k")
    ax.set(title=name, xlim=(-0.5, 1.5), ylim=(-0.5, 1.5), xlabel="$x_1$", ylabel="$x_2$")
show(fig, width=680)
# --8<-- [end:figure]

# --8<-- [start:xor]
def xor_two_layers(x):
    """XOR = AND(OR(x1, x2), NAND(x1, x2)): a hidden layer of two step neurons, then one output neuron."""
    w_hidden = gn.tensor([[1.0, 1.0], [-1.0, -1.0]])     # rows: OR, NAND
    b_hidden = gn.tensor([-0.5, 1.5])
    h = F.step(F.linear(x, w_hidden, b_hidden))
    return F.step(F.linear(h, gn.tensor([[1.0, 1.0]]), gn.tensor([-1.5])))   # AND

print("XOR with a hidden layer:", xor_two_layers(gn.tensor(x)).numpy().ravel().astype(int).tolist())
# --8<-- [end:xor]
