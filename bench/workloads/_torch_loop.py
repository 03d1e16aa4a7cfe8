"""The plain PyTorch loop that ``ns.fit`` is timed against in the MLP workloads (not a
workload itself: the runner skips names starting with ``_``)."""
import numpy as np


def train_torch(model, opt, X: np.ndarray, y: np.ndarray, epochs: int, batch: int) -> None:
    """Minimise softmax cross-entropy over mini-batches of ``batch`` rows, reshuffled every
    epoch from ``np.random.default_rng(0)`` — the same order on every run."""
    import torch
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    g = np.random.default_rng(0)
    for _ in range(epochs):
        order = torch.from_numpy(g.permutation(len(X)))
        for i in range(0, len(X), batch):
            idx = order[i:i + batch]
            loss = torch.nn.functional.cross_entropy(model(Xt[idx]), yt[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
