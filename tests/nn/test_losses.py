"""Losses against torch.nn.functional (float64), loss modules, and numerical stability."""
import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from helpers.loss_cases import CE_OPTIONS, REDUCTIONS, _options

import nnscratch as ns
import nnscratch.nn as nn
import nnscratch.nn.functional as F

TOL = dict(rtol=1e-10, atol=1e-12)

def run_both(ours_fn, torch_fn, pred_np, target_np, rng, target_grad=True):
    """Value and gradients (prediction and, for float targets, target) of both libraries."""
    p = ns.tensor(pred_np, requires_grad=True)
    tp = torch.tensor(pred_np, requires_grad=True)
    if target_grad:
        t = ns.tensor(target_np, requires_grad=True)
        tt = torch.tensor(target_np, requires_grad=True)
    else:
        t, tt = target_np, torch.tensor(target_np)
    y, ty = ours_fn(p, t), torch_fn(tp, tt)
    np.testing.assert_allclose(y.numpy(), ty.detach().numpy(), **TOL)
    u = rng.standard_normal(y.shape)
    y.backward(u)
    ty.backward(torch.tensor(u))
    np.testing.assert_allclose(p.grad, tp.grad.numpy(), **TOL)
    if target_grad:
        np.testing.assert_allclose(t.grad, tt.grad.numpy(), **TOL)
    return y

@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_mse(reduction, rng):
    run_both(lambda p, t: F.mse_loss(p, t, reduction=reduction),
             lambda p, t: TF.mse_loss(p, t, reduction=reduction),
             rng.standard_normal((5, 3)), rng.standard_normal((5, 3)), rng)

@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_binary_cross_entropy(reduction, rng):
    run_both(lambda p, t: F.binary_cross_entropy(p, t, reduction=reduction),
             lambda p, t: TF.binary_cross_entropy(p, t, reduction=reduction),
             rng.uniform(0.01, 0.99, (6, 2)), rng.uniform(0, 1, (6, 2)), rng)

@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_binary_cross_entropy_with_logits(reduction, rng):
    run_both(lambda p, t: F.binary_cross_entropy_with_logits(p, t, reduction=reduction),
             lambda p, t: TF.binary_cross_entropy_with_logits(p, t, reduction=reduction),
             rng.standard_normal((6, 2)) * 4, rng.uniform(0, 1, (6, 2)), rng)

@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_class_indices(reduction, rng):
    run_both(lambda p, t: F.cross_entropy(p, t, reduction=reduction),
             lambda p, t: TF.cross_entropy(p, t, reduction=reduction),
             rng.standard_normal((7, 4)) * 3, rng.integers(0, 4, 7), rng, target_grad=False)

@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_probability_targets(reduction, rng):
    t = rng.uniform(0, 1, (7, 4))
    run_both(lambda p, t: F.cross_entropy(p, t, reduction=reduction),
             lambda p, t: TF.cross_entropy(p, t, reduction=reduction),
             rng.standard_normal((7, 4)) * 3, t / t.sum(1, keepdims=True), rng)

@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("opts", CE_OPTIONS, ids=lambda o: "-".join(o))
def test_cross_entropy_options_match_torch(opts, reduction, rng):
    ours, theirs = _options(opts, rng)
    y = rng.integers(0, 4, 9)
    y[[2, 5]] = ours.get("ignore_index", 0)           # some ignored items when asked
    run_both(lambda p, t: F.cross_entropy(p, t, reduction=reduction, **ours),
             lambda p, t: TF.cross_entropy(p, t, reduction=reduction, **theirs),
             rng.standard_normal((9, 4)) * 3, y, rng, target_grad=False)
    if "ignore_index" not in ours:                     # probability targets
        t = rng.uniform(0, 1, (9, 4))
        run_both(lambda p, t: F.cross_entropy(p, t, reduction=reduction, **ours),
                 lambda p, t: TF.cross_entropy(p, t, reduction=reduction, **theirs),
                 rng.standard_normal((9, 4)) * 3, t / t.sum(1, keepdims=True), rng)
    assert ns.gradcheck(lambda z: F.cross_entropy(z, y, reduction=reduction, **ours),
                        [rng.standard_normal((9, 4))])

@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_nll_loss_weight_and_ignore_index_match_torch(reduction, rng):
    ours, theirs = _options(dict(weight=True, ignore_index=3), rng)
    y = np.array([0, 3, 1, 2, 3, 1, 0])
    run_both(lambda p, t: F.nll_loss(p, t, reduction=reduction, **ours),
             lambda p, t: TF.nll_loss(p, t, reduction=reduction, **theirs),
             rng.standard_normal((7, 4)), y, rng, target_grad=False)
    mod, tmod = (nn.NLLLoss(ours["weight"], ignore_index=3, reduction=reduction),
                 torch.nn.NLLLoss(theirs["weight"], ignore_index=3, reduction=reduction))
    run_both(mod, tmod, rng.standard_normal((7, 4)), y, rng, target_grad=False)

