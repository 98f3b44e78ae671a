"""Keras's sequence layers over gradnote.nn: Embedding, SimpleRNN, LSTM, GRU, Bidirectional, TimeDistributed.

    model = keras.Sequential([layers.Embedding(20000, 128, mask_zero=True),
                              layers.Bidirectional(layers.LSTM(64, return_sequences=True)),
                              layers.Bidirectional(layers.LSTM(64)),
                              layers.Dense(1, activation="sigmoid")])

Sequences are (N, T, features), Keras's layout (nn's recurrent layers with batch_first=True).
The recurrent layers are nn.RNN/LSTM/GRU sized at their first call, with Keras's initialisers:
input kernels glorot_uniform, recurrent kernels orthogonal, biases zero and, for LSTM,
unit_forget_bias (the forget gate's bias starts at 1). Keras's gate order (i, f, c, o) is
PyTorch's; its GRU with reset_after=True is PyTorch's GRU. GRU(reset_after=False) (Keras 2 /
TF1's variant) has no nn counterpart: it keeps Keras's weights (kernel, recurrent_kernel, bias)
and runs step by step. Bidirectional turns the wrapped layer into nn's bidirectional=True layer
(weights ``*_reverse``).

Masks: Embedding(mask_zero=True) marks the non-zero ids; the mask flows through layers that pass
it (Dropout, Dense, ...) to the recurrent layer, which runs each sequence over its real steps
only. A mask must be one block of real steps per sequence (pad_sequences' "pre" or "post"
padding). Outputs at masked steps are zeros (Keras repeats the last real output after it).
"""

from __future__ import annotations

import numpy as np

from .. import functional as F
from .. import nn
from ..autograd import Tensor, concat, stack
from ..backend import xp
from ..io import architecture
from ..nn import init
from .arguments import _input_shape, _positive_int, _rate, apply_initializer
from .graph import Layer, mask_of, set_mask

__all__ = ["GRU", "LSTM", "Bidirectional", "Embedding", "SimpleRNN", "TimeDistributed"]


class Embedding(Layer, nn.Embedding):
    """Token ids (N, T) -> vectors (N, T, output_dim), over nn.Embedding (weight (input_dim, output_dim)).

    Weights start U(-0.05, 0.05) (Keras's "uniform"). mask_zero=True marks id 0 as padding: the
    layers after it skip those steps (the vocabulary then needs input_dim = vocabulary size + 1).
    Float ids (a keras.Input's default dtype) are cast to ints, as Keras does.

    >>> Embedding(10, 4)(gn.tensor([[1, 2, 0]])).shape
    (1, 3, 4)
    """

    def __init__(self, input_dim: int, output_dim: int, embeddings_initializer="uniform", mask_zero: bool = False,
                 input_length: int | None = None, input_shape=None):
        nn.Embedding.__init__(self, _positive_int("Embedding", "input_dim", input_dim),
                              _positive_int("Embedding", "output_dim", output_dim))
        self.input_dim, self.output_dim, self.mask_zero = int(input_dim), int(output_dim), bool(mask_zero)
        self.embeddings_initializer = embeddings_initializer
        self.input_shape = _input_shape(input_shape) or ((input_length,) if input_length else None)
        apply_initializer("Embedding", embeddings_initializer, self.weight, "embeddings_initializer")

    def forward(self, idx):
        data = idx.data if isinstance(idx, Tensor) else xp.asarray(idx)
        if data.dtype.kind == "f":
            data = data.astype(xp.int64)
        out = nn.Embedding.forward(self, Tensor._wrap(data))
        return set_mask(out, data != 0) if self.mask_zero and data.ndim == 2 else out

    def get_config(self) -> dict:
        return {"input_dim": self.input_dim, "output_dim": self.output_dim, "mask_zero": self.mask_zero,
                "embeddings_initializer": self.embeddings_initializer}


