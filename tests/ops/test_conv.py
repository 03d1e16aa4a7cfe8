"""Convolution (001 §9.5–9.7): F.conv1d/conv2d, nn.Conv1d/Conv2d, im2col/col2im, BatchNorm2d and
Flatten in a ConvNet — gradient checks in float64 and parity with PyTorch."""
import numpy as np
import pytest
import torch
from helpers.conv_cases import CONV1D, CONV2D, CONVT, PAD_CASES, _ids

import nnscratch as ns
import nnscratch.nn as nn
import nnscratch.nn.functional as F
from nnscratch.ops.im2col import FlatPlan, StridedPlan

TOL = dict(rtol=1e-9, atol=1e-11)

# torch notes that it copies the input for padding="same" with an even kernel (so do we)
pytestmark = pytest.mark.filterwarnings("ignore:Using padding='same':UserWarning")

def _torch_vs_ours(ours_fn, torch_fn, case, rng, bias=True):
    xs, ws, s, p, d, g = case
    x, w = rng.standard_normal(xs), rng.standard_normal(ws)
    b = rng.standard_normal(ws[0]) if bias else None
    X, W = ns.tensor(x, requires_grad=True), ns.tensor(w, requires_grad=True)
    B = ns.tensor(b, requires_grad=True) if bias else None
    tX, tW = torch.tensor(x, requires_grad=True), torch.tensor(w, requires_grad=True)
    tB = torch.tensor(b, requires_grad=True) if bias else None
    y = ours_fn(X, W, B, stride=s, padding=p, dilation=d, groups=g)
    ty = torch_fn(tX, tW, tB, stride=s, padding=p, dilation=d, groups=g)
    assert y.shape == tuple(ty.shape)
    np.testing.assert_allclose(y.numpy(), ty.detach().numpy(), **TOL)
    u = rng.standard_normal(y.shape)
    y.backward(u)
    ty.backward(torch.tensor(u))
    np.testing.assert_allclose(X.grad, tX.grad.numpy(), **TOL)
    np.testing.assert_allclose(W.grad, tW.grad.numpy(), **TOL)
    if bias:
        np.testing.assert_allclose(B.grad, tB.grad.numpy(), **TOL)

@pytest.mark.parametrize("case", CONV2D, ids=_ids(CONV2D))
def test_conv2d_matches_torch(case, rng):
    _torch_vs_ours(F.conv2d, torch.nn.functional.conv2d, case, rng)

@pytest.mark.parametrize("case", CONV1D, ids=_ids(CONV1D))
def test_conv1d_matches_torch(case, rng):
    _torch_vs_ours(F.conv1d, torch.nn.functional.conv1d, case, rng)

def test_conv_without_bias_and_input_grad(rng):
    _torch_vs_ours(F.conv2d, torch.nn.functional.conv2d, CONV2D[2], rng, bias=False)
    # the input needs no gradient (a first layer): the weight gradient is still right
    x, w = rng.standard_normal((2, 1, 6, 5)), rng.standard_normal((3, 1, 3, 3))
    W = ns.tensor(w, requires_grad=True)
    tW = torch.tensor(w, requires_grad=True)
    u = rng.standard_normal((2, 3, 4, 3))
    F.conv2d(ns.tensor(x), W).backward(u)
    torch.nn.functional.conv2d(torch.tensor(x), tW).backward(torch.tensor(u))
    np.testing.assert_allclose(W.grad, tW.grad.numpy(), **TOL)

@pytest.mark.parametrize("case", CONV2D[:8], ids=_ids(CONV2D[:8]))
def test_conv2d_gradcheck(case, rng):
    xs, ws, s, p, d, g = case
    xs = (1,) + xs[1:]          # one image keeps the finite differences cheap
    x, w, b = rng.standard_normal(xs), rng.standard_normal(ws), rng.standard_normal(ws[0])
    assert ns.gradcheck(lambda x, w, b: F.conv2d(x, w, b, stride=s, padding=p, dilation=d,
                                                 groups=g), [x, w, b])

@pytest.mark.parametrize("case", [c for c in CONV2D if c[3] == "same"],
                         ids=_ids([c for c in CONV2D if c[3] == "same"]))
def test_conv2d_same_padding_gradcheck(case, rng):
    xs, ws, s, p, d, g = case
    x, w, b = (rng.standard_normal(n) for n in ((1,) + xs[1:], ws, ws[0]))
    assert ns.gradcheck(lambda x, w, b: F.conv2d(x, w, b, s, p, d, g), [x, w, b])

