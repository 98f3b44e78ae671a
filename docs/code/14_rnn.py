# ruff: noqa: F821, E402, E702, I001 -- a lesson's blocks run in one markdown-exec session after _setup.py (gn, np, show)
# --8<-- [start:shapes]
import gradnote.nn as nn

rnn = nn.RNN(input_size=3, hidden_size=5, batch_first=True)
x = gn.randn(2, 7, 3)                          # (batch N, time T, features)
output, h_n = rnn(x)
print("output (every time step):", output.shape, "  h_n (last state):", h_n.shape)
print("many-to-one  uses h_n[-1]      ->", h_n[-1].shape, " e.g. sentiment of a sentence")
print("many-to-many uses output       ->", output.shape, " e.g. a tag for every word, translation")
# one-to-many: feed the output back in as the next input (music generation, captions)
h, step_in, generated = None, gn.randn(1, 1, 3), []
for _ in range(4):
    out, h = rnn(step_in, h)
    step_in = out[:, :, :3]
    generated.append(out.shape)
print("one-to-many  generated", len(generated), "steps from one input")
# --8<-- [end:shapes]

# --8<-- [start:cell]
# one step by hand: h_t = tanh(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh), the same weights at every step
p = dict(rnn.named_parameters())
h = np.zeros((2, 5), dtype=np.float32)
for t in range(7):
    h = np.tanh(x.data[:, t] @ p["weight_ih_l0"].data.T + p["bias_ih_l0"].data
                + h @ p["weight_hh_l0"].data.T + p["bias_hh_l0"].data)
print("by hand equals nn.RNN's last state:", np.allclose(h, h_n.data[0], atol=1e-5))
# --8<-- [end:cell]

# --8<-- [start:train]
import gradnote.optim as optim

# many-to-one: is the sum of a sequence of +-1 positive? The answer depends on every step (global dependency).
rng = np.random.default_rng(0)
seqs = rng.choice([-1.0, 1.0], size=(512, 9, 1)).astype(np.float32)
labels = (seqs.sum((1, 2)) > 0).astype(np.int64)

class ManyToOne(nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = nn.GRU(1, 16, batch_first=True)
        self.head = nn.Linear(16, 2)

    def forward(self, x):
        _, h_n = self.rnn(x)
        return self.head(h_n[-1])

gn.manual_seed(0)
model = ManyToOne()
opt = optim.Adam(model.parameters(), lr=2e-2)
xb, yb = gn.tensor(seqs[:400]), gn.tensor(labels[:400])
for _ in range(40):
    loss = nn.functional.cross_entropy(model(xb), yb)
    opt.zero_grad(); loss.backward(); opt.step()
with gn.no_grad():
    acc = (model(gn.tensor(seqs[400:])).data.argmax(1) == labels[400:]).mean()
print(f"GRU many-to-one after 40 steps: loss {loss.item():.3f}, accuracy on new sequences {acc:.0%}")
# --8<-- [end:train]
