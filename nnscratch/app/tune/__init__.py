"""``nnscratch.app.tune``: hyper-parameter search on Ray Tune, or on a local process pool.

    result = ns.app.tune.search(train_fn, {"lr": ns.app.tune.loguniform(1e-4, 1e-1),
                                       "hidden": [32, 64]},
                            num_samples=8, metric="val_loss", mode="min")
    result.best_config, result.best_result

The configurations are drawn here, from ``seed`` (the same ones on any backend), and trial i
runs ``train_fn(config)`` (or ``train_fn(config, data)``) after ``ns.manual_seed(seed + i)``
with one BLAS thread, so a search gives the same results on Ray Tune as on the local pool.
``train_fn`` returns a dict of metrics (or one number: the ``metric``).

Backends: ``"ray"`` runs the trials as a Ray Tune experiment (the running Ray session, or a
local one with ``workers`` CPUs, or the cluster at ``address``: ``pip install
'nnscratch[ray]'``); ``"local"`` a process pool of ``workers``; ``"auto"`` (default) Ray
when it is installed.  ``data`` reaches the trials through Ray's object store, whose arrays
are read-only; the local pool hands them over read-only too, so a ``train_fn`` that works on
one works on the other (``ns.fit`` copies the rows it trains on and accepts them).
"""
from __future__ import annotations

import dataclasses
import itertools
import math
import numbers
import os
import sys
import tempfile

import numpy as np

from .ray_session import RayUnavailable, import_ray, ray_session

__all__ = ["search", "SearchResult", "Trial", "choice", "uniform", "loguniform", "randint",
           "grid_search", "RayUnavailable"]


# ----------------------------------------------------------------------------- search space

@dataclasses.dataclass(frozen=True)
class _Domain:
    kind: str
    args: tuple

    def sample(self, rng: np.random.Generator):
        if self.kind == "choice":
            return self.args[int(rng.integers(len(self.args)))]
        lo, hi = self.args
        if self.kind == "uniform":
            return float(rng.uniform(lo, hi))
        if self.kind == "loguniform":
            return float(math.exp(rng.uniform(math.log(lo), math.log(hi))))
        return int(rng.integers(lo, hi))           # randint: [lo, hi)


def choice(values) -> _Domain:
    """One of ``values``, uniformly (a plain list in the space means the same)."""
    values = tuple(values)
    if not values:
        raise ValueError("tune.choice: values must not be empty")
    return _Domain("choice", values)


def _interval(kind, lo, hi, positive=False):
    for name, v in (("lower", lo), ("upper", hi)):
        if isinstance(v, bool) or not isinstance(v, numbers.Real) or not math.isfinite(v):
            raise TypeError(f"tune.{kind}: {name} must be a finite number, got {v!r}")
    if not lo < hi or (positive and lo <= 0):
        raise ValueError(f"tune.{kind}: need {'0 < ' if positive else ''}lower < upper, got "
                         f"lower={lo}, upper={hi}")
    return _Domain(kind, (lo, hi))


def uniform(lower: float, upper: float) -> _Domain:
    """A float uniform in ``[lower, upper)``."""
    return _interval("uniform", lower, upper)


def loguniform(lower: float, upper: float) -> _Domain:
    """A float whose log is uniform in ``[log lower, log upper)`` (learning rates)."""
    return _interval("loguniform", lower, upper, positive=True)


def randint(lower: int, upper: int) -> _Domain:
    """An int in ``[lower, upper)``."""
    return _interval("randint", lower, upper)


@dataclasses.dataclass(frozen=True)
class grid_search:
    """Every one of ``values``: the search runs the product of the grids, each point
    ``num_samples`` times (Ray Tune's ``grid_search``)."""
    values: tuple

    def __init__(self, values):
        object.__setattr__(self, "values", tuple(values))
        if not self.values:
            raise ValueError("tune.grid_search: values must not be empty")


