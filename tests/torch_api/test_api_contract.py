"""The public API contract (the fixed public names), checked name by name.

Tests outside the repository call these names, so each one is checked three ways: it imports,
its signature has the contract's parameter names and defaults (``inspect.signature``), and a
small behavioural smoke check shows it does what the contract says.  Numerical parity with
PyTorch lives in the per-concept test files; here the expected values come from NumPy formulas.

Signature rule (see :func:`assert_signature`):
  * a contract parameter written without a default is positional: it must stand at that
    position (an implementation may give it a default, as torch gives ``SGD.lr`` one);
  * a contract parameter written ``name=default`` must exist under that name, be callable by
    keyword, and have exactly that default;
  * the contract's parameters keep their relative order, and every extra parameter the
    implementation adds must have a default (so every call the contract allows still works).
A ``PLACEHOLDER`` name (the contract's ``sd``, ``v``, ``array_or_tensor``) fixes the position
only.
"""
import inspect
import math

import numpy as np
import pytest

import nnscratch as ns
import nnscratch.nn as nn
import nnscratch.nn.functional as F
import nnscratch.optim as optim

REQUIRED = inspect.Parameter.empty
PLACEHOLDER = "<placeholder>"
_VAR = (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
_POSITIONAL = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)


def assert_signature(fn, *spec):
    """``spec`` items: ``"name"`` (positional), ``("name", default)`` (keyword with default),
    ``"*name"`` (varargs), or ``PLACEHOLDER`` (a positional whose name the contract leaves
    open).  Bound methods and classes are given so that ``self`` is not in the signature."""
    params = list(inspect.signature(fn).parameters.values())
    names = [p.name for p in params]
    where = getattr(fn, "__qualname__", repr(fn))
    seen = []
    for pos, item in enumerate(spec):
        if isinstance(item, tuple):                         # keyword with a fixed default
            name, default = item
            assert name in names, f"{where}: no parameter {name!r} (has {names})"
            p = params[names.index(name)]
            assert p.kind not in _VAR and p.kind != p.POSITIONAL_ONLY, \
                f"{where}: {name!r} cannot be passed by keyword ({p.kind})"
            assert p.default is not REQUIRED, f"{where}: {name!r} has no default"
            assert type(p.default) is type(default) and p.default == default, \
                f"{where}: {name}={p.default!r}, contract says {name}={default!r}"
            seen.append(names.index(name))
        elif item.startswith("*"):                          # *shape, *modules
            assert pos < len(params) and params[pos].kind == params[pos].VAR_POSITIONAL, \
                f"{where}: expected {item} at position {pos}, got {names}"
            seen.append(pos)
        else:                                               # positional, fixed place
            assert pos < len(params) and params[pos].kind in _POSITIONAL, \
                f"{where}: expected a positional parameter at position {pos}, got {names}"
            if item is not PLACEHOLDER:
                assert params[pos].name == item, \
                    f"{where}: parameter {pos} is {params[pos].name!r}, contract says {item!r}"
            seen.append(pos)
    assert seen == sorted(seen), f"{where}: contract order {spec} vs actual {names}"
    for i, p in enumerate(params):
        if i not in seen and p.kind not in _VAR:
            assert p.default is not REQUIRED, \
                f"{where}: extra parameter {p.name!r} must have a default"


def t64(a, requires_grad=False):
    return ns.tensor(np.asarray(a, dtype=np.float64), requires_grad=requires_grad)


# =============================================================================== imports
def test_the_four_modules_import_and_expose_each_other():
    import importlib
    for mod in ("nnscratch", "nnscratch.nn", "nnscratch.nn.functional", "nnscratch.optim",
                "nnscratch.optim.lr_scheduler", "nnscratch.nn.utils"):
        importlib.import_module(mod)
    assert nn.functional is F and optim.lr_scheduler is not None and nn.utils is not None


CONTRACT_NAMES = {
    ns: "Tensor tensor zeros ones randn rand no_grad manual_seed get_default_dtype "
        "set_default_dtype concatenate stack where gradcheck GradcheckError save load",
    F: "linear relu leaky_relu sigmoid tanh softmax log_softmax mse_loss binary_cross_entropy "
       "binary_cross_entropy_with_logits cross_entropy nll_loss kl_div_gaussian dropout conv1d "
       "conv2d max_pool1d max_pool2d avg_pool2d batch_norm",
    nn: "Module Parameter Linear Conv1d Conv2d MaxPool1d MaxPool2d AvgPool2d Flatten ReLU "
        "LeakyReLU Sigmoid Tanh Softmax LogSoftmax Dropout BatchNorm1d BatchNorm2d Embedding "
        "Sequential RNN LSTM GRU MSELoss BCELoss BCEWithLogitsLoss CrossEntropyLoss utils",
    optim: "SGD Adagrad RMSprop Adam AdamW Adadelta Adamax NAdam lr_scheduler",
    optim.lr_scheduler: "StepLR ExponentialLR CosineAnnealingLR ReduceLROnPlateau",
    nn.utils: "clip_grad_norm_ clip_grad_value_",
}


@pytest.mark.parametrize("module", list(CONTRACT_NAMES), ids=lambda m: m.__name__)
def test_every_contract_name_exists(module):
    missing = [n for n in CONTRACT_NAMES[module].split() if not hasattr(module, n)]
    assert not missing, f"{module.__name__} lacks {missing}"


