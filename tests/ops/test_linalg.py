"""nnscratch.linalg against torch.linalg 2.13 (float64): values, gradients with a random
cotangent, and second derivatives where the VJP is recorded; plus central differences for
the decompositions' gradients.

Eigen- and singular vectors are defined up to sign, and two LAPACK calls may choose
differently, so their tests differentiate sign-free functions of them (U ⊙ U, U diag(d) Vh,
U diag(d) Uᵀ) rather than the vectors themselves."""
import numpy as np
import pytest
import torch

import nnscratch as ns
from nnscratch._unsupported import TorchFeatureError

RTOL = 1e-9     # float64, the same LAPACK algorithms on both sides: agreement to ~1e-12 seen


def _pair(a):
    return (ns.tensor(a, dtype=ns.float64, requires_grad=True),
            torch.tensor(a, dtype=torch.float64, requires_grad=True))


def _grads(f_ns, f_t, *arrays, seed=0):
    """Forward values and the VJP of a random cotangent, for both libraries."""
    pairs = [_pair(a) for a in arrays]
    out_n, out_t = f_ns(*[p[0] for p in pairs]), f_t(*[p[1] for p in pairs])
    np.testing.assert_allclose(out_n.detach().numpy(), out_t.detach().numpy(), rtol=RTOL,
                               atol=1e-10)
    cot = np.random.default_rng(seed).standard_normal(tuple(out_t.shape))
    (out_n * ns.tensor(cot)).sum().backward()
    (out_t * torch.tensor(cot)).sum().backward()
    for (a_n, a_t) in pairs:
        if a_t.grad is None:       # torch's 0-"norm" (a count) has no gradient: ours is zero
            assert a_n.grad is None or not a_n.grad.numpy().any()
            continue
        np.testing.assert_allclose(a_n.grad.numpy(), a_t.grad.numpy(), rtol=1e-7, atol=1e-9)


def _rand(*shape, seed=1):
    return np.random.default_rng(seed).standard_normal(shape)


def _spd(*shape, seed=2):
    a = _rand(*shape, seed=seed)
    return a @ np.swapaxes(a, -1, -2) + shape[-1] * np.eye(shape[-1])


@pytest.mark.parametrize("shape", [(4, 4), (2, 3, 3)])
def test_inv_solve_det_slogdet_match_torch(shape):
    a = _rand(*shape)
    _grads(ns.linalg.inv, torch.linalg.inv, a)
    _grads(ns.linalg.det, torch.linalg.det, a)
    _grads(lambda x: ns.linalg.slogdet(x).logabsdet, lambda x: torch.linalg.slogdet(x)[1], a)
    b = _rand(*shape[:-1], 2, seed=3)
    _grads(ns.linalg.solve, torch.linalg.solve, a, b)
    vec = _rand(*shape[:-1], seed=4)
    _grads(ns.linalg.solve, torch.linalg.solve, a, vec)
    bt = _rand(*shape[:-2], 2, shape[-1], seed=5)
    _grads(lambda x, y: ns.linalg.solve(x, y, left=False),
           lambda x, y: torch.linalg.solve(x, y, left=False), a, bt)
    sign_n = ns.linalg.slogdet(ns.tensor(a)).sign.numpy()
    np.testing.assert_array_equal(sign_n, torch.linalg.slogdet(torch.tensor(a))[0].numpy())


@pytest.mark.parametrize("ord_", [2, 1, 3, 0.5, float("inf"), float("-inf"), 0])
def test_vector_norm_matches_torch(ord_):
    x = _rand(3, 5)
    _grads(lambda t: ns.linalg.vector_norm(t, ord_, dim=1),
           lambda t: torch.linalg.vector_norm(t, ord_, dim=1), x)
    _grads(lambda t: ns.linalg.vector_norm(t, ord_),
           lambda t: torch.linalg.vector_norm(t, ord_), x)


