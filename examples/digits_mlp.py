"""An MLP on the built-in UCI 8x8 digits (1,797 images, shipped with gradnote): >= 95% test accuracy in seconds.

    python examples/digits_mlp.py [FIGURE.png]      (learning curves; default examples/figures/digits_mlp.png)
"""

import sys
import time
from pathlib import Path

import gradnote as gn
from gradnote.data import train_test_split
from gradnote.data.datasets import load_digits
from gradnote.layers import Dense, Dropout
from gradnote.models import Sequential

gn.manual_seed(0)
x, y = load_digits(normalize=True)
x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=0.25, stratify=y, seed=0)

model = Sequential([
    Dense(128, input_shape=(64,), activation="relu"),
    Dropout(0.2),
    Dense(64, activation="relu"),
    Dense(10, activation="softmax"),
])
model.compile(optimizer=gn.optimizers.Adam(lr=0.003), loss="sparse_categorical_crossentropy", metrics=["acc"])
model.summary()

start = time.perf_counter()
history = model.fit(x_train, y_train, batch_size=32, epochs=30, validation_split=0.1, verbose=2,
                    callbacks=[gn.callbacks.EarlyStopping(monitor="val_loss", patience=5, restore_best_weights=True)])
seconds = time.perf_counter() - start
loss, acc = model.evaluate(x_test, y_test)
print(f"test accuracy {acc:.4f} (loss {loss:.4f}) after {seconds:.1f} s of training")
print("confusion matrix:\n", gn.metrics.confusion_matrix(y_test, model.predict(x_test), num_classes=10))
figure = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parent / "figures" / "digits_mlp.png")
try:  # the learning curves: where validation loss turns up, EarlyStopping stops
    gn.viz.plot_history(history, path=figure)
    print(f"figure: {figure}")
except ImportError as e:
    print(f"figure skipped: {e}")
