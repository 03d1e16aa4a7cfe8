"""Character-level LSTM language model step (001 §10.7): one-hot inputs over a
65-symbol vocabulary, LSTM(65 -> 256), Linear(256 -> 65), softmax cross-entropy over every
position, Adam lr 2e-3; batch 32 × sequence 64, 100 iterations (204,800 tokens).

The token stream is a seeded random sequence: timing does not depend on the text.  Both sides
build the one-hot inputs once, outside the loop, as PyTorch users would.

Almost all of the time goes into GEMMs (the per-step recurrent products and the weight
gradients).  PyTorch runs its LSTM through oneDNN, which picks AVX-512 kernels on an AVX-512 CPU;
NumPy's OpenBLAS uses whatever ``OPENBLAS_CORETYPE`` names (this machine's environment pins
``Haswell``, i.e. AVX2).  The run reports the core type it ran with.
"""
import os

import numpy as np

TITLE = ("char LSTM: one-hot 65 -> LSTM(256) -> linear(65), cross-entropy, Adam, "
         "batch 32 × seq 64, 100 iterations")
TARGET = 1.4
ROUNDS = 5
V, H, T, N, ITERS, LR = 65, 256, 64, 32, 100, 2e-3
CELL = "LSTM"


def setup():
    g = np.random.default_rng(0)
    ids = g.integers(0, V, (ITERS, N, T + 1))
    x = np.eye(V, dtype=np.float32)[ids[:, :, :-1]]          # (ITERS, N, T, V) one-hot
    return x, ids[:, :, 1:]


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
    for it in range(ITERS):
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
    for it in range(ITERS):
        out, _ = rnn(xt[it])
        loss = torch.nn.functional.cross_entropy(head(out).reshape(N * T, V),
                                                 yt[it].reshape(-1))
        opt.zero_grad()
        loss.backward()
        opt.step()
        tokens += N * T
    return {"final_loss": float(loss.item()), "tokens": tokens}


def run_nnscratch(data):
    return train_nnscratch(data, CELL)


def run_torch(data):
    return train_torch(data, CELL)