# =============================================================================== signatures
SIGNATURES = [
    # ---- nnscratch
    (lambda: ns.tensor, ["data", ("requires_grad", False), ("dtype", None)]),
    (lambda: ns.Tensor, ["data", ("requires_grad", False), ("dtype", None)]),
    (lambda: ns.zeros, ["*shape", ("requires_grad", False)]),
    (lambda: ns.ones, ["*shape", ("requires_grad", False)]),
    (lambda: ns.randn, ["*shape", ("requires_grad", False)]),
    (lambda: ns.rand, ["*shape", ("requires_grad", False)]),
    (lambda: ns.manual_seed, ["seed"]),
    (lambda: ns.get_default_dtype, []),
    (lambda: ns.set_default_dtype, [PLACEHOLDER]),
    (lambda: ns.cat, ["tensors", ("dim", 0)]),
    (lambda: ns.concatenate, ["tensors", ("dim", 0)]),
    (lambda: ns.stack, ["tensors", ("dim", 0)]),
    (lambda: ns.where, ["cond", "a", "b"]),
    (lambda: ns.gradcheck, ["fn", "inputs", ("eps", 1e-6), ("atol", 1e-5), ("rtol", 1e-3)]),
    (lambda: ns.save, ["state", "path"]),
    (lambda: ns.load, ["path"]),
    # ---- Tensor methods (bound, so no self)
    (lambda: ns.zeros(1).backward, [("grad", None)]),
    (lambda: ns.zeros(1).detach, []),
    (lambda: ns.zeros(1).numpy, []),
    (lambda: ns.zeros(1).item, []),
    (lambda: ns.zeros(1).zero_grad, []),
    (lambda: ns.zeros(1).sum, [("dim", None), ("keepdim", False)]),
    (lambda: ns.zeros(1).mean, [("dim", None), ("keepdim", False)]),
    (lambda: ns.zeros(1).max, [("dim", None), ("keepdim", False)]),
    (lambda: ns.zeros(1).size, [("dim", None)]),
    (lambda: ns.zeros(1).transpose, [("dim0", None), ("dim1", None)]),
    (lambda: ns.zeros(1).permute, ["*dims"]),
    (lambda: ns.zeros(1).clip, ["lo", "hi"]),
    *[(lambda m=m: getattr(ns.zeros(1), m), [])
      for m in ("exp", "log", "sqrt", "abs", "relu", "sigmoid", "tanh")],
    # ---- functional
    (lambda: F.linear, ["x", "w", ("b", None)]),
    (lambda: F.softmax, ["x", ("axis", -1)]),
    (lambda: F.log_softmax, ["x", ("axis", -1)]),
    (lambda: F.mse_loss, ["pred", "target", ("reduction", "mean")]),
    (lambda: F.binary_cross_entropy, ["prob", "target"]),
    (lambda: F.binary_cross_entropy_with_logits, ["logits", "target"]),
    (lambda: F.cross_entropy, ["logits", "target"]),
    (lambda: F.nll_loss, ["log_probs", "target"]),
    (lambda: F.kl_div_gaussian, ["mu", "logvar"]),
    (lambda: F.dropout, ["x", "p", "training"]),
    (lambda: F.conv1d, ["x", "w", ("b", None), ("stride", 1), ("padding", 0)]),
    (lambda: F.conv2d, ["x", "w", ("b", None), ("stride", 1), ("padding", 0)]),
    (lambda: F.max_pool1d, ["x", "kernel_size", ("stride", None)]),
    (lambda: F.max_pool2d, ["x", "kernel_size", ("stride", None)]),
    (lambda: F.avg_pool2d, ["x", "kernel_size"]),
    (lambda: F.batch_norm, ["x", "running_mean", "running_var", "weight", "bias", "training",
                            ("momentum", 0.1), ("eps", 1e-5)]),
    # ---- nn.Module protocol (bound methods)
    (lambda: nn.Linear(1, 1).forward, [PLACEHOLDER]),
    (lambda: nn.Linear(1, 1).parameters, []),
    (lambda: nn.Linear(1, 1).named_parameters, []),
    (lambda: nn.Linear(1, 1).children, []),
    (lambda: nn.Linear(1, 1).modules, []),
    (lambda: nn.Linear(1, 1).state_dict, []),
    (lambda: nn.Linear(1, 1).load_state_dict, [PLACEHOLDER, ("strict", True)]),
    (lambda: nn.Linear(1, 1).train, []),
    (lambda: nn.Linear(1, 1).eval, []),
    (lambda: nn.Linear(1, 1).zero_grad, []),
    # ---- layers
    (lambda: nn.Parameter, [PLACEHOLDER]),
    (lambda: nn.Linear, ["in_features", "out_features", ("bias", True)]),
    (lambda: nn.Conv1d, ["in_channels", "out_channels", "kernel_size", ("stride", 1),
                         ("padding", 0), ("bias", True)]),
    (lambda: nn.Conv2d, ["in_channels", "out_channels", "kernel_size", ("stride", 1),
                         ("padding", 0), ("bias", True)]),
    (lambda: nn.MaxPool1d, ["kernel_size", ("stride", None)]),
    (lambda: nn.MaxPool2d, ["kernel_size", ("stride", None)]),
    (lambda: nn.AvgPool2d, ["kernel_size"]),
    (lambda: nn.Flatten, []),
    (lambda: nn.ReLU, []),
    (lambda: nn.LeakyReLU, []),
    (lambda: nn.Sigmoid, []),
    (lambda: nn.Tanh, []),
    (lambda: nn.Softmax, [("dim", None)]),
    (lambda: nn.LogSoftmax, [("dim", None)]),
    (lambda: nn.Dropout, ["p"]),
    (lambda: nn.BatchNorm1d, ["num_features"]),
    (lambda: nn.BatchNorm2d, ["num_features"]),
    (lambda: nn.Embedding, ["num_embeddings", "embedding_dim"]),
    (lambda: nn.Sequential, ["*modules"]),
    (lambda: nn.RNN, ["input_size", "hidden_size", ("num_layers", 1), ("nonlinearity", "tanh"),
                      ("bias", True), ("batch_first", False), ("bidirectional", False)]),
    (lambda: nn.LSTM, ["input_size", "hidden_size", ("num_layers", 1), ("bias", True),
                       ("batch_first", False), ("bidirectional", False)]),
    (lambda: nn.GRU, ["input_size", "hidden_size", ("num_layers", 1), ("bias", True),
                      ("batch_first", False), ("bidirectional", False), ("reset_after", True)]),
    (lambda: nn.RNN(1, 1).forward, ["x", ("h0", None)]),
    (lambda: nn.LSTM(1, 1).forward, ["x", ("h0", None)]),
    (lambda: nn.GRU(1, 1).forward, ["x", ("h0", None)]),
    (lambda: nn.utils.clip_grad_norm_, ["parameters", "max_norm"]),
    (lambda: nn.utils.clip_grad_value_, ["parameters", PLACEHOLDER]),
    (lambda: nn.MSELoss, []),
    (lambda: nn.BCELoss, []),
    (lambda: nn.BCEWithLogitsLoss, []),
    (lambda: nn.CrossEntropyLoss, []),
    # ---- optim
    (lambda: optim.SGD, ["params", "lr", ("momentum", 0.0), ("dampening", 0.0),
                         ("weight_decay", 0.0), ("nesterov", False)]),
    (lambda: optim.Adagrad, ["params", ("lr", 0.01), ("eps", 1e-10)]),
    (lambda: optim.RMSprop, ["params", ("lr", 0.01), ("alpha", 0.99), ("eps", 1e-8)]),
    (lambda: optim.Adam, ["params", ("lr", 1e-3), ("betas", (0.9, 0.999)), ("eps", 1e-8),
                          ("weight_decay", 0.0), ("amsgrad", False)]),
    *[(lambda o=o: getattr(optim, o), ["params"])
      for o in ("AdamW", "Adadelta", "Adamax", "NAdam")],
]


