"""Side-by-side benchmarks: nnscratch against PyTorch (and scikit-learn/SciPy where they apply).

Each workload lives in ``bench/workloads/<name>.py`` and defines ``TITLE``, ``TARGET`` (the
nnscratch/PyTorch time ratio to reach, or None), optionally ``ROUNDS``, ``setup() -> data``
(``TARGET_AGAINST`` names the framework the target refers to, ``"torch"`` by default)
and one ``run_<framework>(data) -> dict`` per framework (``FRAMEWORKS`` below: a new peer is
one more name there).  Every timed call runs in a fresh process of its own (one process holding
both NumPy's BLAS and PyTorch's slows the first badly), frameworks alternate A B C, C B A over
the rounds, and all processes get the same thread count.  The ratio nnscratch/other is formed
*per round* (the two runs of a round are seconds apart, so a busy spell of the machine hits
both) and reported as its median with its min–max over the rounds.  The medians, the ratios,
whatever the runs report (accuracies, peak memory) and the machine (CPU model, cores, BLAS
kernel, versions) go to ``bench/results.md``.  Unless a workload sets ``WARMUP = False``, each
process runs the call once untimed first (on ``warmup(data)``, a few steps of the same shapes,
where the workload defines it), then times the second call.

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
# the peers, in the order they run in a round (jax needs the `bench` extra: pip install .[bench];
# tinygrad was tried and is not one: see results.md)
FRAMEWORKS = ("nnscratch", "nnscratch_numpy", "torch", "jax", "sklearn", "scipy", "numpy")
# nnscratch_numpy: nnscratch on its NumPy reference path (no compiled kernels), for workloads
# with KERNELS = True; it runs run_nnscratch with this environment
VARIANTS = {"nnscratch": ("nnscratch", {"NNSCRATCH_KERNELS": "auto"}),
            "nnscratch_numpy": ("nnscratch", {"NNSCRATCH_KERNELS": "numpy"})}
# the slow peers run in the first PEER_ROUNDS rounds only (make bench's time budget)
SLOW_PEERS = ("jax",)
VERSIONED = ("numpy", "torch", "jax", "jaxlib", "scikit-learn", "scipy", "threadpoolctl")


def write_atomic(path: pathlib.Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file and a rename: a reader (or a crash)
    never sees half a report."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


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
    env["JAX_PLATFORMS"] = "cpu"
    if threads == 1:   # XLA's CPU backend otherwise runs its Eigen pool on every core
        env["XLA_FLAGS"] = (env.get("XLA_FLAGS", "") + " --xla_cpu_multi_thread_eigen=false "
                            "intra_op_parallelism_threads=1").strip()
    return env


def worker(name: str, framework: str, threads: int) -> None:
    """Run one timed call in this process and print its result as JSON."""
    mod = _load(name)
    if framework == "torch":
        import torch
        torch.set_num_threads(threads)
    data = mod.setup()
    fn = getattr(mod, f"run_{VARIANTS.get(framework, (framework,))[0]}")
    if getattr(mod, "WARMUP", True):
        # first calls pay one-off costs (PyTorch's kernel selection, JAX's compilation, page
        # faults, imports) that say nothing about steady-state speed; a workload's warmup(data)
        # may hand it a few steps of the same shapes instead of the whole run
        fn(mod.warmup(data) if hasattr(mod, "warmup") else data)
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
    if framework in VARIANTS:      # which kernels ran (numba is optional: "numpy" without it)
        from nnscratch import kernels
        out.setdefault("kernels", kernels.backend())
    print("BENCH-RESULT " + json.dumps({"seconds": seconds, **out}, default=float))


def _available(framework: str) -> bool:
    """Whether a peer's package is installed (jax is optional: the `bench` extra)."""
    import importlib.util
    pkg = {"nnscratch": None, "nnscratch_numpy": None, "numpy": None}.get(framework, framework)
    return pkg is None or importlib.util.find_spec(pkg) is not None


def _runs(mod, framework: str) -> bool:
    """Whether the workload ``mod`` runs ``framework``."""
    if framework == "nnscratch_numpy":
        return getattr(mod, "KERNELS", False)
    return hasattr(mod, f"run_{framework}")


def run_workload(name: str, rounds: int | None, threads: int, keep_coretype: bool = False,
                 only_frameworks=None, peer_rounds: int = 3) -> dict:
    mod = _load(name)
    frameworks = [f for f in FRAMEWORKS if _runs(mod, f) and _available(f)
                  and (not only_frameworks or f in only_frameworks)]
    rounds = rounds or getattr(mod, "ROUNDS", 5)
    results = {f: [] for f in frameworks}
    for r in range(rounds):
        order = frameworks if r % 2 == 0 else frameworks[::-1]
        for f in order:
            if f in SLOW_PEERS and r >= peer_rounds:
                continue
            cmd = [sys.executable, str(HERE / "run.py"), "--worker", name, f,
                   "--threads", str(threads)]
            env = dict(_thread_env(threads, keep_coretype), **VARIANTS.get(f, (f, {}))[1])
            proc = subprocess.run(cmd, capture_output=True, text=True, env=env,
                                  cwd=HERE.parent)
            line = [ln for ln in proc.stdout.splitlines() if ln.startswith("BENCH-RESULT ")]
            if proc.returncode != 0 or not line:
                raise RuntimeError(f"{name}/{f} failed:\n{proc.stdout}\n{proc.stderr}")
            res = json.loads(line[-1][len("BENCH-RESULT "):])
            results[f].append(res)
            print(f"  {name:24s} round {r + 1}/{rounds} {f:10s} {res['seconds']:8.3f} s",
                  flush=True)
    return {"title": mod.TITLE, "target": getattr(mod, "TARGET", None),
            "against": getattr(mod, "TARGET_AGAINST", "torch"),
            "floor_target": getattr(mod, "FLOOR_TARGET", None), "results": results,
            "gap": getattr(mod, "GAP", None), "gemm_rows": getattr(mod, "GEMM_ROWS", None)}


