"""Side-by-side benchmarks: nnscratch against PyTorch (and scikit-learn/SciPy where they apply).

Each workload lives in ``bench/workloads/<name>.py`` and defines ``TITLE``, ``TARGET`` (the
nnscratch/PyTorch time ratio to reach, or None), optionally ``ROUNDS``, ``setup() -> data``
(``TARGET_AGAINST`` names the framework the target refers to, ``"torch"`` by default)
and one ``run_<framework>(data) -> dict`` per framework.  Every timed call runs in a fresh
process of its own (one process holding both NumPy's BLAS and PyTorch's slows the first badly),
frameworks alternate A B A B over the rounds, and all processes get the same thread count.
The medians, the ratios and whatever the runs report (accuracies, peak memory) go to
``bench/results.md``.  Unless a workload sets ``WARMUP = False``, each process runs the call
once untimed first, then times the second call.

    python bench/run.py                 # every workload
    python bench/run.py --only mlp_mnist --rounds 3
"""
from __future__ import annotations

import argparse
import datetime
import importlib
import json
import os
import pathlib
import platform
import statistics
import subprocess
import sys
import time

HERE = pathlib.Path(__file__).resolve().parent
FRAMEWORKS = ("nnscratch", "torch", "sklearn", "scipy", "numpy")


def _load(name):
    sys.path.insert(0, str(HERE.parent))
    return importlib.import_module(f"bench.workloads.{name}")


def _thread_env(threads: int, keep_coretype: bool = False) -> dict:
    env = dict(os.environ)
    if not keep_coretype:
        # Some machines pin OpenBLAS to older kernels (OPENBLAS_CORETYPE, OPENBLAS_L2_SIZE) as
        # a work-around for old OpenBLAS builds; a current NumPy runs slower under them, so
        # the timed processes run without both (the kernel used is recorded in the results)
        env.pop("OPENBLAS_CORETYPE", None)
        env.pop("OPENBLAS_L2_SIZE", None)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env[var] = str(threads)
    return env


