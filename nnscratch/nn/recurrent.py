"""Recurrent layers: Elman RNN, LSTM, GRU (stacked, bidirectional) and their single-step cells.

The sequence layers run each layer and direction as one fused op from
:mod:`nnscratch.ops.recurrent` (input projections in one GEMM, BPTT backward).  The cells are the
readable reference: each step is composed from ``linear``, ``sigmoid``, ``tanh`` and products,
exactly as the equations read, and the tests check that unrolling a cell over time gives the
fused layers' outputs and gradients.

Parameter names, shapes, gate orders and initialisation follow PyTorch: per layer ``k`` and
direction, ``weight_ih_l{k}`` ``(G·H, in)``, ``weight_hh_l{k}`` ``(G·H, H)``, ``bias_ih_l{k}``,
``bias_hh_l{k}`` ``(G·H,)`` with suffix ``_reverse`` for the backward direction, G = 1 (RNN),
4 (LSTM: i, f, g, o) or 3 (GRU: r, z, n), all drawn from U(-1/√H, 1/√H).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .. import ops
from .._checks import as_tensor, check_bool, check_int, positive_int
from ..autograd.core import ShapeError
from ..ops.recurrent import gru_sequence, lstm_sequence, rnn_sequence
from ..tensor import as_tensor as _as_tensor
from . import init
from .module import Module, Parameter
from .utils.rnn import PackedSequence, put_rows, reversed_rows, step_major_rows, take_rows

_GATES = {"RNN": 1, "LSTM": 4, "GRU": 3}


def _uniform(shape, hidden_size):
    bound = 1.0 / np.sqrt(hidden_size)
    return Parameter(init.uniform(-bound, bound, shape))


def _check_state(h, expected, owner, name):
    h = as_tensor(h, owner)
    if tuple(h.shape) != expected:
        raise ValueError(f"{owner}: expected {name} of shape {expected}, "
                         f"got {tuple(h.shape)}")
    return h


def _reorder(x, rows):
    """Permute the ``(T, N)`` grid of a time-major ``(T, N, F)`` tensor by flat ``rows``."""
    T, N, F = x.shape
    return take_rows(x.reshape(T * N, F), index=rows).reshape(T, N, F)


def detach_state(state):
    """Cut a recurrent state (a Tensor, a tuple of them, or None) from the graph.

    Truncated BPTT: carry the values of the last state into the next batch of a long stream, but
    not the gradient path, so backward stops at the batch boundary.
    """
    if state is None:
        return None
    if isinstance(state, (tuple, list)):
        return type(state)(detach_state(s) for s in state)
    return state.detach()


class _RNNBase(Module):
    """Shared machinery of :class:`RNN`, :class:`LSTM` and :class:`GRU`."""

    mode = "RNN"

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, device: Any = None, dtype: Any = None):
        owner = type(self).__name__
        self.input_size = positive_int(input_size, "input_size", owner)
        self.hidden_size = positive_int(hidden_size, "hidden_size", owner)
        self.num_layers = positive_int(num_layers, "num_layers", owner)
        self.bias = check_bool(bias, "bias", owner)
        self.batch_first = check_bool(batch_first, "batch_first", owner)
        self.bidirectional = check_bool(bidirectional, "bidirectional", owner)
        if not (isinstance(dropout, (int, float)) and 0.0 <= dropout < 1.0):
            raise ValueError(f"{owner}: dropout must be a number in [0, 1), got {dropout!r}")
        self.dropout = float(dropout)
        H, R = self.hidden_size, self.state_size
        G = _GATES[self.mode] * H
        D = 2 if self.bidirectional else 1
        for k in range(self.num_layers):
            layer_in = self.input_size if k == 0 else R * D
            for d in range(D):
                sfx = f"_l{k}" + ("_reverse" if d else "")
                setattr(self, "weight_ih" + sfx, _uniform((G, layer_in), H))
                setattr(self, "weight_hh" + sfx, _uniform((G, R), H))
                setattr(self, "bias_ih" + sfx, _uniform((G,), H) if self.bias else None)
                setattr(self, "bias_hh" + sfx, _uniform((G,), H) if self.bias else None)
                if R != H:                                   # LSTM's projection
                    setattr(self, "weight_hr" + sfx, _uniform((R, H), H))
        self._factory(device, dtype)

    def flatten_parameters(self) -> None:
        """A no-op, as torch's on the CPU (cuDNN's packed weight buffer does not exist here)."""

    @property
    def state_size(self) -> int:
        """The size of h: hidden_size, or an LSTM's proj_size."""
        return getattr(self, "proj_size", 0) or self.hidden_size

    @property
    def num_directions(self) -> int:
        return 2 if self.bidirectional else 1

    def _weights(self, k, d):
        sfx = f"_l{k}" + ("_reverse" if d else "")
        names = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
        if self.state_size != self.hidden_size:
            names += ("weight_hr",)
        return tuple(getattr(self, n + sfx) for n in names)

    def _check_input(self, x):
        owner = type(self).__name__
        x = as_tensor(x, owner)
        if x.ndim not in (2, 3):
            layout = "(N, T, input_size)" if self.batch_first else "(T, N, input_size)"
            raise ValueError(f"{owner}: expected a 3-D input {layout} or a 2-D unbatched input "
                             f"(T, input_size), got shape {tuple(x.shape)}")
        if x.shape[-1] != self.input_size:     # torch: a RuntimeError; ShapeError is both
            raise ShapeError(f"{owner}: expected input with last dimension (input_size) "
                             f"{self.input_size}, got shape {tuple(x.shape)}")
        if x.dtype.kind != "f":
            raise TypeError(f"{owner}: input must be floating point, got dtype {x.dtype}")
        if x.numel() == 0:
            raise ValueError(f"{owner}: expected at least one sequence of at least one step, "
                             f"got an empty input of shape {tuple(x.shape)}")
        dt = self.weight_ih_l0.dtype
        if x.dtype != dt:
            x = x.astype(dt)
        return x

    def _prepare(self, x):
        """Check the input and batch it if needed; returns (x, batched, N)."""
        x = self._check_input(x)
        batched = x.ndim == 3
        if not batched:
            x = ops.reshape(x, (1,) + x.shape) if self.batch_first else \
                ops.reshape(x, (x.shape[0], 1, x.shape[1]))
        N = x.shape[0] if self.batch_first else x.shape[1]
        return x, batched, N

    def _state(self, h, N, batched, name):
        owner = type(self).__name__
        LD = self.num_layers * self.num_directions
        H = self.hidden_size if name == "c0" else self.state_size
        if h is None:
            return None
        expected = (LD, N, H) if batched else (LD, H)
        h = _check_state(h, expected, owner, name)
        if not batched:
            h = ops.reshape(h, (LD, 1, H))
        dt = self.weight_ih_l0.dtype
        return h.astype(dt) if h.dtype != dt else h

    def _run(self, x, states, batch_first=None, batch_sizes=None):
        """Run every layer and direction; ``states`` is a list (one per state kind) of
        ``(L·D, N, H)`` tensors or None.  Returns the last layer's output and final states.

        With ``batch_sizes`` (a packed batch, time-major, sorted by decreasing length) the
        reverse direction reads each sequence reversed within its own length."""
        D = self.num_directions
        batch_first = self.batch_first if batch_first is None else batch_first
        finals = [[] for _ in states]
        # packed: the reverse direction reads each sequence flipped within its length
        rev = (reversed_rows(batch_sizes, x.shape[1]) if batch_sizes is not None and D == 2
               else None)
        for k in range(self.num_layers):
            outs = []
            for d in range(D):
                idx = k * D + d
                init_states = [None if s is None else s[idx] for s in states]
                flip = bool(d) and rev is not None
                res = self._sequence(_reorder(x, rev) if flip else x, init_states,
                                     self._weights(k, d), reverse=bool(d) and rev is None,
                                     batch_first=batch_first, batch_sizes=batch_sizes)
                outs.append(_reorder(res[0], rev) if flip else res[0])
                for lst, s in zip(finals, res[1:]):
                    lst.append(s)
            x = outs[0] if D == 1 else ops.concatenate(outs, axis=-1)
            if self.dropout and self.training and k < self.num_layers - 1:
                x = ops.dropout(x, self.dropout, True)
        return x, [ops.stack(f, axis=0) for f in finals]

    def _run_packed(self, packed, states):
        """A :class:`PackedSequence` through every layer: unpacked to a time-major batch
        sorted by length, run with ``batch_sizes``, the output packed again and the final
        states put back in the caller's batch order."""
        owner = type(self).__name__
        data = as_tensor(packed.data, owner)
        if data.ndim != 2 or data.shape[1] != self.input_size:
            raise ValueError(f"{owner}: expected packed data of shape (Σ lengths, "
                             f"{self.input_size}), got {tuple(data.shape)}")
        dt = self.weight_ih_l0.dtype
        data = data.astype(dt) if data.dtype != dt else data
        bs = np.asarray(packed.batch_sizes)
        N, T = int(bs[0]), len(bs)
        rows = step_major_rows(bs, N)
        x = put_rows(data, index=rows, rows=T * N).reshape(T, N, self.input_size)
        order, back = packed.sorted_indices, packed.unsorted_indices
        states = [self._state(s, N, True, name) for s, name in states]
        if order is not None:
            states = [None if s is None else ops.getitem(s, (slice(None), np.asarray(order)))
                      for s in states]
        out, finals = self._run(x, states, batch_first=False, batch_sizes=bs)
        out = take_rows(out.reshape(T * N, out.shape[-1]), index=rows)
        if back is not None:
            finals = [ops.getitem(f, (slice(None), np.asarray(back))) for f in finals]
        return PackedSequence(out, bs, order, back), finals

    def forward(self, x: Any, h0: Any = None) -> tuple[Any, Any]:
        """``(output, h_n)`` for layers with one state (RNN, GRU); LSTM overrides it.

        ``x`` may be a :class:`~nnscratch.nn.utils.rnn.PackedSequence` (variable lengths);
        the output is then packed too, as in PyTorch."""
        if isinstance(x, PackedSequence):
            out, (h_n,) = self._run_packed(x, [(h0, "h0")])
            return out, h_n
        x, batched, N = self._prepare(x)
        out, finals = self._run(x, [self._state(h0, N, batched, "h0")])
        out, (h_n,) = self._finish(out, finals, batched)
        return out, h_n

    def _finish(self, out, finals, batched):
        if batched:
            return out, finals
        out = ops.reshape(out, out.shape[1:] if self.batch_first else
                          (out.shape[0], out.shape[2]))
        return out, [ops.reshape(f, (f.shape[0], f.shape[2])) for f in finals]

    def extra_repr(self):
        s = f"{self.input_size}, {self.hidden_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if not self.bias:
            s += ", bias=False"
        if self.batch_first:
            s += ", batch_first=True"
        if self.dropout:
            s += f", dropout={self.dropout}"
        if self.bidirectional:
            s += ", bidirectional=True"
        if getattr(self, "proj_size", 0):
            s += f", proj_size={self.proj_size}"
        return s