@pytest.mark.parametrize("case", CONV1D, ids=_ids(CONV1D))
def test_conv1d_gradcheck(case, rng):
    xs, ws, s, p, d, g = case
    x, w, b = rng.standard_normal(xs), rng.standard_normal(ws), rng.standard_normal(ws[0])
    assert ns.gradcheck(lambda x, w, b: F.conv1d(x, w, b, stride=s, padding=p, dilation=d,
                                                 groups=g), [x, w, b])

def test_both_column_layouts_agree(rng):
    """The stride-1 fast path (FlatPlan) and the textbook layout give the same conv."""
    x = rng.standard_normal((2, 3, 7, 8))
    w = rng.standard_normal((4, 27))
    for padding, dilation in (((1, 1), (1, 1)), ((0, 2), (2, 1))):
        plans = [P(x.shape, (3, 3), (1, 1), padding, dilation) for P in (StridedPlan, FlatPlan)]
        outs = [p.output(w @ p.columns(x)) for p in plans]
        np.testing.assert_allclose(outs[0], outs[1], rtol=1e-12, atol=1e-12)
        g = rng.standard_normal(outs[0].shape)
        dxs = [p.col2im(w.T @ p.grad_rows(g)) for p in plans]
        np.testing.assert_allclose(dxs[0], dxs[1], rtol=1e-12, atol=1e-12)

def test_conv2d_float32_stays_float32(rng):
    x = ns.tensor(rng.standard_normal((2, 3, 8, 8)).astype(np.float32), requires_grad=True)
    layer = nn.Conv2d(3, 4, 3, padding=1)
    y = layer(x)
    y.sum().backward()
    assert y.dtype == np.float32 and x.grad.dtype == np.float32
    assert layer.weight.grad.dtype == np.float32 and layer.bias.grad.dtype == np.float32

# ------------------------------------------------------------------------------ modules
def _copy(ours, theirs):
    ours.double()
    theirs.double()
    ours.load_state_dict({k: v.detach().numpy().copy() for k, v in theirs.state_dict().items()})

def _module_parity(ours, theirs, x, rng):
    _copy(ours, theirs)
    ours.zero_grad()
    theirs.zero_grad()
    X, tX = ns.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    y, ty = ours(X), theirs(tX)
    np.testing.assert_allclose(y.numpy(), ty.detach().numpy(), **TOL)
    u = rng.standard_normal(y.shape)
    y.backward(u)
    ty.backward(torch.tensor(u))
    np.testing.assert_allclose(X.grad, tX.grad.numpy(), **TOL)
    tparams = dict(theirs.named_parameters())
    assert dict(ours.named_parameters()).keys() == tparams.keys()
    for name, p in ours.named_parameters():
        np.testing.assert_allclose(p.grad, tparams[name].grad.numpy(), **TOL, err_msg=name)

@pytest.mark.parametrize("kw", [dict(kernel_size=3), dict(kernel_size=(3, 2), stride=2, padding=1),
                                dict(kernel_size=3, padding=2, dilation=2, groups=2, bias=False),
                                dict(kernel_size=(2, 3), padding="same"),
                                dict(kernel_size=3, padding="valid")])
def test_conv2d_module_matches_torch(kw, rng):
    torch.manual_seed(0)
    _module_parity(nn.Conv2d(4, 6, **kw), torch.nn.Conv2d(4, 6, **kw),
                   rng.standard_normal((2, 4, 9, 8)), rng)

@pytest.mark.parametrize("kw", [dict(kernel_size=5), dict(kernel_size=3, stride=2, padding=1),
                                dict(kernel_size=3, dilation=2, groups=2),
                                dict(kernel_size=4, padding="same", dilation=3)])
def test_conv1d_module_matches_torch(kw, rng):
    torch.manual_seed(0)
    _module_parity(nn.Conv1d(4, 6, **kw), torch.nn.Conv1d(4, 6, **kw),
                   rng.standard_normal((3, 4, 15)), rng)

def test_small_convnet_with_batchnorm_matches_torch(rng):
    """Wiring: conv-BN-ReLU-pool-conv-ReLU-global pool-flatten-linear, train mode, all grads."""
    def build(m):
        return m.Sequential(m.Conv2d(2, 4, 3, padding=1), m.BatchNorm2d(4), m.ReLU(),
                            m.MaxPool2d(2), m.Conv2d(4, 5, 3, stride=2), m.ReLU(),
                            m.Flatten(), m.Linear(10, 3))
    torch.manual_seed(0)
    ours, theirs = build(nn), build(torch.nn)
    _module_parity(ours, theirs, rng.standard_normal((3, 2, 9, 10)), rng)
    np.testing.assert_allclose(ours[1].running_mean, theirs[1].running_mean.numpy(), **TOL)
    np.testing.assert_allclose(ours[1].running_var, theirs[1].running_var.numpy(), **TOL)

