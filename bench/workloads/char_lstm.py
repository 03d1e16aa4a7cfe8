"""Character-level LSTM language model step (001 §10.7): one-hot inputs over a
65-symbol vocabulary, LSTM(65 -> 256), Linear(256 -> 65), softmax cross-entropy over every
position, Adam lr 2e-3; batch 32 × sequence 64, 100 iterations (204,800 tokens).

The token stream is a seeded random sequence: timing does not depend on the text.  Both sides
build the one-hot inputs once, outside the loop, as PyTorch users would.

Almost all of the time goes into GEMMs (the per-step recurrent products and the weight
gradients).  PyTorch runs its LSTM through oneDNN, which picks AVX-512 kernels on an AVX-512 CPU;
NumPy's OpenBLAS picks its own kernel for the CPU (bench/run.py drops an inherited
``OPENBLAS_CORETYPE`` pin unless told to keep it).  The run reports the core type it ran with.
"""
import os

import numpy as np

TITLE = ("char LSTM: one-hot 65 -> LSTM(256) -> linear(65), cross-entropy, Adam, "
         "batch 32 × seq 64, 100 iterations")
TARGET = 1.0
FLOOR_TARGET = 1.1     # nnscratch / the hand-written NumPy loop
GEMM_ROWS = "LSTM"    # its rows in bench/gemm_threads.py's SHAPES
GAP = """Against torch: two thirds of the step is GEMM, the same products torch computes;
how OpenBLAS's compare with torch's depends on the CPU and its BLAS kernel, and the line above
is this machine's measurement. With the compiled kernels (column `kernels`) the float32
cell is one compiled loop per time step each way: forward, the gates' activations (its own
vectorised float32 tanh, at most 6 ULP from the correctly rounded value), c, tanh(c) and h;
backward, the gate gradients. What is left besides the GEMMs is the per-step Python loop
around 64 small GEMMs (N = 32 columns) in each direction and Δ's layout copy, where torch runs
the whole layer inside oneDNN's fused RNN primitive, over both cores. With one thread each
(process CPU time, processes interleaved, 11 rounds of 10 steps on a loaded machine;
2026-12-07) the step takes 86.1 ms (78.6-96.0) against torch's 87.1 ms (75.9-100.4), per-round
ratio median 1.00 (0.88-1.14): at par per core, so the 2-thread gap is torch's second core on the
elementwise work (the cell kernels stay on one core; analysis below). The floor calls
nnscratch's own sequence op on arrays (through ``__wrapped__``, with the compiled cell kernels
when numba is installed, like the `nnscratch` column)."""
ROUNDS = 7
KERNELS = True        # also timed on the NumPy reference path (nnscratch_numpy)
V, H, T, N, ITERS, LR = 65, 256, 64, 32, 100, 2e-3
CELL = "LSTM"


def setup():
    g = np.random.default_rng(0)
    ids = g.integers(0, V, (ITERS, N, T + 1))
    x = np.eye(V, dtype=np.float32)[ids[:, :, :-1]]          # (ITERS, N, T, V) one-hot
    return x, ids[:, :, 1:]


def warmup(data):
    """The untimed first call's data: 5 iterations of the same shapes (compiles JAX's step,
    warms caches and allocators) instead of all 100."""
    x, y = data
    return x[:5], y[:5]


def train_nnscratch(data, cell):
    import nnscratch as ns
    import nnscratch.nn as nn
    import nnscratch.nn.functional as F
    import nnscratch.optim as optim
    x, y = data
    ns.manual_seed(0)
    rnn = getattr(nn, cell)(V, H, batch_first=True)
    head = nn.Linear(H, V)
    opt = optim.Adam(list(rnn.parameters()) + list(head.parameters()), lr=LR)
    tokens = 0
    for it in range(len(x)):
        out, _ = rnn(ns.Tensor._wrap(x[it]))
        logits = head(out)
        loss = F.cross_entropy(logits.reshape(N * T, V), y[it].reshape(-1))
        opt.zero_grad()
        loss.backward()
        opt.step()
        tokens += N * T
    return {"final_loss": float(loss.item()), "tokens": tokens,
            "openblas_coretype": os.environ.get("OPENBLAS_CORETYPE", "auto")}


def train_torch(data, cell):
    import torch
    x, y = data
    torch.manual_seed(0)
    rnn = getattr(torch.nn, cell)(V, H, batch_first=True)
    head = torch.nn.Linear(H, V)
    opt = torch.optim.Adam(list(rnn.parameters()) + list(head.parameters()), lr=LR)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    tokens = 0
    for it in range(len(x)):
        out, _ = rnn(xt[it])
        loss = torch.nn.functional.cross_entropy(head(out).reshape(N * T, V),
                                                 yt[it].reshape(-1))
        opt.zero_grad()
        loss.backward()
        opt.step()
        tokens += N * T
    return {"final_loss": float(loss.item()), "tokens": tokens}


