"""What the optional compiled kernels (nnscratch/kernels/) cost before they pay: the first call.

Each case runs in a fresh process: ``import nnscratch``, then the first forward + backward of a
small conv layer, of a small LSTM and of a small GRU (float32), timed, under three conditions:

* ``numpy``: ``NNSCRATCH_KERNELS=numpy`` (the reference path; no numba import at all);
* ``numba, cold cache``: an empty ``NUMBA_CACHE_DIR``, so every kernel is compiled;
* ``numba, warm cache``: the same directory again, so the kernels load from disk (what every
  process after the first one on a machine pays).

The rounds alternate the conditions (the cold one gets a new empty directory each round);
medians with min–max go to ``bench/kernels.md``.

    python bench/kernels_coldstart.py [--rounds 3]
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
from bench.run import write_atomic  # noqa: E402

FIRST_CALLS = """
import json, sys, time
t0 = time.perf_counter()
import numpy as np
import nnscratch as ns, nnscratch.nn as nn
t_import = time.perf_counter() - t0
x = ns.tensor(np.random.default_rng(0).random((8, 3, 16, 16), dtype=np.float32))
t0 = time.perf_counter()
nn.Conv2d(3, 4, 3, padding=1)(x).sum().backward()
t_conv = time.perf_counter() - t0
s = ns.tensor(np.random.default_rng(0).random((4, 5, 6), dtype=np.float32))
t0 = time.perf_counter()
nn.LSTM(6, 8, batch_first=True)(s)[0].sum().backward()
t_lstm = time.perf_counter() - t0
t0 = time.perf_counter()
nn.GRU(6, 8, batch_first=True)(s)[0].sum().backward()
t_gru = time.perf_counter() - t0
print("COLD-RESULT " + json.dumps({"import_s": t_import, "first_conv_s": t_conv,
      "first_lstm_s": t_lstm, "first_gru_s": t_gru, "backend": ns.kernels.backend()}))
"""
CONDITIONS = ("numpy", "numba, cold cache", "numba, warm cache")


def first_calls(env: dict) -> dict:
    proc = subprocess.run([sys.executable, "-c", FIRST_CALLS], capture_output=True, text=True,
                          env=env, cwd=HERE.parent, timeout=600)
    line = [ln for ln in proc.stdout.splitlines() if ln.startswith("COLD-RESULT ")]
    if proc.returncode != 0 or not line:
        raise RuntimeError(f"first calls failed:\n{proc.stdout}\n{proc.stderr}")
    return json.loads(line[-1][len("COLD-RESULT "):])


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--out", default=str(HERE / "kernels.md"))
    args = p.parse_args(argv)
    base = dict(os.environ, PYTHONPATH=str(HERE.parent), OMP_NUM_THREADS="2",
                OPENBLAS_NUM_THREADS="2")
    runs: dict[str, list[dict]] = {c: [] for c in CONDITIONS}
    for r in range(args.rounds):
        with tempfile.TemporaryDirectory() as cache:
            envs = {"numpy": dict(base, NNSCRATCH_KERNELS="numpy"),
                    "numba, cold cache": dict(base, NNSCRATCH_KERNELS="numba",
                                              NUMBA_CACHE_DIR=cache),
                    "numba, warm cache": dict(base, NNSCRATCH_KERNELS="numba",
                                              NUMBA_CACHE_DIR=cache)}
            # cold before warm (it fills the cache); numpy first or last, alternating
            order = list(CONDITIONS) if r % 2 == 0 else list(CONDITIONS[1:]) + ["numpy"]
            for c in order:
                runs[c].append(first_calls(envs[c]))
                print(f"  round {r + 1}/{args.rounds} {c:18s} " + " ".join(
                    f"{k} {v:.3f}" if isinstance(v, float) else f"{k} {v}"
                    for k, v in runs[c][-1].items()), flush=True)
    keys = ("import_s", "first_conv_s", "first_lstm_s", "first_gru_s")
    lines = ["# The compiled kernels' first-call cost", "",
             f"Measured {datetime.date.today()} by `python bench/kernels_coldstart.py` "
             f"({args.rounds} rounds, each condition in a fresh process; median (min–max) "
             "seconds). The first conv layer's forward + backward, then the first LSTM's and "
             "the first GRU's (float32), after `import nnscratch`; `backend` is the path that "
             "ran.", "",
             "| condition | backend | import nnscratch s | first conv s | first LSTM s | "
             "first GRU s |",
             "|---|---|---|---|---|---|"]
    for c in CONDITIONS:
        cells = []
        for k in keys:
            v = [r[k] for r in runs[c]]
            cells.append(f"{statistics.median(v):.3f} ({min(v):.3f}–{max(v):.3f})")
        lines.append(f"| {c} | {runs[c][-1]['backend']} | " + " | ".join(cells) + " |")
    lines += ["", "The numba rows include importing numba itself (at the first kernel call, "
              "never at `import nnscratch`). The warm row is what every process pays once the "
              "kernels are compiled: numba caches them in `__pycache__` beside "
              "`nnscratch/kernels/` (or, where that is read-only, its per-user cache "
              "directory; `NUMBA_CACHE_DIR` overrides both)."]
    write_atomic(pathlib.Path(args.out), "\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
