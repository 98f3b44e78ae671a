# ruff: noqa: F821, E402, E702, I001 -- a lesson's blocks run in one markdown-exec session after _setup.py (gn, np, show)
# --8<-- [start:race]
import gradnote.optim as optim

def loss_fn(w):
    """A long, narrow valley: steep across (y), flat along (x); the minimum is at (0, 0)."""
    return 0.05 * w[0] ** 2 + 2.0 * w[1] ** 2

def run(make, steps=60):
    w = gn.tensor([-4.0, 1.5], requires_grad=True)
    opt, path = make([w]), [w.data.copy()]
    for _ in range(steps):
        loss = loss_fn(w)
        opt.zero_grad(); loss.backward(); opt.step()
        path.append(w.data.copy())
    return np.array(path)

racers = {
    "SGD": lambda p: optim.SGD(p, lr=0.2),
    "Momentum": lambda p: optim.SGD(p, lr=0.2, momentum=0.9),
    "Adagrad": lambda p: optim.Adagrad(p, lr=0.5),
    "RMSprop": lambda p: optim.RMSprop(p, lr=0.05),
    "Adam": lambda p: optim.Adam(p, lr=0.2),
}
paths = {name: run(make) for name, make in racers.items()}
for name, path in paths.items():
    print(f"{name:8s} after 60 steps: w = {np.round(path[-1], 4).tolist()}  loss = {loss_fn(path[-1]):.5f}")
# --8<-- [end:race]

# --8<-- [start:figure]
from matplotlib.figure import Figure

fig = Figure(figsize=(7, 3.2), layout="constrained")
ax = fig.subplots()
gx, gy = np.meshgrid(np.linspace(-4.5, 1, 100), np.linspace(-2, 2, 100))
ax.contour(gx, gy, 0.05 * gx ** 2 + 2 * gy ** 2, levels=12, colors="0.8")
for name, path in paths.items():
    ax.plot(path[:, 0], path[:, 1], ".-", ms=3, label=name)
ax.plot(0, 0, "k*", ms=12)
ax.set(xlabel="$w_1$", ylabel="$w_2$")
ax.legend(fontsize=8)
show(fig, width=600)
# --8<-- [end:figure]

# --8<-- [start:keras]
# the same Adam in Keras's spelling (lr, beta_1, beta_2, decay) as in the notes' tf.keras snippet
adam = gn.optimizers.Adam(lr=0.001, beta_1=0.9, beta_2=0.999, epsilon=None, decay=0.0, amsgrad=False)
model = gn.models.Sequential([gn.layers.Dense(32, activation="relu", input_shape=(64,)),
                              gn.layers.Dense(10, activation="softmax")])
model.compile(loss="sparse_categorical_crossentropy", optimizer=adam, metrics=["acc"])
x_all, y_all = gn.data.datasets.load_digits(normalize=True)
history = model.fit(x_all[:1500], y_all[:1500], batch_size=64, epochs=5, verbose=0, validation_split=0.2)
print({k: round(v[-1], 3) for k, v in history.history.items()})
# --8<-- [end:keras]
