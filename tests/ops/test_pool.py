"""Pooling (001 §9.9): max_pool1d/2d (gradient to the first maximum, PyTorch's tie rule),
avg_pool1d/2d, ceil mode, adaptive pooling, and their modules — parity with PyTorch and
gradient checks in float64."""
import numpy as np
import pytest
import torch
from helpers.pool_cases import ADAPT, AVG2D, CEIL, MAX2D, _ids

import nnscratch as ns
import nnscratch.nn as nn
import nnscratch.nn.functional as F

TOL = dict(rtol=1e-12, atol=1e-12)

MAX1D = [((2, 3, 11), 2, None, 0, 1), ((2, 3, 12), 3, 2, 1, 1), ((1, 2, 13), 3, 1, 0, 2)]

def _parity(ours, theirs, x, rng):
    """Same outputs and input gradients (overlapping windows may sum in another order, so
    equality is up to round-off; a gradient routed to the wrong tie would be off by O(1))."""
    X, tX = ns.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    y, ty = ours(X), theirs(tX)
    assert y.shape == tuple(ty.shape)
    u = rng.standard_normal(y.shape)
    y.backward(u)
    ty.backward(torch.tensor(u))
    np.testing.assert_allclose(y.numpy(), ty.detach().numpy(), **TOL)
    np.testing.assert_allclose(X.grad, tX.grad.numpy(), **TOL)

def _max2d(k, s, p, d):
    return (lambda x: F.max_pool2d(x, k, s, p, d),
            lambda x: torch.nn.functional.max_pool2d(x, k, s, p, d))

@pytest.mark.parametrize("case", MAX2D, ids=_ids(MAX2D))
def test_max_pool2d_matches_torch(case, rng):
    shape, *hp = case
    _parity(*_max2d(*hp), rng.standard_normal(shape), rng)

@pytest.mark.parametrize("case", MAX2D, ids=_ids(MAX2D))
def test_max_pool2d_ties_match_torch(case, rng):
    """Integers in {0, 1, 2} (and all-zero planes, as after a ReLU) tie in most windows: the
    gradient must go where PyTorch sends it, the first maximum of each window."""
    shape, *hp = case
    x = rng.integers(0, 3, shape).astype(np.float64)
    x[0, 0] = 0.0
    _parity(*_max2d(*hp), x, rng)

@pytest.mark.parametrize("case", MAX2D, ids=_ids(MAX2D))
def test_max_pool2d_nan_wins_its_window_as_in_torch(case, rng):
    """A window holding a NaN outputs NaN and its gradient goes to the last NaN in window
    order, as PyTorch's kernel (``val > max || isnan(val)``) sends it; NaN == NaN is False,
    so the equality routing of the other windows cannot find it."""
    shape, *hp = case
    x = rng.integers(0, 3, shape).astype(np.float64)     # ties beside the NaNs
    x[rng.random(shape) < 0.15] = np.nan
    _parity(*_max2d(*hp), x, rng)
    k, s, p, d = hp
    idx = F.max_pool2d(ns.tensor(x), k, s, p, d, return_indices=True)[1]
    tidx = torch.nn.functional.max_pool2d(torch.tensor(x), k, s, p, d, return_indices=True)[1]
    np.testing.assert_array_equal(idx.numpy(), tidx.numpy())

@pytest.mark.parametrize("case", MAX1D, ids=_ids(MAX1D))
def test_max_pool1d_nan_wins_its_window_as_in_torch(case, rng):
    shape, k, s, p, d = case
    x = rng.standard_normal(shape)
    x[rng.random(shape) < 0.2] = np.nan
    _parity(lambda x: F.max_pool1d(x, k, s, p, d),
            lambda x: torch.nn.functional.max_pool1d(x, k, s, p, d), x, rng)

def test_max_pool2d_tie_goes_to_first_in_row_major_order():
    x = ns.tensor(np.ones((1, 1, 2, 2)), requires_grad=True)
    F.max_pool2d(x, 2).backward(np.array([[[[5.0]]]]))
    np.testing.assert_array_equal(x.grad[0, 0], [[5.0, 0.0], [0.0, 0.0]])

@pytest.mark.parametrize("case", MAX1D, ids=_ids(MAX1D))
def test_max_pool1d_matches_torch(case, rng):
    shape, k, s, p, d = case
    for x in (rng.standard_normal(shape), rng.integers(0, 2, shape).astype(np.float64)):
        _parity(lambda x: F.max_pool1d(x, k, s, p, d),
                lambda x: torch.nn.functional.max_pool1d(x, k, s, p, d), x, rng)

