"""µs per GEMM call with 1 and with 2 BLAS threads, for the GEMM shapes of the training
workloads (the data for a per-shape BLAS thread policy, issue 18), beside PyTorch's GEMM on
the same shapes with 2 threads (the owner of the part of a workload's gap that is GEMM).

NumPy: one process, threadpoolctl switching OpenBLAS's thread count between interleaved
rounds.  torch (if installed): a separate process, so that neither library's thread pool
spins beside the other's (measured: with torch imported, NumPy's 2-thread LSTM GEMM took
2x longer).  Each entry is the median over the rounds of the best of ``--number`` calls.
Run it on a quiet machine; it writes ``bench/gemm.md``:

    python bench/gemm_threads.py [--rounds 15]
"""
from __future__ import annotations

import argparse
import datetime
import json
import pathlib
import statistics
import subprocess
import sys
import time

import numpy as np
from run import write_atomic

# (label, shape of a, shape of b, transpose a, transpose b, run by nnscratch):
# C = op(a) @ op(b); the rows marked False are alternative orientations of a product, or a
# product the workloads skip
SHAPES = [
    ("MLP fwd   x Wᵀ   100×784·(200×784)ᵀ", (100, 784), (200, 784), False, True, True),
    ("MLP dW    gᵀ x   (100×200)ᵀ·100×784", (100, 200), (100, 784), True, False, True),
    ("MLP dW alt (xᵀ g)ᵀ", (100, 784), (100, 200), True, False, False),
    # the input gradient of a 784-wide layer; the bench MLP's first layer needs none
    ("MLP dx    g W    100×200·200×784", (100, 200), (200, 784), False, False, False),
    ("LSTM rec  W_hh h 1024×256·256×32", (1024, 256), (256, 32), False, False, True),
    ("LSTM dh   W_hhᵀ δ 256×1024·1024×32", (1024, 256), (1024, 32), True, False, True),
    ("LSTM dW   Δ Z    1024×2048·2048×322", (1024, 2048), (2048, 322), False, False, True),
    ("CNN conv2 W cols 32×145·145×14208", (32, 145), (145, 14208), False, False, True),
    ("CNN dW2   g colsᵀ 32×14208·(145×14208)ᵀ", (32, 14208), (145, 14208), False, True, False),
    ("CNN dW2 alt (cols gᵀ)ᵀ", (145, 14208), (32, 14208), False, True, True),
    ("CNN dcols2 Wᵀ g  144×32·32×14208", (32, 144), (32, 14208), True, False, True),
]


def _time(fn, number):
    best = float("inf")
    for _ in range(number):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def _cases(rng, matmul, convert):
    cases = []
    for label, sa, sb, ta, tb, _ in SHAPES:
        a = convert(rng.standard_normal(sa, dtype=np.float32))
        b = convert(rng.standard_normal(sb, dtype=np.float32))
        a, b = (a.T if ta else a), (b.T if tb else b)
        cases.append((label, (lambda a=a, b=b: matmul(a, b))))
    return cases


def _torch_times(rounds: int, number: int) -> dict:
    """``{label: µs}`` of torch.matmul with 2 threads, in this process (run as a child)."""
    import torch
    torch.set_num_threads(2)
    cases = _cases(np.random.default_rng(0), torch.matmul, torch.from_numpy)
    times = {label: [] for label, _ in cases}
    for _ in range(rounds):
        for label, fn in cases:
            times[label].append(_time(fn, number))
    return {label: 1e6 * statistics.median(t) for label, t in times.items()}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rounds", type=int, default=15)
    p.add_argument("--number", type=int, default=20)
    p.add_argument("--torch-child", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--out", default=str(pathlib.Path(__file__).with_name("gemm.md")))
    args = p.parse_args(argv)
    if args.torch_child:
        print(json.dumps(_torch_times(args.rounds, args.number)))
        return 0
    from threadpoolctl import threadpool_limits
    cases = _cases(np.random.default_rng(0), np.matmul, lambda a: a)
    times = {(label, n): [] for label, _ in cases for n in (1, 2)}
    for r in range(args.rounds):
        for n in ((1, 2) if r % 2 == 0 else (2, 1)):
            with threadpool_limits(n, user_api="blas"):
                for label, fn in cases:
                    times[(label, n)].append(_time(fn, args.number))
    torch_us = {}
    try:
        import importlib.util
        if importlib.util.find_spec("torch") is not None:
            out = subprocess.run([sys.executable, __file__, "--torch-child", "--rounds",
                                  str(args.rounds), "--number", str(args.number)],
                                 capture_output=True, text=True, check=True).stdout
            torch_us = json.loads(out.strip().splitlines()[-1])
    except subprocess.CalledProcessError as e:
        print(f"torch timing failed: {e.stderr}", file=sys.stderr)
    used = {label: run for label, *_, run in SHAPES}
    record = {}
    lines = [f"# GEMM µs per call ({args.rounds} rounds, median of the best of {args.number})",
             "", "NumPy/OpenBLAS with 1 and 2 threads; torch 2 threads in its own process; "
             "ratio = NumPy's best thread count / torch.", "",
             "| GEMM | NumPy 1 thread | NumPy 2 threads | 2/1 | torch 2 threads | "
             "NumPy best / torch |", "|---|---|---|---|---|---|"]
    for label, _ in cases:
        one, two = (1e6 * statistics.median(times[(label, n)]) for n in (1, 2))
        t = torch_us.get(label)
        peer = f"{t:.0f} | {min(one, two) / t:.2f}" if t else "– | –"
        lines.append(f"| {label} | {one:.0f} | {two:.0f} | {two / one:.2f} | {peer} |")
        record[label] = {"numpy_1": one, "numpy_2": two, "torch": t, "used": used[label]}
    text = "\n".join(lines) + "\n"
    print(text)
    out = pathlib.Path(args.out)
    write_atomic(out, text)
    # the numbers again for bench/run.py's report, which quotes them beside a missed target
    write_atomic(out.with_suffix(".json"), json.dumps(
        {"date": datetime.date.today().isoformat(), "us": record}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
