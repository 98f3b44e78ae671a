"""Keras's models: ``Model`` (functional or subclassed) and ``Sequential``, trained by gradnote.keras.training.

    model = keras.Sequential([keras.Input(shape=(4,)), layers.Dense(8, activation="relu"), layers.Dense(3)])
    inputs = keras.Input(shape=(4,)); outputs = layers.Dense(3)(layers.Dense(8)(inputs))
    model = keras.Model(inputs, outputs)                         # functional: a graph of layer calls
    class MyModel(keras.Model):                                  # subclassing: define call()
        def __init__(self): super().__init__(); self.dense = layers.Dense(3)
        def call(self, x): return self.dense(x)

Every model is a gradnote Module (parameters, state_dict, train/eval), with Keras's compile / fit /
evaluate / predict, layers / get_layer / count_params / get_weights / set_weights / summary and
save / save_weights / load_weights (gradnote's safe file format).
"""

from __future__ import annotations

import numpy as np

from .. import nn
from ..autograd import Tensor, no_grad
from ..models.lenet import LeNet5
from . import losses, optimizers, training
from .cloning import clone_model, model_from_json, model_to_json  # noqa: F401  (keras.models' names)
from .graph import EXAMPLE_LENGTHS, InputLayer, KerasTensor, Layer, TensorOp, holds_strings, nodes_between, saved_dtype
from .graph import weight_count as _weight_count

__all__ = ["LeNet5", "Model", "Sequential", "TensorOp", "clone_model", "load_model", "model_from_json",
           "model_to_json"]  # TensorOp: saved graphs rebuild it


