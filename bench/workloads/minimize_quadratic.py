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


def _summary(t0, nits, nfevs, errors):
    seconds = time.perf_counter() - t0
    return {"iterations": int(np.sum(nits)), "fevals": int(np.sum(nfevs)),
            "us_per_iter": 1e6 * seconds / max(1, int(np.sum(nits))),
            "max_rel_error": float(np.max(errors))}


def _one_thread():
    from threadpoolctl import threadpool_limits
    return threadpool_limits(1)


def run_nnscratch(data):
    from nnscratch.optimize import minimize
    with _one_thread():
        return _run_nnscratch(minimize, *data)


def _run_nnscratch(minimize, A, B):
    t0, nits, nfevs, errs = time.perf_counter(), [], [], []
    for b in B:
        res = minimize(lambda x: 0.5 * x @ A @ x - b @ x, np.zeros(N), "l-bfgs",
                       jac=lambda x: A @ x - b, gtol=GTOL, options={"m": MEMORY})
        x_star = np.linalg.solve(A, b)
        nits.append(res.nit)
        nfevs.append(res.nfev)
        errs.append(np.linalg.norm(res.x - x_star) / np.linalg.norm(x_star))
    return _summary(t0, nits, nfevs, errs)


def run_scipy(data):
    import scipy.optimize as so
    with _one_thread():
        return _run_scipy(so, *data)


def _run_scipy(so, A, B):
    t0, nits, nfevs, errs = time.perf_counter(), [], [], []
    for b in B:
        res = so.minimize(lambda x: 0.5 * x @ A @ x - b @ x, np.zeros(N), method="L-BFGS-B",
                          jac=lambda x: A @ x - b,
                          options={"gtol": GTOL, "ftol": 1e-15, "maxcor": MEMORY,
                                   "maxiter": 15000})
        x_star = np.linalg.solve(A, b)
        nits.append(res.nit)
        nfevs.append(res.nfev)
        errs.append(np.linalg.norm(res.x - x_star) / np.linalg.norm(x_star))
    return _summary(t0, nits, nfevs, errs)


def run_torch(data):
    import torch
    torch.set_num_threads(1)
    with _one_thread():
        return _run_torch(torch, *data)


def _run_torch(torch, A, B):
    At = torch.from_numpy(A)
    t0, nits, nfevs, errs = time.perf_counter(), [], [], []
    for b in B:
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
        x_star = np.linalg.solve(A, b)
        nits.append(state["n_iter"])
        nfevs.append(state["func_evals"])
        errs.append(np.linalg.norm(x.detach().numpy() - x_star) / np.linalg.norm(x_star))
    return _summary(t0, nits, nfevs, errs)
