"""nnscratch.autograd.functional (vjp, hessian, hvp; torch's signatures) against torch's exact
(double-backward) derivatives
and against analytic Hessians of quadratics and Rosenbrock.

Our Hessians are central differences of exact reverse-mode gradients (see
nscratch.autograd.functional),
so the tolerances below are the accuracy the docstring promises: ~1e-10 relative on quadratics,
~1e-8 on smooth non-quadratic functions.
"""
import numpy as np
import pytest
import torch

import nnscratch as ns
from nnscratch.autograd.functional import hessian, hvp, value_and_grad, vjp


def grad(f, x):
    return vjp(f, x)[1]


def _quadratic(n, seed):
    gen = np.random.default_rng(seed)
    M = gen.standard_normal((n, n))
    A, b = M @ M.T + np.eye(n), gen.standard_normal(n)

    def f(x):
        lift = (lambda a: ns.tensor(a, dtype=np.float64)) if isinstance(x, ns.Tensor) else (
            lambda a: torch.tensor(a))
        return 0.5 * (x @ (lift(A) @ x)) + (lift(b) * x).sum()
    return f, A, b


def _rosen(x):
    return ((1 - x[:-1]) ** 2 + 100 * (x[1:] - x[:-1] ** 2) ** 2).sum()


def _rosen_hess(x):  # written out by hand: d²/dx² of the chained Rosenbrock function
    n = np.size(x)
    H = np.zeros((n, n))
    for i in range(n - 1):
        H[i, i] += 2 - 400 * (x[i + 1] - x[i] ** 2) + 800 * x[i] ** 2
        H[i + 1, i + 1] += 200
        H[i, i + 1] = H[i + 1, i] = -400 * x[i]
    return H


def _smooth(x):  # a small tanh network with a log-sum-exp on top: nothing is quadratic
    W = (np.arange(12.0).reshape(3, 4) - 5.5) / 6
    Wt = ns.tensor(W, dtype=np.float64) if isinstance(x, ns.Tensor) else torch.tensor(W)
    h = (Wt @ x).tanh()
    return (h.exp().sum()).log() + (x * x).sum() * 0.1


def test_hessian_of_a_quadratic_is_its_matrix():
    f, A, b = _quadratic(12, 0)
    x = np.random.default_rng(1).standard_normal(12)
    H = hessian(f, x)
    assert np.max(np.abs(H - A)) <= 1e-9 * np.max(np.abs(A))
    np.testing.assert_array_equal(H, H.T)
    np.testing.assert_allclose(grad(f, x), A @ x + b, rtol=1e-13, atol=1e-13)


def test_hessian_of_rosenbrock_matches_the_hand_derivation():
    x = np.random.default_rng(2).standard_normal(6)
    H, exact = hessian(_rosen, x), _rosen_hess(x)
    assert np.max(np.abs(H - exact)) <= 1e-8 * np.max(np.abs(exact))


@pytest.mark.parametrize("fn", [_rosen, _smooth], ids=["rosenbrock", "tanh-logsumexp"])
def test_grad_hessian_hvp_match_torch_double_backward(fn):
    gen = np.random.default_rng(3)
    x, v = gen.standard_normal(4), gen.standard_normal(4)
    xt = torch.tensor(x)
    H_t = torch.autograd.functional.hessian(fn, xt).numpy()
    _, Hv_t = torch.autograd.functional.hvp(fn, xt, torch.tensor(v))
    g_t = torch.func.grad(fn)(xt).numpy()
    f_ours, g_ours = value_and_grad(fn, x)
    assert f_ours == pytest.approx(fn(xt).item(), rel=1e-14)
    np.testing.assert_allclose(g_ours, g_t, rtol=1e-13, atol=1e-14)
    np.testing.assert_allclose(grad(fn, x), g_t, rtol=1e-13, atol=1e-14)
    scale = np.max(np.abs(H_t))
    assert np.max(np.abs(hessian(fn, x) - H_t)) <= 1e-8 * scale
    assert np.max(np.abs(hvp(fn, x, v)[1] - Hv_t.numpy())) <= 1e-8 * scale * np.abs(v).sum()


def test_matrix_shaped_input_gives_shape_plus_shape():
    x = np.random.default_rng(4).standard_normal((2, 3))

    def f(t):
        return (t.tanh() * t).sum() + (t[0] * t[1]).sum()
    H = hessian(f, x)
    H_t = torch.autograd.functional.hessian(
        lambda t: (t.tanh() * t).sum() + (t[0] * t[1]).sum(), torch.tensor(x)).numpy()
    assert H.shape == (2, 3, 2, 3)
    np.testing.assert_allclose(H, H_t, atol=1e-8)
    v = np.ones((2, 3))
    np.testing.assert_allclose(hvp(f, x, v)[1], np.tensordot(H_t, v, axes=2), atol=1e-8)


def test_available_from_the_autograd_module_and_accept_tensors():
    assert ns.autograd.functional.hessian is hessian and ns.autograd.functional.hvp is hvp
    x = ns.tensor([1.0, 2.0])                      # float32 input: evaluated in float64
    g = ns.autograd.functional.vjp(lambda t: (t ** 3).sum(), x)[1]
    assert g.dtype == np.float64
    np.testing.assert_allclose(g, [3.0, 12.0])
    np.testing.assert_allclose(hvp(lambda t: (t ** 3).sum(), x, [1.0, 0.0])[1], [6.0, 0.0],
                               rtol=1e-9)
    # a function that ignores x has zero derivatives
    np.testing.assert_array_equal(grad(lambda t: ns.tensor(1.0), [1.0, 2.0]), [0.0, 0.0])
    np.testing.assert_array_equal(hvp(_rosen, [1.0, 2.0], [0.0, 0.0])[1], [0.0, 0.0])


def test_bad_input():
    with pytest.raises(ValueError, match=r"v can be omitted only for a one-element output"):
        grad(lambda t: t * 2, [1.0, 2.0])
    with pytest.raises(TypeError, match="must return a scalar Tensor"):
        hessian(lambda t: 1.0, [1.0, 2.0])
    with pytest.raises(ValueError, match="inputs must be finite"):
        grad(_rosen, [np.nan, 1.0])
    with pytest.raises(ValueError, match=r"v must have the shape of inputs \(2,\), got \(3,\)"):
        hvp(_rosen, [1.0, 2.0], [1.0, 2.0, 3.0])[1]
    with pytest.raises(TypeError, match="inputs must be a number, array or Tensor"):
        grad(_rosen, "abc")