@pytest.mark.parametrize("ord_", ["fro", "nuc", 2, -2, 1, -1, float("inf"), float("-inf")])
def test_matrix_norm_and_norm_match_torch(ord_):
    a = _rand(2, 4, 3)
    _grads(lambda t: ns.linalg.matrix_norm(t, ord_), lambda t: torch.linalg.matrix_norm(t, ord_),
           a)
    _grads(lambda t: ns.linalg.matrix_norm(t, ord_, dim=(0, 2), keepdim=True),
           lambda t: torch.linalg.matrix_norm(t, ord_, dim=(0, 2), keepdim=True), a)
    _grads(lambda t: ns.linalg.norm(t[0], ord_), lambda t: torch.linalg.norm(t[0], ord_), a)


def test_norm_defaults_match_torch():
    a = _rand(2, 3, 4)
    _grads(ns.linalg.norm, torch.linalg.norm, a)
    _grads(lambda t: ns.linalg.norm(t, dim=(1, 2)), lambda t: torch.linalg.norm(t, dim=(1, 2)), a)
    _grads(lambda t: ns.linalg.norm(t, 3, dim=-1), lambda t: torch.linalg.norm(t, 3, dim=-1), a)
    with pytest.raises(RuntimeError, match="1D or 2D"):
        ns.linalg.norm(ns.tensor(a), 2)


@pytest.mark.parametrize("upper", [False, True])
def test_cholesky_matches_torch(upper):
    _grads(lambda t: ns.linalg.cholesky(t, upper=upper),
           lambda t: torch.linalg.cholesky(t, upper=upper), _spd(2, 4, 4))


def test_eigh_matches_torch_on_sign_free_functions():
    a = _spd(2, 4, 4)
    d = ns.tensor(_rand(4, seed=7))
    dt = torch.tensor(_rand(4, seed=7))

    def f_ns(t):
        w, v = ns.linalg.eigh(t)
        return ns.cat([w.reshape(2, -1), (v * v).reshape(2, -1),
                       ((v * d) @ v.mT).reshape(2, -1)], 1)

    def f_t(t):
        w, v = torch.linalg.eigh(t)
        return torch.cat([w.reshape(2, -1), (v * v).reshape(2, -1),
                          ((v * dt) @ v.mT).reshape(2, -1)], 1)
    _grads(f_ns, f_t, a)
    _grads(ns.linalg.eigvalsh, torch.linalg.eigvalsh, a)
    _grads(lambda t: ns.linalg.eigh(t, UPLO="U").eigenvalues,
           lambda t: torch.linalg.eigh(t, UPLO="U").eigenvalues, a)


@pytest.mark.parametrize("shape", [(4, 4), (5, 3), (3, 5), (2, 4, 3)])
@pytest.mark.parametrize("full", [False, True])
def test_svd_matches_torch_on_sign_free_functions(shape, full):
    a = _rand(*shape, seed=8)
    k = min(shape[-2:])
    d, dt = ns.tensor(_rand(k, seed=9)), torch.tensor(_rand(k, seed=9))

    def f(lib, t, dd):
        u, s, vh = (ns.linalg if lib is ns else torch.linalg).svd(t, full_matrices=full)
        u, vh = u[..., :k], vh[..., :k, :]
        parts = [s, u * u, vh * vh, (u * dd) @ vh]
        return (ns if lib is ns else torch).cat([p.reshape(-1) for p in parts])
    _grads(lambda t: f(ns, t, d), lambda t: f(torch, t, dt), a)
    _grads(ns.linalg.svdvals, torch.linalg.svdvals, a)
    u, s, vh = ns.linalg.svd(ns.tensor(a), full_matrices=full)
    np.testing.assert_allclose((u[..., :k] * s.unsqueeze(-2) @ vh[..., :k, :]).numpy(), a,
                               atol=1e-12)
    m, n = shape[-2:]
    assert u.shape[-2:] == ((m, m) if full else (m, k))
    assert vh.shape[-2:] == ((n, n) if full else (k, n))