def _sig_id(entry):
    try:
        fn = entry[0]()
    except Exception:  # the name is missing: the test itself reports it
        return "missing"
    return getattr(fn, "__qualname__", type(fn).__name__)


@pytest.mark.parametrize("entry", SIGNATURES, ids=[_sig_id(e) for e in SIGNATURES])
def test_signature_matches_the_contract(entry):
    get, spec = entry
    assert_signature(get(), *spec)


def test_signature_checker_catches_deviations():
    def good(x, w, b=None, stride=1, extra=3):
        pass

    assert_signature(good, "x", "w", ("b", None), ("stride", 1))
    with pytest.raises(AssertionError, match="contract says 'weight'"):
        assert_signature(good, "x", "weight")
    with pytest.raises(AssertionError, match="stride=1, contract says stride=2"):
        assert_signature(good, "x", "w", ("stride", 2))
    with pytest.raises(AssertionError, match="no parameter 'bias'"):
        assert_signature(good, "x", "w", ("bias", None))
    with pytest.raises(AssertionError, match="extra parameter 'w'"):
        assert_signature(good, "x")
    with pytest.raises(AssertionError, match="contract says eps=1e-08"):
        assert_signature(lambda eps=1e-6: None, ("eps", 1e-8))
    with pytest.raises(AssertionError, match="contract says flag=0"):   # False is not 0
        assert_signature(lambda flag=False: None, ("flag", 0))


# =============================================================================== tensors
def test_factories_shapes_dtypes_and_requires_grad():
    for make in (ns.zeros, ns.ones, ns.randn, ns.rand):
        t = make(2, 3)
        assert isinstance(t, ns.Tensor) and t.shape == (2, 3) and t.dtype == np.float32
        assert not t.requires_grad
        assert make(2, 3, requires_grad=True).requires_grad
    np.testing.assert_array_equal(ns.zeros(2, 3).numpy(), np.zeros((2, 3)))
    np.testing.assert_array_equal(ns.ones(4).numpy(), np.ones(4))
    r = ns.rand(1000).numpy()
    assert r.min() >= 0 and r.max() < 1
    t = ns.tensor([[1.0, 2.0]], requires_grad=True)
    assert t.shape == (1, 2) and t.dtype == np.float32 and t.requires_grad
    assert ns.tensor([1, 2], dtype=np.float64).dtype == np.float64
    assert isinstance(ns.Tensor(np.zeros(2)), ns.Tensor)


def test_default_dtype_switches_tensors_and_layers():
    assert ns.get_default_dtype() == np.float32
    ns.set_default_dtype(np.float64)                 # conftest restores float32 afterwards
    assert ns.get_default_dtype() == np.float64
    assert ns.zeros(2).dtype == ns.randn(2).dtype == ns.tensor([1.0]).dtype == np.float64
    layers = [nn.Linear(2, 3), nn.BatchNorm1d(3), nn.Embedding(4, 2), nn.Conv2d(1, 2, 3),
              nn.GRU(2, 3, batch_first=True), nn.BatchNorm2d(2), nn.Conv1d(1, 2, 3),
              nn.RNN(2, 3, batch_first=True), nn.LSTM(2, 3, batch_first=True)]
    for layer in layers:
        for name, p in layer.named_parameters():
            assert p.dtype == np.float64, f"{type(layer).__name__}.{name} is {p.dtype}"
    assert layers[1].state_dict()["running_mean"].dtype == np.float64
    ns.set_default_dtype(np.float32)
    assert ns.zeros(2).dtype == np.float32 and nn.Linear(2, 2).weight.dtype == np.float32


def test_manual_seed_repeats_every_random_source():
    def draw():
        x = ns.ones(50)
        return (ns.randn(3).numpy(), ns.rand(3).numpy(), nn.Linear(3, 2).weight.numpy().copy(),
                F.dropout(x, 0.5, True).numpy(),
                nn.GRU(2, 2, batch_first=True).weight_hh_l0.numpy().copy(),
                next(iter(ns.utils.data.ArrayLoader(np.arange(20), batch_size=20))))
    ns.manual_seed(7)
    a = draw()
    ns.manual_seed(7)
    b = draw()
    for u, v in zip(a, b):
        np.testing.assert_array_equal(u, v)
    assert not np.array_equal(draw()[0], a[0])


def test_tensor_attributes_backward_detach_numpy_item_zero_grad():
    x = t64([1.0, 2.0, 3.0], requires_grad=True)
    assert isinstance(x.numpy(), np.ndarray) and x.grad is None and x.requires_grad
    assert x.shape == (3,) and x.dtype == np.float64
    (x * x).sum().backward()
    assert isinstance(x.grad, ns.Tensor) and not x.grad.requires_grad   # as torch
    np.testing.assert_allclose(x.grad, [2.0, 4.0, 6.0])
    x.zero_grad()
    assert x.grad is None
    (x * 3.0).backward(grad=np.array([1.0, 0.0, 2.0]))
    np.testing.assert_allclose(x.grad, [3.0, 0.0, 6.0])
    d = (x * 2.0).detach()
    assert not d.requires_grad and isinstance(x.numpy(), np.ndarray)
    np.testing.assert_array_equal(d.numpy(), [2.0, 4.0, 6.0])
    assert x.sum().item() == 6.0 and isinstance(x.sum().item(), float)


