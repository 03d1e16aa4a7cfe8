"""Data-parallel throughput: samples/s of the MLP and CNN workloads on 1 and 2 MPI ranks.

For each model, the same global batch (128 rows) is trained three ways, each in fresh
processes: one process with 1 BLAS thread, one process with 2 BLAS threads, and 2 ranks
(``nnscratch launch -n 2``, 1 BLAS thread each, 64 rows per rank, DistributedDataParallel).
Reported: samples/s, the speed-up of 2 ranks over each single process, the gradient
allreduce time per step (DDP's one flat-bucket MPI_Allreduce) and the bandwidth it implies,
and a paper estimate of weak scaling to 8-64 ranks with the ring allreduce model

    t_allreduce(p) = 2 (p - 1) / p * bytes / bandwidth

taking the compute time per step from the 2-rank run and the bandwidth measured here
(shared memory) or a 10 Gbit/s network.  Results go to ``bench/distributed_results.md``.

    python bench/distributed.py [--steps 20]
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import pathlib
import subprocess
import sys
import time

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent
GLOBAL_BATCH = 128
NETWORK_BYTES_PER_S = 10e9 / 8          # a 10 Gbit/s link, for the paper estimate


def _model(kind):
    import nnscratch.nn as nn
    if kind == "mlp":
        return nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(),
                             nn.Linear(128, 10)), (784,)
    return nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Flatten(), nn.Linear(1568, 10)), (1, 28, 28)


def worker(kind: str, steps: int) -> None:
    """Train ``steps`` steps (after 3 untimed ones); rank 0 prints the result as JSON."""
    import numpy as np

    import nnscratch as ns
    import nnscratch.distributed as dist
    import nnscratch.nn.functional as F
    from nnscratch.nn.parallel import DistributedDataParallel
    dist.init_process_group("mpi")
    rank, world = dist.get_rank(), dist.get_world_size()
    ns.manual_seed(0)
    model, shape = _model(kind)
    ddp = DistributedDataParallel(model) if world > 1 else model
    opt = ns.optim.Adam(model.parameters(), lr=1e-3)
    local = GLOBAL_BATCH // world
    g = np.random.default_rng(rank)
    X = g.random((local * 4,) + shape, dtype=np.float32)
    y = g.integers(0, 10, local * 4)

    def step(i):
        j = (i % 4) * local
        loss = F.cross_entropy(ddp(ns.Tensor._wrap(X[j:j + local])), y[j:j + local])
        opt.zero_grad()
        loss.backward()
        opt.step()

    for i in range(3):
        step(i)
    if world > 1:
        ddp.allreduce_seconds, ddp.allreduce_calls = 0.0, 0
        dist.barrier()
    t0 = time.perf_counter()
    for i in range(steps):
        step(i)
    seconds = time.perf_counter() - t0
    allreduce = ddp.allreduce_seconds / max(ddp.allreduce_calls, 1) if world > 1 else 0.0
    nbytes = sum(p.numpy().nbytes for p in model.parameters())
    # DDP's time includes waiting for the slower rank; the allreduce alone, after a barrier:
    buf = np.ones(nbytes // 4, np.float32)
    pure = 0.0
    if world > 1:
        for _ in range(3):
            dist.all_reduce(buf)
        dist.barrier()
        t1 = time.perf_counter()
        for _ in range(20):
            dist.all_reduce(buf)
        pure = (time.perf_counter() - t1) / 20
    if rank == 0:
        print("BENCH-RESULT " + json.dumps({
            "samples_per_s": steps * GLOBAL_BATCH / seconds, "step_s": seconds / steps,
            "allreduce_s": allreduce, "pure_allreduce_s": pure,
            "grad_bytes": nbytes}))
    dist.destroy_process_group()


def _env(threads):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env[var] = str(threads)
    return env


def _measure(kind, steps, ranks, threads) -> dict:
    cmd = [str(HERE / "distributed.py"), "--worker", kind, "--steps", str(steps)]
    if ranks > 1:
        cmd = [sys.executable, "-m", "nnscratch.app.cli", "launch", "-n", str(ranks),
               "--threads", str(threads)] + cmd
    else:
        cmd = [sys.executable] + cmd
    out = subprocess.run(cmd, env=_env(threads), capture_output=True, text=True, timeout=600)
    for line in out.stdout.splitlines():
        if line.startswith("BENCH-RESULT "):
            return json.loads(line[len("BENCH-RESULT "):])
    raise RuntimeError(f"bench/distributed.py: {' '.join(cmd)} failed:\n{out.stderr[-2000:]}")


def _scaling_rows(r2):
    """Weak scaling (64 rows per rank) from the 2-rank run, by the ring allreduce model."""
    compute = r2["step_s"] - r2["allreduce_s"]
    nbytes = r2["grad_bytes"]
    measured_bw = nbytes / r2["pure_allreduce_s"]   # p = 2: 2(p-1)/p = 1
    rows = []
    for p in (8, 16, 32, 64):
        row = [str(p)]
        for bw in (measured_bw, NETWORK_BYTES_PER_S):
            comm = 2 * (p - 1) / p * nbytes / bw
            eff = compute / (compute + comm)
            row += [f"{comm * 1e3:.2f} ms", f"{eff:.0%}", f"{p * 64 / (compute + comm):,.0f}"]
        rows.append(row)
    return measured_bw, rows


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--worker", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--out", default=str(HERE / "distributed_results.md"))
    args = ap.parse_args(argv)
    if args.worker:
        worker(args.worker, args.steps)
        return 0
    lines = [f"# Data-parallel throughput ({datetime.date.today()}, {os.cpu_count()} cores)",
             "", f"Global batch {GLOBAL_BATCH}, Adam, float32, {args.steps} timed steps; "
             "each configuration in fresh processes. Produced by `python bench/distributed.py`"
             " (`make bench`).", "",
             "| model | 1 proc, 1 thread | 1 proc, 2 threads | 2 ranks × 1 thread | "
             "2 ranks vs 1×1 | 2 ranks vs 1×2 | allreduce/step in DDP (share of step) | "
             "allreduce alone | gradient bytes |",
             "|---|---|---|---|---|---|---|---|---|"]
    estimates = []
    for kind, steps in (("mlp", args.steps), ("cnn", max(args.steps // 4, 3))):
        r11 = _measure(kind, steps, 1, 1)
        r12 = _measure(kind, steps, 1, 2)
        r21 = _measure(kind, steps, 2, 1)
        lines.append(
            f"| {kind.upper()} | {r11['samples_per_s']:,.0f}/s | {r12['samples_per_s']:,.0f}/s "
            f"| {r21['samples_per_s']:,.0f}/s | {r21['samples_per_s'] / r11['samples_per_s']:.2f}× "
            f"| {r21['samples_per_s'] / r12['samples_per_s']:.2f}× "
            f"| {r21['allreduce_s'] * 1e3:.3f} ms ({r21['allreduce_s'] / r21['step_s']:.1%}) "
            f"| {r21['pure_allreduce_s'] * 1e3:.3f} ms | {r21['grad_bytes'] / 1e6:.2f} MB |")
        estimates.append((kind, r21, *_scaling_rows(r21)))
        print(lines[-1], flush=True)
    lines += ["", "## Paper estimate: weak scaling to 8-64 ranks", "",
              "Ring allreduce moves 2(p−1)/p × bytes per rank per step; with the compute time "
              "per step of the 2-rank run (64 rows per rank) held fixed, "
              "efficiency = compute / (compute + allreduce). Bandwidth: the one measured "
              "here between 2 ranks over shared memory (the allreduce alone, after a barrier: "
              "DDP's own time also holds the wait for the slower rank), and a 10 Gbit/s "
              "network (1.25 GB/s). "
              "Latency terms (2(p−1) messages) are left out."]
    for kind, r21, bw, rows in estimates:
        lines += ["", f"**{kind.upper()}**: {r21['grad_bytes'] / 1e6:.2f} MB of gradients, "
                  f"compute {(r21['step_s'] - r21['allreduce_s']) * 1e3:.1f} ms/step, "
                  f"measured allreduce bandwidth {bw / 1e9:.2f} GB/s.", "",
                  "| ranks | allreduce (measured bw) | efficiency | samples/s | "
                  "allreduce (10 Gbit/s) | efficiency | samples/s |",
                  "|---|---|---|---|---|---|---|"]
        lines += ["| " + " | ".join(r) + " |" for r in rows]
    pathlib.Path(args.out).write_text("\n".join(lines) + "\n")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
