# ruff: noqa: F821, E402, E702, I001 -- a lesson's blocks run in one markdown-exec session after _setup.py (gn, np, show)
# --8<-- [start:ddp]
import gradnote.nn as nn
from gradnote.data import datasets

x_all, y_all = datasets.load_digits(normalize=True)
xb, yb = x_all[:64], y_all[:64]

def gradients(model, x, y):
    model.zero_grad()
    nn.functional.cross_entropy(model(gn.tensor(x)), gn.tensor(y)).backward()
    return [p.grad.copy() for p in model.parameters()]

gn.manual_seed(0)
model = nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10)).double()
full = gradients(model, xb, yb)                                   # one worker, the whole batch
world_size = 4
shards = [gradients(model, xb[r::world_size], yb[r::world_size]) for r in range(world_size)]
averaged = [sum(g) / world_size for g in zip(*shards)]             # what all_reduce(SUM) / world_size gives
print("each of 4 workers sees", len(xb[0::world_size]), "samples")
print("average of the workers' gradients == full-batch gradient:",
      all(np.allclose(a, f) for a, f in zip(averaged, full)))
# --8<-- [end:ddp]

# --8<-- [start:devices]
print("CUDA available:", gn.cuda.is_available(), "| distributed (MPI) available:", gn.distributed.is_available())
device = gn.device("cuda" if gn.cuda.is_available() else "cpu")
model.to(device)
print("model on", device)
# --8<-- [end:devices]