def test_operators_indexing_and_comparisons():
    a_np, b_np = np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([[0.5, -1.0], [2.0, 1.5]])
    a, b = t64(a_np, True), t64(b_np, True)
    for got, want in [(a + b, a_np + b_np), (a - b, a_np - b_np), (a * b, a_np * b_np),
                      (a / b, a_np / b_np), (a ** 2, a_np ** 2), (a @ b, a_np @ b_np),
                      (-a, -a_np), (a[0], a_np[0]), (a[:, 1], a_np[:, 1]),
                      (a[[1, 0]], a_np[[1, 0]]), (2.0 - a, 2.0 - a_np), (1.0 / a, 1.0 / a_np)]:
        assert got.requires_grad
        np.testing.assert_allclose(got.numpy(), want)
    for got, want in [(a > b, a_np > b_np), (a < 2, a_np < 2), (a == a, a_np == a_np),
                      (a >= b, a_np >= b_np), (a <= b, a_np <= b_np), (a != b, a_np != b_np)]:
        assert not got.requires_grad
        np.testing.assert_array_equal(got.numpy(), want)


def test_reductions_shapes_and_elementwise_methods():
    x_np = np.array([[1.0, -2.0, 3.0], [0.5, 4.0, -1.0]])
    x = t64(x_np, True)
    assert x.sum().shape == () and x.sum().item() == pytest.approx(x_np.sum())
    np.testing.assert_allclose(x.sum(axis=0).numpy(), x_np.sum(0))
    assert x.sum(axis=1, keepdims=True).shape == (2, 1)
    np.testing.assert_allclose(x.mean(axis=1).numpy(), x_np.mean(1))
    np.testing.assert_allclose(x.max(dim=0).values.numpy(), x_np.max(0))
    np.testing.assert_array_equal(x.max(dim=0).indices.numpy(), x_np.argmax(0))
    assert x.max().item() == 4.0
    assert x.reshape(3, 2).shape == (3, 2) and x.reshape((6,)).shape == (6,)
    assert x.transpose().shape == (3, 2) and x.T.shape == (3, 2)
    np.testing.assert_array_equal(x.T.numpy(), x_np.T)
    np.testing.assert_array_equal(x.reshape(1, 2, 3).permute(2, 0, 1).numpy(),
                                  x_np.reshape(1, 2, 3).transpose(2, 0, 1))
    p = t64(np.abs(x_np) + 0.1)
    np.testing.assert_allclose(p.exp().numpy(), np.exp(p.numpy()))
    np.testing.assert_allclose(p.log().numpy(), np.log(p.numpy()))
    np.testing.assert_allclose(p.sqrt().numpy(), np.sqrt(p.numpy()))
    np.testing.assert_allclose(x.abs().numpy(), np.abs(x_np))
    np.testing.assert_allclose(x.relu().numpy(), np.maximum(x_np, 0))
    np.testing.assert_allclose(x.sigmoid().numpy(), 1 / (1 + np.exp(-x_np)))
    np.testing.assert_allclose(x.tanh().numpy(), np.tanh(x_np))
    c = x.clip(-1.0, 2.0)
    np.testing.assert_array_equal(c.numpy(), np.clip(x_np, -1.0, 2.0))
    c.sum().backward()
    np.testing.assert_array_equal(x.grad, (x_np >= -1) & (x_np <= 2))


def test_concatenate_stack_where():
    a, b = t64(np.ones((2, 3)), True), t64(np.zeros((2, 3)), True)
    assert ns.concatenate([a, b], 0).shape == (4, 3)
    assert ns.concatenate([a, b], axis=1).shape == (2, 6)
    assert ns.stack([a, b], 0).shape == (2, 2, 3) and ns.stack([a, b], axis=2).shape == (2, 3, 2)
    cond = np.array([[True, False, True], [False, True, False]])
    w = ns.where(cond, a, b)
    np.testing.assert_array_equal(w.numpy(), cond.astype(float))
    w.sum().backward()
    np.testing.assert_array_equal(a.grad, cond)
    np.testing.assert_array_equal(b.grad, ~cond)


def test_no_grad_stops_recording():
    x = t64([1.0, 2.0], True)
    with ns.no_grad():
        y = x * 2
    assert not y.requires_grad
    assert (x * 2).requires_grad


# =============================================================================== functional
def test_functional_values():
    rng = np.random.default_rng(0)
    x_np = rng.standard_normal((4, 3))
    x = t64(x_np)
    w, b = rng.standard_normal((2, 3)), rng.standard_normal(2)
    np.testing.assert_allclose(F.linear(x, t64(w), t64(b)).numpy(), x_np @ w.T + b)
    np.testing.assert_allclose(F.linear(x, t64(w)).numpy(), x_np @ w.T)
    np.testing.assert_allclose(F.relu(x).numpy(), np.maximum(x_np, 0))
    np.testing.assert_allclose(F.leaky_relu(x).numpy(), np.where(x_np > 0, x_np, 0.01 * x_np))
    np.testing.assert_allclose(F.sigmoid(x).numpy(), 1 / (1 + np.exp(-x_np)))
    np.testing.assert_allclose(F.tanh(x).numpy(), np.tanh(x_np))
    sm = np.exp(x_np) / np.exp(x_np).sum(-1, keepdims=True)
    np.testing.assert_allclose(F.softmax(x).numpy(), sm)
    np.testing.assert_allclose(F.log_softmax(x, axis=-1).numpy(), np.log(sm))
    sm0 = np.exp(x_np) / np.exp(x_np).sum(0, keepdims=True)
    np.testing.assert_allclose(F.softmax(x, axis=0).numpy(), sm0)