def _aligned(mask, T: int):
    """Per-sequence shift that moves its block of real steps to the front, and the block lengths."""
    mask = np.asarray(mask, dtype=bool)
    lengths = mask.sum(1)
    first = np.where(lengths > 0, mask.argmax(1), 0)
    steps = np.arange(T)[None, :]
    if not np.array_equal(mask, (steps >= first[:, None]) & (steps < (first + lengths)[:, None])):
        raise ValueError("recurrent layer: each sequence's mask must be one block of real steps (padding before "
                         "or after it, as pad_sequences makes)")
    return first, lengths


def _take_steps(x: Tensor, shift) -> Tensor:
    N, T = x.shape[0], x.shape[1]
    return x[np.arange(N)[:, None], (np.arange(T)[None, :] + shift[:, None]) % T]


class _KerasRNN(Layer):
    """What SimpleRNN, LSTM and GRU share: lazy sizing, Keras's init, masks, return_sequences/state."""

    _nn, _states = nn.RNN, 1
    _weight_names = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")  # each + a direction's suffix
    _suffixes = ("_l0", "_l0_reverse")
    passes_mask = False
    _fused = True  # False: no nn layer runs these equations, every call goes step by step (_stepped)

    def _cell(self, x, state, weights, keep):
        """One step: x (N, in), state [h(, c)], the direction's weights, keep (N, units) Keras's recurrent
        dropout mask for the h entering the recurrent kernel (None: no dropout) -> the new state."""
        raise NotImplementedError

    def __init__(self, units: int, activation="tanh", return_sequences: bool = False, return_state: bool = False,
                 go_backwards: bool = False, use_bias: bool = True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros", dropout: float = 0.0,
                 recurrent_dropout: float = 0.0, input_shape=None, **options):
        name = type(self).__name__
        self.units = _positive_int(name, "units", units)
        self.activation = activation
        self.return_sequences, self.return_state = bool(return_sequences), bool(return_state)
        self.go_backwards, self.use_bias = bool(go_backwards), bool(use_bias)
        self.kernel_initializer, self.recurrent_initializer = kernel_initializer, recurrent_initializer
        self.bias_initializer = bias_initializer
        for what, init_name in (("kernel_initializer", kernel_initializer),
                                ("recurrent_initializer", recurrent_initializer),
                                ("bias_initializer", bias_initializer)):
            apply_initializer(name, init_name, Tensor._wrap(xp.zeros((1, 1), xp.float32)), what)
        self.input_dropout = _rate(name, dropout, "dropout")  # nn's `dropout` acts between stacked layers
        self.recurrent_dropout = _rate(name, recurrent_dropout, "recurrent_dropout")
        self.options = options
        self.bidirectional = False  # Bidirectional sets it before the layer is built
        self.input_shape = _input_shape(input_shape)
        if self.input_shape:
            self.build(self.input_shape[-1])

    @property
    def built(self) -> bool:
        return "weight_ih_l0" in self._parameters

    def _nn_options(self) -> dict:
        return {}

    def build(self, input_size: int, dtype=None) -> None:
        self._nn.__init__(self, int(input_size), self.units, bias=self.use_bias, batch_first=True,
                          bidirectional=self.bidirectional, **self._nn_options())
        name = type(self).__name__
        for suffix in ("_l0", "_l0_reverse")[:2 if self.bidirectional else 1]:
            apply_initializer(name, self.kernel_initializer, getattr(self, "weight_ih" + suffix))
            apply_initializer(name, self.recurrent_initializer, getattr(self, "weight_hh" + suffix))
            if self.use_bias:
                apply_initializer(name, self.bias_initializer, getattr(self, "bias_ih" + suffix))
                init.zeros_(getattr(self, "bias_hh" + suffix))  # Keras has one bias; torch's second one adds to it
                self._init_bias(getattr(self, "bias_ih" + suffix))
        if dtype is not None and dtype != xp.float32:
            self.to(dtype)

    def _init_bias(self, bias) -> None:
        pass

    def forward(self, x, initial_state=None, mask=None, training=None):
        name = type(self).__name__
        if x.ndim != 3:
            raise ValueError(f"{name}: expected input (N, T, features), got shape {tuple(x.shape)}")
        if not self.built:
            self.build(x.shape[-1], x.dtype if x.dtype.kind == "f" else None)
        mask = mask_of(x) if mask is None else np.asarray(mask.data if isinstance(mask, Tensor) else mask, bool)
        if self.go_backwards:
            x = x[:, ::-1]
            mask = None if mask is None else mask[:, ::-1]
        if self.input_dropout and self.training:  # one mask per sequence and feature, shared by every step (Keras)
            x = F.dropout1d(x.transpose(0, 2, 1), self.input_dropout, True).transpose(0, 2, 1)
        shift, lengths = None, None
        if mask is not None:
            shift, lengths = _aligned(mask, x.shape[1])
            if not shift.any():
                shift = None
            else:
                x = _take_steps(x, shift)
            if lengths.min() == x.shape[1]:
                lengths = None
        hx = self._initial(initial_state)
        if not self._fused or (self.recurrent_dropout and self.training):
            out, state = self._stepped(x, hx, lengths)
        else:
            out, state = self._nn.forward(self, x, hx, lengths=None if lengths is None else Tensor._wrap(lengths))
        states = list(state) if isinstance(state, tuple) else [state]
        if self.return_sequences:
            if shift is not None:
                out = _take_steps(out, -shift)
            if mask is not None and not self.go_backwards:
                set_mask(out, mask)
        else:
            out = concat([states[0][0], states[0][1]], axis=-1) if self.bidirectional else states[0][-1]
        if not self.return_state:
            return out
        per_direction = [[s[d] for s in states] for d in range(2 if self.bidirectional else 1)]
        return [out, *[s for d in per_direction for s in d]]

    def _stepped(self, x, hx, lengths):
        """The layer run step by step (_cell), with Keras's recurrent dropout in training: the state entering
        the recurrent kernel (h, not the LSTM's c) is multiplied by one dropout mask per sequence and
        direction, shared by every step. Real steps are at the front (lengths, None: all T); returns what
        nn's forward returns."""
        N, T = x.shape[0], x.shape[1]
        L = np.full(N, T) if lengths is None else np.asarray(lengths)
        steps = np.arange(T)[None, :]
        outs, finals = [], []
        for d, suffix in enumerate(self._suffixes[:2 if self.bidirectional else 1]):
            weights = [getattr(self, n + suffix) for n in self._weight_names if hasattr(self, n + suffix)]
            order = steps if d == 0 else (L[:, None] - 1 - steps) % T  # backward: each sequence's real steps reversed
            xs = x[np.arange(N)[:, None], order]
            zeros = Tensor._wrap(xp.zeros((N, self.units), x.dtype))
            state = [zeros] * self._states if hx is None else [(hx if self._states == 1 else hx[k])[d]
                                                               for k in range(self._states)]
            keep = None if not (self.recurrent_dropout and self.training) else \
                F.dropout(Tensor._wrap(xp.ones((N, self.units), x.dtype)), self.recurrent_dropout, True)
            seq = []
            for t in range(T):
                real = Tensor._wrap((t < L)[:, None].astype(x.dtype))
                new = self._cell(xs[:, t], state, weights, keep)
                new = list(new) if isinstance(new, tuple) else [new]
                state = [n * real + s * (1 - real) for n, s in zip(new, state)]
                seq.append(new[0] * real)
            out = stack(seq, axis=1)
            outs.append(out if d == 0 else out[np.arange(N)[:, None], order])
            finals.append(state)
        out = outs[0] if len(outs) == 1 else concat(outs, axis=-1)
        states = [stack([f[k] for f in finals], axis=0) for k in range(self._states)]
        return out, tuple(states) if self._states > 1 else states[0]

    def _initial(self, initial_state):
        if initial_state is None:
            return None
        states = list(initial_state) if isinstance(initial_state, (list, tuple)) else [initial_state]
        if len(states) != self._states * (2 if self.bidirectional else 1):
            raise ValueError(f"{type(self).__name__}: initial_state must hold {self._states} state(s) per direction, "
                             f"got {len(states)}")
        states = [s if isinstance(s, Tensor) else Tensor(s) for s in states]
        stacked = [stack(states[k::self._states], axis=0) for k in range(self._states)]
        return tuple(stacked) if self._states > 1 else stacked[0]

    def get_config(self) -> dict:
        return {"units": self.units, "activation": self.activation, "return_sequences": self.return_sequences,
                "return_state": self.return_state, "go_backwards": self.go_backwards, "use_bias": self.use_bias,
                "kernel_initializer": self.kernel_initializer, "recurrent_initializer": self.recurrent_initializer,
                "bias_initializer": self.bias_initializer, "dropout": self.input_dropout,
                "recurrent_dropout": self.recurrent_dropout,
                "input_shape": [self.input_size] if self.built else None, **self.options}

    def extra_repr(self) -> str:
        size = self.input_size if self.built else "?"
        return f"{size} -> {self.units}, return_sequences={self.return_sequences}"