class Model(Layer, nn.Module):
    """A Keras model: Model(inputs, outputs) over a graph of layer calls, or a subclass defining call().

    >>> inputs = gn.keras.Input(shape=(3,)); model = Model(inputs, gn.keras.layers.Dense(2)(inputs))
    >>> model(gn.ones(4, 3)).shape
    (4, 2)
    """

    def __init__(self, inputs=None, outputs=None, name: str | None = None, **kwargs):
        self.__dict__["_graph"] = None
        Layer.__init__(self, name=name, **kwargs)  # a subclass's super().__init__(**kwargs): name, trainable...
        if inputs is None and outputs is None:
            return
        if inputs is None or outputs is None:
            raise ValueError("Model: pass both inputs and outputs (keras.Input tensors and layer calls on them)")
        # dicts of inputs / outputs are their values in key order; calls then take and give dicts
        self.__dict__["_keys"] = (list(inputs) if isinstance(inputs, dict) else None,
                                  list(outputs) if isinstance(outputs, dict) else None)
        inputs = list(inputs.values()) if isinstance(inputs, dict) else inputs
        outputs = list(outputs.values()) if isinstance(outputs, dict) else outputs
        ins = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
        outs = list(outputs) if isinstance(outputs, (list, tuple)) else [outputs]
        for t in ins + outs:
            if not isinstance(t, KerasTensor):
                raise TypeError(f"Model: inputs and outputs must be KerasTensors (from keras.Input and layer "
                                f"calls), got {type(t).__name__}")
        nodes = nodes_between(ins, outs)
        for t in nodes:
            if t.layer not in self._modules.values():
                self.add_module(t.layer.name, t.layer)
        self.__dict__["_graph"] = (ins, outs, nodes, isinstance(outputs, (list, tuple)))

    # ----- calling --------------------------------------------------------------------------------
    def forward(self, *args, **kwargs):
        if self._graph is None:  # subclassed: Keras's call protocol (build once, training filled in)
            return Layer.forward(self, *args, **kwargs)
        ins, outs, nodes, many = self._graph
        in_keys, out_keys = self.__dict__.get("_keys", (None, None))
        if len(args) == 1 and isinstance(args[0], dict):
            names = in_keys or [t.name for t in ins]
            missing = [k for k in names if k not in args[0]]
            if missing:
                raise ValueError(f"{self.name}: the input dict lacks {missing}; the model's inputs are {names}")
            args = ([args[0][k] for k in names],)
        xs = list(args[0]) if len(args) == 1 and isinstance(args[0], (list, tuple)) and len(ins) > 1 else list(args)
        if len(xs) != len(ins):
            raise ValueError(f"{self.name}: expected {len(ins)} inputs, got {len(xs)}")
        # strings stay NumPy arrays (Tensors hold numbers): the model's TextVectorization takes them
        values = {id(k): _adjust_rank(k, v if isinstance(v, Tensor) else np.asarray(v, dtype=object) if holds_strings(v) else
                                      Tensor(v)) for k, v in zip(ins, xs)}
        calls: dict = {}
        for t in nodes:
            key = (id(t.layer), id(t.inputs))
            if key not in calls:  # a layer with several outputs runs once
                calls[key] = t.layer(*_resolve(t.inputs, values), **dict(zip(t.kwargs, _resolve(
                    t.kwargs.values(), values))))
            out = calls[key]
            values[id(t)] = out[t.index] if t.index is not None else out
        results = [values[id(t)] for t in outs]
        if out_keys is not None:
            return dict(zip(out_keys, results))
        return results if many else results[0]

    takes_strings = True  # its layers check their own inputs (a string Input feeds a TextVectorization)

    @property
    def _keras_style(self) -> bool:
        return self._graph is None and type(self).call is not Model.call

    def call(self, inputs, training=None):
        raise NotImplementedError(f"{type(self).__name__}: a subclassed Model defines call(inputs), or build one "
                                  "as Model(inputs, outputs)")

    # ----- Keras's model surface ------------------------------------------------------------------
    @property
    def layers(self) -> list:
        """The model's layers; a functional model lists an InputLayer per Input first, as Keras counts them
        (model.layers[2] of a two-input model is its first layer call)."""
        if self._graph is None:
            return list(self.children())
        if "_input_layers" not in self.__dict__:
            self.__dict__["_input_layers"] = [InputLayer(t) for t in self._graph[0]]
        return [*self.__dict__["_input_layers"], *self.children()]

    @property
    def inputs(self) -> list:
        """A functional model's Input tensors (a list)."""
        return list(self._functional("inputs")[0])

    @property
    def outputs(self) -> list:
        """A functional model's output tensors (a list)."""
        return list(self._functional("outputs")[1])

    @property
    def input(self):
        """The Input tensor, or the list of them for several inputs (Keras's model.input)."""
        ins = self.inputs
        return ins[0] if len(ins) == 1 else ins

    @property
    def output(self):
        """The output tensor, or the list of them for several outputs."""
        graph = self._functional("output")
        return graph[1][0] if not graph[3] and self.__dict__.get("_keys", (None, None))[1] is None else list(graph[1])

    def _functional(self, what: str):
        if self._graph is None:
            if self.__dict__.get("_input_dtype") is not None:  # a Sequential that starts with keras.Input
                raise AttributeError(f"{self.name}.{what}: a Sequential has no symbolic {what}; build it as "
                                     "keras.Model(inputs, outputs) to use them")
            raise AttributeError(f"{self.name}.{what}: only a functional model (keras.Model(inputs, outputs)) has "
                                 f"symbolic {what}")
        return self._graph

    def get_layer(self, name: str | None = None, index: int | None = None):
        """The layer called `name` (or at position `index`)."""
        if index is not None:
            return self.layers[index]
        for layer in self.layers:  # Keras finds InputLayers by name too
            if getattr(layer, "name", None) == name:
                return layer
        raise ValueError(f"{self.name}.get_layer: no layer named {name!r}; layers: "
                         f"{[getattr(m, 'name', type(m).__name__) for m in self.layers]}")

    def compile(self, optimizer="rmsprop", loss=None, metrics=None, loss_weights=None, weighted_metrics=None,
                run_eagerly=None, steps_per_execution=1, jit_compile="auto", auto_scale_loss=True) -> None:
        """Set optimizer (name or object), loss (name, Loss or callable; a list or dict of them for several
        outputs), metrics, loss_weights and weighted_metrics for fit (see gradnote.keras.training.compile).

        Keras's execution options are accepted and change nothing here (gradnote always runs eagerly, one
        batch per step): run_eagerly, steps_per_execution, jit_compile, auto_scale_loss."""
        if not isinstance(steps_per_execution, int) or isinstance(steps_per_execution, bool) or \
                steps_per_execution < 1:
            raise ValueError(f"{self.name}.compile: steps_per_execution must be a positive int, got "
                             f"{steps_per_execution!r}")
        training.compile(self, optimizer=optimizer, loss=loss, metrics=metrics, loss_weights=loss_weights,
                         weighted_metrics=weighted_metrics)

    def fit(self, x=None, y=None, batch_size=32, epochs: int = 1, verbose=1, callbacks=None,
            validation_split: float = 0.0, validation_data=None, shuffle: bool = True, class_weight=None,
            sample_weight=None, initial_epoch: int = 0, steps_per_epoch=None, validation_steps=None,
            validation_batch_size=None, resume=None):
        """Train on arrays or a DataLoader / generator; returns a History (see gradnote.keras.training.fit)."""
        return training.fit(self, x, y, batch_size=batch_size, epochs=epochs, verbose=verbose, callbacks=callbacks,
                            validation_split=validation_split, validation_data=validation_data, shuffle=shuffle,
                            class_weight=class_weight, sample_weight=sample_weight, initial_epoch=initial_epoch,
                            steps_per_epoch=steps_per_epoch, validation_steps=validation_steps,
                            validation_batch_size=validation_batch_size, resume=resume)

    def evaluate(self, x=None, y=None, batch_size=32, verbose: int = 0, sample_weight=None, steps=None,
                 return_dict: bool = False):
        """Loss, or [loss, *metrics] (a dict with return_dict), on x, y or a batch source, in eval mode."""
        return training.evaluate(self, x, y, batch_size=batch_size, verbose=verbose, sample_weight=sample_weight,
                                 steps=steps, return_dict=return_dict)

    def predict(self, x, batch_size=32, verbose: int = 0, steps=None):
        """Model outputs for x (array or batch source) as an ndarray, batched, in eval mode, without a graph."""
        return training.predict(self, x, batch_size=batch_size, verbose=verbose, steps=steps)

    def train_on_batch(self, x, y=None, sample_weight=None, class_weight=None, return_dict: bool = False):
        """One update on the batch x, y; its loss (and metrics: a list, or a dict with return_dict)."""
        return training.train_on_batch(self, x, y, sample_weight=sample_weight, class_weight=class_weight,
                                       return_dict=return_dict)

    def test_on_batch(self, x, y=None, sample_weight=None, return_dict: bool = False):
        """Loss (and metrics) of the batch x, y in eval mode, without an update."""
        return training.test_on_batch(self, x, y, sample_weight=sample_weight, return_dict=return_dict)

    def predict_on_batch(self, x):
        """The model's outputs for one batch x as ndarrays, in eval mode."""
        return training.predict_on_batch(self, x)

    def summary(self, line_length: int = 65, positions=None, print_fn=None, expand_nested: bool = False,
                show_trainable: bool = False) -> None:
        """Print Keras's table of layers, output shapes and parameter counts (print_fn(line) per line, default
        print). The shapes come from one eval-mode pass on zeros of the model's input shape (a functional
        model's Inputs, an Input / input_shape given to a Sequential, or the shape of the last call)."""
        print_fn = print if print_fn is None else print_fn
        rows = self._summary_rows()
        w = [max(29, 2 + max(len(f"{r[0]} ({r[1]})") for r in rows)), max(26, 2 + max(len(r[2]) for r in rows))]
        line_length = max(line_length, w[0] + w[1] + 10)
        fmt = lambda a, b, c: f" {a:<{w[0] - 1}}{b:<{w[1]}}{c}"  # noqa: E731
        lines = [f'Model: "{self.name}"', "_" * line_length, fmt("Layer (type)", "Output Shape", "Param #"),
                 "=" * line_length]
        for i, (name, kind, shape, n) in enumerate(rows):
            lines.append(fmt(f"{name} ({kind})", shape, f"{n:,}"))
            lines.append("_" * line_length if i < len(rows) - 1 else "=" * line_length)
        trainable = sum(p.data.size for p in self.parameters() if p.requires_grad)
        total = _weight_count(self)
        lines += [f"Total params: {total:,}", f"Trainable params: {trainable:,}",
                  f"Non-trainable params: {total - trainable:,}", "_" * line_length]
        for line in lines:
            print_fn(line)

    def _summary_rows(self) -> list:
        shapes: dict = {}
        if self._graph is not None:
            ins, _, nodes, _ = self._graph
            rows = [(t.name or f"input_layer{'_' + str(i) if i else ''}", "InputLayer", str(t.shape), 0)
                    for i, t in enumerate(ins)]
            for t in nodes:
                shapes.setdefault(id(t.layer), []).append(str(t.shape))
            done = set()
            for t in nodes:
                if id(t.layer) in done:
                    continue
                done.add(id(t.layer))
                shape = shapes[id(t.layer)]
                rows.append((t.layer.name, type(t.layer).__name__, shape[0] if len(shape) == 1 else
                             "[" + ", ".join(shape) + "]", _weight_count(t.layer)))
            return rows
        example = self._example_input()
        if example is not None:
            def record(mod, inp, out):
                shapes[id(mod)] = _shape(out)

            handles = [m.register_forward_hook(record) for m in self.layers]
            was = self.training
            self.eval()
            try:
                with no_grad():
                    self(example)
            finally:
                for h in handles:
                    h.remove()
                self.train(was)
        elif any(getattr(m, "built", True) is False for m in self.modules()):
            raise ValueError(f"{self.name}.summary: this model has not been built yet; give it an input shape "
                             "(keras.Input or input_shape= on the first layer) or call it on data first")
        return [(getattr(m, "name", type(m).__name__), type(m).__name__, shapes.get(id(m), "?"), _weight_count(m))
                for m in self.layers]

    def _example_input(self):
        d = self.__dict__
        shape = d.get("input_shape") or getattr(next(iter(self.children()), None), "input_shape", None)
        if shape:
            first = next(iter(self.children()), None)
            dtype = d.get("_input_dtype") or ("int64" if type(first).__name__ == "Embedding" else "float32")
            return Tensor._wrap(np.zeros((1, *tuple(EXAMPLE_LENGTHS[0] if s is None else s for s in shape)),
                                         dtype=dtype))
        if d.get("_last_input") is not None:
            shape, dtype = d["_last_input"]
            return Tensor._wrap(np.zeros((1, *shape), dtype=dtype))
        return None

    # ----- config, for saving (gradnote.io.architecture calls these) -------------------------------
    def graph_config(self, layer_config) -> dict | None:
        """A functional model's graph as plain data: its layers (layer_config(layer) each), Inputs, the layer
        calls (arguments as tensor numbers: inputs first, then each call's output) and outputs; None for a
        Sequential or subclassed model."""
        if self._graph is None:
            return None
        ins, outs, nodes, many = self._graph
        number = {id(t): i for i, t in enumerate([*ins, *nodes])}

        def ref(a):
            if isinstance(a, KerasTensor):
                return {"tensor": number[id(a)]}
            if isinstance(a, dict):
                return {"dict": {k: ref(v) for k, v in a.items()}}
            return [ref(v) for v in a] if isinstance(a, (list, tuple)) else a

        layers = list({id(t.layer): t.layer for t in nodes}.values())
        return {"name": self.name, "layers": [[layer.name, layer_config(layer)] for layer in layers],
                "inputs": [{"shape": list(t.shape), "dtype": saved_dtype(t.dtype), "name": t.name} for t in ins],
                "calls": [{"layer": t.layer.name, "args": ref(t.inputs), "index": t.index,
                           **({"kwargs": {k: ref(v) for k, v in t.kwargs.items()}} if t.kwargs else {})}
                          for t in nodes],
                "outputs": [number[id(t)] for t in outs], "many": many}

    @classmethod
    def from_graph_config(cls, config: dict, build_layer) -> Model:
        """The functional model graph_config described, its layers made by build_layer(spec) (unweighted)."""
        from .graph import Input

        layers = {}
        for name, spec in config["layers"]:
            layers[name] = build_layer(spec)
            object.__setattr__(layers[name], "name", name)  # the property, not a Module attribute
        tensors = [Input(batch_shape=tuple(t["shape"]), dtype=t["dtype"], name=t["name"]) for t in config["inputs"]]
        made: dict = {}

        def resolve(a):
            if isinstance(a, dict) and "tensor" in a:
                return tensors[a["tensor"]]
            if isinstance(a, dict) and "dict" in a:
                return {k: resolve(v) for k, v in a["dict"].items()}
            return [resolve(v) for v in a] if isinstance(a, list) else a

        for call in config["calls"]:
            args = resolve(call["args"])
            kwargs = {k: resolve(v) for k, v in call.get("kwargs", {}).items()}
            key = (call["layer"], repr(call["args"]), repr(call.get("kwargs")))
            if key not in made:  # a layer with several outputs was called once
                made[key] = layers[call["layer"]](*args, **kwargs)
            out = made[key]
            tensors.append(out[call["index"]] if call["index"] is not None else out)
        inputs = tensors[:len(config["inputs"])]
        outputs = [tensors[i] for i in config["outputs"]]
        return cls(inputs if len(inputs) > 1 else inputs[0], outputs if config["many"] else outputs[0],
                   name=config["name"])

    def get_compile_config(self) -> dict | None:
        """compile's arguments as plain data (registry names and configs; keras.metrics objects as
        {"class_name", "config"}; lists and dicts of them for several outputs), or None when not compiled or
        when something in it has no config (see compile_config_problem)."""
        return self._compile_config()[0]

    def compile_config_problem(self) -> str | None:
        """Why a compiled model's compile config cannot be saved (None when it can or nothing was compiled)."""
        return self._compile_config()[1]

    def _compile_config(self) -> tuple:
        c = self.__dict__.get("_compiled")
        if c is None:
            return None, None
        if not isinstance(c.optimizer, optimizers.Optimizer):
            return None, f"the optimizer is a {type(c.optimizer).__name__}, not a keras.optimizers object"
        problems: list = []

        def plain(v, what):
            if v is None or isinstance(v, (str, int, float)):
                return v
            if isinstance(v, (list, tuple)):
                return [plain(e, what) for e in v]
            if isinstance(v, dict):
                return {k: plain(e, what) for k, e in v.items()}
            if isinstance(v, losses.Loss):
                return {"name": v.name, "reduction": v.reduction, **v.options}
            if what == "metric" and _keras_metric_class(type(v).__name__) is type(v):
                return {"class_name": type(v).__name__, "config": v.get_config()}
            problems.append(f"the {what} {v!r:.60} has no Keras config")
            return None

        config = {"optimizer": {"class_name": type(c.optimizer).__name__, "config": c.optimizer.get_config()},
                  "loss": plain(c.loss, "loss"), "metrics": plain(c.metrics, "metric"),
                  "loss_weights": plain(c.loss_weights, "loss weight"),
                  "weighted_metrics": plain(c.weighted_metrics, "metric")}
        if problems:
            return None, "; ".join(problems)
        return config, None

    def compile_from_config(self, config: dict) -> None:
        """compile again from get_compile_config's data (through the optimizer, loss and metric registries)."""
        def loss(v):
            if isinstance(v, list):
                return [loss(e) for e in v]
            if isinstance(v, dict) and "name" not in v:
                return {k: loss(e) for k, e in v.items()}
            return None if v is None else losses.get(v)

        self.compile(optimizer=optimizers.get(config["optimizer"]), loss=loss(config["loss"]),
                     metrics=_metrics_from_config(config["metrics"]), loss_weights=config.get("loss_weights"),
                     weighted_metrics=_metrics_from_config(config.get("weighted_metrics")))

    def save_weights(self, path) -> None:
        """Write the state dict (safetensors)."""
        from .. import io

        io.save(self.state_dict(), path)

    def load_weights(self, path) -> None:
        """Read weights written by save_weights (or ModelCheckpoint(save_weights_only=True)) into this built
        model. Saved names that differ only by Keras's automatic layer names (dense_4 against dense_6: the same
        architecture built again) are matched in order, as Keras loads weights layer by layer."""
        from .. import io

        saved, own = io.load(path), self.state_dict()
        if set(saved) != set(own) and len(saved) == len(own) and all(
                np.shape(v) == np.shape(w) for v, w in zip(saved.values(), own.values())):
            saved = dict(zip(own, saved.values()))
        self.load_state_dict(saved)

    def save(self, path) -> None:
        """Architecture, weights and compile config in gradnote's safe format (gn.save); read back with
        keras.models.load_model. A compile config that cannot be saved (a custom loss or metric function) is
        left out with a warning naming it: compile the loaded model again."""
        from .. import io

        problem = self.compile_config_problem()
        if problem is not None:
            import warnings

            warnings.warn(f"{self.name}.save: the compile config is not saved ({problem}); the loaded model must "
                          "be compiled again", UserWarning, stacklevel=2)
        io.save(self, path)


