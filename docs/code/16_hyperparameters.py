# ruff: noqa: F821, E402, E702, I001 -- a lesson's blocks run in one markdown-exec session after _setup.py (gn, np, show)
# --8<-- [start:search]
import itertools

import gradnote.nn as nn
import gradnote.optim as optim
from gradnote.data import datasets

x_all, y_all = datasets.load_digits(normalize=True)
x_tr, y_tr = gn.tensor(x_all[:800]), gn.tensor(y_all[:800])
x_val, y_val = gn.tensor(x_all[1200:1500]), y_all[1200:1500]

def trial(lr, hidden, steps=25):
    """Train briefly with one setting and return the validation accuracy (the number the search maximises)."""
    gn.manual_seed(0)
    model = nn.Sequential(nn.Linear(64, hidden), nn.ReLU(), nn.Linear(hidden, 10))
    opt = optim.Adam(model.parameters(), lr=lr)
    for _ in range(steps):
        loss = nn.functional.cross_entropy(model(x_tr), y_tr)
        opt.zero_grad(); loss.backward(); opt.step()
    with gn.no_grad():
        return float((model(x_val).data.argmax(1) == y_val).mean())

grid = {"lr": [1e-3, 1e-2, 1e-1], "hidden": [8, 64]}
results = []
for lr, hidden in itertools.product(grid["lr"], grid["hidden"]):          # grid search: every combination
    results.append((trial(lr, hidden), lr, hidden))
    print(f"lr={lr:<6} hidden={hidden:<3} validation accuracy {results[-1][0]:.1%}")
best = max(results)
print(f"best: lr={best[1]}, hidden={best[2]} ({best[0]:.1%})")
# --8<-- [end:search]

# --8<-- [start:random]
rng = np.random.default_rng(0)
for _ in range(3):                                                         # random search: sample the ranges
    lr, hidden = 10 ** rng.uniform(-3, -0.5), int(rng.choice([16, 32, 64]))
    print(f"random trial lr={lr:.4f} hidden={hidden}: {trial(lr, hidden):.1%}")
# --8<-- [end:random]