class RNN(_RNNBase):
    """Elman RNN, ``h_t = φ(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh)`` with φ = tanh or relu
    (000 eq. 9.3-9.4; Elman 1990).  Matches torch.nn.RNN (``batch_first=False`` by default).

    Args:
        input_size, hidden_size: feature sizes of x_t and h_t.
        num_layers: stacked layers (default 1); layer k > 0 reads layer k-1's outputs.
        nonlinearity: ``"tanh"`` (default) or ``"relu"``.
        bias: whether to use ``bias_ih``/``bias_hh`` (default True).
        batch_first: input ``(N, T, F)`` if True, else ``(T, N, F)`` (the default, as torch).
        bidirectional: add a second direction reading the sequence backwards (default False).
        dropout: dropout on the outputs of every layer but the last, in training (default 0).

    Shape:
        x ``(N, T, input_size)``, h0 ``(num_layers·D, N, H)`` or None (zeros)
        -> output ``(N, T, D·H)`` (last layer, both directions concatenated),
        h_n ``(num_layers·D, N, H)``; D = 2 if bidirectional else 1.  A 2-D ``(T, input_size)``
        input is one unbatched sequence (states then lose their N axis), as in PyTorch.
    """

    mode = "RNN"

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 nonlinearity: str = "tanh", bias: bool = True, batch_first: bool = False,
                 dropout: float = 0.0, bidirectional: bool = False, device: Any = None,
                 dtype: Any = None):
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"RNN: nonlinearity must be 'tanh' or 'relu', got {nonlinearity!r}")
        self.nonlinearity = nonlinearity
        super().__init__(input_size, hidden_size, num_layers, bias, batch_first, dropout,
                         bidirectional, device, dtype)

    def _sequence(self, x, states, w, **kw):
        return rnn_sequence(x, states[0], *w, nonlinearity=self.nonlinearity, **kw)


