# ruff: noqa: F821, E402, E702, I001 -- a lesson's blocks run in one markdown-exec session after _setup.py (gn, np, show)
# --8<-- [start:outputs]
import gradnote.functional as F

z = gn.tensor([[2.0, 1.0, 0.1]])                     # scores for cat, dog, bird
p = F.softmax(z, axis=-1)
print("softmax:", np.round(p.numpy(), 4), " sum =", p.sum().item())
print("sigmoid(1.7) =", round(F.sigmoid(gn.tensor(1.7)).item(), 4), "-> spam with probability ~85%")
# --8<-- [end:outputs]

# --8<-- [start:losses]
y_true = gn.tensor([[3.0], [1.5]]); y_pred = gn.tensor([[2.5], [2.0]])
print("MSE :", F.mse_loss(y_pred, y_true).item(), "= mean of", ((y_pred - y_true) ** 2).numpy().ravel().tolist())

prob, label = gn.tensor([0.9, 0.2]), gn.tensor([1.0, 0.0])
by_hand = -(label * gn.log(prob) + (1 - label) * gn.log(1 - prob)).mean()
print("BCE :", round(F.binary_cross_entropy(prob, label).item(), 5), " by hand:", round(by_hand.item(), 5))

target = gn.tensor([0])                               # the picture is a cat
print("CE  :", round(F.cross_entropy(z, target).item(), 5), " = -log p[cat] =", round(-np.log(p.numpy()[0, 0]), 5))
# --8<-- [end:losses]

# --8<-- [start:figure]
from matplotlib.figure import Figure

q = np.linspace(0.01, 0.99, 99)
fig = Figure(figsize=(5, 3), layout="constrained")
ax = fig.subplots()
ax.plot(q, -np.log(q), label="true label 1: $-\\log p$")
ax.plot(q, -np.log(1 - q), label="true label 0: $-\\log(1-p)$")
ax.set(xlabel="predicted probability p", ylabel="binary cross-entropy", ylim=(0, 5))
ax.legend()
show(fig, width=460)
# --8<-- [end:figure]