def test_cross_entropy_module_options_and_bad_input(rng):
    w = rng.uniform(0.5, 2.0, 3)
    ours = nn.CrossEntropyLoss(w, ignore_index=0, label_smoothing=0.1)
    theirs = torch.nn.CrossEntropyLoss(torch.tensor(w), ignore_index=0, label_smoothing=0.1)
    run_both(ours, theirs, rng.standard_normal((6, 3)), np.array([0, 1, 2, 2, 0, 1]), rng,
             target_grad=False)
    z = ns.randn(4, 3)
    with pytest.raises(ValueError, match=r"weight must have one entry per class \(3,\), "
                                         r"got \(2,\)"):
        F.cross_entropy(z, [0, 1, 2, 1], weight=np.ones(2))
    with pytest.raises(ValueError, match=r"label_smoothing must be a number in \[0, 1\], "
                                         r"got 1.5"):
        F.cross_entropy(z, [0, 1, 2, 1], label_smoothing=1.5)
    with pytest.raises(ValueError, match=r"class labels must be in \[0, 3\), got -1"):
        F.cross_entropy(z, [0, 1, -1, 1])            # -1 is not the ignore_index (-100)
    assert np.isfinite(F.cross_entropy(z, [0, 1, -1, 1], ignore_index=-1).item())

@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name, kw", [("l1_loss", {}), ("smooth_l1_loss", dict(beta=0.5)),
                                      ("smooth_l1_loss", dict(beta=0.0)),
                                      ("huber_loss", dict(delta=0.7))])
def test_l1_family_matches_torch(name, kw, reduction, rng):
    run_both(lambda p, t: getattr(F, name)(p, t, reduction=reduction, **kw),
             lambda p, t: getattr(TF, name)(p, t, reduction=reduction, **kw),
             rng.standard_normal((6, 3)), rng.standard_normal((6, 3)), rng)

def test_cross_entropy_one_hot_equals_indices(rng):
    z = ns.tensor(rng.standard_normal((5, 3)))
    y = np.array([2, 0, 1, 1, 2])
    np.testing.assert_allclose(F.cross_entropy(z, np.eye(3)[y]).numpy(),
                               F.cross_entropy(z, y).numpy(), rtol=1e-6)

@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_nll_loss(reduction, rng):
    run_both(lambda p, t: F.nll_loss(p, t, reduction=reduction),
             lambda p, t: TF.nll_loss(p, t, reduction=reduction),
             rng.standard_normal((7, 4)), rng.integers(0, 4, 7), rng, target_grad=False)

def test_kl_div_gaussian_closed_form_against_torch_distributions(rng):
    mu, logvar = rng.standard_normal((5, 3)), rng.standard_normal((5, 3))
    q = torch.distributions.Normal(torch.tensor(mu), torch.tensor(np.exp(0.5 * logvar)))
    p = torch.distributions.Normal(torch.zeros(5, 3, dtype=torch.float64),
                                   torch.ones(5, 3, dtype=torch.float64))
    expected = torch.distributions.kl_divergence(q, p).sum(-1).mean().item()
    assert F.kl_div_gaussian(ns.tensor(mu), ns.tensor(logvar)).item() == pytest.approx(
        expected, rel=1e-12)

@pytest.mark.parametrize("ours_cls, torch_cls, kind", [
    (nn.MSELoss, torch.nn.MSELoss, "float"),
    (nn.BCELoss, torch.nn.BCELoss, "prob"),
    (nn.BCEWithLogitsLoss, torch.nn.BCEWithLogitsLoss, "float"),
    (nn.CrossEntropyLoss, torch.nn.CrossEntropyLoss, "class"),
    (nn.CrossEntropyLoss, torch.nn.CrossEntropyLoss, "prob"),
    (nn.NLLLoss, torch.nn.NLLLoss, "class"),
    (nn.L1Loss, torch.nn.L1Loss, "float"),
    (nn.SmoothL1Loss, torch.nn.SmoothL1Loss, "float"),
    (nn.HuberLoss, torch.nn.HuberLoss, "float"),
])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_loss_modules(ours_cls, torch_cls, kind, reduction, rng):
    if ours_cls is nn.BCELoss:
        pred = rng.uniform(0.05, 0.95, (6, 3))
    else:
        pred = rng.standard_normal((6, 3))
    if kind == "class":
        target = rng.integers(0, 3, 6)
    else:
        target = rng.uniform(0, 1, (6, 3))
    ours, theirs = ours_cls(reduction=reduction), torch_cls(reduction=reduction)
    run_both(ours, theirs, pred, target, rng, target_grad=kind != "class")
    assert repr(ours) == repr(theirs)          # torch prints no options: "MSELoss()"

