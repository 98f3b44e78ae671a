# ruff: noqa: F821, E402, E702, I001 -- a lesson's blocks run in one markdown-exec session after _setup.py (gn, np, show)
# --8<-- [start:size]
import gradnote.functional as F

for n, k, s, p in [(8, 3, 1, 0), (8, 3, 1, 1), (39, 5, 2, 0), (28, 5, 1, 2)]:
    print(f"input {n:2d}, filter {k}, stride {s}, padding {p} -> output {F.conv_output_size(n, k, s, p)}"
          f"   (= floor(({n} + 2*{p} - {k}) / {s}) + 1)")
x = gn.randn(1, 1, 39, 39)
print("conv2d output shape:", F.conv2d(x, gn.randn(6, 1, 5, 5), stride=2).shape)
# --8<-- [end:size]

# --8<-- [start:edges]
from matplotlib.figure import Figure
from gradnote.data import datasets

images, labels = datasets.load_digits(images=True)
digit = gn.tensor(images[0:1])                                      # (1, 1, 8, 8): a zero
vertical = gn.tensor([[[[1.0, 0.0, -1.0], [2.0, 0.0, -2.0], [1.0, 0.0, -1.0]]]])   # Sobel filter
horizontal = vertical.transpose(0, 1, 3, 2)
edges_v = F.conv2d(digit, vertical, padding=1)
edges_h = F.conv2d(digit, horizontal, padding=1)
pooled = F.max_pool2d(digit, 2)                                     # 8x8 -> 4x4: the largest of each 2x2
fig = Figure(figsize=(8, 2.2), layout="constrained")
for ax, (title, img) in zip(fig.subplots(1, 4), [("digit", digit), ("vertical edges", edges_v),
                                                  ("horizontal edges", edges_h), ("max pool 2x2", pooled)]):
    ax.imshow(img.data[0, 0], cmap="gray")
    ax.set_title(title, fontsize=9)
    ax.axis("off")
show(fig, width=620)
print("max_pool2d:", digit.shape, "->", pooled.shape)
# --8<-- [end:edges]

# --8<-- [start:lenet]
import gradnote.nn as nn

lenet = gn.models.LeNet5()
print(lenet.summary(input_shape=(1, 28, 28), print_fn=lambda text: None))
dense = nn.Linear(28 * 28, 6 * 28 * 28)
print(f"parameters: conv1 {lenet.conv1.weight.numel() + lenet.conv1.bias.numel()} (6 shared 5x5 filters) vs "
      f"a dense layer with the same output {dense.num_parameters():,}")
# --8<-- [end:lenet]

# --8<-- [start:train]
import gradnote.optim as optim

x_img, y_img = datasets.load_digits(images=True, normalize=True)
cnn = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                    nn.Flatten(), nn.Linear(8 * 4 * 4, 10))
opt = optim.Adam(cnn.parameters(), lr=1e-2)
xb, yb = gn.tensor(x_img[:1000]), gn.tensor(y_img[:1000])
for _ in range(25):
    loss = nn.functional.cross_entropy(cnn(xb), yb)
    opt.zero_grad(); loss.backward(); opt.step()
with gn.no_grad():
    acc = (cnn(gn.tensor(x_img[1400:])).data.argmax(1) == y_img[1400:]).mean()
print(f"small CNN, 25 full-batch steps: loss {loss.item():.3f}, test accuracy {acc:.1%}")
# --8<-- [end:train]