def test_functional_losses():
    rng = np.random.default_rng(1)
    z_np, y = rng.standard_normal((5, 3)), np.array([0, 2, 1, 1, 0])
    z = t64(z_np, True)
    logp = z_np - np.log(np.exp(z_np).sum(1, keepdims=True))
    ce = -logp[np.arange(5), y].mean()
    assert F.cross_entropy(z, y).item() == pytest.approx(ce)
    assert F.cross_entropy(z, np.eye(3)[y]).item() == pytest.approx(ce)   # one-hot target
    assert F.nll_loss(F.log_softmax(z), y).item() == pytest.approx(ce)
    t = rng.standard_normal((5, 3))
    assert F.mse_loss(z, t).item() == pytest.approx(((z_np - t) ** 2).mean())
    assert F.mse_loss(z, t, reduction="sum").item() == pytest.approx(((z_np - t) ** 2).sum())
    p_np, tgt = 1 / (1 + np.exp(-z_np)), (rng.random((5, 3)) > 0.5).astype(float)
    bce = -(tgt * np.log(p_np) + (1 - tgt) * np.log(1 - p_np)).mean()
    assert F.binary_cross_entropy(t64(p_np), tgt).item() == pytest.approx(bce)
    assert F.binary_cross_entropy_with_logits(z, tgt).item() == pytest.approx(bce)
    mu, logvar = rng.standard_normal((4, 2)), rng.standard_normal((4, 2))
    kl = (-0.5 * (1 + logvar - mu ** 2 - np.exp(logvar)).sum(1)).mean()
    assert F.kl_div_gaussian(t64(mu), t64(logvar)).item() == pytest.approx(kl)
    F.cross_entropy(z, y).backward()
    np.testing.assert_allclose(z.grad, (np.exp(logp) - np.eye(3)[y]) / 5)   # softmax(z) - t


def test_functional_dropout():
    x = ns.ones(1000, dtype=np.float64)
    np.testing.assert_array_equal(F.dropout(x, 0.3, False).numpy(), x.numpy())
    kept = F.dropout(x, 0.3, True).numpy()
    assert set(np.unique(kept)) <= {0.0, 1 / 0.7}       # inverted dropout
    assert 0.2 < (kept == 0).mean() < 0.4


def test_functional_batch_norm_updates_running_statistics():
    rng = np.random.default_rng(2)
    x_np = rng.standard_normal((8, 3)) * 2 + 1
    rm, rv = np.zeros(3), np.ones(3)
    w, b = t64(np.full(3, 2.0)), t64(np.full(3, 0.5))
    y = F.batch_norm(t64(x_np), rm, rv, w, b, True, momentum=0.1, eps=1e-5)
    xhat = (x_np - x_np.mean(0)) / np.sqrt(x_np.var(0) + 1e-5)
    np.testing.assert_allclose(y.numpy(), 2 * xhat + 0.5, atol=1e-10)
    np.testing.assert_allclose(rm, 0.1 * x_np.mean(0))
    np.testing.assert_allclose(rv, 0.9 + 0.1 * x_np.var(0, ddof=1))   # unbiased, as torch
    y_eval = F.batch_norm(t64(x_np), rm, rv, w, b, False)
    np.testing.assert_allclose(y_eval.numpy(), 2 * (x_np - rm) / np.sqrt(rv + 1e-5) + 0.5)


def test_functional_conv_and_pool_shapes():
    x2 = t64(np.random.default_rng(3).standard_normal((2, 3, 8, 8)))
    w2 = t64(np.random.default_rng(4).standard_normal((4, 3, 3, 3)))
    assert F.conv2d(x2, w2).shape == (2, 4, 6, 6)
    assert F.conv2d(x2, w2, t64(np.zeros(4)), stride=2, padding=1).shape == (2, 4, 4, 4)
    x1 = t64(np.random.default_rng(5).standard_normal((2, 3, 10)))
    w1 = t64(np.random.default_rng(6).standard_normal((5, 3, 3)))
    assert F.conv1d(x1, w1, None, stride=1, padding=1).shape == (2, 5, 10)
    # conv2d with a 1x1 kernel is a per-pixel linear map: an exact NumPy oracle
    w11 = np.random.default_rng(7).standard_normal((4, 3, 1, 1))
    np.testing.assert_allclose(F.conv2d(x2, t64(w11)).numpy(),
                               np.einsum("oc,nchw->nohw", w11[:, :, 0, 0], x2.numpy()))
    assert F.max_pool2d(x2, 2).shape == (2, 3, 4, 4)
    assert F.max_pool2d(x2, 2, stride=1).shape == (2, 3, 7, 7)
    assert F.avg_pool2d(x2, 2).shape == (2, 3, 4, 4)
    assert F.max_pool1d(x1, 2).shape == (2, 3, 5)
    blocks = x2.numpy().reshape(2, 3, 4, 2, 4, 2)
    np.testing.assert_allclose(F.max_pool2d(x2, 2).numpy(), blocks.max(axis=(3, 5)))
    np.testing.assert_allclose(F.avg_pool2d(x2, 2).numpy(), blocks.mean(axis=(3, 5)))


# =============================================================================== modules
class _Net(nn.Module):
    def __init__(self):
        self.body = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.ReLU(), nn.Dropout(0.5))
        self.head = nn.Linear(4, 2)

    def forward(self, x):
        return self.head(self.body(x))


def test_module_protocol():
    net = _Net()
    out = net(t64(np.ones((5, 3))).astype(np.float32))
    assert out.shape == (5, 2) and net.forward is not None
    assert [type(m).__name__ for m in net.children()] == ["Sequential", "Linear"]
    assert [type(m).__name__ for m in net.modules()] == [
        "_Net", "Sequential", "Linear", "BatchNorm1d", "ReLU", "Dropout", "Linear"]
    names = [n for n, _ in net.named_parameters()]
    assert names == ["body.0.weight", "body.0.bias", "body.1.weight", "body.1.bias",
                     "head.weight", "head.bias"]
    assert all(isinstance(p, nn.Parameter) and p.requires_grad for p in net.parameters())
    sd = net.state_dict()
    assert {"body.1.running_mean", "body.1.running_var"} <= set(sd)
    # detached Tensors sharing memory with the parameters and buffers, as torch
    assert all(isinstance(v, ns.Tensor) and not v.requires_grad for v in sd.values())
    assert net.training and net.eval() is net and not any(m.training for m in net.modules())
    assert net.train() is net and all(m.training for m in net.modules())
    out.sum().backward()
    assert net.head.weight.grad is not None
    net.zero_grad()
    assert all(p.grad is None or not p.grad.any() for p in net.parameters())
    other = _Net()
    other.load_state_dict(sd)
    for k, v in other.state_dict().items():
        np.testing.assert_array_equal(v, sd[k])
    with pytest.raises((ValueError, KeyError)):
        other.load_state_dict({"head.weight": sd["head.weight"]})          # strict by default
    other.load_state_dict({"head.weight": sd["head.weight"]}, strict=False)