def _check_activation(layer: str, what: str, value, allowed: tuple):
    if value not in allowed:
        raise ValueError(f"{layer}: {what} must be one of {allowed} (nn's fused kernels), got {value!r}")


class SimpleRNN(_KerasRNN, nn.RNN):
    """Keras's SimpleRNN over nn.RNN: h_t = activation(x_t W_ih^T + h_{t-1} W_hh^T + b), activation tanh or relu.

    x: (N, T, F) -> (N, units), or (N, T, units) with return_sequences; return_state adds h_T.

    >>> SimpleRNN(8)(gn.randn(2, 5, 3)).shape
    (2, 8)
    """

    def __init__(self, units: int, activation="tanh", **kw):
        _check_activation("SimpleRNN", "activation", activation, ("tanh", "relu"))
        super().__init__(units, activation=activation, **kw)

    def _nn_options(self) -> dict:
        return {"nonlinearity": self.activation}

    def _cell(self, x, state, weights, keep):
        h = state[0] if keep is None else state[0] * keep
        return F.rnn_cell(x, h, *weights, nonlinearity=self.activation)


class LSTM(_KerasRNN, nn.LSTM):
    """Keras's LSTM over nn.LSTM (gates i, f, c, o as PyTorch's i, f, g, o); unit_forget_bias starts the
    forget gate's bias at 1.

    x: (N, T, F) -> (N, units) (return_sequences: (N, T, units)); return_state: [output, h_T, c_T].

    >>> LSTM(8, return_sequences=True)(gn.randn(2, 5, 3)).shape
    (2, 5, 8)
    """

    _nn, _states = nn.LSTM, 2

    def __init__(self, units: int, activation="tanh", recurrent_activation="sigmoid", unit_forget_bias: bool = True,
                 **kw):
        _check_activation("LSTM", "activation", activation, ("tanh",))
        _check_activation("LSTM", "recurrent_activation", recurrent_activation, ("sigmoid",))
        self.unit_forget_bias = bool(unit_forget_bias)
        super().__init__(units, activation=activation, unit_forget_bias=self.unit_forget_bias, **kw)

    def _cell(self, x, state, weights, keep):
        h = state[0] if keep is None else state[0] * keep
        return F.lstm_cell(x, (h, state[1]), *weights)

    def _init_bias(self, bias) -> None:
        if self.unit_forget_bias:
            bias.data[self.units:2 * self.units] = 1.0


