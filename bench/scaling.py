"""How the cost of one training step grows with the work: nnscratch against PyTorch.

Three models, each swept along its axes (one axis varies, the others stay at the middle
value), one training step (forward, backward, optimizer update) timed per point:

* ``mlp``: 784 -> W -> 10 ReLU MLP, softmax cross-entropy, SGD; batch 16…1024, width W 64…1024;
* ``cnn``: conv(1→C,3)-ReLU-pool2-conv(C→2C,3)-ReLU-pool2-linear on 28×28 images, Adam;
  batch 16…1024, channels C 8…128 (the second conv has 2C: 16…256);
* ``lstm``: one-hot 65 -> LSTM(H) -> linear(65) on every position, Adam; batch 16…1024,
  hidden H 64…1024, sequence length T 16…256.

Every (model, axis, framework) sweep runs in a fresh process of its own (as ``bench/run.py``
does, never NumPy's BLAS and PyTorch's in one process), the frameworks alternate (A B, B A) over
the rounds, and all processes get the same thread count.  Per point: two untimed warm-up steps,
then steps until 0.25 s have passed (at least 3, at most 15); the point's time is their median.
The ratio nnscratch/torch is formed per round and reported as its median with min–max.

    python bench/scaling.py              # the full sweeps: bench/scaling.md, .json, .png
    python bench/scaling.py --quick      # a smoke test: 2 points per axis, tiny sizes, 1 round
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
import time

import numpy as np

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
from bench.run import _thread_env, machine, write_atomic  # noqa: E402

FRAMEWORKS = ("nnscratch", "torch")
# per model: the axes, their values, and the middle value used while another axis varies
SWEEPS = {
    "mlp": {"batch": [16, 32, 64, 128, 256, 512, 1024], "width": [64, 128, 256, 512, 1024]},
    "cnn": {"batch": [16, 32, 64, 128, 256, 512, 1024], "channels": [8, 16, 32, 64, 128]},
    "lstm": {"batch": [16, 32, 64, 128, 256, 512, 1024], "hidden": [64, 128, 256, 512, 1024],
             "seq": [16, 32, 64, 128, 256]},
}
MIDDLE = {"mlp": {"batch": 128, "width": 256}, "cnn": {"batch": 64, "channels": 16},
          "lstm": {"batch": 32, "hidden": 256, "seq": 32}}
QUICK_SWEEPS = {"mlp": {"batch": [16, 32], "width": [64, 128]},
                "cnn": {"batch": [4, 8], "channels": [4, 8]},
                "lstm": {"batch": [4, 8], "hidden": [16, 32], "seq": [4, 8]}}
QUICK_MIDDLE = {"mlp": {"batch": 16, "width": 64}, "cnn": {"batch": 4, "channels": 4},
                "lstm": {"batch": 4, "hidden": 16, "seq": 4}}
V = 65          # the LSTM's vocabulary (one-hot inputs), as in bench/workloads/char_lstm.py


# ----------------------------------------------------------------------------- the models


def _data(model: str, p: dict):
    g = np.random.default_rng(0)
    if model == "mlp":
        return g.random((p["batch"], 784), dtype=np.float32), g.integers(0, 10, p["batch"])
    if model == "cnn":
        return (g.random((p["batch"], 1, 28, 28), dtype=np.float32),
                g.integers(0, 10, p["batch"]))
    ids = g.integers(0, V, (p["batch"], p["seq"] + 1))
    return np.eye(V, dtype=np.float32)[ids[:, :-1]], ids[:, 1:].reshape(-1)


def step_nnscratch(model: str, p: dict):
    """One training step of ``model`` with parameters ``p``, as a closure."""
    import nnscratch as ns
    import nnscratch.nn as nn
    import nnscratch.nn.functional as F
    import nnscratch.optim as optim
    ns.manual_seed(0)
    x, y = _data(model, p)
    if model == "mlp":
        net = nn.Sequential(nn.Linear(784, p["width"]), nn.ReLU(), nn.Linear(p["width"], 10))
        opt = optim.SGD(net.parameters(), lr=0.1)
    elif model == "cnn":
        c = p["channels"]
        net = nn.Sequential(nn.Conv2d(1, c, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                            nn.Conv2d(c, 2 * c, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                            nn.Flatten(), nn.Linear(2 * c * 49, 10))
        opt = optim.Adam(net.parameters(), lr=1e-3)
    else:
        rnn, head = nn.LSTM(V, p["hidden"], batch_first=True), nn.Linear(p["hidden"], V)
        opt = optim.Adam(list(rnn.parameters()) + list(head.parameters()), lr=2e-3)

        def net(t):
            return head(rnn(t)[0]).reshape(-1, V)
    xt = ns.Tensor._wrap(x)

    def step():
        loss = F.cross_entropy(net(xt), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return step


def step_torch(model: str, p: dict):
    import torch
    torch.manual_seed(0)
    x, y = _data(model, p)
    nn = torch.nn
    if model == "mlp":
        net = nn.Sequential(nn.Linear(784, p["width"]), nn.ReLU(), nn.Linear(p["width"], 10))
        opt = torch.optim.SGD(net.parameters(), lr=0.1)
    elif model == "cnn":
        c = p["channels"]
        net = nn.Sequential(nn.Conv2d(1, c, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                            nn.Conv2d(c, 2 * c, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                            nn.Flatten(), nn.Linear(2 * c * 49, 10))
        opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    else:
        rnn, head = nn.LSTM(V, p["hidden"], batch_first=True), nn.Linear(p["hidden"], V)
        opt = torch.optim.Adam(list(rnn.parameters()) + list(head.parameters()), lr=2e-3)

        def net(t):
            return head(rnn(t)[0]).reshape(-1, V)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)

    def step():
        loss = torch.nn.functional.cross_entropy(net(xt), yt)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return step


def time_step(step, budget: float = 0.25, least: int = 3, most: int = 15) -> float:
    """Median seconds of ``step()`` after two untimed calls: at least ``least`` calls, then
    more until ``budget`` seconds have passed (at most ``most``).  A step slower than 2 s gets
    one untimed call and two timed ones (the largest points would otherwise take minutes)."""
    t0 = time.perf_counter()
    step()
    if time.perf_counter() - t0 > 2.0:
        least = min(least, 2)
    else:
        step()
    times: list[float] = []
    started = time.perf_counter()
    while len(times) < least or (time.perf_counter() - started < budget and len(times) < most):
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def worker(model: str, axis: str, framework: str, threads: int, quick: bool) -> None:
    """Time every point of one sweep in this process; print them as JSON."""
    if framework == "torch":
        import torch
        torch.set_num_threads(threads)
    sweeps, middle = (QUICK_SWEEPS, QUICK_MIDDLE) if quick else (SWEEPS, MIDDLE)
    make = {"nnscratch": step_nnscratch, "torch": step_torch}[framework]
    out = {}
    for v in sweeps[model][axis]:
        p = dict(middle[model], **{axis: v})
        out[str(v)] = time_step(make(model, p), *((0.0, 1, 1) if quick else ()))
    print("SCALING-RESULT " + json.dumps(out))


# ----------------------------------------------------------------------------- the sweeps


def run_sweeps(rounds: int, threads: int, quick: bool, models) -> dict:
    """{model: {axis: {framework: [{value: seconds} per round]}}}"""
    results: dict = {}
    sweeps = QUICK_SWEEPS if quick else SWEEPS
    k = 0
    for model in models:
        for axis in sweeps[model]:
            per = results.setdefault(model, {}).setdefault(axis, {f: [] for f in FRAMEWORKS})
            for r in range(rounds):
                order = FRAMEWORKS if k % 2 == 0 else FRAMEWORKS[::-1]
                k += 1
                for f in order:
                    cmd = [sys.executable, str(HERE / "scaling.py"), "--worker", model, axis, f,
                           "--threads", str(threads)] + (["--quick"] if quick else [])
                    proc = subprocess.run(cmd, capture_output=True, text=True,
                                          env=_thread_env(threads), cwd=HERE.parent)
                    line = [ln for ln in proc.stdout.splitlines()
                            if ln.startswith("SCALING-RESULT ")]
                    if proc.returncode != 0 or not line:
                        raise RuntimeError(f"{model}/{axis}/{f} failed:\n{proc.stdout}\n"
                                           f"{proc.stderr}")
                    per[f].append(json.loads(line[-1][len("SCALING-RESULT "):]))
                    print(f"  {model:5s} {axis:8s} round {r + 1}/{rounds} {f:9s} " + " ".join(
                        f"{v}:{1e3 * s:.1f}ms" for v, s in per[f][-1].items()), flush=True)
    return results


def summary(results: dict) -> list[dict]:
    """One row per (model, axis, value): median ms of each framework, ratio median/min/max."""
    rows = []
    for model, axes in results.items():
        for axis, per in axes.items():
            for v in per["nnscratch"][0]:
                ours = [r[v] for r in per["nnscratch"]]
                theirs = [r[v] for r in per["torch"]]
                ratios = [a / b for a, b in zip(ours, theirs)]
                rows.append({"model": model, "axis": axis, "value": int(v),
                             "nnscratch_ms": 1e3 * statistics.median(ours),
                             "torch_ms": 1e3 * statistics.median(theirs),
                             "ratio": statistics.median(ratios), "ratio_min": min(ratios),
                             "ratio_max": max(ratios)})
    return rows


def table(rows: list[dict], middle: dict) -> list[str]:
    lines = ["| model | axis (others at) | value | nnscratch ms/step | torch ms/step | "
             "ratio nnscratch/torch (min–max) |", "|---|---|---|---|---|---|"]
    for r in rows:
        others = ", ".join(f"{k} {v}" for k, v in middle[r["model"]].items() if k != r["axis"])
        lines.append(f"| {r['model']} | {r['axis']} ({others}) | {r['value']} | "
                     f"{r['nnscratch_ms']:.2f} | {r['torch_ms']:.2f} | {r['ratio']:.2f} "
                     f"({r['ratio_min']:.2f}–{r['ratio_max']:.2f}) |")
    return lines


def plot(rows: list[dict], out_dir: pathlib.Path) -> list[pathlib.Path]:
    """One PNG per model: per axis, ms/step of both frameworks (top) and the ratio (bottom)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    paths = []
    for model in dict.fromkeys(r["model"] for r in rows):
        axes = list(dict.fromkeys(r["axis"] for r in rows if r["model"] == model))
        fig, grid = plt.subplots(2, len(axes), figsize=(4 * len(axes), 6), squeeze=False,
                                 sharex="col")
        for col, axis in enumerate(axes):
            pts = [r for r in rows if r["model"] == model and r["axis"] == axis]
            xs = [r["value"] for r in pts]
            top, bottom = grid[0][col], grid[1][col]
            top.loglog(xs, [r["nnscratch_ms"] for r in pts], "o-", label="nnscratch")
            top.loglog(xs, [r["torch_ms"] for r in pts], "s-", label="torch")
            top.set_title(f"{model}: {axis}")
            top.set_ylabel("ms per training step")
            top.legend()
            bottom.semilogx(xs, [r["ratio"] for r in pts], "o-", color="k")
            bottom.fill_between(xs, [r["ratio_min"] for r in pts],
                                [r["ratio_max"] for r in pts], alpha=0.2, color="k")
            bottom.axhline(1.0, color="grey", lw=0.8, ls="--")
            bottom.set_ylabel("nnscratch / torch")
            bottom.set_xlabel(axis)
            bottom.set_xticks(xs, [str(v) for v in xs])     # the sizes, not powers of ten
            bottom.minorticks_off()
        fig.tight_layout()
        path = out_dir / f"scaling_{model}.png"
        tmp = path.with_name(path.stem + ".tmp.png")
        fig.savefig(tmp, dpi=90)
        plt.close(fig)
        os.replace(tmp, path)
        paths.append(path)
    return paths


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true",
                   help="a smoke test: tiny sizes, 2 points per axis, one round, one step")
    p.add_argument("--rounds", type=int, default=None, help="default 2 (1 with --quick)")
    p.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    p.add_argument("--models", nargs="*", default=list(SWEEPS), choices=list(SWEEPS))
    p.add_argument("--out-dir", default=str(HERE))
    p.add_argument("--worker", nargs=3, metavar=("MODEL", "AXIS", "FRAMEWORK"),
                   help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.worker:
        worker(*args.worker, args.threads, args.quick)
        return 0
    rounds = args.rounds or (1 if args.quick else 2)
    out_dir = pathlib.Path(args.out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    results = {}
    raw = out_dir / "scaling.json"
    if set(args.models) != set(SWEEPS) and raw.exists():
        # re-running some models keeps the others' numbers (as bench/run.py --only does)
        old = json.loads(raw.read_text())
        if old.get("quick") == args.quick:
            results = {m: v for m, v in old["raw"].items() if m not in args.models}
    results.update(run_sweeps(rounds, args.threads, args.quick, args.models))
    results = {m: results[m] for m in SWEEPS if m in results}
    minutes = (time.perf_counter() - started) / 60
    rows = summary(results)
    rounds_of = {m: len(next(iter(axes.values()))["nnscratch"]) for m, axes in results.items()}
    middle = QUICK_MIDDLE if args.quick else MIDDLE
    info = machine()
    write_atomic(out_dir / "scaling.json", json.dumps(
        {"date": str(datetime.date.today()), "machine": info, "threads": args.threads,
         "rounds": rounds_of, "quick": args.quick, "rows": rows, "raw": results}, indent=1))
    text = ["# How a training step's cost grows: nnscratch against PyTorch", "",
            f"Measured {datetime.date.today()} on {info['cpu']} ({info['cores']} cores), "
            f"{args.threads} thread(s) per framework, rounds per model "
            + ", ".join(f"{m} {n}" for m, n in rounds_of.items()) + ", "
            f"{'--quick (smoke test sizes)' if args.quick else 'full sweeps'}; "
            + ", ".join(f"{k} {v}" for k, v in info["versions"].items()) + ". "
            "`python bench/scaling.py` (see its docstring for the models and the method); "
            f"the last run ({', '.join(args.models)}) took {minutes:.1f} minutes.", ""]
    text += table(rows, middle)
    try:
        paths = plot(rows, out_dir)
        text += ["", "Plots: " + ", ".join(f"`{p.name}`" for p in paths) + "."]
    except ImportError:
        text += ["", "(no plots: matplotlib is not installed)"]
    write_atomic(out_dir / "scaling.md", "\n".join(text) + "\n")
    print("\n".join(text))
    return 0


if __name__ == "__main__":
    sys.exit(main())
