"""Property-based: bad inputs drawn by hypothesis for every public layer, loss, optimizer, data
utility and estimator must raise a TypeError or ValueError whose message names the argument --
never another exception type, never silent acceptance (issue 17).

Bounded: at most 50 examples per property, derandomized (the same examples on every run), the
module well under its 45 s budget.
"""
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import nnscratch as ns
import nnscratch.nn as nn
import nnscratch.nn.functional as F
import nnscratch.optim as optim
from nnscratch import linear_model as lm
from nnscratch import model_selection, preprocessing
from nnscratch import model_selection as ms
from nnscratch.utils.data import ArrayLoader

SETTINGS = settings(max_examples=50, derandomize=True, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow])


def assert_refused(call, *names):
    """``call()`` raises TypeError/ValueError whose message contains one of ``names``."""
    try:
        call()
    except (TypeError, ValueError) as e:
        msg = str(e)
        assert any(n in msg for n in names), f"message does not name {names}: {msg!r}"
        return
    except Exception as e:  # noqa: BLE001 - the property is about the exception type
        pytest.fail(f"{type(e).__name__} instead of TypeError/ValueError: {e}")
    pytest.fail(f"silently accepted (expected an error naming {names})")


# ------------------------------------------------------------------------------ strategies
def _not_integral(x):
    return not (isinstance(x, int) and not isinstance(x, bool))


# a size/count argument: anything but a positive int
bad_size = st.one_of(
    st.integers(max_value=0),
    st.floats(allow_nan=True, allow_infinity=True).filter(_not_integral),
    st.text(max_size=3), st.none(), st.booleans(), st.complex_numbers(max_magnitude=4),
    st.lists(st.integers(1, 3), min_size=4, max_size=4))

# a real hyper-parameter in [0, 1) or [0, inf): negative, NaN, infinite, or not a number
bad_real = st.one_of(
    st.floats(max_value=-1e-6), st.just(math.nan), st.just(math.inf), st.just(-math.inf),
    st.text(max_size=3), st.none(), st.complex_numbers(max_magnitude=4).filter(
        lambda z: z.imag != 0))
bad_prob = st.one_of(bad_real, st.floats(min_value=1.0 + 1e-6, allow_infinity=False))


def bad_array(shape, ranks=True, none=True):
    """Arrays no numeric layer, loss or estimator may take: text, objects, complex, (with
    ``ranks``) the wrong number of dimensions, or no array at all (None only with ``none``)."""
    n = int(np.prod(shape))
    bad = [st.just(np.full(shape, "a")),
           st.just(np.array([None] * n, dtype=object).reshape(shape)),
           st.builds(lambda v: np.full(shape, v, dtype=np.complex128),
                     st.complex_numbers(max_magnitude=4).filter(lambda z: z.imag != 0)),
           st.one_of(st.text(max_size=3), st.integers())]
    if ranks:
        bad.append(st.sampled_from([np.zeros(()), np.zeros((2,) * (len(shape) + 2))]))
    if none:
        bad.append(st.none())
    return st.one_of(*bad)