class LSTM(_RNNBase):
    """Long short-term memory (Hochreiter & Schmidhuber 1997; 000 eq. 9.33-9.38), matches
    torch.nn.LSTM (gate rows i, f, g, o; ``batch_first=False`` by default)::

        i, f, o = σ(W_i· x_t + b_i· + W_h· h_{t-1} + b_h·)   g = tanh(…)
        c_t = f ⊙ c_{t-1} + i ⊙ g                          h_t = o ⊙ tanh(c_t)

    Args: as :class:`RNN` (no nonlinearity), and ``proj_size`` (default 0: none): with
    ``0 < proj_size < hidden_size``, ``h_t = W_hr (o ⊙ tanh(c_t))`` is projected down to
    ``proj_size`` (PyTorch's ``weight_hr_l{k}``), which makes h, the output and W_hh smaller.

    Shape:
        x ``(N, T, input_size)``, optional state ``(h0, c0)``, ``(num_layers·D, N, R)`` and
        ``(num_layers·D, N, H)`` -> output ``(N, T, D·R)``, ``(h_n, c_n)`` the same as the
        state; R = proj_size or H.
    """

    mode = "LSTM"

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, proj_size: int = 0, device: Any = None,
                 dtype: Any = None):
        hidden = positive_int(hidden_size, "hidden_size", "LSTM")
        self.proj_size = check_int(proj_size, "proj_size", "LSTM", 0)
        if self.proj_size >= hidden:
            raise ValueError(f"LSTM: proj_size must be smaller than hidden_size ({hidden}), "
                             f"got {proj_size}")
        super().__init__(input_size, hidden_size, num_layers, bias, batch_first, dropout,
                         bidirectional, device, dtype)

    def _sequence(self, x, states, w, **kw):
        return lstm_sequence(x, states[0], states[1], *w, **kw)

    def forward(self, x: Any, h0: Any = None) -> tuple[Any, Any]:
        """``h0`` is the initial state ``(h0, c0)`` (named as in the other recurrent layers);
        ``x`` may be a PackedSequence, as in :meth:`RNN.forward`."""
        state, h0 = h0, None
        c0 = None
        if state is not None and not (isinstance(state, (tuple, list)) and len(state) == 2):
            raise TypeError(f"LSTM: h0, the initial state, must be a tuple (h0, c0), "
                            f"got {type(state).__name__}")
        if isinstance(x, PackedSequence):
            h0, c0 = (None, None) if state is None else state
            out, (h_n, c_n) = self._run_packed(x, [(h0, "h0"), (c0, "c0")])
            return out, (h_n, c_n)
        x, batched, N = self._prepare(x)
        if state is not None:
            h0 = self._state(state[0], N, batched, "h0")
            c0 = self._state(state[1], N, batched, "c0")
        out, finals = self._run(x, [h0, c0])
        out, (h_n, c_n) = self._finish(out, finals, batched)
        return out, (h_n, c_n)


