"""Tensor basics: construction, dtypes, comparisons, hashing, repr, factories."""
import numpy as np
import pytest

import nnscratch as ns
import nnscratch.nn.functional as F
from nnscratch import autograd, ops


def f32(shape, rng, positive=False):
    a = rng.uniform(0.5, 2.0, shape) if positive else rng.standard_normal(shape)
    return ns.tensor(a.astype(np.float32), requires_grad=True)


# every op on float32 inputs, mixed with Python and NumPy scalars/arrays of other dtypes
DTYPE_CASES = [
    ("add_py_float", lambda a, b: a + 1.5),
    ("radd_np_f64_scalar", lambda a, b: np.float64(2.0) + a),
    ("mul_np_f64_scalar", lambda a, b: a * np.float64(2.0)),
    ("rmul_np_f64_array", lambda a, b: np.ones(4) * a),
    ("sub_np_int_array", lambda a, b: a - np.arange(4)),
    ("rsub_py_int", lambda a, b: 3 - a),
    ("div_np_f64_array", lambda a, b: a / np.full(4, 3.0)),
    ("rtruediv_py", lambda a, b: 1.0 / (b + 1.0)),
    ("pow_py", lambda a, b: a ** 2),
    ("pow_np_f64", lambda a, b: b ** np.float64(0.5)),
    ("rpow_py", lambda a, b: 2.0 ** a),
    ("pow_tensor", lambda a, b: b ** a),
    ("matmul", lambda a, b: a @ b.T),
    ("neg_abs", lambda a, b: -a.abs()),
    ("exp_log_sqrt", lambda a, b: b.log() + b.sqrt() + a.exp()),
    ("sin_cos_clip", lambda a, b: a.sin() * a.cos() + a.clip(-0.5, 0.5)),
    ("activations", lambda a, b: a.relu() + a.sigmoid() + a.tanh() + F.leaky_relu(a, 0.1)),
    ("reductions", lambda a, b: a.sum(dim=0) + a.mean(axis=0) + a.max(dim=0).values
     + a.min(0)[0] + a.amax(0) + a.var(dim=0) + a.std(axis=0, correction=0)),
    ("shape_ops", lambda a, b: a.reshape(4, 3).T.transpose(1, 0)[1:, [0, 0, 2]].flatten()),
    ("cat_stack_where", lambda a, b: ns.concatenate([a, b], 0).sum(0)
     + ns.stack([a, b], -1).sum(-1).sum(0) + ns.where(a > 0, a, 0.0).sum(0)),
    ("cat_stack_where_arrays", lambda a, b: ns.concatenate([a, np.ones((1, 4))], 0)[:3]
     + ns.stack([np.ones((3, 4)), a], 0)[1] + ns.where(a > 0, np.ones(4), a)
     + ns.where(a > 0, a, np.float64(2.0))),
    ("pad_axes", lambda a, b: ops.pad_axes(a, 1, value=2.0)),
    ("softmax", lambda a, b: F.softmax(a) + F.log_softmax(a, axis=0)),
    ("linear", lambda a, b: F.linear(a, b, b[:, 0])),
    ("mse", lambda a, b: F.mse_loss(a, np.zeros((3, 4)))),
    ("bce", lambda a, b: F.binary_cross_entropy(a.sigmoid(), np.ones((3, 4)))),
    ("bce_logits", lambda a, b: F.binary_cross_entropy_with_logits(a, np.ones((3, 4)))),
    ("cross_entropy_int", lambda a, b: F.cross_entropy(a, np.array([0, 3, 1]))),
    ("cross_entropy_prob", lambda a, b: F.cross_entropy(a, np.full((3, 4), 0.25))),
    ("nll", lambda a, b: F.nll_loss(F.log_softmax(a), [1, 2, 3])),
    ("kl", lambda a, b: F.kl_div_gaussian(a, b)),
    ("dropout", lambda a, b: F.dropout(a, 0.5, True)),
    ("batch_norm", lambda a, b: F.batch_norm(a, np.zeros(4, np.float32),
                                             np.ones(4, np.float32), b[0], b[1], True)
     + F.batch_norm(a, np.zeros(4, np.float32), np.ones(4, np.float32), b[0], b[1], False)),
    ("embedding", lambda a, b: F.embedding(np.array([0, 2, 2]), a)),
]


