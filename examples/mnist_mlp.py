"""MLP 784-256-128-10 on MNIST: >= 97.5% test accuracy in 5 epochs, printing the time per epoch.

    python examples/mnist_mlp.py [path to the MNIST IDX files]     (default ../shared/datasets/mnist)
"""

import os
import sys
import time

import gradnote as gn
from gradnote.data.datasets import load_mnist
from gradnote.layers import Dense
from gradnote.models import Sequential

here = os.path.dirname(os.path.abspath(__file__))
path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "..", "shared", "datasets", "mnist")

gn.manual_seed(0)
try:
    (x_train, y_train), (x_test, y_test) = load_mnist(path, normalize=True, flatten=True)
except FileNotFoundError as e:  # no folder given and none at the default place: a message, not a traceback
    sys.exit(f"mnist_mlp.py: error: {e}\ngive the folder holding the four MNIST IDX files: "
             "python examples/mnist_mlp.py PATH")

model = Sequential([
    Dense(256, input_shape=(784,), activation="relu"),
    Dense(128, activation="relu"),
    Dense(10, activation="softmax"),
])
model.compile(optimizer=gn.optimizers.Adam(lr=0.001), loss="sparse_categorical_crossentropy", metrics=["acc"])


class EpochTimer(gn.callbacks.Callback):
    def on_epoch_begin(self, epoch, logs=None):
        self.start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        print(f"epoch {epoch + 1}: {time.perf_counter() - self.start:.1f} s, loss {logs['loss']:.4f}, "
              f"acc {logs['acc']:.4f}, val_acc {logs['val_acc']:.4f}", flush=True)


model.fit(x_train, y_train, batch_size=64, epochs=5, validation_data=(x_test, y_test), verbose=0,
          callbacks=[EpochTimer()])
loss, acc = model.evaluate(x_test, y_test, batch_size=1000)
print(f"test accuracy {acc:.4f} (loss {loss:.4f})")