@pytest.mark.parametrize("name", ["inv", "slogdet", "solve"])
def test_second_derivatives_match_torch(name):
    a = _rand(3, 3, seed=11)
    b = _rand(3, 2, seed=12)
    fns = {"inv": (lambda x: ns.linalg.inv(x).sum() ** 2, lambda x: torch.linalg.inv(x).sum() ** 2),
           "slogdet": (lambda x: ns.linalg.slogdet(x).logabsdet ** 2,
                       lambda x: torch.linalg.slogdet(x)[1] ** 2),
           "solve": (lambda x: (ns.linalg.solve(x, ns.tensor(b)) ** 2).sum(),
                     lambda x: (torch.linalg.solve(x, torch.tensor(b)) ** 2).sum())}
    f_ns, f_t = fns[name]
    x_n, x_t = _pair(a)
    (g_n,) = ns.autograd.grad(f_ns(x_n), [x_n], create_graph=True)
    (g_t,) = torch.autograd.grad(f_t(x_t), [x_t], create_graph=True)
    cot = _rand(3, 3, seed=13)
    (h_n,) = ns.autograd.grad((g_n * ns.tensor(cot)).sum(), [x_n])
    (h_t,) = torch.autograd.grad((g_t * torch.tensor(cot)).sum(), [x_t])
    np.testing.assert_allclose(h_n.numpy(), h_t.numpy(), rtol=1e-7, atol=1e-9)


def test_decomposition_gradients_match_central_differences():
    """Independent of torch: the eigh/svd/cholesky VJPs against central differences of a
    sign-free scalar (symmetric perturbations for the symmetric inputs)."""
    rng = np.random.default_rng(14)
    a, s = rng.standard_normal((4, 3)), _spd(3, 3, seed=15)
    w1, w2, w3 = rng.standard_normal((4, 3)), rng.standard_normal((3, 3)), rng.standard_normal(3)

    def loss_svd(x):
        u, sv, vh = ns.linalg.svd(x, full_matrices=False)
        return ((u * ns.tensor(w3)) @ vh * ns.tensor(w1)).sum() + (sv * ns.tensor(w3)).sum()

    def loss_eigh(x):
        w, v = ns.linalg.eigh(x)
        return ((v * v) * ns.tensor(w2)).sum() + (w * ns.tensor(w3)).sum()

    def loss_chol(x):
        return (ns.linalg.cholesky(x) * ns.tensor(w2)).sum()

    for loss, x0, sym in ((loss_svd, a, False), (loss_eigh, s, True), (loss_chol, s, True)):
        x = ns.tensor(x0, requires_grad=True)
        loss(x).backward()
        d = rng.standard_normal(x0.shape)
        if sym:
            d = (d + d.T) / 2
        h = 1e-6
        fd = (loss(ns.tensor(x0 + h * d)).item() - loss(ns.tensor(x0 - h * d)).item()) / (2 * h)
        assert abs(float((x.grad.numpy() * d).sum()) - fd) < 1e-6 * max(1.0, abs(fd)), loss


def test_bad_input_is_refused_as_torch_refuses_it():
    with pytest.raises(RuntimeError, match="square"):
        ns.linalg.inv(ns.ones(2, 3))
    with pytest.raises(RuntimeError, match="singular"):
        ns.linalg.inv(ns.zeros(3, 3))
    with pytest.raises(RuntimeError, match="positive-definite"):
        ns.linalg.cholesky(-ns.eye(3))
    with pytest.raises(RuntimeError, match="floating point"):
        ns.linalg.inv(ns.tensor([[1, 2], [3, 4]]))
    with pytest.raises(RuntimeError, match="NaN"):
        ns.linalg.svd(ns.tensor([[float("nan"), 1.0], [0.0, 1.0]]))
    with pytest.raises(RuntimeError, match="Incompatible"):
        ns.linalg.solve(ns.eye(3), ns.ones(2, 1))
    with pytest.raises(RuntimeError, match="not supported"):
        ns.linalg.matrix_norm(ns.eye(3), "bogus")


