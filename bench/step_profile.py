"""Where a training step's time goes, for nnscratch and for the hand-written NumPy floor.

For each workload this samples the stacks of a worker process that runs the workload's train
loop (``run_nnscratch`` / ``run_numpy`` from ``bench/workloads``) with py-spy (``--native``:
Python and C frames together; py-spy is in the ``bench`` extra) and sorts every sample into
one owner:

* **GEMM**: inside OpenBLAS (any frame of the BLAS library or a ``*gemm*`` function);
* **optimizer**: under ``nnscratch/optim`` (or the floor's Adam), Python and NumPy alike;
* **engine**: under the autograd engine, ``Tensor`` and ``Module`` (graph building, the
  backward sweep, gradient accumulation, op dispatch), Python and NumPy alike;
* **NumPy elementwise**: NumPy C code (ufuncs, copies, reductions, allocation) called from an
  op, a layer or the loop;
* **op/layer Python**: interpreter time in ``nnscratch/ops`` and ``nnscratch/nn`` (argument
  checks, shapes, closures);
* **other**: the loop itself, slicing the batch, the interpreter elsewhere.

The shares times the timed call's seconds per step give milliseconds per step; they are
sampled on wall-clock time, so a busy machine stretches them all alike (compare shares).
It also measures the engine's cost per recorded op against torch's: a chain of ``y = y * 1``
on a 4-element tensor, forward and backward, in µs per op; and each framework's fixed cost
per training step, the MLP loop on a network too small for its arithmetic to count.  The
numbers also go to ``bench/profile.json``, which ``bench/run.py`` quotes beside a missed target.

    python bench/step_profile.py                    # writes bench/profile.md and .json
    python bench/step_profile.py --only mlp_mnist
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import time

from run import write_atomic

HERE = pathlib.Path(__file__).resolve().parent
# workload -> train steps per call of its run_* function
WORKLOADS = {"mlp_mnist": 600, "cnn": 157, "char_lstm": 100, "char_gru": 100}
FRAMEWORKS = ("nnscratch", "numpy")
OWNERS = ("GEMM", "NumPy elementwise", "engine", "optimizer", "op/layer Python", "other")
_ENGINE = ("nnscratch/autograd/", "nnscratch/tensor.py", "nnscratch/nn/module.py",
           "nnscratch/_checks.py")
_OPTIM = ("nnscratch/optim/", "step (bench/workloads/_floor.py")   # the floor's Adam.step


def owner(stack: list) -> str | None:
    """The owner of one sampled stack (frames outermost first), or None outside the loop."""
    if not any(f.startswith(("run_", "train_", "_train_")) for f in stack):
        return None                                     # imports, setup, the runner
    if any("_find_and_load" in f for f in stack):
        return None                                     # an import inside the loop function
    if any("gemm" in f.lower() or "openblas" in f.lower() for f in stack):
        return "GEMM"
    if any(any(m in f for m in _OPTIM) for f in stack):
        return "optimizer"
    py = [i for i, f in enumerate(stack) if ".py:" in f]
    inner = stack[py[-1]] if py else ""
    native_leaf = not py or py[-1] < len(stack) - 1
    if any(m in inner for m in _ENGINE):
        return "engine"
    if native_leaf:
        return "NumPy elementwise"
    if "nnscratch/ops/" in inner or "nnscratch/nn/" in inner:
        return "op/layer Python"
    return "other"


def parse(raw: str) -> dict:
    """Sample counts per owner from py-spy's raw (collapsed-stack) output."""
    counts = dict.fromkeys(OWNERS, 0)
    for line in raw.splitlines():
        stack, _, n = line.rpartition(" ")
        if not stack or not n.isdigit():
            continue
        who = owner(stack.split(";"))
        if who is not None:
            counts[who] += int(n)
    return counts


