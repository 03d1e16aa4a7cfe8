"""Bad input on the surfaces issue 36 probed: each case a clear error naming the argument, the
expected and the actual value (torch's/scikit-learn's behaviour where they raise, and an error
where torch silently takes NaN or a negative rate).  Table-driven, ~1 s."""
import numpy as np
import pytest

import nnscratch as ns
import nnscratch.nn.functional as F
from nnscratch import nn
from nnscratch.linear_model import LogisticRegression, Ridge
from nnscratch.utils.data import DataLoader, TensorDataset

X = np.random.default_rng(0).normal(size=(20, 3))
Y_BIN = (X[:, 0] > 0).astype(int)


def _lin():
    return nn.Linear(3, 2)


def _function_returning(make):
    class Twice(ns.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return make(g)
    x = ns.tensor([1.0], requires_grad=True)
    Twice.apply(x).sum().backward()
    return x.grad


def _setattr_weight():
    m = _lin()
    m.weight = np.zeros((2, 3))


def _one_cycle(**kw):
    opt = ns.optim.SGD(_lin().parameters(), lr=0.1)
    ns.optim.lr_scheduler.OneCycleLR(opt, total_steps=10, **kw)


def _onnx(model, x, path="m.onnx", **kw):
    ns.onnx.export(model, x, path, **kw)


INT = np.ones((2, 3), np.int64)
CASES = [
    # layers: float input only (torch: "expected scalar type Float"); a RuntimeError too
    ("Linear int input", lambda: _lin()(ns.tensor(INT)), RuntimeError, "Linear: input must be "
     "floating point, got dtype int64"),
    ("Linear bool input", lambda: _lin()(ns.tensor(INT.astype(bool))), TypeError, "dtype bool"),
    ("Conv2d int input", lambda: nn.Conv2d(1, 1, 2)(ns.tensor(np.ones((1, 1, 3, 3), int))),
     TypeError, "Conv2d.*floating point"),
    ("BatchNorm2d int input", lambda: nn.BatchNorm2d(1)(ns.tensor(np.ones((2, 1, 3, 3), int))),
     TypeError, "BatchNorm2d: input must be floating point"),
    ("LayerNorm bool input", lambda: nn.LayerNorm(3)(ns.tensor(INT.astype(bool))), TypeError,
     "LayerNorm"),
    ("Parameter(int array)", lambda: nn.Parameter(np.arange(3)), RuntimeError,
     "only floating point data can require gradients"),
    ("Parameter(int tensor)", lambda: nn.Parameter(ns.tensor([1, 2])), TypeError, "int64"),
    ("cross_entropy int logits", lambda: F.cross_entropy(ns.tensor(INT), ns.tensor([0, 1])),
     TypeError, r"cross_entropy: input \(the logits\) must be floating point"),
    ("cross_entropy NaN target", lambda: F.cross_entropy(
        ns.zeros(2, 3), ns.tensor([[np.nan, .5, .5], [1, 0, 0]], dtype=ns.float32)),
     ValueError, "probability targets must be finite and >= 0, got nan"),
    ("cross_entropy negative target", lambda: F.cross_entropy(
        ns.zeros(2, 3), ns.tensor([[-.5, 1, .5], [1, 0, 0]], dtype=ns.float32)),
     ValueError, "got -0.5"),
    # modules
    ("setattr Parameter to ndarray", _setattr_weight, TypeError,
     "cannot assign ndarray as parameter 'weight'"),
    ("train('no')", lambda: _lin().train("no"), ValueError, "mode is expected to be a bool"),
    ("requires_grad_('x')", lambda: _lin().requires_grad_("x"), TypeError,
     "requires_grad must be a bool, got str"),
    ("ModuleList().append(3)", lambda: nn.ModuleList().append(3), TypeError, "int is not a Module"),
    ("Sequential().append('x')", lambda: nn.Sequential().append("x"), TypeError, "str is not"),
    ("register_buffer over a Parameter", lambda: _lin().register_buffer("weight", ns.zeros(2)),
     KeyError, "already exists"),
    ("register_buffer('a.b')", lambda: _lin().register_buffer("a.b", ns.zeros(2)), KeyError,
     "without '.'"),
    ("register_buffer('')", lambda: _lin().register_buffer("", ns.zeros(2)), KeyError, "''"),
    ("init.normal_(std=-1)", lambda: nn.init.normal_(_lin().weight, std=-1), ValueError,
     "normal_: invalid std=-1"),
    ("init.normal_(mean=nan)", lambda: nn.init.normal_(_lin().weight, mean=float("nan")),
     ValueError, "invalid mean=nan"),
    # data
    ("DataLoader(timeout=nan)", lambda: DataLoader(TensorDataset(ns.zeros(4, 3)),
                                                   timeout=float("nan")), ValueError,
     "invalid timeout=nan"),
    ("DataLoader(prefetch_factor=-1)", lambda: DataLoader(
        TensorDataset(ns.zeros(4, 3)), num_workers=1, prefetch_factor=-1), ValueError,
     "prefetch_factor must be an int >= 0, got -1"),
    ("DataLoader(multiprocessing_context='bogus')", lambda: DataLoader(
        TensorDataset(ns.zeros(4, 3)), num_workers=1, multiprocessing_context="bogus"),
     ValueError, "valid start method in .* got multiprocessing_context='bogus'"),
    ("DataLoader(multiprocessing_context, 0 workers)", lambda: DataLoader(
        TensorDataset(ns.zeros(4, 3)), multiprocessing_context="fork"), ValueError,
     "num_workers > 0"),
    ("DataLoader(empty, shuffle=True)", lambda: DataLoader(TensorDataset(ns.zeros(0, 3)),
                                                           shuffle=True), ValueError,
     "num_samples should be a positive integer value, but got num_samples=0"),
    ("arange(0, 10, 0)", lambda: ns.arange(0, 10, 0), RuntimeError, "step must be nonzero"),
    # optimisation
    ("OneCycleLR(max_lr=nan)", lambda: _one_cycle(max_lr=float("nan")), ValueError,
     "invalid max_lr=nan"),
    ("OneCycleLR(max_lr=-1)", lambda: _one_cycle(max_lr=-1.0), ValueError, "invalid max_lr=-1"),
    ("OneCycleLR(div_factor=0)", lambda: _one_cycle(max_lr=0.1, div_factor=0), ValueError,
     "invalid div_factor=0"),
    # autograd
    ("autograd.grad(y, [])", lambda: ns.autograd.grad(
        (ns.tensor([1.0], requires_grad=True) * 2).sum(), []), RuntimeError,
     "inputs argument cannot be empty"),
    ("Function.backward: 3 grads for 1 input", lambda: _function_returning(lambda g: (g, g, g)),
     RuntimeError, r"incorrect number of gradients \(expected 1, got 3\)"),
    ("Function.backward: a str", lambda: _function_returning(lambda g: "grad"), TypeError,
     "returned a str as gradient 0"),
    # linear models: every parameter checked at fit, as scikit-learn
    ("Ridge(max_iter=0)", lambda: Ridge(max_iter=0).fit(X, X[:, 0]), ValueError,
     "max_iter must be an int >= 1, got 0"),
    ("Ridge(max_iter=-5)", lambda: Ridge(max_iter=-5).fit(X, X[:, 0]), ValueError, "got -5"),
    ("Ridge(fit_intercept='yes')", lambda: Ridge(fit_intercept="yes").fit(X, X[:, 0]),
     TypeError, "fit_intercept must be a bool, got str 'yes'"),
    ("LogisticRegression(lr='fast')", lambda: LogisticRegression(lr="fast").fit(X, Y_BIN),
     ValueError, "lr must be a positive number or 'auto', got 'fast'"),
    # ONNX export
    ("onnx example of shape (0, 4)", lambda: _onnx(nn.Linear(4, 2), ns.zeros(0, 4)), ValueError,
     r"empty axis \(shape \(0, 4\)\)"),
    ("onnx float64 example, float32 model", lambda: _onnx(nn.Linear(4, 2),
                                                          ns.zeros(2, 4, dtype=ns.float64)),
     TypeError, "example_input is float64 but the model's parameters are"),
    ("onnx dynamic_axes={'input': 0}", lambda: _onnx(nn.Linear(4, 2), ns.zeros(2, 4),
                                                     dynamic_axes={"input": 0}),
     TypeError, r"dynamic_axes\['input'\] must be"),
    ("onnx path ''", lambda: _onnx(nn.Linear(4, 2), ns.zeros(2, 4), path=""), ValueError,
     "the path is empty"),
]


@pytest.mark.parametrize("call, error, match", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_is_a_clear_error(call, error, match, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)         # the ONNX cases write nothing, but never into the repo
    with pytest.raises(error, match=match):
        call()


def test_the_checks_leave_good_input_alone(tmp_path):
    """The same calls with good values work (so the checks above are not blanket refusals)."""
    assert _lin()(ns.zeros(2, 3)).shape == (2, 2)
    assert nn.Parameter(np.arange(3), requires_grad=False).dtype == np.float32
    assert nn.Parameter([1, 2]).dtype == np.float32          # Python ints: the default dtype
    assert _function_returning(lambda g: (g * 2, None)).numpy().tolist() == [2.0]
    DataLoader(TensorDataset(ns.zeros(4, 3)), num_workers=1, prefetch_factor=0,
               multiprocessing_context="spawn", timeout=float("inf"))
    assert list(DataLoader(TensorDataset(ns.zeros(0, 3)))) == []
    m = _lin()
    m.weight = None                                           # None is allowed, as torch
    assert m.train(False).training is False
    Ridge(max_iter=5, fit_intercept=False).fit(X, X[:, 0])
    assert F.cross_entropy(ns.zeros(2, 3), ns.tensor([[0, .5, .5], [1, 0, 0]],
                                                     dtype=ns.float32)).item() > 0


# ------------------------------------------------------------------ fit(resume_from=...)
def _fit(tmp_path, epochs, model=None, resume=False):
    from nnscratch.training import fit
    ns.manual_seed(0)
    model = model or nn.Linear(3, 2)
    rng = np.random.default_rng(1)
    X, y = rng.normal(size=(20, 3)).astype(np.float32), rng.integers(0, 2, 20)
    return fit(model, X, y, loss=nn.CrossEntropyLoss(),
               optimizer=ns.optim.SGD(model.parameters(), lr=0.1), epochs=epochs, batch_size=5,
               progress=False, checkpoint=None if resume else str(tmp_path / "c.ckpt"),
               resume_from=str(tmp_path / "c.ckpt") if resume else None)


def _edited_epoch(tmp_path, epoch):
    state = ns.load(tmp_path / "c.ckpt")
    state["epoch"] = epoch
    ns.save(state, tmp_path / "c.ckpt")


@pytest.mark.parametrize("prepare, kwargs, match", [
    (None, {"epochs": 1}, r"has already trained 2 epochs, more than epochs=1"),
    (lambda p: _edited_epoch(p, -5), {"epochs": 3}, "records epoch -5"),
    (lambda p: _edited_epoch(p, "2"), {"epochs": 3}, "records epoch '2'"),
    (None, {"epochs": 3, "model": nn.Linear(3, 4)}, "does not fit this model and optimizer"),
])
def test_resume_from_a_checkpoint_that_cannot_continue_is_a_clear_error(tmp_path, prepare,
                                                                        kwargs, match):
    _fit(tmp_path, 2)
    if prepare:
        prepare(tmp_path)
    with pytest.raises(ValueError, match=match):
        _fit(tmp_path, resume=True, **kwargs)


def test_resume_at_the_last_epoch_is_allowed_and_trains_nothing_more(tmp_path):
    first = _fit(tmp_path, 2)
    again = _fit(tmp_path, 2, resume=True)
    assert again.to_dict() == first.to_dict()