@pytest.mark.parametrize("fn", [c[1] for c in DTYPE_CASES], ids=[c[0] for c in DTYPE_CASES])
def test_float32_stays_float32_through_forward_and_backward(fn, monkeypatch, rng):
    a, b = f32((3, 4), rng), f32((3, 4), rng, positive=True)
    seen = []
    real = autograd.graph._accumulate_leaf

    def spy(p, g, *rest):
        seen.append(g.dtype)         # before the leaf's own cast, so a VJP that upcasts shows
        real(p, g, *rest)
    monkeypatch.setattr(autograd.graph, "_accumulate_leaf", spy)
    out = fn(a, b)
    assert out.dtype == np.float32, out.dtype
    out.backward(np.ones(out.shape, np.float32))
    assert seen and all(d == np.float32 for d in seen), seen
    assert all(t.grad is None or t.grad.dtype == np.float32 for t in (a, b))


def test_float64_on_request():
    assert ns.tensor([1.0, 2.0], dtype=np.float64).dtype == np.float64
    assert ns.zeros(2, dtype=np.float64).dtype == np.float64
    ns.set_default_dtype(np.float64)
    assert ns.get_default_dtype() == np.float64
    assert ns.tensor([1.0]).dtype == np.float64
    assert ns.randn(2).dtype == ns.ones(1).dtype == ns.rand(3).dtype == np.float64
    x = ns.tensor([1.0, 2.0], requires_grad=True)
    (x * 2.0).sum().backward()
    assert x.grad.dtype == np.float64
    with pytest.raises(TypeError, match="float32 or float64, got int32"):
        ns.set_default_dtype(np.int32)


def test_construction_dtypes_and_copies():
    assert ns.tensor([1.0, 2.0]).dtype == np.float32          # Python floats: default dtype
    assert ns.tensor([1, 2]).dtype.kind == "i"                  # ints stay ints
    assert ns.tensor(np.ones(2)).dtype == np.float64            # arrays keep their dtype
    assert ns.tensor(np.float64(2.0)).dtype == np.float64       # ... and NumPy scalars too
    assert ns.tensor(np.float32(2.0)).dtype == np.float32
    assert ns.tensor([True]).dtype == np.bool_
    a = np.ones(3)
    t = ns.tensor(a)
    a[0] = 5.0
    assert t.numpy()[0] == 1.0                                     # ns.tensor copies
    assert ns.tensor(ns.tensor([1.0, 2.0])).dtype == np.float32


def test_astype_cast_and_its_gradient_dtype():
    x = ns.tensor([1.0, 2.0], requires_grad=True)
    y = x.double()
    assert y.dtype == np.float64
    (y * y).sum().backward()
    assert x.grad.dtype == np.float32
    np.testing.assert_allclose(x.grad, [2.0, 4.0])


def test_power_edge_cases_match_torch():
    """0^0, 0^2, 0^0.5, negative exponents and a tensor exponent at base 0: torch's values and
    gradients, without a RuntimeWarning.  Values within 4 ULP: NumPy and torch call different
    ``pow`` kernels (2 ** 0.5 differs by one ULP on some CPUs); inf/nan must match exactly."""
    import warnings

    import torch
    from conftest import assert_ulp_close
    base = np.array([0.0, 0.0, 0.0, 2.0, 0.5])
    for exponent in (0, 2, 0.5, -1, -0.5, -2, np.array([0.0, 1.0, 2.0, 0.5, -1.5])):
        x, tx = ns.tensor(base, requires_grad=True), torch.tensor(base, requires_grad=True)
        e = ns.tensor(exponent, dtype=np.float64) if np.ndim(exponent) else exponent
        te = torch.tensor(exponent) if np.ndim(exponent) else exponent
        with warnings.catch_warnings():
            warnings.simplefilter("error")   # 0 * 0^-1 must not be computed unguarded
            y = x ** e
            y.sum().backward()
        ty = tx ** te
        ty.sum().backward()
        assert_ulp_close(np.asarray(y.numpy()), ty.detach().numpy())
        assert_ulp_close(np.asarray(x.grad), tx.grad.numpy())
    assert (ns.tensor(0.0) ** 0).item() == 1.0     # 0^0 = 1 exactly, as torch and C99


def test_comparisons_return_bool_tensors_without_grad():
    x = ns.tensor([1.0, 2.0, 3.0], requires_grad=True)
    for r in (x > 2, x >= 2, x < 2, x <= 2, x == 2, x != 2, x > ns.tensor([0.0, 5.0, 3.0])):
        assert isinstance(r, ns.Tensor) and r.dtype == np.bool_
        assert not r.requires_grad and r._node is None
    np.testing.assert_array_equal((x == 2).numpy(), [False, True, False])


