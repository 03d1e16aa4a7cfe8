"""The cross-entropy options and reductions of ``nn/test_losses.py``, also doubled by
``autograd/test_double_backward_ops.py``."""

import torch

REDUCTIONS = ("mean", "sum", "none")

# weight, ignore_index, label_smoothing, alone and together
CE_OPTIONS = [dict(weight=True), dict(ignore_index=1), dict(label_smoothing=0.2),
              dict(weight=True, ignore_index=1, label_smoothing=0.1),
              dict(ignore_index=-1, label_smoothing=0.3)]

def _options(kw, rng, k=4):
    kw = dict(kw)
    if kw.pop("weight", False):
        kw["weight"] = rng.uniform(0.2, 2.0, k)
    return kw, {n: torch.tensor(v) if n == "weight" else v for n, v in kw.items()}