def worker(name: str, framework: str, threads: int) -> None:
    """Run one timed call in this process and print its result as JSON."""
    mod = _load(name)
    if framework == "torch":
        import torch
        torch.set_num_threads(threads)
    data = mod.setup()
    fn = getattr(mod, f"run_{framework}")
    if getattr(mod, "WARMUP", True):
        # first calls pay one-off costs (PyTorch's kernel selection, page faults, imports)
        # that say nothing about steady-state speed
        fn(data)
    t0 = time.perf_counter()
    out = fn(data) or {}
    seconds = time.perf_counter() - t0
    try:
        from threadpoolctl import threadpool_info
        arch = {i.get("architecture") for i in threadpool_info() if i.get("user_api") == "blas"}
        out.setdefault("blas_kernel", "/".join(sorted(a for a in arch if a)))
    except ImportError:
        pass
    try:
        import resource
        out.setdefault("peak_rss_mb", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    except ImportError:
        pass
    print("BENCH-RESULT " + json.dumps({"seconds": seconds, **out}, default=float))


def run_workload(name: str, rounds: int | None, threads: int,
                 keep_coretype: bool = False) -> dict:
    mod = _load(name)
    frameworks = [f for f in FRAMEWORKS if hasattr(mod, f"run_{f}")]
    rounds = rounds or getattr(mod, "ROUNDS", 5)
    results = {f: [] for f in frameworks}
    for r in range(rounds):
        order = frameworks if r % 2 == 0 else frameworks[::-1]
        for f in order:
            cmd = [sys.executable, str(HERE / "run.py"), "--worker", name, f,
                   "--threads", str(threads)]
            proc = subprocess.run(cmd, capture_output=True, text=True,
                                  env=_thread_env(threads, keep_coretype), cwd=HERE.parent)
            line = [ln for ln in proc.stdout.splitlines() if ln.startswith("BENCH-RESULT ")]
            if proc.returncode != 0 or not line:
                raise RuntimeError(f"{name}/{f} failed:\n{proc.stdout}\n{proc.stderr}")
            res = json.loads(line[-1][len("BENCH-RESULT "):])
            results[f].append(res)
            print(f"  {name:24s} round {r + 1}/{rounds} {f:10s} {res['seconds']:8.3f} s",
                  flush=True)
    return {"title": mod.TITLE, "target": getattr(mod, "TARGET", None),
            "against": getattr(mod, "TARGET_AGAINST", "torch"), "results": results}


def _fmt(v):
    if isinstance(v, float):
        return f"{v:.4g}"
    return str(v)


def report(all_results: dict, threads: int) -> str:
    lines = ["# Benchmarks", "",
             f"Measured {datetime.date.today()} on {platform.machine()} with {os.cpu_count()} "
             f"cores, {threads} thread(s) per framework; each timed run in its own process, "
             "frameworks alternating. Times are medians over the rounds; ratio = "
             "nnscratch time / other time (lower is better for nnscratch). Timed processes "
             "run without OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE unless --keep-openblas-coretype "
             "is given (column blas_kernel).", ""]
    for name, w in all_results.items():
        res = w["results"]
        lines += [f"## {w['title']} (`{name}`)", ""]
        med = {f: statistics.median(r["seconds"] for r in rs) for f, rs in res.items()}
        extra = sorted({k for rs in res.values() for r in rs for k in r} - {"seconds"})
        lines.append("| framework | median s | min s | ratio nnscratch/this | "
                     + " | ".join(extra) + " |")
        lines.append("|---|---|---|---|" + "---|" * len(extra))
        for f, rs in res.items():
            ratio = med["nnscratch"] / med[f] if "nnscratch" in med else float("nan")
            vals = [_fmt(statistics.median(r[k] for r in rs)) if all(
                isinstance(r.get(k), (int, float)) for r in rs) else _fmt(rs[-1].get(k, ""))
                for k in extra]
            lines.append(f"| {f} | {med[f]:.3f} | {min(r['seconds'] for r in rs):.3f} | "
                         f"{ratio:.2f} | " + " | ".join(vals) + " |")
        other = w.get("against", "torch")
        if w["target"] is not None and other in med:
            ratio = med["nnscratch"] / med[other]
            verdict = "meets" if ratio <= w["target"] else "misses"
            lines += ["", f"Target ratio vs {other} <= {w['target']}: measured {ratio:.2f} "
                      f"({verdict} the target)."]
        lines.append("")
    return "\n".join(lines)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--only", nargs="*", help="workload names (default: all)")
    p.add_argument("--rounds", type=int, default=None)
    p.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    p.add_argument("--worker", nargs=2, metavar=("WORKLOAD", "FRAMEWORK"), help=argparse.SUPPRESS)
    p.add_argument("--out", default=str(HERE / "results.md"))
    p.add_argument("--keep-openblas-coretype", action="store_true",
                   help="keep OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE from the environment")
    args = p.parse_args(argv)
    if args.worker:
        worker(*args.worker, args.threads)
        return 0
    names = args.only or sorted(f.stem for f in (HERE / "workloads").glob("*.py")
                                if not f.stem.startswith("_"))
    all_results = {}
    raw = HERE / "results.json"
    if args.only and raw.exists():  # keep earlier workloads' numbers when re-running a few
        all_results = json.loads(raw.read_text())
    for name in names:
        print(f"{name}:", flush=True)
        all_results[name] = run_workload(name, args.rounds, args.threads,
                                         args.keep_openblas_coretype)
        raw.write_text(json.dumps(all_results, indent=1))
    text = report(dict(sorted(all_results.items())), args.threads)
    tmp = pathlib.Path(args.out + ".tmp")
    tmp.write_text(text)
    os.replace(tmp, args.out)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