# ------------------------------------------------------------------------------ layers
# name -> (constructor, valid kwargs, size arguments, input shape)
LAYERS = {
    "Linear": (nn.Linear, dict(in_features=3, out_features=2), ["in_features", "out_features"],
               (2, 3)),
    "Conv1d": (nn.Conv1d, dict(in_channels=2, out_channels=3, kernel_size=3),
               ["in_channels", "out_channels", "kernel_size"], (2, 2, 8)),
    "Conv2d": (nn.Conv2d, dict(in_channels=2, out_channels=3, kernel_size=3),
               ["in_channels", "out_channels", "kernel_size"], (2, 2, 6, 6)),
    "ConvTranspose1d": (nn.ConvTranspose1d, dict(in_channels=2, out_channels=3, kernel_size=3),
                        ["in_channels", "out_channels", "kernel_size"], (2, 2, 5)),
    "ConvTranspose2d": (nn.ConvTranspose2d, dict(in_channels=2, out_channels=3, kernel_size=3),
                        ["in_channels", "out_channels", "kernel_size"], (2, 2, 4, 4)),
    "MaxPool1d": (nn.MaxPool1d, dict(kernel_size=2), ["kernel_size"], (2, 2, 8)),
    "MaxPool2d": (nn.MaxPool2d, dict(kernel_size=2), ["kernel_size"], (2, 2, 6, 6)),
    "AvgPool1d": (nn.AvgPool1d, dict(kernel_size=2), ["kernel_size"], (2, 2, 8)),
    "AvgPool2d": (nn.AvgPool2d, dict(kernel_size=2), ["kernel_size"], (2, 2, 6, 6)),
    "AdaptiveAvgPool2d": (nn.AdaptiveAvgPool2d, dict(output_size=2), ["output_size"],
                          (2, 2, 6, 6)),
    "BatchNorm1d": (nn.BatchNorm1d, dict(num_features=3), ["num_features"], (4, 3)),
    "BatchNorm2d": (nn.BatchNorm2d, dict(num_features=2), ["num_features"], (2, 2, 3, 3)),
    "GroupNorm": (nn.GroupNorm, dict(num_groups=2, num_channels=4),
                  ["num_groups", "num_channels"], (2, 4, 3)),
    "LayerNorm": (nn.LayerNorm, dict(normalized_shape=3), [], (2, 3)),
    "Embedding": (nn.Embedding, dict(num_embeddings=5, embedding_dim=2),
                  ["num_embeddings", "embedding_dim"], None),
    "RNN": (nn.RNN, dict(input_size=3, hidden_size=2, batch_first=True),
            ["input_size", "hidden_size", "num_layers"], (2, 4, 3)),
    "LSTM": (nn.LSTM, dict(input_size=3, hidden_size=2, batch_first=True),
             ["input_size", "hidden_size", "num_layers"], (2, 4, 3)),
    "GRU": (nn.GRU, dict(input_size=3, hidden_size=2, batch_first=True),
            ["input_size", "hidden_size", "num_layers"], (2, 4, 3)),
    "RNNCell": (nn.RNNCell, dict(input_size=3, hidden_size=2), ["input_size", "hidden_size"],
                (2, 3)),
    "LSTMCell": (nn.LSTMCell, dict(input_size=3, hidden_size=2), ["input_size", "hidden_size"],
                 (2, 3)),
    "GRUCell": (nn.GRUCell, dict(input_size=3, hidden_size=2), ["input_size", "hidden_size"],
                (2, 3)),
    # element-wise and shape-free layers take any rank: only the dtype can be wrong
    "ReLU": (nn.ReLU, {}, [], (2, 3)),
    "Tanh": (nn.Tanh, {}, [], (2, 3)),
    "Sigmoid": (nn.Sigmoid, {}, [], (2, 3)),
    "SiLU": (nn.SiLU, {}, [], (2, 3)),
    "ELU": (nn.ELU, {}, [], (2, 3)),
    "LeakyReLU": (nn.LeakyReLU, {}, [], (2, 3)),
    "Softplus": (nn.Softplus, {}, [], (2, 3)),
    "Softmax": (nn.Softmax, dict(dim=-1), [], (2, 3)),
    "LogSoftmax": (nn.LogSoftmax, dict(dim=-1), [], (2, 3)),
    "Dropout": (nn.Dropout, {}, [], (2, 3)),
    "Flatten": (nn.Flatten, {}, [], (2, 3, 2)),
}
SHAPE_FREE = {"ReLU", "Tanh", "Sigmoid", "SiLU", "ELU", "LeakyReLU", "Softplus", "Softmax",
              "LogSoftmax", "Dropout", "Flatten"}
SIZE_ARGS = [(name, arg) for name, (_, _, args, _) in LAYERS.items() for arg in args]
DROPOUTS = [nn.Dropout, nn.Dropout1d, nn.Dropout2d]


@pytest.mark.parametrize("layer, arg", SIZE_ARGS, ids=[f"{n}-{a}" for n, a in SIZE_ARGS])
@SETTINGS
@given(value=bad_size)
def test_layer_size_arguments(layer, arg, value):
    cls, kwargs, _, _ = LAYERS[layer]
    if arg == "output_size" and value is None:
        value = 0  # None is torch's "keep the input's size"
    assert_refused(lambda: cls(**{**kwargs, arg: value}), arg)


@pytest.mark.parametrize("cls", DROPOUTS, ids=lambda c: c.__name__)
@SETTINGS
@given(p=bad_prob)
def test_dropout_probability(cls, p):
    assert_refused(lambda: cls(p), "p")


FORWARD = [n for n, spec in LAYERS.items() if spec[3] is not None]


@pytest.mark.parametrize("layer", FORWARD)
@SETTINGS
@given(data=st.data())
def test_layer_forward_refuses_bad_input(layer, data):
    cls, kwargs, _, shape = LAYERS[layer]
    module = cls(**kwargs)
    x = data.draw(bad_array(shape, ranks=layer not in SHAPE_FREE))
    assert_refused(lambda: module(x), "input", layer)