def configurations(space: dict, num_samples: int, seed: int) -> list[dict]:
    """The trials' configurations, drawn from ``seed``: the product of the grids, each point
    repeated ``num_samples`` times with the other entries sampled."""
    if not isinstance(space, dict) or not space:
        raise TypeError(f"tune.search: space must be a non-empty dict name -> values, got "
                        f"{space!r}")
    rng = np.random.default_rng(seed)
    grids = {k: v.values for k, v in space.items() if isinstance(v, grid_search)}
    configs = []
    for point in itertools.product(*grids.values()):
        for _ in range(num_samples):
            cfg = {}
            for k, v in space.items():
                if k in grids:
                    cfg[k] = point[list(grids).index(k)]
                elif isinstance(v, _Domain):
                    cfg[k] = v.sample(rng)
                elif isinstance(v, (list, tuple)):
                    cfg[k] = choice(v).sample(rng)
                else:
                    cfg[k] = v
            configs.append(cfg)
    return configs


# ----------------------------------------------------------------------------- results

@dataclasses.dataclass
class Trial:
    """One trial: its index, configuration, seed and the metrics ``train_fn`` returned."""
    index: int
    config: dict
    seed: int
    metrics: dict


@dataclasses.dataclass
class SearchResult:
    """The trials in order, and the best one by ``metric`` (``mode`` "min" or "max"; ties go
    to the earlier trial)."""
    trials: list
    metric: str
    mode: str
    backend: str

    @property
    def best_trial(self) -> Trial:
        sign = 1.0 if self.mode == "min" else -1.0

        def key(t):
            v = float(t.metrics[self.metric])
            return (math.isnan(v), sign * v, t.index)     # NaN never wins
        return min(self.trials, key=key)

    @property
    def best_config(self) -> dict:
        return self.best_trial.config

    @property
    def best_result(self) -> dict:
        return self.best_trial.metrics


# ----------------------------------------------------------------------------- one trial

