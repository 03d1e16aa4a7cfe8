"""torch options that nnscratch refused until issue 33's last pass, now followed: pooling's
``divisor_override`` and ``return_indices``, Embedding's ``max_norm``/``scale_grad_by_freq``/
``sparse``, ``load_state_dict(assign=True)``, ``always_call`` forward hooks, and
scaled-dot-product attention on a row that may attend nowhere.

torch 2.13 is the oracle: values, dtypes, indices and gradients (random cotangents), float64
to rtol 1e-12 unless a comment says otherwise; every new gradient also passes ns.gradcheck.
"""
import warnings

import numpy as np
import pytest
import torch  # noqa: E402  (the parity oracle: a declared test dependency, never skipped)

import nnscratch as ns
import nnscratch.nn as nn
import nnscratch.nn.functional as F

RTOL = 1e-12


def _both(x, requires_grad=True):
    return (ns.tensor(x, requires_grad=requires_grad),
            torch.tensor(x, requires_grad=requires_grad))


def _backward_both(a, b, seed=1):
    g = np.random.default_rng(seed).standard_normal(tuple(b.shape))
    a.backward(ns.tensor(g))
    b.backward(torch.tensor(g))


# --------------------------------------------------------------------------- pooling

@pytest.mark.parametrize("kw", [
    dict(kernel_size=3, stride=2, padding=1, divisor_override=5),
    dict(kernel_size=(2, 3), ceil_mode=True, count_include_pad=False, divisor_override=3),
    dict(kernel_size=2, divisor_override=1),
])
def test_avg_pool2d_divisor_override_as_torch(kw):
    x = np.random.default_rng(0).standard_normal((2, 3, 7, 8))
    (a, ta), (b, _tb) = _both(x), _both(x)
    ya, yb = nn.AvgPool2d(**kw)(a), torch.nn.AvgPool2d(**kw)(ta)
    np.testing.assert_allclose(ya.detach().numpy(), yb.detach().numpy(), rtol=RTOL, atol=1e-14)
    _backward_both(ya, yb)
    np.testing.assert_allclose(a.grad.numpy(), ta.grad.numpy(), rtol=RTOL, atol=1e-14)
    fa = F.avg_pool2d(b, **kw)                   # the functional form, torch's keyword
    np.testing.assert_allclose(fa.detach().numpy(), yb.detach().numpy(), rtol=RTOL, atol=1e-14)
    assert ns.gradcheck(lambda t: F.avg_pool2d(t, **kw), (ns.tensor(x, requires_grad=True),))


def test_avg_pool_divisor_override_zero_and_1d_signature_as_torch():
    x = torch.randn(1, 1, 4, 4)
    with pytest.raises(RuntimeError, match="divisor must be not zero"):
        torch.nn.functional.avg_pool2d(x, 2, divisor_override=0)
    with pytest.raises(RuntimeError, match="divisor must be not zero"):
        F.avg_pool2d(ns.tensor(x.numpy()), 2, divisor_override=0)
    for lib in (torch, ns):      # AvgPool1d has no divisor_override in torch either
        with pytest.raises(TypeError):
            lib.nn.AvgPool1d(2, divisor_override=2)