def worker(name: str, framework: str) -> None:
    sys.path.insert(0, str(HERE.parent))
    import importlib
    mod = importlib.import_module(f"bench.workloads.{name}")
    data = mod.setup()
    fn = getattr(mod, f"run_{framework}")
    fn(data)                                            # warm-up (sampled too)
    t0 = time.perf_counter()
    fn(data)
    print("PROFILE-RESULT " + json.dumps({"seconds": time.perf_counter() - t0}))


def profile(name: str, framework: str, rate: int, threads: int) -> dict:
    spy = shutil.which("py-spy") or str(pathlib.Path(sys.executable).with_name("py-spy"))
    env = dict(os.environ)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env[var] = str(threads)
    with tempfile.TemporaryDirectory() as tmp:
        out = pathlib.Path(tmp) / "stacks.txt"
        cmd = [spy, "record", "--native", "-r", str(rate), "-f", "raw", "-o", str(out), "--",
               sys.executable, str(HERE / "step_profile.py"), "--worker", name, framework]
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=HERE.parent)
        line = [ln for ln in proc.stdout.splitlines() if ln.startswith("PROFILE-RESULT ")]
        if proc.returncode != 0 or not line or not out.exists():
            raise RuntimeError(f"{name}/{framework} failed:\n{proc.stdout}\n{proc.stderr}")
        counts = parse(out.read_text())
    seconds = json.loads(line[-1].split(" ", 1)[1])["seconds"]
    return {"seconds": seconds, "counts": counts}


def _op_overhead_worker(framework: str, n_ops: int = 2000, reps: int = 20) -> None:
    """µs per recorded elementwise op (forward + backward) on a tiny tensor."""
    if framework == "torch":
        import torch as lib
        x = lib.ones(4, requires_grad=True)
    else:
        import nnscratch as lib
        x = lib.ones(4, requires_grad=True)
    best = float("inf")
    for _ in range(reps):
        t0 = time.perf_counter()
        y = x
        for _ in range(n_ops):
            y = y * 1.0
        y.sum().backward()
        best = min(best, time.perf_counter() - t0)
        x.grad = None
    print("PROFILE-RESULT " + json.dumps({"us_per_op": 1e6 * best / n_ops}))


def op_overhead() -> dict:
    res = {}
    for f in ("nnscratch", "torch"):
        proc = subprocess.run([sys.executable, str(HERE / "step_profile.py"), "--op-worker", f],
                              capture_output=True, text=True, cwd=HERE.parent)
        line = [ln for ln in proc.stdout.splitlines() if ln.startswith("PROFILE-RESULT ")]
        res[f] = json.loads(line[-1].split(" ", 1)[1])["us_per_op"] if line else float("nan")
    return res


def _step_overhead_worker(framework: str, steps: int = 2000, reps: int = 5) -> None:
    """µs per training step of ``bench/workloads/mlp_mnist``'s own loop shrunk to a
    Linear(8, 4)-ReLU-Linear(4, 3) on batches of 5, where the arithmetic is negligible: what
    remains is each framework's fixed cost per step (for the floor, NumPy's per-call cost)."""
    sys.path.insert(0, str(HERE.parent))
    from bench.workloads import mlp_mnist as w
    if framework == "torch":
        import torch
        torch.set_num_threads(1)
    w.N, w.D, w.H, w.K, w.BATCH = 5 * steps, 8, 4, 3, 5
    data = w.setup()
    run = getattr(w, f"run_{framework}")
    run(data)
    best = float("inf")
    for _ in range(reps):
        t0 = time.perf_counter()
        run(data)
        best = min(best, time.perf_counter() - t0)
    print("PROFILE-RESULT " + json.dumps({"us_per_step": 1e6 * best / steps}))


def step_overhead() -> dict:
    res = {}
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    for f in ("nnscratch", "torch", "numpy"):
        proc = subprocess.run([sys.executable, str(HERE / "step_profile.py"), "--step-worker",
                               f], capture_output=True, text=True, cwd=HERE.parent, env=env)
        line = [ln for ln in proc.stdout.splitlines() if ln.startswith("PROFILE-RESULT ")]
        res[f] = json.loads(line[-1].split(" ", 1)[1])["us_per_step"] if line else float("nan")
    return res


