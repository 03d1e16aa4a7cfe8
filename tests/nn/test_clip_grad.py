"""Gradient clipping: parity with torch.nn.utils.clip_grad_norm_ / clip_grad_value_."""
import math

import numpy as np
import pytest
import torch

import nnscratch as ns
import nnscratch.optim as optim
from nnscratch import nn


def _pair(rng, scale, dtype=np.float64, shapes=((3, 4), (4,), (2, 2, 2))):
    """The same gradients on our tensors and torch's."""
    grads = [(rng.normal(size=s) * scale).astype(dtype) for s in shapes]
    ours = [ns.tensor(np.zeros(s, dtype), requires_grad=True) for s in shapes]
    theirs = [torch.zeros(s, dtype=getattr(torch, np.dtype(dtype).name), requires_grad=True)
              for s in shapes]
    for o, t, g in zip(ours, theirs, grads):
        o.grad = g.copy()
        t.grad = torch.tensor(g.copy())
    return ours, theirs


@pytest.mark.parametrize("max_norm, norm_type", [(1.0, 2.0), (100.0, 2.0), (0.5, 1.0),
                                                 (0.3, math.inf), (2.0, 3), (0.0, 2.0)],
                         ids=["l2_clips", "l2_no_clip", "l1", "inf", "p3", "zero"])
def test_clip_grad_norm_matches_torch(rng, max_norm, norm_type):
    ours, theirs = _pair(rng, scale=2.0)
    total = nn.utils.clip_grad_norm_(ours, max_norm, norm_type)
    ttotal = torch.nn.utils.clip_grad_norm_(theirs, max_norm, norm_type)
    assert isinstance(total, float)
    assert total == pytest.approx(ttotal.item(), rel=1e-12)
    for o, t in zip(ours, theirs):
        np.testing.assert_allclose(o.grad, t.grad.numpy(), rtol=1e-12, atol=1e-15)
    joint = np.concatenate([o.grad.ravel() for o in ours])
    norm = np.abs(joint).max() if norm_type == math.inf else np.sum(np.abs(joint) ** norm_type) \
        ** (1 / norm_type)
    assert norm <= max_norm + 1e-9 or total <= max_norm


def test_clip_grad_norm_float32_and_generator(rng):
    ours, theirs = _pair(rng, scale=5.0, dtype=np.float32)
    model_like = (p for p in ours)              # a generator, like model.parameters()
    total = nn.utils.clip_grad_norm_(model_like, 1.0)
    ttotal = torch.nn.utils.clip_grad_norm_(theirs, 1.0)
    assert total == pytest.approx(ttotal.item(), rel=1e-5)
    for o, t in zip(ours, theirs):
        assert o.grad.dtype == np.float32
        np.testing.assert_allclose(o.grad, t.grad.numpy(), rtol=1e-5, atol=1e-7)


def test_clip_grad_norm_single_tensor_and_missing_grads(rng):
    ours, theirs = _pair(rng, scale=3.0)
    ours[1].grad, theirs[1].grad = None, None
    nn.utils.clip_grad_norm_(ours, 0.7)
    torch.nn.utils.clip_grad_norm_(theirs, 0.7)
    assert ours[1].grad is None
    for o, t in zip(ours[::2], theirs[::2]):
        np.testing.assert_allclose(o.grad, t.grad.numpy(), rtol=1e-12)
    total = nn.utils.clip_grad_norm_(ours[0], 0.1)
    ttotal = torch.nn.utils.clip_grad_norm_(theirs[0], 0.1)
    assert total == pytest.approx(ttotal.item(), rel=1e-12)
    assert nn.utils.clip_grad_norm_([ns.tensor([1.0], requires_grad=True)], 1.0) == 0.0


def test_clip_grad_norm_nonfinite(rng):
    ours, theirs = _pair(rng, scale=1.0)
    ours[0].grad[0, 0] = np.inf
    with pytest.raises(RuntimeError, match="non-finite|inf"):
        nn.utils.clip_grad_norm_(ours, 1.0, error_if_nonfinite=True)
    ours[0].grad[0, 0] = np.nan
    theirs[0].grad[0, 0] = math.nan
    assert math.isnan(nn.utils.clip_grad_norm_(ours, 1.0))
    torch.nn.utils.clip_grad_norm_(theirs, 1.0)
    assert np.isnan(ours[1].grad).all() and torch.isnan(theirs[1].grad).all()


@pytest.mark.parametrize("clip_value", [0.5, 1.5, 0.0])
def test_clip_grad_value_matches_torch(rng, clip_value):
    ours, theirs = _pair(rng, scale=1.0)
    assert nn.utils.clip_grad_value_(ours, clip_value) is None
    torch.nn.utils.clip_grad_value_(theirs, clip_value)
    for o, t in zip(ours, theirs):
        np.testing.assert_array_equal(o.grad, t.grad.numpy())
    assert max(np.abs(o.grad).max() for o in ours) <= clip_value


def test_clipping_inside_a_training_step():
    """clip_grad_norm_ between backward() and step() bounds the update of SGD."""
    lin = nn.Linear(3, 2)
    x = ns.tensor(np.full((4, 3), 100.0, dtype=np.float32))
    lin(x).sum().backward()
    before = [p.numpy().copy() for p in lin.parameters()]
    total = nn.utils.clip_grad_norm_(lin.parameters(), 1.0)
    assert total > 100
    optim.SGD(list(lin.parameters()), lr=0.1).step()
    step = np.concatenate([(b - p.numpy()).ravel() for b, p in zip(before, lin.parameters())])
    assert np.linalg.norm(step) <= 0.1 + 1e-5


@pytest.mark.parametrize("call, err, name", [
    (lambda ps: nn.utils.clip_grad_norm_(ps, -1.0), ValueError, "max_norm"),
    (lambda ps: nn.utils.clip_grad_norm_(ps, math.nan), ValueError, "max_norm"),
    (lambda ps: nn.utils.clip_grad_norm_(ps, "1"), TypeError, "max_norm"),
    (lambda ps: nn.utils.clip_grad_norm_(ps, 1.0, norm_type=0), ValueError, "norm_type"),
    (lambda ps: nn.utils.clip_grad_norm_(ps, 1.0, norm_type=-2), ValueError, "norm_type"),
    (lambda ps: nn.utils.clip_grad_norm_(nn.Linear(2, 2), 1.0), TypeError, "parameters"),
    (lambda ps: nn.utils.clip_grad_value_(ps, -0.1), ValueError, "clip_value"),
    (lambda ps: nn.utils.clip_grad_value_(ps, None), TypeError, "clip_value"),
])
def test_bad_input(rng, call, err, name):
    ours, _ = _pair(rng, scale=1.0)
    with pytest.raises(err, match=name):
        call(ours)