def _readonly(data):
    if isinstance(data, np.ndarray):
        v = data.view()
        v.flags.writeable = False
        return v
    if isinstance(data, dict):
        return {k: _readonly(v) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return type(data)(_readonly(v) for v in data)
    return data


def run_trial(train_fn, config: dict, seed: int, data, metric: str) -> dict:
    """Seed the library, limit BLAS to one thread, run ``train_fn``; its metrics as a dict."""
    from ... import random as nsrandom
    from ..experiments.runner import _blas_threads
    data = _readonly(data)   # as Ray's object store hands them over, on every backend
    with _blas_threads(1):
        nsrandom.manual_seed(seed)
        out = train_fn(dict(config)) if data is None else train_fn(dict(config), data)
    if isinstance(out, numbers.Real) and not isinstance(out, bool):
        out = {metric: float(out)}
    if not isinstance(out, dict) or metric not in out:
        raise ValueError(f"tune.search: train_fn must return a dict of metrics containing "
                         f"{metric!r} (or one number), got {out!r}")
    return {k: (float(v) if isinstance(v, numbers.Real) and not isinstance(v, bool) else v)
            for k, v in out.items()}


def _pool_init():
    for v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[v] = "1"


def _search_local(train_fn, configs, seeds, data, metric, workers):
    import concurrent.futures as cf
    import multiprocessing as mp
    method = "fork" if "fork" in mp.get_all_start_methods() else "spawn"
    with cf.ProcessPoolExecutor(max_workers=min(workers, len(configs)),
                                mp_context=mp.get_context(method),
                                initializer=_pool_init) as pool:
        futures = [pool.submit(run_trial, train_fn, c, s, data, metric)
                   for c, s in zip(configs, seeds)]
        return [f.result() for f in futures]


def _ray_trial(config, train_fn=None, configs=None, seeds=None, data=None, metric=None):
    i = config["nnscratch_trial"]
    out = run_trial(train_fn, configs[i], seeds[i], data, metric)
    return {"nnscratch_trial": i, "nnscratch_metrics": out, metric: out[metric]}


def _search_ray(train_fn, configs, seeds, data, metric, mode, workers, address):
    with ray_session(address, workers, {v: "1" for v in ("OMP_NUM_THREADS",
                                                         "OPENBLAS_NUM_THREADS",
                                                         "MKL_NUM_THREADS")},
                     owner="tune.search") as ray:
        from ray import tune
        mod = sys.modules.get(getattr(train_fn, "__module__", ""), None)
        if mod is not None and not mod.__name__.startswith("nnscratch") \
                and mod.__name__ != "__main__":
            # a script's or test's module may not be importable on the workers: ship it
            ray.cloudpickle.register_pickle_by_value(mod)
        trainable = tune.with_resources(
            tune.with_parameters(_ray_trial, train_fn=train_fn, configs=configs, seeds=seeds,
                                 data=data, metric=metric), {"cpu": 1})
        with tempfile.TemporaryDirectory(prefix="nnscratch-tune-") as storage:
            tuner = tune.Tuner(
                trainable,
                param_space={"nnscratch_trial": tune.grid_search(list(range(len(configs))))},
                tune_config=tune.TuneConfig(metric=metric, mode=mode, reuse_actors=True,
                                            max_concurrent_trials=workers),
                run_config=tune.RunConfig(storage_path=storage, name="search", verbose=0))
            grid = tuner.fit()
            results = [None] * len(configs)
            for r in grid:
                if r.error is not None:
                    raise RuntimeError(f"tune.search: a trial failed on Ray: {r.error}")
                results[r.metrics["nnscratch_trial"]] = dict(r.metrics["nnscratch_metrics"])
    return results


def search(train_fn, space: dict, num_samples: int = 1, metric: str = "loss",
           mode: str = "min", *, seed: int = 0, backend: str = "auto", workers=None,
           address=None, data=None) -> SearchResult:
    """Run ``train_fn`` on configurations drawn from ``space``; return every trial and the best.

    Args:
        train_fn: ``train_fn(config) -> dict`` of metrics (or a number), or
            ``train_fn(config, data)`` when ``data`` is given; a module-level function.
        space: name -> a list (one of), ``choice``/``uniform``/``loguniform``/``randint``,
            ``grid_search(values)``, or a constant.
        num_samples: trials per grid point (positive int).
        metric, mode: the metric to rank by, and "min" or "max".
        seed: draws the configurations; trial i also runs under ``ns.manual_seed(seed + i)``.
        backend: "auto" (Ray Tune if installed), "ray" or "local".
        workers: parallel trials (default: the CPU count).
        address: a Ray cluster ("host:port"); None for a local Ray.
        data: passed to every trial (through Ray's object store: read-only arrays).
    Raises:
        RayUnavailable: backend "ray" without Ray installed, or ``address`` not reachable.
    """
    if not callable(train_fn):
        raise TypeError(f"tune.search: train_fn must be callable, got {type(train_fn).__name__}")
    if isinstance(num_samples, bool) or not isinstance(num_samples, int) or num_samples < 1:
        raise ValueError(f"tune.search: num_samples must be a positive int, got "
                         f"{num_samples!r}")
    if mode not in ("min", "max"):
        raise ValueError(f"tune.search: mode must be 'min' or 'max', got {mode!r}")
    if not isinstance(metric, str):
        raise TypeError(f"tune.search: metric must be a string, got {type(metric).__name__}")
    if backend not in ("auto", "ray", "local"):
        raise ValueError(f"tune.search: backend must be 'auto', 'ray' or 'local', got "
                         f"{backend!r}")
    workers = (os.cpu_count() or 1) if workers is None else workers
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ValueError(f"tune.search: workers must be a positive int, got {workers!r}")
    configs = configurations(space, num_samples, seed)
    seeds = [seed + i for i in range(len(configs))]
    if backend == "auto":
        try:
            import_ray("tune.search")
            backend = "ray"
        except RayUnavailable:
            backend = "local"
    if backend == "ray":
        metrics = _search_ray(train_fn, configs, seeds, data, metric, mode, workers, address)
    else:
        metrics = _search_local(train_fn, configs, seeds, data, metric, workers)
    trials = [Trial(i, c, s, m) for i, (c, s, m) in enumerate(zip(configs, seeds, metrics))]
    return SearchResult(trials, metric, mode, backend)
