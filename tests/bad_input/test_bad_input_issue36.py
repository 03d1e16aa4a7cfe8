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


class _NumpyOut(nn.Module):
    """A forward whose value leaves the recorded ops (torch: "Only tuples, lists and Variables
    are supported as JIT inputs/outputs")."""

    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(4, 2)

    def forward(self, x):
        return self.lin(x).detach().numpy()


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


# ------------------------------------------------------------------ third pass
# The surfaces added since the issue was filed, probed as the prober did (a table of
# bad inputs through each, torch 2.13 as the oracle): attention and transformers, hooks,
# module registration, samplers, autograd.grad, the new ops, file objects for save/load,
# onnx.export's names and axes, fit and TrainSpec; and the "unclear" class swept over every
# function nnscratch and torch share (AttributeError/ZeroDivisionError/IndexError leaks).
NAN = float("nan")


def _sdpa(q=(2, 3, 4), k=(2, 5, 4), v=(2, 5, 6), dtypes=(None, None, None), **kw):
    q, k, v = (ns.randn(*s) if d is None else ns.randn(*s).to(d)
               for s, d in zip((q, k, v), dtypes))
    return F.scaled_dot_product_attention(q, k, v, **kw)


def _mha(q=(3, 2, 4), k=None, v=None, dtype=None, **ctor):
    x = ns.randn(*q) if dtype is None else ns.ones(*q, dtype=dtype)
    kk = x if k is None else ns.randn(*k)
    return nn.MultiheadAttention(4, 2, **ctor)(x, kk, kk if v is None else ns.randn(*v))


def _backward_hook(hook):
    m = nn.Linear(3, 2)
    m.register_full_backward_hook(hook)
    m(ns.randn(2, 3, requires_grad=True)).sum().backward()


def _grad(**kw):
    x = ns.ones(3, requires_grad=True)
    return ns.autograd.grad((x ** 3).sum(), x, **kw)


def _file(tmp, mode):
    path = tmp / "f.pt"
    ns.save({"w": ns.ones(2)}, path)
    return open(path, mode)


def _io(kind):
    import io
    import pathlib
    import tempfile
    tmp = pathlib.Path(tempfile.mkdtemp())
    state = {"w": ns.ones(2)}
    if kind == "load text":
        with _file(tmp, "r") as f:
            ns.load(f)
    elif kind == "save text":
        with open(tmp / "t.pt", "w") as f:
            ns.save(state, f)
    elif kind == "save read-only":
        with _file(tmp, "rb") as f:
            ns.save(state, f)
    elif kind == "load closed":
        b = io.BytesIO()
        ns.save(state, b)
        b.close()
        ns.load(b)
    elif kind == "load StringIO":
        ns.load(io.StringIO("PK"))


def _fit3(**kw):
    from nnscratch.training import fit
    m = nn.Linear(3, 2)
    fit(m, X.astype(np.float32), Y_BIN, loss="cross_entropy",
        optimizer=ns.optim.SGD(m.parameters(), lr=0.1), progress=False, **kw)


def _spec(config=None, **kw):
    from nnscratch.app.train_spec import TrainSpec
    return TrainSpec.from_config(config) if config is not None else \
        TrainSpec(n_in=3, n_out=2, **kw)


def _sampler(cls, *a, **kw):
    return list(getattr(ns.utils.data, cls)(*a, **kw))


