"""Issue 32, math half: every new op against torch 2.13 -- values, dtypes and the gradient of a
random cotangent (float64, rtol 1e-12: NumPy's and torch's libm kernels differ by a few ULP),
a float64 gradcheck row, and torch's edge cases (zeros and -0.0, NaN and ±inf, ties, empty
and 0-d tensors, integer dtypes and promotion).  The aliases and in-place variants torch has
(``arcsin``, ``sinh_``, ``__rshift__`` …) run through the same tables."""
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from helpers.ops_math_cases import BINARY, UNARY

import nnscratch as ns
import nnscratch.nn.functional as NF

TOL = dict(rtol=1e-12, atol=1e-14)

EDGE = [0.0, -0.0, np.nan, np.inf, -np.inf, 1.0, -1.0, 0.5, -0.5, 2.0, -3.0, 1e-300, 700.0]

def _torch_like(x):
    return torch.tensor(np.asarray(x))

def _same(ours, theirs, tol=TOL, signed_zeros=True):
    """Values, shape and dtype equal torch's (NaN where torch has NaN, signed zeros)."""
    t = theirs.detach().numpy() if isinstance(theirs, torch.Tensor) else np.asarray(theirs)
    o = ours.detach().numpy() if isinstance(ours, ns.Tensor) else np.asarray(ours)
    assert o.dtype == t.dtype, (o.dtype, t.dtype)
    assert o.shape == t.shape, (o.shape, t.shape)
    if o.dtype.kind == "f":
        np.testing.assert_allclose(o, t, equal_nan=True, **tol)
        exact_zero = (t == 0) if signed_zeros else np.zeros(t.shape, bool)
        np.testing.assert_array_equal(np.signbit(o[exact_zero]), np.signbit(t[exact_zero]))
    else:
        np.testing.assert_array_equal(o, t)

def _grads(ours, theirs, arrays, rng, tol=TOL):
    """The gradients of ⟨u, f(x…)⟩ for a random u, nnscratch and torch, compared."""
    X = [ns.tensor(a, requires_grad=True) for a in arrays]
    T = [torch.tensor(a, requires_grad=True) for a in arrays]
    y, ty = ours(*X), theirs(*T)
    _same(y, ty, tol)
    u = rng.standard_normal(y.shape)
    y.backward(u)
    ty.backward(torch.tensor(u))
    for x, t in zip(X, T):
        g = x.grad.numpy() if x.grad is not None else np.zeros(x.shape)
        tg = t.grad.numpy() if t.grad is not None else np.zeros(x.shape)
        np.testing.assert_allclose(g, tg, equal_nan=True, **tol)

@pytest.mark.parametrize("name, tname, sample", UNARY, ids=[u[0] for u in UNARY])
def test_unary_values_gradients_dtypes_and_edges_as_torch(name, tname, sample, rng):
    x = sample(rng)
    # method and function, values and the gradient of a random cotangent
    _grads(lambda t: getattr(t, name)(), lambda t: getattr(t, tname)(), [x], rng)
    _grads(lambda t: getattr(ns, name)(t), lambda t: getattr(torch, tname)(t), [x], rng)
    ns.gradcheck(lambda t: getattr(t, name)(), [ns.tensor(x, requires_grad=True)])
    with np.errstate(all="ignore"):
        # torch's edge values: ±0, NaN, ±inf, the domain's ends, outside it
        _same(getattr(ns.tensor(EDGE, dtype=ns.float64), name)(),
              getattr(torch.tensor(EDGE, dtype=torch.float64), tname)())
    # float32 stays float32; integers and bool compute in the default float dtype
    for dt in ("float32", "int64", "int32", "uint8", "bool"):
        a = np.array([0, 1, 1, 0], dtype=dt)
        try:
            expected = getattr(torch.tensor(a), tname)()
        except RuntimeError:                 # e.g. negative of bool: refused by both
            with pytest.raises((RuntimeError, TypeError)):
                getattr(ns.tensor(a), name)()
            continue
        _same(getattr(ns.tensor(a), name)(), expected, dict(rtol=2e-6, atol=1e-7))
    # empty and 0-d
    _same(getattr(ns.tensor(np.zeros((0, 3))), name)(),
          getattr(torch.zeros((0, 3), dtype=torch.float64), tname)())
    _same(getattr(ns.tensor(0.25, dtype=ns.float64), name)(),
          getattr(torch.tensor(0.25, dtype=torch.float64), tname)())
    # the in-place variant writes into self, as torch's
    a, t = ns.tensor(x.copy()), torch.tensor(x.copy())
    assert getattr(a, name + "_")() is a
    getattr(t, tname + "_")()
    _same(a, t)

def test_inplace_variant_under_autograd_records_its_gradient(rng):
    x = rng.uniform(-0.9, 0.9, (4,))
    a = ns.tensor(x, requires_grad=True)
    t = torch.tensor(x, requires_grad=True)
    b = a * 2
    b.tan_()
    tb = t * 2
    tb.tan_()
    b.sum().backward()
    tb.sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), t.grad.numpy(), **TOL)

def test_torch_level_inplace_functions(rng):
    x = rng.uniform(0.1, 0.9, (5,))
    for name in ("sin_", "cos_", "exp_", "erf_", "tan_", "log2_"):
        a, t = ns.tensor(x.copy()), torch.tensor(x.copy())
        assert getattr(ns, name)(a) is a
        getattr(torch, name)(t)
        _same(a, t)

