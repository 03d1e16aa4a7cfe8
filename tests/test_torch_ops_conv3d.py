"""3-D convolution and pooling, grouped transposed convolution and unbatched conv inputs
against torch 2.13: values and gradients of input, weight and bias (float64 within 1e-10: sums
in another order), a float32 row, a float64 gradient check of each row, and the nn layers with
copied weights.
"""
import numpy as np
import pytest
import torch
from torch_parity import F, check_gradcheck, check_parity  # noqa: E402

import nnscratch as ns  # noqa: E402

R = np.random.default_rng(5)



def N(*shape):
    return R.standard_normal(shape)


ROWS = [
    ("conv3d", lambda m, x, w, b: F(m).conv3d(x, w, b), [N(2, 2, 4, 3, 4), N(3, 2, 2, 2, 3),
                                                         N(3)]),
    ("conv3d_stride_pad_dil", lambda m, x, w: F(m).conv3d(x, w, None, (2, 1, 2), (1, 0, 1),
                                                          (1, 2, 1)),
     [N(1, 2, 5, 5, 5), N(2, 2, 2, 2, 2)]),
    ("conv3d_groups", lambda m, x, w, b: F(m).conv3d(x, w, b, groups=2),
     [N(1, 4, 3, 3, 3), N(6, 2, 2, 1, 2), N(6)]),
    ("conv3d_same", lambda m, x, w: F(m).conv3d(x, w, padding="same"),
     [N(1, 1, 4, 3, 4), N(2, 1, 2, 3, 2)]),
    ("conv3d_unbatched", lambda m, x, w: F(m).conv3d(x, w), [N(2, 3, 3, 3), N(1, 2, 2, 2, 2)]),
    ("conv_transpose3d", lambda m, x, w, b: F(m).conv_transpose3d(x, w, b),
     [N(2, 2, 2, 3, 2), N(2, 3, 2, 2, 2), N(3)]),
    ("conv_transpose3d_all", lambda m, x, w: F(m).conv_transpose3d(
        x, w, None, (2, 1, 2), (1, 0, 0), (1, 0, 0), 2, (1, 2, 1)),
     [N(1, 4, 2, 3, 3), N(4, 1, 3, 2, 2)]),
    ("conv_transpose2d_groups", lambda m, x, w, b: F(m).conv_transpose2d(x, w, b, 2, 1, 1, 2),
     [N(2, 4, 3, 3), N(4, 3, 3, 2), N(6)]),
    ("conv_transpose1d_groups", lambda m, x, w: F(m).conv_transpose1d(x, w, groups=3),
     [N(2, 3, 4), N(3, 2, 3)]),
    ("conv_transpose2d_unbatched", lambda m, x, w: F(m).conv_transpose2d(x, w, stride=2),
     [N(2, 3, 3), N(2, 1, 2, 2)]),
    ("conv2d_unbatched", lambda m, x, w, b: F(m).conv2d(x, w, b, padding=1),
     [N(3, 4, 5), N(2, 3, 3, 3), N(2)]),
    ("conv1d_unbatched", lambda m, x, w: F(m).conv1d(x, w), [N(2, 6), N(3, 2, 3)]),
    ("max_pool3d", lambda m, x: F(m).max_pool3d(x, 2), [N(2, 2, 4, 4, 5)]),
    ("max_pool3d_all", lambda m, x: F(m).max_pool3d(x, (3, 2, 3), (2, 1, 2), (1, 0, 1),
                                                     (1, 2, 1), True),
     [N(1, 2, 5, 5, 6)]),
    ("max_pool3d_unbatched", lambda m, x: F(m).max_pool3d(x, 2, 1), [N(2, 3, 3, 3)]),
    ("avg_pool3d", lambda m, x: F(m).avg_pool3d(x, 2), [N(2, 2, 4, 4, 5)]),
    ("avg_pool3d_pad_ceil", lambda m, x: F(m).avg_pool3d(x, 3, 2, 1, True),
     [N(1, 2, 5, 6, 4)]),
    ("avg_pool3d_no_pad_count", lambda m, x: F(m).avg_pool3d(x, 3, 2, 1, True, False),
     [N(1, 2, 5, 6, 4)]),
    ("avg_pool3d_divisor", lambda m, x: F(m).avg_pool3d(x, 2, divisor_override=3),
     [N(1, 1, 4, 4, 4)]),
]


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
