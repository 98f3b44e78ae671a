# ruff: noqa: F821, E402, E702, I001 -- a lesson's blocks run in one markdown-exec session after _setup.py (gn, np, show)
# --8<-- [start:figure]
show(gn.viz.plot_activations(), width=560)
# --8<-- [end:figure]

# --8<-- [start:derivatives]
import gradnote.functional as F

z = gn.tensor([-3.0, -1.0, 0.0, 1.0, 3.0], dtype="float64", requires_grad=True)
for name in ("sigmoid", "tanh", "relu", "leaky_relu", "gelu"):
    z.grad = None
    getattr(F, name)(z).sum().backward()           # d/dz of each element, by autograd
    print(f"{name:10s} f'(z) = {np.round(z.grad, 4).tolist()}")
# --8<-- [end:derivatives]

# --8<-- [start:linear]
import gradnote.nn as nn

# two Linear layers with no activation between them are one Linear layer in disguise
stack = nn.Sequential(nn.Linear(3, 4), nn.Linear(4, 2))
W = stack[1].weight.data @ stack[0].weight.data
b = stack[1].weight.data @ stack[0].bias.data + stack[1].bias.data
x = gn.randn(5, 3)
print("two linear layers == one:", np.allclose(stack(x).data, x.data @ W.T + b, atol=1e-6))
with_relu = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
with_relu[0].load_state_dict(stack[0].state_dict()); with_relu[2].load_state_dict(stack[1].state_dict())
print("with a ReLU in between:  ", np.allclose(with_relu(x).data, x.data @ W.T + b, atol=1e-6))
# --8<-- [end:linear]
