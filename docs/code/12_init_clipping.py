# ruff: noqa: F821, E402, E702, I001 -- a lesson's blocks run in one markdown-exec session after _setup.py (gn, np, show)
# --8<-- [start:init]
import gradnote.nn as nn

def activation_stds(init, activation, depth=10, width=256):
    """Std of the activations after each layer of a deep stack, for one weight initialisation."""
    gn.manual_seed(0)
    h = gn.randn(512, width)
    stds = []
    with gn.no_grad():
        for _ in range(depth):
            layer = nn.Linear(width, width)
            init(layer.weight)
            nn.init.zeros_(layer.bias)
            h = activation(layer(h))
            stds.append(float(h.data.std()))
    return stds

runs = {
    "N(0, 0.01) + tanh": activation_stds(lambda w: nn.init.normal_(w, std=0.01), gn.tanh),
    "Xavier + tanh": activation_stds(nn.init.xavier_normal_, gn.tanh),
    "N(0, 0.01) + ReLU": activation_stds(lambda w: nn.init.normal_(w, std=0.01), gn.relu),
    "He + ReLU": activation_stds(lambda w: nn.init.kaiming_normal_(w, nonlinearity="relu"), gn.relu),
}
for name, s in runs.items():
    print(f"{name:18s} std after layer 1: {s[0]:.2e}   after layer 10: {s[-1]:.2e}")
show(gn.viz.plot_curves(runs, xlabel="layer", ylabel="activation std", logy=True), width=480)
# --8<-- [end:init]

# --8<-- [start:clip]
layer = nn.Linear(4, 1)
loss = (layer(gn.randn(8, 4) * 100) ** 2).mean()     # huge inputs: an exploding gradient
loss.backward()
total = nn.utils.clip_grad_norm_(layer.parameters(), max_norm=1.0)
after = np.sqrt(sum(float((p.grad ** 2).sum()) for p in layer.parameters()))
print(f"gradient norm before clipping: {float(total):.1f}, after: {after:.4f}")
# --8<-- [end:clip]
