"""One browser tab's training: a gradnote network, its optimiser, its data, and snapshots for the page.

A Session knows nothing of the web: the server calls ``configure`` when a control changes,
``train_for(seconds)`` while playing, ``step_epoch()`` for the step button, and sends ``frame()``
(losses, epoch, pictures as bytes, weights, gradient flow) and ``data()`` (the points) to the page.
Every call takes ENGINE_LOCK, one lock for all sessions: gradnote's no_grad switch is process-wide,
so a snapshot under no_grad in one thread would switch off the graph of another session training in
a second thread. The server trains in worker threads while the page's messages arrive on the event loop.

    s = Session({"dataset": "spiral", "activation": "relu", "hidden": [8, 8]})
    s.train_for(0.5)
    s.frame()["test_loss"]
"""

from __future__ import annotations

import base64
import threading
import time

import numpy as np

from .. import functional as F
from .. import nn, optim
from ..autograd import Tensor, no_grad
from .datasets import LIMIT, features, grid, make_dataset, split
from .settings import Settings

BOUNDARY_SIZE = 50  # heat-map resolution; the neuron maps use every second point of it
ACTIVATION_MODULES = {"step": nn.Step, "sigmoid": nn.Sigmoid, "tanh": nn.Tanh, "relu": nn.ReLU,
                      "leaky_relu": nn.LeakyReLU, "gelu": nn.GELU}
ENGINE_LOCK = threading.RLock()
LIVE = ("learning_rate", "regularization", "regularization_rate", "clip_norm")  # changed without a reset


def build_model(s: Settings, n_inputs: int, generator: np.random.Generator) -> nn.Sequential:
    """Linear [-> BatchNorm1d] -> activation [-> Dropout] per hidden layer, then Linear to one output."""
    layers, width = [], n_inputs
    for units in s.hidden:
        layers.append(nn.Linear(width, units))
        if s.batch_norm:
            layers.append(nn.BatchNorm1d(units))
        layers.append(ACTIVATION_MODULES[s.activation]())
        if s.dropout:
            layers.append(nn.Dropout(s.dropout))
        width = units
    layers.append(nn.Linear(width, 1))
    for layer in layers:
        if isinstance(layer, nn.Linear):
            if s.init == "he":
                nn.init.kaiming_uniform_(layer.weight, nonlinearity="relu", generator=generator)
            else:
                nn.init.xavier_uniform_(layer.weight, generator=generator)
            nn.init.zeros_(layer.bias)
    return nn.Sequential(*layers)


def build_optimizer(s: Settings, params) -> optim.Optimizer:
    lr = s.learning_rate
    if s.optimizer in ("sgd", "momentum"):
        return optim.SGD(params, lr=lr, momentum=0.9 if s.optimizer == "momentum" else 0.0)
    if s.optimizer == "adagrad":
        return optim.Adagrad(params, lr=lr)
    if s.optimizer == "rmsprop":
        return optim.RMSprop(params, lr=lr)
    return (optim.Adam if s.optimizer == "adam" else optim.AdamW)(params, lr=lr)


def data_loss(s: Settings, out: Tensor, y: Tensor) -> Tensor:
    """Mean binary cross-entropy on the logit (classification) or mean squared error (regression)."""
    if s.task == "regression":
        return F.mse_loss(out, y)
    return F.binary_cross_entropy_with_logits(out, y)


def _bytes(values: np.ndarray) -> str:
    """Values in [-1, 1] as base64 bytes 0..255: a picture costs one byte a pixel on the wire."""
    q = np.round((np.clip(values, -1.0, 1.0) + 1.0) * 127.5).astype(np.uint8)
    return base64.b64encode(q.tobytes()).decode("ascii")


def _scaled(values: np.ndarray) -> np.ndarray:
    peak = float(np.abs(values).max()) if values.size else 0.0
    return values / peak if peak > 0 else values