EDGE2 = np.array([(0.0, 0.0), (-0.0, 0.0), (0.0, -0.0), (-0.0, -0.0), (1.0, 0.0), (-1.0, 0.0),
                  (np.nan, 1.0), (1.0, np.nan), (np.inf, 1.0), (-np.inf, 2.0), (np.inf, np.inf),
                  (-np.inf, -np.inf), (3.0, np.inf), (-3.0, -np.inf), (2.0, 2.0), (5.5, -2.0),
                  (-5.5, 2.0), (-2.0, 2.0)])

@pytest.mark.parametrize("name, sample", BINARY, ids=[b[0] for b in BINARY])
def test_binary_values_gradients_dtypes_and_edges_as_torch(name, sample, rng):
    a, b = sample(rng)
    _grads(lambda x, y: getattr(x, name)(y), lambda x, y: getattr(x, name)(y), [a, b], rng)
    _grads(lambda x, y: getattr(ns, name)(x, y), lambda x, y: getattr(torch, name)(x, y),
           [a, b], rng)
    ns.gradcheck(lambda x, y: getattr(x, name)(y),
                 [ns.tensor(a, requires_grad=True), ns.tensor(b, requires_grad=True)])
    with np.errstate(all="ignore"):
        x, y = EDGE2[:, 0], EDGE2[:, 1]
        _same(getattr(ns.tensor(x), name)(ns.tensor(y)),
              getattr(torch.tensor(x), name)(torch.tensor(y)))
    # promotion: int with a float 0-d tensor, float32 with a Python float, int with int
    cases = [(np.array([1, 2, 3], np.int32), np.array(1.25)),
             (np.array([1.5, -2.5], np.float32), 2.5),
             (np.array([7, -7, 3], np.int64), np.array([2, 2, -2], np.int64)),
             (np.array([4, -4], np.int16), np.array([3, 3], np.int8))]
    for p, q in cases:
        qq = ns.tensor(q) if isinstance(q, np.ndarray) else q
        tq = torch.tensor(q) if isinstance(q, np.ndarray) else q
        try:
            expected = getattr(torch.tensor(p), name)(tq)
        except TypeError:       # torch wants a Tensor here; nnscratch takes the number too
            expected = getattr(torch.tensor(p), name)(torch.tensor(tq))
            expected = expected.to(torch.result_type(torch.tensor(p), tq))
        except NotImplementedError as e:     # logaddexp of integers: refused by both
            with pytest.raises(NotImplementedError) as ours:
                getattr(ns.tensor(p), name)(qq)
            assert str(ours.value) == str(e)
            continue
        _same(getattr(ns.tensor(p), name)(qq), expected, dict(rtol=1e-6, atol=1e-7))

def test_maximum_promotes_an_int32_tensor_with_a_float_0d_tensor_to_float32_as_torch():
    ours = ns.maximum(ns.tensor([1, 2], dtype=ns.int32), ns.tensor(1.2))
    theirs = torch.maximum(torch.tensor([1, 2], dtype=torch.int32), torch.tensor(1.2))
    _same(ours, theirs, dict(rtol=1e-7, atol=0))
    assert ours.dtype == ns.float32
    _same(ns.minimum(ns.tensor([1, 2], dtype=ns.int32), ns.tensor(1.2)),
          torch.minimum(torch.tensor([1, 2], dtype=torch.int32), torch.tensor(1.2)))

def test_maximum_ties_split_the_gradient_as_torch(rng):
    a = np.array([1.0, 2.0, 3.0, np.nan])
    b = np.array([1.0, 5.0, 3.0, 0.0])
    _grads(lambda x, y: ns.maximum(x, y), lambda x, y: torch.maximum(x, y), [a, b], rng)

def test_lerp_with_number_and_tensor_weights(rng):
    a, b, w = rng.normal(size=(3, 4)), rng.normal(size=(3, 4)), rng.uniform(0, 1, (4,))
    _grads(lambda x, y, z: ns.lerp(x, y, z), lambda x, y, z: torch.lerp(x, y, z), [a, b, w], rng)
    _grads(lambda x, y: x.lerp(y, 0.3), lambda x, y: x.lerp(y, 0.3), [a, b], rng)
    ns.gradcheck(lambda x, y, z: x.lerp(y, z),
                 [ns.tensor(v, requires_grad=True) for v in (a, b, w)])
    s, t = ns.tensor(a.copy()), torch.tensor(a.copy())
    s.lerp_(ns.tensor(b), 0.75)
    t.lerp_(torch.tensor(b), 0.75)
    _same(s, t)

def test_cross_product(rng):
    a, b = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    _grads(lambda x, y: ns.cross(x, y, dim=1), lambda x, y: torch.cross(x, y, dim=1), [a, b], rng)
    ns.gradcheck(lambda x, y: x.cross(y, dim=-1),
                 [ns.tensor(v, requires_grad=True) for v in (a, b)])
    with pytest.raises(RuntimeError):
        ns.cross(ns.zeros(4, 2), ns.zeros(4, 2), dim=1)

def _divide(lib, op, a, b):
    """One of torch's division operators or functions, by name."""
    if op == "%":
        return a % b
    if op == "//":
        return a // b
    if op in ("trunc", "floor"):
        return lib.div(a, b, rounding_mode=op)
    return getattr(lib, op)(a, b)