THIRD = [
    # F.scaled_dot_product_attention
    ("sdpa int q/k/v", lambda: F.scaled_dot_product_attention(
        *3 * [ns.ones(2, 3, 4, dtype=ns.int64)]), RuntimeError,
     "must be floating point, got dtype int64"),
    ("sdpa mixed dtypes", lambda: _sdpa(dtypes=(None, ns.float64, None)), RuntimeError,
     "to have the same dtype, but got float32, float64, float32"),
    ("sdpa mask widening the scores", lambda: _sdpa(attn_mask=ns.zeros(2, 2, 3, 5)),
     RuntimeError, r"attn_mask of shape \(2, 2, 3, 5\) does not broadcast to .* \(2, 3, 5\)"),
    ("sdpa batch mismatch", lambda: _sdpa(q=(3, 3, 4)), ValueError,
     r"batch dimensions of query \(3, 3, 4\)"),
    ("sdpa dropout_p nan", lambda: _sdpa(dropout_p=NAN), ValueError, "invalid dropout_p=nan"),
    ("sdpa dropout_p -0.1", lambda: _sdpa(dropout_p=-0.1), ValueError, "invalid dropout_p=-0.1"),
    ("sdpa scale nan", lambda: _sdpa(scale=NAN), ValueError, "scale must be finite, got nan"),
    ("sdpa scale 'a'", lambda: _sdpa(scale="a"), TypeError, "scale must be a number, got str"),
    # nn.MultiheadAttention, nn.Transformer*
    ("MHA dropout nan", lambda: nn.MultiheadAttention(4, 2, dropout=NAN), ValueError,
     "invalid dropout=nan"),
    ("MHA dropout 1.5", lambda: nn.MultiheadAttention(4, 2, dropout=1.5), ValueError,
     "invalid dropout=1.5"),
    ("MHA embed_dim 4.0", lambda: nn.MultiheadAttention(4.0, 2), TypeError,
     "embed_dim must be an int, got float"),
    ("MHA int input", lambda: _mha(dtype=ns.int64), RuntimeError, "must be floating point"),
    ("MHA key/value lengths", lambda: _mha(k=(4, 2, 4), v=(5, 2, 4)), ValueError,
     r"key \(4, 2, 4\) and value \(5, 2, 4\) must agree"),
    ("MHA key batch", lambda: _mha(k=(4, 3, 4)), ValueError, "share query's batch size"),
    ("TransformerEncoder of a str", lambda: nn.TransformerEncoder("x", num_layers=2), TypeError,
     "str is not a Module subclass"),
    ("TransformerEncoder num_layers -1", lambda: nn.TransformerEncoder(
        nn.TransformerEncoderLayer(4, 2), num_layers=-1), ValueError,
     "num_layers must be an int >= 0, got -1"),
    ("generate_square_subsequent_mask(-1)",
     lambda: nn.Transformer.generate_square_subsequent_mask(-1), ValueError,
     "sz must be an int >= 0, got -1"),
    ("generate_square_subsequent_mask(2.5)",
     lambda: nn.Transformer.generate_square_subsequent_mask(2.5), TypeError,
     "sz must be an int, got float"),
    # module registration and hooks
    ("register_buffer(5)", lambda: _lin().register_buffer(5, ns.zeros(1)), TypeError,
     "buffer name should be a string. Got int"),
    ("register_parameter(5)", lambda: _lin().register_parameter(5, None), TypeError,
     "parameter name should be a string. Got int"),
    ("add_module(5)", lambda: _lin().add_module(5, None), TypeError,
     "module name should be a string. Got int"),
    ("backward hook: wrong shape", lambda: _backward_hook(lambda m, gi, go: (ns.zeros(5),)),
     RuntimeError, r"has changed the size of value: grad_input of shape \(5,\), expected \(2, 3\)"),
    ("backward hook: a str", lambda: _backward_hook(lambda m, gi, go: ("g",)), TypeError,
     "expected Tensor, but hook returned 'str'"),
    # samplers
    ("RandomSampler([], num_samples=3)", lambda: _sampler("RandomSampler", [], num_samples=3),
     ValueError, "data_source is empty"),
    ("RandomSampler num_samples=0", lambda: _sampler("RandomSampler", [1, 2], num_samples=0),
     ValueError, "num_samples must be an int >= 1, got 0"),
    ("WeightedRandomSampler str weights", lambda: _sampler("WeightedRandomSampler", ["a", "b"], 1),
     TypeError, "weights must be a 1-D sequence of numbers, got list"),
    ("WeightedRandomSampler too few non-zero", lambda: _sampler(
        "WeightedRandomSampler", [1.0, 0.0, 0.0], 2, replacement=False), ValueError,
     "needs as many non-zero weights, got 1"),
    ("WeightedRandomSampler nan weight", lambda: _sampler("WeightedRandomSampler", [NAN, 1.0], 1),
     ValueError, "finite, non-negative"),
    # autograd
    ("grad(create_graph='yes')", lambda: _grad(create_graph="yes"), TypeError,
     "create_graph must be a bool, got str"),
    ("grad of a float output", lambda: ns.autograd.grad([1.0], [ns.ones(1, requires_grad=True)]),
     TypeError, "all outputs have to be Tensors, got float"),
    ("grad wrt a float", lambda: ns.autograd.grad(ns.ones(1, requires_grad=True).sum(), [1.0]),
     TypeError, "all inputs have to be Tensors, got float"),
    ("backward(inputs=[])", lambda: (ns.ones(3, requires_grad=True) * 2).sum().backward(inputs=[]),
     RuntimeError, "`inputs` argument to `backward..` cannot be empty"),
    ("gradcheck eps=0", lambda: ns.autograd.gradcheck(
        lambda x: x * 2, (ns.ones(2, dtype=ns.float64, requires_grad=True),), eps=0),
     ValueError, "eps must be a finite number > 0, got 0"),
    # ops added since, and the "unclear" sweep
    ("where with a float condition", lambda: ns.where(ns.ones(2), ns.ones(2), ns.zeros(2)),
     RuntimeError, "where expected condition to be a boolean tensor, but got .* float32"),
    ("Tensor.where with a float condition", lambda: ns.ones(2).where(ns.ones(2), ns.zeros(2)),
     RuntimeError, "boolean tensor"),
    ("where(cond, x)", lambda: ns.where(ns.ones(2, dtype=ns.bool), ns.ones(2)), TypeError,
     "pass both input and other"),
    ("select(0, 1.5)", lambda: ns.ones(2, 3).select(0, 1.5), TypeError,
     "argument 'index' must be int, not float"),
    ("select on 0-d", lambda: ns.tensor(1.0).select(0, 0), IndexError,
     "cannot be applied to a 0-dim tensor"),
    ("set_printoptions(precision=inf)", lambda: ns.set_printoptions(precision=float("inf")),
     ValueError, "precision must be a finite number >= 0, got inf"),
    ("set_printoptions(sci_mode='x')", lambda: ns.set_printoptions(sci_mode="x"), TypeError,
     "sci_mode must be True, False or None, got 'x'"),
    ("manual_seed(2**70)", lambda: ns.manual_seed(2 ** 70), ValueError, r"seed must be < 2\*\*64"),
    ("zeros_like(None)", lambda: ns.zeros_like(None), TypeError,
     "argument 'input' must be Tensor, not NoneType"),
    ("inner(x, None)", lambda: ns.inner(ns.ones(3), None), TypeError,
     "inner.*argument 'other' must be Tensor, not NoneType"),
    ("equal(x, 0)", lambda: ns.equal(ns.ones(3), 0), TypeError, "argument 'other' must be Tensor"),
    ("F.linear(x, None)", lambda: F.linear(ns.ones(2, 3), None), TypeError,
     "argument 'weight' must be Tensor, not NoneType"),
    ("F.conv_transpose1d(x, None)", lambda: F.conv_transpose1d(ns.ones(2, 3), None), TypeError,
     "argument 'weight' must be Tensor, not NoneType"),
    ("F.softmax(None)", lambda: F.softmax(None, dim=0), TypeError, "softmax.*must be Tensor"),
    ("F.dropout('abc')", lambda: F.dropout("abc"), TypeError, "dropout.*must be Tensor, not str"),
    ("unsqueeze('a')", lambda: ns.ones(2).unsqueeze("a"), TypeError,
     "argument 'dim' must be int, not str"),
    ("diff of a 0-d tensor", lambda: ns.tensor(1.0).diff(), RuntimeError,
     "at least one-dimensional"),
    ("trapezoid(y, 0)", lambda: ns.trapezoid(ns.ones(3), 0), RuntimeError,
     "at least one-dimensional"),
    ("vander of a 0-d tensor", lambda: ns.vander(ns.tensor(1.0)), RuntimeError,
     "one-dimensional"),
    ("searchsorted of a scalar in rows", lambda: ns.searchsorted(ns.ones(2, 3), 0.5),
     RuntimeError, "scalar only when boundaries tensor dimension is 1"),
    ("cross(x, 0)", lambda: ns.cross(ns.ones(2, 3), 0), (RuntimeError, TypeError), "cross"),
    # ns.save / ns.load with file objects
    ("load a text-mode file", lambda: _io("load text"), TypeError,
     "is in text mode; open it in binary mode .'rb'."),
    ("save to a text-mode file", lambda: _io("save text"), TypeError, "binary mode .'wb'."),
    ("save to a read-only file", lambda: _io("save read-only"), ValueError,
     "is not open for writing"),
    ("load a closed buffer", lambda: _io("load closed"), ValueError, "'<BytesIO>' is closed"),
    ("load a StringIO", lambda: _io("load StringIO"), TypeError, "text mode"),
    # onnx.export names and axes
    ("onnx input_names='x'", lambda: _onnx(nn.Linear(4, 2), ns.zeros(2, 4), input_names="x"),
     TypeError, "input_names must be a list of strings, got str 'x'"),
    ("onnx dynamic axis 5 of a 2-D input", lambda: _onnx(
        nn.Linear(4, 2), ns.zeros(2, 4), dynamic_axes={"input": {5: "b"}}), ValueError,
     r"dynamic_axes\['input'\] names axis 5, but 'input' has 2 axes"),
    ("onnx dynamic axis 'a'", lambda: _onnx(nn.Linear(4, 2), ns.zeros(2, 4),
                                            dynamic_axes={"input": {"a": "b"}}), TypeError,
     "axes must be ints, got str 'a'"),
    ("onnx dynamic axis label 5", lambda: _onnx(nn.Linear(4, 2), ns.zeros(2, 4),
                                                dynamic_axes={"input": {0: 5}}), TypeError,
     r"labels must be non-empty strings, got \[5\]"),
    ("onnx one name for an input and an output", lambda: _onnx(
        nn.Linear(4, 2), ns.zeros(2, 4), input_names=["a"], output_names=["a"]), ValueError,
     r"input_names and output_names share \['a'\]"),
    ("onnx forward returning a NumPy array", lambda: _onnx(
        _NumpyOut(), ns.zeros(2, 4)), TypeError, "must return Tensors .* got ndarray"),
    ("onnx dynamic axis the model cannot vary", lambda: _onnx(
        nn.Linear(4, 2), ns.zeros(2, 4), input_names=["a"], dynamic_axes={"a": {1: "f"}}),
     ValueError, r"cannot run with another size on the dynamic axes \{'a': \{1: 'f'\}\}"),
    # fit and TrainSpec
    ("fit(shuffle='yes')", lambda: _fit3(shuffle="yes"), TypeError,
     "shuffle must be a bool, got str 'yes'"),
    ("fit(scheduler='cosine')", lambda: _fit3(scheduler="cosine"), TypeError,
     "scheduler must be an optim.lr_scheduler object"),
    ("fit(callbacks=5)", lambda: _fit3(callbacks=5), TypeError,
     "callbacks must be a list of Callback instances, got int"),
    ("TrainSpec hidden (2.5,)", lambda: _spec(hidden=(2.5,)), TypeError,
     "hidden sizes must be an int, got float 2.5"),
    ("TrainSpec model 'bogus'", lambda: _spec(model="bogus"), ValueError,
     "model must be one of"),
    ("TrainSpec lr nan", lambda: _spec(lr=NAN), ValueError, "lr must be > 0 and finite, got nan"),
    ("TrainSpec epochs 0", lambda: _spec(epochs=0), ValueError, "epochs must be an int >= 1"),
    ("TrainSpec.from_config(list)", lambda: _spec(config=[1]), TypeError,
     "config must be a dict, got list"),
]