def _fmt(v):
    if isinstance(v, float):
        return f"{v:.4g}"
    return str(v)


def round_ratios(res: dict, other: str) -> list:
    """nnscratch's time over ``other``'s, one ratio per round (runs of a round are adjacent)."""
    return [a["seconds"] / b["seconds"] for a, b in zip(res["nnscratch"], res[other])]


def ratio_summary(res: dict, other: str) -> tuple:
    """(median, min, max) of the per-round ratios nnscratch / ``other``."""
    r = round_ratios(res, other)
    return statistics.median(r), min(r), max(r)


def machine() -> dict:
    """What the numbers depend on: CPU model, cores, Python and the peers' versions."""
    from importlib import metadata
    cpu = platform.processor() or platform.machine()
    try:
        for line in pathlib.Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = {"python": platform.python_version()}
    for pkg in VERSIONED:
        try:
            versions[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            pass
    return {"cpu": cpu, "cores": os.cpu_count(), "versions": versions}


def _measured(path: pathlib.Path) -> dict:
    """The numbers ``make profile`` left in ``bench/<name>.json`` ({} before its first run)."""
    return json.loads(path.read_text()) if path.exists() else {}


def gap_lines(name: str, w: dict, profile: dict, gemm: dict, floor_missed: bool) -> list:
    """What a missed target is made of, from ``make profile``'s measurements: the step's time
    by owner for nnscratch and the floor (bench/profile.json), the workload's GEMMs against
    torch's (bench/gemm.json), the fixed cost per step when the floor is missed, and the
    workload's ``GAP``, which says in words who owns the difference."""
    lines = []
    prof = profile.get("ms_per_step", {}).get(name, {})
    ours, floor = prof.get("nnscratch"), prof.get("numpy")
    if ours:
        # shares, not the profile's ms: py-spy stretches a sampled process by an amount that
        # varies from run to run (seen: a 3x slower floor than its timed rounds), and the
        # timed rounds above already give the time per step
        share = lambda d, o: f"{100 * d[o] / d['total']:.0f}%" if d["total"] else "-"
        cells = [f"{o} {share(ours, o)}" + (f" / {share(floor, o)}" if floor else "")
                 for o in ours if o != "total"]
        lines.append(f"Where a step's time goes (`bench/profile.md`, {profile['date']}; share "
                     f"of the sampled step, nnscratch / floor): " + ", ".join(cells) + ".")
    rows = [r for label, r in gemm.get("us", {}).items()
            if w.get("gemm_rows") and label.startswith(w["gemm_rows"]) and r["used"]
            and r["torch"]]
    if rows:
        ratios = [min(r["numpy_1"], r["numpy_2"]) / r["torch"] for r in rows]
        lines.append(f"Its {len(rows)} GEMM shapes against torch's (`bench/gemm.md`, "
                     f"{gemm['date']}): NumPy at its best thread count takes "
                     f"{min(ratios):.2f}–{max(ratios):.2f}× torch's time.")
    fixed = profile.get("fixed_us_per_step")
    if floor_missed and fixed:
        lines.append("Fixed cost per training step (`bench/profile.md`): "
                     + ", ".join(f"{f} {v:.0f} µs" for f, v in fixed.items()) + ".")
    if w.get("gap"):
        lines.append("Why: " + " ".join(w["gap"].split()))
    return lines


def report(all_results: dict, threads: int, info: dict | None = None,
           profile: dict | None = None, gemm: dict | None = None) -> str:
    info = info or machine()
    kernels = sorted({r.get("blas_kernel", "") for w in all_results.values()
                      for rs in w["results"].values() for r in rs} - {""})
    lines = ["# Benchmarks", "",
             f"Measured {datetime.date.today()} on {info['cpu']} ({platform.machine()}, "
             f"{info['cores']} cores), {threads} thread(s) per framework; OpenBLAS kernel "
             f"{'/'.join(kernels) or 'unknown'}; "
             + ", ".join(f"{k} {v}" for k, v in info["versions"].items()) + ".", "",
             "Each timed run in its own process, frameworks alternating (A B C, C B A, …). "
             "Times are medians over the rounds; ratio = nnscratch time / other time (lower is "
             "better for nnscratch), formed per round and given as median (min–max over the "
             "rounds). Timed processes run without OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE unless "
             "--keep-openblas-coretype is given (column blas_kernel).", ""]
    for name, w in all_results.items():
        res = w["results"]
        lines += [f"## {w['title']} (`{name}`)", ""]
        med = {f: statistics.median(r["seconds"] for r in rs) for f, rs in res.items()}
        extra = sorted({k for rs in res.values() for r in rs for k in r} - {"seconds"})
        lines.append("| framework | rounds | median s | min s | ratio nnscratch/this | "
                     + " | ".join(extra) + " |")
        lines.append("|---|---|---|---|---|" + "---|" * len(extra))
        for f, rs in res.items():
            if "nnscratch" in res:
                m, lo, hi = ratio_summary(res, f)
                ratio = f"{m:.2f} ({lo:.2f}–{hi:.2f})"
            else:
                ratio = "nan"
            vals = [_fmt(statistics.median(r[k] for r in rs)) if all(
                isinstance(r.get(k), (int, float)) for r in rs) else _fmt(rs[-1].get(k, ""))
                for k in extra]
            fastest = min(r["seconds"] for r in rs)
            lines.append(f"| {f} | {len(rs)} | {med[f]:.3f} | {fastest:.3f} | "
                         f"{ratio} | " + " | ".join(vals) + " |")
        other = w.get("against", "torch")
        missed = {}
        if w["target"] is not None and other in res and "nnscratch" in res:
            m, lo, hi = ratio_summary(res, other)
            missed["peer"] = m > w["target"]
            lines += ["", f"Target ratio vs {other} <= {w['target']}: measured {m:.2f} "
                      f"({lo:.2f}–{hi:.2f}; {'misses' if missed['peer'] else 'meets'} the "
                      "target)."]
        floor = w.get("floor_target")
        if floor is not None and "numpy" in res and "nnscratch" in res:
            m, lo, hi = ratio_summary(res, "numpy")
            missed["floor"] = m > floor
            lines += ["", f"Target ratio vs the hand-written NumPy floor <= {floor}: measured "
                      f"{m:.2f} ({lo:.2f}–{hi:.2f}; {'misses' if missed['floor'] else 'meets'} "
                      "the target)."]
        if any(missed.values()):
            lines += [""] + gap_lines(name, w, profile or {}, gemm or {},
                                      missed.get("floor", False))
        lines.append("")
    return "\n".join(lines)


def appendix() -> str:
    """What the timed workloads above do not say, from the other measurements in bench/: the
    compiled kernels' first-call cost (bench/kernels.md, written by kernels_coldstart.py just
    before this run in ``make bench``), how the cost grows with size (bench/scaling.md, from
    ``make bench-scaling``), and the hand-written reading of them (bench/analysis.md)."""
    parts = []
    for name in ("kernels.md", "scaling.md", "analysis.md"):
        path = HERE / name
        if path.exists():
            body = path.read_text().strip().splitlines()
            # each file's title becomes a section of this report
            parts.append("\n".join(["#" + body[0]] + body[1:]) if body[0].startswith("# ")
                         else "\n".join(body))
    return "".join(f"\n{p}\n" for p in parts)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--only", nargs="*", help="workload names (default: all)")
    p.add_argument("--rounds", type=int, default=None)
    p.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    p.add_argument("--worker", nargs=2, metavar=("WORKLOAD", "FRAMEWORK"), help=argparse.SUPPRESS)
    p.add_argument("--out", default=str(HERE / "results.md"))
    p.add_argument("--keep-openblas-coretype", action="store_true",
                   help="keep OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE from the environment")
    p.add_argument("--frameworks", nargs="*", help=f"run only these of {FRAMEWORKS}")
    p.add_argument("--peer-rounds", type=int, default=3,
                   help=f"rounds for the slow peers {SLOW_PEERS} (default 3)")
    args = p.parse_args(argv)
    if args.worker:
        worker(*args.worker, args.threads)
        return 0
    names = args.only or sorted(f.stem for f in (HERE / "workloads").glob("*.py")
                                if not f.stem.startswith("_"))
    all_results = {}
    # the raw numbers go beside the report (bench/results.json for the default --out)
    raw = pathlib.Path(args.out).with_suffix(".json")
    if args.only and raw.exists():  # keep earlier workloads' numbers when re-running a few
        all_results = json.loads(raw.read_text())
    started = time.perf_counter()
    for name in names:
        print(f"{name}:", flush=True)
        all_results[name] = run_workload(name, args.rounds, args.threads,
                                         args.keep_openblas_coretype, args.frameworks,
                                         args.peer_rounds)
        raw.write_text(json.dumps(all_results, indent=1))
    text = report(dict(sorted(all_results.items())), args.threads,
                  profile=_measured(HERE / "profile.json"), gemm=_measured(HERE / "gemm.json"))
    if not args.only:   # the whole suite's wall time (the budget: about 20 minutes)
        text += f"\nThe full run took {(time.perf_counter() - started) / 60:.1f} minutes.\n"
    text += appendix()
    write_atomic(pathlib.Path(args.out), text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