# ------------------------------------------------------------------------------ losses
LOSSES = {  # name -> (function, prediction, valid target)
    "mse_loss": (F.mse_loss, lambda: ns.tensor(np.zeros((3, 2))), np.zeros((3, 2))),
    "l1_loss": (F.l1_loss, lambda: ns.tensor(np.zeros((3, 2))), np.zeros((3, 2))),
    "smooth_l1_loss": (F.smooth_l1_loss, lambda: ns.tensor(np.zeros((3, 2))), np.zeros((3, 2))),
    "huber_loss": (F.huber_loss, lambda: ns.tensor(np.zeros((3, 2))), np.zeros((3, 2))),
    "binary_cross_entropy": (F.binary_cross_entropy, lambda: ns.tensor(np.full((3, 1), 0.5)),
                             np.ones((3, 1))),
    "binary_cross_entropy_with_logits": (F.binary_cross_entropy_with_logits,
                                         lambda: ns.tensor(np.zeros((3, 1))), np.ones((3, 1))),
    "cross_entropy": (F.cross_entropy, lambda: ns.tensor(np.zeros((3, 4))), np.array([0, 1, 3])),
    "nll_loss": (F.nll_loss, lambda: ns.tensor(np.full((3, 4), -1.0)), np.array([0, 1, 3])),
}


@pytest.mark.parametrize("loss", list(LOSSES))
@SETTINGS
@given(reduction=st.one_of(st.text(max_size=6).filter(lambda s: s not in ("mean", "sum",
                                                                          "none")),
                           st.none(), st.integers()))
def test_loss_reduction(loss, reduction):
    fn, pred, target = LOSSES[loss]
    assert_refused(lambda: fn(pred(), target, reduction=reduction), "reduction")


@pytest.mark.parametrize("loss", list(LOSSES))
@SETTINGS
@given(data=st.data())
def test_loss_refuses_bad_targets(loss, data):
    fn, pred, target = LOSSES[loss]
    bad = data.draw(st.one_of(
        bad_array(target.shape),
        st.just(np.concatenate([target, target])),            # wrong number of rows
        st.just(target.astype(object))))
    assert_refused(lambda: fn(pred(), bad), "target", "label")


# ------------------------------------------------------------------------------ optimizers
OPTIMIZERS = {  # class -> real hyper-parameters checked for range
    optim.SGD: ["momentum", "dampening", "weight_decay"],
    optim.Adam: ["eps", "weight_decay"], optim.AdamW: ["eps", "weight_decay"],
    optim.RMSprop: ["alpha", "eps", "weight_decay", "momentum"],
    optim.Adagrad: ["lr_decay", "weight_decay", "initial_accumulator_value", "eps"],
    optim.Adadelta: ["rho", "eps", "weight_decay"],
    optim.Adamax: ["eps", "weight_decay"], optim.NAdam: ["eps", "weight_decay",
                                                         "momentum_decay"],
}
HYPER = [(cls, k) for cls, ks in OPTIMIZERS.items() for k in ["lr"] + ks]
# hyper-parameters that are decay rates: above 1 is out of range too
RATES = {"momentum", "dampening", "alpha", "rho"}


@pytest.mark.parametrize("cls, arg", HYPER, ids=[f"{c.__name__}-{a}" for c, a in HYPER])
@SETTINGS
@given(data=st.data())
def test_optimizer_hyper_parameters(cls, arg, data):
    value = data.draw(bad_prob if arg in RATES else bad_real)
    assert_refused(lambda: cls([nn.Parameter(np.zeros(2))], **{arg: value}), arg)


@pytest.mark.parametrize("cls", [optim.Adam, optim.AdamW, optim.Adamax, optim.NAdam],
                         ids=lambda c: c.__name__)
@SETTINGS
@given(betas=st.one_of(st.tuples(bad_prob, st.just(0.9)), st.tuples(st.just(0.9), bad_prob),
                       st.lists(st.floats(0, 0.5), min_size=3, max_size=3), st.none(),
                       st.floats(0, 0.5)))
def test_optimizer_betas(cls, betas):
    assert_refused(lambda: cls([nn.Parameter(np.zeros(2))], betas=betas), "betas")