def test_batchnorm2d_train_and_eval_match_torch(rng):
    torch.manual_seed(0)
    ours, theirs = nn.BatchNorm2d(3, momentum=0.2), torch.nn.BatchNorm2d(3, momentum=0.2)
    _copy(ours, theirs)
    with torch.no_grad():
        theirs.weight.uniform_(0.5, 1.5)
        theirs.bias.uniform_(-1, 1)
    _copy(ours, theirs)
    for _ in range(3):       # train mode: batch statistics, running estimates updated
        x = rng.standard_normal((4, 3, 5, 6)) * 2 + 1
        _module_parity(ours, theirs, x, rng)
    for name in ("running_mean", "running_var"):
        np.testing.assert_allclose(ours.state_dict()[name], theirs.state_dict()[name].numpy(),
                                   **TOL)
    ours.eval()
    theirs.eval()
    _module_parity(ours, theirs, rng.standard_normal((2, 3, 4, 4)), rng)

def test_batchnorm2d_gradcheck(rng):
    x = rng.standard_normal((3, 2, 3, 4))
    w, b = rng.standard_normal(2), rng.standard_normal(2)
    rm, rv = np.zeros(2), np.ones(2)
    assert ns.gradcheck(lambda x, w, b: F.batch_norm(x, rm.copy(), rv.copy(), w, b,
                                                     training=True), [x, w, b])
    assert ns.gradcheck(lambda x, w, b: F.batch_norm(x, rm + 0.3, rv * 2, w, b,
                                                     training=False), [x, w, b])

def test_flatten_after_conv_matches_torch(rng):
    x = rng.standard_normal((2, 3, 4, 5))
    X, tX = ns.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    y, ty = nn.Flatten()(X), torch.nn.Flatten()(tX)
    np.testing.assert_array_equal(y.numpy(), ty.detach().numpy())
    u = rng.standard_normal(y.shape)
    y.backward(u)
    ty.backward(torch.tensor(u))
    np.testing.assert_array_equal(X.grad, tX.grad.numpy())

def test_conv_init_and_layout_follow_pytorch():
    layer = nn.Conv2d(8, 16, (3, 5))
    assert layer.weight.shape == (16, 8, 3, 5) and layer.bias.shape == (16,)
    assert list(dict(layer.named_parameters())) == ["weight", "bias"]
    bound = 1 / np.sqrt(8 * 3 * 5)            # PyTorch: kaiming_uniform(a=√5) = U(±1/√fan_in)
    assert np.abs(layer.weight.numpy()).max() <= bound
    assert np.abs(layer.weight.numpy()).max() > 0.95 * bound
    assert np.abs(layer.bias.numpy()).max() <= bound
    t = torch.nn.Conv2d(8, 16, (3, 5))
    assert abs(t.weight.detach().abs().max().item() - bound) < 0.05 * bound
    assert nn.Conv1d(4, 6, 3, groups=2).weight.shape == (6, 2, 3)
    assert layer.weight.dtype == np.float32
    assert "kernel_size=(3, 5)" in repr(layer)

# ------------------------------------------------------------------------------ bad input
def test_conv2d_bad_input_names_layer_expected_and_actual():
    conv = nn.Conv2d(3, 8, 5)
    with pytest.raises(ValueError, match=r"Conv2d\(3, 8\): expected a 4-D input \(N, C, H, W\), "
                                         r"got shape \(10, 10\)"):
        conv(ns.randn(10, 10))      # (an unbatched (C, H, W) input is accepted, as torch)
    with pytest.raises(ValueError, match=r"Conv2d\(3, 8\): expected input with 3 channels.*"
                                         r"got shape \(2, 4, 10, 10\)"):
        conv(ns.randn(2, 4, 10, 10))
    with pytest.raises(ValueError, match=r"Conv2d\(3, 8\).*kernel size \(5, 5\).*larger than "
                                         r"the padded input \(4, 6\)"):
        conv(ns.randn(2, 3, 4, 6))
    with pytest.raises(ValueError, match=r"Conv2d: stride must be >= 1, got 0"):
        nn.Conv2d(3, 8, 3, stride=0)
    with pytest.raises(ValueError, match=r"Conv2d: padding must be >= 0, got \(1, -1\)"):
        nn.Conv2d(3, 8, 3, padding=(1, -1))
    with pytest.raises(ValueError, match=r"Conv2d: in_channels \(3\) and out_channels \(8\) "
                                         r"must both be divisible by groups \(2\)"):
        nn.Conv2d(3, 8, 3, groups=2)
    with pytest.raises(TypeError, match=r"Conv2d: kernel_size must be an int or a pair"):
        nn.Conv2d(3, 8, 2.5)
    with pytest.raises(ValueError, match=r"Conv2d: padding='same' needs stride 1.*got stride 2"):
        nn.Conv2d(3, 8, 3, stride=2, padding="same")
    with pytest.raises(ValueError, match=r"Conv1d: padding must be an int, a tuple of ints, "
                                         r"'valid' or 'same', got 'full'"):
        nn.Conv1d(3, 8, 3, padding="full")