INTS = [np.array([7, -7, 0, 5, -1, 13], d) for d in ("int64", "int32", "int16", "int8")]

DIVISORS = np.array([2, 2, 3, -3, 4, -5])

@pytest.mark.parametrize("op", ["%", "//", "fmod", "remainder", "floor_divide", "trunc", "floor"])
@pytest.mark.parametrize("a", INTS, ids=[str(a.dtype) for a in INTS])
def test_integer_division_family_as_torch(op, a):
    b = DIVISORS.astype(a.dtype)

    def run(lib, x, y):
        return _divide(lib, op, x, y)
    for x, y in [(a, b), (a, 3), (a, -2.5), (a, np.array(3, dtype=a.dtype))]:
        ox = ns.tensor(x)
        tx = torch.tensor(x)
        oy = ns.tensor(y) if isinstance(y, np.ndarray) else y
        ty = torch.tensor(y) if isinstance(y, np.ndarray) else y
        _same(run(ns, ox, oy), run(torch, tx, ty), dict(rtol=1e-6, atol=1e-6))
    # a Python number on the left
    if op in ("%", "//"):
        _same(eval(f"17 {op} ns.tensor(b)"), eval(f"17 {op} torch.tensor(b)"))
    # integer division by zero is torch's RuntimeError, not NumPy's silent 0
    if op not in ("trunc", "floor") or True:
        with pytest.raises(RuntimeError, match="ZeroDivisionError"):
            run(ns, ns.tensor(a), ns.tensor(np.zeros_like(a)))

@pytest.mark.parametrize("op", ["%", "//", "fmod", "remainder", "trunc", "floor"])
def test_float_division_family_edges_as_torch(op):
    x, y = EDGE2[:, 0], EDGE2[:, 1]

    def run(lib, a, b):
        return _divide(lib, op, a, b)
    with np.errstate(all="ignore"):
        _same(run(ns, ns.tensor(x), ns.tensor(y)), run(torch, torch.tensor(x), torch.tensor(y)))
        x32 = x.astype(np.float32)
        _same(run(ns, ns.tensor(x32), 2), run(torch, torch.tensor(x32), 2))

def test_div_rounding_mode_refuses_an_unknown_mode_and_keeps_true_division():
    with pytest.raises(ValueError, match="rounding_mode"):
        ns.div(ns.tensor([1.0]), 2, rounding_mode="round")
    _same(ns.tensor([1, 2]).div(2), torch.tensor([1, 2]).div(2))
    a, t = ns.tensor([7.0, -7.0]), torch.tensor([7.0, -7.0])
    a.div_(2, rounding_mode="floor")
    t.div_(2, rounding_mode="floor")
    _same(a, t)

def test_remainder_and_fmod_gradients_as_torch(rng):
    a = rng.normal(0, 5, (6,))
    b = rng.uniform(0.5, 2, (6,)) * rng.choice([-1, 1], 6)
    _grads(lambda x, y: x % y, lambda x, y: x % y, [a, b], rng)
    _grads(lambda x, y: x % 1.5, lambda x, y: x % 1.5, [a, b], rng)

BITWISE = ["&", "|", "^", "<<", ">>"]

BIT_DTYPES = ["int64", "int32", "int16", "int8", "uint8", "bool"]

@pytest.mark.parametrize("op", BITWISE)
@pytest.mark.parametrize("dt", BIT_DTYPES)
def test_bitwise_operators_with_torch_dtypes(op, dt, rng):
    a = rng.integers(-60, 60, 12)
    b = rng.integers(0, 9, 12)
    if dt == "bool":
        a, b = a > 0, b > 4
    a, b = a.astype(dt), b.astype(dt)
    oa, ta = ns.tensor(a), torch.tensor(a)
    if dt == "bool" and op in ("<<", ">>"):       # bool << bool: refused by both
        with pytest.raises(NotImplementedError, match="Bool") as ours:
            eval(f"oa {op} ns.tensor(b)")
        with pytest.raises(NotImplementedError) as theirs:
            eval(f"ta {op} torch.tensor(b)")
        assert str(ours.value) == str(theirs.value)
        _same(eval(f"oa {op} 3"), eval(f"ta {op} 3"))        # bool << int is int64
        return
    _same(eval(f"oa {op} ns.tensor(b)"), eval(f"ta {op} torch.tensor(b)"))
    for k in (3, 0x1337, True):
        _same(eval(f"oa {op} k"), eval(f"ta {op} k"))
        if op not in ("<<", ">>"):
            _same(eval(f"k {op} oa"), eval(f"k {op} ta"))
    # the method names and their in-place forms
    name = {"&": "bitwise_and", "|": "bitwise_or", "^": "bitwise_xor",
            "<<": "bitwise_left_shift", ">>": "bitwise_right_shift"}[op]
    _same(getattr(ns, name)(oa, ns.tensor(b)), getattr(torch, name)(ta, torch.tensor(b)))
    o2, t2 = ns.tensor(a.copy()), torch.tensor(a.copy())
    getattr(o2, name + "_")(ns.tensor(b))
    getattr(t2, name + "_")(torch.tensor(b))
    _same(o2, t2)
    o3, t3 = ns.tensor(a.copy()), torch.tensor(a.copy())
    exec(f"o3 {op}= ns.tensor(b)")
    exec(f"t3 {op}= torch.tensor(b)")
    _same(o3, t3)