class GRU(_KerasRNN, nn.GRU):
    """Keras's GRU. reset_after=True (Keras 2's default since 2.3) is nn.GRU, which has the same equations
    (PyTorch's gate order r, z, n and two biases). reset_after=False is Keras 2 / TF1's GRU, the reset
    gate applied to h before the recurrent kernel, with Keras's weights and gate order z, r, h:

        z = sigmoid(x K_z + h U_z + b_z),  r = sigmoid(x K_r + h U_r + b_r)
        h~ = tanh(x K_h + (r * h) U_h + b_h),  h' = z * h + (1 - z) * h~

    with kernel K (F, 3 * units), recurrent_kernel U (units, 3 * units), bias b (3 * units,), run step
    by step. recurrent_dropout multiplies the h entering the recurrent products (not the h in h') by one
    mask per sequence, in training.

    x: (N, T, F) -> (N, units) (return_sequences: (N, T, units)); return_state: [output, h_T].

    >>> GRU(8, reset_after=False)(gn.randn(2, 5, 3)).shape
    (2, 8)
    """

    _nn = nn.GRU

    def __init__(self, units: int, activation="tanh", recurrent_activation="sigmoid", reset_after: bool = True,
                 **kw):
        _check_activation("GRU", "activation", activation, ("tanh",))
        _check_activation("GRU", "recurrent_activation", recurrent_activation, ("sigmoid",))
        if not isinstance(reset_after, (bool, np.bool_)):
            raise ValueError(f"GRU: reset_after must be True or False, got {reset_after!r}")
        self.reset_after = bool(reset_after)
        if not self.reset_after:
            self._fused, self._weight_names, self._suffixes = False, ("kernel", "recurrent_kernel", "bias"), ("",)
        super().__init__(units, activation=activation, reset_after=self.reset_after, **kw)

    @property
    def built(self) -> bool:
        return ("weight_ih_l0" if self.reset_after else "kernel") in self._parameters

    def build(self, input_size: int, dtype=None) -> None:
        if self.reset_after:
            return super().build(input_size, dtype)
        if self.bidirectional:
            raise ValueError("Bidirectional: GRU(reset_after=False) is not supported (wrap GRU(reset_after=True))")
        self.input_size, self.hidden_size = int(input_size), self.units
        u = self.units
        self.kernel = nn.Parameter(xp.zeros((self.input_size, 3 * u), xp.float32))
        self.recurrent_kernel = nn.Parameter(xp.zeros((u, 3 * u), xp.float32))
        apply_initializer("GRU", self.kernel_initializer, self.kernel)
        apply_initializer("GRU", self.recurrent_initializer, self.recurrent_kernel)
        if self.use_bias:
            self.bias = nn.Parameter(xp.zeros((3 * u,), xp.float32))
            apply_initializer("GRU", self.bias_initializer, self.bias)
        if dtype is not None and dtype != xp.float32:
            self.to(dtype)

    def _cell(self, x, state, weights, keep):
        h = state[0]
        hk = h if keep is None else h * keep  # the dropped h enters the recurrent products only, as Keras
        u = self.units
        if self.reset_after:
            xi, hh = x @ weights[0].T, hk @ weights[1].T
            if len(weights) > 2:
                xi, hh = xi + weights[2], hh + weights[3]
            r, z = F.sigmoid(xi[:, :u] + hh[:, :u]), F.sigmoid(xi[:, u:2 * u] + hh[:, u:2 * u])
            candidate = F.tanh(xi[:, 2 * u:] + r * hh[:, 2 * u:])
        else:
            kernel, recurrent = weights[0], weights[1]
            xi = x @ kernel if len(weights) < 3 else x @ kernel + weights[2]
            hzr = hk @ recurrent[:, :2 * u]
            z, r = F.sigmoid(xi[:, :u] + hzr[:, :u]), F.sigmoid(xi[:, u:2 * u] + hzr[:, u:])
            candidate = F.tanh(xi[:, 2 * u:] + (r * hk) @ recurrent[:, 2 * u:])
        return z * h + (1 - z) * candidate


