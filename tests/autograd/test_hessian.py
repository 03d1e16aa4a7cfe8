"""nnscratch.autograd.functional (jacobian, hessian, hvp, vhp, jvp, vjp; torch's signatures)
against torch 2.13's, against analytic Hessians (quadratics, Rosenbrock), and the uses of
double backward that torch programs make: a WGAN-GP gradient penalty, a MAML inner step and a
Hessian-vector product of a network's loss.

Everything is exact (reverse mode, double backward), so the tolerances are round-off: rtol
1e-10 against torch, 1e-12 of the largest entry against closed forms.
"""
import numpy as np
import pytest
import torch

import nnscratch as ns
from nnscratch.autograd.functional import hessian, hvp, jacobian, jvp, value_and_grad, vhp, vjp

TAF = torch.autograd.functional


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


def _close(a, b, rtol=1e-10):
    a = a.numpy() if hasattr(a, "numpy") else np.asarray(a)
    b = b.detach().numpy() if hasattr(b, "detach") else np.asarray(b)
    np.testing.assert_allclose(a, b, rtol=rtol, atol=1e-13 * (1 + np.abs(b).max(initial=0)))


def test_hessian_of_a_quadratic_is_its_matrix():
    f, A, b = _quadratic(12, 0)
    x = np.random.default_rng(1).standard_normal(12)
    H = hessian(f, x).numpy()
    assert np.max(np.abs(H - A)) <= 1e-12 * np.max(np.abs(A))
    np.testing.assert_allclose(grad(f, x), A @ x + b, rtol=1e-13, atol=1e-13)


def test_hessian_of_rosenbrock_matches_the_hand_derivation():
    x = np.random.default_rng(2).standard_normal(6)
    H, exact = hessian(_rosen, x).numpy(), _rosen_hess(x)
    assert np.max(np.abs(H - exact)) <= 1e-12 * np.max(np.abs(exact))


@pytest.mark.parametrize("fn", [_rosen, _smooth], ids=["rosenbrock", "tanh-logsumexp"])
def test_grad_hessian_hvp_vhp_match_torch(fn):
    gen = np.random.default_rng(3)
    x, v = gen.standard_normal(4), gen.standard_normal(4)
    xt, vt = torch.tensor(x), torch.tensor(v)
    f_ours, g_ours = value_and_grad(fn, x)
    assert f_ours == pytest.approx(fn(xt).item(), rel=1e-14)
    _close(g_ours, torch.func.grad(fn)(xt))
    _close(grad(fn, x), torch.func.grad(fn)(xt))
    _close(hessian(fn, x), TAF.hessian(fn, xt))
    _close(hvp(fn, x, v)[1], TAF.hvp(fn, xt, vt)[1])
    _close(vhp(fn, x, v)[1], TAF.vhp(fn, xt, vt)[1])


def _two(lib):
    """f(W, b) = Σ tanh(W x + b)² - sum of b: two inputs of different shapes."""
    xv = (lib.tensor if lib is torch else ns.tensor)(np.array([0.5, -1.0, 2.0]))

    def f(W, b):
        h = (W @ xv + b).tanh()
        return (h * h).sum() - b.sum() * 0.3
    return f


def _inputs(lib):
    gen = np.random.default_rng(5)
    mk = torch.tensor if lib is torch else ns.tensor
    return mk(gen.standard_normal((2, 3))), mk(gen.standard_normal(2))


@pytest.mark.parametrize("create_graph", [False, True])
def test_tuple_inputs_every_function_matches_torch(create_graph):
    f, ft = _two(ns), _two(torch)
    xs, xts = _inputs(ns), _inputs(torch)
    gen = np.random.default_rng(6)
    v = tuple(ns.tensor(gen.standard_normal(tuple(t.shape))) for t in xs)
    vt = tuple(torch.tensor(t.numpy()) for t in v)
    H, Ht = hessian(f, xs, create_graph=create_graph), TAF.hessian(ft, xts)
    for i in range(2):
        for j in range(2):
            assert tuple(H[i][j].shape) == tuple(Ht[i][j].shape)
            _close(H[i][j], Ht[i][j])
    for ours, theirs in ((hvp, TAF.hvp), (vhp, TAF.vhp)):
        (o, r), (ot, rt) = ours(f, xs, v, create_graph=create_graph), theirs(ft, xts, vt)
        _close(o, ot)
        for a, b in zip(r, rt):
            _close(a, b)

    def g(W, b):           # a vector-valued function with a tuple output
        return (b.tanh() @ W).sin(), W.sum(1) * b
    J, Jt = jacobian(g, xs, create_graph=create_graph), TAF.jacobian(
        lambda W, b: ((b.tanh() @ W).sin(), W.sum(1) * b), xts)
    for i in range(2):
        for j in range(2):
            _close(J[i][j], Jt[i][j])
    u = ns.tensor(gen.standard_normal(2))
    (o, r), (_, rt) = vjp(lambda W, b: W.sum(1) * b.exp(), xs, u), TAF.vjp(
        lambda W, b: W.sum(1) * b.exp(), xts, torch.tensor(u.numpy()))
    for a, b in zip(r, rt):
        _close(a, b)
    (o, r), (_, rt) = jvp(lambda W, b: W.sum(1) * b.exp(), xs, v), TAF.jvp(
        lambda W, b: W.sum(1) * b.exp(), xts, vt)
    _close(r, rt)