class GRU(_RNNBase):
    """Gated recurrent unit (Cho et al. 2014; 000 eq. 9.39-9.42), gate rows r, z, n::

        r = σ(W_ir x + b_ir + W_hr h + b_hr),   z = σ(W_iz x + b_iz + W_hz h + b_hz)
        reset_after=True:  n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))   (torch.nn.GRU)
        reset_after=False: n = tanh(W_in x + b_in + W_hn (r ⊙ h) + b_hn)   (Cho et al., 000)
        h_t = (1 - z) ⊙ n + z ⊙ h_{t-1}

    Both formulations have the same parameters (names and shapes as torch.nn.GRU); only where
    the reset gate acts differs.  ``batch_first=False`` by default, as torch.

    Shape: as :class:`RNN`.
    """

    mode = "GRU"

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, device: Any = None, dtype: Any = None, *,
                 reset_after: bool = True):
        self.reset_after = check_bool(reset_after, "reset_after", "GRU")
        super().__init__(input_size, hidden_size, num_layers, bias, batch_first, dropout,
                         bidirectional, device, dtype)

    def _sequence(self, x, states, w, **kw):
        return gru_sequence(x, states[0], *w, reset_after=self.reset_after, **kw)

    def extra_repr(self):
        s = super().extra_repr()
        return s + (", reset_after=False" if not self.reset_after else "")


# --------------------------------------------------------------------------- cells


