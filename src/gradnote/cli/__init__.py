"""The `gradnote` command line (also `python -m gradnote`).

    gradnote demo [digits|xor|spiral|mnist PATH]   train a default model, print test accuracy
    gradnote train CONFIG                           train from a TOML/YAML experiment config
    gradnote tune CONFIG --trials N                 hyperparameter search (Optuna), resumable
    gradnote plot RUN_DIR                           regenerate a run's figures
    gradnote inspect MODEL_FILE                     print a saved model's summary
"""

from __future__ import annotations

import argparse
import sys


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="gradnote", description="gradnote: train, tune and inspect models.")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    d = sub.add_parser("demo", help="train a default model and print its test accuracy",
                       description="Train a sensible default model with a progress bar and print test accuracy. "
                                   "With no argument it uses the handwritten digits built into the package.")
    d.add_argument("dataset", nargs="?", default="digits", choices=["digits", "xor", "spiral", "mnist"])
    d.add_argument("path", nargs="?", help="folder with the MNIST IDX files (mnist only)")
    d.add_argument("--epochs", type=int, default=None, help="override the demo's number of epochs")
    d.add_argument("--output", default=None, help="run folder to write (default: none)")
    d.add_argument("--quiet", action="store_true", help="no progress bars")

    t = sub.add_parser("train", help="train from an experiment config",
                       description="Train the model a TOML/YAML config describes; writes checkpoint, history "
                                   "(CSV/JSON) and plots into the config's output folder.")
    t.add_argument("config", help="path to a .toml, .yaml or .json config")
    t.add_argument("--output", default=None, help="override the config's output folder")
    t.add_argument("--quiet", action="store_true", help="no progress bars")

    u = sub.add_parser("tune", help="hyperparameter search over the config's [tune] ranges",
                       description="Optuna search (TPE by default) over the ranges in the config's [tune.space]; "
                                   "poor trials are pruned from their per-epoch validation metric. The study "
                                   "lives in SQLite, so running again resumes it, and several processes given "
                                   "the same --storage URL work on one study.")
    u.add_argument("config")
    u.add_argument("--trials", type=int, required=True, help="total number of finished trials wanted in the study")
    u.add_argument("--storage", default=None, help="Optuna storage URL (default: sqlite:///<output>/study.db)")
    u.add_argument("--study-name", default=None, help="study name (default: from the config, else its file name)")
    u.add_argument("--sampler", choices=["tpe", "random", "grid"], default=None, help="override tune.sampler")
    u.add_argument("--output", default=None, help="override the config's output folder")

    pl = sub.add_parser("plot", help="regenerate the figures of a run folder",
                        description="Redraw learning curves, learning-rate schedule, confusion matrix and (for "
                                    "2-D data) the decision boundary from the files a run wrote.")
    pl.add_argument("run_dir")

    i = sub.add_parser("inspect", help="print a saved model's summary",
                       description="Load a model file written by gn.save (no code is executed) and print its "
                                   "layers, output shapes and parameter counts; for a state dict, optimiser "
                                   "state or checkpoint, list its arrays (name, dtype, shape) and values.")
    i.add_argument("model_file")
    i.add_argument("--input-shape", default=None,
                   help="input shape without the batch axis, e.g. 64 or 1,28,28, to show output shapes")
    return p


def main(argv=None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "demo":
            from .demo import run_demo

            run_demo(args.dataset, args.path, epochs=args.epochs, output=args.output, verbose=not args.quiet)
        elif args.command == "train":
            from .config import load_config
            from .run import train_from_config

            cfg = load_config(args.config)
            if args.output:
                cfg["output"] = args.output
            result = train_from_config(cfg, verbose=1 if not args.quiet else 0)
            print(f"test accuracy: {result['test_accuracy']:.2%}  (test loss {result['test_loss']:.4f}, "
                  f"trained in {result['seconds']:.1f} s); run folder: {result['run_dir']}")
        elif args.command == "tune":
            from .tune import tune

            tune(args.config, trials=args.trials, storage=args.storage, study_name=args.study_name,
                 sampler=args.sampler, output=args.output)
        elif args.command == "plot":
            from .run import plot_run

            for path in plot_run(args.run_dir):
                print(path)
        elif args.command == "inspect":
            from .run import inspect_model

            shape = tuple(int(s) for s in args.input_shape.split(",")) if args.input_shape else None
            inspect_model(args.model_file, shape)
    except (ValueError, OSError) as e:  # bad input or an unreadable/unwritable path: a message, exit 2
        print(f"gradnote {args.command}: error: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
