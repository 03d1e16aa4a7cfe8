"""Whole-sequence recurrent ops: one fused op per layer and direction, backward = BPTT.

Each op runs a full sequence in one call.  The input projections of all T steps are one GEMM,
``W_ih X_tᵀ + b`` for every t at once; only the recurrent product ``W_hh h_{t-1}`` stays in the
time loop.  The backward pass is backpropagation through time (000 eq. 9.12-9.24): walking
t = T-1 … 0 it forms the pre-activation gradients δ_t of every gate, keeps them in one array Δ,
and carries only ``W_hhᵀ δ_t`` (one small GEMM) back to step t-1.  The weight gradients are sums
over time, so they are computed *after* the loop, all in one GEMM (000 eq. 9.20-9.22)::

    dW_ih = Σ_t δ_t x_tᵀ = Δ X        dW_hh = Σ_t δ_t h_{t-1}ᵀ = Δ H_prev      db = Σ_t Σ_n δ_t
    [dW_ih | db | dW_hh] = Δ [X | 1 | H_prev]

Implementation notes (all for speed, none change the maths):

* Inside an op every per-step quantity is *feature-major*, ``(features, N)``, as the equations
  are written (``h_t = φ(W_hh h_{t-1} + …)`` with h a column per example).  Each gate is then a
  contiguous block of rows, so the ~10 elementwise updates per step run on contiguous memory,
  and ``W_hh h`` with h ``(H, N)`` is the GEMM shape OpenBLAS runs fastest (measured with
  N = 32, H = 256: 1.6x faster than the batch-major ``h W_hhᵀ``).  Layouts: states
  ``(T+1, H, N)``; gate activations ``(T, G, N)``, filled in place over the input projections
  that one batched GEMM writes there; Δ ``(T, G, N)``, copied once into ``(G, T·N)`` for the
  weight-gradient GEMM (reading or writing a ``(G, T, N)`` array one step at a time touches
  G rows far apart and cost more than that copy).  Time runs in *processing order*: the
  reverse direction of a bidirectional layer is the same loop over the time-flipped sequence.
  Together with the points below this took the char-LSTM benchmark from 1.62x to 1.2-1.3x
  PyTorch's time.
* Sigmoid gates use σ(z) = ½ tanh(z/2) + ½.  Scaling the sigmoid rows of the weights by ½ (exact
  in binary floating point) lets a single ``tanh`` call cover all gates of a step; the LSTM gates
  are reordered to (i, f, o, g) so the sigmoid ones are contiguous.  Gradients are mapped back to
  PyTorch's row order after the loop.
* Every per-step temporary is preallocated and every elementwise op writes ``out=``.
* When x needs no gradient (the engine's ``needs_input_grad``, False under ``no_grad`` too; e.g.
  one-hot or embedded-and-frozen inputs) the ``Δᵀ W_ih`` GEMM for dx is skipped.

Variable lengths (``batch_sizes``, the layers' path for a PackedSequence): examples sorted by
decreasing length, ``batch_sizes[t]`` of them still running at step t, so the finished ones are
a trailing block of columns.  The step is computed for every column as usual, then the
finished columns get their previous state back (h_t = h_{t-1}: the state stops at each
sequence's end); in the backward pass their δ is zeroed and dh, dc pass through unchanged.
Outputs past a sequence's end hold that last state and receive no gradient.

Gate orders and parameter layouts match ``torch.nn.RNN/LSTM/GRU``: LSTM rows ``i, f, g, o``,
GRU rows ``r, z, n``.
"""
from __future__ import annotations

import numpy as np

from .. import kernels
from ..autograd import fused
from .recurrent_composite import gru_composite, lstm_composite, rnn_composite

# --------------------------------------------------------------------------- layout helpers


def _to_processing(a, batch_first, reverse):
    """View of a sequence array ``(N, T, F)``/``(T, N, F)`` as time-major, in processing order."""
    if batch_first:
        a = a.swapaxes(0, 1)
    return a[::-1] if reverse else a


def _from_processing(a, batch_first, reverse):
    """Inverse of :func:`_to_processing`, as a contiguous array."""
    if reverse:
        a = a[::-1]
    if batch_first:
        a = a.swapaxes(0, 1)
    return np.ascontiguousarray(a)


