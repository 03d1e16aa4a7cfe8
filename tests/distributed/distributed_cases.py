"""Models, data and training loops shared by the 2-rank MPI worker (``mpi_worker.py``, run
under ``nnscratch launch``) and the single-process references in ``test_distributed.py``.

Every case trains in float64 with Adam for ``STEPS`` steps on global batches of
``GLOBAL_BATCH`` rows; a rank trains on its ``DistributedSampler`` share of each batch.
"""
import numpy as np

import nnscratch as ns
import nnscratch.nn as nn
import nnscratch.nn.functional as F

STEPS = 4
GLOBAL_BATCH = 64
N_IN, N_OUT = 5, 3


def data(n=STEPS * GLOBAL_BATCH, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, N_IN))
    y = (X[:, 0] + X[:, 1] ** 2 > 0.5).astype(np.int64) + (X[:, 2] > 1).astype(np.int64)
    return X, y


class IndexedDropout(nn.Module):
    """Dropout whose mask for sample ``i`` at forward call ``t`` comes from a generator keyed
    by ``(seed, t, i)``: the same mask whichever rank (or process) holds the sample."""

    def __init__(self, p, seed=1234):
        self.p, self.seed, self.calls = p, seed, 0

    def forward(self, x, idx):
        if not self.training:
            return x
        keep = np.stack([np.random.default_rng([self.seed, self.calls, int(i)])
                         .random(x.shape[1]) >= self.p for i in idx])
        self.calls += 1
        return x * ns.tensor(keep / (1.0 - self.p))


class Net(nn.Module):
    """Linear -> (norm) -> tanh -> (dropout) -> Linear; ``norm`` "none", "bn" or "syncbn"."""

    def __init__(self, norm="none", dropout=0.0):
        # no bias before a norm layer: its gradient is rounding noise (the norm removes it),
        # which Adam would scale up to full-size steps
        self.fc1 = nn.Linear(N_IN, 16, bias=norm == "none")
        if norm == "bn":
            self.norm = nn.BatchNorm1d(16)
        elif norm == "syncbn":
            self.norm = nn.SyncBatchNorm(16)
        self.drop = IndexedDropout(dropout) if dropout else None
        self.fc2 = nn.Linear(16, N_OUT)

    def forward(self, x, idx=None):
        h = self.fc1(x)
        if hasattr(self, "norm"):
            h = self.norm(h)
        h = F.tanh(h)
        if self.drop is not None:
            h = self.drop(h, idx)
        return self.fc2(h)


def build(norm="none", dropout=0.0, seed=100):
    ns.set_default_dtype(np.float64)
    ns.manual_seed(seed)
    return Net(norm, dropout)


def train(model, forward_model, X, y, rows_of_step, steps=STEPS, lr=1e-2):
    """Adam steps on ``rows_of_step(s)`` (this process's rows of global batch s); returns the
    local losses.  ``forward_model`` is the model or its DistributedDataParallel wrapper."""
    opt = ns.optim.Adam(model.parameters(), lr=lr)
    losses = []
    for s in range(steps):
        rows = rows_of_step(s)
        out = forward_model(ns.tensor(X[rows]), rows)
        loss = F.cross_entropy(out, ns.tensor(y[rows]))
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses


def state(model):
    return {k: np.asarray(v).tolist() for k, v in model.state_dict().items()}


def loader(batch_size, num_replicas=None, rank=None):
    """A DataLoader over 192 rows, in the order of a shuffling DistributedSampler."""
    from nnscratch.utils.data import DataLoader, DistributedSampler, TensorDataset
    X, y = data(n=192, seed=4)
    ds = TensorDataset(ns.tensor(X), ns.tensor(y))
    sampler = DistributedSampler(ds, num_replicas=num_replicas, rank=rank, seed=0)
    return DataLoader(ds, batch_size=batch_size, sampler=sampler)