def train_numpy(data, cell):
    """The hand-written NumPy floor: nnscratch's own whole-sequence recurrent kernel (the same
    gate layout and BPTT, called on arrays through ``__wrapped__``), with the linear head, the
    loss and Adam written out on arrays; no Tensor, graph, module or optimizer object."""
    from nnscratch.ops import recurrent

    from ._floor import Adam, xent_grad
    x, y = data
    g = np.random.default_rng(0)
    G = {"LSTM": 4, "GRU": 3}[cell]
    b = np.float32(1 / np.sqrt(H))

    def u(*shape):
        return g.uniform(-1, 1, shape).astype(np.float32) * b
    params = [u(G * H, V), u(G * H, H), u(G * H), u(G * H), u(V, H), u(V)]
    opt = Adam(params, LR)
    kernel = {"LSTM": recurrent.lstm_sequence, "GRU": recurrent.gru_sequence}[cell].__wrapped__
    needs = (False, False, False, True, True, True, True, False)[:8 if cell == "LSTM" else 6]
    for it in range(len(x)):
        w_ih, w_hh, b_ih, b_hh, w_o, b_o = params
        states = (None, None) if cell == "LSTM" else (None,)
        outs, vjp = kernel(x[it], *states, w_ih, w_hh, b_ih, b_hh, batch_first=True,
                           needs_input_grad=needs)
        h = outs[0].reshape(N * T, H)
        loss, dz = xent_grad(h @ w_o.T + b_o, y[it].reshape(-1))
        dh = (dz @ w_o).reshape(N, T, H)
        grads = vjp((dh,) + tuple(np.zeros_like(o) for o in outs[1:]))
        k = len(states) + 1
        opt.step(list(grads[k:k + 4]) + [dz.T @ h, dz.sum(0)])
    return {"final_loss": loss, "tokens": len(x) * N * T}


def train_jax(data, cell):
    """The same model and Adam in JAX (``lax.scan`` over time), the whole train step
    ``jit``-compiled; PyTorch's gate order and parameter layout."""
    import jax
    import jax.numpy as jnp

    from ._jax import adam_init, adam_train_step, uniform, xent
    x, y = data
    g = np.random.default_rng(0)
    G = {"LSTM": 4, "GRU": 3}[cell]
    params = [jnp.asarray(uniform(g, s, H)) for s in
              ((G * H, V), (G * H, H), (G * H,), (G * H,), (V, H), (V,))]

    def lstm_cell(carry, xw, w_hh, b_hh):
        h, c = carry
        z = xw + h @ w_hh.T + b_hh
        i, f, gg, o = jnp.split(z, 4, axis=1)
        c = jax.nn.sigmoid(f) * c + jax.nn.sigmoid(i) * jnp.tanh(gg)
        h = jax.nn.sigmoid(o) * jnp.tanh(c)
        return (h, c), h

    def gru_cell(h, xw, w_hh, b_hh):
        xr, xz, xn = jnp.split(xw, 3, axis=1)
        hr, hz, hn = jnp.split(h @ w_hh.T + b_hh, 3, axis=1)
        r, z = jax.nn.sigmoid(xr + hr), jax.nn.sigmoid(xz + hz)
        h = (1 - z) * jnp.tanh(xn + r * hn) + z * h
        return h, h

    def loss_fn(params, xb, yb):
        w_ih, w_hh, b_ih, b_hh, w_o, b_o = params
        xw = jnp.swapaxes(xb @ w_ih.T + b_ih, 0, 1)           # (T, N, G·H)
        zero = jnp.zeros((N, H), xb.dtype)
        if cell == "LSTM":
            fn, carry = (lambda c, a: lstm_cell(c, a, w_hh, b_hh)), (zero, zero)
        else:
            fn, carry = (lambda c, a: gru_cell(c, a, w_hh, b_hh)), zero
        _, hs = jax.lax.scan(fn, carry, xw)
        logits = jnp.swapaxes(hs, 0, 1).reshape(N * T, H) @ w_o.T + b_o
        return xent(logits, yb.reshape(-1))

    step = adam_train_step(loss_fn, LR)
    state = adam_init(params)
    for it in range(len(x)):
        params, state, loss = step(params, state, x[it], y[it])
    return {"final_loss": float(loss), "tokens": len(x) * N * T}


def run_nnscratch(data):
    return train_nnscratch(data, CELL)


def run_torch(data):
    return train_torch(data, CELL)


def run_numpy(data):
    return train_numpy(data, CELL)


def run_jax(data):
    return train_jax(data, CELL)
