"""The compatibility harness: one program, run on real torch and on nnscratch, step by step.

A program is ``main(torch, env)`` written in the idioms of the PyTorch tutorials and examples,
using only the module it is given (``import nnscratch as torch`` is the only change).  The
harness makes the two runs comparable without touching the program's logic:

* ``env.init(model)`` — on torch, records the freshly built model's ``state_dict``; on
  nnscratch, loads those same values into the model (both libraries initialise differently);
* ``env.randn(*shape)`` / ``env.rand(*shape)`` / ``env.permutation(n)`` — noise, data and
  shuffles from one NumPy generator, reseeded per run, returned as the given library's tensors;
* ``env.log(value)`` — a loss (or any scalar) to compare, in order.

Both runs are in float64, so agreement is to round-off (``rtol`` 1e-10 by default).
"""
from __future__ import annotations

import numpy as np


class Env:
    def __init__(self, lib, seed, reference=None):
        self.lib = lib
        self.gen = np.random.default_rng(seed)
        self.reference = reference          # the torch run's Env, when this is nnscratch's
        self.states = []
        self.values = []

    def init(self, model):
        if self.reference is None:
            self.states.append({k: v.detach().numpy().copy()
                                for k, v in model.state_dict().items()})
        else:
            model.load_state_dict(self.reference.states[len(self.states)])
            self.states.append(None)
        return model

    def randn(self, *shape):
        if len(shape) == 1 and isinstance(shape[0], tuple):   # randn(()) for a scalar
            shape = shape[0]
        return self.lib.tensor(self.gen.standard_normal(shape))

    def rand(self, *shape):
        return self.lib.tensor(self.gen.random(shape))

    def randint(self, high, *shape):
        return self.lib.tensor(self.gen.integers(0, high, shape))

    def permutation(self, n):
        return self.lib.tensor(self.gen.permutation(n))

    def path(self, name):
        """A file name in a fresh temporary folder of this run."""
        import tempfile
        if not hasattr(self, "_dir"):
            self._dir = tempfile.mkdtemp(prefix="compat-")
        return f"{self._dir}/{name}"

    def log(self, value):
        self.values.append(float(value))


def run_both(main, seed=0):
    """Run ``main`` on torch, then on nnscratch with torch's initial weights; return the two
    logs as arrays."""
    import torch

    import nnscratch
    torch.set_default_dtype(torch.float64)
    old = nnscratch.get_default_dtype()
    nnscratch.set_default_dtype(np.float64)
    try:
        torch.manual_seed(seed)     # torch draws the initial weights: the same ones every run
        ref = Env(torch, seed)
        main(torch, ref)
        ours = Env(nnscratch, seed, reference=ref)
        main(nnscratch, ours)
    finally:
        torch.set_default_dtype(torch.float32)
        nnscratch.set_default_dtype(old)
        import shutil
        for env in (ref, ours) if "ours" in locals() else (ref,):
            if hasattr(env, "_dir"):
                shutil.rmtree(env._dir, ignore_errors=True)
    return np.array(ours.values), np.array(ref.values)
