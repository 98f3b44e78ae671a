"""Recurrent layers RNN, LSTM, GRU and cells RNNCell, LSTMCell, GRUCell: modules over
gradnote.functional's rnn / lstm / gru and rnn_cell / lstm_cell / gru_cell.

Parameter names, shapes, initialisation and gate order are PyTorch's, so state dicts can be
exchanged: per layer k, ``weight_ih_l{k}`` (G*H, in), ``weight_hh_l{k}`` (G*H, H),
``bias_ih_l{k}`` and ``bias_hh_l{k}`` (G*H,), with G = 1 (RNN), 4 (LSTM: i, f, g, o),
3 (GRU: r, z, n), plus the same names ending in ``_reverse`` for the backward direction of a
bidirectional layer; a cell has ``weight_ih``, ``weight_hh``, ``bias_ih``, ``bias_hh``. Every
entry starts in U(-1/sqrt(H), 1/sqrt(H)).

    lstm = nn.LSTM(32, 128, num_layers=2)                  # input (T, N, 32), as PyTorch
    out, (h_n, c_n) = lstm(x)                              # out: (T, N, 128), h_n: (2, N, 128)
    lstm = nn.LSTM(32, 128, batch_first=True, bidirectional=True)
    out, (h_n, c_n) = lstm(x, (h0, c0), lengths=lengths)   # x: (N, T, 32) -> out: (N, T, 256)
"""

from __future__ import annotations

import math
import numbers
import warnings

from .. import functional as F
from ..backend import xp
from ..functional.recurrent import validate_cell_inputs, validate_inputs
from . import init
from ._factory import place
from .module import Module, Parameter
from .utils.rnn import PackedSequence, pack_padded_sequence, pad_packed_sequence

__all__ = ["GRU", "GRUCell", "LSTM", "LSTMCell", "RNN", "RNNCell"]


def _check_sizes(name: str, **sizes) -> None:
    for arg, value in sizes.items():
        if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < 1:
            raise ValueError(f"{name}: {arg} must be a positive int, got {value!r}")


class _RecurrentWeights(Module):
    """What layers and cells share: PyTorch's uniform init over every parameter."""

    gates = 1

    def _add_weights(self, suffix: str, fan_in: int) -> None:
        G, H = self.gates * self.hidden_size, self.hidden_size
        setattr(self, f"weight_ih{suffix}", Parameter(xp.empty((G, fan_in), dtype=xp.float32)))
        setattr(self, f"weight_hh{suffix}", Parameter(xp.empty((G, H), dtype=xp.float32)))
        if self.bias:
            setattr(self, f"bias_ih{suffix}", Parameter(xp.empty(G, dtype=xp.float32)))
            setattr(self, f"bias_hh{suffix}", Parameter(xp.empty(G, dtype=xp.float32)))

    def reset_parameters(self) -> None:
        bound = 1.0 / math.sqrt(self.hidden_size)
        for p in self.parameters():
            init.uniform_(p, -bound, bound)

    def _who(self) -> str:
        return f"{type(self).__name__}(input_size={self.input_size}, hidden_size={self.hidden_size})"