def _bias_sum(dt, G, *bs):
    total = np.zeros(G, dt)
    for b in bs:
        if b is not None:
            total += b
    return total


def _states(s0, T, N, H, dt):
    """Buffer of the states s_0 … s_T, feature-major ``(T+1, H, N)``; s_0 from ``(N, H)`` or 0."""
    s = np.empty((T + 1, H, N), dt)
    s[0] = 0 if s0 is None else s0.T
    return s


def _batch_major(s):
    """A feature-major ``(H, N)`` state as the caller's ``(N, H)``."""
    return np.ascontiguousarray(s.T)


def _active(batch_sizes, t, N):
    """How many leading examples are still inside their sequence at step t (all of them
    without ``batch_sizes``)."""
    return N if batch_sizes is None else int(batch_sizes[t])


def _state_grad(g, dt):
    """A ``(N, H)`` state gradient as a fresh feature-major ``(H, N)`` accumulator."""
    return np.array(g.T, dtype=dt, order="C")


class _Layout:
    """Moves a sequence between the caller's layout and the ops' internal one.

    The inputs go into the rows of ``Z = [x_t | 1 | h_{t-1}]``, time-major in processing order,
    shape ``(T·N, I+1+H)``: the bias is one more column of the input weights, and after the
    backward loop has filled in h_{t-1}, the single GEMM ``Δ Z = [dW_ih | db | dW_hh]`` gives
    all weight gradients (000 eq. 9.20-9.22) at once.
    """

    def __init__(self, x, H, batch_first, reverse, dtype):
        self.batch_first, self.reverse, self.dtype = batch_first, reverse, dtype
        xs = _to_processing(x, batch_first, reverse)
        self.T, self.N, self.I = T, N, I = xs.shape
        self.Z = np.empty((T * N, I + 1 + H), dtype)
        Z3 = self.Z.reshape(T, N, -1)
        Z3[..., :I] = xs
        Z3[..., I] = 1

    def projection(self, w, b):
        """``W x_t + b`` for all steps in one batched GEMM, feature-major ``(T, G, N)``."""
        w1 = np.concatenate([w, b[:, None]], axis=1)
        X1 = self.Z[:, :self.I + 1].reshape(self.T, self.N, -1)
        return np.matmul(w1, X1.transpose(0, 2, 1))

    def outputs(self, hs):
        """The states h_1 … h_T in the caller's layout ``(N, T, H)``/``(T, N, H)``, contiguous.

        Copied one step at a time: a ``(H, N)`` state transposed into its ``(N, H)`` slot stays
        in cache, where the whole ``(T, H, N) -> (N, T, H)`` transposition at once (what the
        next layer's reshape would do to a view) does not (measured for T, N, H = 64, 32, 256:
        0.25 ms against 0.95 ms)."""
        T, H, N = hs.shape[0] - 1, hs.shape[1], hs.shape[2]
        out = np.empty((N, T, H) if self.batch_first else (T, N, H), hs.dtype)
        for t in range(T):
            pos = T - 1 - t if self.reverse else t
            np.copyto(out[:, pos] if self.batch_first else out[pos], hs[t + 1].T)
        return out

    def output_grads(self, g_out):
        """∂E/∂h_t for t = T-1 … 0, each a feature-major ``(H, N)`` view of a reused buffer.

        Each step's ``(N, H)`` slice is first copied whole: adding it transposed straight from
        ``g_out``, whose rows are T·H apart, was 2x slower."""
        g = _to_processing(g_out, self.batch_first, self.reverse)
        buf = np.empty(g.shape[1:], self.dtype)
        for t in range(self.T - 1, -1, -1):
            np.copyto(buf, g[t])
            yield t, buf.T

    def flat(self, delta):
        """Δ from its per-step ``(T, G, N)`` buffer to the ``(G, T·N)`` left operand of the
        weight-gradient GEMMs (one transposing copy)."""
        return delta.transpose(1, 0, 2).reshape(delta.shape[1], -1)

    def weight_grads(self, flat, prev):
        """``(dW_ih, db, dW_hh)`` from ``Δ Z``, with ``prev`` ``(T, H, N)`` the states that
        multiply W_hh (h_0 … h_{T-1}) written into Z's last H columns first."""
        I = self.I
        self.Z[:, I + 1:].reshape(self.T, self.N, -1)[...] = prev.transpose(0, 2, 1)
        full = flat @ self.Z
        return np.ascontiguousarray(full[:, :I]), full[:, I].copy(), \
            np.ascontiguousarray(full[:, I + 1:])

    def input_grad(self, *terms):
        """dx = Σ Δᵀ W_ih over ``(Δ, W_ih)`` row-block pairs, back in the caller's layout."""
        dx = sum(flat.T @ w for flat, w in terms).reshape(self.T, self.N, -1)
        return _from_processing(dx, self.batch_first, self.reverse)