def _keras_metric_class(name: str):
    """The keras.metrics class called `name` (the allow-list a saved compile config rebuilds from), or None."""
    from . import metrics as keras_metrics

    cls = getattr(keras_metrics, name, None) if name in keras_metrics.__all__ else None
    return cls if isinstance(cls, type) and issubclass(cls, keras_metrics.Metric) and \
        cls is not keras_metrics.MeanMetricWrapper else None


def _metrics_from_config(v):
    if isinstance(v, list):
        return [_metrics_from_config(e) for e in v]
    if isinstance(v, dict) and "class_name" in v:
        cls = _keras_metric_class(v["class_name"])
        if cls is None:
            raise ValueError(f"compile_from_config: {v['class_name']!r} is not a keras.metrics class")
        return cls(**v["config"])
    if isinstance(v, dict):
        return {k: _metrics_from_config(e) for k, e in v.items()}
    return v


def _shape(out) -> str:
    if isinstance(out, Tensor):
        return str((None, *out.shape[1:]))
    if isinstance(out, (list, tuple)):
        return "[" + ", ".join(_shape(o) for o in out) + "]"
    return "?"


def _adjust_rank(t: KerasTensor, v: Tensor) -> Tensor:
    """Keras's input rank adjustment: a column (N,) for an Input of shape (None, 1) gets its axis, and an
    (N, ..., 1) value for an Input without that last axis loses it (fit(dict_of_columns) of structured data)."""
    if v.ndim == len(t.shape) - 1 and t.shape[-1] == 1:
        return v.reshape(*v.shape, 1)
    if v.ndim == len(t.shape) + 1 and v.shape[-1] == 1:
        return v.reshape(*v.shape[:-1])
    return v


