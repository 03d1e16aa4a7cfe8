"""``torch.linalg``'s core, differentiable: norms, inverse, solve, determinants, Cholesky,
symmetric eigendecomposition, SVD, QR, pseudo-inverse and least squares.

Every function takes batches of matrices in the last two axes (``(*, m, n)``), as torch does.
The forward passes are NumPy's LAPACK calls; the VJPs are the standard matrix-calculus results
(Giles 2008, "An extended collection of matrix derivative results"; Townsend 2016 for the SVD;
the same formulas as torch's ``FunctionsManual.cpp``), written array-polymorphic so that
``create_graph=True`` records them (inverse, solve and the log-determinant twice-differentiable
this way).  With ``X⁻ᵀ = (X⁻¹)ᵀ`` and ``ḡ`` the cotangent of an output:

* ``inv``:       Y = A⁻¹,            Ā = −Yᵀ ḡ Yᵀ
* ``solve``:     X = A⁻¹B,           B̄ = A⁻ᵀ ḡ,  Ā = −B̄ Xᵀ
* ``slogdet``:   (s, log|det A|),    Ā = ḡ · A⁻ᵀ
* ``cholesky``:  A = LLᵀ,            Ā = ½(S + Sᵀ), S = L⁻ᵀ Φ(Lᵀḡ) L⁻¹ (Φ: the lower triangle,
  its diagonal halved)
* ``eigh``:      A = U diag(λ) Uᵀ,   Ā = U (diag(λ̄) + skew(Uᵀ Ū) ⊘ E) Uᵀ, E_ij = λ_j − λ_i,
  skew(M) = (M − Mᵀ)/2 (eigenvectors are unit and orthogonal, so only skew(UᵀŪ) moves them)
* ``svd``:       A = U diag(S) Vh,   see :func:`_svd_vjp` (reduced factors; the columns a full
  factorisation adds are arbitrary and get no gradient, as in torch)
* ``qr``:        A = QR,             Ā = [Q̄ + Q copyltu(M)] R⁻ᵀ, M = R R̄ᵀ − Q̄ᵀQ (m ≥ n; a
  wide A splits as [X Y] = Q[U V], see :func:`_qr_vjp`)
* ``pinv``, ``lstsq``: composites through ``svd`` (V diag(1/σ) Uᵀ over the kept σ)

Real (float32/float64) matrices only; the gradients of ``eigh`` and ``svd`` are unbounded at
repeated eigen-/singular values, as torch's are.
"""
from __future__ import annotations

from collections import namedtuple
from typing import Any

import numpy as np

from ._checks import tensor_arg
from .autograd import defvjp, primitive
from .autograd.core import TensorBase as Tensor
from .autograd.lifted import lifted
from .ops.determinant import det
from .ops.reduce import norm as _pnorm

__all__ = ["vector_norm", "matrix_norm", "norm", "det", "slogdet", "inv", "solve", "cholesky",
           "eigh", "eigvalsh", "svd", "svdvals", "matmul", "cross", "diagonal", "vecdot",
           "multi_dot", "matrix_power", "qr", "pinv", "matrix_rank", "lstsq"]
# torch.linalg's other names: asked for, they raise TorchFeatureError (not a bare AttributeError)
_NOT_PROVIDED = ("LinAlgError", "cholesky_ex", "cond", "eig", "eigvals", "householder_product",
                 "inv_ex", "ldl_factor", "ldl_factor_ex", "ldl_solve", "lu", "lu_factor",
                 "lu_factor_ex", "lu_solve", "matrix_exp", "solve_ex", "solve_triangular",
                 "tensorinv", "tensorsolve", "vander")

SlogdetResult = namedtuple("SlogdetResult", ["sign", "logabsdet"])
EighResult = namedtuple("EighResult", ["eigenvalues", "eigenvectors"])
SVDResult = namedtuple("SVDResult", ["U", "S", "Vh"])
QRResult = namedtuple("QRResult", ["Q", "R"])
LstsqResult = namedtuple("LstsqResult", ["solution", "residuals", "rank", "singular_values"])


def as_tensor(a, name="A", owner="linalg"):
    """A Tensor argument (an ndarray is wrapped without a copy); anything else is torch's
    TypeError naming it."""
    return tensor_arg(a, name, owner)


def _mT(a):
    return np.swapaxes(a, -1, -2)