@pytest.mark.parametrize("nd,size", [(1, 3), (1, 5), (2, 3), (2, (2, 5)), (2, (None, 3))])
def test_adaptive_max_pool_return_indices_as_torch(nd, size):
    rng = np.random.default_rng(2)
    x = rng.standard_normal((2, 3, 7, 8) if nd == 2 else (2, 3, 8))
    x[0, 0].flat[:4] = 1.0                           # ties: the first maximum wins, as torch
    (a, ta) = _both(x)
    name = f"AdaptiveMaxPool{nd}d"
    (ya, ia), (yb, ib) = (getattr(nn, name)(size, return_indices=True)(a),
                          getattr(torch.nn, name)(size, return_indices=True)(ta))
    np.testing.assert_array_equal(ia.numpy(), ib.numpy())
    assert ia.dtype == np.int64 and ib.dtype == torch.int64
    np.testing.assert_allclose(ya.detach().numpy(), yb.detach().numpy(), rtol=RTOL)
    _backward_both(ya, yb)
    np.testing.assert_allclose(a.grad.numpy(), ta.grad.numpy(), rtol=RTOL)
    f = getattr(F, f"adaptive_max_pool{nd}d")
    yf, i_f = f(ns.tensor(x), size, return_indices=True)
    np.testing.assert_array_equal(i_f.numpy(), ib.numpy())
    # the unpooled maxima are where the indices say (MaxUnpool's contract)
    flat = x.reshape(2, 3, -1)
    np.testing.assert_array_equal(np.take_along_axis(flat, ia.numpy().reshape(2, 3, -1), -1),
                                  yf.numpy().reshape(2, 3, -1))


@pytest.mark.parametrize("kw", [dict(kernel_size=2), dict(kernel_size=3, stride=2, padding=1,
                                                          ceil_mode=True),
                                dict(kernel_size=2, dilation=2)])
@pytest.mark.parametrize("batched", [True, False])
def test_max_pool3d_return_indices_as_torch(kw, batched):
    x = np.random.default_rng(3).standard_normal((2, 2, 5, 6, 7) if batched else (2, 5, 6, 7))
    (a, ta) = _both(x)
    (ya, ia), (yb, ib) = (nn.MaxPool3d(return_indices=True, **kw)(a),
                          torch.nn.MaxPool3d(return_indices=True, **kw)(ta))
    np.testing.assert_array_equal(ia.numpy(), ib.numpy())
    np.testing.assert_allclose(ya.detach().numpy(), yb.detach().numpy(), rtol=RTOL)
    _backward_both(ya, yb)
    np.testing.assert_allclose(a.grad.numpy(), ta.grad.numpy(), rtol=RTOL)


@pytest.mark.parametrize("make", [
    lambda lib: lib.nn.MaxPool2d(2), lambda lib: lib.nn.AvgPool2d(3, 2, 1),
    lambda lib: lib.nn.MaxPool1d(2), lambda lib: lib.nn.AvgPool1d(2),
    lambda lib: lib.nn.MaxPool2d(2, return_indices=True),
    lambda lib: lib.nn.AdaptiveAvgPool2d((2, 3)), lambda lib: lib.nn.AdaptiveMaxPool1d(3),
    lambda lib: lib.nn.AdaptiveMaxPool2d(2, return_indices=True)])
def test_pooling_layers_take_unbatched_input_as_torch(make):
    """(C, H, W) / (C, L) input, as torch's layers (and LeNet called on one image) take it."""
    name = type(make(torch)).__name__
    x = np.random.default_rng(8).standard_normal((3, 6, 7) if name.endswith("2d") else (3, 7))
    a, ta = _both(x)
    ya, yb = make(ns)(a), make(torch)(ta)
    ya, yb = (ya if isinstance(ya, tuple) else (ya,)), (yb if isinstance(yb, tuple) else (yb,))
    for u, v in zip(ya, yb):
        assert tuple(u.shape) == tuple(v.shape)
        np.testing.assert_allclose(u.detach().numpy(), v.detach().numpy(), rtol=RTOL)
    _backward_both(ya[0], yb[0])
    np.testing.assert_allclose(a.grad.numpy(), ta.grad.numpy(), rtol=RTOL)


# --------------------------------------------------------------------------- Embedding

_EMBEDDING_CASES = [dict(max_norm=1.0), dict(max_norm=2.0, norm_type=1.0, padding_idx=3),
                    dict(max_norm=1.5, norm_type=float("inf")),
                    dict(scale_grad_by_freq=True, padding_idx=1),
                    dict(max_norm=0.5, scale_grad_by_freq=True), dict(sparse=True)]