_MERGES = ("concat", "sum", "mul", "ave", None)


def _layer(layer):
    """A wrapped layer, or the layer a saved config (gradnote.io.architecture's spec) describes."""
    return architecture.model_from_config(layer) if isinstance(layer, dict) else layer


class Bidirectional(Layer, nn.Module):
    """Runs a recurrent layer forward and backward in time and merges the two (merge_mode concat, sum, mul,
    ave, or None for a list [forward, backward]).

    The wrapped layer becomes nn's bidirectional=True layer: its output is (N, 2 * units) with concat
    (return_sequences: (N, T, 2 * units), both directions aligned in time); return_state appends
    the forward states, then the backward ones.

    >>> Bidirectional(LSTM(4))(gn.randn(2, 5, 3)).shape
    (2, 8)
    """

    def __init__(self, layer, merge_mode="concat", input_shape=None):
        layer = _layer(layer)
        if not isinstance(layer, _KerasRNN):
            raise TypeError(f"Bidirectional: expected a SimpleRNN, LSTM or GRU layer, got {type(layer).__name__}")
        if merge_mode not in _MERGES:
            raise ValueError(f"Bidirectional: merge_mode must be one of {_MERGES}, got {merge_mode!r}")
        if layer.built:
            raise ValueError("Bidirectional: wrap a layer that is not built yet (it becomes nn's bidirectional layer)")
        if layer.go_backwards:
            raise ValueError("Bidirectional: the wrapped layer must run forward (go_backwards=False)")
        layer.bidirectional = True
        self.layer, self.merge_mode = layer, merge_mode
        self.input_shape = _input_shape(input_shape)
        if self.input_shape:
            layer.build(self.input_shape[-1])

    @property
    def built(self) -> bool:
        return self.layer.built

    def forward(self, x, initial_state=None, mask=None, training=None):
        out = self.layer(x, initial_state=initial_state, mask=mask)
        result, states = (out[0], out[1:]) if self.layer.return_state else (out, [])
        if self.merge_mode != "concat":
            fwd, bwd = result[..., :self.layer.units], result[..., self.layer.units:]
            result = {"sum": lambda: fwd + bwd, "mul": lambda: fwd * bwd, "ave": lambda: (fwd + bwd) * 0.5,
                      None: lambda: [fwd, bwd]}[self.merge_mode]()
            if self.merge_mode is not None and mask_of(out) is not None:
                set_mask(result, mask_of(out))
        if not self.layer.return_state:
            return result
        return [*(result if isinstance(result, list) else [result]), *states]

    def get_config(self) -> dict:
        inner = architecture.model_to_config(self.layer)
        size = inner["config"].pop("input_shape", None)  # the wrapped layer is built by Bidirectional
        return {"layer": inner, "merge_mode": self.merge_mode, "input_shape": size}