def test_integer_and_is_bitwise_not_logical_the_issue_case():
    ours = ns.tensor([1, -8, 6], dtype=ns.int32) & ns.tensor([3, 12, 5], dtype=ns.int32)
    assert ours.dtype == ns.int32 and ours.tolist() == [1, 8, 4]
    assert (0x1337 & ns.tensor([1, 2], dtype=ns.int32)).tolist() == [1, 2]
    _same(ns.tensor([True, False]) & 1, torch.tensor([True, False]) & 1)
    _same(ns.tensor([1, 2], dtype=ns.int8) & 0x1337,
          torch.tensor([1, 2], dtype=torch.int8) & 0x1337)

def test_shift_counts_outside_the_width_as_torch():
    a = np.array([5, -5, 7, -1], np.int32)
    for k in (0, 1, 31, 32, 40, -1):
        _same(ns.tensor(a) << k, torch.tensor(a) << k)
        _same(ns.tensor(a) >> k, torch.tensor(a) >> k)
    _same(ns.tensor(np.array([200], np.uint8)) >> 9, torch.tensor(np.array([200], np.uint8)) >> 9)
    _same(3 << ns.tensor([1, 2]), 3 << torch.tensor([1, 2]))
    _same(64 >> ns.tensor([1, 2]), 64 >> torch.tensor([1, 2]))

@pytest.mark.parametrize("dt", BIT_DTYPES)
def test_bitwise_not_and_invert(dt):
    a = np.array([0, 1, -2, 5, 127]).astype(dt)
    _same(~ns.tensor(a), ~torch.tensor(a))
    _same(ns.bitwise_not(ns.tensor(a)), torch.bitwise_not(torch.tensor(a)))
    o, t = ns.tensor(a.copy()), torch.tensor(a.copy())
    o.bitwise_not_()
    t.bitwise_not_()
    _same(o, t)

def test_bitwise_of_floats_is_refused_as_torch():
    with pytest.raises(TypeError, match="only implemented on integer and Boolean"):
        ~ns.tensor([1.5])
    for call in (lambda lib: lib.tensor([1.5]) & lib.tensor([1.0]),
                 lambda lib: lib.tensor([1.5]) << 1,
                 lambda lib: lib.bitwise_not(lib.tensor([1.5]))):
        with pytest.raises(NotImplementedError) as ours:
            call(ns)
        with pytest.raises(NotImplementedError) as theirs:
            call(torch)
        assert str(ours.value) == str(theirs.value)
        assert isinstance(ours.value, RuntimeError)

def test_logical_and_or_xor_as_torch():
    a, b = np.array([0, 1, 2, 0]), np.array([0.0, 0.0, 1.5, np.nan])
    for name in ("logical_and", "logical_or", "logical_xor"):
        _same(getattr(ns, name)(ns.tensor(a), ns.tensor(b)),
              getattr(torch, name)(torch.tensor(a), torch.tensor(b)))

def test_isclose_and_comparison_aliases_as_torch():
    a = np.array([1.0, 1.0 + 1e-9, np.nan, np.inf, -np.inf, 0.0, 1e-9])
    b = np.array([1.0, 1.0, np.nan, np.inf, np.inf, 1e-9, 0.0])
    for kw in ({}, {"equal_nan": True}, {"rtol": 0.0, "atol": 1e-8}):
        _same(ns.isclose(ns.tensor(a), ns.tensor(b), **kw),
              torch.isclose(torch.tensor(a), torch.tensor(b), **kw))
        _same(ns.tensor(a).isclose(ns.tensor(b), **kw),
              torch.tensor(a).isclose(torch.tensor(b), **kw))
    _same(ns.isclose(ns.tensor([1, 2]), ns.tensor([1, 3])),
          torch.isclose(torch.tensor([1, 2]), torch.tensor([1, 3])))
    for name in ("greater", "greater_equal", "less", "less_equal", "not_equal"):
        _same(getattr(ns, name)(ns.tensor(a), ns.tensor(b)),
              getattr(torch, name)(torch.tensor(a), torch.tensor(b)))
        o, t = ns.tensor(a.copy()), torch.tensor(a.copy())
        getattr(o, name + "_")(ns.tensor(b))
        getattr(t, name + "_")(torch.tensor(b))
        _same(o, t)

def test_clamp_with_neither_bound_raises_as_torch():
    for call in (lambda lib: lib.clip(lib.tensor([1.0]), None, None),
                 lambda lib: lib.clamp(lib.tensor([1.0])),
                 lambda lib: lib.tensor([1.0]).clamp_()):
        with pytest.raises(RuntimeError, match="At least one of 'min' or 'max'"):
            call(ns)
        with pytest.raises(RuntimeError, match="At least one of 'min' or 'max'"):
            call(torch)

def test_clamp_min_max_as_torch(rng):
    x = rng.normal(size=(5,))
    _grads(lambda t: t.clamp_min(0.1), lambda t: t.clamp_min(0.1), [x], rng)
    _grads(lambda t: ns.clamp_max(t, 0.1), lambda t: torch.clamp_max(t, 0.1), [x], rng)

SCAN_INPUTS = [
    np.array([[1.0, 3.0, 3.0, 2.0, 5.0, 5.0], [0.5, -1.0, 0.0, -0.0, 4.0, -2.0]]),   # ties, ±0
    np.array([[1.0, np.nan, 3.0, np.nan, 0.0], [-np.inf, 2.0, np.inf, 1.0, -np.inf]]),  # NaN, inf
]

