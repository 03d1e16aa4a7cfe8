"""The untimed first call of a minibatch workload (bench/run.py calls ``warmup(data)``)."""
import numpy as np


def first_batches(data, batch):
    """4 full batches and the last, partial one if there is one (so JAX compiles both step
    shapes), instead of the whole epoch: the same shapes as the timed call, a fraction of its
    time."""
    X, y = data
    tail = len(X) % batch
    keep = np.r_[0:4 * batch, len(X) - tail:len(X)]
    return X[keep], y[keep]
