"""The lecture slides' MNIST setting (002): MLP 784-200-10 ReLU, softmax cross-entropy,
SGD lr 0.5, batch 100, one epoch over 60,000 MNIST-shaped float32 samples."""
import numpy as np

from bench.workloads._warmup import first_batches

TITLE = "MLP 784-200-10 ReLU, SGD lr 0.5, batch 100, one epoch of 60,000 samples"
TARGET = 1.0
FLOOR_TARGET = 1.1     # nnscratch / the hand-written NumPy loop
GEMM_ROWS = "MLP"    # its rows in bench/gemm_threads.py's SHAPES
GAP = """Against torch: two thirds of the step is GEMM, OpenBLAS's against torch's Intel
MKL, which win or lose by CPU and shape (line above: this machine); torch's fixed cost per step
is larger than ours. Against the floor: the hand loop records no graph, checks no arguments,
fuses each SGD update into the expression that makes its gradient and computes softmax once;
the framework's fixed cost per step (module calls, the graph, the backward sweep, the loss's
label checks, the optimizer's pass) is several times the loop's (line above), and at batch
100 it is a visible share."""
ROUNDS = 7
KERNELS = True        # also timed on the NumPy reference path (nnscratch_numpy)
N, D, H, K, BATCH, LR = 60_000, 784, 200, 10, 100, 0.5


def warmup(data):
    """A few batches of the same shapes for the untimed first call."""
    return first_batches(data, BATCH)


def setup():
    g = np.random.default_rng(0)
    X = g.random((N, D), dtype=np.float32)
    y = g.integers(0, K, N)
    return X, y


def run_nnscratch(data):
    import nnscratch as ns
    import nnscratch.nn as nn
    import nnscratch.nn.functional as F
    import nnscratch.optim as optim
    X, y = data
    ns.manual_seed(0)
    model = nn.Sequential(nn.Linear(D, H), nn.ReLU(), nn.Linear(H, K))
    opt = optim.SGD(model.parameters(), lr=LR)
    for i in range(0, len(X), BATCH):
        loss = F.cross_entropy(model(ns.Tensor._wrap(X[i:i + BATCH])), y[i:i + BATCH])
        opt.zero_grad()
        loss.backward()
        opt.step()
    return {"final_loss": float(loss.item())}


def run_torch(data):
    import torch
    X, y = data
    torch.manual_seed(0)
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    model = torch.nn.Sequential(torch.nn.Linear(D, H), torch.nn.ReLU(), torch.nn.Linear(H, K))
    opt = torch.optim.SGD(model.parameters(), lr=LR)
    for i in range(0, len(X), BATCH):
        loss = torch.nn.functional.cross_entropy(model(Xt[i:i + BATCH]), yt[i:i + BATCH])
        opt.zero_grad()
        loss.backward()
        opt.step()
    return {"final_loss": float(loss.item())}


def run_numpy(data):
    """A hand-written NumPy loop: the floor any NumPy framework can reach."""
    X, y = data
    g = np.random.default_rng(0)
    b1, b2 = 1 / np.sqrt(D), 1 / np.sqrt(H)
    W1 = g.uniform(-b1, b1, (H, D)).astype(np.float32)
    c1 = g.uniform(-b1, b1, H).astype(np.float32)
    W2 = g.uniform(-b2, b2, (K, H)).astype(np.float32)
    c2 = g.uniform(-b2, b2, K).astype(np.float32)
    rows = np.arange(BATCH)
    for i in range(0, len(X), BATCH):
        x, t = X[i:i + BATCH], y[i:i + BATCH]
        h = np.maximum(x @ W1.T + c1, 0)
        z = h @ W2.T + c2
        z -= z.max(1, keepdims=True)
        p = np.exp(z)
        p /= p.sum(1, keepdims=True)
        loss = -np.log(p[rows, t]).mean()
        p[rows, t] -= 1
        p /= BATCH
        dh = (p @ W2) * (h > 0)
        W2 -= LR * (p.T @ h)
        c2 -= LR * p.sum(0)
        W1 -= LR * (dh.T @ x)
        c1 -= LR * dh.sum(0)
    return {"final_loss": float(loss)}


def run_jax(data):
    """The same model and SGD, the whole train step ``jit``-compiled (forward, grad, update)."""
    import jax
    import jax.numpy as jnp

    from ._jax import uniform, xent
    X, y = data
    g = np.random.default_rng(0)
    params = [jnp.asarray(a) for a in (uniform(g, (H, D), D), uniform(g, H, D),
                                       uniform(g, (K, H), H), uniform(g, K, H))]

    def loss_fn(params, x, t):
        W1, c1, W2, c2 = params
        return xent(jax.nn.relu(x @ W1.T + c1) @ W2.T + c2, t)

    @jax.jit
    def step(params, x, t):
        loss, grads = jax.value_and_grad(loss_fn)(params, x, t)
        return [p - LR * gp for p, gp in zip(params, grads)], loss

    for i in range(0, len(X), BATCH):
        params, loss = step(params, X[i:i + BATCH], y[i:i + BATCH])
    return {"final_loss": float(loss)}