@pytest.mark.parametrize("name", ["cummax", "cummin"])
@pytest.mark.parametrize("x", SCAN_INPUTS, ids=["ties", "nan_inf"])
def test_cummax_cummin_values_indices_ties_nan_and_gradient(name, x, rng):
    for dim in (1, 0, -1):
        ov, oi = getattr(ns.tensor(x), name)(dim)
        tv, ti = getattr(torch.tensor(x), name)(dim)
        _same(ov, tv)
        _same(oi, ti)
    if not np.isnan(x).any() and not np.isinf(x).any():
        _grads(lambda t: getattr(t, name)(1).values, lambda t: getattr(t, name)(1).values, [x], rng)
        ns.gradcheck(lambda t: getattr(ns, name)(t, 0)[0],
                     [ns.tensor(rng.normal(size=(4, 3)), requires_grad=True)])
    ints = np.array([[3, 1, 3, 7, 7, 2]], np.int32)
    ov, oi = getattr(ns, name)(ns.tensor(ints), dim=1)
    tv, ti = getattr(torch, name)(torch.tensor(ints), dim=1)
    _same(ov, tv)
    _same(oi, ti)

def test_scans_of_empty_and_0d_tensors_as_torch():
    for name in ("cummax", "cummin"):
        for x in (np.zeros((0, 3)), np.array(2.5)):
            ov, oi = getattr(ns.tensor(x), name)(0)
            tv, ti = getattr(torch.tensor(x), name)(0)
            _same(ov, tv)
            _same(oi, ti)
    for name in ("cumprod", "logcumsumexp"):
        for x in (np.zeros((0, 3)), np.array(2.5)):
            _same(getattr(ns.tensor(x), name)(0), getattr(torch.tensor(x), name)(0))
    with pytest.raises(IndexError):
        ns.tensor([1.0, 2.0]).cumprod(2)

@pytest.mark.parametrize("x", [
    np.array([[1.5, 2.0, -0.5, 3.0], [0.5, 0.25, 4.0, -2.0]]),       # no zeros
    np.array([[1.5, 0.0, -0.5, 3.0], [0.0, 0.25, 0.0, -2.0]]),       # one and two zeros
], ids=["nonzero", "zeros"])
def test_cumprod_gradient_with_and_without_zeros_as_torch(x, rng):
    for dim in (1, 0):
        _grads(lambda t: t.cumprod(dim), lambda t: t.cumprod(dim), [x], rng)
        ns.gradcheck(lambda t: ns.cumprod(t, dim), [ns.tensor(x, requires_grad=True)])
    _same(ns.cumprod(ns.tensor([[2, 3, -1]], dtype=ns.int32), 1),
          torch.cumprod(torch.tensor([[2, 3, -1]], dtype=torch.int32), 1))
    _same(ns.tensor([1, 2, 3]).cumprod(0, dtype=ns.float32),
          torch.tensor([1, 2, 3]).cumprod(0, dtype=torch.float32))
    o, t = ns.tensor(x.copy()), torch.tensor(x.copy())
    o.cumprod_(1)
    t.cumprod_(1)
    _same(o, t)

def test_logcumsumexp_large_values_infinities_and_gradient(rng):
    x = np.array([[800.0, 799.0, -5.0, 801.0], [-np.inf, -np.inf, 0.0, 1.0]])
    _same(ns.logcumsumexp(ns.tensor(x), 1), torch.logcumsumexp(torch.tensor(x), 1))
    _grads(lambda t: t.logcumsumexp(1), lambda t: t.logcumsumexp(1), [x[:1]], rng)
    # a -inf input (a masked entry) gets gradient 0 here; torch's is NaN, which would poison
    # every parameter upstream (docs/torch-compat.md lists the difference)
    X, T = ns.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    X.logcumsumexp(1).sum().backward()
    T.logcumsumexp(1).sum().backward()
    masked = np.isneginf(x)
    assert np.all(X.grad.numpy()[masked] == 0) and np.all(np.isnan(T.grad.numpy()[masked]))
    np.testing.assert_allclose(X.grad.numpy()[~masked], T.grad.numpy()[~masked], **TOL)
    y = rng.normal(0, 3, (3, 5))
    _grads(lambda t: t.logcumsumexp(0), lambda t: t.logcumsumexp(0), [y], rng)
    ns.gradcheck(lambda t: t.logcumsumexp(1), [ns.tensor(y, requires_grad=True)])
    _same(ns.logcumsumexp(ns.tensor([1, 2, 3]), 0), torch.logcumsumexp(torch.tensor([1., 2, 3]), 0),
          dict(rtol=2e-7, atol=0))

def test_erf_and_erfc_are_within_2_ulp_of_math_over_the_whole_line():
    x = np.concatenate([np.linspace(-30, 30, 20001), -np.logspace(-310, 1.5, 400),
                        np.logspace(-310, 1.5, 400), [0.0, -0.0, 26.5, 27.2, 5e-324]])
    for ours, ref in ((ns.erf, math.erf), (ns.erfc, math.erfc)):
        got = ours(ns.tensor(x)).numpy()
        want = np.array([ref(v) for v in x])
        tiny = want == 0
        assert np.all(got[tiny] == 0)
        ulp = np.abs(got[~tiny] - want[~tiny]) / np.spacing(np.abs(want[~tiny]))
        assert ulp.max() <= 2, ulp.max()
    # the far tail of erfc, where 1 - erf would be 0: relative accuracy kept
    tail = np.array([5.0, 10.0, 20.0, 26.0])
    np.testing.assert_allclose(ns.erfc(ns.tensor(tail)).numpy(),
                               [math.erfc(v) for v in tail], rtol=4.5e-16)
    _same(ns.erf(ns.tensor([np.nan, np.inf, -np.inf], dtype=ns.float64)),
          torch.erf(torch.tensor([np.nan, np.inf, -np.inf], dtype=torch.float64)))