# --------------------------------------------------------------------------- Elman RNN


@fused(composite=rnn_composite)   # create_graph: the time loop of recorded ops
def rnn_sequence(x, h0, w_ih, w_hh, b_ih=None, b_hh=None, *, nonlinearity="tanh",
                 batch_first=True, reverse=False, batch_sizes=None, needs_input_grad=()):
    """Elman RNN over a whole sequence: ``h_t = φ(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh)``.

    φ is tanh (000 eq. 9.3-9.4) or relu.  Matches one layer/direction of torch.nn.RNN.

    Shape:
        x ``(N, T, I)`` (``(T, N, I)`` if not batch_first), h0 ``(N, H)`` or None (zeros),
        w_ih ``(H, I)``, w_hh ``(H, H)``, b_ih, b_hh ``(H,)`` or None
        -> output ``(N, T, H)`` (all h_t; the reverse direction's h_t at position t), h_n ``(N, H)``
    BPTT (000 eq. 9.17): δ_t = (∂E/∂h_t + W_hhᵀ δ_{t+1}) ⊙ φ'(z_t).
    """
    dt = w_ih.dtype
    H = w_hh.shape[0]
    seq = _Layout(x, H, batch_first, reverse, dt)
    T, N = seq.T, seq.N
    hs = _states(h0, T, N, H, dt)
    hs[1:] = seq.projection(w_ih, _bias_sum(dt, H, b_ih, b_hh))
    tanh = nonlinearity == "tanh"
    rec = np.empty((H, N), dt)
    for t in range(T):
        a = hs[t + 1]                                # holds W_ih x_t + b until now
        np.matmul(w_hh, hs[t], out=rec)
        a += rec
        if tanh:
            np.tanh(a, out=a)
        else:
            np.maximum(a, 0, out=a)
        n = _active(batch_sizes, t, N)
        if n < N:
            a[:, n:] = hs[t][:, n:]

    def vjp(grads):
        g_out, g_hn = grads
        w_hh_t = np.ascontiguousarray(w_hh.T)
        delta = np.empty((T, H, N), dt)
        dh = _state_grad(g_hn, dt)
        for t, g_t in seq.output_grads(g_out):
            n = _active(batch_sizes, t, N)
            kept = dh[:, n:].copy() if n < N else None     # finished: dh passes through
            dh += g_t
            d, h = delta[t], hs[t + 1]
            if tanh:
                np.multiply(h, h, out=d)
                np.subtract(1, d, out=d)
                d *= dh
            else:
                np.multiply(dh, h > 0, out=d)
            if kept is not None:
                d[:, n:] = 0
            np.matmul(w_hh_t, d, out=dh)
            if kept is not None:
                dh[:, n:] = kept
        flat = seq.flat(delta)
        dw_ih, db, dw_hh = seq.weight_grads(flat, hs[:-1])
        return (seq.input_grad((flat, w_ih)) if needs_input_grad[0] else None,
                None if h0 is None else _batch_major(dh),
                dw_ih,
                dw_hh,
                None if b_ih is None else db,
                None if b_hh is None else db.copy())

    return (seq.outputs(hs), _batch_major(hs[T])), vjp


# --------------------------------------------------------------------------- LSTM


def _lstm_perm(H):
    """Row permutation PyTorch (i, f, g, o) -> internal (i, f, o, g), and its inverse."""
    idx = np.arange(4 * H).reshape(4, H)
    perm = idx[[0, 1, 3, 2]].reshape(-1)
    return perm, np.argsort(perm)


