"""Layering is one way: no module imports from a package above its own (not even inside a function).

The order, lowest first (a module may import from its own level or any lower one):

    0  autograd, backend, backends,        the Tensor core and its devices; io.container is the
       random, device, cuda, accelerator,  low-level file format (knows no layers); cpu is the thread
       io.container, cpu, distributed      policy of the kernels; distributed the process group (arrays only)
       kernels                             kernels: the optional compiled (numba) loops
       amp, compiling, jit, hub, func,     torch's switches and transforms over the Tensor core
       determinism, dtype_info
    1  functional, distributions           ops, each forward beside its backward; torch.distributions
    2  nn, models.lenet, models.gpt        modules over the ops (LeNet-5 and the GPT are plain nn models)
    3  optim
    4  io                                  model (de)serialisation over nn, gn.save / gn.load
    5  data, utils                         datasets, loaders, shards on disk (gradnote.utils.data: torch's path)
    6  train                               the fit loop, callbacks, metrics, Keras-named losses
    7  viz                                 plots; viz.tensorboard is a train callback
    8  keras, layers, optimizers,          the Keras spelling (the top-level shims are its old paths)
       callbacks, metrics
    9  models                              gradnote.models.Sequential is keras.Sequential's old path
   10  cli, playground, __main__,          the root is the facade (lazily re-exports everything); only the
       gradnote (root)                     CLI, at the top, may `import gradnote as gn`

Imports are read with `ast` from every module under src/gradnote: module-level and inside
functions, relative and absolute. Strings handed to importlib are not imports and are not seen.
"""

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "gradnote"

LEVELS = {
    "autograd": 0, "backend": 0, "backends": 0, "random": 0, "device": 0, "cuda": 0, "accelerator": 0,
    "io.container": 0, "cpu": 0, "distributed": 0, "kernels": 0,
    "amp": 0, "compiling": 0, "determinism": 0, "dtype_info": 0, "func": 0, "hub": 0, "jit": 0,
    "functional": 1, "distributions": 1,
    "nn": 2, "models.lenet": 2, "models.gpt": 2,
    "optim": 3,
    "io": 4,
    "data": 5, "utils": 5,
    "train": 6,
    "viz": 7,
    "keras": 8, "layers": 8, "optimizers": 8, "callbacks": 8, "metrics": 8,
    "models": 9,
    "cli": 10, "playground": 10, "__main__": 10, "": 10,
}


def _module_name(path: Path) -> str:
    parts = path.relative_to(SRC).with_suffix("").parts
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def level(name: str) -> int:
    """Level of a module inside gradnote ("" is the root), by its longest listed prefix."""
    parts = name.split(".") if name else []
    for n in range(len(parts), -1, -1):
        key = ".".join(parts[:n])
        if key in LEVELS:
            return LEVELS[key]
    raise KeyError(name)


def _is_package(path: Path) -> bool:
    return path.name == "__init__.py"


def _targets(path: Path):
    return _imports(_module_name(path), _is_package(path), path.read_text(encoding="utf-8"))


def _imports(name: str, is_package: bool, source: str):
    """(line, imported module inside gradnote) for every import in the source of module `name`."""
    package = (name.split(".") if is_package else name.split(".")[:-1]) if name else []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == "gradnote" or alias.name.startswith("gradnote."):
                    yield node.lineno, alias.name[len("gradnote."):] if "." in alias.name else ""
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[:len(package) - node.level + 1] if node.level > 1 else package
                mod = ".".join([*base, *(node.module.split(".") if node.module else [])])
            elif node.module and (node.module == "gradnote" or node.module.startswith("gradnote.")):
                mod = node.module[len("gradnote."):] if "." in node.module else ""
            else:
                continue
            for alias in node.names:  # `from . import nn` imports the submodule gradnote.nn
                sub = f"{mod}.{alias.name}" if mod else alias.name
                is_module = (SRC / Path(*sub.split("."))).with_suffix(".py").exists() or \
                    (SRC / Path(*sub.split(".")) / "__init__.py").exists()
                yield node.lineno, sub if is_module else mod


FILES = sorted(SRC.rglob("*.py"))


def test_the_order_covers_every_module():
    for path in FILES:
        level(_module_name(path))  # raises KeyError for a module outside the order


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(SRC)))
def test_no_import_goes_up(path):
    name = _module_name(path)
    own = level(name)
    bad = [f"line {line}: imports gradnote.{target or ''} (level {level(target)})"
           for line, target in _targets(path) if level(target) > own]
    assert not bad, f"gradnote.{name} (level {own}) imports from a higher layer: " + "; ".join(bad)


def test_the_checker_sees_imports_inside_functions_and_relative_ones():
    src = ("from .module import Module\nfrom .. import functional as F\n"
           "def f():\n    from ..train import loop\n    import gradnote.cli\n    from . import init\n")
    found = sorted(t for _, t in _imports("nn.containers", False, src))
    assert found == ["cli", "functional", "nn.init", "nn.module", "train.loop"]
    assert [t for t in found if level(t) > level("nn.containers")] == ["cli", "train.loop"]