def test_float32_erf_and_erfc_are_within_1_float32_ulp_of_math():
    # the float32 path is a vectorised series / continued fraction in float64, rounded once
    x = np.concatenate([np.linspace(-11, 11, 40001), [1e-30, -1e-40, 0.0, -0.0]]).astype(
        np.float32)
    for ours, ref in ((ns.erf, math.erf), (ns.erfc, math.erfc)):
        got = ours(ns.tensor(x)).numpy()
        want = np.array([ref(float(v)) for v in x]).astype(np.float32)
        assert got.dtype == np.float32
        nz = want != 0
        assert np.all(got[~nz] == 0)
        assert (np.abs(got[nz] - want[nz]) / np.spacing(np.abs(want[nz]))).max() <= 1
    np.testing.assert_array_equal(np.signbit(ns.erf(ns.tensor(x[-2:])).numpy()), [False, True])

def test_erfinv_is_within_2_ulp_of_torch_including_both_tails():
    y = np.concatenate([np.linspace(-1, 1, 40001), 1 - np.logspace(-16, -1, 400),
                        -1 + np.logspace(-16, -1, 400), np.logspace(-300, -1, 200),
                        [np.nextafter(1.0, 0), -np.nextafter(1.0, 0), 0.0, -0.0, 5e-324]])
    got = ns.erfinv(ns.tensor(y)).numpy()
    want = torch.erfinv(torch.tensor(y)).numpy()
    finite = np.isfinite(want)
    np.testing.assert_array_equal(got[~finite], want[~finite])   # ±1 -> ±inf
    ulp = np.abs(got[finite] - want[finite]) / np.spacing(np.abs(want[finite]))
    assert ulp.max() <= 2, ulp.max()
    _same(ns.erfinv(ns.tensor([1.5, -1.5, np.nan, -0.0], dtype=ns.float64)),
          torch.erfinv(torch.tensor([1.5, -1.5, np.nan, -0.0], dtype=torch.float64)))
    y32 = y.astype(np.float32)
    got32, want32 = ns.erfinv(ns.tensor(y32)).numpy(), torch.erfinv(torch.tensor(y32)).numpy()
    ok = np.isfinite(want32)
    assert got32.dtype == np.float32
    assert (np.abs(got32[ok] - want32[ok]) / np.spacing(np.abs(want32[ok]))).max() <= 2

@pytest.mark.parametrize("approximate", ["none", "tanh"])
def test_gelu_exact_and_tanh_as_torch(approximate, rng):
    x = np.concatenate([rng.normal(0, 3, 20), [0.0, -0.0, -40.0, 40.0, 8.0, -8.0]])
    _grads(lambda t: NF.gelu(t, approximate=approximate),
           lambda t: TF.gelu(t, approximate=approximate), [x], rng, dict(rtol=1e-12, atol=1e-14))
    ns.gradcheck(lambda t: NF.gelu(t, approximate=approximate),
                 [ns.tensor(rng.normal(0, 2, (3, 4)), requires_grad=True)])
    x32 = x.astype(np.float32)
    # float32: torch's vectorised float32 kernel gives +0.0 where x <= -0.0 underflows; ours
    # keeps x's sign there, as torch's float64 kernel does
    _same(NF.gelu(ns.tensor(x32), approximate=approximate),
          TF.gelu(torch.tensor(x32), approximate=approximate), dict(rtol=2e-6, atol=1e-6),
          signed_zeros=False)
    with np.errstate(invalid="ignore"):
        _same(NF.gelu(ns.tensor([np.nan, np.inf, -np.inf], dtype=ns.float64),
                      approximate=approximate),
              TF.gelu(torch.tensor([np.nan, np.inf, -np.inf], dtype=torch.float64),
                      approximate=approximate))
    with pytest.raises(ValueError, match="approximate"):
        NF.gelu(ns.tensor([1.0]), approximate="fast")

@pytest.mark.parametrize("name", ["std_mean", "var_mean"])
def test_std_mean_and_var_mean_as_torch(name, rng):
    x = rng.normal(size=(4, 5))
    for kwargs in ({}, {"dim": 1}, {"dim": 0, "keepdim": True}, {"dim": 1, "correction": 0},
                   {"dim": 1, "unbiased": False}):
        X, T = ns.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        (s, m), (ts, tm) = getattr(ns, name)(X, **kwargs), getattr(torch, name)(T, **kwargs)
        _same(s, ts)
        _same(m, tm)
        u, v = rng.normal(size=s.shape), rng.normal(size=m.shape)
        ((s * ns.tensor(u)).sum() + (m * ns.tensor(v)).sum()).backward()
        ((ts * torch.tensor(u)).sum() + (tm * torch.tensor(v)).sum()).backward()
        np.testing.assert_allclose(X.grad.numpy(), T.grad.numpy(), **TOL)