class _RecurrentBase(_RecurrentWeights):
    kind = "rnn"

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False, device=None, dtype=None):
        super().__init__()
        name = type(self).__name__
        _check_sizes(name, input_size=input_size, hidden_size=hidden_size, num_layers=num_layers)
        if not (isinstance(dropout, numbers.Real) and not isinstance(dropout, bool) and 0 <= dropout <= 1):
            raise ValueError(f"{name}: dropout must be in [0, 1], got {dropout!r}")
        if dropout > 0 and num_layers == 1:
            warnings.warn(f"{name}: dropout acts between stacked layers, so dropout={dropout} does nothing "
                          "with num_layers=1", UserWarning, stacklevel=3)
        self.input_size, self.hidden_size, self.num_layers = int(input_size), int(hidden_size), int(num_layers)
        self.bias, self.batch_first, self.dropout = bool(bias), bool(batch_first), float(dropout)
        self.bidirectional = bool(bidirectional)
        D = 2 if self.bidirectional else 1
        names = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")[:4 if self.bias else 2]
        self._all_weights = []  # torch's name lists, one per layer and direction: l0, l0_reverse, l1, ...
        for k in range(self.num_layers):
            for suffix in (f"_l{k}", f"_l{k}_reverse")[:D]:
                self._add_weights(suffix, self.input_size if k == 0 else D * self.hidden_size)
                self._all_weights.append([n + suffix for n in names])
        self.reset_parameters()
        place(self, device, dtype)

    @property
    def all_weights(self) -> list:
        """The parameters, one list [weight_ih, weight_hh(, bias_ih, bias_hh)] per layer and direction."""
        return [[getattr(self, n) for n in names] for names in self._all_weights]

    def flatten_parameters(self) -> None:
        """Nothing to do: torch packs the weights into one buffer for cuDNN; these kernels read each one."""

    def _weights(self) -> list:
        return [tuple(ws) for ws in self.all_weights]

    def _call(self, fn, x, hx, lengths, **opts):
        packed = x if isinstance(x, PackedSequence) else None
        if packed is not None:  # the same masked run as padded input with lengths, output packed again
            if lengths is not None:
                raise ValueError(f"{self._who()}: a PackedSequence carries its own lengths; got lengths= as well")
            x, lengths = pad_packed_sequence(packed, batch_first=self.batch_first)
        weights = self._weights()
        validate_inputs(self._who(), self.kind, x, hx, weights, self.batch_first, lengths, self.bidirectional)
        out, state = fn(x, hx, weights, batch_first=self.batch_first, lengths=lengths, dropout=self.dropout,
                        training=self.training, bidirectional=self.bidirectional, **opts)
        if packed is not None:  # stable sorting of the same lengths gives the input's order back
            out = pack_padded_sequence(out, lengths, self.batch_first, enforce_sorted=packed.sorted_indices is None)
        return out, state

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if getattr(self, "nonlinearity", "tanh") != "tanh":
            s += f", nonlinearity={self.nonlinearity!r}"
        if not self.bias:
            s += ", bias=False"
        if self.batch_first:
            s += ", batch_first=True"
        if self.dropout:
            s += f", dropout={self.dropout}"
        if self.bidirectional:
            s += ", bidirectional=True"
        return s


class RNN(_RecurrentBase):
    """Elman RNN: h_t = act(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh), act = tanh or relu.

    forward(x, hx=None, lengths=None): x (T, N, input_size), (N, T, input_size) with batch_first,
    (T, input_size) unbatched, or a PackedSequence (output packed alike); hx (num_layers * D, N, H),
    D = 2 if bidirectional else 1; lengths (N,): the valid steps of each padded sequence.
    Returns (output (T, N, D * H), h_n (num_layers * D, N, H)); h_n keeps this layout with batch_first.

    >>> out, h_n = RNN(3, 8)(gn.randn(5, 4, 3)); out.shape, h_n.shape
    ((5, 4, 8), (1, 4, 8))
    """

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, nonlinearity: str = "tanh",
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False,
                 device=None, dtype=None):
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"RNN: nonlinearity must be 'tanh' or 'relu', got {nonlinearity!r}")
        self.nonlinearity = nonlinearity
        super().__init__(input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional, device, dtype)

    def forward(self, x, hx=None, lengths=None):
        return self._call(F.rnn, x, hx, lengths, nonlinearity=self.nonlinearity)


class LSTM(_RecurrentBase):
    """Long short-term memory: gates i, f, g, o; c_t = f*c_{t-1} + i*g, h_t = o*tanh(c_t).

    forward(x, hx=None, lengths=None): x (T, N, input_size) (batch_first: (N, T, input_size);
    unbatched: (T, input_size)), hx = (h0, c0) each (num_layers * D, N, H).
    Returns (output (T, N, D * H), (h_n, c_n)). proj_size > 0 (projected LSTM) is not implemented.

    >>> out, (h_n, c_n) = LSTM(3, 8, num_layers=2)(gn.randn(5, 4, 3)); out.shape, c_n.shape
    ((5, 4, 8), (2, 4, 8))
    """

    kind, gates = "lstm", 4

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False, proj_size: int = 0,
                 device=None, dtype=None):
        if not isinstance(proj_size, numbers.Integral) or isinstance(proj_size, bool) or proj_size < 0:
            raise ValueError(f"LSTM: proj_size must be a positive int or 0 (no projection), got {proj_size!r}")
        if proj_size:
            raise NotImplementedError(f"LSTM: proj_size={proj_size} (an LSTM with projected hidden states) is not "
                                      "implemented in gradnote; use proj_size=0 and a Linear layer on the outputs")
        self.proj_size = 0
        super().__init__(input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional, device, dtype)

    def forward(self, x, hx=None, lengths=None):
        return self._call(F.lstm, x, hx, lengths)