@fused(composite=lstm_composite)   # create_graph: the time loop of recorded ops
def lstm_sequence(x, h0, c0, w_ih, w_hh, b_ih=None, b_hh=None, w_hr=None, *, batch_first=True,
                  reverse=False, batch_sizes=None, needs_input_grad=()):
    """LSTM over a whole sequence (Hochreiter & Schmidhuber 1997; 000 eq. 9.33-9.38).

        i, f, o = σ(W_i· x_t + W_h· h_{t-1} + b)      g = tanh(W_ig x_t + W_hg h_{t-1} + b_g)
        c_t = f ⊙ c_{t-1} + i ⊙ g                     h_t = o ⊙ tanh(c_t)

    With ``w_hr`` ``(P, H)`` (PyTorch's ``proj_size``, Sak et al. 2014) the state that is output
    and fed back is projected: ``h_t = W_hr (o ⊙ tanh(c_t))``, of size P < H.  Matches one
    layer/direction of torch.nn.LSTM (gate rows i, f, g, o; b = b_ih + b_hh).

    Shape:
        x ``(N, T, I)`` (``(T, N, I)`` if not batch_first), h0 ``(N, R)``, c0 ``(N, H)`` or None
        (zeros), w_ih ``(4H, I)``, w_hh ``(4H, R)``, b_ih, b_hh ``(4H,)`` or None, w_hr ``(P, H)``
        or None; R = P with a projection, else H
        -> output ``(N, T, R)``, h_n ``(N, R)``, c_n ``(N, H)``
    BPTT: with dh_t = ∂E/∂h_t + W_hhᵀ δ_{t+1}, dm_t = W_hrᵀ dh_t (dm_t = dh_t without a
    projection) and dc_t = dc_{t+1} ⊙ f_{t+1} + dm_t ⊙ o ⊙ tanh'(c_t),
    δ_i = dc_t g σ'(i), δ_f = dc_t c_{t-1} σ'(f), δ_o = dm_t tanh(c_t) σ'(o),
    δ_g = dc_t i tanh'(g); dW_hr = Σ_t dh_t (o ⊙ tanh(c_t))ᵀ.
    """
    tape = _LSTMTape(x, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr, batch_first, reverse, batch_sizes)
    tape.forward()

    def vjp(grads):
        return tape.backward(*grads, needs_input_grad[0])

    return tape.outputs(), vjp