def test_conv_functional_bad_input():
    x = ns.randn(2, 3, 6, 6)
    with pytest.raises(ValueError, match=r"conv2d: padding='same' needs stride 1"):
        F.conv2d(x, ns.randn(4, 3, 3, 3), stride=(1, 2), padding="same")
    with pytest.raises(ValueError, match=r"conv1d: padding must be .* got 'SAME'"):
        F.conv1d(ns.randn(2, 3, 6), ns.randn(4, 3, 3), padding="SAME")
    with pytest.raises(ValueError, match=r"conv2d: input has 3 channels but the weight of shape "
                                         r"\(4, 2, 3, 3\) \(groups=1\) expects 2"):
        F.conv2d(x, ns.randn(4, 2, 3, 3))
    with pytest.raises(ValueError, match=r"conv2d: expected a 4-D weight"):
        F.conv2d(x, ns.randn(4, 3, 3))
    with pytest.raises(ValueError, match=r"conv2d: stride must be >= 1, got -1"):
        F.conv2d(x, ns.randn(4, 3, 3, 3), stride=-1)
    with pytest.raises(ValueError, match=r"conv2d: padding must be >= 0, got -2"):
        F.conv2d(x, ns.randn(4, 3, 3, 3), padding=-2)
    with pytest.raises(ValueError, match=r"conv2d: bias must have shape \(4,\), got \(3,\)"):
        F.conv2d(x, ns.randn(4, 3, 3, 3), ns.randn(3))
    with pytest.raises(ValueError, match=r"conv1d: expected a 3-D input \(N, C, L\), "
                                         r"got shape \(2, 3, 6, 6\)"):
        F.conv1d(x, ns.randn(4, 3, 3))
    with pytest.raises(ValueError, match=r"Conv1d\(2, 4\).*kernel size \(7,\).*larger than the "
                                         r"padded input \(5,\)"):
        nn.Conv1d(2, 4, 7)(ns.randn(1, 2, 5))

@pytest.mark.parametrize("mode", ["constant", "reflect", "replicate", "circular"])
@pytest.mark.parametrize("shape, pad", PAD_CASES, ids=[str(p) for _, p in PAD_CASES])
def test_pad_modes_match_torch(mode, shape, pad, rng):
    x = rng.standard_normal(shape)
    X, tX = ns.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    y, ty = F.pad(X, pad, mode), torch.nn.functional.pad(tX, pad, mode)
    np.testing.assert_array_equal(y.numpy(), ty.detach().numpy())
    u = rng.standard_normal(y.shape)
    y.backward(u)
    ty.backward(torch.tensor(u))
    np.testing.assert_allclose(X.grad, tX.grad.numpy(), **TOL)
    assert ns.gradcheck(lambda a: F.pad(a, pad, mode), [x])
    if mode == "constant":
        np.testing.assert_array_equal(F.pad(X, pad, value=2.5).numpy(),
                                      torch.nn.functional.pad(tX, pad, value=2.5).detach())

@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
@pytest.mark.parametrize("kw", [dict(kernel_size=3, padding=1), dict(kernel_size=3, padding=2,
                                                                     stride=2),
                                dict(kernel_size=(2, 3), padding="same")])
def test_conv2d_padding_mode_matches_torch(mode, kw, rng):
    torch.manual_seed(0)
    _module_parity(nn.Conv2d(3, 4, padding_mode=mode, **kw),
                   torch.nn.Conv2d(3, 4, padding_mode=mode, **kw),
                   rng.standard_normal((2, 3, 6, 7)), rng)

@pytest.mark.parametrize("mode", ["reflect", "circular"])
def test_conv1d_padding_mode_matches_torch(mode, rng):
    torch.manual_seed(0)
    for kw in (dict(kernel_size=3, padding=1), dict(kernel_size=4, padding="same", dilation=2)):
        _module_parity(nn.Conv1d(3, 4, padding_mode=mode, **kw),
                       torch.nn.Conv1d(3, 4, padding_mode=mode, **kw),
                       rng.standard_normal((2, 3, 9)), rng)

