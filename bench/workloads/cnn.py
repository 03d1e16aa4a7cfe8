"""The ConvNet of 001 ch. 9: Conv2d(1,16,3,p=1)-ReLU-MaxPool2-Conv2d(16,32,3,p=1)-ReLU-
MaxPool2-Flatten-Linear(1568,10), softmax cross-entropy, Adam lr 1e-3, batch 64, one epoch over
10,000 MNIST-shaped float32 samples.

Besides time, each side reports its peak memory: ``peak_rss_mb`` (added by the runner, the
process's maximum resident set) and, for nnscratch, ``peak_numpy_mb``, the peak of NumPy
allocations traced by ``tracemalloc`` during the untimed warm-up call (tracing slows NumPy, so
the timed call runs untraced).
"""
import numpy as np

from bench.workloads._warmup import first_batches

TITLE = ("CNN conv(1→16,3)-relu-pool2-conv(16→32,3)-relu-pool2-linear(1568→10), Adam, batch 64, "
         "one epoch of 10,000 28×28 samples")
TARGET = 1.0
FLOOR_TARGET = 1.1     # nnscratch / the hand-written NumPy loop
GEMM_ROWS = "CNN"    # its rows in bench/gemm_threads.py's SHAPES
GAP = """Against torch: with the compiled kernels (column `kernels`) the conv's column
copies (im2col, col2im and the two layout transposes around the GEMM) run as compiled loops;
the NumPy elementwise work left is ReLU (one pass forward, one backward, in
nnscratch/ops/elementwise.py) and max pooling (a few vectorised passes each way: a compiled
pooling kernel was measured and was no faster), each single-threaded, where torch runs ReLU and
pooling in C++ loops over both cores and convolves with oneDNN; the GEMMs are OpenBLAS's against
torch's, which win or lose by CPU (line above: this machine). Per core the step is at par: with
one thread each (process CPU time, same process, interleaved; 2026-12-07) 22.1 ms against
torch's 23.2 ms, so the 2-thread gap is torch's second core on the non-GEMM work (analysis
below). The floor runs the same algorithm on the NumPy path."""
ROUNDS = 7
KERNELS = True        # also timed on the NumPy reference path (nnscratch_numpy)
N, BATCH, LR = 10_000, 64, 1e-3
_traced = {}


def warmup(data):
    """A few batches of the same shapes for the untimed first call."""
    return first_batches(data, BATCH)


def setup():
    g = np.random.default_rng(0)
    X = g.random((N, 1, 28, 28), dtype=np.float32)
    y = g.integers(0, 10, N)
    return X, y


def _train_nnscratch(X, y):
    import nnscratch as ns
    import nnscratch.nn as nn
    import nnscratch.nn.functional as F
    import nnscratch.optim as optim
    ns.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Flatten(), nn.Linear(1568, 10))
    opt = optim.Adam(model.parameters(), lr=LR)
    for i in range(0, len(X), BATCH):
        loss = F.cross_entropy(model(ns.Tensor._wrap(X[i:i + BATCH])), y[i:i + BATCH])
        opt.zero_grad()
        loss.backward()
        opt.step()
    return float(loss.item())


def run_nnscratch(data):
    X, y = data
    if "peak" not in _traced:      # the untimed warm-up call measures memory
        import tracemalloc
        tracemalloc.start()
        _train_nnscratch(X, y)
        _traced["peak"] = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    return {"final_loss": _train_nnscratch(X, y), "peak_numpy_mb": round(_traced["peak"], 1)}