class GRU(_RecurrentBase):
    """Gated recurrent unit: gates r, z, n; n = tanh(W_in x + b_in + r*(W_hn h + b_hn)),
    h_t = (1-z)*n + z*h_{t-1}.

    forward(x, hx=None, lengths=None) -> (output (T, N, D * H), h_n (num_layers * D, N, H)),
    x as for RNN.

    >>> out, h_n = GRU(3, 8, bidirectional=True)(gn.randn(5, 4, 3)); out.shape, h_n.shape
    ((5, 4, 16), (2, 4, 8))
    """

    kind, gates = "gru", 3

    def forward(self, x, hx=None, lengths=None):
        return self._call(F.gru, x, hx, lengths)


# ----- cells ------------------------------------------------------------------------
class _CellBase(_RecurrentWeights):
    kind = "rnn"

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device=None, dtype=None):
        super().__init__()
        _check_sizes(type(self).__name__, input_size=input_size, hidden_size=hidden_size)
        self.input_size, self.hidden_size, self.bias = int(input_size), int(hidden_size), bool(bias)
        self._add_weights("", self.input_size)
        self.reset_parameters()
        place(self, device, dtype)

    def _call(self, fn, x, hx, **opts):
        b_ih, b_hh = (self.bias_ih, self.bias_hh) if self.bias else (None, None)
        validate_cell_inputs(self._who(), self.kind, x, hx, self.weight_ih, self.weight_hh, b_ih, b_hh)
        return fn(x, hx, self.weight_ih, self.weight_hh, b_ih, b_hh, **opts)

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if not self.bias:
            s += ", bias=False"
        if getattr(self, "nonlinearity", "tanh") != "tanh":
            s += f", nonlinearity={self.nonlinearity!r}"
        return s


class RNNCell(_CellBase):
    """One Elman RNN step: h' = act(W_ih x + b_ih + W_hh h + b_hh), act = tanh or relu.

    forward(x, hx=None): x (N, input_size) or (input_size,), hx of shape (N, H) or (H,) (None:
    zeros). Returns h' of hx's shape.

    >>> RNNCell(3, 8)(gn.randn(4, 3)).shape
    (4, 8)
    """

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, nonlinearity: str = "tanh",
                 device=None, dtype=None):
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"RNNCell: nonlinearity must be 'tanh' or 'relu', got {nonlinearity!r}")
        self.nonlinearity = nonlinearity
        super().__init__(input_size, hidden_size, bias, device, dtype)

    def forward(self, x, hx=None):
        return self._call(F.rnn_cell, x, hx, nonlinearity=self.nonlinearity)


class LSTMCell(_CellBase):
    """One LSTM step: gates i, f, g, o; c' = f*c + i*g, h' = o*tanh(c').

    forward(x, hx=None): x (N, input_size) or (input_size,), hx = (h, c) each (N, H) or (H,).
    Returns (h', c').

    >>> h, c = LSTMCell(3, 8)(gn.randn(4, 3)); h.shape, c.shape
    ((4, 8), (4, 8))
    """

    kind, gates = "lstm", 4

    def forward(self, x, hx=None):
        return self._call(F.lstm_cell, x, hx)


class GRUCell(_CellBase):
    """One GRU step: gates r, z, n; n = tanh(W_in x + b_in + r*(W_hn h + b_hn)), h' = (1-z)*n + z*h.

    forward(x, hx=None) -> h', shapes as RNNCell.

    >>> GRUCell(3, 8)(gn.randn(3)).shape
    (8,)
    """

    kind, gates = "gru", 3

    def forward(self, x, hx=None):
        return self._call(F.gru_cell, x, hx)