def test_parameter_wraps_arrays_and_tensors():
    p = nn.Parameter(np.zeros((2, 3)))
    q = nn.Parameter(ns.ones(4))
    assert isinstance(p, ns.Tensor) and p.requires_grad and p.shape == (2, 3)
    assert q.requires_grad and q.shape == (4,)


def test_layer_layouts_and_shapes():
    lin = nn.Linear(3, 5)
    assert lin.weight.shape == (5, 3) and lin.bias.shape == (5,)
    assert nn.Linear(3, 5, bias=False).bias is None
    assert list(dict(lin.named_parameters())) == ["weight", "bias"]
    bound = 1 / math.sqrt(3)
    assert np.abs(lin.weight.numpy()).max() <= bound and np.abs(lin.bias.numpy()).max() <= bound
    conv = nn.Conv2d(3, 4, 3, stride=1, padding=1)
    assert conv.weight.shape == (4, 3, 3, 3) and conv.bias.shape == (4,)
    assert nn.Conv2d(3, 4, (2, 5)).weight.shape == (4, 3, 2, 5)
    assert conv(ns.zeros(2, 3, 6, 6)).shape == (2, 4, 6, 6)
    c1 = nn.Conv1d(3, 4, 3, bias=False)
    assert c1.weight.shape == (4, 3, 3) and c1(ns.zeros(2, 3, 7)).shape == (2, 4, 5)
    x = ns.randn(2, 3, 8, 8)
    assert nn.MaxPool2d(2)(x).shape == (2, 3, 4, 4)
    assert nn.MaxPool2d(3, stride=1)(x).shape == (2, 3, 6, 6)
    assert nn.AvgPool2d(2)(x).shape == (2, 3, 4, 4)
    assert nn.MaxPool1d(2)(ns.randn(2, 3, 8)).shape == (2, 3, 4)
    assert nn.Flatten()(x).shape == (2, 192)
    emb = nn.Embedding(10, 4)
    assert emb.weight.shape == (10, 4) and emb(np.array([[1, 2, 3]])).shape == (1, 3, 4)


def test_activation_and_loss_modules():
    z_np = np.random.default_rng(8).standard_normal((4, 3))
    z = t64(z_np)
    for mod, fn in [(nn.ReLU(), F.relu), (nn.LeakyReLU(), F.leaky_relu),
                    (nn.Sigmoid(), F.sigmoid), (nn.Tanh(), F.tanh), (nn.Softmax(), F.softmax),
                    (nn.LogSoftmax(), F.log_softmax)]:
        np.testing.assert_allclose(mod(z).numpy(), fn(z).numpy())
    np.testing.assert_allclose(nn.Softmax(axis=0)(z).numpy(), F.softmax(z, axis=0).numpy())
    np.testing.assert_allclose(nn.LogSoftmax(axis=0)(z).numpy(), F.log_softmax(z, axis=0).numpy())
    y, t = np.array([0, 1, 2, 0]), np.random.default_rng(9).random((4, 3))
    assert nn.CrossEntropyLoss()(z, y).item() == F.cross_entropy(z, y).item()
    assert nn.MSELoss()(z, t).item() == F.mse_loss(z, t).item()
    assert nn.BCELoss()(z.sigmoid(), t).item() == pytest.approx(
        F.binary_cross_entropy(z.sigmoid(), t).item())
    assert nn.BCEWithLogitsLoss()(z, t).item() == pytest.approx(
        F.binary_cross_entropy_with_logits(z, t).item())
    d = nn.Dropout(0.5)
    x = ns.ones(100)
    assert (d(x).numpy() == 0).any()
    d.eval()
    np.testing.assert_array_equal(d(x).numpy(), x.numpy())


@pytest.mark.parametrize("cls", [nn.BatchNorm1d, nn.BatchNorm2d])
def test_batch_norm_state_dict_holds_running_statistics(cls):
    bn = cls(3)
    sd = bn.state_dict()
    assert {"weight", "bias", "running_mean", "running_var"} <= set(sd)
    np.testing.assert_array_equal(sd["running_mean"], np.zeros(3))
    np.testing.assert_array_equal(sd["running_var"], np.ones(3))
    x = ns.randn(8, 3) * 3 + 2 if cls is nn.BatchNorm1d else ns.randn(8, 3, 4, 4) * 3 + 2
    bn(x)
    assert not np.allclose(bn.state_dict()["running_mean"], 0)
    fresh = cls(3)
    fresh.load_state_dict(bn.state_dict())
    np.testing.assert_array_equal(fresh.running_mean, bn.running_mean)
    np.testing.assert_array_equal(fresh.running_var, bn.running_var)


def test_sequential():
    seq = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    assert seq(ns.zeros(5, 3)).shape == (5, 2)
    assert [n for n, _ in seq.named_parameters()] == ["0.weight", "0.bias", "2.weight",
                                                      "2.bias"]


# =============================================================================== recurrent
def _rnn_names(num_layers, bidirectional, bias=True):
    names = []
    for k in range(num_layers):
        for sfx in ("", "_reverse") if bidirectional else ("",):
            names += [f"weight_ih_l{k}{sfx}", f"weight_hh_l{k}{sfx}"]
            if bias:
                names += [f"bias_ih_l{k}{sfx}", f"bias_hh_l{k}{sfx}"]
    return names