def run_torch(data):
    import torch
    X, y = data
    torch.manual_seed(0)
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    model = torch.nn.Sequential(
        torch.nn.Conv2d(1, 16, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(16, 32, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Flatten(), torch.nn.Linear(1568, 10))
    opt = torch.optim.Adam(model.parameters(), lr=LR)
    for i in range(0, len(X), BATCH):
        loss = torch.nn.functional.cross_entropy(model(Xt[i:i + BATCH]), yt[i:i + BATCH])
        opt.zero_grad()
        loss.backward()
        opt.step()
    return {"final_loss": float(loss.item())}


_WINDOW = ((0, 0), (0, 1), (1, 0), (1, 1))     # the offsets of a 2×2 pooling window


def _conv_relu_pool(plan, x, w, b):
    """Forward of conv (im2col + one GEMM, the bias as a ones row) + ReLU + 2×2 max-pool;
    returns the pooled output and what the backward needs."""
    f = w.shape[0]
    cols = plan.columns(x, ones_row=True)
    w1 = np.concatenate([w.reshape(f, -1), b[:, None]], axis=1)
    a = plan.output(w1 @ cols)                                 # (N, F, H, W)
    np.maximum(a, 0, out=a)
    pooled = a[:, :, 0::2, 0::2].copy()
    for i, j in _WINDOW[1:]:
        np.maximum(pooled, a[:, :, i::2, j::2], out=pooled)
    return pooled, (cols, w1, a, pooled)


def _conv_relu_pool_back(plan, saved, g, need_dx):
    cols, w1, a, pooled = saved
    g = g * (pooled > 0)                   # through the ReLU: a window whose max is 0 is off
    da = np.empty_like(a)
    taken = np.zeros(pooled.shape, bool)   # the first max of a window takes the gradient
    for i, j in _WINDOW:
        hit = a[:, :, i::2, j::2] == pooled
        hit &= ~taken
        taken |= hit
        np.multiply(g, hit, out=da[:, :, i::2, j::2])
    g_row = plan.grad_rows(da)
    dw1 = np.ascontiguousarray((cols @ g_row.T).T)   # the GEMM orientation nnscratch uses
    dx = plan.col2im(w1[:, :-1].T @ g_row) if need_dx else None
    return dx, dw1[:, :-1], dw1[:, -1]


def run_numpy(data):
    """The hand-written NumPy floor: the same im2col + GEMM convolution (nnscratch's column
    layout, :func:`nnscratch.ops.im2col.conv_plan`), ReLU, pooling, linear layer, loss and Adam
    written out on arrays, under the same process-wide malloc setting nnscratch makes."""
    from nnscratch.ops._allocator import retain_freed_memory
    from nnscratch.ops.im2col import conv_plan

    from ._floor import Adam, xent_grad
    X, y = data
    g = np.random.default_rng(0)

    def u(shape, fan_in):
        return g.uniform(-1, 1, shape).astype(np.float32) / np.float32(np.sqrt(fan_in))
    params = [u((16, 1, 3, 3), 9), u(16, 9), u((32, 16, 3, 3), 144), u(32, 144),
              u((10, 1568), 1568), u(10, 1568)]
    opt = Adam(params, LR)
    retain_freed_memory()
    for i in range(0, len(X), BATCH):
        x, t = X[i:i + BATCH], y[i:i + BATCH]
        w1, b1, w2, b2, w3, b3 = params
        p1 = conv_plan(x.shape, (3, 3), (1, 1), (1, 1), (1, 1))
        h1, s1 = _conv_relu_pool(p1, x, w1, b1)
        p2 = conv_plan(h1.shape, (3, 3), (1, 1), (1, 1), (1, 1))
        h2, s2 = _conv_relu_pool(p2, h1, w2, b2)
        flat = h2.reshape(len(x), -1)
        loss, dz = xent_grad(flat @ w3.T + b3, t)
        dflat = dz @ w3
        dh1, dw2, db2 = _conv_relu_pool_back(p2, s2, dflat.reshape(h2.shape), True)
        _, dw1, db1 = _conv_relu_pool_back(p1, s1, dh1, False)
        opt.step([dw1.reshape(w1.shape), db1, dw2.reshape(w2.shape), db2, dz.T @ flat,
                  dz.sum(0)])
    return {"final_loss": loss}


def run_jax(data):
    """The same ConvNet and Adam in JAX, the whole train step ``jit``-compiled."""
    import jax
    import jax.numpy as jnp

    from ._jax import adam_init, adam_train_step, uniform, xent
    X, y = data
    g = np.random.default_rng(0)
    params = [jnp.asarray(a) for a in (
        uniform(g, (16, 1, 3, 3), 9), uniform(g, 16, 9), uniform(g, (32, 16, 3, 3), 144),
        uniform(g, 32, 144), uniform(g, (10, 1568), 1568), uniform(g, 10, 1568))]

    def block(x, w, b):
        z = jax.lax.conv_general_dilated(x, w, (1, 1), ((1, 1), (1, 1)),
                                         dimension_numbers=("NCHW", "OIHW", "NCHW"))
        z = jax.nn.relu(z + b[None, :, None, None])
        return jax.lax.reduce_window(z, -jnp.inf, jax.lax.max, (1, 1, 2, 2), (1, 1, 2, 2),
                                     "VALID")

    def loss_fn(params, x, t):
        w1, b1, w2, b2, w3, b3 = params
        h = block(block(x, w1, b1), w2, b2)
        return xent(h.reshape(len(x), -1) @ w3.T + b3, t)

    step = adam_train_step(loss_fn, LR)
    state = adam_init(params)
    for i in range(0, len(X), BATCH):
        params, state, loss = step(params, state, X[i:i + BATCH], y[i:i + BATCH])
    return {"final_loss": float(loss)}