@pytest.mark.parametrize("case", AVG2D, ids=_ids(AVG2D))
def test_avg_pool2d_matches_torch(case, rng):
    shape, k, s, p, cip = case
    _parity(lambda x: F.avg_pool2d(x, k, s, p, count_include_pad=cip),
            lambda x: torch.nn.functional.avg_pool2d(x, k, s, p, count_include_pad=cip),
            rng.standard_normal(shape), rng)

@pytest.mark.parametrize("case", CEIL, ids=_ids(CEIL))
def test_ceil_mode_matches_torch(case, rng):
    shape, k, s, p = case
    x = rng.standard_normal(shape)
    _parity(lambda x: F.max_pool2d(x, k, s, p, 1, True),
            lambda x: torch.nn.functional.max_pool2d(x, k, s, p, 1, ceil_mode=True), x, rng)
    for cip in (True, False):
        _parity(lambda x: F.avg_pool2d(x, k, s, p, True, cip),
                lambda x: torch.nn.functional.avg_pool2d(x, k, s, p, True, cip), x, rng)
    k1, s1, p1 = (v[-1] if isinstance(v, tuple) else v for v in (k, s, p))
    x1 = x[:, :, 0, :]
    _parity(lambda x: F.max_pool1d(x, k1, s1, p1, ceil_mode=True),
            lambda x: torch.nn.functional.max_pool1d(x, k1, s1, p1, ceil_mode=True), x1, rng)
    for cip in (True, False):
        _parity(lambda x: F.avg_pool1d(x, k1, s1, p1, True, cip),
                lambda x: torch.nn.functional.avg_pool1d(x, k1, s1, p1, True, cip), x1, rng)
    assert ns.gradcheck(lambda x: F.avg_pool2d(x, k, s, p, ceil_mode=True,
                                               count_include_pad=False), [x[:1, :1]])

@pytest.mark.parametrize("shape, k, s, p", [((2, 3, 11), 2, None, 0), ((2, 2, 12), 3, 2, 1),
                                            ((1, 2, 9), 4, 1, 2)])
def test_avg_pool1d_matches_torch(shape, k, s, p, rng):
    x = rng.standard_normal(shape)
    for cip in (True, False):
        _parity(lambda x: F.avg_pool1d(x, k, s, p, count_include_pad=cip),
                lambda x: torch.nn.functional.avg_pool1d(x, k, s, p, count_include_pad=cip),
                x, rng)
        assert ns.gradcheck(lambda x: F.avg_pool1d(x, k, s, p, count_include_pad=cip), [x])

@pytest.mark.parametrize("case", MAX2D[:5], ids=_ids(MAX2D[:5]))
def test_max_pool2d_gradcheck(case, rng):
    shape, *hp = case
    # distinct values far apart: no tie, no kink within the finite-difference step
    x = rng.permutation(np.prod(shape)).reshape(shape).astype(np.float64) * 0.1
    assert ns.gradcheck(lambda x: F.max_pool2d(x, *hp), [x])

def test_max_pool1d_gradcheck(rng):
    x = rng.permutation(2 * 3 * 11).reshape(2, 3, 11).astype(np.float64) * 0.1
    assert ns.gradcheck(lambda x: F.max_pool1d(x, 3, 2, 1), [x])

@pytest.mark.parametrize("case", AVG2D, ids=_ids(AVG2D))
def test_avg_pool2d_gradcheck(case, rng):
    shape, k, s, p, cip = case
    assert ns.gradcheck(lambda x: F.avg_pool2d(x, k, s, p, count_include_pad=cip),
                        [rng.standard_normal((1,) + shape[1:])])

def test_float32_in_float32_out(rng):
    x = ns.tensor(rng.standard_normal((2, 3, 6, 6)).astype(np.float32), requires_grad=True)
    for f in (lambda x: F.max_pool2d(x, 2), lambda x: F.avg_pool2d(x, 3, 1, 1)):
        x.grad = None
        y = f(x)
        y.sum().backward()
        assert y.dtype == np.float32 and x.grad.dtype == np.float32

