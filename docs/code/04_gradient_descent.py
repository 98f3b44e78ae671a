# ruff: noqa: F821, E402, E702, I001 -- a lesson's blocks run in one markdown-exec session after _setup.py (gn, np, show)
# --8<-- [start:descent]
def descend(lr, steps=15, w0=-2.0):
    """Gradient descent on L(w) = (w - 3)^2, with a gradnote tensor and autograd."""
    w = gn.tensor([w0], requires_grad=True)
    path = [w.item()]
    for _ in range(steps):
        loss = ((w - 3.0) ** 2).sum()
        w.grad = None
        loss.backward()
        with gn.no_grad():
            w -= lr * gn.tensor(w.grad)      # w <- w - alpha * dL/dw
        path.append(w.item())
    return path

for lr in (0.02, 0.3, 0.9, 1.05):
    path = descend(lr)
    print(f"lr={lr:<5} w after 15 steps: {path[-1]:10.4f}   loss: {(path[-1] - 3) ** 2:12.4f}")
# --8<-- [end:descent]

# --8<-- [start:figure]
from matplotlib.figure import Figure

fig = Figure(figsize=(9, 3.2), layout="constrained")
ws = np.linspace(-4, 10, 200)
for ax, lr in zip(fig.subplots(1, 4, sharey=True), (0.02, 0.3, 0.9, 1.05)):
    path = np.array(descend(lr))
    ax.plot(ws, (ws - 3) ** 2, color="0.7")
    ax.plot(path, (path - 3) ** 2, "o-", ms=3)
    ax.set(title=f"lr = {lr}", xlabel="w", ylim=(-2, 60), xlim=(-4, 10))
show(fig, width=700)
# --8<-- [end:figure]
