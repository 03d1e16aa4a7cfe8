"""F.unfold / F.fold (and nn.Unfold / nn.Fold) against torch 2.13: values and gradients for
kernel, dilation, padding and stride, unbatched inputs, overlapping windows summed by fold,
float32, and a float64 gradient check of each row.
"""
import numpy as np
import pytest
import torch  # noqa: E402  (the parity oracle: a declared test dependency, never skipped)
import torch.nn.functional as TF  # noqa: E402
from torch_parity import F, check_gradcheck, check_parity  # noqa: E402

import nnscratch.nn.functional as NF  # noqa: E402

R = np.random.default_rng(9)



def N(*shape):
    return R.standard_normal(shape)


ROWS = [
    ("unfold", lambda m, x: F(m).unfold(x, 2), [N(2, 3, 4, 5)]),
    ("unfold_all", lambda m, x: F(m).unfold(x, (2, 3), (2, 1), (1, 0), (1, 2)),
     [N(1, 2, 5, 7)]),
    ("unfold_unbatched", lambda m, x: F(m).unfold(x, 3, padding=1), [N(2, 3, 3)]),
    ("fold", lambda m, c: F(m).fold(c, (4, 5), 2), [N(2, 12, 12)]),
    ("fold_overlap_all", lambda m, c: F(m).fold(c, (5, 7), (2, 3), (1, 2), (1, 0), (2, 1)),
     [N(1, 12, 9)]),
    ("fold_unbatched", lambda m, c: F(m).fold(c, 3, 2, stride=1), [N(8, 4)]),
    ("fold_of_unfold", lambda m, x: F(m).fold(F(m).unfold(x, 3, padding=1, stride=2), (5, 6), 3,
                                                padding=1, stride=2), [N(1, 2, 5, 6)]),
    ("module_unfold", lambda m, x: m.nn.Unfold(2, stride=2)(x), [N(1, 2, 4, 4)]),
    ("module_fold", lambda m, c: m.nn.Fold((3, 3), 2)(c), [N(1, 8, 4)]),
]


@pytest.mark.parametrize("fn, inputs", [r[1:] for r in ROWS], ids=[r[0] for r in ROWS])
def test_matches_torch(fn, inputs):
    check_parity(fn, inputs)
    check_parity(fn, [a.astype(np.float32) for a in inputs], rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("fn, inputs", [r[1:] for r in ROWS], ids=[r[0] for r in ROWS])
def test_gradcheck(fn, inputs):
    check_gradcheck(fn, inputs)


def test_fold_shape_error_is_torchs():
    import nnscratch as ns
    with pytest.raises(RuntimeError):
        TF.fold(torch.ones(1, 12, 10), (4, 5), 2)
    with pytest.raises(RuntimeError, match=r"fold: expected input of shape"):
        NF.fold(ns.ones(1, 12, 10), (4, 5), 2)