def test_torch_top_level_matrix_functions_match_torch():
    a, spd = _rand(3, 3, seed=16), _spd(3, 3, seed=17)
    neg = -spd                                        # det < 0: logdet is NaN, as in torch
    _grads(ns.inverse, torch.inverse, a)
    _grads(ns.logdet, torch.logdet, spd)
    assert np.isnan(ns.logdet(ns.tensor(neg)).item()) and np.isnan(torch.logdet(
        torch.tensor(neg)).item())
    _grads(lambda t: ns.slogdet(t)[1], lambda t: torch.slogdet(t)[1], a)
    _grads(lambda t: t.cholesky(upper=True), lambda t: torch.linalg.cholesky(t, upper=True),
           spd)
    _grads(lambda t: t.matrix_power(-2), lambda t: t.matrix_power(-2), a)
    rect = _rand(5, 3, seed=18)
    for some in (True, False):
        u, s, v = ns.svd(ns.tensor(rect), some=some)
        ut, st, vt = torch.svd(torch.tensor(rect), some=some)
        assert (u.shape, v.shape) == (tuple(ut.shape), tuple(vt.shape))
        np.testing.assert_allclose(s.numpy(), st.numpy(), rtol=RTOL)
        np.testing.assert_allclose((u[:, :3] * s) @ v[:, :3].mT.numpy(), rect, atol=1e-12)
    u, s, v = ns.tensor(rect).svd(compute_uv=False)
    assert u.shape == (5, 5) and v.shape == (3, 3) and not u.numpy().any()


def test_the_names_torch_linalg_shares_match_torch():
    a, b, c = _rand(2, 3, 3, seed=19), _rand(2, 3, 3, seed=20), _rand(3, 2, seed=21)
    _grads(ns.linalg.matmul, torch.linalg.matmul, a, b)
    _grads(ns.linalg.cross, torch.linalg.cross, a, b)
    _grads(lambda t: ns.linalg.diagonal(t, offset=1), lambda t: torch.linalg.diagonal(t, offset=1),
           a)
    _grads(ns.linalg.vecdot, torch.linalg.vecdot, a, b)
    _grads(lambda x, y: ns.linalg.multi_dot([x[0], y[0], c]),
           lambda x, y: torch.linalg.multi_dot([x[0], y[0], torch.tensor(c)]), a, b)
    _grads(lambda t: ns.linalg.matrix_power(t, -3), lambda t: torch.linalg.matrix_power(t, -3),
           a)
    with pytest.raises(TorchFeatureError, match="torch.linalg.eig"):
        ns.linalg.eig(ns.eye(3))
    with pytest.raises(AttributeError):
        ns.linalg.no_such_name


@pytest.mark.parametrize("shape", [(5, 3), (3, 3), (3, 5), (2, 4, 3)])
def test_qr_matches_torch(shape):
    a = _rand(*shape, seed=22)
    for mode in ("reduced", "complete"):
        if mode == "complete" and shape[-2] > shape[-1]:
            q, r = ns.linalg.qr(ns.tensor(a), mode=mode)
            qt, rt = torch.linalg.qr(torch.tensor(a), mode=mode)
            np.testing.assert_allclose(q.numpy(), qt.numpy(), atol=1e-12)
            continue
        _grads(lambda t: ns.cat([p.reshape(-1) for p in ns.linalg.qr(t, mode=mode)]),
               lambda t: torch.cat([p.reshape(-1) for p in torch.linalg.qr(t, mode=mode)]), a)
    r = ns.linalg.qr(ns.tensor(a), mode="r").R
    np.testing.assert_allclose(r.numpy(), torch.linalg.qr(torch.tensor(a), mode="r").R.numpy(),
                               atol=1e-12)


@pytest.mark.parametrize("shape", [(5, 3), (3, 5), (2, 3, 3)])
def test_pinv_rank_lstsq_match_torch(shape):
    a = _rand(*shape, seed=23)
    _grads(ns.linalg.pinv, torch.linalg.pinv, a)
    low = a[..., :, :1] @ a[..., :1, :]                     # rank 1
    for m in (a, low):
        np.testing.assert_array_equal(ns.linalg.matrix_rank(ns.tensor(m)).numpy(),
                                      torch.linalg.matrix_rank(torch.tensor(m)).numpy())
    np.testing.assert_allclose(ns.linalg.pinv(ns.tensor(low)).numpy(),
                               torch.linalg.pinv(torch.tensor(low)).numpy(), atol=1e-10)
    b = _rand(*shape[:-1], 2, seed=24)
    _grads(lambda x, y: ns.linalg.lstsq(x, y).solution,
           lambda x, y: torch.linalg.lstsq(x, y).solution, a, b)
    got, want = ns.linalg.lstsq(ns.tensor(a), ns.tensor(b)), torch.linalg.lstsq(
        torch.tensor(a), torch.tensor(b))
    assert [tuple(x.shape) for x in got] == [tuple(x.shape) for x in want]
    np.testing.assert_array_equal(got.rank.numpy(), want.rank.numpy())