@pytest.mark.parametrize("cls", list(OPTIMIZERS), ids=lambda c: c.__name__)
@SETTINGS
@given(params=st.one_of(st.just([]), st.just(np.zeros(3)), st.lists(st.integers(), min_size=1,
                                                                   max_size=3),
                        st.just([ns.tensor(np.zeros(2), requires_grad=True) * 2])))  # non-leaf
def test_optimizer_params(cls, params):
    assert_refused(lambda: cls(params), "param", "Tensor", "grad", "non-leaf")


# ------------------------------------------------------------------------------ data
X_OK, Y_OK = np.zeros((6, 2)), np.arange(6) % 2


@SETTINGS
@given(data=st.data())
def test_dataloader_arguments(data):
    arg = data.draw(st.sampled_from(["batch_size", "shuffle", "drop_last", "seed", "X", "y"]))
    if arg == "batch_size":
        value = data.draw(bad_size)
    elif arg in ("shuffle", "drop_last"):
        value = data.draw(st.one_of(st.integers(), st.text(max_size=2), st.none(),
                                    st.floats()))
    elif arg == "seed":
        value = data.draw(st.one_of(st.integers(max_value=-1), st.floats(), st.text(max_size=2)))
    else:
        value = data.draw(st.one_of(bad_array((6, 2), none=arg == "X"),
                                    st.just(np.zeros((0, 2))), st.just(np.zeros((5, 2)))))
    kwargs = {"X": X_OK, "y": Y_OK, arg: value}
    assert_refused(lambda: ArrayLoader(**kwargs), arg, "same number of samples")


@SETTINGS
@given(test_size=st.one_of(st.floats(max_value=0.0), st.floats(min_value=1.0).filter(
    lambda v: not v.is_integer() or v >= 6), st.integers(max_value=0), st.integers(min_value=6),
    st.text(max_size=2), st.none(), st.booleans()))
def test_train_test_split_test_size(test_size):
    assert_refused(lambda: model_selection.train_test_split(X_OK, Y_OK, test_size=test_size),
                   "test_size")


@pytest.mark.parametrize("scaler", [preprocessing.StandardScaler, preprocessing.MinMaxScaler],
                         ids=lambda c: c.__name__)
@SETTINGS
@given(data=st.data())
def test_scalers_refuse_bad_X(scaler, data):
    X = data.draw(st.one_of(bad_array((6, 2)), st.just(np.array([[np.nan, 1.0]]))))
    assert_refused(lambda: scaler().fit(X), "X")


@pytest.mark.parametrize("cls", [ms.KFold, ms.StratifiedKFold], ids=lambda c: c.__name__)
@SETTINGS
@given(n_splits=st.one_of(bad_size, st.just(1)))
def test_kfold_n_splits(cls, n_splits):
    assert_refused(lambda: cls(n_splits), "n_splits")


@SETTINGS
@given(num_classes=bad_size.filter(lambda v: v is not None))  # None: inferred from labels
def test_one_hot_num_classes(num_classes):
    assert_refused(lambda: preprocessing.one_hot(np.array([0, 1, 1]), num_classes=num_classes),
                   "num_classes")


# ------------------------------------------------------------------------------ estimators
ESTIMATORS = [lm.LinearRegression, lm.Ridge, lm.Lasso, lm.LogisticRegression,
              lm.SoftmaxRegression]


@pytest.mark.parametrize("cls", ESTIMATORS, ids=lambda c: c.__name__)
@SETTINGS
@given(data=st.data())
def test_estimators_refuse_bad_X(cls, data):
    X = data.draw(st.one_of(bad_array((6, 2)), st.just(np.array([[np.inf, 1.0]] * 6)),
                            st.just(np.zeros((0, 2)))))
    assert_refused(lambda: cls().fit(X, Y_OK), "X")


@pytest.mark.parametrize("cls, arg", [(lm.Ridge, "alpha"), (lm.Lasso, "alpha"),
                                      (lm.LogisticRegression, "C"),
                                      (lm.SoftmaxRegression, "C"),
                                      (lm.LinearRegression, "tol"),
                                      (lm.LogisticRegression, "max_iter")],
                         ids=lambda v: getattr(v, "__name__", v))
@SETTINGS
@given(value=bad_real)
def test_estimator_hyper_parameters(cls, arg, value):
    if arg == "C" and value is None:
        value = -1.0  # C=None is a legal "no penalty"
    if arg == "max_iter" and value is None:
        value = 0     # max_iter=None is legal "the default"
    X = np.random.default_rng(0).standard_normal((6, 2))
    assert_refused(lambda: cls(**{arg: value}).fit(X, Y_OK), arg)
