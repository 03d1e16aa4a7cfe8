"""µs per GEMM call with 1 and with 2 BLAS threads, for the GEMM shapes of the training
workloads (the data for a per-shape BLAS thread policy, issue 18).

One process, threadpoolctl switching OpenBLAS's thread count between interleaved rounds; each
entry is the median over the rounds of the best of ``--number`` calls, so a busy spell of the
machine hits both thread counts alike.  Run it on a quiet machine:

    python bench/gemm_threads.py [--rounds 15]
"""
from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

# (label, shape of a, shape of b, transpose a, transpose b): C = op(a) @ op(b)
SHAPES = [
    ("MLP fwd   x Wᵀ   100×784·(200×784)ᵀ", (100, 784), (200, 784), False, True),
    ("MLP dW    gᵀ x   (100×200)ᵀ·100×784", (100, 200), (100, 784), True, False),
    ("MLP dW alt (xᵀ g)ᵀ", (100, 784), (100, 200), True, False),
    ("MLP dx    g W    100×200·200×784", (100, 200), (200, 784), False, False),
    ("LSTM rec  W_hh h 1024×256·256×32", (1024, 256), (256, 32), False, False),
    ("LSTM dW   Δ Z    1024×2048·2048×322", (1024, 2048), (2048, 322), False, False),
    ("CNN conv2 W cols 32×145·145×15040", (32, 145), (145, 15040), False, False),
    ("CNN dW2   g colsᵀ 32×15040·(145×15040)ᵀ", (32, 15040), (145, 15040), False, True),
]


def _time(fn, number):
    best = float("inf")
    for _ in range(number):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rounds", type=int, default=15)
    p.add_argument("--number", type=int, default=20)
    args = p.parse_args(argv)
    from threadpoolctl import threadpool_limits
    rng = np.random.default_rng(0)
    cases = []
    for label, sa, sb, ta, tb in SHAPES:
        a = rng.standard_normal(sa, dtype=np.float32)
        b = rng.standard_normal(sb, dtype=np.float32)
        a, b = (a.T if ta else a), (b.T if tb else b)
        cases.append((label, (lambda a=a, b=b: a @ b)))
    times = {(label, n): [] for label, _ in cases for n in (1, 2)}
    for r in range(args.rounds):
        for n in ((1, 2) if r % 2 == 0 else (2, 1)):
            with threadpool_limits(n, user_api="blas"):
                for label, fn in cases:
                    times[(label, n)].append(_time(fn, args.number))
    print(f"| GEMM | 1 thread µs | 2 threads µs | 2/1 |  ({args.rounds} rounds, median of best)")
    print("|---|---|---|---|")
    for label, _ in cases:
        one, two = (1e6 * statistics.median(times[(label, n)]) for n in (1, 2))
        print(f"| {label} | {one:.0f} | {two:.0f} | {two / one:.2f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