# (name, nnscratch fn, torch fn, input shape): every primitive of nnscratch.linalg through a
# function whose value is sign-free (eigenvectors and singular vectors are not unique)
SECOND_ORDER = [
    ("inv", ns.linalg.inv, torch.linalg.inv, (3, 3)),
    ("solve", lambda x: ns.linalg.solve(x, x[..., :1] + 1.0),
     lambda x: torch.linalg.solve(x, x[..., :1] + 1.0), (3, 3)),
    ("slogdet", lambda x: ns.linalg.slogdet(x).logabsdet,
     lambda x: torch.linalg.slogdet(x).logabsdet, (3, 3)),
    ("cholesky", lambda x: ns.linalg.cholesky(x @ x.mT + 3 * ns.eye(3, dtype=ns.float64)),
     lambda x: torch.linalg.cholesky(x @ x.mT + 3 * torch.eye(3, dtype=torch.float64)), (3, 3)),
    ("eigh", lambda x: ns.linalg.eigvalsh(x + x.mT), lambda x: torch.linalg.eigvalsh(x + x.mT),
     (3, 3)),
    ("eigh_vectors", lambda x: ns.linalg.eigh(x + x.mT).eigenvectors ** 2,
     lambda x: torch.linalg.eigh(x + x.mT).eigenvectors ** 2, (3, 3)),
    ("svd", lambda x: (lambda u, s, vh: (u * s) @ vh)(*ns.linalg.svd(x, full_matrices=False)),
     lambda x: (lambda u, s, vh: (u * s) @ vh)(*torch.linalg.svd(x, full_matrices=False)),
     (4, 3)),
    ("svdvals", ns.linalg.svdvals, torch.linalg.svdvals, (4, 3)),
    ("qr", lambda x: ns.linalg.qr(x).R, lambda x: torch.linalg.qr(x).R, (4, 3)),
    ("pinv", ns.linalg.pinv, torch.linalg.pinv, (4, 3)),
    ("vector_norm", lambda x: ns.linalg.vector_norm(x, 3, dim=1),
     lambda x: torch.linalg.vector_norm(x, 3, dim=1), (4, 3)),
    ("matrix_norm_nuc", lambda x: ns.linalg.matrix_norm(x, "nuc"),
     lambda x: torch.linalg.matrix_norm(x, "nuc"), (4, 3)),
]


@pytest.mark.parametrize("name,f_ns,f_t,shape", SECOND_ORDER, ids=[c[0] for c in SECOND_ORDER])
def test_gradcheck_with_a_random_cotangent_and_second_derivatives_as_torch(name, f_ns, f_t,
                                                                            shape):
    x0 = _rand(*shape, seed=31) + np.eye(*shape)        # well conditioned, distinct values
    assert ns.gradcheck(f_ns, [ns.tensor(x0, requires_grad=True)], atol=1e-6, rtol=1e-5)
    x, xt = _pair(x0)
    (g,) = ns.autograd.grad((f_ns(x) ** 2).sum(), [x], create_graph=True)
    (gt,) = torch.autograd.grad((f_t(xt) ** 2).sum(), [xt], create_graph=True)
    cot = _rand(*shape, seed=32)
    (h,) = ns.autograd.grad((g * ns.tensor(cot)).sum(), [x])
    (ht,) = torch.autograd.grad((gt * torch.tensor(cot)).sum(), [xt])
    np.testing.assert_allclose(h.numpy(), ht.numpy(), rtol=1e-7, atol=1e-9)
