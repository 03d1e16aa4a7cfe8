"""Run experiments and write their run records: the one place the CLI and the report get them.

:func:`discover` imports every experiment module (a broken module is reported, not fatal);
:func:`run_experiment` runs one experiment and writes its *run record*, ``OUT/NAME/metrics.json``;
:func:`run_many` runs a list of them (one BLAS thread by default) and returns their records,
one after the other or, with ``workers=N``, N at a time in a local process pool or as tasks on a
Ray cluster (``ray_address``): the records are the same, only ``seconds`` differs.

A run record (all JSON)::

    name, source (the experiment's chapter), summary, seed, quick, epochs, seconds,
    status      "pass" | "fail" | "needs the full run" | "error"  (see Result.status)
    metrics     name -> value
    expected    key -> {metric, op, value, note, source, status}  (key: the metric's name, or
                another name when a second claim is made on that metric)
                source: "text: 000 §4.4" | "paper: Greydanus 2020" | "ours"
                status: "pass" | "fail" | "needs the full run"
    headline, figures (paths relative to OUT), tables, text, error (a traceback or None)
"""
from __future__ import annotations

import contextlib
import importlib
import json
import math
import os
import pathlib
import sys
import time
import traceback

import numpy as np

from . import registry
from .registry import Config, Result

__all__ = ["discover", "run_experiment", "run_many", "import_error_record", "run_parallel"]


def _forget(reg: dict, module: str) -> None:
    for name in [n for n, e in reg.items() if getattr(e.fn, "__module__", "") == module]:
        del reg[name]


def discover() -> tuple[dict, dict]:
    """``(registry, import_errors)``: every experiment that imports, and for each experiment
    module that does not, its traceback (one broken module must not hide the others)."""
    errors = {}
    try:
        registry.load_all()
    except Exception:
        for name in registry.experiment_modules():
            full = f"{registry.__package__}.{name}"
            if full in sys.modules:
                continue
            # a module that failed halfway may have registered some experiments: drop them so
            # the retry shows the module's own error (not "registered twice"), and drop them
            # again if it fails: the module is reported as one failed entry instead
            _forget(registry.REGISTRY, full)
            try:
                importlib.import_module(full)
            except Exception:
                errors[name] = traceback.format_exc()
                _forget(registry.REGISTRY, full)
    return registry.REGISTRY, errors


def _jsonable(v):
    if isinstance(v, dict):
        return {str(k): _jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_jsonable(x) for x in v]
    if isinstance(v, np.ndarray):
        return _jsonable(v.tolist())
    if isinstance(v, (np.bool_, bool)):
        return bool(v)
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, (np.floating, float)):
        v = float(v)
        return v if math.isfinite(v) else str(v)  # JSON has no NaN/inf
    if isinstance(v, (int, str)) or v is None:
        return v
    if isinstance(v, os.PathLike):
        return os.fspath(v)
    return str(v)


def _write_json(path: pathlib.Path, obj) -> None:
    from ...serialization import atomic_write_text
    atomic_write_text(path, json.dumps(_jsonable(obj), indent=1))


