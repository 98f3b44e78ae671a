# ruff: noqa: F821, E402, E702, I001 -- a lesson's blocks run in one markdown-exec session after _setup.py (gn, np, show)
# --8<-- [start:forward]
# a 2-2-1 network with sigmoid units, one sample, squared error: small enough to do by hand
x = np.array([0.5, -1.0])
y = 1.0
W1 = np.array([[0.1, 0.4], [-0.3, 0.2]])   # (hidden, in), as nn.Linear stores it
b1 = np.array([0.0, 0.1])
W2 = np.array([[0.7, -0.5]])
b2 = np.array([0.2])

sigmoid = lambda z: 1 / (1 + np.exp(-z))
z1 = W1 @ x + b1;  h = sigmoid(z1)          # hidden layer
z2 = W2 @ h + b2;  y_hat = sigmoid(z2)      # output layer
loss = 0.5 * (y_hat[0] - y) ** 2
print("h =", h, " y_hat =", y_hat, " loss =", round(loss, 6))
# --8<-- [end:forward]

# --8<-- [start:backward]
# the chain rule, from the loss back to every weight
d_yhat = y_hat - y                         # dL/dy_hat
d_z2 = d_yhat * y_hat * (1 - y_hat)        # sigmoid'(z) = s(z)(1 - s(z))
d_W2 = np.outer(d_z2, h);  d_b2 = d_z2
d_h = W2.T @ d_z2
d_z1 = d_h * h * (1 - h)
d_W1 = np.outer(d_z1, x);  d_b1 = d_z1
print("dL/dW1 by hand:\n", d_W1)
print("dL/dW2 by hand:", d_W2)
# --8<-- [end:backward]

# --8<-- [start:autograd]
import gradnote.nn as nn

net = nn.Sequential(nn.Linear(2, 2), nn.Sigmoid(), nn.Linear(2, 1), nn.Sigmoid()).double()
for p, value in zip(net.parameters(), [W1, b1, W2, b2]):
    p.data[...] = value
out = net(gn.tensor(x[None], dtype="float64"))
auto_loss = 0.5 * ((out - y) ** 2).sum()
auto_loss.backward()
print("dL/dW1 by autograd:\n", net[0].weight.grad)
print("same as by hand:", np.allclose(net[0].weight.grad, d_W1), np.allclose(net[2].weight.grad, d_W2))
# --8<-- [end:autograd]

# --8<-- [start:step]
lr = 0.5
for p in net.parameters():
    p.data -= lr * p.grad                  # one step of gradient descent
with gn.no_grad():
    new_loss = 0.5 * ((net(gn.tensor(x[None], dtype="float64")) - y) ** 2).sum()
print(f"loss before {auto_loss.item():.6f} -> after one step {new_loss.item():.6f}")
# --8<-- [end:step]