class TimeDistributed(Layer, nn.Module):
    """Applies `layer` to every step of (N, T, ...) by folding T into the batch: (N * T, ...) -> (N, T, ...).

    >>> from gradnote.keras.layers import Dense
    >>> TimeDistributed(Dense(4))(gn.randn(2, 5, 3)).shape
    (2, 5, 4)
    """

    passes_mask = True

    def __init__(self, layer, input_shape=None):
        layer = _layer(layer)
        if not isinstance(layer, nn.Module):
            raise TypeError(f"TimeDistributed: expected a layer, got {type(layer).__name__}")
        self.layer = layer
        self.input_shape = _input_shape(input_shape)

    def get_config(self) -> dict:
        return {"layer": architecture.model_to_config(self.layer),
                "input_shape": list(self.input_shape) if self.input_shape else None}

    @property
    def built(self) -> bool:
        return getattr(self.layer, "built", True)

    def forward(self, x):
        if x.ndim < 3:
            raise ValueError(f"TimeDistributed: expected input (N, T, ...), got shape {tuple(x.shape)}")
        N, T = x.shape[0], x.shape[1]
        y = self.layer(x.reshape(N * T, *x.shape[2:]))
        return y.reshape(N, T, *y.shape[1:])


# ----- RNN(cell): Keras's generic recurrent layer, over the fused layers above ---------------------------
class _Cell(Layer, nn.Module):
    """A Keras recurrent cell's configuration (units and options); RNN(cell) runs it as its fused layer."""

    _layer = None

    def __init__(self, units: int, **options):
        self.units = _positive_int(type(self).__name__, "units", units)
        self.options = options
        self._layer(units, **options)  # the options are checked (and refused) as the layer checks them

    def forward(self, *args, **kwargs):
        raise TypeError(f"{type(self).__name__}: a cell runs inside layers.RNN(cell); call the RNN on a sequence")

    def get_config(self) -> dict:
        return {"units": self.units, **self.options}


