"""Small programs written the way PyTorch's tutorials and examples write them, run with `import gradnote as torch`.

Each one uses the habits of real PyTorch code (manual updates under no_grad, `.to(device)`, `view`/`size`,
`torch.max(x, 1)`, LSTMCell loops, a VAE's loss, a custom autograd.Function, DataLoader/random_split,
state-dict checkpoints) and checks that it learns.
"""

from __future__ import annotations

import io
import math

import gradnote.nn.functional as F
import numpy as np

import gradnote as torch
import gradnote.nn as nn
import gradnote.optim as optim
from gradnote.data.datasets import load_digits
from gradnote.utils.data import DataLoader, TensorDataset, random_split


def test_polynomial_fit_with_manual_updates():
    """"Learning PyTorch with Examples": y = sin(x) by a cubic, weights updated by hand."""
    torch.manual_seed(0)
    x = torch.linspace(-math.pi, math.pi, 1000)
    y = torch.sin(x)
    a, b, c, d = (torch.randn((), requires_grad=True) for _ in range(4))
    start = np.array([a.item(), b.item(), c.item(), d.item()])
    learning_rate = 2e-6
    losses = []
    for t in range(1000):
        y_pred = a + b * x + c * x ** 2 + d * x ** 3
        loss = (y_pred - y).pow(2).sum()
        losses.append(loss.item())
        loss.backward()
        with torch.no_grad():
            a -= learning_rate * a.grad
            b -= learning_rate * b.grad
            c -= learning_rate * c.grad
            d -= learning_rate * d.grad
            a.grad = None
            b.grad = None
            c.grad = None
            d.grad = None
    assert losses[-1] < losses[0] / 100 and losses[-1] / len(x) < 0.1  # mean squared error
    # the same descent written out in NumPy (the tutorial's first, NumPy-only version) ends at the same cubic
    xs, ys, w = x.numpy().astype(np.float64), y.numpy().astype(np.float64), start.copy()
    powers = np.stack([xs ** k for k in range(4)])
    for _ in range(1000):
        grad_y_pred = 2.0 * (w @ powers - ys)
        w -= learning_rate * (powers @ grad_y_pred)
    np.testing.assert_allclose([a.item(), b.item(), c.item(), d.item()], w, rtol=1e-3, atol=1e-4)


class LegendrePolynomial3(torch.autograd.Function):
    @staticmethod
    def forward(ctx, input):
        ctx.save_for_backward(input)
        return 0.5 * (5 * input ** 3 - 3 * input)

    @staticmethod
    def backward(ctx, grad_output):
        (input,) = ctx.saved_tensors
        return grad_output * 1.5 * (5 * input ** 2 - 1)


def test_custom_autograd_function_in_a_fit():
    torch.manual_seed(0)
    x = torch.linspace(-math.pi, math.pi, 2000)
    y = torch.sin(x)
    a = torch.full((), 0.0, requires_grad=True)
    b = torch.full((), -1.0, requires_grad=True)
    c = torch.full((), 0.0, requires_grad=True)
    d = torch.full((), 0.3, requires_grad=True)
    first = None
    for _ in range(300):
        P3 = LegendrePolynomial3.apply
        y_pred = a + b * P3(c + d * x)
        loss = (y_pred - y).pow(2).sum()
        first = loss.item() if first is None else first
        loss.backward()
        with torch.no_grad():
            for p in (a, b, c, d):
                p -= 5e-6 * p.grad
                p.grad = None
    assert loss.item() < first / 4 and loss.item() / len(x) < 0.1


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 8, 3, padding=1)
        self.pool = nn.MaxPool2d(2, 2)
        self.fc1 = nn.Linear(8 * 4 * 4, 32)
        self.fc2 = nn.Linear(32, 10)
        self.dropout = nn.Dropout(0.1)

    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))
        x = x.view(x.size(0), -1)
        x = self.dropout(F.relu(self.fc1(x)))
        return self.fc2(x)


def test_cifar_tutorial_style_classifier_on_the_digits():
    torch.manual_seed(0)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    images, labels = load_digits(images=True)
    x = torch.tensor(images, dtype=torch.float32).view(-1, 1, 8, 8) / 16.0
    y = torch.tensor(labels, dtype=torch.long)
    train_set, test_set = random_split(TensorDataset(x, y), [0.8, 0.2])
    trainloader = DataLoader(train_set, batch_size=32, shuffle=True)
    testloader = DataLoader(test_set, batch_size=64, shuffle=False)
    net = Net().to(device)
    criterion = nn.CrossEntropyLoss()
    optimizer = optim.SGD(net.parameters(), lr=0.05, momentum=0.9)
    scheduler = optim.lr_scheduler.StepLR(optimizer, step_size=2, gamma=0.5)
    for epoch in range(4):
        net.train()
        running_loss = 0.0
        for i, data in enumerate(trainloader, 0):
            inputs, targets = data[0].to(device), data[1].to(device)
            optimizer.zero_grad()
            outputs = net(inputs)
            loss = criterion(outputs, targets)
            loss.backward()
            optimizer.step()
            running_loss += loss.item()
        scheduler.step()
    correct = total = 0
    net.eval()
    with torch.no_grad():
        for images_b, labels_b in testloader:
            outputs = net(images_b.to(device))
            _, predicted = torch.max(outputs.data if isinstance(outputs.data, torch.Tensor) else outputs, 1)
            total += labels_b.size(0)
            correct += (predicted == labels_b).sum().item()
    assert total == len(test_set) and correct / total > 0.9
    pred = outputs.argmax(dim=1, keepdim=True)
    assert pred.eq(labels_b.view_as(pred)).sum().item() == (predicted == labels_b).sum().item()


