"""The ConvNet of 001 ch. 9: Conv2d(1,16,3,p=1)-ReLU-MaxPool2-Conv2d(16,32,3,p=1)-ReLU-
MaxPool2-Flatten-Linear(1568,10), softmax cross-entropy, Adam lr 1e-3, batch 64, one epoch over
10,000 MNIST-shaped float32 samples.

Besides time, each side reports its peak memory: ``peak_rss_mb`` (added by the runner, the
process's maximum resident set) and, for nnscratch, ``peak_numpy_mb``, the peak of NumPy
allocations traced by ``tracemalloc`` during the untimed warm-up call (tracing slows NumPy, so
the timed call runs untraced).
"""
import numpy as np

TITLE = ("CNN conv(1→16,3)-relu-pool2-conv(16→32,3)-relu-pool2-linear(1568→10), Adam, batch 64, "
         "one epoch of 10,000 28×28 samples")
TARGET = 1.5
ROUNDS = 5
N, BATCH, LR = 10_000, 64, 1e-3
_traced = {}


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
    for i in range(0, N, BATCH):
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
    for i in range(0, N, BATCH):
        loss = torch.nn.functional.cross_entropy(model(Xt[i:i + BATCH]), yt[i:i + BATCH])
        opt.zero_grad()
        loss.backward()
        opt.step()
    return {"final_loss": float(loss.item())}