class _CellBase(Module):
    gates = 1

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 device: Any = None, dtype: Any = None):
        owner = type(self).__name__
        self.input_size = positive_int(input_size, "input_size", owner)
        self.hidden_size = positive_int(hidden_size, "hidden_size", owner)
        G = self.gates * self.hidden_size
        self.weight_ih = _uniform((G, self.input_size), self.hidden_size)
        self.weight_hh = _uniform((G, self.hidden_size), self.hidden_size)
        self.bias_ih = _uniform((G,), self.hidden_size) if bias else None
        self.bias_hh = _uniform((G,), self.hidden_size) if bias else None
        self._factory(device, dtype)

    def _input(self, x):
        owner = type(self).__name__
        x = as_tensor(x, owner)
        if x.ndim not in (1, 2) or x.shape[-1] != self.input_size:
            raise ValueError(f"{owner}: expected input of shape (N, {self.input_size}) or "
                             f"({self.input_size},), got {tuple(x.shape)}")
        dt = self.weight_ih.dtype
        return x.astype(dt) if x.dtype != dt else x

    def _hidden(self, h, x, name):
        owner = type(self).__name__
        shape = x.shape[:-1] + (self.hidden_size,)
        if h is None:
            return _as_tensor(np.zeros(shape, self.weight_ih.dtype))
        return _check_state(h, shape, owner, name)

    def _affine(self, x, h):
        """The two affine maps of every gate at once: ``(W_ih x + b_ih, W_hh h + b_hh)``."""
        return (ops.linear(x, self.weight_ih, self.bias_ih),
                ops.linear(h, self.weight_hh, self.bias_hh))

    def _split(self, a):
        H = self.hidden_size
        return [ops.getitem(a, (Ellipsis, slice(j * H, (j + 1) * H))) for j in range(self.gates)]

    def extra_repr(self):
        return f"{self.input_size}, {self.hidden_size}" + ("" if self.bias_ih is not None
                                                            else ", bias=False")


class RNNCell(_CellBase):
    """One Elman step, ``h' = φ(W_ih x + b_ih + W_hh h + b_hh)`` (matches torch.nn.RNNCell).

    Shape: x ``(N, input_size)``, h ``(N, H)`` or None (zeros) -> h' ``(N, H)``.
    """

    gates = 1

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 nonlinearity: str = "tanh", device: Any = None, dtype: Any = None):
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"RNNCell: nonlinearity must be 'tanh' or 'relu', "
                             f"got {nonlinearity!r}")
        self.nonlinearity = nonlinearity
        super().__init__(input_size, hidden_size, bias, device, dtype)

    def forward(self, x, h=None):
        x = self._input(x)
        h = self._hidden(h, x, "h")
        a, b = self._affine(x, h)
        z = a + b
        return ops.tanh(z) if self.nonlinearity == "tanh" else ops.relu(z)


class LSTMCell(_CellBase):
    """One LSTM step (000 eq. 9.33-9.38), matches torch.nn.LSTMCell (gate rows i, f, g, o).

    Shape: x ``(N, input_size)``, state ``(h, c)`` each ``(N, H)`` or None -> ``(h', c')``.
    """

    gates = 4

    def forward(self, x, state=None):
        x = self._input(x)
        if state is None:
            h = c = self._hidden(None, x, "h")
        else:
            h, c = self._hidden(state[0], x, "h"), self._hidden(state[1], x, "c")
        a, b = self._affine(x, h)
        i, f, g, o = self._split(a + b)
        i, f, g, o = ops.sigmoid(i), ops.sigmoid(f), ops.tanh(g), ops.sigmoid(o)
        c = f * c + i * g                  # the cell state: a conveyor belt with two gates
        h = o * ops.tanh(c)
        return h, c


class GRUCell(_CellBase):
    """One GRU step (000 eq. 9.39-9.42), gate rows r, z, n; ``reset_after=True`` matches
    torch.nn.GRUCell, ``reset_after=False`` is Cho et al.'s ``n = tanh(W_in x + W_hn (r ⊙ h) + b)``.

    Shape: x ``(N, input_size)``, h ``(N, H)`` or None -> h' ``(N, H)``.
    """

    gates = 3

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 device: Any = None, dtype: Any = None, *, reset_after: bool = True):
        self.reset_after = check_bool(reset_after, "reset_after", "GRUCell")
        super().__init__(input_size, hidden_size, bias, device, dtype)

    def forward(self, x, h=None):
        x = self._input(x)
        h = self._hidden(h, x, "h")
        H = self.hidden_size
        a, b = self._affine(x, h)
        ar, az, an = self._split(a)
        br, bz, bn = self._split(b)
        r = ops.sigmoid(ar + br)
        z = ops.sigmoid(az + bz)
        if self.reset_after:
            n = ops.tanh(an + r * bn)
        else:
            w_hn = ops.getitem(self.weight_hh, slice(2 * H, 3 * H))
            b_hn = None if self.bias_hh is None else ops.getitem(self.bias_hh,
                                                                  slice(2 * H, 3 * H))
            n = ops.tanh(an + ops.linear(r * h, w_hn, b_hn))
        return (1 - z) * n + z * h
