"""L-BFGS (Nocedal & Wright 2006, Algorithm 7.4 two-loop recursion; Algorithms 3.5-3.6 for the
strong-Wolfe line search), with torch.optim.LBFGS's algorithm, defaults and stopping rules."""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..autograd import enable_grad, no_grad
from ..tensor import as_tensor
from .optimizer import Optimizer, Settings


def _cubic_min(x1, f1, g1, x2, f2, g2, bounds=None):
    """Minimiser of the cubic through (x1, f1, f'=g1) and (x2, f2, f'=g2), clipped to
    ``bounds`` (default the interval); the midpoint when the cubic has no minimum (N&W 3.59)."""
    lo, hi = bounds if bounds is not None else (min(x1, x2), max(x1, x2))
    d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
    disc = d1 * d1 - g1 * g2
    if disc < 0:
        return (lo + hi) / 2.0
    d2 = math.sqrt(disc)
    if x1 <= x2:
        x = x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
    else:
        x = x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2))
    return min(max(x, lo), hi)


def _strong_wolfe(evaluate, t, d, f, g, gtd, c1=1e-4, c2=0.9, tolerance_change=1e-9,
                  max_ls=25):
    """Step ``t`` along ``d`` satisfying the strong Wolfe conditions
    ``f(t) <= f + c1 t gtd`` and ``|f'(t)| <= c2 |gtd|``: bracket by growing steps (cubic
    extrapolation within ``[t + 0.01 (t - t_prev), 10 t]``), then zoom by cubic interpolation
    kept ``0.1·width`` away from the ends.  ``evaluate(t) -> (f, g)`` at ``x + t d``.
    Returns ``(f, g, t, evaluations)``."""
    d_norm = np.abs(d).max()
    f_new, g_new = evaluate(t)
    evals, it = 1, 0
    gtd_new = float(g_new @ d)
    t_prev, f_prev, g_prev, gtd_prev = 0.0, f, g, gtd
    done = False
    bracket = None
    while it < max_ls:
        if f_new > f + c1 * t * gtd or (it > 1 and f_new >= f_prev):
            bracket = [[t_prev, f_prev, g_prev, gtd_prev], [t, f_new, g_new, gtd_new]]
            break
        if abs(gtd_new) <= -c2 * gtd:
            bracket, done = [[t, f_new, g_new, gtd_new]], True
            break
        if gtd_new >= 0:
            bracket = [[t_prev, f_prev, g_prev, gtd_prev], [t, f_new, g_new, gtd_new]]
            break
        t_next = _cubic_min(t_prev, f_prev, gtd_prev, t, f_new, gtd_new,
                            bounds=(t + 0.01 * (t - t_prev), t * 10))
        t_prev, f_prev, g_prev, gtd_prev = t, f_new, g_new, gtd_new
        t = t_next
        f_new, g_new = evaluate(t)
        evals += 1
        gtd_new = float(g_new @ d)
        it += 1
    if it == max_ls:
        bracket = [[0.0, f, g, None], [t, f_new, g_new, None]]
    low, high = (0, 1) if bracket[0][1] <= bracket[-1][1] else (1, 0)
    insufficient = False
    while not done and it < max_ls:
        (a, fa, _, ga), (b, fb, _, gb) = bracket
        if abs(b - a) * d_norm < tolerance_change:
            break
        t = _cubic_min(a, fa, ga, b, fb, gb)
        top, bottom = max(a, b), min(a, b)
        eps = 0.1 * (top - bottom)
        if min(top - t, t - bottom) < eps:
            # too close to an end: accept once, move eps inside the second time (or if outside)
            if insufficient or t >= top or t <= bottom:
                t = top - eps if abs(t - top) < abs(t - bottom) else bottom + eps
                insufficient = False
            else:
                insufficient = True
        else:
            insufficient = False
        f_new, g_new = evaluate(t)
        evals += 1
        gtd_new = float(g_new @ d)
        it += 1
        if f_new > f + c1 * t * gtd or f_new >= bracket[low][1]:
            bracket[high] = [t, f_new, g_new, gtd_new]
            low, high = (0, 1) if bracket[0][1] <= bracket[1][1] else (1, 0)
        else:
            if abs(gtd_new) <= -c2 * gtd:
                done = True
            elif gtd_new * (bracket[high][0] - bracket[low][0]) >= 0:
                bracket[high] = list(bracket[low])
            bracket[low] = [t, f_new, g_new, gtd_new]
    t, f_new, g_new, _ = bracket[low]
    return f_new, g_new, t, evals