@pytest.mark.parametrize("call, error, match", [c[1:] for c in THIRD], ids=[c[0] for c in THIRD])
def test_third_pass_bad_input_is_a_clear_error(call, error, match, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(error, match=match):
        call()


def test_third_pass_checks_leave_good_input_alone(tmp_path):
    """The calls above with good values work, and match torch where torch has them."""
    import io

    import torch
    assert _sdpa(attn_mask=ns.zeros(3, 5), scale=0.5, dropout_p=0.0).shape == (2, 3, 6)
    assert _mha(k=(4, 2, 4))[0].shape == (3, 2, 4)
    assert nn.TransformerEncoder(nn.TransformerEncoderLayer(4, 2), 0)(ns.ones(3, 2, 4)).shape \
        == (3, 2, 4)
    _backward_hook(lambda m, gi, go: (gi[0] * 2,))
    assert len(_sampler("WeightedRandomSampler", [1.0, 1.0, 0.0], 2, replacement=False)) == 2
    assert ns.where([True, False], ns.ones(2), ns.zeros(2)).tolist() == [1.0, 0.0]
    assert ns.ones(2, 3).select(0, ns.tensor(1)).shape == (3,)
    x = ns.tensor([[1.0, 0, 2], [0, 0, 3]])
    t = torch.tensor(x.numpy())
    assert x.norm(p=0, dim=1).tolist() == t.norm(p=0, dim=1).tolist()
    np.testing.assert_allclose(F.normalize(x, p=0).numpy(),
                               torch.nn.functional.normalize(t, p=0).numpy())
    assert ns.poisson(ns.tensor(3.0)).shape == ()                 # 0-d rates (crashed)
    assert ns.searchsorted(ns.tensor([1.0, 2.0, 3.0]), 2.0).item() == 1
    b = io.BytesIO()
    ns.save({"w": ns.ones(2)}, b)
    b.seek(0)
    assert ns.load(b)["w"].tolist() == [1.0, 1.0]
    _onnx(nn.Linear(4, 2), ns.zeros(2, 4), path=str(tmp_path / "m.onnx"),
          input_names=("x",), dynamic_axes={"x": {-2: "batch"}})
    buf = io.BytesIO()                                            # a file object, as torch takes
    proto = ns.onnx.export(nn.Linear(4, 2), ns.zeros(2, 4), buf)
    assert buf.getvalue() == proto.SerializeToString()
    _fit3(shuffle=False, callbacks=(), scheduler=None)
    assert _spec(hidden=[np.int64(3)], lr=0.01).sizes == [3, 3, 2]


# ------------------------------------------------------------------ MultiLabelClassifier, 1-D y
def test_multilabel_classifier_with_a_1d_y_is_one_binary_label_as_documented():
    """scikit-learn's classifier checks fit every classifier on a 1-D y, and its multilabel
    classifiers (MLPClassifier, KNeighborsClassifier) take a binary 1-D y as one label (its
    MultiOutputClassifier refuses it).  MultiLabelClassifier's docstring takes the first
    convention: a binary 1-D y is one label, fitted exactly as LogisticRegression, predicting
    labels from classes_; any other 1-D y is a ValueError naming the fix."""
    from nnscratch.linear_model import MultiLabelClassifier
    y = np.where(Y_BIN == 1, "yes", "no")
    ml = MultiLabelClassifier(solver="newton", C=1.0).fit(X, y)
    lr = LogisticRegression(solver="newton", C=1.0).fit(X, y)
    np.testing.assert_allclose(ml.coef_[0], lr.coef_.ravel(), rtol=1e-6, atol=1e-8)
    assert ml.predict(X).tolist() == lr.predict(X).tolist()
    assert ml.predict_proba(X).shape == (len(X), 2) and ml.n_labels_ == 1
    np.testing.assert_allclose(ml.predict_proba(X), lr.predict_proba(X), rtol=1e-6, atol=1e-8)
    assert MultiLabelClassifier().fit(X, Y_BIN[:, None]).predict(X).shape == (len(X), 1)
    with pytest.raises(ValueError, match="a 1-D y is one binary label, got 3 classes.*multi-hot"):
        MultiLabelClassifier().fit(X, np.arange(len(X)) % 3)
    with pytest.raises(ValueError, match="only one class|1 class"):
        MultiLabelClassifier().fit(X, np.zeros(len(X), int))


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
