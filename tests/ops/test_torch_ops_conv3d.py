"""3-D convolution and pooling, grouped transposed convolution and unbatched conv inputs
against torch 2.13: values and gradients of input, weight and bias (float64 within 1e-10: sums
in another order), a float32 row, a float64 gradient check of each row, and the nn layers with
copied weights.
"""
import numpy as np
import pytest
import torch
from helpers.conv3d_cases import ROWS, N
from helpers.torch_parity import F, check_gradcheck, check_parity  # noqa: E402

import nnscratch as ns  # noqa: E402


@pytest.mark.parametrize("fn, inputs", [r[1:] for r in ROWS], ids=[r[0] for r in ROWS])
def test_matches_torch(fn, inputs):
    check_parity(fn, inputs, rtol=1e-10, atol=1e-12)

@pytest.mark.parametrize("fn, inputs", [r[1:] for r in ROWS], ids=[r[0] for r in ROWS])
def test_gradcheck(fn, inputs):
    check_gradcheck(fn, inputs)

def test_max_pool3d_ties_and_float32():
    x = np.zeros((1, 1, 2, 2, 2))
    x[0, 0, 1, 1, 1] = -1.0                         # seven tied maxima: the first one wins
    check_parity(lambda m, t: F(m).max_pool3d(t, 2), [x])
    check_parity(lambda m, x, w: F(m).conv3d(x, w),
                 [N(1, 2, 3, 3, 3).astype(np.float32), N(2, 2, 2, 2, 2).astype(np.float32)],
                 rtol=1e-5, atol=1e-5)

LAYERS = [
    ("Conv3d", dict(in_channels=4, out_channels=6, kernel_size=(2, 3, 2), stride=2, padding=1,
                    groups=2), (2, 4, 4, 5, 4)),
    ("ConvTranspose3d", dict(in_channels=2, out_channels=4, kernel_size=2, stride=2,
                             output_padding=1), (1, 2, 2, 3, 2)),
    ("ConvTranspose2d", dict(in_channels=4, out_channels=6, kernel_size=3, groups=2),
     (2, 4, 3, 4)),
    ("Conv2d", dict(in_channels=3, out_channels=2, kernel_size=3), (3, 5, 5)),
    ("MaxPool3d", dict(kernel_size=2, stride=1), (1, 2, 3, 3, 3)),
    ("AvgPool3d", dict(kernel_size=2, padding=1), (1, 2, 3, 3, 3)),
]

@pytest.mark.parametrize("name, kw, shape", LAYERS, ids=[layer[0] for layer in LAYERS])
def test_layers_match_torch(name, kw, shape):
    tl = getattr(torch.nn, name)(**kw).double()
    nl = getattr(ns.nn, name)(**kw)
    for p in ("weight", "bias"):
        if hasattr(tl, p):
            assert tuple(getattr(nl, p).shape) == tuple(getattr(tl, p).shape)
            setattr(nl, p, ns.nn.Parameter(getattr(tl, p).detach().numpy().copy()))
    x = N(*shape)
    yt = tl(torch.tensor(x))
    yn = nl(ns.tensor(x))
    np.testing.assert_allclose(yn.detach().numpy(), yt.detach().numpy(), rtol=1e-10,
                               atol=1e-12)
