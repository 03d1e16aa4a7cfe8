"""Silent wrong values and unclear errors (issue 17, items 9 and 10): each is now a TypeError or
ValueError that names the argument, the expected and the actual value."""
import warnings

import numpy as np
import pytest

import nnscratch as ns
import nnscratch.nn as nn
import nnscratch.nn.functional as F
import nnscratch.optim as optim
from nnscratch.linear_model import LinearRegression, LogisticRegression
from nnscratch.model_selection import cross_val_score
from nnscratch.optimize import minimize
from nnscratch.utils.data import ArrayLoader


def _logits(n=4, k=3):
    return ns.tensor(np.random.default_rng(0).standard_normal((n, k)), requires_grad=True)


# ------------------------------------------------------------------------------- item 9
def test_cross_entropy_integer_probability_target_is_refused():
    onehot = np.eye(3, dtype=np.int64)[[0, 1, 2, 0]]   # looks like probabilities, is not
    with pytest.raises(TypeError, match=r"probability targets \(N, K\) must be floating"):
        F.cross_entropy(_logits(), onehot)
    with pytest.raises(TypeError, match="must be floating"):
        nn.CrossEntropyLoss()(_logits(), onehot)
    F.cross_entropy(_logits(), onehot.astype(np.float32))  # the float version is fine


@pytest.mark.parametrize("fn", [F.binary_cross_entropy, F.binary_cross_entropy_with_logits])
@pytest.mark.parametrize("bad", [-0.5, 1.5])
def test_bce_targets_outside_unit_interval(fn, bad):
    p = ns.tensor(np.full((3, 1), 0.5), requires_grad=True)
    t = np.array([[0.0], [bad], [1.0]])
    with pytest.raises(ValueError, match=r"target must be probabilities in \[0, 1\]"):
        fn(p, t)


@pytest.mark.parametrize("lr", [float("inf"), -float("inf"), float("nan")])
@pytest.mark.parametrize("cls", [optim.SGD, optim.Adam, optim.AdamW, optim.RMSprop,
                                 optim.Adagrad, optim.Adadelta, optim.Adamax, optim.NAdam])
def test_optimizers_refuse_non_finite_lr(cls, lr):
    with pytest.raises(ValueError, match="lr="):
        cls([nn.Parameter(np.zeros(2))], lr=lr)


def test_dataloader_refuses_object_and_string_arrays():
    numbers = r"must hold numbers \(bool, int or float\), got dtype"
    with pytest.raises(TypeError, match=f"ArrayLoader: X {numbers} object"):
        ArrayLoader(np.array([1, "a", None], dtype=object))
    with pytest.raises(TypeError, match=f"ArrayLoader: y {numbers} <U1"):
        ArrayLoader(np.zeros((3, 2)), np.array(["a", "b", "c"]))


@pytest.mark.parametrize("X", [np.array([["1.5"], ["2"], ["3"]]),
                               np.array([["1.5"], [2.0], [3.0]], dtype=object)])
def test_estimators_refuse_text_X(X):
    with pytest.raises(TypeError, match="LinearRegression.fit: X must be a numeric array"):
        LinearRegression().fit(X, np.arange(3.0))


def test_load_state_dict_warns_about_nan_weights():
    m = nn.Linear(2, 2)
    sd = m.state_dict()
    sd = {k: np.array(v) for k, v in sd.items()}
    sd["weight"][0, 0] = np.nan
    with pytest.warns(RuntimeWarning, match="weight hold NaN or infinite"):
        m.load_state_dict(sd)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        m.load_state_dict(nn.Linear(2, 2).state_dict())   # finite weights: no word
    with pytest.raises(TypeError, match="bias must hold real numbers"):
        m.load_state_dict({"weight": np.zeros((2, 2)), "bias": np.array(["a", "b"])})


@pytest.mark.parametrize("x", [np.ones((2, 3), dtype=np.complex128),
                               np.array([[1, None, 2]], dtype=object),
                               np.array([["a", "b", "c"]])])
def test_linear_refuses_complex_object_and_text_inputs(x):
    with pytest.raises(TypeError, match=r"Linear: input must hold real numbers .* got dtype"):
        nn.Linear(3, 2)(x)


