"""Overhead of ``nnscratch.optimize.minimize`` per iteration: L-BFGS on 100-dimensional convex
quadratics ½ xᵀAx - bᵀx (condition number 1e3), against SciPy's L-BFGS-B (Fortran) and
torch.optim.LBFGS (strong Wolfe).

nnscratch and SciPy get the same NumPy ``fun``/``jac`` callables, so the time difference is the
minimiser's own bookkeeping (two-loop recursion, line search, path recording); PyTorch computes
its gradient by autograd, as it must.  Each run solves 20 right-hand sides to gtol 1e-8 and
reports iterations, evaluations and microseconds per iteration (the number to compare, since
the three line searches take slightly different iteration counts).  No target: NumPy-level
Python against compiled Fortran is reported, not aimed at.

Every run is single-threaded (BLAS via threadpoolctl, torch.set_num_threads(1)): products of
a 100 x 100 matrix are too small for threads, and handing them to a second BLAS thread on a
busy machine made SciPy's L-BFGS-B 50x slower in our measurements, which would only measure
the machine's load.
"""
import time

import numpy as np

from ._threads import one_blas_thread

TITLE = "minimize: L-BFGS on 20 convex quadratics in 100 dimensions (cond 1e3), gtol 1e-8"
TARGET = None
ROUNDS = 5
N, SOLVES, GTOL, MEMORY = 100, 20, 1e-8, 10


def setup():
    g = np.random.default_rng(0)
    Q, _ = np.linalg.qr(g.standard_normal((N, N)))
    A = (Q * np.geomspace(1.0, 1e3, N)) @ Q.T
    A = 0.5 * (A + A.T)
    B = g.standard_normal((SOLVES, N))
    return A, B


def _solve_all(A, B, solve):
    """Minimise ½xᵀAx - bᵀx for every row b of B with ``solve(b) -> (x, nit, nfev)``; report
    the summed iterations and evaluations, µs per iteration and the worst relative error
    against the exact minimiser A⁻¹b."""
    t0, nits, nfevs, errors = time.perf_counter(), [], [], []
    for b in B:
        x, nit, nfev = solve(b)
        x_star = np.linalg.solve(A, b)
        nits.append(nit)
        nfevs.append(nfev)
        errors.append(np.linalg.norm(x - x_star) / np.linalg.norm(x_star))
    seconds = time.perf_counter() - t0
    return {"iterations": int(np.sum(nits)), "fevals": int(np.sum(nfevs)),
            "us_per_iter": 1e6 * seconds / max(1, int(np.sum(nits))),
            "max_rel_error": float(np.max(errors))}


def run_nnscratch(data):
    from nnscratch.optimize import minimize
    A, B = data

    def solve(b):
        res = minimize(lambda x: 0.5 * x @ A @ x - b @ x, np.zeros(N), "l-bfgs",
                       jac=lambda x: A @ x - b, gtol=GTOL, options={"m": MEMORY})
        return res.x, res.nit, res.nfev
    with one_blas_thread():
        return _solve_all(A, B, solve)


def run_scipy(data):
    import scipy.optimize as so
    A, B = data

    def solve(b):
        res = so.minimize(lambda x: 0.5 * x @ A @ x - b @ x, np.zeros(N), method="L-BFGS-B",
                          jac=lambda x: A @ x - b,
                          options={"gtol": GTOL, "ftol": 1e-15, "maxcor": MEMORY,
                                   "maxiter": 15000})
        return res.x, res.nit, res.nfev
    with one_blas_thread():
        return _solve_all(A, B, solve)


def run_torch(data):
    import torch
    torch.set_num_threads(1)
    A, B = data
    At = torch.from_numpy(A)

    def solve(b):
        bt = torch.from_numpy(b)
        x = torch.zeros(N, dtype=torch.float64, requires_grad=True)
        opt = torch.optim.LBFGS([x], lr=1, max_iter=15000, max_eval=30000, history_size=MEMORY,
                                tolerance_grad=GTOL, tolerance_change=0.0,
                                line_search_fn="strong_wolfe")

        def closure():
            opt.zero_grad()
            loss = 0.5 * x @ (At @ x) - bt @ x
            loss.backward()
            return loss
        opt.step(closure)
        state = opt.state[x]
        return x.detach().numpy(), state["n_iter"], state["func_evals"]
    with one_blas_thread():
        return _solve_all(A, B, solve)