def test_pad_and_padding_mode_bad_input():
    x = ns.randn(1, 2, 3, 4)
    with pytest.raises(ValueError, match=r"pad: mode='reflect' needs pads < the axis length 4, "
                                         r"got \(4, 0\) for axis 3"):
        F.pad(x, (4, 0), "reflect")
    with pytest.raises(ValueError, match=r"pad: pad must hold \(before, after\) pairs"):
        F.pad(x, (1, 1, 1))
    with pytest.raises(ValueError, match=r"pad: mode must be one of"):
        F.pad(x, (1, 1), "mirror")
    with pytest.raises(ValueError, match=r"pad: pad sizes must be ints"):
        F.pad(x, (1, 1.5))
    with pytest.raises(ValueError, match=r"pad: negative pads \(crops\) need mode='constant'"):
        F.pad(x, (1, -1), "reflect")
    with pytest.raises(RuntimeError, match=r"pad: the pads \(-3, -2\) of axis 3 crop more"):
        F.pad(x, (-3, -2))
    with pytest.raises(ValueError, match=r"Conv2d: padding_mode must be one of"):
        nn.Conv2d(2, 3, 3, padding_mode="mirror")

@pytest.mark.parametrize("case", CONVT, ids=[str(c) for c in CONVT])
def test_conv_transpose_matches_torch(case, rng):
    xs, ws, s, p, op, d = case
    ours = F.conv_transpose2d if len(xs) == 4 else F.conv_transpose1d
    theirs = (torch.nn.functional.conv_transpose2d if len(xs) == 4
              else torch.nn.functional.conv_transpose1d)
    x, w, b = rng.standard_normal(xs), rng.standard_normal(ws), rng.standard_normal(ws[1])
    args = [ns.tensor(a, requires_grad=True) for a in (x, w, b)]
    targs = [torch.tensor(a, requires_grad=True) for a in (x, w, b)]
    y = ours(*args, s, p, op, 1, d)
    ty = theirs(*targs, s, p, op, 1, d)
    np.testing.assert_allclose(y.numpy(), ty.detach().numpy(), **TOL)
    u = rng.standard_normal(y.shape)
    y.backward(u)
    ty.backward(torch.tensor(u))
    for a, ta in zip(args, targs):
        np.testing.assert_allclose(a.grad, ta.grad.numpy(), **TOL)
    assert ns.gradcheck(lambda x, w, b: ours(x, w, b, s, p, op, 1, d),
                        [x[:1], w, b])

@pytest.mark.parametrize("kw", [dict(kernel_size=3), dict(kernel_size=4, stride=2, padding=1),
                                dict(kernel_size=(3, 2), stride=2, output_padding=1,
                                     bias=False)])
def test_conv_transpose2d_module_matches_torch(kw, rng):
    torch.manual_seed(0)
    ours, theirs = nn.ConvTranspose2d(4, 3, **kw), torch.nn.ConvTranspose2d(4, 3, **kw)
    assert ours.weight.shape == tuple(theirs.weight.shape)
    _module_parity(ours, theirs, rng.standard_normal((2, 4, 5, 6)), rng)

def test_conv_transpose_init_inverts_conv_shapes_and_bad_input(rng):
    conv = nn.Conv2d(3, 8, 4, stride=2, padding=1)
    up = nn.ConvTranspose2d(8, 3, 4, stride=2, padding=1)
    x = ns.randn(2, 3, 16, 16)
    assert up(conv(x)).shape == x.shape                      # 16 -> 8 -> 16
    w = nn.ConvTranspose1d(4, 6, 5).weight.numpy()              # U(±1/sqrt(C_out·k))
    assert w.shape == (4, 6, 5) and np.abs(w).max() <= 1 / np.sqrt(30)
    with pytest.raises(ValueError, match=r"output_padding must be smaller than stride or "
                                         r"dilation"):
        F.conv_transpose2d(ns.randn(1, 2, 3, 3), ns.randn(2, 3, 3, 3), stride=2,
                           output_padding=2)
    with pytest.raises(ValueError, match=r"ConvTranspose2d\(8, 3\): conv_transpose2d: input "
                                         r"has 5 channels"):
        up(ns.randn(1, 5, 4, 4))
    with pytest.raises(ValueError, match=r"must both be divisible by groups \(3\)"):
        nn.ConvTranspose2d(4, 4, 3, groups=3)