def test_loss_modules_default_to_mean(rng):
    for cls in (nn.MSELoss, nn.BCELoss, nn.BCEWithLogitsLoss, nn.CrossEntropyLoss, nn.NLLLoss):
        assert cls().reduction == "mean"

def test_targets_as_lists_and_float32_predictions():
    z = ns.tensor([[1.0, 2.0], [0.5, -1.0]], requires_grad=True)
    loss = F.cross_entropy(z, [1, 0])
    assert loss.dtype == np.float32
    assert F.mse_loss(z, [[0, 0], [0, 0]]).dtype == np.float32
    assert F.binary_cross_entropy_with_logits(z, np.ones((2, 2))).dtype == np.float32

# ------------------------------------------------------------------ stability
LOGITS = np.array([[1000.0, -1000.0, 0.0], [-1000.0, -1000.0, 1000.0], [1000.0, 1000.0, -1000.0]])

@pytest.fixture
def strict_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")      # overflow, divide by zero, invalid -> errors
        # NumPy's default: overflow, divide and invalid warn; harmless underflow to 0 is silent
        with np.errstate(over="warn", divide="warn", invalid="warn", under="ignore"):
            yield

@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name", ["cross_entropy_int", "cross_entropy_prob", "log_softmax",
                                  "softmax", "bce_with_logits", "sigmoid"])
def test_extreme_logits_are_finite_with_finite_gradients(name, dtype, strict_warnings):
    z = ns.tensor(LOGITS.astype(dtype), requires_grad=True)
    tz = torch.tensor(LOGITS.astype(dtype), requires_grad=True)
    y_int, y_prob = np.array([1, 2, 0]), np.full((3, 3), 1 / 3)
    fns = {
        "cross_entropy_int": (lambda z: F.cross_entropy(z, y_int),
                              lambda z: TF.cross_entropy(z, torch.tensor(y_int))),
        "cross_entropy_prob": (lambda z: F.cross_entropy(z, y_prob),
                               lambda z: TF.cross_entropy(z, torch.tensor(y_prob, dtype=z.dtype))),
        "log_softmax": (lambda z: F.log_softmax(z), lambda z: TF.log_softmax(z, -1)),
        "softmax": (lambda z: F.softmax(z), lambda z: TF.softmax(z, -1)),
        "bce_with_logits": (
            lambda z: F.binary_cross_entropy_with_logits(z, np.eye(3)),
            lambda z: TF.binary_cross_entropy_with_logits(z, torch.eye(3, dtype=z.dtype))),
        "sigmoid": (lambda z: F.sigmoid(z), lambda z: torch.sigmoid(z)),
    }
    ours, theirs = fns[name]
    y, ty = ours(z), theirs(tz)
    assert np.all(np.isfinite(y.numpy()))
    np.testing.assert_allclose(y.numpy(), ty.detach().numpy(), rtol=1e-6)
    u = np.linspace(-1, 1, y.numel()).reshape(y.shape).astype(dtype)
    y.backward(u)
    ty.backward(torch.tensor(u))
    assert np.all(np.isfinite(z.grad))
    np.testing.assert_allclose(z.grad, tz.grad.numpy(), rtol=1e-6, atol=1e-30)

@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_bce_on_probabilities_exactly_zero_and_one(reduction, dtype, strict_warnings):
    p_np = np.array([0.0, 1.0, 0.0, 1.0, 0.5], dtype)
    t_np = np.array([0.0, 1.0, 1.0, 0.0, 1.0], dtype)
    p = ns.tensor(p_np, requires_grad=True)
    tp = torch.tensor(p_np, requires_grad=True)
    y = F.binary_cross_entropy(p, t_np, reduction=reduction)
    ty = TF.binary_cross_entropy(tp, torch.tensor(t_np), reduction=reduction)
    rtol = 1e-12 if dtype == np.float64 else 1e-6
    np.testing.assert_allclose(y.numpy(), ty.detach().numpy(), rtol=rtol)    # logs clamped at -100
    assert y.dtype == dtype
    y.backward(np.ones(y.shape, dtype))
    ty.backward(torch.ones(ty.shape, dtype=ty.dtype))
    assert np.all(np.isfinite(p.grad))
    np.testing.assert_allclose(p.grad, tp.grad.numpy(), rtol=rtol)