class Session:
    """The state behind one tab: settings, data, model, optimiser, epoch counter and loss history."""

    def __init__(self, settings: dict | Settings | None = None):
        self.lock = ENGINE_LOCK
        self.settings = Settings()
        self.playing = False
        self.resets = 0
        self.configure(settings if settings is not None else {})

    # ----- controls ------------------------------------------------------------------------
    def configure(self, values: dict | Settings) -> bool:
        """Apply new settings (validated; SettingsError leaves the session as it was).

        Returns True when the network was rebuilt (epoch back to 0), False when only the
        optimiser's live knobs (learning rate, regularisation, clipping) changed.
        """
        new = values if isinstance(values, Settings) else Settings.from_dict(values)
        with self.lock:
            old, self.settings = self.settings, new
            if hasattr(self, "model") and all(getattr(old, k) == getattr(new, k)
                                              for k in new.to_dict() if k not in LIVE):
                for group in self.optimizer.param_groups:
                    group["lr"] = new.learning_rate / (1.0 + new.lr_decay * self.steps)
                return False
            self._make_data()
            self.reset()
            return True

    def _make_data(self) -> None:
        s = self.settings
        x, y = make_dataset(s.dataset, n=s.n, noise=s.noise, seed=s.seed)
        self.points = split(x, y, s.train_fraction)
        tr, ytr, te, yte = self.points
        self.x_train, self.x_test = features(tr, s.features), features(te, s.features)
        self.y_train, self.y_test = ytr[:, None], yte[:, None]
        self.grid = features(grid(BOUNDARY_SIZE), s.features)

    def reset(self) -> None:
        """Fresh weights (a new draw each reset), epoch 0, empty history; keeps playing or pausing."""
        with self.lock:
            s = self.settings
            self.generator = np.random.default_rng([s.seed, self.resets])
            self.resets += 1
            self.model = build_model(s, self.x_train.shape[1], self.generator)
            self.optimizer = build_optimizer(s, self.model.parameters())
            self.linears = [m for m in self.model if isinstance(m, nn.Linear)]
            self.epoch, self.steps, self.order = 0, 0, np.zeros(0, dtype=np.int64)
            self.grad_sums, self.grad_count = np.zeros(len(self.linears)), 0
            self.history = []

    # ----- training ------------------------------------------------------------------------
    def _batch_size(self) -> int:
        n = len(self.x_train)
        return n if self.settings.batch_size == 0 else min(self.settings.batch_size, n)

    def train_batch(self) -> None:
        """One optimiser step on the next mini-batch; a finished pass over the data counts an epoch."""
        s, bs = self.settings, self._batch_size()
        if len(self.order) == 0:
            self.order = self.generator.permutation(len(self.x_train))
        idx, self.order = self.order[:bs], self.order[bs:]
        if s.batch_norm and len(self.order) == 1:  # batch norm cannot normalise a batch of one point
            idx, self.order = np.concatenate([idx, self.order]), self.order[:0]
        self.model.train()
        out = self.model(Tensor(self.x_train[idx]))
        loss = data_loss(s, out, Tensor(self.y_train[idx]))
        weights = [m.weight for m in self.linears]
        if s.regularization != "none" and s.regularization_rate:
            penalty = nn.l1_penalty(weights) if s.regularization == "l1" else nn.l2_penalty(weights)
            loss = loss + penalty * s.regularization_rate
        self.optimizer.zero_grad()
        loss.backward()
        if s.clip_norm:
            nn.utils.clip_grad_norm_(self.model.parameters(), s.clip_norm)
        self.grad_sums += [float(np.sqrt(np.mean(w.grad ** 2))) if w.grad is not None else 0.0 for w in weights]
        self.grad_count += 1
        self.optimizer.step()
        self.steps += 1
        if s.lr_decay:
            for group in self.optimizer.param_groups:
                group["lr"] = s.learning_rate / (1.0 + s.lr_decay * self.steps)
        if len(self.order) == 0:
            self.epoch += 1

    def step_epoch(self) -> None:
        """The step button: train to the end of the current epoch (a whole epoch from a fresh start)."""
        with self.lock:
            start = self.epoch
            while self.epoch == start:
                self.train_batch()

    def train_for(self, seconds: float, should_stop=lambda: False) -> None:
        """Train batch after batch for about ``seconds`` (at least one batch), so frames keep their pace
        whatever the batch size; ``should_stop()`` is asked between batches (pause, server shutdown)."""
        with self.lock:
            end = time.perf_counter() + seconds
            self.train_batch()
            while time.perf_counter() < end and not should_stop():
                self.train_batch()

    # ----- what the page draws ---------------------------------------------------------------
    def losses(self) -> tuple[float, float]:
        with self.lock, no_grad():
            self.model.eval()
            s = self.settings
            return tuple(float(data_loss(s, self.model(Tensor(x)), Tensor(y)).item())
                         for x, y in ((self.x_train, self.y_train), (self.x_test, self.y_test)))

    def frame(self) -> dict:
        """Epoch, losses, heat map of the output, each hidden neuron's map, weights and gradient flow."""
        with self.lock, no_grad():
            train_loss, test_loss = self.losses()
            self.history.append((self.epoch, train_loss, test_loss))
            self.model.eval()
            h, neurons = Tensor(self.grid), []
            half = np.zeros((BOUNDARY_SIZE, BOUNDARY_SIZE), dtype=bool)
            half[::2, ::2] = True
            for layer in self.model:
                h = layer(h)
                if isinstance(layer, tuple(ACTIVATION_MODULES.values())):
                    maps = h.numpy()[half.ravel()]
                    neurons.append([_bytes(_scaled(maps[:, j])) for j in range(maps.shape[1])])
            out = h.numpy()[:, 0]
            # classification shows 2 sigmoid(logit) - 1 = tanh(logit / 2), which cannot overflow
            picture = np.tanh(out / 2) if self.settings.task == "classification" else out
            grads = self.grad_sums / max(self.grad_count, 1)
            self.grad_sums, self.grad_count = np.zeros(len(self.linears)), 0
            return {"type": "frame", "epoch": self.epoch, "steps": self.steps,
                    "train_loss": train_loss, "test_loss": test_loss,
                    "boundary": _bytes(picture), "boundary_size": BOUNDARY_SIZE,
                    "neurons": neurons, "neuron_size": BOUNDARY_SIZE // 2 + BOUNDARY_SIZE % 2,
                    "weights": [np.round(m.weight.numpy(), 4).tolist() for m in self.linears],
                    "gradients": [float(g) for g in grads], "playing": self.playing}

    def data(self) -> dict:
        """The points (train and test) and each input feature's own map, sent when the data changes."""
        with self.lock:
            tr, ytr, te, yte = self.points
            half = np.zeros((BOUNDARY_SIZE, BOUNDARY_SIZE), dtype=bool)
            half[::2, ::2] = True
            inputs = [_bytes(_scaled(self.grid[half.ravel(), j])) for j in range(self.grid.shape[1])]
            return {"type": "data", "task": self.settings.task, "limit": LIMIT,
                    "train": np.round(np.column_stack([tr, ytr]), 3).tolist(),
                    "test": np.round(np.column_stack([te, yte]), 3).tolist(),
                    "inputs": inputs, "features": self.settings.features, "settings": self.settings.to_dict()}