# ------------------------------------------------------------------------------ modules
@pytest.mark.parametrize("ours, theirs, shape", [
    (nn.MaxPool2d(2), torch.nn.MaxPool2d(2), (2, 3, 7, 8)),
    (nn.MaxPool2d(3, stride=2, padding=1), torch.nn.MaxPool2d(3, stride=2, padding=1),
     (2, 3, 9, 8)),
    (nn.MaxPool1d(3, stride=2), torch.nn.MaxPool1d(3, stride=2), (2, 3, 10)),
    (nn.AvgPool2d(2), torch.nn.AvgPool2d(2), (2, 3, 7, 8)),
    (nn.AvgPool2d(3, 2, 1), torch.nn.AvgPool2d(3, 2, 1), (2, 3, 7, 8)),
    (nn.AvgPool2d(3, 2, 1, True, False), torch.nn.AvgPool2d(3, 2, 1, True, False),
     (2, 3, 8, 9)),
    (nn.MaxPool2d(2, ceil_mode=True), torch.nn.MaxPool2d(2, ceil_mode=True), (2, 3, 7, 9)),
    (nn.AvgPool1d(3, 2, 1, True), torch.nn.AvgPool1d(3, 2, 1, True), (2, 3, 10)),
    (nn.GlobalAvgPool2d(), torch.nn.Sequential(torch.nn.AdaptiveAvgPool2d(1),
                                                torch.nn.Flatten()), (2, 3, 5, 4)),
    (nn.GlobalAvgPool2d(keepdim=True), torch.nn.AdaptiveAvgPool2d(1), (2, 3, 5, 4)),
], ids=["max2", "max3s2p1", "max1d", "avg2", "avg3s2p1", "avg-ceil", "max-ceil", "avg1d",
        "global", "global-keepdim"])
def test_pool_modules_match_torch(ours, theirs, shape, rng):
    _parity(ours, theirs, rng.standard_normal(shape), rng)
    assert list(ours.parameters()) == []

def test_global_avg_pool_gradcheck(rng):
    assert ns.gradcheck(nn.GlobalAvgPool2d(), [rng.standard_normal((2, 3, 3, 4))])

# ------------------------------------------------------------------------------ bad input
def test_pool_bad_input():
    # unbatched (C, H, W) is taken, as torch (tests/nn/test_nn_torch_options.py); 2-D is not
    with pytest.raises(ValueError, match=r"MaxPool2d: expected a 3-D or 4-D input \(N, C, H, W\) "
                                         r"or \(C, H, W\), got shape \(8, 8\)"):
        nn.MaxPool2d(2)(ns.randn(8, 8))
    with pytest.raises(ValueError, match=r"max_pool2d: kernel_size \(5, 5\) is larger than the "
                                         r"padded input; input shape \(1, 1, 4, 4\)"):
        F.max_pool2d(ns.randn(1, 1, 4, 4), 5)
    with pytest.raises(ValueError, match=r"MaxPool2d: stride must be >= 1, got 0"):
        nn.MaxPool2d(2, stride=0)
    with pytest.raises(ValueError, match=r"MaxPool2d: padding must be >= 0, got -1"):
        nn.MaxPool2d(3, padding=-1)
    with pytest.raises(ValueError, match=r"max_pool2d: padding must be at most half the kernel "
                                         r"size, got padding \(2, 2\) for kernel_size \(3, 3\)"):
        F.max_pool2d(ns.randn(1, 1, 8, 8), 3, padding=2)
    with pytest.raises(ValueError, match=r"MaxPool1d: expected a 2-D or 3-D input \(N, C, L\) "
                                         r"or \(C, L\), got shape \(8,\)"):
        nn.MaxPool1d(2)(ns.randn(8))
    with pytest.raises(ValueError, match=r"avg_pool2d: kernel_size must be >= 1, got 0"):
        F.avg_pool2d(ns.randn(1, 1, 4, 4), 0)
    with pytest.raises(ValueError, match=r"GlobalAvgPool2d: expected a 4-D input"):
        nn.GlobalAvgPool2d()(ns.randn(2, 3))

@pytest.mark.parametrize("kind", ["avg", "max"])
@pytest.mark.parametrize("nd, shape, out", ADAPT, ids=[f"{s}-{o}" for _, s, o in ADAPT])
def test_adaptive_pool_matches_torch(kind, nd, shape, out, rng):
    ours = getattr(F, f"adaptive_{kind}_pool{nd}d")
    theirs = getattr(torch.nn.functional, f"adaptive_{kind}_pool{nd}d")
    for x in (rng.standard_normal(shape), rng.integers(0, 2, shape).astype(np.float64)):
        _parity(lambda x: ours(x, out), lambda x: theirs(x, out), x, rng)
    x = rng.permutation(np.prod(shape)).reshape(shape).astype(np.float64) * 0.1
    assert ns.gradcheck(lambda x: ours(x, out), [x])

@pytest.mark.parametrize("ours, theirs, shape", [
    (nn.AdaptiveAvgPool2d((2, 3)), torch.nn.AdaptiveAvgPool2d((2, 3)), (2, 3, 7, 8)),
    (nn.AdaptiveMaxPool2d(3), torch.nn.AdaptiveMaxPool2d(3), (2, 3, 7, 8)),
    (nn.AdaptiveAvgPool1d(4), torch.nn.AdaptiveAvgPool1d(4), (2, 3, 9)),
    (nn.AdaptiveMaxPool1d(2), torch.nn.AdaptiveMaxPool1d(2), (2, 3, 9)),
], ids=["avg2d", "max2d", "avg1d", "max1d"])
def test_adaptive_pool_modules_match_torch(ours, theirs, shape, rng):
    _parity(ours, theirs, rng.standard_normal(shape), rng)
    assert list(ours.parameters()) == []

