"""fit keeps the last finite weights when a step overflows; duplicate parameters are updated
once; fit refuses an optimizer over another model (issue 17, items 1-3)."""
import warnings

import numpy as np
import pytest

import nnscratch as ns
import nnscratch.nn as nn
import nnscratch.optim as optim
from nnscratch.training import DivergenceError, fit

OPTIMIZERS = [optim.SGD, optim.Adam, optim.AdamW, optim.RMSprop, optim.Adagrad,
              optim.Adadelta, optim.Adamax, optim.NAdam]


def _data(rng, n=32):
    X = (100 * rng.standard_normal((n, 3))).astype(np.float32)  # gradients of order 10-100
    return X, (X[:, 0] > 0).astype(np.int64)


def _weights(model):
    return {k: np.array(v) for k, v in model.state_dict().items()}


# ------------------------------------------------------------------------------- item 1
@pytest.mark.parametrize("batches", [1, 4])
def test_overflowing_step_raises_and_keeps_the_last_finite_weights(rng, batches):
    X, y = _data(rng)
    model = nn.Linear(3, 2)
    before = _weights(model)
    opt = optim.SGD(model.parameters(), lr=1e38)   # finite gradients x 1e38 overflow float32
    with pytest.raises(DivergenceError, match=r"optimizer.step\(\) made (weight|bias) NaN or "
                                              r"infinite at epoch 1, batch 1"):
        with np.errstate(over="ignore", invalid="ignore"):
            fit(model, X, y, loss="cross_entropy", optimizer=opt, epochs=1,
                batch_size=len(X) // batches, progress=False, seed=0)
    after = _weights(model)
    for k in before:  # the diverging step was the first: the weights are the initial ones
        assert np.isfinite(after[k]).all()
        np.testing.assert_array_equal(after[k], before[k])


def test_divergence_after_good_steps_keeps_the_weights_of_the_last_good_step(rng):
    X, y = _data(rng)
    model = nn.Linear(3, 2)
    opt = optim.SGD(model.parameters(), lr=0.1)
    seen = []

    class Record(ns.training.callbacks.Callback):
        def on_after_backward(self, step):
            if step == 3:   # after three good steps, a finite gradient that the step overflows
                model.weight.grad[...] = 1e30
                opt.param_groups[0]["lr"] = 1e10

        def on_batch_end(self, step, logs=None):
            seen.append(_weights(model))
    with pytest.raises(DivergenceError, match="batch 4"):
        with np.errstate(over="ignore", invalid="ignore"):
            fit(model, X, y, loss="cross_entropy", optimizer=opt, epochs=1, batch_size=8,
                progress=False, seed=0, callbacks=[Record()])
    for k, v in _weights(model).items():
        np.testing.assert_array_equal(v, seen[-1][k])


# ------------------------------------------------------------------------------- item 2
@pytest.mark.parametrize("cls", OPTIMIZERS)
def test_a_parameter_listed_twice_in_a_group_is_updated_once_with_a_warning(cls):
    def run(twice):
        ns.manual_seed(0)
        p = nn.Parameter(np.array([1.0, -2.0, 3.0]))
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            opt = cls([p, p] if twice else [p], lr=0.1)
        for _ in range(3):
            opt.zero_grad()
            (p * p).sum().backward()
            opt.step()
        return np.array(p.numpy()), w
    once, quiet = run(False)
    twice, warned = run(True)
    np.testing.assert_array_equal(twice, once)
    assert not quiet
    assert len(warned) == 1 and "more than once; each is updated once" in str(warned[0].message)
    assert warned[0].filename == __file__  # points at the caller's line


def test_shared_layer_through_two_parameter_lists_is_updated_once():
    shared = nn.Linear(2, 2)
    a, b = nn.Sequential(shared, nn.ReLU()), nn.Sequential(shared)
    with pytest.warns(UserWarning, match="2 parameter"):
        opt = optim.SGD(list(a.parameters()) + list(b.parameters()), lr=0.1)
    assert len(opt.param_groups[0]["params"]) == 2


def test_a_parameter_in_two_groups_raises_as_torch():
    p = nn.Parameter(np.zeros(2))
    with pytest.raises(ValueError, match="appear in more than one group"):
        optim.Adam([{"params": [p]}, {"params": [p], "lr": 0.1}])


# ------------------------------------------------------------------------------- item 3
def test_fit_refuses_an_optimizer_over_another_models_parameters(rng):
    X, y = _data(rng)
    model, other = nn.Linear(3, 2), nn.Linear(3, 2)
    with pytest.raises(ValueError, match="the optimizer holds none of the model's 2 trainable"):
        fit(model, X, y, loss="cross_entropy", optimizer=optim.SGD(other.parameters(), lr=0.1),
            progress=False)
    # a subset (fine-tuning the last layer only) is legitimate
    net = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    fit(net, X, y, loss="cross_entropy", optimizer=optim.SGD(net[2].parameters(), lr=0.1),
        progress=False)