class _LSTMTape:
    """One LSTM layer/direction run over a sequence: the forward time loop, the arrays BPTT
    reads (the tape), and the backward loop.  Internally the gates are in the order
    (i, f, o, g) and the sigmoid rows of the weights are pre-halved (module docstring)."""

    def __init__(self, x, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr, batch_first, reverse,
                 batch_sizes):
        self.dt = dt = w_ih.dtype
        self.H = H = w_hh.shape[0] // 4
        R = w_hh.shape[1]                                # the fed-back state: P or H
        self.seq = seq = _Layout(x, R, batch_first, reverse, dt)
        T, N = seq.T, seq.N
        self.h0, self.c0, self.w_hh, self.w_hr = h0, c0, w_hh, w_hr
        self.batch_sizes = batch_sizes
        self.has_b_ih, self.has_b_hh = b_ih is not None, b_hh is not None
        perm, self.inv = _lstm_perm(H)
        self.perm = perm
        scale = np.ones((4 * H, 1), dt)
        scale[:3 * H] = 0.5                              # σ(z) = ½ tanh(z/2) + ½ on rows i, f, o
        self.w_ih_p = w_ih[perm]
        self.w_hh_s = w_hh[perm] * scale
        # gate activations (i, f, o, g) of every step, filled in place over W_ih x_t + b
        self.acts = seq.projection(self.w_ih_p * scale,
                                   _bias_sum(dt, 4 * H, b_ih, b_hh)[perm] * scale[:, 0])
        self.hs = _states(h0, T, N, R, dt)
        self.cs = _states(c0, T, N, H, dt)
        self.tcs = np.empty((T, H, N), dt)               # tanh(c_t)
        self.ms = None if w_hr is None else np.empty((T, H, N), dt)   # o ⊙ tanh(c_t), projected

    def outputs(self):
        T = self.seq.T
        return (self.seq.outputs(self.hs), _batch_major(self.hs[T]),
                _batch_major(self.cs[T]))

    def forward(self):
        """The time loop: one GEMM ``W_hh h_{t-1}`` and the cell's elementwise work per step
        (float32 on the compiled kernel when there is one, else NumPy, the reference)."""
        H, N, hs, cs, ms, acts = self.H, self.seq.N, self.hs, self.cs, self.ms, self.acts
        rec = np.empty((4 * H, N), self.dt)
        tmp = np.empty((H, N), self.dt)
        k = kernels.compiled("lstm") if self.dt == np.float32 else None
        for t in range(self.seq.T):
            a, c = acts[t], cs[t + 1]
            m = hs[t + 1] if ms is None else ms[t]      # o ⊙ tanh(c_t)
            np.matmul(self.w_hh_s, hs[t], out=rec)
            if k is not None:                           # the same cell in one pass
                k.cell_forward(a, rec, cs[t], c, self.tcs[t], m)
            else:
                a += rec
                np.tanh(a, out=a)
                s = a[:3 * H]
                s *= 0.5
                s += 0.5
                np.multiply(a[H:2 * H], cs[t], out=c)    # f ⊙ c_{t-1}
                np.multiply(a[:H], a[3 * H:], out=tmp)   # i ⊙ g
                c += tmp
                np.tanh(c, out=self.tcs[t])
                np.multiply(a[2 * H:3 * H], self.tcs[t], out=m)
            if ms is not None:
                np.matmul(self.w_hr, m, out=hs[t + 1])
            n = _active(self.batch_sizes, t, N)
            if n < N:
                hs[t + 1][:, n:] = hs[t][:, n:]
                c[:, n:] = cs[t][:, n:]

    def backward(self, g_out, g_hn, g_cn, needs_dx):
        """BPTT: the loop over t = T-1 … 0 fills Δ, then the weight gradients in one GEMM."""
        seq, T, N, H, dt = self.seq, self.seq.T, self.seq.N, self.H, self.dt
        w_hh_t = np.ascontiguousarray(self.w_hh[self.perm].T)
        delta = np.empty((T, 4 * H, N), dt)
        dh = _state_grad(g_hn, dt)
        dc = _state_grad(g_cn, dt)
        proj = self.w_hr is not None
        if proj:
            dhs = np.empty((T, dh.shape[0], N), dt)         # dh_t, for dW_hr
            dm = np.empty((H, N), dt)
            w_hr_t = np.ascontiguousarray(self.w_hr.T)
        if (k := kernels.compiled("lstm")) is not None:    # the same arithmetic in one pass
            cell = k.cell_backward
        else:
            cell = self.cell_backward_numpy(H, N, dt)
        for t, g_t in seq.output_grads(g_out):
            n = _active(self.batch_sizes, t, N)
            kept = (dh[:, n:].copy(), dc[:, n:].copy()) if n < N else None
            dh += g_t
            if not proj:
                dm = dh
            else:
                np.copyto(dhs[t], dh)
                if kept is not None:
                    dhs[t][:, n:] = 0
                np.matmul(w_hr_t, dh, out=dm)                 # through the projection
            cell(dm, dc, self.acts[t], self.tcs[t], self.cs[t], delta[t])
            if kept is not None:
                delta[t][:, n:] = 0
            np.matmul(w_hh_t, delta[t], out=dh)
            if kept is not None:
                dh[:, n:], dc[:, n:] = kept
        flat = seq.flat(delta)
        dw_ih, db, dw_hh = seq.weight_grads(flat, self.hs[:-1])
        db = db[self.inv]
        return (seq.input_grad((flat, self.w_ih_p)) if needs_dx else None,
                None if self.h0 is None else _batch_major(dh),
                None if self.c0 is None else _batch_major(dc),
                dw_ih[self.inv],
                dw_hh[self.inv],
                db if self.has_b_ih else None,
                db.copy() if self.has_b_hh else None,
                seq.flat(dhs) @ seq.flat(self.ms).T if proj else None)

    @staticmethod
    def cell_backward_numpy(H, N, dt):
        """The reference step ``cell(dm, dc, a, tc, c_prev, d)`` (the compiled kernel's
        signature) with its temporaries allocated once: one step's gate gradients ``d`` (rows
        i, f, o, g); ``dc`` is updated to ``dc_t ⊙ f`` (what reaches c_{t-1}).  See
        lstm_sequence's BPTT formulas."""
        H3 = 3 * H
        tmp = np.empty((H, N), dt)
        tmp3 = np.empty((H3, N), dt)

        def cell(dm, dc, a, tc, c_prev, d):
            i, f, o, g = a[:H], a[H:2 * H], a[2 * H:H3], a[H3:]
            np.multiply(dm, tc, out=d[2 * H:H3])          # ∂E/∂o
            np.multiply(tc, tc, out=tmp)
            np.subtract(1, tmp, out=tmp)
            np.multiply(tmp, o, out=tmp)
            np.multiply(tmp, dm, out=tmp)
            dc += tmp                                     # dc_t
            np.multiply(dc, g, out=d[:H])                 # ∂E/∂i
            np.multiply(dc, c_prev, out=d[H:2 * H])       # ∂E/∂f
            np.multiply(dc, i, out=d[H3:])                # ∂E/∂g
            dc *= f                                       # carried to c_{t-1}
            s = a[:H3]
            np.subtract(1, s, out=tmp3)
            np.multiply(tmp3, s, out=tmp3)
            d[:H3] *= tmp3                                # σ' = σ (1 - σ)
            np.multiply(g, g, out=tmp)
            np.subtract(1, tmp, out=tmp)
            d[H3:] *= tmp                                 # tanh' = 1 - tanh²
        return cell


