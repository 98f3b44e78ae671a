"""One registry per family of names, one get(identifier), used by compile, the command line and model loading."""

import ast
from pathlib import Path

import numpy as np
import pytest

import gradnote as gn
from gradnote import callbacks, nn
from gradnote.cli import config as cli_config
from gradnote.cli import run as cli_run
from gradnote.io import architecture
from gradnote.io.registry import Registry
from gradnote.keras import activations, optimizers
from gradnote.train import losses, schedules

SRC = Path(__file__).resolve().parents[1] / "src" / "gradnote"


def test_registry_names_aliases_configs_and_errors():
    reg = Registry("thing")
    reg.register("double", lambda k=2: ("double", k), aliases=("Twice",))
    assert reg.get("TWICE") == ("double", 2)
    assert reg.get({"name": "double", "k": 3}) == ("double", 3)
    assert reg.get({"class_name": "Twice", "config": {"k": 4}}) == ("double", 4)
    fn = lambda: None  # noqa: E731
    assert reg.get(fn) is fn
    assert reg.names() == ["double"] and reg.names(aliases=True) == ["double", "Twice"]
    with pytest.raises(ValueError, match=r"unknown thing 'triple'; valid names: double"):
        reg.get("triple")
    with pytest.raises(ValueError, match="already the name of 'double'"):
        reg.register("other", 1, aliases=("twice",))
    with pytest.raises(TypeError, match="thing: expected a name"):
        reg.get(3)
    with pytest.raises(ValueError, match="needs 'class_name'"):
        reg.get({"k": 1})


def test_lazy_entries_load_on_first_use():
    calls = []
    reg = Registry("thing")
    reg.register("late", lambda: calls.append(1) or dict, lazy=True)
    assert calls == []
    assert reg.get({"name": "late", "a": 1}) == {"a": 1} and reg.get("late") == {}
    assert calls == [1]


@pytest.mark.parametrize("family, name, check", [
    ("activation", "relu", lambda f: f(gn.tensor([-1.0, 2.0])).tolist() == [0.0, 2.0]),
    ("optimizer", {"class_name": "Adam", "config": {"lr": 0.5}}, lambda o: o.lr == 0.5),
    ("loss", {"class_name": "CategoricalCrossentropy", "config": {"from_logits": True}},
     lambda lo: lo.key == "categorical_crossentropy" and lo.options == {"from_logits": True}),
    ("loss", "cross_entropy", lambda lo: isinstance(lo, nn.CrossEntropyLoss)),
    ("metric", "acc", lambda m: m.name == "acc"),
    ("callback", {"name": "EarlyStopping", "patience": 3}, lambda c: c.patience == 3),
])
def test_each_family_gets_names_and_configs(family, name, check):
    assert check(cli_config.registries()[family].get(name))


def test_instances_and_callables_pass_through():
    opt = gn.optim.SGD([nn.Parameter(gn.zeros(2))], lr=0.1)
    stop = callbacks.EarlyStopping()
    assert optimizers.get(opt) is opt and callbacks.get(stop) is stop
    assert activations.get(np.tanh) is np.tanh and activations.get(None)(3) == 3
    sched = schedules.get({"name": "StepLR", "step_size": 2}, opt)
    assert schedules.get(sched) is sched and sched.step_size == 2
    with pytest.raises(TypeError, match="pass optimizer="):
        schedules.get("StepLR")


def test_compile_cli_and_loading_share_the_registries():
    """A name registered once is known to compile, to config validation and to model loading."""
    losses.LOSSES.register("half_mse", losses.mean_squared_error)
    try:
        cfg = cli_config.validate({"model": {"type": "mlp"}, "train": {"loss": "half_mse"}})
        assert cfg["train"]["loss"] == "half_mse"
        model = gn.keras.Sequential([gn.keras.layers.Dense(1, input_shape=(2,))])
        model.compile("sgd", "half_mse")
        assert model.evaluate(np.zeros((4, 2), np.float32), np.zeros((4, 1), np.float32)) == 0.0
    finally:
        losses.LOSSES._entries.pop("half_mse")
        losses.LOSSES._names.pop("half_mse")
    assert isinstance(cli_run.build_optimizer({"name": "adam", "lr": 0.01}, [nn.Parameter(gn.zeros(1))]),
                      optimizers.Adam)
    assert type(architecture.get("ReLU")) is nn.ReLU
    assert isinstance(architecture.get({"class_name": "Dense", "config": {"units": 2}}), gn.layers.Dense)
    assert type(architecture.get({"class_name": "Dropout", "config": {"p": 0.2}})) is nn.Dropout
    assert type(architecture.get({"class_name": "gradnote.layers.Dropout", "config": {"rate": 0.2}})) \
        is gn.layers.Dropout


def test_file_callbacks_say_where_their_path_goes(tmp_path):
    assert callbacks.CALLBACKS.meta("CSVLogger")["path_argument"] == "filename"
    assert callbacks.CALLBACKS.meta("TensorBoard")["requires"][0] == "tensorboardX"
    out = cli_run.build_callbacks([{"name": "CSVLogger"}, {"name": "earlystopping"}], tmp_path)
    assert out[0].filename == str(tmp_path / "log.csv") and isinstance(out[1], callbacks.EarlyStopping)


def _families():
    regs = cli_config.registries()
    return {family: {n.lower() for n in reg.names(aliases=True)} for family, reg in regs.items()}


# Owned elsewhere and reported: the playground's code generator and session map names to generated code
# and to its own widget choices.
ELSEWHERE = {"playground/codegen.py", "playground/session.py"}


def test_no_copies_of_a_name_table():
    """No dict literal outside the registries maps two or more names of one family to something."""
    families = _families()
    found = []
    for path in SRC.rglob("*.py"):
        rel = path.relative_to(SRC).as_posix()
        if rel in ELSEWHERE:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Dict):
                continue
            keys = {k.value.lower() for k in node.keys if isinstance(k, ast.Constant) and isinstance(k.value, str)}
            for family, names in families.items():
                if len(keys & names) >= 2:
                    found.append(f"{rel}:{node.lineno} ({family}: {sorted(keys & names)})")
    assert not found, "name tables outside the registries: " + "; ".join(found)
