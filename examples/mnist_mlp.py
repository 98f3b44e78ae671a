"""MLP 784-256-128-10 on MNIST: >= 97.5% test accuracy in 5 epochs, printing the time per epoch.

    python examples/mnist_mlp.py [MNIST_DIR] [--epochs 5] [--subset N] [--figure PNG]

MNIST_DIR holds the four IDX files (default ../shared/datasets/mnist beside the repository). The figure
(examples/figures/mnist_mlp.png) draws loss and accuracy per epoch on the training and test images
beside the test confusion matrix: which digits the MLP still takes for which.
--subset N trains and tests on the first N images of each split (a quick run).
"""

import argparse
import time
from pathlib import Path

import gradnote as gn
from gradnote import viz
from gradnote.data.datasets import load_mnist
from gradnote.layers import Dense
from gradnote.models import Sequential
from gradnote.viz import save_figure

HERE = Path(__file__).resolve().parent
DEFAULT_DIR = str(HERE.parents[1] / "shared" / "datasets" / "mnist")


class EpochTimer(gn.callbacks.Callback):
    def on_epoch_begin(self, epoch, logs=None):
        self.start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        print(f"epoch {epoch + 1}: {time.perf_counter() - self.start:.1f} s, loss {logs['loss']:.4f}, "
              f"acc {logs['acc']:.4f}, val_acc {logs['val_acc']:.4f}", flush=True)


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", default=DEFAULT_DIR, help="folder with the MNIST IDX files")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--subset", type=int, default=None, help="use only the first N images of each split")
    parser.add_argument("--figure", default=str(HERE / "figures" / "mnist_mlp.png"), help="where to save the figure (PNG)")
    args = parser.parse_args(argv)
    if args.subset is not None and args.subset < 1:
        parser.error(f"--subset must be a positive number of images, got {args.subset}")

    gn.manual_seed(0)
    try:
        (x_train, y_train), (x_test, y_test) = load_mnist(args.path, normalize=True, flatten=True)
    except FileNotFoundError as e:  # no folder given and none at the default place: a message, not a traceback
        name = Path(__file__).name
        parser.exit(2, f"{name}: error: {e} (give the folder holding the four MNIST IDX files: python examples/{name} PATH)\n")
    x_train, y_train, x_test, y_test = x_train[:args.subset], y_train[:args.subset], x_test[:args.subset], y_test[:args.subset]

    model = Sequential([
        Dense(256, input_shape=(784,), activation="relu"),
        Dense(128, activation="relu"),
        Dense(10, activation="softmax"),
    ])
    model.compile(optimizer=gn.optimizers.Adam(lr=0.001), loss="sparse_categorical_crossentropy", metrics=["acc"])
    history = model.fit(x_train, y_train, batch_size=64, epochs=args.epochs, validation_data=(x_test, y_test),
                        verbose=0, callbacks=[EpochTimer()])
    loss, acc = model.evaluate(x_test, y_test, batch_size=1000)
    confusion = gn.metrics.confusion_matrix(y_test, model.predict(x_test, batch_size=1000), num_classes=10)
    print(f"test accuracy {acc:.4f} (loss {loss:.4f})")
    print("confusion matrix (rows: true digit, columns: predicted):\n", confusion)
    save_figure(lambda path: viz.plot_history(history, path=path, confusion=confusion), args.figure)
    return {"accuracy": acc, "loss": loss, "history": history.history, "confusion": confusion}


if __name__ == "__main__":
    main()
