"""nnscratch: run the textbook experiments, write their report, or train a model on a dataset.

examples:
  nnscratch list                              the experiments (name, source, one line)
  nnscratch run mlp-xor softmax-blobs         run some; write runs/NAME/metrics.json + PNGs
  nnscratch run all --quick                   run every experiment fast; write the report
  nnscratch report --out runs                 rebuild the report from runs/*/metrics.json
  nnscratch train --data digits --model mlp   train without writing code
  nnscratch playground --port 8000            a neural-network playground in the browser
  nnscratch run all --quick --workers 2       run them two at a time (--ray: on Ray)
  nnscratch launch -n 2 train.py --lr 0.1     run a script on 2 MPI ranks (like torchrun)

Exit status: 0 when no experiment run fails (a quick run may leave claims to the full run:
its status says so), 1 when one misses an expected value or raises (the others still run),
2 for bad arguments (including an
output path that cannot be written: it is probed before any work), 130 when Ctrl-C interrupts
'train' (it says where; with --checkpoint, --resume continues from the last finished epoch).
"""
from __future__ import annotations

import argparse
import os
import pathlib
import sys
import tempfile

import numpy as np

from .experiments.runner import discover, import_error_record, run_many
from .optim import registry as optimizer_names

PROG = "nnscratch"


# ------------------------------------------------------------------ writability probes
def _unwritable(path, flag: str) -> str | None:
    """Why the file ``path`` could not be written, found by creating (and removing) a temporary
    file beside it, or None.  Run before any work, so that a bad path costs no training."""
    p = pathlib.Path(path)
    if p.is_dir():
        return f"{flag} {str(path)!r} is a directory, expected a file path"
    parent = p.resolve().parent
    if not parent.is_dir():
        return f"{flag} directory {str(parent)!r} does not exist"
    return _probe_dir(parent, flag, path)


def _unwritable_dir(path, flag: str) -> str | None:
    """Why files could not be written in the directory ``path`` (created if missing), or None."""
    p = pathlib.Path(path)
    try:
        p.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        return f"{flag} {str(path)!r} cannot be created ({e.strerror or e})"
    return _probe_dir(p, flag, path)


def _probe_dir(directory, flag, shown) -> str | None:
    try:
        with tempfile.TemporaryFile(dir=directory):
            pass
    except OSError as e:
        return f"{flag} {str(shown)!r} is not writable ({e.strerror or e})"
    return None


def _usage_error(command: str, problem: str) -> int:
    print(f"{PROG} {command}: {problem}", file=sys.stderr)
    return 2


# ------------------------------------------------------------------ commands
def cmd_list(args) -> int:
    reg, errors = discover()
    rows = [(e.name, e.source, e.summary) for e in sorted(reg.values(), key=lambda e: e.name)]
    w0 = max([len(r[0]) for r in rows] + [10])
    w1 = max([len(r[1]) for r in rows] + [6])
    print(f"{'experiment'.ljust(w0)}  {'source'.ljust(w1)}  summary")
    for name, source, summary in rows:
        print(f"{name.ljust(w0)}  {source.ljust(w1)}  {summary}")
    for mod, tb in errors.items():
        last = tb.strip().splitlines()[-1]
        print(f"{('module:' + mod).ljust(w0)}  {'IMPORT FAILED'.ljust(w1)}  {last}")
    return 1 if errors else 0


def cmd_run(args) -> int:
    from .report import failed, summary_table, write_report
    reg, errors = discover()
    names = list(dict.fromkeys(args.names))
    run_all = "all" in names
    if run_all:
        names = sorted(reg)
    else:
        unknown = [n for n in names if n not in reg]
        if unknown:
            msg = (f"{PROG} run: unknown experiment(s) {', '.join(map(repr, unknown))}; "
                   f"choose from: all, {', '.join(sorted(reg))}")
            if errors:
                msg += f" (modules that failed to import: {', '.join(errors)})"
            print(msg, file=sys.stderr)
            return 2
    problem = _unwritable_dir(args.out, "--out")
    if problem:
        return _usage_error("run", problem)
    out = pathlib.Path(args.out)
    records = run_many([reg[n] for n in names], out, args.seed, args.quick, args.epochs,
                       args.threads, log=lambda line: print(f"[{PROG}] {line}", flush=True),
                       workers=args.workers, ray_address=args.ray)
    if run_all:
        records += [import_error_record(m, tb) for m, tb in errors.items()]
    print()
    print(summary_table(records))
    if run_all:
        md, page = write_report(records, out)
        print(f"\nreport: {page} and {md}")
    return 0 if records and not any(failed(r) for r in records) else 1