# ------------------------------------------------------------------------------ item 10
def test_softmax_axis_out_of_range_and_not_an_int():
    x = ns.tensor(np.zeros((2, 3)))
    with pytest.raises(ValueError, match=r"softmax: axis \(dim\) 5 is out of range for a 2-D"):
        F.softmax(x, axis=5)
    with pytest.raises(TypeError, match=r"log_softmax: axis \(dim\) must be an int, got str"):
        F.log_softmax(x, dim="a")
    with pytest.raises(ValueError, match="out of range"):
        nn.Softmax(dim=-3)(x)


@pytest.mark.parametrize("data, err", [("abc", TypeError), ([[1, 2], [3]], ValueError),
                                       (np.array([1 + 2j]), TypeError), (None, TypeError)])
def test_parameter_refuses_non_numbers(data, err):
    with pytest.raises(err, match="Parameter: data must"):
        nn.Parameter(data)


def test_estimator_negative_random_state_names_it():
    X, y = np.random.default_rng(0).standard_normal((20, 2)), np.arange(20) % 2
    with pytest.raises(ValueError, match="LogisticRegression.*random_state must be >= 0, got -1"):
        LogisticRegression(solver="sgd", random_state=-1).fit(X, y)


@pytest.mark.parametrize("cv, err, match", [(0, ValueError, "cv must be a number of folds >= 2"),
                                            (1, ValueError, "cv must be .* got 1"),
                                            ("abc", TypeError, "cv must be an int or a splitter")])
def test_cross_val_score_cv_names_cv(cv, err, match):
    X, y = np.random.default_rng(0).standard_normal((20, 2)), np.arange(20.0)
    with pytest.raises(err, match=f"cross_val_score: {match}"):
        cross_val_score(LinearRegression(), X, y, cv=cv)


@pytest.mark.parametrize("x0, match", [
    (np.array([1, None], dtype=object), "x0 must be a number, a rectangular list"),
    ([[1.0, 2.0], [3.0]], "x0 must be a number, a rectangular list"),
    (np.array([1 + 1j, 2.0]), "x0 must hold real numbers, got dtype complex128"),
    ("1.0", "x0 must hold real numbers"),
])
def test_minimize_refuses_object_ragged_complex_x0(x0, match):
    with pytest.raises(TypeError, match=match):
        minimize(lambda x: (x ** 2).sum(), x0)


@pytest.mark.parametrize("make, match", [
    (lambda p: optim.SGD(p, lr=0.1, momentum=1.5),
     r"momentum=1.5; expected a value in \[0.0, 1.0\]"),
    (lambda p: optim.SGD(p, lr=0.1, momentum=0.5, dampening=-0.1), "dampening=-0.1"),
    (lambda p: optim.RMSprop(p, alpha=1.5), "alpha=1.5"),
    (lambda p: optim.RMSprop(p, momentum=2.0), "momentum=2.0"),
])
def test_optimizer_hyper_parameter_ranges(make, match):
    with pytest.raises(ValueError, match=match):
        make([nn.Parameter(np.zeros(2))])


@pytest.mark.parametrize("weight", [[1.0, -1.0, 1.0], [1.0, np.nan, 1.0], [np.inf, 1, 1]])
@pytest.mark.parametrize("loss", [F.cross_entropy, F.nll_loss])
def test_class_weight_negative_or_nan(weight, loss):
    with pytest.raises(ValueError, match="weight must be finite and >= 0 for every class"):
        loss(_logits(), np.array([0, 1, 2, 0]), weight=np.array(weight))


@pytest.mark.parametrize("ignore_index", [1.5, "0", None, True])
def test_ignore_index_must_be_an_int(ignore_index):
    with pytest.raises(TypeError, match="ignore_index must be an int"):
        F.cross_entropy(_logits(), np.array([0, 1, 2, 0]), ignore_index=ignore_index)
    with pytest.raises(TypeError, match="ignore_index must be an int"):
        nn.NLLLoss(ignore_index=ignore_index)(_logits(), np.array([0, 1, 2, 0]))