def test_create_graph_results_can_be_differentiated_again():
    x = ns.tensor([0.3, -0.7, 1.1], dtype=np.float64, requires_grad=True)
    xt = torch.tensor(x.numpy(), requires_grad=True)
    H = hessian(lambda t: (t.sin() * t.exp()).sum(), x, create_graph=True)
    Ht = TAF.hessian(lambda t: (t.sin() * t.exp()).sum(), xt, create_graph=True)
    assert H.requires_grad and not hessian(lambda t: (t ** 3).sum(), x).requires_grad
    (d3,) = ns.autograd.grad(H.sum(), x)
    (d3t,) = torch.autograd.grad(Ht.sum(), xt)
    _close(d3, d3t)      # a third derivative


def test_results_keep_the_inputs_dtype():
    x = ns.tensor([1.0, 2.0])                      # float32, the default dtype
    assert x.dtype == np.float32
    g = vjp(lambda t: (t ** 3).sum(), x)[1]
    assert g.dtype == np.float32
    np.testing.assert_allclose(g.numpy(), [3.0, 12.0])
    H = hessian(lambda t: (t ** 3).sum(), x)
    assert H.dtype == np.float32
    np.testing.assert_allclose(H.numpy(), [[6.0, 0.0], [0.0, 12.0]])
    np.testing.assert_allclose(hvp(lambda t: (t ** 3).sum(), x, ns.tensor([1.0, 0.0]))[1]
                               .numpy(), [6.0, 0.0])


def test_strict_mode_and_independent_outputs_as_torch():
    x = ns.tensor([1.0, 2.0], dtype=np.float64)
    # not strict: zeros, as torch
    np.testing.assert_array_equal(grad(lambda t: ns.tensor(1.0), x).numpy(), [0.0, 0.0])
    np.testing.assert_array_equal(hvp(lambda t: t.sum(), x, ns.tensor([1.0, 1.0]))[1].numpy(),
                                  [0.0, 0.0])
    for fn, args in ((vjp, (lambda t: ns.tensor(1.0),)),
                     (hessian, (lambda t: t.sum(),)),
                     (jacobian, (lambda t: ns.tensor([1.0, 2.0]),))):
        with pytest.raises(RuntimeError, match="independent of input 0"):
            fn(*args, x, strict=True)
    with pytest.raises(RuntimeError, match="independent"):
        torch.autograd.functional.hessian(lambda t: t.sum(), torch.tensor([1.0, 2.0]),
                                          strict=True)


def test_bad_input():
    with pytest.raises(RuntimeError, match=r"v can only be None if the output is a single"):
        grad(lambda t: t * 2, ns.tensor([1.0, 2.0]))
    with pytest.raises(TypeError, match=r"hessian: the outputs must be a Tensor"):
        hessian(lambda t: 1.0, ns.tensor([1.0, 2.0]))
    with pytest.raises(RuntimeError, match="should return a single Tensor with a single"):
        hessian(lambda t: t * 2, ns.tensor([1.0, 2.0]))
    with pytest.raises(RuntimeError, match=r"entry 0 of v has shape \(3,\), the input's shape "
                                           r"\(2,\)"):
        hvp(_rosen, ns.tensor([1.0, 2.0]), ns.tensor([1.0, 2.0, 3.0]))
    with pytest.raises(TypeError, match="the inputs must be a Tensor"):
        grad(_rosen, "abc")
    with pytest.raises(ValueError, match="strategy must be"):
        jacobian(_rosen, ns.tensor([1.0, 2.0]), strategy="sideways")


# ----------------------------------------------------------- what torch programs use it for
def _mlp_params(lib, seed=0):
    gen = np.random.default_rng(seed)
    mk = (lambda a: torch.tensor(a, requires_grad=True)) if lib is torch else \
        (lambda a: ns.tensor(a, requires_grad=True))
    return [mk(gen.standard_normal(s) * 0.5) for s in ((4, 3), (4,), (1, 4), (1,))]


