"""Several inputs and outputs in Keras's fit / evaluate / predict: structures of arrays, one loss per output.

    model = keras.Model([encoder_in, decoder_in], [tokens, score])
    model.compile("adam", loss=["sparse_categorical_crossentropy", "mse"], loss_weights=[1.0, 0.5],
                  metrics=[["accuracy"], []])
    model.fit([enc, dec], [y_tokens, y_score])          # or dicts keyed by Input / output names

x and y are structures: one array, a list / tuple of arrays (in the model's input / output order) or a dict
of arrays (keys: the Inputs' names, the outputs' names). The training loop sees them whole (a batch is
(x_structure, y_structure[, sample_weight])); OutputsLoss sums the per-output losses (times loss_weights)
and remembers each for the `<output>_loss` logs; OutputMetric runs one metric on one output, logged as
`<output>_<metric>`, as Keras 3 names them.
"""

from __future__ import annotations

from ..train import metrics as metrics_mod
from ..train.losses import as_loop_loss

__all__ = ["OutputLoss", "OutputMetric", "OutputsLoss", "as_list", "input_dtypes", "input_names", "leaves", "output_metrics",
           "output_names", "per_output", "rebuild", "take"]


def leaves(a) -> list:
    """The arrays of a structure in order (a dict's in key order); one array is a list of one."""
    if isinstance(a, dict):
        return list(a.values())
    if isinstance(a, (list, tuple)):
        return list(a)
    return [a]


def rebuild(like, values):
    """values (a list, in leaves' order) in the structure of `like`."""
    if isinstance(like, dict):
        return dict(zip(like, values))
    if isinstance(like, (list, tuple)):
        return list(values)
    return values[0]


def take(a, index):
    """a[index] for every array of a structure.

    >>> [v.shape for v in take([np.zeros((4, 2)), np.zeros(4)], slice(1, 3))]
    [(2, 2), (2,)]
    """
    if isinstance(a, dict):
        return {k: v[index] for k, v in a.items()}
    if isinstance(a, (list, tuple)):
        return [v[index] for v in a]
    return a[index]


def _graph(model):
    return model.__dict__.get("_graph") if hasattr(model, "__dict__") else None


def input_names(model) -> list | None:
    """A functional model's Input names in its input order (dict keys where it was built from a dict)."""
    graph = _graph(model)
    if graph is None:
        return None
    keys = model.__dict__.get("_keys", (None, None))[0]
    return keys or [t.name for t in graph[0]]


def input_dtypes(model) -> list | None:
    graph = _graph(model)
    return None if graph is None else [t.dtype for t in graph[0]]


def output_names(model) -> list | None:
    """Keras's output names of a functional model with several outputs (the dict keys, else the name of the
    layer making each output); None for a model with one output."""
    graph = _graph(model)
    if graph is None:
        return None
    outs, many = graph[1], graph[3]
    keys = model.__dict__.get("_keys", (None, None))[1]
    if keys is not None:
        return list(keys)
    if not many:
        return None
    names = [t.layer.name for t in outs]
    return [n if names.count(n) == 1 else f"{n}_{i}" for i, n in enumerate(names)]


def per_output(spec, names: list, what: str, default=None) -> list:
    """One entry per output from one value for all, a list in output order, or a dict by output name.

    >>> per_output({"b": "mse"}, ["a", "b"], "loss"), per_output("mae", ["a", "b"], "loss")
    ([None, 'mse'], ['mae', 'mae'])
    """
    if isinstance(spec, dict):
        unknown = sorted(set(spec) - set(names))
        if unknown:
            raise ValueError(f"compile: {what} names output(s) {unknown}; the model's outputs are {names}")
        return [spec.get(n, default) for n in names]
    if isinstance(spec, (list, tuple)):
        if len(spec) != len(names):
            raise ValueError(f"compile: {what} must have one entry per output ({len(names)}: {names}), "
                             f"got {len(spec)}")
        return list(spec)
    return [spec] * len(names)