@pytest.mark.parametrize("kw", _EMBEDDING_CASES)
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_embedding_options_as_torch(kw, dtype):
    """The looked-up rows, the weight after max_norm's in-place renormalisation (its version
    counter moves once per call, as torch's), and the weight's gradient.  float32: 1 ulp."""
    rng = np.random.default_rng(4)
    w = (rng.standard_normal((7, 4)) * 1.5).astype(dtype)
    idx = np.array([[1, 3, 3, 0], [5, 1, 3, 2]])
    e = nn.Embedding(7, 4, _weight=w.copy(), **kw)
    t = torch.nn.Embedding(7, 4, _weight=torch.tensor(w.copy()), **kw)
    assert repr(e) == repr(t)
    ya, yb = e(ns.tensor(idx)), t(torch.tensor(idx))
    _backward_both(ya, yb)
    tol = dict(rtol=RTOL, atol=0) if dtype == "float64" else dict(rtol=2e-7, atol=2e-7)
    np.testing.assert_allclose(ya.detach().numpy(), yb.detach().numpy(), **tol)
    np.testing.assert_allclose(e.weight.detach().numpy(), t.weight.detach().numpy(), **tol)
    grad_b = t.weight.grad.to_dense() if t.weight.grad.is_sparse else t.weight.grad
    np.testing.assert_allclose(e.weight.grad.numpy(), grad_b.numpy(), **tol)
    assert e.weight._version == t.weight._version
    if "max_norm" in kw:         # the renormalised rows now lie within max_norm
        looked_up = np.unique(idx)
        norms = np.linalg.norm(e.weight.detach().numpy()[looked_up], kw.get("norm_type", 2),
                               axis=1)
        assert (norms <= kw["max_norm"] * (1 + 1e-6)).all()


def test_embedding_scale_grad_by_freq_is_the_checked_gradient_over_the_counts():
    """scale_grad_by_freq is torch's heuristic, not a derivative: the gradient is the plain
    lookup's (which passes gradcheck) divided row by row by the index counts; create_graph
    (the composite path) gives the same values."""
    idx = ns.tensor(np.array([[1, 3, 3, 0], [5, 1, 3, 3]]))
    w = ns.tensor(np.random.default_rng(5).standard_normal((7, 3)), requires_grad=True)
    u = ns.tensor(np.random.default_rng(6).standard_normal((2, 4, 3)))
    assert ns.gradcheck(lambda W: F.embedding(idx, W), (w,))
    (plain,) = ns.autograd.grad((F.embedding(idx, w) * u).sum(), w)
    counts = np.bincount(idx.numpy().reshape(-1), minlength=7)[:, None]
    for create_graph in (False, True):
        (scaled,) = ns.autograd.grad((F.embedding(idx, w, scale_grad_by_freq=True) * u).sum(),
                                     w, create_graph=create_graph)
        np.testing.assert_allclose(scaled.detach().numpy() * np.maximum(counts, 1),
                                   plain.numpy(), rtol=RTOL)


# --------------------------------------------------------------------------- assign=True