@pytest.mark.parametrize("cls,gates", [(nn.RNN, 1), (nn.LSTM, 4), (nn.GRU, 3)])
def test_recurrent_parameter_names_shapes_and_outputs(cls, gates):
    m = cls(3, 5, num_layers=2, bidirectional=True)
    params = dict(m.named_parameters())
    assert list(params) == _rnn_names(2, True)
    assert params["weight_ih_l0"].shape == (gates * 5, 3)
    assert params["weight_ih_l1_reverse"].shape == (gates * 5, 10)
    assert params["weight_hh_l1"].shape == (gates * 5, 5)
    assert params["bias_hh_l0_reverse"].shape == (gates * 5,)
    assert list(m.state_dict()) == _rnn_names(2, True)
    assert all(np.abs(p.numpy()).max() <= 1 / math.sqrt(5) for p in params.values())
    assert list(dict(cls(3, 5, bias=False).named_parameters())) == _rnn_names(1, False, False)
    x = ns.randn(7, 4, 3)                                  # (T, N, F): batch_first=False
    out, state = m(x)
    assert out.shape == (7, 4, 10)
    if cls is nn.LSTM:
        h, c = state
        assert h.shape == c.shape == (4, 4, 5)
    else:
        assert state.shape == (4, 4, 5)
    tm = cls(3, 5, batch_first=False)
    out, _ = tm(ns.randn(7, 4, 3))
    assert out.shape == (7, 4, 5)


def _sig(a):
    return 1 / (1 + np.exp(-a))


def _weights(m):
    return {k: v.numpy().astype(np.float64) for k, v in m.named_parameters()}


def test_rnn_step_formula_and_nonlinearity():
    ns.set_default_dtype(np.float64)
    x, h0 = np.random.default_rng(10).standard_normal((2, 1, 3)), np.ones((1, 2, 4)) * 0.3
    for nonlin, act in (("tanh", np.tanh), ("relu", lambda a: np.maximum(a, 0))):
        m = nn.RNN(3, 4, nonlinearity=nonlin, batch_first=True)
        w = _weights(m)
        out, h = m(t64(x), h0=t64(h0))
        want = act(x[:, 0] @ w["weight_ih_l0"].T + w["bias_ih_l0"]
                   + h0[0] @ w["weight_hh_l0"].T + w["bias_hh_l0"])
        np.testing.assert_allclose(out.numpy()[:, 0], want, atol=1e-12)
        np.testing.assert_allclose(h.numpy()[0], want, atol=1e-12)


def test_lstm_gate_order_ifgo():
    ns.set_default_dtype(np.float64)
    m = nn.LSTM(3, 4, batch_first=True)
    w = _weights(m)
    x = np.random.default_rng(11).standard_normal((2, 1, 3))
    h0, c0 = np.full((1, 2, 4), 0.2), np.full((1, 2, 4), -0.4)
    out, (h, c) = m(t64(x), (t64(h0), t64(c0)))
    a = x[:, 0] @ w["weight_ih_l0"].T + w["bias_ih_l0"] + h0[0] @ w["weight_hh_l0"].T \
        + w["bias_hh_l0"]
    i, f, g, o = np.split(a, 4, axis=1)
    c_want = _sig(f) * c0[0] + _sig(i) * np.tanh(g)
    np.testing.assert_allclose(c.numpy()[0], c_want, atol=1e-12)
    np.testing.assert_allclose(h.numpy()[0], _sig(o) * np.tanh(c_want), atol=1e-12)
    np.testing.assert_allclose(out.numpy()[:, 0], h.numpy()[0], atol=1e-12)


@pytest.mark.parametrize("reset_after", [True, False])
def test_gru_gate_order_rzn_and_both_reset_formulations(reset_after):
    ns.set_default_dtype(np.float64)
    m = nn.GRU(3, 4, reset_after=reset_after, batch_first=True)
    w = _weights(m)
    x, h0 = np.random.default_rng(12).standard_normal((2, 1, 3)), np.full((1, 2, 4), 0.5)
    out, h = m(t64(x), h0=t64(h0))
    gi = x[:, 0] @ w["weight_ih_l0"].T + w["bias_ih_l0"]
    W_hr, W_hz, W_hn = np.split(w["weight_hh_l0"], 3, axis=0)
    b_hr, b_hz, b_hn = np.split(w["bias_hh_l0"], 3)
    i_r, i_z, i_n = np.split(gi, 3, axis=1)
    hp = h0[0]
    r, z = _sig(i_r + hp @ W_hr.T + b_hr), _sig(i_z + hp @ W_hz.T + b_hz)
    if reset_after:    # PyTorch / cuDNN: r multiplies the recurrent product
        n = np.tanh(i_n + r * (hp @ W_hn.T + b_hn))
    else:              # Cho et al.: r multiplies h before the recurrent product
        n = np.tanh(i_n + (r * hp) @ W_hn.T + b_hn)
    np.testing.assert_allclose(h.numpy()[0], (1 - z) * n + z * hp, atol=1e-12)
    np.testing.assert_allclose(out.numpy()[:, 0], h.numpy()[0], atol=1e-12)


# =============================================================================== nn.utils
def test_clip_grad_norm_returns_total_norm_and_clip_grad_value_clamps():
    a, b = nn.Parameter(np.zeros(2)), nn.Parameter(np.zeros(3))
    a.grad, b.grad = np.array([3.0, 0.0]), np.array([0.0, 4.0, 0.0])
    total = nn.utils.clip_grad_norm_([a, b], 1.0)
    assert float(total) == pytest.approx(5.0)
    assert math.sqrt(np.sum(a.grad ** 2) + np.sum(b.grad ** 2)) == pytest.approx(1.0, rel=1e-5)
    a.grad = np.array([3.0, 4.0])
    assert float(nn.utils.clip_grad_norm_([a], 10.0)) == pytest.approx(5.0)
    np.testing.assert_array_equal(a.grad, [3.0, 4.0])            # under the limit: untouched
    b.grad = np.array([-2.0, 0.5, 7.0])
    nn.utils.clip_grad_value_([b], 1.0)
    np.testing.assert_array_equal(b.grad, [-1.0, 0.5, 1.0])


# =============================================================================== optim
OPTIMIZERS = {
    "SGD": lambda ps, lr=0.1: optim.SGD(ps, lr=lr),
    "Adagrad": lambda ps, lr=0.1: optim.Adagrad(ps, lr=lr),
    "RMSprop": lambda ps, lr=0.01: optim.RMSprop(ps, lr=lr),
    "Adam": lambda ps, lr=0.05: optim.Adam(ps, lr=lr),
    "AdamW": lambda ps, lr=0.05: optim.AdamW(ps, lr=lr),
    "Adadelta": lambda ps, lr=1.0: optim.Adadelta(ps, lr=lr),
    "Adamax": lambda ps, lr=0.05: optim.Adamax(ps, lr=lr),
    "NAdam": lambda ps, lr=0.05: optim.NAdam(ps, lr=lr),
}