# --------------------------------------------------------------------------- GRU


@fused(composite=gru_composite)   # create_graph: the time loop of recorded ops
def gru_sequence(x, h0, w_ih, w_hh, b_ih=None, b_hh=None, *, reset_after=True,
                 batch_first=True, reverse=False, batch_sizes=None, needs_input_grad=()):
    """GRU over a whole sequence (Cho et al. 2014; 000 eq. 9.39-9.42), gate rows r, z, n.

        r = σ(W_ir x + b_ir + W_hr h + b_hr)          z = σ(W_iz x + b_iz + W_hz h + b_hz)
        reset_after=True  (torch.nn.GRU, cuDNN):  n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))
        reset_after=False (Cho et al., 000 eq. 9.41): n = tanh(W_in x + b_in + W_hn (r ⊙ h) + b_hn)
        h_t = (1 - z) ⊙ n + z ⊙ h_{t-1}

    Shape:
        x ``(N, T, I)`` (``(T, N, I)`` if not batch_first), h0 ``(N, H)`` or None (zeros),
        w_ih ``(3H, I)``, w_hh ``(3H, H)``, b_ih, b_hh ``(3H,)`` or None
        -> output ``(N, T, H)``, h_n ``(N, H)``
    BPTT, with dh_t = ∂E/∂h_t + (what reaches h_t from step t+1):
    δn = dh (1 - z)(1 - n²), δz = dh (h_{t-1} - n) z (1 - z), and δr = δn (W_hn h + b_hn) σ'(r)
    (reset_after) or (W_hnᵀ δn) ⊙ h_{t-1} σ'(r); h_{t-1} receives dh ⊙ z plus the GEMMs'
    ``W_hhᵀ δ``.
    """
    tape = _GRUTape(x, h0, w_ih, w_hh, b_ih, b_hh, reset_after, batch_first, reverse,
                    batch_sizes)
    tape.forward()

    def vjp(grads):
        return tape.backward(*grads, needs_input_grad[0])

    return (tape.seq.outputs(tape.hs), _batch_major(tape.hs[tape.seq.T])), vjp


