"""Recurrent layers RNN, LSTM and GRU: modules over gradnote.functional.rnn / lstm / gru.

Parameter names, shapes, initialisation and gate order are PyTorch's, so state dicts can be
exchanged: per layer k, ``weight_ih_l{k}`` (G*H, in), ``weight_hh_l{k}`` (G*H, H),
``bias_ih_l{k}`` and ``bias_hh_l{k}`` (G*H,), with G = 1 (RNN), 4 (LSTM: i, f, g, o),
3 (GRU: r, z, n); every entry starts in U(-1/sqrt(H), 1/sqrt(H)).

    lstm = nn.LSTM(32, 128, num_layers=2)                 # batch_first=True by default
    out, (h_n, c_n) = lstm(x)                              # x: (N, T, 32) -> out: (N, T, 128)
    out, (h_n, c_n) = lstm(x, (h0, c0), lengths=lengths)   # h_n: (2, N, 128), last valid step
"""

from __future__ import annotations

import math
import numbers

from .. import functional as F
from ..backend import xp
from ..functional.recurrent import validate_inputs
from . import init
from .module import Module, Parameter

__all__ = ["GRU", "LSTM", "RNN"]


class _RecurrentBase(Module):
    kind = "rnn"
    gates = 1

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = True, dropout: float = 0.0):
        super().__init__()
        name = type(self).__name__
        for arg, value in (("input_size", input_size), ("hidden_size", hidden_size), ("num_layers", num_layers)):
            if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < 1:
                raise ValueError(f"{name}: {arg} must be a positive int, got {value!r}")
        if not (isinstance(dropout, numbers.Real) and 0 <= dropout < 1):
            raise ValueError(f"{name}: dropout must be in [0, 1), got {dropout!r}")
        self.input_size, self.hidden_size, self.num_layers = int(input_size), int(hidden_size), int(num_layers)
        self.bias, self.batch_first, self.dropout = bool(bias), bool(batch_first), float(dropout)
        G, H = self.gates * self.hidden_size, self.hidden_size
        for k in range(self.num_layers):
            fan_in = self.input_size if k == 0 else H
            setattr(self, f"weight_ih_l{k}", Parameter(xp.empty((G, fan_in), dtype=xp.float32)))
            setattr(self, f"weight_hh_l{k}", Parameter(xp.empty((G, H), dtype=xp.float32)))
            if self.bias:
                setattr(self, f"bias_ih_l{k}", Parameter(xp.empty(G, dtype=xp.float32)))
                setattr(self, f"bias_hh_l{k}", Parameter(xp.empty(G, dtype=xp.float32)))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        bound = 1.0 / math.sqrt(self.hidden_size)
        for p in self.parameters():
            init.uniform_(p, -bound, bound)

    def _weights(self) -> list:
        names = ("weight_ih", "weight_hh", "bias_ih", "bias_hh") if self.bias else ("weight_ih", "weight_hh")
        return [tuple(getattr(self, f"{n}_l{k}") for n in names) for k in range(self.num_layers)]

    def _who(self) -> str:
        return f"{type(self).__name__}(input_size={self.input_size}, hidden_size={self.hidden_size})"

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if getattr(self, "nonlinearity", "tanh") != "tanh":
            s += f", nonlinearity={self.nonlinearity!r}"
        if not self.bias:
            s += ", bias=False"
        s += f", batch_first={self.batch_first}"
        if self.dropout:
            s += f", dropout={self.dropout}"
        return s


class RNN(_RecurrentBase):
    """Elman RNN: h_t = act(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh), act = tanh or relu.

    forward(x, h0=None, lengths=None): x (N, T, input_size) with batch_first (else (T, N, input_size)),
    h0 (num_layers, N, H). Returns (output (N, T, H), h_n (num_layers, N, H)).

    >>> out, h_n = RNN(3, 8)(gn.randn(4, 5, 3)); out.shape, h_n.shape
    ((4, 5, 8), (1, 4, 8))
    """

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, nonlinearity: str = "tanh",
                 bias: bool = True, batch_first: bool = True, dropout: float = 0.0):
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"RNN: nonlinearity must be 'tanh' or 'relu', got {nonlinearity!r}")
        self.nonlinearity = nonlinearity
        super().__init__(input_size, hidden_size, num_layers, bias, batch_first, dropout)

    def forward(self, x, h0=None, lengths=None):
        validate_inputs(self._who(), "rnn", x, h0, self._weights(), self.batch_first, lengths)
        return F.rnn(x, h0, self._weights(), nonlinearity=self.nonlinearity, batch_first=self.batch_first,
                     lengths=lengths, dropout=self.dropout, training=self.training)


class LSTM(_RecurrentBase):
    """Long short-term memory: gates i, f, g, o; c_t = f*c_{t-1} + i*g, h_t = o*tanh(c_t).

    forward(x, hx=None, lengths=None): x (N, T, input_size) with batch_first, hx = (h0, c0) each
    (num_layers, N, H). Returns (output (N, T, H), (h_n, c_n)).

    >>> out, (h_n, c_n) = LSTM(3, 8, num_layers=2)(gn.randn(4, 5, 3)); out.shape, c_n.shape
    ((4, 5, 8), (2, 4, 8))
    """

    kind, gates = "lstm", 4

    def forward(self, x, hx=None, lengths=None):
        validate_inputs(self._who(), "lstm", x, hx, self._weights(), self.batch_first, lengths)
        return F.lstm(x, hx, self._weights(), batch_first=self.batch_first, lengths=lengths,
                      dropout=self.dropout, training=self.training)


class GRU(_RecurrentBase):
    """Gated recurrent unit: gates r, z, n; n = tanh(W_in x + b_in + r*(W_hn h + b_hn)),
    h_t = (1-z)*n + z*h_{t-1}.

    forward(x, h0=None, lengths=None) -> (output (N, T, H), h_n (num_layers, N, H)).

    >>> out, h_n = GRU(3, 8)(gn.randn(4, 5, 3)); out.shape, h_n.shape
    ((4, 5, 8), (1, 4, 8))
    """

    kind, gates = "gru", 3

    def forward(self, x, h0=None, lengths=None):
        validate_inputs(self._who(), "gru", x, h0, self._weights(), self.batch_first, lengths)
        return F.gru(x, h0, self._weights(), batch_first=self.batch_first, lengths=lengths,
                     dropout=self.dropout, training=self.training)