def test_type_with_and_without_a_dtype_as_torch():
    for d in ("float32", "float64", "float16", "int64", "int32", "int16", "int8", "uint8",
              "bool"):
        assert ns.tensor(np.zeros(2, d)).type() == torch.tensor(np.zeros(2, d)).type()
    for target in ("float64", "int32", "bool"):
        _same(ns.tensor([1.5, -2.0]).type(getattr(ns, target)),
              torch.tensor([1.5, -2.0]).type(getattr(torch, target)))
    for name in ("torch.DoubleTensor", "torch.LongTensor", "torch.FloatTensor"):
        _same(ns.tensor([1.5, 2.0]).type(name), torch.tensor([1.5, 2.0]).type(name))
    _same(ns.tensor([1.5]).type(ns.LongTensor), torch.tensor([1.5]).type(torch.LongTensor))
    t = ns.tensor([1.0])
    assert t.type(ns.float32) is t
    x = ns.tensor([1.0, 2.0], requires_grad=True)
    x.type(ns.float64).sum().backward()                   # differentiable, as .to
    assert x.grad.tolist() == [1.0, 1.0]

@pytest.mark.parametrize("indexing", ["ij", "xy"])
def test_meshgrid_as_torch(indexing, rng):
    a, b, c = rng.normal(size=3), rng.normal(size=4), rng.normal(size=2)
    for arrays in ((a, b), (a, b, c), (a,)):
        X = [ns.tensor(v, requires_grad=True) for v in arrays]
        T = [torch.tensor(v, requires_grad=True) for v in arrays]
        ours, theirs = ns.meshgrid(*X, indexing=indexing), torch.meshgrid(*T, indexing=indexing)
        assert len(ours) == len(theirs)
        for o, t in zip(ours, theirs):
            _same(o, t)
        weights = [rng.normal(size=o.shape) for o in ours]
        sum((o * ns.tensor(w)).sum() for o, w in zip(ours, weights)).backward()
        sum((t * torch.tensor(w)).sum() for t, w in zip(theirs, weights)).backward()
        for x, t in zip(X, T):
            np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), **TOL)
    _same(ns.meshgrid([ns.tensor(a), ns.tensor(b)], indexing=indexing)[1],
          torch.meshgrid([torch.tensor(a), torch.tensor(b)], indexing=indexing)[1])
    with pytest.raises(ValueError, match="indexing"):
        ns.meshgrid(ns.tensor(a), indexing="yx")

def test_swapaxes_unsqueeze_squeeze_inplace_as_torch(rng):
    x = rng.normal(size=(2, 3, 1))
    _grads(lambda t: t.swapaxes(0, 2), lambda t: t.swapaxes(0, 2), [x], rng)
    _grads(lambda t: ns.swapdims(t, 1, 0), lambda t: torch.swapdims(t, 1, 0), [x], rng)
    o, t = ns.tensor(x), torch.tensor(x)
    assert o.unsqueeze_(1) is o
    t.unsqueeze_(1)
    _same(o, t)
    o.squeeze_()
    t.squeeze_()
    _same(o, t)
    o.unsqueeze_(-1).squeeze_(-1)
    t.unsqueeze_(-1).squeeze_(-1)
    _same(o, t)

def test_legacy_add_number_then_tensor_overload():
    o, t = ns.zeros(3), torch.zeros(3)
    o.add_(2, ns.ones(3))
    with pytest.warns(UserWarning):
        t.add_(2, torch.ones(3))
    _same(o, t)
    o.add_(ns.ones(3), alpha=0.5)
    t.add_(torch.ones(3), alpha=0.5)
    _same(o, t)

def test_randint_without_low_and_linspace_dtypes_as_torch():
    ns.manual_seed(0)
    r = ns.randint(high=5, size=(200,))
    assert r.dtype == ns.int64 and r.shape == (200,)
    assert r.min().item() >= 0 and r.max().item() <= 4 and len(set(r.tolist())) == 5
    assert ns.randint(3, 5, (4,)).min().item() >= 3
    assert ns.randint(5, (2, 2)).shape == (2, 2)
    with pytest.raises(NotImplementedError, match="Bool"):
        ns.linspace(5, 10, 3, dtype=ns.bool)
    with pytest.raises(NotImplementedError, match="Bool"):
        torch.linspace(5, 10, 3, dtype=torch.bool)
    _same(ns.linspace(-5, 10, 7, dtype=ns.int64), torch.linspace(-5, 10, 7, dtype=torch.int64))
    _same(ns.linspace(0, 1, 5), torch.linspace(0, 1, 5))

def test_default_device_is_the_cpu_and_other_devices_are_refused():
    assert str(ns.get_default_device()) == str(torch.get_default_device()) == "cpu"
    ns.set_default_device("cpu")
    ns.set_default_device(None)
    assert str(ns.get_default_device()) == "cpu"
    with pytest.raises(RuntimeError, match="cuda"):
        ns.set_default_device("cuda")
    ns.use_deterministic_algorithms(True)
    assert ns.are_deterministic_algorithms_enabled()
    ns.use_deterministic_algorithms(False)