def _square(a, owner):
    a = as_tensor(a, "A", f"linalg.{owner}")
    if a.ndim < 2 or a.shape[-1] != a.shape[-2]:
        raise RuntimeError(f"linalg.{owner}: A must be batches of square matrices, but they are "
                           f"{tuple(a.shape[-2:]) if a.ndim >= 2 else tuple(a.shape)} matrices")
    if a.dtype.kind != "f":
        raise RuntimeError(f"linalg.{owner}: Expected a floating point tensor as input. Got "
                           f"{a.dtype}")
    return a


def _lapack(call, message):
    """``call()``, with NumPy's LinAlgError turned into torch's RuntimeError ``message``."""
    try:
        return call()
    except np.linalg.LinAlgError:
        raise RuntimeError(message) from None


def _finite(a, owner):
    if not np.isfinite(a).all():
        raise RuntimeError(f"linalg.{owner}: the input contains NaN or infinity")


# ------------------------------------------------------------------ norms (composites)
def vector_norm(x, ord=2, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """``(Σ |x_i|^ord)^(1/ord)`` over ``dim`` (every entry if None), as
    ``torch.linalg.vector_norm``; ``ord`` ∈ {inf, −inf, 0, any other real}.  Built from
    recorded ops, so it differentiates to any order."""
    x = as_tensor(x, "x", "linalg.vector_norm")
    if dtype is not None:
        x = x.to(dtype)
    if isinstance(ord, bool) or not isinstance(ord, (int, float)):
        raise TypeError(f"linalg.vector_norm: ord must be a number, got {ord!r}")
    if ord == float("-inf"):
        return x.abs().amin(dim=dim, keepdim=keepdim)
    return _pnorm(x, ord, dim, keepdim)            # Tensor.norm's op: 2, 1, 0, inf, any p


def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim: bool = False) -> Tensor:
    """A matrix norm over the two axes ``dim``, as ``torch.linalg.matrix_norm``: ``"fro"``,
    ``"nuc"`` (Σ singular values), ``inf``/``-inf`` (max/min row sum of |A|), ``1``/``-1``
    (max/min column sum), ``2``/``-2`` (largest/smallest singular value)."""
    A = as_tensor(A, "A", "linalg.matrix_norm")
    if A.ndim < 2:
        raise RuntimeError(f"linalg.matrix_norm: The input tensor A must have at least 2 "
                           f"dimensions, got {A.ndim}")
    d0, d1 = (d % A.ndim for d in dim)
    if ord == "fro":
        return _pnorm(A, 2, (d0, d1), keepdim)
    if ord in ("nuc", 2, -2):
        s: Any = svdvals(A.movedim((d0, d1), (-2, -1)))
        out = s.sum(-1) if ord == "nuc" else s.amax(-1) if ord == 2 else s.amin(-1)
        if keepdim:
            out = out.unsqueeze(min(d0, d1)).unsqueeze(max(d0, d1))
        return out
    if ord in (1, -1, float("inf"), float("-inf")):
        over, across = (d0, d1) if ord in (1, -1) else (d1, d0)
        sums = A.abs().sum(dim=over, keepdim=True)
        out = sums.amax(dim=across, keepdim=True) if ord > 0 else \
            sums.amin(dim=across, keepdim=True)
        return out if keepdim else out.squeeze((d0, d1))
    raise RuntimeError(f"linalg.matrix_norm: Order {ord!r} not supported.")