class _GRUTape:
    """One GRU layer/direction run over a sequence: the forward time loop, the arrays BPTT reads
    and the backward loop.  The sigmoid rows (r, z) of the weights are pre-halved (module
    docstring); ``keep[t]`` is ``W_hn h_{t-1} + b_hn`` (reset_after) or ``r ⊙ h_{t-1}``."""

    def __init__(self, x, h0, w_ih, w_hh, b_ih, b_hh, reset_after, batch_first, reverse,
                 batch_sizes):
        self.dt = dt = w_ih.dtype
        self.H = H = w_hh.shape[1]
        self.seq = seq = _Layout(x, H, batch_first, reverse, dt)
        T, N = seq.T, seq.N
        self.h0, self.w_ih, self.w_hh, self.reset_after = h0, w_ih, w_hh, reset_after
        self.batch_sizes = batch_sizes
        self.has_b_ih, self.has_b_hh = b_ih is not None, b_hh is not None
        scale = np.ones((3 * H, 1), dt)
        scale[:2 * H] = 0.5                          # σ(z) = ½ tanh(z/2) + ½ on rows r, z
        b_i = _bias_sum(dt, 3 * H, b_ih)
        self.b_h = b_h = _bias_sum(dt, 3 * H, b_hh)
        if reset_after:                              # b_hn sits inside r ⊙ (…): kept apart
            b_fold = b_i + np.concatenate([b_h[:2 * H], np.zeros(H, dt)])
        else:
            b_fold = b_i + b_h
        # r, z, n of every step, filled in place over W_ih x_t + b
        self.acts = seq.projection(w_ih * scale, b_fold * scale[:, 0])
        self.hs = _states(h0, T, N, H, dt)
        self.keep = np.empty((T, H, N), dt)
        self.w_hh_s = w_hh * scale if reset_after else w_hh[:2 * H] * 0.5

    def forward(self):
        """The time loop: one GEMM ``W_hh h_{t-1}`` (rows r, z pre-halved) and the step's
        elementwise work (float32 reset_after on the compiled kernel when there is one, else
        NumPy, the reference)."""
        H, H2, N, dt = self.H, 2 * self.H, self.seq.N, self.dt
        hs, after = self.hs, self.reset_after
        tmp = np.empty((H, N), dt)
        rec = np.empty((3 * H if after else H2, N), dt)
        b_hn = self.b_h[H2:, None]
        w_hn = None if after else np.ascontiguousarray(self.w_hh[H2:])
        k = kernels.compiled("gru") if after and dt == np.float32 else None
        if k is not None:
            b_hn = np.ascontiguousarray(np.broadcast_to(b_hn, (H, N)))
        for t in range(self.seq.T):
            h = hs[t]
            np.matmul(self.w_hh_s, h, out=rec)
            if k is not None:                        # the same step in one pass
                k.cell_forward(self.acts[t], rec, b_hn, self.keep[t], h, hs[t + 1])
            else:
                self._step_numpy(t, rec, b_hn, w_hn, tmp)
            m = _active(self.batch_sizes, t, N)
            if m < N:
                hs[t + 1][:, m:] = h[:, m:]

    def _step_numpy(self, t, rec, b_hn, w_hn, tmp):
        """The reference step: gates r, z, n into ``acts[t]``, ``keep[t]``, and h_t."""
        H, H2 = self.H, 2 * self.H
        a, h, keep = self.acts[t], self.hs[t], self.keep[t]
        rz, n = a[:H2], a[H2:]
        if self.reset_after:
            np.add(rec[H2:], b_hn, out=keep)
        rz += rec[:H2]
        np.tanh(rz, out=rz)
        rz *= 0.5
        rz += 0.5
        if self.reset_after:
            np.multiply(a[:H], keep, out=tmp)
        else:
            np.multiply(a[:H], h, out=keep)
            np.matmul(w_hn, keep, out=tmp)
        n += tmp
        np.tanh(n, out=n)
        np.subtract(h, n, out=tmp)
        tmp *= a[H:H2]
        np.add(n, tmp, out=self.hs[t + 1])

    def backward(self, g_out, g_hn, needs_dx):
        """BPTT.  Δ holds the hidden-side pre-activation gradients [δr, δz, δn]
        (reset_after: [δr, δz, δn ⊙ r], with δn kept apart in Δn since the input side sees
        δn itself)."""
        seq, T, N, H, H2, dt = self.seq, self.seq.T, self.seq.N, self.H, 2 * self.H, self.dt
        after = self.reset_after
        delta = np.empty((T, 3 * H, N), dt)
        delta_n = np.empty((T, H, N), dt) if after else delta[:, H2:]
        dh = _state_grad(g_hn, dt)
        t1, t2, drh = np.empty((3, H, N), dt)
        w_hh_t = np.ascontiguousarray(self.w_hh.T if after else self.w_hh[:H2].T)
        w_hn_t = None if after else np.ascontiguousarray(self.w_hh[H2:].T)
        k = kernels.compiled("gru") if after else None
        for t, g_t in seq.output_grads(g_out):
            m = _active(self.batch_sizes, t, N)
            kept = dh[:, m:].copy() if m < N else None
            dh += g_t
            d, dn = delta[t], delta_n[t]
            if k is not None:                                # the same arithmetic in one pass
                k.cell_backward(dh, self.acts[t], self.hs[t], self.keep[t], d, dn)
            else:
                self._cell_backward(t, dh, d, dn, t1, t2, drh, w_hn_t)
            if kept is not None:
                d[:, m:] = 0
                dn[:, m:] = 0
            np.multiply(dh, self.acts[t][H:H2], out=t1)      # the direct path z ⊙ h_{t-1}
            if after:
                np.matmul(w_hh_t, d, out=dh)
            else:
                np.matmul(w_hh_t, d[:H2], out=dh)
                drh *= self.acts[t][:H]
                dh += drh
            dh += t1
            if kept is not None:
                dh[:, m:] = kept
        return self._gradients(delta, delta_n, dh, needs_dx)

    def _cell_backward(self, t, dh, d, dn, t1, t2, drh, w_hn_t):
        """Step t's gate gradients into ``d`` and ``dn`` (the class docstring's Δ, Δn);
        reset_before also leaves ``W_hnᵀ δn`` in ``drh``."""
        H, H2 = self.H, 2 * self.H
        a, h = self.acts[t], self.hs[t]
        r, z, n = a[:H], a[H:H2], a[H2:]
        dr, dz = d[:H], d[H:H2]
        np.multiply(n, n, out=t1)                 # δn = dh (1 - z)(1 - n²)
        np.subtract(1, t1, out=t1)
        np.subtract(1, z, out=t2)
        t1 *= t2
        np.multiply(dh, t1, out=dn)
        np.subtract(h, n, out=t1)                 # δz = dh (h - n) z (1 - z)
        t1 *= dh
        t2 *= z
        np.multiply(t1, t2, out=dz)
        if self.reset_after:                      # δr = δn (W_hn h + b_hn) r (1 - r)
            np.multiply(dn, self.keep[t], out=t1)
            np.multiply(dn, r, out=d[H2:])
        else:                                     # δr = (W_hnᵀ δn) ⊙ h r (1 - r)
            np.matmul(w_hn_t, dn, out=drh)
            np.multiply(drh, h, out=t1)
        np.subtract(1, r, out=t2)
        t2 *= r
        np.multiply(t1, t2, out=dr)

    def _gradients(self, delta, delta_n, dh, needs_dx):
        """The weight, bias, input and initial-state gradients from Δ (and Δn)."""
        seq, T, N, H, H2 = self.seq, self.seq.T, self.seq.N, self.H, 2 * self.H
        w_ih = self.w_ih
        flat = seq.flat(delta)
        dw_ih, db_i, dw_hh = seq.weight_grads(flat, self.hs[:-1])
        db_h = db_i.copy()
        if self.reset_after:
            # the input side sees δn itself on rows n, not δn ⊙ r
            flat_n = seq.flat(delta_n)
            dwb_n = flat_n @ seq.Z[:, :seq.I + 1]
            dw_ih[H2:] = dwb_n[:, :-1]
            db_i[H2:] = dwb_n[:, -1]
            dx = seq.input_grad((flat[:H2], w_ih[:H2]), (flat_n, w_ih[H2:])) \
                if needs_dx else None
        else:
            # the hidden side of rows n multiplies r ⊙ h_{t-1}, not h_{t-1}
            dw_hh[H2:] = flat[H2:] @ self.keep.transpose(0, 2, 1).reshape(T * N, H)
            dx = seq.input_grad((flat, w_ih)) if needs_dx else None
        return (dx, None if self.h0 is None else _batch_major(dh), dw_ih, dw_hh,
                db_i if self.has_b_ih else None, db_h if self.has_b_hh else None)