def cmd_report(args) -> int:
    from .report import failed, load_records, summary_table, write_report
    out = pathlib.Path(args.out)
    records = load_records(out) if out.is_dir() else []
    if not records:
        print(f"{PROG} report: no {out}/*/metrics.json found; run experiments first",
              file=sys.stderr)
        return 2
    problem = _unwritable_dir(out, "--out")
    if problem:
        return _usage_error("report", problem)
    print(summary_table(records))
    md, page = write_report(records, out)
    print(f"\nreport: {page} and {md}")
    return 0 if not any(failed(r) for r in records) else 1


# ------------------------------------------------------------------ train
def _split_scale(X, y, seed):
    from .data import StandardScaler, train_test_split
    X_tr, X_va, y_tr, y_va = train_test_split(X, y, test_size=0.2, random_state=seed, stratify=y)
    sc = StandardScaler().fit(X_tr)
    return (sc.transform(X_tr).astype(np.float32), y_tr,
            sc.transform(X_va).astype(np.float32), y_va)


def _data_digits(seed):
    from . import datasets
    return _split_scale(*datasets.load_digits(), seed)


def _data_mnist(seed):
    from . import datasets
    (X_tr, y_tr), (X_va, y_va), _ = datasets.load_mnist()
    return X_tr, y_tr, X_va, y_va


def _data_mnist1d(seed):
    from . import datasets
    (X_tr, y_tr), (X_va, y_va) = datasets.load_mnist1d()
    return X_tr, y_tr, X_va, y_va


def _data_breast_cancer(seed):
    from . import datasets
    return _split_scale(*datasets.load_breast_cancer(), seed)


def _data_iris(seed):
    from . import datasets
    return _split_scale(*datasets.load_iris(), seed)


DATASETS = {"digits": _data_digits, "mnist": _data_mnist, "mnist1d": _data_mnist1d,
            "breast_cancer": _data_breast_cancer, "iris": _data_iris}
MODELS = ("linear", "mlp")
ACTIVATIONS = ("relu", "tanh", "sigmoid")


def _hidden_sizes(text: str) -> list[int]:
    try:
        sizes = [int(s) for s in text.split(",") if s.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"--hidden must be comma-separated ints like 200,100, "
                                         f"got {text!r}") from None
    if not sizes or any(s < 1 for s in sizes):
        raise argparse.ArgumentTypeError(f"--hidden sizes must be >= 1, got {text!r}")
    return sizes


def _positive(kind):
    def parse(text):
        try:
            v = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a {kind.__name__}, got {text!r}") from None
        if not v > 0:
            raise argparse.ArgumentTypeError(f"must be > 0, got {text}")
        return v
    return parse


