# ruff: noqa: F821, E402, E702, I001 -- a lesson's blocks run in one markdown-exec session after _setup.py (gn, np, show)
# --8<-- [start:penalties]
import gradnote.nn as nn
import gradnote.optim as optim

layer = nn.Linear(3, 2)
w = layer.weight.data
print("L1 = sum |w|  :", round(nn.l1_penalty([layer.weight]).item(), 5), "=", round(float(np.abs(w).sum()), 5))
print("L2 = sum w^2  :", round(nn.l2_penalty([layer.weight]).item(), 5), "=", round(float((w ** 2).sum()), 5))
# L2 in the gradient: weight_decay=lambda adds lambda * w to every gradient (as PyTorch's SGD)
opt = optim.SGD(layer.parameters(), lr=0.1, weight_decay=0.01)
# --8<-- [end:penalties]

# --8<-- [start:dropout]
drop = nn.Dropout(p=0.5)
ones = gn.ones(2, 10)
print("train:", drop(ones).numpy())                 # about half zeroed, the rest scaled by 1 / (1 - p)
drop.eval()
print("eval :", drop(ones).numpy()[0])              # identity at test time
# --8<-- [end:dropout]

# --8<-- [start:early]
from gradnote.data import datasets

x_all, y_all = datasets.load_digits(normalize=True)
model = gn.models.Sequential([gn.layers.Dense(128, activation="relu", input_shape=(64,)),
                              gn.layers.Dropout(0.3),
                              gn.layers.Dense(10, activation="softmax")])
model.compile(optimizer=gn.optimizers.Adam(lr=3e-3), loss="sparse_categorical_crossentropy", metrics=["acc"])
stop = gn.callbacks.EarlyStopping(monitor="val_loss", patience=2, restore_best_weights=True)
history = model.fit(x_all[:300], y_all[:300], validation_data=(x_all[1000:1400], y_all[1000:1400]),
                    epochs=60, batch_size=32, callbacks=[stop], verbose=0)
print(f"stopped after {len(history.history['loss'])} of 60 epochs; "
      f"best val_loss {min(history.history['val_loss']):.4f}")
show(gn.viz.plot_history(history), width=640)
# --8<-- [end:early]

# --8<-- [start:images]
from matplotlib.figure import Figure
from gradnote.data import augment

images, labels = datasets.load_digits(images=True)
digit = images[4]                                    # (1, 8, 8)
transforms = {"original": None,
              "rotation 25°": augment.RandomRotation(25),
              "scale": augment.RandomScale((0.7, 1.3)),
              "crop (pad 1)": augment.RandomCrop(8, padding=1),
              "brightness/contrast": augment.ColorJitter(brightness=0.5, contrast=0.5),
              "noise": augment.GaussianNoise(std=1.5)}
fig = Figure(figsize=(9, 1.9), layout="constrained")
for ax, (name, t) in zip(fig.subplots(1, len(transforms)), transforms.items()):
    ax.imshow((digit if t is None else t(digit))[0], cmap="gray_r", vmin=0, vmax=16)
    ax.set_title(name, fontsize=8)
    ax.axis("off")
show(fig, width=680)
# --8<-- [end:images]

# --8<-- [start:text]
sentence = "the movie was really good and the actors were great".split()
thesaurus = {"good": ["fine", "nice"], "great": ["excellent", "superb"], "movie": ["film"]}
for name, t in {"synonym replacement": augment.SynonymReplacement(thesaurus, n=2),
                "random insertion": augment.RandomInsertion(thesaurus, n=1),
                "random swap": augment.RandomSwap(n=2),
                "random deletion": augment.RandomDeletion(p=0.2)}.items():
    print(f"{name:20s}:", " ".join(t(sentence)))
# --8<-- [end:text]