def _rel(p, root: pathlib.Path) -> str:
    p = pathlib.Path(p)
    try:
        return str(p.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(p)


def run_experiment(exp, out_root: pathlib.Path, seed: int, quick: bool,
                   epochs: int | None) -> dict:
    """Run one experiment (seeding the library first), catch any exception, write
    ``out_root/NAME/metrics.json`` and return the record.  Figure paths in the record are
    relative to ``out_root``."""
    from ... import random as nsrandom
    out = out_root / exp.name
    out.mkdir(parents=True, exist_ok=True)
    rec = {"name": exp.name, "source": exp.source, "summary": exp.summary, "seed": seed,
           "quick": quick, "epochs": epochs, "status": "error", "metrics": {},
           "expected": {}, "headline": None, "figures": [], "tables": {}, "text": {},
           "error": None}
    t0 = time.perf_counter()
    try:
        nsrandom.manual_seed(seed)
        res = exp(Config(seed=seed, quick=quick, epochs=epochs, out=out))
        if not isinstance(res, Result):
            raise TypeError(f"experiment {exp.name!r} returned {type(res).__name__}, "
                            f"expected a Result")
        checks = res.checks
        rec.update(
            status=res.status, metrics=res.metrics, headline=res.headline,
            expected={k: {"metric": e.metric or k, "op": e.op, "value": e.value,
                          "note": e.note, "source": e.source, "status": checks[k]}
                      for k, e in res.expected.items()},
            figures=[_rel(f, out_root) for f in res.figures], tables=res.tables,
            text=res.text)
        missing = [e.metric or k for k, e in res.expected.items()
                   if (e.metric or k) not in res.metrics]
        if missing:
            raise ValueError(f"expected values for metrics that were not reported: {missing}")
        if not res.figures:
            raise ValueError("the experiment wrote no figure")
    except Exception:
        rec["status"] = "error"
        rec["error"] = traceback.format_exc()
    finally:
        if "matplotlib.pyplot" in sys.modules:
            sys.modules["matplotlib.pyplot"].close("all")
    rec["seconds"] = time.perf_counter() - t0
    rec = _jsonable(rec)
    _write_json(out / "metrics.json", rec)
    return rec


def import_error_record(module: str, tb: str) -> dict:
    """The run record of an experiment module that failed to import."""
    return {"name": f"module:{module}", "source": f"nnscratch/app/experiments/{module}.py",
            "summary": "this experiment module failed to import", "status": "error",
            "metrics": {}, "expected": {}, "figures": [], "tables": {}, "text": {},
            "error": tb, "seconds": 0.0, "seed": None, "quick": None}


def _blas_threads(n):
    """Limit NumPy's BLAS to ``n`` threads while the experiments run.

    The textbook models multiply small matrices, where a second BLAS thread buys little and,
    on a busy machine, costs a lot: measured here, a 2-D VAE on MNIST took 99 s with two
    OpenBLAS threads beside another process and 16 s with one.
    """
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:                     # ships with scikit-learn; without it, no limit
        return contextlib.nullcontext()
    return threadpool_limits(limits=n, user_api="blas")


def _clock(seconds: float) -> str:
    seconds = int(round(seconds))
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}" if seconds >= 3600 \
        else f"{seconds // 60}:{seconds % 60:02d}"


def progress_clock(elapsed: float, done: int, total: int) -> str:
    """``"elapsed 1:05, about 3:20 left"``: the time left guessed from the mean time per
    experiment so far (the experiments differ a lot, so it is a rough guess, said as one)."""
    text = f"elapsed {_clock(elapsed)}"
    if 0 < done < total:
        text += f", about {_clock(elapsed / done * (total - done))} left"
    return text


def run_many(experiments: list, out: pathlib.Path, seed: int = 0, quick: bool = False,
             epochs: int | None = None, threads: int = 1, log=print, workers: int = 1,
             ray_address=None) -> list[dict]:
    """Run each experiment in ``experiments`` with :func:`run_experiment` under ``threads``
    BLAS threads, logging a line before and after each through ``log`` (``k/N``, the time
    elapsed and a guess at the time left); return the records.

    ``workers > 1`` runs them in parallel (:func:`run_parallel`): a local process pool, or Ray
    when ``ray_address`` is given ("local" for a Ray instance on this machine)."""
    out = pathlib.Path(out)
    out.mkdir(parents=True, exist_ok=True)
    if workers > 1 or ray_address is not None:
        return run_parallel(experiments, out, seed, quick, epochs, threads, log, workers,
                            ray_address)
    records: list[dict] = []
    n, t0 = len(experiments), time.perf_counter()
    try:
        with _blas_threads(threads):
            for k, exp in enumerate(experiments, 1):
                log(f"{k}/{n} running {exp.name} ...")
                rec = run_experiment(exp, out, seed, quick, epochs)
                log(f"{k}/{n} {exp.name}: {rec['status']} ({rec['seconds']:.1f} s) - "
                    f"{progress_clock(time.perf_counter() - t0, k, n)}")
                if rec["error"]:
                    print(rec["error"], file=sys.stderr)
                records.append(rec)
    except KeyboardInterrupt:
        raise RunInterrupted(records) from None
    return records


class RunInterrupted(KeyboardInterrupt):
    """Ctrl-C during :func:`run_many`: ``records`` holds the experiments that finished (the
    one interrupted wrote nothing), so the caller can still show them."""

    def __init__(self, records: list[dict]):
        super().__init__(f"interrupted after {len(records)} experiment(s)")
        self.records = records


# ----------------------------------------------------------------------------- in parallel

def _run_named(name: str, out: str, seed: int, quick: bool, epochs, threads: int) -> dict:
    """A worker's task: find experiment ``name`` and run it under ``threads`` BLAS threads."""
    reg = registry.REGISTRY if name in registry.REGISTRY else discover()[0]
    with _blas_threads(threads):
        return run_experiment(reg[name], pathlib.Path(out), seed, quick, epochs)


def _one_blas_thread_env(threads: int) -> dict:
    return {v: str(threads) for v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS",
                                      "MKL_NUM_THREADS")}


