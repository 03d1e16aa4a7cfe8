"""F.unfold / F.fold (and nn.Unfold / nn.Fold) against torch 2.13: values and gradients for
kernel, dilation, padding and stride, unbatched inputs, overlapping windows summed by fold,
float32, and a float64 gradient check of each row.
"""
import numpy as np
import pytest
import torch  # noqa: E402  (the parity oracle: a declared test dependency, never skipped)
import torch.nn.functional as TF  # noqa: E402
from helpers.fold_cases import ROWS
from helpers.torch_parity import check_gradcheck, check_parity  # noqa: E402

import nnscratch.nn.functional as NF  # noqa: E402


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
