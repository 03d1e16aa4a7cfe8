"""Pieces of the hand-written NumPy floors (not a workload: the runner skips names starting
with ``_``).  A floor runs the same arithmetic as nnscratch with no framework at all: no
Tensor, no recorded graph, no module or optimizer objects; what nnscratch spends beyond it is
the framework's own cost.  The loss and Adam are written out here; the convolution and
recurrent kernels are nnscratch's own array code called directly (``op.__wrapped__`` is the
function behind a fused op: arrays in, ``(out, vjp)`` out), so the floor runs the same
algorithm (im2col + GEMM, the same gate layout) and is not a straw man.
"""
import numpy as np


def xent_grad(z: np.ndarray, t: np.ndarray):
    """Mean softmax cross-entropy of logits ``z`` ``(N, K)`` against classes ``t`` and its
    gradient ``(softmax(z) - onehot(t)) / N``; overwrites ``z``."""
    n = len(z)
    rows = np.arange(n)
    z -= z.max(1, keepdims=True)
    np.exp(z, out=z)
    z /= z.sum(1, keepdims=True)
    loss = -np.log(z[rows, t]).mean()
    z[rows, t] -= 1
    z /= n
    return float(loss), z


class Adam:
    """Adam (Kingma & Ba 2015) with torch's defaults, in place on a list of arrays."""

    def __init__(self, params, lr, betas=(0.9, 0.999), eps=1e-8):
        self.params, self.lr, self.betas, self.eps = params, lr, betas, eps
        self.m = [np.zeros_like(p) for p in params]
        self.v = [np.zeros_like(p) for p in params]
        self.t = 0

    def step(self, grads):
        self.t += 1
        b1, b2 = self.betas
        c1, c2 = 1 - b1 ** self.t, 1 - b2 ** self.t
        for p, g, m, v in zip(self.params, grads, self.m, self.v):
            m *= b1
            m += (1 - b1) * g
            v *= b2
            v += (1 - b2) * g * g
            denom = np.sqrt(v / c2)
            denom += self.eps
            p -= (self.lr / c1) * m / denom