def test_load_state_dict_assign_adopts_the_tensors_as_torch():
    class Net:
        def __init__(self, lib):
            self.m = lib.nn.Sequential(lib.nn.Linear(3, 2), lib.nn.BatchNorm1d(2))
            self.m[0].bias.requires_grad_(False)            # frozen: assign keeps the flag
    ours, theirs = Net(ns).m, Net(torch).m
    rng = np.random.default_rng(6)
    arrays = {k: rng.standard_normal(tuple(v.shape)).astype("float32")
              if v.dtype == torch.float32 else v.numpy() + 1 for k, v in
              theirs.state_dict().items()}
    sd_a = {k: ns.tensor(v) for k, v in arrays.items()}
    sd_b = {k: torch.tensor(v) for k, v in arrays.items()}
    sd_a["0.weight"] = nn.Parameter(arrays["0.weight"])       # a Parameter is adopted as is
    sd_b["0.weight"] = torch.nn.Parameter(torch.tensor(arrays["0.weight"]))
    ours.load_state_dict(sd_a, assign=True)
    theirs.load_state_dict(sd_b, assign=True)
    for (k, a), (_, b) in zip(ours.state_dict(keep_vars=True).items(),
                              theirs.state_dict(keep_vars=True).items()):
        assert type(a).__name__ == type(b).__name__, k     # Parameter / Tensor, as torch
        assert a.requires_grad == b.requires_grad, k
        assert str(a.dtype) == str(b.dtype).removeprefix("torch."), k
        # the module now holds the given memory: the state dict's tensors themselves
        assert np.shares_memory(a._data, sd_a[k]._data) == (b.data_ptr() == sd_b[k].data_ptr())
    assert ours[0].weight is sd_a["0.weight"]
    x = rng.standard_normal((4, 3)).astype("float32")
    np.testing.assert_allclose(ours(ns.tensor(x)).detach().numpy(),
                               theirs(torch.tensor(x)).detach().numpy(), rtol=1e-5, atol=1e-6)


def test_load_state_dict_assign_checks_shapes_first():
    m = nn.Linear(3, 2)
    before = m.weight
    with pytest.raises(ValueError, match="shape"):
        m.load_state_dict({"weight": ns.zeros(2, 3), "bias": ns.zeros(5)}, assign=True)
    assert m.weight is before                   # all or nothing


# --------------------------------------------------------------------------- always_call

def _always_call_log(lib):
    log = []

    class Net(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.lin = lib.nn.Linear(2, 2)

        def forward(self, x):
            if float(x.sum()) > 100:
                raise ValueError("too big")
            return self.lin(x)

    m = Net()
    m.register_forward_hook(lambda mod, a, out: log.append(("plain", out is None)))
    m.register_forward_hook(lambda mod, a, out: log.append(("always", out is None)),
                            always_call=True)

    def failing(mod, a, kw, out):
        log.append(("kwargs", out is None))
        raise KeyError("hook failed")
    m.register_forward_hook(failing, always_call=True, with_kwargs=True)
    messages = []
    for x, error in ((lib.ones(1, 2) * 1000, ValueError), (lib.ones(1, 2), KeyError)):
        # forward raised: the always_call hooks run with out=None, a failing one's error is a
        # warning; then a hook raised: the hooks before it ran, none runs again
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with pytest.raises(error):
                m(x)
        messages.append([str(w.message) for w in caught])
    return log, messages


def test_always_call_forward_hooks_run_when_forward_raises_as_torch():
    ours, theirs = _always_call_log(ns), _always_call_log(torch)
    assert ours == theirs
    assert ours[0][:2] == [("always", True), ("kwargs", True)]
    assert len(ours[1][0]) == 1 and "always_call=True" in ours[1][0][0] and ours[1][1] == []


# --------------------------------------------------------------------------- attention

@pytest.mark.parametrize("kind", ["bool", "float"])
def test_sdpa_row_that_attends_nowhere_gives_zeros_as_torch(kind):
    """torch 2.13's math path uses a safe softmax: such a row outputs zeros and passes no
    gradient (MultiheadAttention still gives NaN there, in torch and here)."""
    rng = np.random.default_rng(7)
    q, k, v = (rng.standard_normal((2, 2, 3, 4)) for _ in range(3))
    allowed = np.ones((3, 3), bool)
    allowed[0] = False
    allowed[2, 1] = False
    mask = allowed if kind == "bool" else np.where(allowed, 0.0, -np.inf)
    ours = [ns.tensor(a, requires_grad=True) for a in (q, k, v)]
    theirs = [torch.tensor(a, requires_grad=True) for a in (q, k, v)]
    ya = F.scaled_dot_product_attention(*ours, attn_mask=ns.tensor(mask))
    yb = torch.nn.functional.scaled_dot_product_attention(*theirs, attn_mask=torch.tensor(mask))
    np.testing.assert_allclose(ya.detach().numpy(), yb.detach().numpy(), rtol=RTOL, atol=1e-15)
    assert (ya.detach().numpy()[..., 0, :] == 0).all()
    _backward_both(ya, yb)
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=RTOL, atol=1e-15)
    assert ns.gradcheck(lambda *t: F.scaled_dot_product_attention(*t, attn_mask=ns.tensor(mask)),
                        [ns.tensor(a, requires_grad=True) for a in (q, k, v)])