def test_adaptive_pool_float32_and_bad_input(rng):
    x = ns.tensor(rng.standard_normal((2, 3, 6, 6)).astype(np.float32), requires_grad=True)
    y = F.adaptive_avg_pool2d(x, 2)
    y.sum().backward()
    assert y.dtype == np.float32 and x.grad.dtype == np.float32
    with pytest.raises(ValueError, match=r"adaptive_avg_pool2d: output_size must be >= 1, "
                                         r"got \(0, 2\)"):
        F.adaptive_avg_pool2d(x, (0, 2))
    with pytest.raises(ValueError, match=r"output_size must be an int or 2 values, got "
                                         r"\(1, 2, 3\)"):
        nn.AdaptiveMaxPool2d((1, 2, 3))
    with pytest.raises(TypeError, match=r"output_size must hold ints"):
        F.adaptive_max_pool1d(ns.randn(2, 3, 5), 2.5)
    with pytest.raises(ValueError, match=r"adaptive_max_pool1d: expected a 3-D input"):
        F.adaptive_max_pool1d(ns.randn(2, 3, 5, 5), 2)

# --------------------------------------------------------------- return_indices and unpooling
@pytest.mark.parametrize("case", MAX2D + [((1, 2, 9, 9), 3, 2, 1, 1)], ids=_ids(MAX2D) + ["ceil"])
def test_max_pool_indices_and_unpool_match_torch(case, rng):
    shape, k, s, p, d = case
    ceil = case == ((1, 2, 9, 9), 3, 2, 1, 1)
    for x in (rng.standard_normal(shape), rng.integers(0, 3, shape).astype(np.float64)):
        y, idx = F.max_pool2d(ns.tensor(x), k, s, p, d, ceil, return_indices=True)
        ty, tidx = torch.nn.functional.max_pool2d(torch.tensor(x), k, s, p, d, ceil, True)
        np.testing.assert_array_equal(idx.numpy(), tidx.numpy())
        np.testing.assert_array_equal(y.numpy(), ty.numpy())
    if d == 1 and not ceil:         # torch's unpool takes no dilation; sizes round-trip
        kw = dict(kernel_size=k, stride=s, padding=p, output_size=shape[2:])
        _parity(lambda v: F.max_unpool2d(v, idx, **kw),
                lambda v: torch.nn.functional.max_unpool2d(v, tidx, **kw),
                rng.standard_normal(y.shape), rng)

def test_max_pool1d_indices_unpool_modules_match_torch(rng):
    x = rng.standard_normal((2, 3, 11))
    pool = nn.MaxPool1d(3, 2, 1, return_indices=True)
    tpool = torch.nn.MaxPool1d(3, 2, 1, return_indices=True)
    (y, idx), (ty, tidx) = pool(ns.tensor(x)), tpool(torch.tensor(x))
    np.testing.assert_array_equal(idx.numpy(), tidx.numpy())
    np.testing.assert_array_equal(y.numpy(), ty.numpy())
    unpool, tunpool = nn.MaxUnpool1d(3, 2, 1), torch.nn.MaxUnpool1d(3, 2, 1)
    _parity(lambda v: unpool(v, idx, output_size=(11,)),
            lambda v: tunpool(v, tidx, output_size=(11,)), y.numpy(), rng)
    x2 = rng.standard_normal((2, 3, 8, 6))
    (y2, i2), (ty2, ti2) = (nn.MaxPool2d(2, return_indices=True)(ns.tensor(x2)),
                            torch.nn.MaxPool2d(2, return_indices=True)(torch.tensor(x2)))
    np.testing.assert_array_equal(i2.numpy(), ti2.numpy())
    np.testing.assert_array_equal(y2.numpy(), ty2.numpy())
    _parity(lambda v: nn.MaxUnpool2d(2)(v, i2), lambda v: torch.nn.MaxUnpool2d(2)(v, ti2),
            y2.numpy(), rng)
    assert ns.gradcheck(lambda v: F.max_unpool2d(v, i2, 2), [y2.numpy()])
    with pytest.raises(ValueError, match=r"max_unpool2d: indices must lie in the output plane "
                                         r"\(2, 2\)"):
        F.max_unpool2d(y2, i2, 2, output_size=(2, 2))
    with pytest.raises(ValueError, match=r"indices must be integers of the input's shape"):
        F.max_unpool2d(y2, i2.numpy()[:1], 2)