def _pool_worker_init(threads: int) -> None:
    os.environ.update(_one_blas_thread_env(threads))


def run_parallel(experiments: list, out: pathlib.Path, seed: int = 0, quick: bool = False,
                 epochs: int | None = None, threads: int = 1, log=print, workers: int = 2,
                 ray_address=None) -> list[dict]:
    """Run ``experiments`` ``workers`` at a time; return their records in the given order.

    Locally a process pool (forked, so the workers inherit the imported experiments); with
    ``ray_address`` one Ray task per experiment (``"local"``: ``ray.init(num_cpus=workers)``
    on this machine; an address: that cluster), reusing a Ray session already started.  Each
    worker runs with ``threads`` BLAS threads (default 1).  Records from remote Ray workers
    are written to ``out/NAME/metrics.json`` here too (their figures stay where they ran).
    """
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ValueError(f"run_many: workers must be a positive int, got {workers!r}")
    names = [e.name for e in experiments]
    for name in names:
        log(f"queued {name}")
    args = [(n, str(out), seed, quick, epochs, threads) for n in names]
    if ray_address is not None:
        records = _run_on_ray(args, workers, ray_address, threads)
        for rec in records:
            _write_json(pathlib.Path(out) / rec["name"] / "metrics.json", rec)
    else:
        import concurrent.futures as cf
        import multiprocessing as mp
        method = "fork" if "fork" in mp.get_all_start_methods() else "spawn"
        with cf.ProcessPoolExecutor(max_workers=min(workers, len(args)) or 1,
                                    mp_context=mp.get_context(method),
                                    initializer=_pool_worker_init,
                                    initargs=(threads,)) as pool:
            futures = [pool.submit(_run_named, *a) for a in args]
            try:
                records = [f.result() for f in futures]
            except KeyboardInterrupt:   # the workers got the Ctrl-C too: keep what finished
                pool.shutdown(wait=False, cancel_futures=True)
                raise RunInterrupted([f.result() for f in futures if f.done()
                                      and not f.cancelled() and f.exception() is None]) \
                    from None
    for rec in records:
        log(f"{rec['name']}: {rec['status']} ({rec['seconds']:.1f} s)")
        if rec["error"]:
            print(rec["error"], file=sys.stderr)
    return records


def _run_on_ray(args, workers, address, threads) -> list[dict]:
    from ..tune.ray_session import ray_session
    with ray_session(address, workers, _one_blas_thread_env(threads)) as ray:
        task = ray.remote(num_cpus=1)(_run_named)
        return ray.get([task.remote(*a) for a in args])