# --------------------------------------------------------------------------- program surface

@pytest.mark.parametrize("case", [
    (lambda L: (L.tensor([1.0, 2.0]), L.tensor([1.0, 2.0 + 1e-6])), {}),     # within float32's
    (lambda L: (L.tensor([1.0, 2.0]), L.tensor([1.0, 2.1])), {}),
    (lambda L: (L.tensor([1.0]), L.tensor([1.0], dtype=L.float64)), {}),
    (lambda L: (L.tensor([1.0]), L.tensor([1.0], dtype=L.float64)), {"check_dtype": False}),
    (lambda L: (L.tensor([1, 2]), L.tensor([1, 3])), {}),
    (lambda L: ([L.tensor(1.0), {"a": L.tensor([2.0])}], [L.tensor(1.0), {"a": L.tensor([2.5])}]),
     {}),
    (lambda L: (L.tensor([1.0, float("nan")]), L.tensor([1.0, float("nan")])), {}),
    (lambda L: (L.tensor([1.0, float("nan")]), L.tensor([1.0, float("nan")])),
     {"equal_nan": True}),
    (lambda L: (L.tensor([1.0]), L.tensor([1.1])), {"rtol": 0.2, "atol": 0.0}),
    (lambda L: (L.tensor([1.0]), L.tensor([1.0])), {"rtol": 1e-3}),
])
def test_testing_assert_close_passes_and_fails_as_torch(case):
    """torch.testing.assert_close, which the ONNX tutorial ends with: the same verdicts and
    the first line of torch's message."""
    def verdict(L):
        make, kw = case
        try:
            L.testing.assert_close(*make(L), **kw)
            return "ok"
        except (AssertionError, ValueError) as e:
            return type(e).__name__, str(e).splitlines()[0].replace("torch.", "")
    assert verdict(ns) == verdict(torch)


def test_identity_takes_and_ignores_constructor_arguments_as_torch():
    """The gradients tutorial swaps a layer for ``nn.Identity(54, unused_argument1=0.1)``."""
    x = np.arange(6.0).reshape(2, 3)
    for lib in (ns, torch):
        layer = lib.nn.Identity(54, unused_argument1=0.1, unused_argument2=False)
        assert list(layer.parameters()) == [] and repr(layer) == "Identity()"
        np.testing.assert_array_equal(layer(lib.tensor(x)).numpy(), x)


def test_torch_functional_module_names_as_torch():
    import torch.functional as TF

    import nnscratch.functional as NF
    assert NF.einsum is ns.einsum and NF.split is ns.split
    assert set(NF.__all__) | NF._TORCH_ONLY == set(TF.__all__)
    with pytest.raises(NotImplementedError, match="torch.functional.stft"):
        NF.stft


def test_onnx_export_without_a_file_returns_a_program_to_save(tmp_path):
    """torch 2.13's ``torch.onnx.export(model, args, dynamo=True)`` then ``.save(path)``."""
    model = nn.Sequential(nn.Linear(3, 2), nn.ReLU())
    program = ns.onnx.export(model, (ns.randn(1, 3),), dynamo=True)
    assert not any(tmp_path.iterdir())
    program.save(tmp_path / "m.onnx")
    import onnx  # noqa: E402  (a declared test dependency, as in test_onnx_trace.py)
    assert onnx.load(str(tmp_path / "m.onnx")) == program.model_proto