def _quadratic_step(opt, p):
    opt.zero_grad()
    loss = ((p - 3.0) ** 2).sum()
    loss.backward()
    opt.step()
    return loss.item()


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_optimizer_protocol_and_state_round_trip(name):
    p = nn.Parameter(np.zeros(4))
    opt = OPTIMIZERS[name]([p])
    losses = [_quadratic_step(opt, p) for _ in range(5)]
    assert losses[-1] < losses[0], f"{name} did not descend: {losses}"
    for method in ("step", "zero_grad", "state_dict", "load_state_dict"):
        assert callable(getattr(opt, method))
    opt.zero_grad()
    assert p.grad is None or not p.grad.any()
    sd = opt.state_dict()
    # a copy restored from the state dict continues exactly like the original
    q = nn.Parameter(p.numpy().copy())
    opt2 = OPTIMIZERS[name]([q])
    opt2.load_state_dict(sd)
    _quadratic_step(opt, p)
    _quadratic_step(opt2, q)
    np.testing.assert_allclose(q.numpy(), p.numpy(), rtol=1e-12)


@pytest.mark.parametrize("name", list(OPTIMIZERS))
@pytest.mark.parametrize("lr", [-0.1, float("nan")])
def test_optimizer_rejects_negative_or_nan_lr(name, lr):
    with pytest.raises(ValueError, match="lr"):
        OPTIMIZERS[name]([nn.Parameter(np.zeros(2))], lr=lr)


def test_adam_defaults_are_used():
    opt = optim.Adam([nn.Parameter(np.zeros(2))])
    g = opt.param_groups[0]
    assert (g["lr"], tuple(g["betas"]), g["eps"], g["weight_decay"], g["amsgrad"]) == \
        (1e-3, (0.9, 0.999), 1e-8, 0.0, False)


def test_sgd_momentum_update_rule():
    p = nn.Parameter(np.array([1.0]))
    opt = optim.SGD([p], lr=0.1, momentum=0.9)
    for _ in range(2):
        opt.zero_grad()
        (p * 2.0).sum().backward()                          # gradient 2 every step
        opt.step()
    # buf1 = 2, p = 1 - 0.2 = 0.8 ; buf2 = 0.9*2 + 2 = 3.8, p = 0.8 - 0.38 = 0.42
    np.testing.assert_allclose(p.numpy(), [0.42])


def test_lr_schedulers():
    def fresh(lr=1.0):
        return optim.SGD([nn.Parameter(np.zeros(1))], lr=lr)
    lrs = optim.lr_scheduler
    o = fresh()
    s = lrs.StepLR(o, step_size=2, gamma=0.5)
    seen = []
    for _ in range(5):
        seen.append(o.param_groups[0]["lr"])
        o.step()
        s.step()
    assert seen == pytest.approx([1.0, 1.0, 0.5, 0.5, 0.25])
    o = fresh()
    s = lrs.ExponentialLR(o, gamma=0.9)
    s.step()
    s.step()
    assert o.param_groups[0]["lr"] == pytest.approx(0.81)
    o = fresh()
    s = lrs.CosineAnnealingLR(o, T_max=4, eta_min=0.0)
    for _ in range(2):
        s.step()
    assert o.param_groups[0]["lr"] == pytest.approx(0.5)    # halfway down the cosine
    o = fresh()
    s = lrs.ReduceLROnPlateau(o, factor=0.5, patience=1)
    for loss in (1.0, 1.0, 1.0, 1.0):
        s.step(loss)
    assert o.param_groups[0]["lr"] < 1.0
    for sched in (lrs.StepLR(fresh(), 1), lrs.ReduceLROnPlateau(fresh())):
        assert callable(sched.state_dict) and callable(sched.load_state_dict)


# =============================================================================== gradcheck
def test_gradcheck_true_or_raises_naming_input_index_and_values():
    from nnscratch.autograd import defvjp, primitive
    x = t64(np.random.default_rng(13).standard_normal((2, 3)), True)
    assert ns.gradcheck(lambda a: (a * a).tanh(), [x]) is True
    assert ns.gradcheck(lambda a: (a * a).tanh(), (x,), eps=1e-6, atol=1e-5, rtol=1e-3)

    @primitive
    def wrong_square(a):
        return a * a
    defvjp(wrong_square, lambda g, out, a: g * 3 * a)          # should be 2a

    with pytest.raises(ns.GradcheckError) as info:
        ns.gradcheck(wrong_square, [t64(np.ones(2), True), ])
    msg = str(info.value)
    assert "input 0" in msg and "index" in msg and "analytic" in msg and "numeric" in msg
    assert issubclass(ns.GradcheckError, Exception)


# =============================================================================== save/load
def test_save_load_round_trip(tmp_path):
    net = _Net()
    opt = optim.Adam(net.parameters(), lr=0.01)
    loss = net(ns.randn(4, 3)).sum()
    loss.backward()
    opt.step()
    state = {"model": net.state_dict(), "optim": opt.state_dict(), "epoch": 3,
             "history": [0.5, 0.25], "name": "run", "nested": {"t": (1, 2.5, None, True)}}
    path = tmp_path / "ckpt.nns"
    assert ns.save(state, path) is None
    ns.save(state, str(path))                                   # str paths too; overwrite
    back = ns.load(path)
    assert back["epoch"] == 3 and back["history"] == [0.5, 0.25] and back["name"] == "run"
    assert tuple(back["nested"]["t"]) == (1, 2.5, None, True)
    for k, v in state["model"].items():
        np.testing.assert_array_equal(back["model"][k], v)
        assert back["model"][k].dtype == v.dtype
    other = _Net()
    other.load_state_dict(back["model"])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ckpt.nns"]   # no temp file left
    assert path.read_bytes()[:2] == b"PK"                                # a zip, not a pickle
    opt2 = optim.Adam(other.parameters(), lr=0.01)
    opt2.load_state_dict(back["optim"])
    bogus = tmp_path / "bogus.nns"
    bogus.write_bytes(b"\x80\x04\x95not a checkpoint")       # a pickle header is refused
    with pytest.raises(ValueError, match="bogus.nns"):
        ns.load(bogus)