def _mlp(lib, params, x):
    F = torch.nn.functional if lib is torch else ns.nn.functional
    w1, b1, w2, b2 = params
    return F.linear(F.tanh(F.linear(x, w1, b1)), w2, b2)


def _data(lib, seed=1):
    gen = np.random.default_rng(seed)
    mk = torch.tensor if lib is torch else ns.tensor
    return mk(gen.standard_normal((5, 3))), mk(gen.standard_normal((5, 1)))


def test_wgan_gp_gradient_penalty_matches_torch():
    """λ (‖∇_x̂ D(x̂)‖ - 1)² at interpolates x̂ (Gulrajani et al. 2017): its gradient with
    respect to the critic's weights needs the mixed second derivative."""
    out = {}
    for lib in (ns, torch):
        params = _mlp_params(lib)
        real, fake = _data(lib)[0], _data(lib, 2)[0]
        eps = (torch.tensor if lib is torch else ns.tensor)(np.linspace(0.1, 0.9, 5)[:, None])
        xhat = eps * real + (1 - eps) * fake
        xhat.requires_grad_(True)
        d = _mlp(lib, params, xhat)
        (g,) = lib.autograd.grad(d.sum(), xhat, create_graph=True)
        penalty = 10 * ((g * g).sum(1).sqrt() - 1).pow(2).mean() if lib is torch else \
            10 * (((g * g).sum(1).sqrt() - 1) ** 2).mean()
        loss = _mlp(lib, params, fake).mean() - _mlp(lib, params, real).mean() + penalty
        loss.backward()
        out[lib.__name__] = [float(penalty.item())] + [p.grad for p in params]
    ours, theirs = out["nnscratch"], out["torch"]
    assert ours[0] == pytest.approx(theirs[0], rel=1e-10)
    for a, b in zip(ours[1:], theirs[1:]):
        _close(a, b)


def test_maml_inner_step_meta_gradient_matches_torch():
    """θ' = θ - α ∇L_train(θ) with create_graph, then ∇_θ L_val(θ'): the meta-gradient runs
    through the inner gradient step (Finn et al. 2017)."""
    out = {}
    for lib in (ns, torch):
        params = _mlp_params(lib)
        (xtr, ytr), (xva, yva) = _data(lib, 3), _data(lib, 4)
        inner = ((_mlp(lib, params, xtr) - ytr) ** 2).mean()
        grads = lib.autograd.grad(inner, params, create_graph=True)
        fast = [p - 0.1 * g for p, g in zip(params, grads)]
        outer = ((_mlp(lib, fast, xva) - yva) ** 2).mean()
        out[lib.__name__] = lib.autograd.grad(outer, params)
    for a, b in zip(out["nnscratch"], out["torch"]):
        _close(a, b)


def test_hessian_vector_product_of_a_network_loss_matches_torch():
    """H v for the loss of a small network, by double backward (Pearlmutter 1994), both as
    autograd.grad of ⟨∇L, v⟩ and as autograd.functional.hvp on the flat parameters."""
    gen = np.random.default_rng(7)
    vs = [gen.standard_normal(s) for s in ((4, 3), (4,), (1, 4), (1,))]
    out = {}
    for lib in (ns, torch):
        params = _mlp_params(lib)
        x, y = _data(lib)
        loss = lib.nn.functional.mse_loss(_mlp(lib, params, x), y)
        grads = lib.autograd.grad(loss, params, create_graph=True)
        mk = torch.tensor if lib is torch else ns.tensor
        dot = sum((g * mk(v)).sum() for g, v in zip(grads, vs))
        out[lib.__name__] = lib.autograd.grad(dot, params)
    for a, b in zip(out["nnscratch"], out["torch"]):
        _close(a, b)
    flat = np.concatenate([p.detach().numpy().ravel() for p in _mlp_params(torch)])
    v = np.concatenate([a.ravel() for a in vs])

    def loss_of(lib):
        def f(theta):
            sizes, shapes, k = [12, 4, 4, 1], [(4, 3), (4,), (1, 4), (1,)], 0
            ps = []
            for n, s in zip(sizes, shapes):
                ps.append(theta[k:k + n].reshape(s))
                k += n
            x, y = _data(lib)
            return lib.nn.functional.mse_loss(_mlp(lib, ps, x), y)
        return f
    ours = hvp(loss_of(ns), ns.tensor(flat), ns.tensor(v))[1]
    theirs = TAF.hvp(loss_of(torch), torch.tensor(flat), torch.tensor(v))[1]
    _close(ours, theirs)