def owner_ms(name: str, r: dict) -> dict:
    """``{"total": ms per step, owner: ms per step, ...}`` from one profile's sample counts."""
    total = sum(r["counts"].values()) or 1
    per_step = 1e3 * r["seconds"] / WORKLOADS[name]
    return {"total": per_step, **{o: per_step * r["counts"][o] / total for o in OWNERS}}


def report(results: dict, ops: dict, threads: int, steps: dict | None = None) -> str:
    lines = ["# Profile: where a training step's time goes", "",
             f"py-spy samples (`python bench/step_profile.py`, {threads} BLAS thread(s)) of each "
             "workload's train loop, sorted by owner (see the module docstring of "
             "`bench/step_profile.py`); ms per step = share × the timed call's time per step. "
             "Sampled on wall-clock time: on a busy machine compare the shares.", ""]
    for name, fw in results.items():
        lines += [f"## `{name}` ({WORKLOADS[name]} steps)", "",
                  "| | ms/step | " + " | ".join(OWNERS) + " |",
                  "|---|---|" + "---|" * len(OWNERS)]
        for f, r in fw.items():
            ms = owner_ms(name, r)
            cells = [f"{ms[o]:.2f} ({100 * ms[o] / ms['total']:.0f}%)" for o in OWNERS]
            lines.append(f"| {f} | {ms['total']:.2f} | " + " | ".join(cells) + " |")
        lines.append("")
    if ops:
        lines += ["## Engine cost per recorded op", "",
                  "A chain of 2,000 `y = y * 1.0` on a 4-element tensor, forward + backward, "
                  "best of 20: "
                  + ", ".join(f"{f} {v:.1f} µs/op" for f, v in ops.items())
                  + f" (ratio {ops['nnscratch'] / ops['torch']:.2f}).", ""]
    if steps:
        lines += ["## Fixed cost per training step", "",
                  "`mlp_mnist`'s loop shrunk to Linear(8, 4)-ReLU-Linear(4, 3), batch 5, 1 "
                  "thread, best of 5 × 2,000 steps (the arithmetic is negligible; for the "
                  "hand-written loop what remains is NumPy's cost per call): "
                  + ", ".join(f"{f} {v:.0f} µs/step" for f, v in steps.items()) + ".", ""]
    return "\n".join(lines)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--only", nargs="*", choices=list(WORKLOADS))
    p.add_argument("--rate", type=int, default=250, help="samples per second")
    p.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    p.add_argument("--out", default=str(HERE / "profile.md"))
    p.add_argument("--worker", nargs=2, help=argparse.SUPPRESS)
    p.add_argument("--op-worker", help=argparse.SUPPRESS)
    p.add_argument("--step-worker", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.worker:
        worker(*args.worker)
        return 0
    if args.op_worker:
        _op_overhead_worker(args.op_worker)
        return 0
    if args.step_worker:
        _step_overhead_worker(args.step_worker)
        return 0
    results = {}
    for name in args.only or WORKLOADS:
        results[name] = {f: profile(name, f, args.rate, args.threads) for f in FRAMEWORKS}
        print(name, {f: r["counts"] for f, r in results[name].items()}, flush=True)
    ops, steps = op_overhead(), step_overhead()
    text = report(results, ops, args.threads, steps)
    out = pathlib.Path(args.out)
    write_atomic(out, text)
    # ms per step by owner, for bench/run.py's report to quote beside a missed target
    write_atomic(out.with_suffix(".json"), json.dumps(
        {"date": datetime.date.today().isoformat(), "threads": args.threads,
         "engine_us_per_op": ops, "fixed_us_per_step": steps, "ms_per_step": {
             name: {f: owner_ms(name, r) for f, r in fw.items()}
             for name, fw in results.items()}}, indent=1))
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