def norm(A, ord=None, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """``torch.linalg.norm``: a vector norm if ``dim`` is an int (or ``A`` is 1-D), a matrix
    norm if ``dim`` is a pair (or ``A`` is 2-D); with ``ord`` and ``dim`` both None, the
    2-norm of every entry."""
    A = as_tensor(A, "A", "linalg.norm")
    if dtype is not None:
        A = A.to(dtype)
    if isinstance(dim, int):
        dim = (dim,)
    if ord is None:
        if dim is not None and len(dim) == 2:
            return matrix_norm(A, "fro", dim, keepdim)
        return vector_norm(A, 2, dim, keepdim)
    if dim is None:
        if A.ndim not in (1, 2):
            raise RuntimeError(f"linalg.norm: If dim is not specified but ord is, the input "
                               f"must be 1D or 2D. Got {A.ndim}D.")
        dim = tuple(range(A.ndim))
    if len(dim) == 2:
        return matrix_norm(A, ord, dim, keepdim)
    return vector_norm(A, ord, dim, keepdim)


# ------------------------------------------------------------------ inverse and solve
@primitive
def _inv(a):
    return _lapack(lambda: np.linalg.inv(a), "linalg.inv: The diagonal element 1 is zero, the "
                   "inversion could not be completed because the input matrix is singular.")


defvjp(_inv, lambda g, out, a: -(_mT(out) @ g @ _mT(out)), saves=("out",))


def inv(A) -> Tensor:
    """A⁻¹ of batches of square matrices (``torch.linalg.inv``); a singular matrix raises."""
    return _inv(_square(A, "inv"))


@primitive
def _solve(a, b):
    return _lapack(lambda: np.linalg.solve(a, b), "linalg.solve: The solver failed because "
                   "the input matrix is singular.")


def _solve_b(g, out, a, b):
    return lifted(_solve)(_mT(a), g)


def _solve_a(g, out, a, b):
    return -(_solve_b(g, out, a, b) @ _mT(out))


defvjp(_solve, _solve_a, _solve_b, saves=[(0, "out"), (0,)])


def solve(A, B, *, left: bool = True) -> Tensor:
    """X with AX = B (``left``) or XA = B, for batches of square A (``torch.linalg.solve``).
    B of shape ``(*, n)`` (one dimension fewer than A) is a batch of vectors."""
    A, B = _square(A, "solve"), as_tensor(B, "B", "linalg.solve")
    if not left:                      # XA = B  <=>  Aᵀ Xᵀ = Bᵀ
        if B.ndim < 2:
            raise RuntimeError("linalg.solve: Vector broadcasting of the left hand side is "
                               "not supported for left=False")
        X: Any = solve(A.mT, B.mT)
        return X.mT
    vector = B.ndim == A.ndim - 1 or B.ndim == 1
    Bm = B.unsqueeze(-1) if vector else B
    if Bm.shape[-2] != A.shape[-1]:
        raise RuntimeError(f"linalg.solve: Incompatible shapes of A and B for the equation "
                           f"AX = B ({tuple(A.shape[-2:])} and {tuple(Bm.shape[-2:])})")
    X = _solve(A, Bm)
    return X.squeeze(-1) if vector else X


# ------------------------------------------------------------------ determinants
@primitive
def _slogdet_packed(a):
    sign, logabs = np.linalg.slogdet(a)
    return np.stack([sign, logabs], axis=-1)                      # (*, 2)


defvjp(_slogdet_packed,
       lambda g, out, a: (g[..., 1] * 1.0)[..., None, None] * _mT(lifted(_inv)(a)),
       saves=(0,))


def slogdet(A) -> SlogdetResult:
    """(sign, log|det A|) (``torch.linalg.slogdet``); the sign has no gradient."""
    packed = _slogdet_packed(_square(A, "slogdet"))
    return SlogdetResult(packed[..., 0].detach(), packed[..., 1])


# ------------------------------------------------------------------ Cholesky
@primitive
def _cholesky(a):
    return _lapack(lambda: np.linalg.cholesky(a), "linalg.cholesky: The factorization could "
                   "not be completed because the input is not positive-definite.")


def _cholesky_vjp(g, out, a):
    L = out
    phi = np.tril(_mT(L) @ g)
    n = L.shape[-1]
    phi = phi - 0.5 * phi * np.eye(n, dtype=L.dtype)
    # S = L⁻ᵀ Φ L⁻¹, by two triangular solves written as general ones
    s = lifted(_solve)(_mT(L), _mT(lifted(_solve)(_mT(L), _mT(phi))))
    return 0.5 * (s + _mT(s))


defvjp(_cholesky, _cholesky_vjp, saves=("out",))


def cholesky(A, *, upper: bool = False) -> Tensor:
    """The Cholesky factor of symmetric positive-definite matrices (``torch.linalg.cholesky``):
    lower L with A = LLᵀ, or its transpose with ``upper``."""
    L = _cholesky(_square(A, "cholesky"))
    return L.mT if upper else L


# ------------------------------------------------------------------ eigh (packed outputs)
# A decomposition with several outputs is one primitive whose output packs them along the last
# axis; the outputs are slices of it, so the engine gathers their cotangents into one array.
@primitive
def _eigh_packed(a, *, lower):
    w, v = np.linalg.eigh(a, UPLO="L" if lower else "U")
    return np.concatenate([w[..., None, :], v], axis=-2)      # (*, n + 1, n)


def _eigh_vjp(g, out, a, *, lower):
    w, v = out[..., 0, :], out[..., 1:, :]
    gw, gv = g[..., 0, :], g[..., 1:, :]
    m = _mT(v) @ gv
    e = w[..., None, :] - w[..., :, None]                          # E_ij = λ_j − λ_i
    n = w.shape[-1]
    off = 1.0 - np.eye(n, dtype=w.dtype)
    inner = 0.5 * (m - _mT(m)) / (e + np.eye(n, dtype=w.dtype)) * off
    inner = inner + gw[..., None, :] * np.eye(n, dtype=w.dtype)
    return v @ inner @ _mT(v)


defvjp(_eigh_packed, _eigh_vjp, saves=("out",))


def eigh(A, UPLO: str = "L") -> EighResult:
    """Eigenvalues (ascending) and orthonormal eigenvectors (columns) of symmetric matrices
    (``torch.linalg.eigh``); only the ``UPLO`` triangle of A is read."""
    A = _square(A, "eigh")
    if UPLO not in ("L", "U"):
        raise RuntimeError(f"linalg.eigh: UPLO must be 'L' or 'U', got {UPLO!r}")
    _finite(A.detach().numpy(), "eigh")
    packed = _eigh_packed(A, lower=UPLO == "L")
    return EighResult(packed[..., 0, :], packed[..., 1:, :])


def eigvalsh(A, UPLO: str = "L") -> Tensor:
    """The eigenvalues of symmetric matrices, ascending (``torch.linalg.eigvalsh``)."""
    return eigh(A, UPLO).eigenvalues


# ------------------------------------------------------------------ SVD (packed outputs)
@primitive
def _svd_packed(a, *, full):
    u, s, vh = np.linalg.svd(a, full_matrices=full)
    lead = a.shape[:-2]
    return np.concatenate([u.reshape(lead + (-1,)), s, vh.reshape(lead + (-1,))], axis=-1)


def _svd_parts(packed, m, n, full):
    k = min(m, n)
    ku, kv = (m, n) if full else (k, k)
    u = packed[..., :m * ku].reshape(packed.shape[:-1] + (m, ku))
    s = packed[..., m * ku:m * ku + k]
    vh = packed[..., m * ku + k:].reshape(packed.shape[:-1] + (kv, n))
    return u, s, vh


def _svd_vjp(g, out, a, *, full):
    """Ā = U[(skew(UᵀŪ)·S + S·skew(VᵀV̄)) ⊘ E + diag(S̄)]Vh + (I − UUᵀ)ŪS⁻¹Vh
    + US⁻¹V̄ᵀ(I − VVᵀ), skew(M) = M − Mᵀ, E_jk = S_k² − S_j² (1 on the diagonal), over the
    reduced factors (a full factorisation's extra columns carry no gradient)."""
    m, n = a.shape[-2:]
    k = min(m, n)
    u, s, vh = _svd_parts(out, m, n, full)
    gu, gs, gvh = _svd_parts(g, m, n, full)
    u, vh, gu, gvh = u[..., :, :k], vh[..., :k, :], gu[..., :, :k], gvh[..., :k, :]
    v, gv = _mT(vh), _mT(gvh)
    eye = np.eye(k, dtype=s.dtype)
    uhgu, vhgv = _mT(u) @ gu, _mT(v) @ gv
    s2 = s * s
    e = s2[..., None, :] - s2[..., :, None] + eye
    core = ((uhgu - _mT(uhgu)) * s[..., None, :] + s[..., :, None] * (vhgv - _mT(vhgv))) / e
    core = core * (1.0 - eye) + gs[..., None, :] * eye
    ga = u @ core @ vh
    if m > k:
        ga = ga + ((gu - u @ uhgu) / s[..., None, :]) @ vh
    if n > k:
        ga = ga + u @ _mT((gv - v @ vhgv) / s[..., None, :])
    return ga


defvjp(_svd_packed, _svd_vjp, saves=("out",))


def svd(A, full_matrices: bool = True) -> SVDResult:
    """A = U diag(S) Vh with S descending (``torch.linalg.svd``); U ``(*, m, m)`` and Vh
    ``(*, n, n)`` with ``full_matrices``, else ``(*, m, k)`` and ``(*, k, n)``, k = min(m, n)."""
    A = as_tensor(A, "A", "linalg.svd")
    if A.ndim < 2:
        raise RuntimeError(f"linalg.svd: The input tensor A must have at least 2 dimensions, "
                           f"got {A.ndim}")
    if A.dtype.kind != "f":
        raise RuntimeError(f"linalg.svd: Expected a floating point tensor as input. Got "
                           f"{A.dtype}")
    _finite(A.detach().numpy(), "svd")
    m, n = A.shape[-2:]
    return SVDResult(*_svd_parts(_svd_packed(A, full=full_matrices), m, n, full_matrices))


def svdvals(A) -> Tensor:
    """The singular values, descending (``torch.linalg.svdvals``)."""
    return svd(A, full_matrices=False).S


# ------------------------------------------------------------------ QR (packed outputs)
@primitive
def _qr_packed(a, *, mode):
    q, r = np.linalg.qr(a, mode=mode)
    lead = a.shape[:-2]
    return np.concatenate([q.reshape(lead + (-1,)), r.reshape(lead + (-1,))], axis=-1)


def _qr_parts(packed, m, n, mode):
    k = m if mode == "complete" else min(m, n)
    q = packed[..., :m * k].reshape(packed.shape[:-1] + (m, k))
    r = packed[..., m * k:].reshape(packed.shape[:-1] + (k, n))
    return q, r


def _copyltu(m):
    """The symmetric matrix with m's lower triangle (and its diagonal)."""
    low = np.tril(m, -1)
    return low + _mT(low) + m * np.eye(m.shape[-1], dtype=m.dtype)


def _qr_square_vjp(q, r, gq, gr):
    """Ā for A = QR with R square (m ≥ n, reduced): [Ḡ_Q + Q copyltu(M)] R⁻ᵀ,
    M = R R̄ᵀ − Q̄ᵀ Q (Walter and Lehmann 2018; torch's linalg_qr_backward)."""
    m = r @ _mT(gr) - _mT(gq) @ q
    b = gq + q @ _copyltu(m)
    return _mT(lifted(_solve)(r, _mT(b)))


def _qr_vjp(g, out, a, *, mode):
    m, n = a.shape[-2:]
    if mode == "complete" and m > n:
        raise RuntimeError("The QR decomposition is not differentiable when mode='complete' "
                           "and nrows > ncols.")
    q, r = _qr_parts(out, m, n, mode)
    gq, gr = _qr_parts(g, m, n, mode)
    if m >= n:
        return _qr_square_vjp(q, r, gq, gr)
    # wide: A = [X Y] = Q [U V] with U square; Y = QV moves Q's gradient by Y V̄ᵀ
    y, gv = a[..., :, m:], gr[..., :, m:]
    gx = _qr_square_vjp(q, r[..., :, :m], gq + y @ _mT(gv), gr[..., :, :m])
    return np.concatenate([gx, q @ gv], axis=-1)


defvjp(_qr_packed, _qr_vjp)


def qr(A, mode: str = "reduced") -> QRResult:
    """A = QR with Q orthonormal columns and R upper triangular (``torch.linalg.qr``):
    ``"reduced"`` Q ``(*, m, k)``, R ``(*, k, n)``, k = min(m, n); ``"complete"`` Q
    ``(*, m, m)``; ``"r"`` R only (Q empty, and no gradient, as in torch)."""
    A = as_tensor(A, "A", "linalg.qr")
    if A.ndim < 2 or A.dtype.kind != "f":
        raise RuntimeError(f"linalg.qr: The input tensor A must have at least 2 dimensions "
                           f"and a floating point dtype, got {A.ndim} dimensions of {A.dtype}")
    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError(f"qr received unrecognized mode '{mode}' but expected one of "
                           f"'reduced' (default), 'r', or 'complete'")
    m, n = A.shape[-2:]
    if mode == "r":
        r = np.linalg.qr(A.detach().numpy(), mode="reduced")[1]      # R alone, as mode "r"
        return QRResult(Tensor._wrap(np.zeros((0,), r.dtype)), Tensor._wrap(r))
    return QRResult(*_qr_parts(_qr_packed(A, mode=mode), m, n, mode))


# ------------------------------------------------------------------ pinv, rank, least squares
def _tolerance(s, m, n, atol, rtol):
    """torch's cut-off for "zero" singular values: max(atol, rtol · σ_max), rtol by default
    max(m, n) · ε when atol is not given (else 0)."""
    eps = np.finfo(s.dtype).eps
    if rtol is None:
        rtol = max(m, n) * eps if atol is None or atol == 0 else 0.0
    smax = s.max(axis=-1, keepdims=True) if s.shape[-1] else np.zeros(s.shape[:-1] + (1,))
    return np.maximum(0.0 if atol is None else atol, rtol * smax)


def pinv(A, *, atol=None, rtol=None, hermitian: bool = False) -> Tensor:
    """The Moore-Penrose pseudo-inverse V diag(1/σ) Uᵀ over the singular values above
    max(atol, rtol · σ_max) (``torch.linalg.pinv``); differentiable through :func:`svd`
    where the kept singular values are distinct."""
    A = as_tensor(A, "A", "linalg.pinv")
    u, s, vh = svd(A, full_matrices=False)
    m, n = A.shape[-2:]
    sv = s.detach().numpy()
    keep = (sv > _tolerance(sv, m, n, atol, rtol)).astype(sv.dtype)
    inv_s = Tensor._wrap(keep) / (s + Tensor._wrap(1.0 - keep))   # 1/σ kept, 0 dropped
    return (vh.mT * inv_s.unsqueeze(-2)) @ u.mT


def matrix_rank(A, *, atol=None, rtol=None, hermitian: bool = False) -> Tensor:
    """The number of singular values above max(atol, rtol · σ_max), int64
    (``torch.linalg.matrix_rank``)."""
    A = as_tensor(A, "A", "linalg.matrix_rank")
    s = np.linalg.svd(A.detach().numpy(), compute_uv=False)
    m, n = A.shape[-2:]
    return Tensor._wrap((s > _tolerance(s, m, n, atol, rtol)).sum(-1).astype(np.int64))


def lstsq(A, B, rcond=None, *, driver=None) -> LstsqResult:
    """The least-squares solution of AX ≈ B (``torch.linalg.lstsq``, its CPU default
    ``gelsy``): the solution (the minimum-norm one, differentiable: pinv(A) B) and the rank;
    the residuals and singular values are empty, as ``gelsy`` computes neither."""
    A, B = as_tensor(A, "A", "linalg.lstsq"), as_tensor(B, "B", "linalg.lstsq")
    if driver not in (None, "gelsy"):
        raise RuntimeError(f"linalg.lstsq: only the default driver 'gelsy' is provided, "
                           f"got {driver!r}")
    vector = B.ndim == A.ndim - 1
    Bm = B.unsqueeze(-1) if vector else B
    if Bm.shape[-2] != A.shape[-2]:
        raise RuntimeError(f"linalg.lstsq: input.size(-2) should match other.size(-2), got "
                           f"{A.shape[-2]} and {Bm.shape[-2]}")
    rank = matrix_rank(A, rtol=rcond)
    X: Any = pinv(A, rtol=rcond) @ Bm
    empty = Tensor._wrap(np.zeros((0,), A.detach().numpy().dtype))
    return LstsqResult(X.squeeze(-1) if vector else X, empty, rank, empty)


# ------------------------------------------------------------------ the names torch.linalg shares
def matmul(A, B) -> Tensor:
    """``torch.linalg.matmul`` = ``A @ B``."""
    return as_tensor(A, "A", "linalg.matmul") @ as_tensor(B, "B", "linalg.matmul")


def cross(x, y, *, dim: int = -1) -> Tensor:
    """``torch.linalg.cross``: the cross product of 3-vectors along ``dim``."""
    return as_tensor(x, "x", "linalg.cross").cross(as_tensor(y, "y", "linalg.cross"), dim=dim)


def diagonal(A, *, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:
    """``torch.linalg.diagonal``: ``torch.diagonal`` with the last two axes by default."""
    return as_tensor(A, "A", "linalg.diagonal").diagonal(offset, dim1, dim2)


def vecdot(x, y, *, dim: int = -1) -> Tensor:
    """``torch.linalg.vecdot``: Σ x·y along ``dim`` (real inputs), broadcast."""
    return (as_tensor(x, "x", "linalg.vecdot") * as_tensor(y, "y", "linalg.vecdot")).sum(dim)


def multi_dot(tensors) -> Tensor:
    """``torch.linalg.multi_dot``: the chained product, left to right; a 1-D first (last)
    factor is a row (column) vector, as in torch."""
    ts = [as_tensor(t, "tensors", "linalg.multi_dot") for t in tensors]
    if len(ts) < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {len(ts)}")
    out = ts[0]
    for t in ts[1:]:
        out = out @ t
    return out


def matrix_power(A, n: int) -> Tensor:
    """``torch.linalg.matrix_power``: A^n, n < 0 through the inverse."""
    return as_tensor(A, "A", "linalg.matrix_power").matrix_power(n)


def __getattr__(name):
    if name in _NOT_PROVIDED:
        from ._unsupported import TorchFeatureError
        raise TorchFeatureError(f"torch.linalg.{name} is a torch feature that nnscratch does "
                                f"not implement (docs/torch-compat.md lists what it provides)")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