class SimpleRNNCell(_Cell):
    """The SimpleRNN step, for RNN(SimpleRNNCell(units)) (the same layer as SimpleRNN(units)).

    >>> RNN(SimpleRNNCell(4))(gn.randn(2, 5, 3)).shape
    (2, 4)
    """

    _layer = SimpleRNN


class LSTMCell(_Cell):
    """The LSTM step, for RNN(LSTMCell(units)) (the same layer as LSTM(units)).

    >>> RNN(LSTMCell(4), return_sequences=True)(gn.randn(2, 5, 3)).shape
    (2, 5, 4)
    """

    _layer = LSTM


class GRUCell(_Cell):
    """The GRU step, for RNN(GRUCell(units)) (the same layer as GRU(units)).

    >>> RNN([GRUCell(4), GRUCell(2)])(gn.randn(2, 5, 3)).shape
    (2, 2)
    """

    _layer = GRU


class RNN(Layer, nn.Module):
    """Keras's RNN(cell): runs a SimpleRNNCell, LSTMCell or GRUCell over (N, T, features) as the matching
    fused layer; a list of cells stacks them (each feeds its sequence to the next; the output and
    states are the last cell's). Custom Python cells are not supported.

    >>> RNN(LSTMCell(4), return_state=True)(gn.randn(2, 5, 3))[1].shape
    (2, 4)
    """

    def __init__(self, cell, return_sequences: bool = False, return_state: bool = False, go_backwards: bool = False,
                 input_shape=None):
        cells = [_layer(c) for c in (cell if isinstance(cell, (list, tuple)) else [cell])]
        if not cells or not all(isinstance(c, _Cell) for c in cells):
            raise TypeError(f"RNN: expected a SimpleRNNCell, LSTMCell or GRUCell (or a list of them), got "
                            f"{[type(c).__name__ for c in cells]}")
        self.cell = cells if isinstance(cell, (list, tuple)) else cells[0]
        self.return_sequences, self.return_state = bool(return_sequences), bool(return_state)
        self.go_backwards = bool(go_backwards)
        last = len(cells) - 1
        self.layers = nn.ModuleList([
            c._layer(c.units, **{**c.options, "return_sequences": i < last or self.return_sequences,
                                 "return_state": i == last and self.return_state,
                                 "go_backwards": i == 0 and self.go_backwards})
            for i, c in enumerate(cells)])
        for inner, before in zip(list(self.layers)[1:], cells):  # each stacked layer reads the one before it
            inner.build(before.units)
        self.input_shape = _input_shape(input_shape)
        if self.input_shape:
            self.layers[0].build(self.input_shape[-1])

    @property
    def built(self) -> bool:
        return all(layer.built for layer in self.layers)

    def forward(self, x, initial_state=None, mask=None, training=None):
        if initial_state is not None and len(self.layers) > 1:
            raise ValueError("RNN: initial_state for stacked cells is not supported")
        for i, layer in enumerate(self.layers):
            x = layer(x, initial_state=initial_state if i == 0 else None, mask=mask if i == 0 else None)
        return x

    def get_config(self) -> dict:
        cells = [architecture.model_to_config(c) for c in (self.cell if isinstance(self.cell, list) else [self.cell])]
        return {"cell": cells if isinstance(self.cell, list) else cells[0], "return_sequences": self.return_sequences,
                "return_state": self.return_state, "go_backwards": self.go_backwards,
                "input_shape": [self.layers[0].input_size] if self.layers[0].built else None}


__all__ += ["GRUCell", "LSTMCell", "RNN", "SimpleRNNCell"]
