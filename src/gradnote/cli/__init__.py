"""The `gradnote` command line (also `python -m gradnote`).

    gradnote demo [digits|xor|spiral|mnist PATH]   train a default model, print test accuracy
    gradnote train CONFIG [--set KEY=VALUE ...]     train from a TOML/YAML experiment config (a new run folder)
    gradnote train --resume RUN                     continue an interrupted run bit for bit
    gradnote runs [FOLDER]                          list runs with their best validation metric
    gradnote tune CONFIG --trials N                 hyperparameter search (Optuna, extra [tune]), resumable
    gradnote plot RUN_DIR                           regenerate a run's figures (extra [viz])
    gradnote inspect MODEL_FILE                     print a saved model's summary
    gradnote playground [--port 8000] [--no-browser]  watch a network learn in the browser (extra [playground])
    gradnote course [--port 8001] [--rebuild]       read the course site offline (builds it with extra [docs])

Everything runs after a plain ``pip install gradnote``; tune needs ``gradnote[tune]`` and figures
``gradnote[viz]``, and without them the command says so in one line. Ctrl-C (or SIGTERM) ends
training after the current batch with a checkpoint to resume from; exit status 130 (143 for SIGTERM).
"""

from __future__ import annotations

import argparse
import signal
import sys


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("gradnote")
    except Exception:  # a plain checkout, not installed
        return "unknown (not installed)"


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="gradnote", description="gradnote: train, tune and inspect models.")
    p.add_argument("--version", action="version", version=f"gradnote {_version()}")
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

    overrides = {"metavar": "KEY=VALUE", "action": "append", "default": [],
                 "help": "override a config key, e.g. --set train.epochs=5 --set train.optimizer.lr=0.01 "
                         "(the value is read as TOML)"}
    t = sub.add_parser("train", help="train from an experiment config",
                       description="Train the model a TOML/YAML config describes; writes checkpoint, history "
                                   "(CSV/JSON) and plots into the config's output folder. A folder that holds "
                                   "a run is never replaced: the next free name (runs/x-2, ...) is used.")
    t.add_argument("config", nargs="?", help="path to a .toml, .yaml or .json config")
    t.add_argument("--resume", metavar="RUN", default=None,
                   help="continue the run in this folder from its checkpoint (bit-identical to an "
                        "uninterrupted run; --set train.epochs=N trains it longer)")
    t.add_argument("--output", default=None, help="override the config's output folder")
    t.add_argument("--overwrite", action="store_true", help="replace the run already in the output folder")
    t.add_argument("--set", dest="overrides", **overrides)
    t.add_argument("--quiet", action="store_true", help="no progress bars")

    r = sub.add_parser("runs", help="list run folders with their best metric",
                       description="List the runs (and tune studies) under a folder: status (done, "
                                   "interrupted), epochs, best validation metric, test accuracy.")
    r.add_argument("folder", nargs="?", default="runs")

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
    u.add_argument("--set", dest="overrides", **overrides)

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

    g = sub.add_parser("playground", help="watch a network learn in the browser",
                       description="Serve the playground on http://127.0.0.1:PORT/ and open it: pick a dataset, "
                                   "features, layers and optimiser, press play, and gradnote trains on the server "
                                   "(extra [playground]). Ctrl-C stops the server and every training loop.")
    g.add_argument("--port", type=int, default=8000, help="port on 127.0.0.1 (default: 8000; 0 picks a free one)")
    g.add_argument("--no-browser", action="store_true", help="do not open the page in a browser")

    co = sub.add_parser("course", help="serve the course site (docs/) for offline reading",
                        description="Serve the MkDocs course site on http://127.0.0.1:PORT/ and open it; the site "
                                    "is built first (mkdocs build --strict, extra [docs]) when it is missing.")
    co.add_argument("--port", type=int, default=8001, help="port on 127.0.0.1 (default: 8001; 0 picks a free one)")
    co.add_argument("--rebuild", action="store_true", help="build the site again before serving it")
    co.add_argument("--no-browser", action="store_true", help="do not open the page in a browser")
    return p


def _input_shape(text: str) -> tuple:
    try:
        shape = tuple(int(s) for s in text.split(","))
    except ValueError:
        shape = ()
    if not shape or any(n <= 0 for n in shape):
        raise ValueError(f"--input-shape {text!r}: expected positive integers separated by commas, e.g. 64 or 1,28,28")
    return shape


def _train(args, parser) -> int:
    from .config import load_config
    from .run import resume_config, train_from_config

    if (args.config is None) == (args.resume is None):
        parser.error("train: give a CONFIG, or --resume RUN (not both)")
    if args.resume:
        cfg = resume_config(args.resume, args.overrides)
    else:
        cfg = load_config(args.config, args.overrides)
        if args.output:
            cfg["output"] = args.output
    from .. import distributed

    if distributed.launched_with_several_ranks() and not distributed.is_initialized():
        distributed.init_process_group("mpi")  # mpirun -n N gradnote train CONFIG: data-parallel over the ranks
    main = distributed.is_main_process()  # only rank 0 prints and writes the run folder
    result = train_from_config(cfg, verbose=1 if not args.quiet and main else 0, resume=args.resume,
                               overwrite=args.overwrite, write=main)
    if not main:
        return 0
    if result["interrupted"]:
        print(f"gradnote train: {result['history'].stop_reason}; checkpoint saved: continue with "
              f"gradnote train --resume {result['run_dir']}", file=sys.stderr)
        return 128 + _signal_number(result["history"].stop_reason)
    print(f"test accuracy: {result['test_accuracy']:.2%}  (test loss {result['test_loss']:.4f}, "
          f"trained in {result['seconds']:.1f} s); run folder: {result['run_dir']}")
    return 0


def _signal_number(reason) -> int:
    return signal.SIGTERM if reason and "SIGTERM" in reason else signal.SIGINT


def main(argv=None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    from .optional import MissingExtra

    try:
        if args.command == "demo":
            from .demo import run_demo

            run_demo(args.dataset, args.path, epochs=args.epochs, output=args.output, verbose=not args.quiet)
        elif args.command == "train":
            return _train(args, parser)
        elif args.command == "runs":
            from .run import format_runs, list_runs

            print(format_runs(list_runs(args.folder)))
        elif args.command == "tune":
            from .tune import tune

            study = tune(args.config, trials=args.trials, storage=args.storage, study_name=args.study_name,
                         sampler=args.sampler, output=args.output, overrides=args.overrides)
            if getattr(study, "interrupted_by", None):
                return 128 + study.interrupted_by
        elif args.command == "plot":
            from .run import plot_run

            for path in plot_run(args.run_dir):
                print(path)
        elif args.command == "inspect":
            from .run import inspect_model

            inspect_model(args.model_file, _input_shape(args.input_shape) if args.input_shape else None)
        elif args.command == "playground":
            from ..playground import main as playground

            playground(args.port, open_browser=not args.no_browser)
        elif args.command == "course":
            from .course import serve

            serve(args.port, rebuild=args.rebuild, open_browser=not args.no_browser)
    except (ValueError, OSError, MissingExtra) as e:  # bad input, a path, a missing extra: one line, exit 2
        print(f"gradnote {args.command}: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:  # a second Ctrl-C, or one outside training
        print(f"gradnote {args.command}: interrupted", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
