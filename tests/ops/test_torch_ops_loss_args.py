"""Loss arguments of issue 32 against torch 2.13: ``pos_weight`` and ``weight`` of the BCE
losses, ``weight`` positional in ``nll_loss``/``cross_entropy`` (torch's argument order),
K-dimensional inputs ``(N, C, d1, ...)``, unbatched ``(C,)`` inputs with a class index or a
probability target ``(C,)``, the legacy ``size_average``/``reduce`` flags, and negative
``F.pad`` (a crop).  Values and gradients of every float input (float64 within 1e-12 unless
stated) and a float64 gradient check of each row.
"""
import pytest
import torch  # noqa: E402  (the parity oracle: a declared test dependency, never skipped)
import torch.nn.functional as TF  # noqa: E402
from helpers.loss_args_cases import ROWS
from helpers.torch_parity import check_gradcheck, check_parity  # noqa: E402

import nnscratch.nn.functional as NF  # noqa: E402


@pytest.mark.parametrize("fn, inputs", [r[1:] for r in ROWS], ids=[r[0] for r in ROWS])
def test_matches_torch(fn, inputs):
    check_parity(fn, inputs)

@pytest.mark.parametrize("fn, inputs", [r[1:] for r in ROWS if "to_empty" not in r[0]],
                         ids=[r[0] for r in ROWS if "to_empty" not in r[0]])
def test_gradcheck(fn, inputs):
    check_gradcheck(fn, inputs)

def test_pad_crop_too_far_is_torchs_error():
    import nnscratch as ns
    with pytest.raises(RuntimeError):
        TF.pad(torch.ones(2, 3), (-2, -2))
    with pytest.raises(RuntimeError):
        NF.pad(ns.ones(2, 3), (-2, -2))