class Sequence(nn.Module):
    """The examples repository's time-sequence prediction: two LSTMCells unrolled by hand."""

    def __init__(self):
        super().__init__()
        self.lstm1 = nn.LSTMCell(1, 16)
        self.lstm2 = nn.LSTMCell(16, 16)
        self.linear = nn.Linear(16, 1)

    def forward(self, input, future=0):
        outputs = []
        h_t = torch.zeros(input.size(0), 16, dtype=input.dtype)
        c_t = torch.zeros(input.size(0), 16, dtype=input.dtype)
        h_t2 = torch.zeros(input.size(0), 16, dtype=input.dtype)
        c_t2 = torch.zeros(input.size(0), 16, dtype=input.dtype)
        for input_t in input.split(1, dim=1):
            h_t, c_t = self.lstm1(input_t, (h_t, c_t))
            h_t2, c_t2 = self.lstm2(h_t, (h_t2, c_t2))
            output = self.linear(h_t2)
            outputs += [output]
        for _ in range(future):
            h_t, c_t = self.lstm1(output, (h_t, c_t))
            h_t2, c_t2 = self.lstm2(h_t, (h_t2, c_t2))
            output = self.linear(h_t2)
            outputs += [output]
        return torch.cat(outputs, dim=1)


def test_lstm_cells_learn_a_sine_wave():
    torch.manual_seed(0)
    T, N = 20, 8
    phase = np.random.default_rng(0).uniform(0, 2 * np.pi, (N, 1))
    wave = np.sin(np.arange(T + 1)[None, :] * 0.3 + phase).astype(np.float32)
    input, target = torch.from_numpy(wave[:, :-1]), torch.from_numpy(wave[:, 1:])
    seq = Sequence()
    criterion = nn.MSELoss()
    optimizer = optim.Adam(seq.parameters(), lr=0.02)
    losses = []
    for _ in range(40):
        optimizer.zero_grad()
        out = seq(input)
        loss = criterion(out, target)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert losses[-1] < losses[0] / 10
    with torch.no_grad():
        future = seq(input, future=5)
    assert future.shape == (N, T + 5)


class VAE(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(64, 32)
        self.fc21 = nn.Linear(32, 4)
        self.fc22 = nn.Linear(32, 4)
        self.fc3 = nn.Linear(4, 32)
        self.fc4 = nn.Linear(32, 64)

    def encode(self, x):
        h1 = F.relu(self.fc1(x))
        return self.fc21(h1), self.fc22(h1)

    def reparameterize(self, mu, logvar):
        std = torch.exp(0.5 * logvar)
        eps = torch.randn_like(std)
        return mu + eps * std

    def decode(self, z):
        h3 = F.relu(self.fc3(z))
        return torch.sigmoid(self.fc4(h3))

    def forward(self, x):
        mu, logvar = self.encode(x.view(-1, 64))
        z = self.reparameterize(mu, logvar)
        return self.decode(z), mu, logvar


def loss_function(recon_x, x, mu, logvar):
    BCE = F.binary_cross_entropy(recon_x, x.view(-1, 64), reduction="sum")
    KLD = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
    return BCE + KLD


def test_vae_loss_with_exp_pow_sum_falls():
    torch.manual_seed(0)
    images, _ = load_digits()
    loader = DataLoader(TensorDataset(torch.tensor(images / 16.0, dtype=torch.float32)), batch_size=64, shuffle=True)
    model = VAE()
    optimizer = optim.Adam(model.parameters(), lr=1e-2)
    epoch_loss = []
    for epoch in range(3):
        train_loss = 0
        for batch_idx, (data,) in enumerate(loader):
            optimizer.zero_grad()
            recon_batch, mu, logvar = model(data)
            loss = loss_function(recon_batch, data, mu, logvar)
            loss.backward()
            train_loss += loss.item()
            optimizer.step()
        epoch_loss.append(train_loss / len(loader.dataset))
    assert epoch_loss[-1] < epoch_loss[0] * 0.9


def test_checkpoint_round_trip_through_a_file_object():
    torch.manual_seed(0)
    model = Net()
    optimizer = optim.Adam(model.parameters(), lr=1e-3)
    x = torch.randn(2, 1, 8, 8)
    model(x).sum().backward()
    optimizer.step()
    buffer = io.BytesIO()
    torch.save({"epoch": 3, "model_state_dict": model.state_dict(), "optimizer_state_dict": optimizer.state_dict(),
                "loss": 0.25}, buffer)
    buffer.seek(0)
    checkpoint = torch.load(buffer)
    restored = Net()
    restored.load_state_dict(checkpoint["model_state_dict"])
    restored_opt = optim.Adam(restored.parameters(), lr=1e-3)
    restored_opt.load_state_dict(checkpoint["optimizer_state_dict"])
    assert checkpoint["epoch"] == 3 and checkpoint["loss"] == 0.25
    model.eval()
    restored.eval()
    np.testing.assert_array_equal(model(x).data, restored(x).data)