def test_hash_is_identity():
    a, b = ns.tensor([1.0]), ns.tensor([1.0])
    assert hash(a) == id(a) // 16 or hash(a) == object.__hash__(a)
    assert len({a, b, a}) == 2
    d = {a: "a", b: "b"}
    assert d[a] == "a" and d[b] == "b"


def test_repr():
    assert repr(ns.tensor([1.0, 2.0])) == "tensor([1., 2.])"
    assert repr(ns.tensor([1.0], requires_grad=True)) == "tensor([1.], requires_grad=True)"
    assert repr(ns.tensor([1.0], dtype=np.float64)) == "tensor([1.], dtype=nnscratch.float64)"
    assert repr(ns.tensor([1, 2])) == "tensor([1, 2])"             # int64 and bool: no dtype
    x = ns.tensor([1.0], requires_grad=True)
    assert repr(x * 2) == "tensor([2.], grad_fn=<MulBackward0>)"   # torch's node names


def test_array_protocol_copies_only_when_asked():
    t = ns.tensor([1.0, 2.0])
    a = np.array(t)
    a[0] = 99.0
    assert t.numpy()[0] == 1.0                                # np.array copies
    assert np.asarray(t) is t.numpy()                         # np.asarray shares
    assert np.asarray(t, dtype=np.float64).dtype == np.float64


def test_item_numpy_tolist_len_bool():
    x = ns.tensor([[1.0, 2.0], [3.0, 4.0]])
    assert x.numpy() is x.numpy() and isinstance(x.numpy(), np.ndarray)
    assert x.tolist() == [[1.0, 2.0], [3.0, 4.0]]
    assert len(x) == 2 and x.shape == (2, 2) and x.ndim == 2 and x.numel() == 4
    assert x.size() == (2, 2) and x.size(1) == 2 and x.size(-2) == 2 and x.dim() == 2
    assert x.sum().item() == 10.0 and float(x[0, 1]) == 2.0
    with pytest.raises(ValueError, match="4 elements, expected 1"):
        x.item()
    with pytest.raises(RuntimeError, match="ambiguous"):       # torch's error
        bool(x)
    assert bool(ns.tensor([1.0]))


def test_factories(rng):
    assert ns.zeros(2, 3).shape == (2, 3) and ns.ones((4,)).numpy().sum() == 4
    z = ns.zeros(3, requires_grad=True)
    assert z.requires_grad and z.is_leaf
    assert ns.zeros(0, 2).shape == (0, 2)
    ns.manual_seed(5)
    a = ns.randn(3, 2)
    ns.manual_seed(5)
    np.testing.assert_array_equal(a.numpy(), ns.randn(3, 2).numpy())
    r = ns.rand(1000)
    assert 0 <= r.numpy().min() and r.numpy().max() < 1
    assert ns.arange(4).tolist() == [0, 1, 2, 3]
    assert ns.zeros_like(a).shape == a.shape and ns.ones_like(a).numpy().sum() == 6


def test_reflected_ndarray_ops_return_tensors():
    x = ns.tensor([1.0, 2.0], requires_grad=True)
    for y in (np.ones(2) + x, np.ones(2) - x, np.ones(2) * x, np.ones(2) / x,
              np.eye(2) @ x, np.float64(2.0) ** x):
        assert isinstance(y, ns.Tensor) and y.requires_grad


def test_requires_grad_only_on_leaves():
    x = ns.tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf"):
        (x * 2).requires_grad_(False)
    y = ns.tensor([1.0]).requires_grad_()
    assert y.requires_grad


KINKS = np.array([[-1.0, 0.0, 0.5, 2.0], [2.0, -3.0, 0.0, 2.0]])   # zeros, ties, clip bounds