def test_normal_overloads_shapes_dtypes_and_moments():
    ns.manual_seed(3)
    x = ns.normal(2.0, 3.0, size=(20000,))
    assert x.dtype == ns.float32 and x.shape == (20000,)
    assert abs(x.mean().item() - 2.0) < 0.1 and abs(x.std().item() - 3.0) < 0.1
    m = ns.tensor([0.0, 100.0], dtype=ns.float64)
    y = ns.normal(m, ns.tensor([1e-6, 1e-6], dtype=ns.float64))
    assert y.dtype == ns.float64 and np.allclose(y.numpy(), [0, 100], atol=1e-4)
    assert ns.normal(m, 1.0).shape == (2,) and ns.normal(0.0, ns.ones(3, 2)).shape == (3, 2)
    ns.manual_seed(5)
    a = ns.normal(0.0, 1.0, (4,))
    ns.manual_seed(5)
    assert a.tolist() == ns.normal(0.0, 1.0, (4,)).tolist()
    with pytest.raises(RuntimeError, match="std >= 0"):
        ns.normal(ns.zeros(2), -1.0)

def test_multinomial_frequencies_without_replacement_and_errors():
    ns.manual_seed(0)
    w = ns.tensor([0.0, 1.0, 3.0])
    draws = ns.multinomial(w, 4000, replacement=True)
    assert draws.dtype == ns.int64 and draws.shape == (4000,)
    freq = np.bincount(draws.numpy(), minlength=3) / 4000
    assert freq[0] == 0 and abs(freq[2] - 0.75) < 0.03
    rows = ns.multinomial(ns.tensor([[1.0, 1.0, 1.0, 0.0], [5.0, 1.0, 1.0, 1.0]]), 3)
    assert rows.shape == (2, 3)
    for r in rows.tolist():
        assert len(set(r)) == 3
    assert 3 not in rows.tolist()[0]
    assert ns.tensor([0.2, 0.8]).multinomial(1).shape == (1,)
    for bad in (ns.tensor([-1.0, 2.0]), ns.tensor([0.0, 0.0])):
        with pytest.raises(RuntimeError):
            ns.multinomial(bad, 1)
    with pytest.raises(RuntimeError, match="without replacement"):
        ns.multinomial(ns.tensor([1.0, 0.0]), 2)

def test_bernoulli_and_random_():
    ns.manual_seed(1)
    p = ns.full((5000,), 0.3)
    b = ns.bernoulli(p)
    assert b.dtype == ns.float32 and set(np.unique(b.numpy())) <= {0.0, 1.0}
    assert abs(b.mean().item() - 0.3) < 0.03
    t = ns.zeros(1000, dtype=ns.int64).random_(0, 7)
    assert t.min().item() == 0 and t.max().item() == 6
    u = ns.zeros(1000).random_(3)
    assert set(np.unique(u.numpy())) == {0.0, 1.0, 2.0} and u.dtype == ns.float32

def test_unique_as_torch():
    x = np.array([[3, 1, 2], [1, 3, 3]])
    _same(ns.unique(ns.tensor(x)), torch.unique(torch.tensor(x)))
    for kw in ({"return_inverse": True}, {"return_counts": True},
               {"return_inverse": True, "return_counts": True}):
        for o, t in zip(ns.unique(ns.tensor(x), **kw), torch.unique(torch.tensor(x), **kw)):
            _same(o, t)
    _same(ns.tensor([2.0, 1.0, 2.0, -0.0]).unique(), torch.tensor([2.0, 1.0, 2.0, -0.0]).unique())

# second derivatives (core-ad's create_graph): the same VJPs run on Tensors
SECOND = {
    "tan": lambda t: t.tan(), "asin": lambda t: (t * 0.5).asin(),
    "acos": lambda t: (t * 0.5).acos(),
    "atan": lambda t: t.atan(), "sinh": lambda t: t.sinh(), "cosh": lambda t: t.cosh(),
    "asinh": lambda t: t.asinh(), "acosh": lambda t: (t.abs() + 1.5).acosh(),
    "atanh": lambda t: (t * 0.5).atanh(), "erf": lambda t: t.erf(), "erfc": lambda t: t.erfc(),
    "erfinv": lambda t: (t * 0.5).erfinv(), "exp2": lambda t: t.exp2(),
    "log2": lambda t: (t.abs() + 0.5).log2(), "log10": lambda t: (t.abs() + 0.5).log10(),
    "gelu": lambda t: NF.gelu(t), "gelu_tanh": lambda t: NF.gelu(t, approximate="tanh"),
    "reciprocal": lambda t: (t.abs() + 0.5).reciprocal(), "sinc": lambda t: t.sinc(),
    "logit": lambda t: (t.abs() * 0.4 + 0.1).logit(), "atan2": lambda t: t.atan2(t * 0.5 + 2),
    "logaddexp": lambda t: t.logaddexp(t * 0.3), "hypot": lambda t: t.hypot(t * 0.5 + 1),
    "lerp": lambda t: t.lerp(t * 2 + 1, 0.3), "cumprod": lambda t: t.cumprod(0),
    "fmod": lambda t: t.fmod(1.7), "xlogy": lambda t: t.xlogy(t.abs() + 1),
    "maximum": lambda t: t.maximum(t * 0.5), "fmax": lambda t: t.fmax(t * 0.5),
}

@pytest.mark.parametrize("name", sorted(SECOND))
def test_second_derivative_gradgradcheck(name, rng):
    from nnscratch.autograd import gradgradcheck
    x = ns.tensor(rng.uniform(-1.8, 1.8, 3), dtype=ns.float64, requires_grad=True)
    assert gradgradcheck(SECOND[name], [x])