def _resolve(args, values):
    out = []
    for a in args:
        if isinstance(a, KerasTensor):
            out.append(values[id(a)])
        elif isinstance(a, (list, tuple)):
            out.append(type(a)(_resolve(a, values)))
        elif isinstance(a, dict):  # a layer called on a dict of tensors (keras-io's structured-data Classifier)
            out.append(dict(zip(a, _resolve(a.values(), values))))
        else:
            out.append(a)
    return out


class Sequential(Model, nn.Sequential):
    """Keras's Sequential: layers applied in order (an nn.Sequential), with Keras's training methods.

    Sequential([keras.Input(shape=(784,)), Dense(64), ...]) takes the Input's shape as the model's
    input shape (compile then builds every layer), as does input_shape= on the first layer.

    >>> model = Sequential([gn.keras.Input(shape=(3,)), gn.keras.layers.Dense(2)])
    >>> model.predict(np.ones((4, 3), np.float32)).shape
    (4, 2)
    """

    def __init__(self, layers=None, name: str | None = None, trainable: bool = True):
        Model.__init__(self, name=name, trainable=trainable)
        items = list(layers.items()) if hasattr(layers, "items") else list(layers or [])
        if items and isinstance(items[0], KerasTensor):
            self._set_input(items.pop(0))
        if hasattr(layers, "items"):
            for key, layer in items:
                self.add_module(key, layer)
        else:
            for layer in items:
                nn.Sequential.add(self, layer)
        self._build_now()

    def _set_input(self, t: KerasTensor) -> None:
        self.__dict__["input_shape"], self.__dict__["_input_dtype"] = t.shape[1:], t.dtype

    def _build_now(self) -> None:
        """Keras builds a Sequential that starts with a keras.Input as its layers are given: one eval-mode pass
        on zeros of the Input's shape and dtype sizes every layer (weights, count_params, summary) at once."""
        if "_input_dtype" not in self.__dict__ or not len(self):
            return
        example = self._example_input()
        was = self.training
        self.eval()
        try:
            with no_grad():
                nn.Sequential.forward(self, example)
        finally:
            self.train(was)

    def add(self, layer) -> Sequential:
        if isinstance(layer, KerasTensor) and not len(self):
            self._set_input(layer)
            return self
        nn.Sequential.add(self, layer)
        self._build_now()
        return self

    def forward(self, x):
        if hasattr(x, "shape") and hasattr(x, "dtype") and len(x.shape):
            self.__dict__["_last_input"] = (tuple(x.shape[1:]), x.dtype)  # what summary() replays
        return nn.Sequential.forward(self, x)

    def __getitem__(self, i):
        return nn.Sequential.__getitem__(self, i)


def load_model(path):
    """A model saved by model.save(path) (gn.load's safe format: no code runs from the file)."""
    from .. import io

    model = io.load(path)
    if not isinstance(model, nn.Module):
        raise ValueError(f"load_model: {path!r} holds {type(model).__name__}, not a model")
    return model