def as_list(a, names: list):
    """A model's outputs or targets as a list in output order (from a list or a dict by output name)."""
    if isinstance(a, dict):
        missing = [n for n in names if n not in a]
        if missing:
            raise ValueError(f"the targets lack output(s) {missing}; the model's outputs are {names}")
        return [a[n] for n in names]
    if isinstance(a, (list, tuple)):
        if len(a) != len(names):
            raise ValueError(f"expected {len(names)} outputs / targets ({names}), got {len(a)}")
        return list(a)
    raise ValueError(f"a model with outputs {names} needs a list or dict of targets, got {type(a).__name__}")


class OutputsLoss:
    """loss(out, y[, sample_weight]) summed over outputs: weight_i * loss_i(out_i, y_i); outputs whose loss
    is None add nothing. `last` holds each output's weighted value of the latest call (for the logs)."""

    def __init__(self, losses: list, weights: list, names: list):
        self.names = names
        self.fns = [None if spec is None else as_loop_loss(spec, keras_order=True) for spec in losses]
        if all(fn is None for fn in self.fns):
            raise ValueError(f"compile: no output of {names} has a loss")
        self.weights = [1.0 if w is None else float(w) for w in weights]
        self.last = [0.0] * len(names)

    def key(self, i: int):
        return self.fns[i][1] if self.fns[i] is not None else None

    def __call__(self, out, y, sample_weight=None):
        outs, ys = as_list(out, self.names), as_list(y, self.names)
        total = None
        for i, entry in enumerate(self.fns):
            if entry is None:
                continue
            value = entry[0](outs[i], ys[i]) if sample_weight is None else entry[0](outs[i], ys[i], sample_weight)
            if self.weights[i] != 1.0:
                value = value * self.weights[i]
            self.last[i] = float(value.data)
            total = value if total is None else total + value
        return total


class OutputLoss(metrics_mod.Mean):
    """The `<output>_loss` log: the mean over samples of one output's (weighted) loss, read from OutputsLoss."""

    def __init__(self, combined: OutputsLoss, index: int):
        super().__init__(None, f"{combined.names[index]}_loss")
        self.combined, self.index = combined, index

    def update(self, y_true, y_pred, sample_weight=None) -> None:
        n = len(leaves(y_pred)[0])
        self._s_total += self.combined.last[self.index] * n
        self._s_count += n


class OutputMetric(metrics_mod.Metric):
    """One metric on output `index` (of a list of outputs), logged as `<output>_<metric>`."""

    def __init__(self, metric: metrics_mod.Metric, index: int, names: list):
        self.metric, self.index, self.names = metric, index, names
        self.name = f"{names[index]}_{metric.name}"

    def update(self, y_true, y_pred, sample_weight=None) -> None:
        t, p = as_list(y_true, self.names)[self.index], as_list(y_pred, self.names)[self.index]
        if sample_weight is None:
            self.metric.update(t, p)
        else:
            self.metric.update(t, p, sample_weight)

    def result(self):
        return self.metric.result()

    def reset(self) -> None:
        self.metric.reset()

    def get_state(self) -> dict:
        return self.metric.get_state()

    def set_state(self, state: dict) -> None:
        self.metric.set_state(state)


def output_metrics(metrics, combined: OutputsLoss, what: str) -> list:
    """Metric objects for a model with several outputs: each output's loss, then metrics given as a list per
    output (Keras 3: one entry, a metric or a list of them, per output), a dict by output name, or a flat
    list of another length applied to every output (Keras 2)."""
    names = combined.names
    if metrics is None:
        return []
    if isinstance(metrics, (list, tuple)) and len(metrics) != len(names):
        metrics = [list(metrics)] * len(names)
    out = []
    for i, spec in enumerate(per_output(metrics, names, what, default=[])):
        for m in ([] if spec is None else spec if isinstance(spec, (list, tuple)) else [spec]):
            out.append(OutputMetric(metrics_mod.get(m, combined.key(i)), i, names))
    return out