def build_model(kind: str, n_in: int, n_out: int, hidden=(100,), activation: str = "relu"):
    """``linear``: one Linear layer (softmax/logistic regression); ``mlp``: Linear layers of
    ``hidden`` sizes with ``activation`` between them."""
    from . import nn
    from .models import mlp
    act = {"relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid}[activation]
    return mlp([n_in] + (list(hidden) if kind == "mlp" else []) + [n_out], activation=act)


def _interrupted(args, where) -> int:
    """Ctrl-C during ``train``: say where training stopped and what was kept; exit 130."""
    from .serialization import load
    msg = f"{PROG} train: interrupted in epoch {where.epoch + 1} of {args.epochs}"
    kept = None
    if args.checkpoint and os.path.isfile(args.checkpoint):
        try:
            kept = int(load(args.checkpoint)["epoch"])
        except (ValueError, KeyError, TypeError):
            kept = None
    if kept:
        msg += (f"; {args.checkpoint} holds the {kept} finished epoch(s): continue with "
                f"--resume {args.checkpoint}")
    elif args.checkpoint:
        msg += "; no epoch had finished, so there is nothing to resume"
    else:
        msg += "; nothing was kept (pass --checkpoint PATH to keep every finished epoch)"
    print(msg, file=sys.stderr)
    return 130  # 128 + SIGINT, as shells report it


def cmd_train(args) -> int:
    from . import nn
    from . import random as nsrandom
    from .serialization import save
    from .training import fit
    from .training.callbacks import Callback
    for flag, path in (("--save", args.save), ("--checkpoint", args.checkpoint)):
        problem = path and _unwritable(path, flag)
        if problem:
            return _usage_error("train", problem)
    if args.resume and not os.path.isfile(args.resume):
        return _usage_error("train", f"--resume {args.resume!r} does not exist")
    nsrandom.manual_seed(args.seed)
    X_tr, y_tr, X_va, y_va = DATASETS[args.data](args.seed)
    n_classes = int(max(y_tr.max(), y_va.max())) + 1
    model = build_model(args.model, X_tr.shape[1], n_classes, args.hidden, args.activation)
    entry = optimizer_names.lookup(args.optimizer)
    lr = args.lr if args.lr is not None else entry.lr
    opt = entry.optimizer_class()(model.parameters(), lr=lr, **entry.options)
    sizes = [X_tr.shape[1]] + (list(args.hidden) if args.model == "mlp" else []) + [n_classes]
    arch = "-".join(map(str, sizes)) + (f" {args.activation}" if args.model == "mlp" else "")
    print(f"{PROG} train: {args.data} ({len(X_tr)} train / {len(X_va)} validation, "
          f"{X_tr.shape[1]} features, {n_classes} classes), {args.model} {arch}, "
          f"{args.optimizer} lr={lr}, {args.epochs} epochs of batch {args.batch_size}")

    class Where(Callback):  # the epoch in progress, for the Ctrl-C message
        epoch = 0

        def on_epoch_begin(self, epoch, logs=None):
            self.epoch = epoch
    where = Where()
    try:
        hist = fit(model, X_tr, y_tr, loss=nn.CrossEntropyLoss(), optimizer=opt,
                   epochs=args.epochs, batch_size=args.batch_size,
                   validation_data=(X_va, y_va), metrics=["accuracy"],
                   progress=not args.quiet, seed=args.seed, callbacks=[where],
                   checkpoint=args.checkpoint, resume_from=args.resume)
    except KeyboardInterrupt:
        return _interrupted(args, where)
    except ValueError as e:  # a --resume file that is no fit() checkpoint (or another model's)
        if not (args.resume and str(e).startswith("fit: resume_from")):
            raise
        return _usage_error("train", str(e).removeprefix("fit: "))
    print(f"validation accuracy {hist.last('val_accuracy'):.4f}, validation loss "
          f"{hist.last('val_loss'):.4f}")
    if args.save:
        save({"model": model.state_dict(),
              "config": {"data": args.data, "model": args.model, "hidden": list(args.hidden),
                         "activation": args.activation, "n_in": int(X_tr.shape[1]),
                         "n_out": n_classes, "optimizer": args.optimizer, "lr": lr,
                         "epochs": args.epochs, "batch_size": args.batch_size,
                         "seed": args.seed},
              "history": hist.to_dict()}, args.save)
        print(f"saved the model to {args.save} (load it with ns.load)")
    return 0


def cmd_playground(args) -> int:
    from .playground.server import run
    return run(args.port)


# ------------------------------------------------------------------ parser
def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG, description=__doc__.split("\n\n")[0],
        epilog=__doc__.split("\n\n", 1)[1], formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    p = sub.add_parser("list", help="list the experiments: name, chapter/source, one line")
    p.set_defaults(func=cmd_list)

    p = sub.add_parser(
        "run", help="run experiments by name (or 'all'), write metrics, figures, report",
        description="Run experiments. Each writes OUT/NAME/metrics.json and its PNG figures; "
                    "'all' runs every experiment and also writes OUT/report.html (figures "
                    "embedded) and OUT/report.md. Prints a summary table; exits 1 if any "
                    "experiment misses its expected value or raises.")
    p.add_argument("names", nargs="+", metavar="NAME",
                   help="experiment names (see 'nnscratch list'), or 'all'")
    p.add_argument("--quick", action="store_true",
                   help="fewer epochs / smaller data: checks what a short run can show; "
                        "the status says which claims need the full run")
    p.add_argument("--epochs", type=_positive(int), default=None,
                   help="override each experiment's number of epochs")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--out", default="runs", help="output directory (default: runs)")
    p.add_argument("--threads", type=_positive(int), default=1,
                   help="BLAS threads for the experiments (default 1: their matrices are "
                        "small, and extra threads only contend)")
    p.add_argument("--workers", type=_positive(int), default=1,
                   help="run this many experiments at a time, each in its own process "
                        "(default 1: one after the other)")
    p.add_argument("--ray", nargs="?", const="local", default=None, metavar="ADDRESS",
                   help="run the experiments as Ray tasks: on a local Ray with --workers "
                        "CPUs, or on the cluster at ADDRESS (host:port)")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser(
        "report", help="rebuild OUT/report.html and OUT/report.md from OUT/*/metrics.json",
        description="Rebuild the report from the metrics.json files that earlier 'run' "
                    "commands wrote (e.g. after running experiments one by one).")
    p.add_argument("--out", default="runs", help="the run directory (default: runs)")
    p.set_defaults(func=cmd_report)

    p = sub.add_parser(
        "train", help="train a model on a bundled dataset (no code needed)",
        description="Train a classifier with softmax cross-entropy on a dataset, report the "
                    "validation accuracy, and optionally save the weights with ns.save.")
    p.add_argument("--data", choices=sorted(DATASETS), default="digits",
                   help="dataset (default: digits)")
    p.add_argument("--model", choices=MODELS, default="mlp",
                   help="linear (softmax regression) or mlp (default: mlp)")
    p.add_argument("--hidden", type=_hidden_sizes, default=[100],
                   help="mlp hidden sizes, comma-separated (default: 100)")
    p.add_argument("--activation", choices=ACTIVATIONS, default="relu",
                   help="mlp activation (default: relu)")
    p.add_argument("--optimizer", choices=optimizer_names.names() + sorted(
                   optimizer_names.ALIASES), default="adam", help="optimizer (default: adam)")
    p.add_argument("--lr", type=_positive(float), default=None,
                   help="learning rate (default: the optimizer's usual: sgd 0.1, adam 1e-3, …)")
    p.add_argument("--epochs", type=_positive(int), default=10, help="epochs (default: 10)")
    p.add_argument("--batch-size", type=_positive(int), default=64,
                   help="mini-batch size (default: 64)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    p.add_argument("--save", metavar="PATH", default=None,
                   help="save model weights, config and history here (ns.save format)")
    p.add_argument("--checkpoint", metavar="PATH", default=None,
                   help="after every epoch, save everything needed to resume here (fit's "
                        "checkpoint: model, optimizer, random states, history)")
    p.add_argument("--resume", metavar="PATH", default=None,
                   help="continue from a --checkpoint file (same other arguments); the result "
                        "is bit-identical to an uninterrupted run")
    p.add_argument("--quiet", action="store_true", help="no progress output")
    p.set_defaults(func=cmd_train)

    p = sub.add_parser(
        "playground", help="serve a neural-network playground on 127.0.0.1 (a web page)",
        description="Start a local web app where networks from nnscratch.nn learn toy data "
                    "sets live; prints the address to open. Ctrl-C stops it.")
    p.add_argument("--port", type=int, default=8000,
                   help="port on 127.0.0.1 (default: 8000; 0 picks a free one)")
    p.set_defaults(func=cmd_playground)

    from .distributed import launch
    p = sub.add_parser(
        "launch", help="run a script on P MPI ranks (like torchrun), for nnscratch.distributed",
        description="Start P processes of 'python SCRIPT ARGS...' under mpiexec (from the "
                    "mpich wheel: pip install 'nnscratch[distributed]'), set up for one "
                    "machine: as root, more ranks than cores allowed, one BLAS thread each.")
    launch.build_parser(p)
    p.set_defaults(func=launch.run)
    return parser


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
