"""`gradnote demo`: a sensible default model for each built-in dataset, trained with a progress bar."""

from __future__ import annotations

from .config import validate
from .run import train_from_config

DEMOS = {
    "digits": {"data": {"name": "digits", "test_size": 0.2, "validation_split": 0.1},
               "model": {"type": "mlp", "hidden_units": 128, "num_layers": 2, "activation": "relu"},
               "train": {"optimizer": {"name": "adam", "lr": 1e-3}, "batch_size": 32, "epochs": 15}},
    "xor": {"data": {"name": "xor", "n": 400, "noise": 0.15, "test_size": 0.25, "validation_split": 0.0, "scale": "none"},
            "model": {"type": "mlp", "hidden_units": 8, "num_layers": 1, "activation": "tanh"},
            "train": {"optimizer": {"name": "adam", "lr": 0.05}, "batch_size": 32, "epochs": 60}},
    "spiral": {"data": {"name": "spiral", "test_size": 0.2, "validation_split": 0.1},
               "model": {"type": "mlp", "hidden_units": 64, "num_layers": 2, "activation": "relu"},
               "train": {"optimizer": {"name": "adam", "lr": 1e-2}, "batch_size": 32, "epochs": 60}},
    "mnist": {"data": {"name": "mnist", "test_size": 0.0, "validation_split": 0.1, "scale": "none"},
              "model": {"type": "mlp", "hidden_units": 256, "num_layers": 2, "activation": "relu"},
              "train": {"optimizer": {"name": "adam", "lr": 1e-3}, "batch_size": 128, "epochs": 5}},
}


def run_demo(dataset: str = "digits", path=None, epochs=None, output=None, verbose: bool = True) -> dict:
    """Train the demo model for `dataset` and print its test accuracy; returns the run's result dict."""
    if dataset not in DEMOS:
        raise ValueError(f"demo: unknown dataset {dataset!r}; allowed: {', '.join(DEMOS)}")
    cfg = {"seed": 0, **{k: dict(v) for k, v in DEMOS[dataset].items()}}
    cfg["data"] = dict(cfg["data"])
    if dataset == "mnist":
        if not path:
            raise ValueError("demo mnist: give the folder holding the MNIST IDX files, e.g. gradnote demo mnist ./mnist")
        cfg["data"]["path"] = str(path)
    if epochs is not None:
        cfg["train"] = {**cfg["train"], "epochs": int(epochs)}
    if output:
        cfg["output"] = str(output)
    cfg = validate(cfg)
    print(f"gradnote demo: {dataset} — model {cfg['model']}, optimizer {cfg['train']['optimizer']}")
    result = train_from_config(cfg, verbose=1 if verbose else 0, write=output is not None)
    print(f"test accuracy: {result['test_accuracy']:.2%}  (test loss {result['test_loss']:.4f}, "
          f"trained in {result['seconds']:.1f} s)")
    return result