@pytest.mark.parametrize("name, ours, theirs", [
    ("relu", lambda x: x.relu(), lambda x: x.relu()),
    ("leaky_relu", lambda x: F.leaky_relu(x, 0.1), lambda x: torch_F().leaky_relu(x, 0.1)),
    ("abs", lambda x: x.abs(), lambda x: x.abs()),
    ("clip", lambda x: x.clip(0.0, 2.0), lambda x: x.clamp(0.0, 2.0)),
    ("max_all", lambda x: x.max(), lambda x: x.max()),
    ("amax_rows", lambda x: x.amax(dim=1), lambda x: x.amax(dim=1)),
    ("max_dim_values", lambda x: x.max(dim=1).values, lambda x: x.max(dim=1).values),
    ("amin_cols_keep", lambda x: x.amin(axis=0, keepdims=True),
     lambda x: x.amin(dim=0, keepdim=True)),
    ("var_ddof1", lambda x: x.var(axis=1, ddof=1), lambda x: x.var(dim=1, correction=1)),
    ("var_default", lambda x: x.var(1), lambda x: x.var(1)),        # unbiased, as torch
    ("std_all", lambda x: x.std(correction=0), lambda x: x.std(correction=0)),
    ("mean_tuple", lambda x: x.mean(axis=(0, 1)), lambda x: x.mean(dim=(0, 1))),
])
def test_values_and_gradients_at_kinks_and_ties_match_torch(name, ours, theirs):
    import torch
    x, tx = ns.tensor(KINKS, requires_grad=True), torch.tensor(KINKS, requires_grad=True)
    y, ty = ours(x), theirs(tx)
    np.testing.assert_allclose(y.numpy(), ty.detach().numpy(), rtol=1e-14)
    u = np.arange(1.0, 1.0 + y.numel()).reshape(y.shape)
    y.backward(u)
    ty.backward(torch.tensor(u))
    np.testing.assert_allclose(x.grad, tx.grad.numpy(), rtol=1e-14, atol=1e-15)


def torch_F():
    import torch.nn.functional
    return torch.nn.functional


# ------------------------------------------------------------------ NumPy functions on tensors

NUMPY_CASES = [
    ("exp", lambda t: np.exp(t), lambda t: t.exp()),
    ("tanh_times_array", lambda t: np.tanh(t) * np.arange(6.0).reshape(2, 3),
     lambda t: t.tanh() * ns.tensor(np.arange(6.0).reshape(2, 3))),
    ("array_plus_tensor", lambda t: np.full((2, 3), 2.0) + t, lambda t: t + 2.0),
    ("square_sqrt", lambda t: np.sqrt(np.square(t) + 1.0), lambda t: (t * t + 1.0).sqrt()),
    ("sum_axis", lambda t: np.sum(t, axis=0), lambda t: t.sum(axis=0)),
    ("mean_std", lambda t: np.mean(t) + np.std(t), lambda t: t.mean() + t.var(correction=0).sqrt()),
    ("concat_stack", lambda t: np.stack([np.concatenate([t, t]), 2 * np.concatenate([t, t])]),
     lambda t: ns.stack([ns.concatenate([t, t]), 2 * ns.concatenate([t, t])])),
    ("where_clip", lambda t: np.where(t > 0, np.clip(t, None, 1.0), 0.0),
     lambda t: ns.where((t > 0).numpy(), t.clip(None, 1.0), ns.tensor(np.zeros((2, 3))))),
]


@pytest.mark.parametrize("name, with_numpy, with_ops", NUMPY_CASES, ids=[c[0] for c in NUMPY_CASES])
def test_numpy_functions_on_tensors_keep_the_graph(name, with_numpy, with_ops):
    rng = np.random.default_rng(3)
    a = rng.standard_normal((2, 3))
    g = rng.standard_normal(with_ops(ns.tensor(a)).shape)
    grads = []
    for f in (with_numpy, with_ops):
        t = ns.tensor(a, requires_grad=True)
        y = f(t)
        assert isinstance(y, ns.Tensor) and y.requires_grad
        (y * ns.tensor(g)).sum().backward()
        grads.append((y.numpy(), t.grad))
    np.testing.assert_allclose(grads[0][0], grads[1][0], rtol=1e-12)
    np.testing.assert_allclose(grads[0][1], grads[1][1], rtol=1e-12)


def test_numpy_functions_that_would_drop_a_gradient_are_refused():
    t = ns.tensor([0.5, -1.5], requires_grad=True)
    for call in (lambda: np.cbrt(t), lambda: np.diff(t), lambda: np.add.reduce(t),
                 lambda: np.sum(t, dtype=np.float64)):
        with pytest.raises(TypeError, match="requires grad"):
            call()
    # piecewise-constant functions lose nothing (derivative 0, as torch's floor backward):
    # they return a constant Tensor, which the create_graph VJPs use
    floor = np.floor(t)
    assert isinstance(floor, ns.Tensor) and not floor.requires_grad
    assert floor.tolist() == [0.0, -2.0]
    # no gradient to lose: comparisons, predicates, and anything without grad recording
    assert np.greater(t, 0).tolist() == [True, False]
    assert np.isfinite(t).all()
    with ns.no_grad():
        assert np.floor(t).tolist() == [0.0, -2.0]
    np.testing.assert_array_equal(np.cumsum(t.detach()), [0.5, -1.0])
    assert isinstance(np.floor(t.detach()), ns.Tensor)      # as torch: a ufunc of a Tensor is one