def _two_loop(g, old_y, old_s, ro, H_diag) -> np.ndarray:
    """The direction ``-H g`` by the two-loop recursion over the stored pairs ``(s, y)``,
    ``ro = 1 / (y·s)``, with ``H_0 = H_diag I`` (Nocedal & Wright, Algorithm 7.4)."""
    q = -g
    al = [0.0] * len(old_y)
    for i in range(len(old_y) - 1, -1, -1):
        al[i] = float(old_s[i] @ q) * ro[i]
        q = q - al[i] * old_y[i]
    d = q * H_diag
    for i in range(len(old_y)):
        be = float(old_y[i] @ d) * ro[i]
        d = d + (al[i] - be) * old_s[i]
    return d

@dataclass(kw_only=True, slots=True)
class LBFGSSettings(Settings):
    """What :meth:`LBFGS.step` reads from its one parameter group."""

    max_iter: int
    max_eval: int
    tolerance_grad: float
    tolerance_change: float
    history_size: int
    line_search_fn: str | None


class LBFGS(Optimizer):
    """Limited-memory BFGS over all parameters as one flat vector; matches torch.optim.LBFGS.

    ``step(closure)`` runs up to ``max_iter`` iterations (``max_eval`` closure calls, default
    ``max_iter · 5 // 4``).  Each iteration: the direction ``d = -H g`` from the two-loop
    recursion over the last ``history_size`` pairs ``s = t d``, ``y = g_new - g`` (kept when
    ``y·s > 1e-10``) with ``H_0 = (y·s / y·y) I``; the step ``t = lr`` (the very first
    ``min(1, 1/|g|_1)·lr``), or the strong-Wolfe line search with
    ``line_search_fn="strong_wolfe"``.  It stops when ``max|g| <= tolerance_grad``, the
    step or the loss change is below ``tolerance_change``, or the budgets run out; the state
    (direction, history) carries over to the next ``step``.  Without the line search the last
    iteration does not re-evaluate the closure, as torch.

    ``closure()`` re-evaluates the model: zero the gradients, compute the loss, call
    ``backward()`` and return the loss.  One parameter group only (as torch).
    Defaults: lr=1, max_iter=20, tolerance_grad=1e-7, tolerance_change=1e-9,
    history_size=100, line_search_fn=None.
    """

    Settings = LBFGSSettings

    def __init__(self, params, lr: float = 1, max_iter: int = 20, max_eval=None,
                 tolerance_grad: float = 1e-7, tolerance_change: float = 1e-9,
                 history_size: int = 100, line_search_fn=None):
        if line_search_fn not in (None, "strong_wolfe"):
            raise ValueError(f"LBFGS: line_search_fn must be None or 'strong_wolfe', got "
                             f"{line_search_fn!r}")
        for name, v in (("max_iter", max_iter), ("history_size", history_size)):
            if isinstance(v, bool) or not isinstance(v, int) or v < 1:
                raise ValueError(f"LBFGS: {name} must be an int >= 1, got {v!r}")
        if max_eval is None:
            max_eval = max_iter * 5 // 4
        super().__init__(params, dict(lr=lr, max_iter=max_iter, max_eval=max_eval,
                                      tolerance_grad=tolerance_grad,
                                      tolerance_change=tolerance_change,
                                      history_size=history_size,
                                      line_search_fn=line_search_fn))
        if len(self.param_groups) != 1:
            raise ValueError("LBFGS doesn't support per-parameter options (parameter groups)")
        self._params = self.param_groups[0]["params"]

    # ------------------------------------------------------------------ flat views
    def _flat_grad(self) -> np.ndarray:
        return np.concatenate([np.zeros(p.numel(), p.dtype) if p.grad is None
                               else np.asarray(p.grad).reshape(-1) for p in self._params])

    def _flat_params(self) -> np.ndarray:
        return np.concatenate([p.numpy().reshape(-1) for p in self._params])

    def _set_flat(self, x: np.ndarray) -> None:
        offset = 0
        with no_grad():
            for p in self._params:
                n = p.numel()
                p.copy_(as_tensor(x[offset:offset + n].reshape(p.shape).astype(p.dtype)))
                offset += n

    def _evaluate(self, closure) -> float:
        with enable_grad():
            return float(closure())

    def step(self, closure):
        """Run the iterations of one ``step``; returns the closure's first loss."""
        if not callable(closure):
            raise TypeError("LBFGS.step: needs a closure that re-evaluates the model and "
                            "returns the loss")
        h = self.Settings.of(self.param_groups[0])
        lr, max_iter, max_eval = h.lr, h.max_iter, h.max_eval
        tol_grad, tol_change = h.tolerance_grad, h.tolerance_change
        state = self.state.setdefault(self._params[0], {})
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)

        with enable_grad():
            orig_loss = closure()
        loss = float(orig_loss)
        evals = 1
        state["func_evals"] += 1
        g = self._flat_grad()
        if np.abs(g).max() <= tol_grad:
            return orig_loss
        d, t = state.get("d"), state.get("t")
        old_y, old_s, ro = state.get("old_dirs"), state.get("old_stps"), state.get("ro")
        H_diag, prev_g = state.get("H_diag"), state.get("prev_flat_grad")
        prev_loss = state.get("prev_loss")
        x = self._flat_params()
        n_iter = 0
        while n_iter < max_iter:
            n_iter += 1
            state["n_iter"] += 1
            if state["n_iter"] == 1:
                d, old_y, old_s, ro, H_diag = -g, [], [], [], 1.0
            else:
                y, s = g - prev_g, d * t
                ys = float(y @ s)
                if ys > 1e-10:                     # curvature condition: keep the pair
                    if len(old_y) == h.history_size:
                        old_y.pop(0), old_s.pop(0), ro.pop(0)
                    old_y.append(y), old_s.append(s), ro.append(1.0 / ys)
                    H_diag = ys / float(y @ y)
                d = _two_loop(g, old_y, old_s, ro, H_diag)
            prev_g, prev_loss = g.copy(), loss
            t = min(1.0, 1.0 / float(np.abs(g).sum())) * lr if state["n_iter"] == 1 else lr
            gtd = float(g @ d)
            if gtd > -tol_change:                  # not a descent direction
                break
            used = 0
            if h.line_search_fn == "strong_wolfe":
                def evaluate(step, x0=x, direction=d):
                    self._set_flat(x0 + step * direction)
                    f_t = self._evaluate(closure)
                    g_t = self._flat_grad()
                    self._set_flat(x0)
                    return f_t, g_t
                loss, g, t, used = _strong_wolfe(evaluate, t, d, loss, g, gtd,
                                                 max_ls=max_eval - evals)
                x = x + t * d
                self._set_flat(x)
                converged = np.abs(g).max() <= tol_grad
            else:
                x = x + t * d
                self._set_flat(x)
                converged = False
                if n_iter != max_iter:
                    loss = self._evaluate(closure)
                    g = self._flat_grad()
                    converged = np.abs(g).max() <= tol_grad
                    used = 1
            evals += used
            state["func_evals"] += used
            if n_iter == max_iter or evals >= max_eval or converged:
                break
            if np.abs(d * t).max() <= tol_change or abs(loss - prev_loss) < tol_change:
                break
        state.update(d=d, t=t, old_dirs=old_y, old_stps=old_s, ro=ro, H_diag=H_diag,
                     prev_flat_grad=prev_g, prev_loss=prev_loss)
        return orig_loss
