"""nnscratch: run the textbook experiments, write their report, or train a model on a dataset.

examples:
  nnscratch list                              the experiments (name, source, one line)
  nnscratch run mlp-xor softmax-blobs         run some; write runs/NAME/metrics.json + PNGs
  nnscratch run all --quick                   run every experiment fast; write the report
  nnscratch report --out runs                 rebuild the report from runs/*/metrics.json
  nnscratch train --data digits --model mlp   train without writing code
  nnscratch train --data iris --save m.ckpt   ... and keep the model and its scaler
  nnscratch predict m.ckpt rows.csv           the class of each row (raw features)
  nnscratch evaluate m.ckpt                   its accuracy on the validation split
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
import math
import os
import pathlib
import sys
import tempfile

import numpy as np

from .._bounded_io import check_alloc, check_regular, npy_claim, open_regular
from .._checks import positive_problem
from ..optim import registry as optimizer_names
from .experiments.runner import discover, import_error_record, run_many

PROG = "nnscratch"


# ------------------------------------------------------------------ writability probes
def _unwritable(path, flag: str) -> str | None:
    """Why the file ``path`` could not be written, found by creating (and removing) a temporary
    file beside it, or None.  Run before any work, so that a bad path costs no training."""
    p = pathlib.Path(path)
    if p.is_dir():
        return f"{flag} {str(path)!r} is a directory, expected a file path"
    return _unwritable_dir(p.resolve().parent, flag, shown=path)  # directories are created


def _unwritable_dir(path, flag: str, shown=None) -> str | None:
    """Why files could not be written in the directory ``path`` (created if missing), or None;
    the message names ``shown`` (default ``path``)."""
    p, shown = pathlib.Path(path), path if shown is None else shown
    try:
        p.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        return f"{flag} {str(shown)!r}: {str(path)!r} cannot be created ({e.strerror or e})"
    return _probe_dir(p, flag, shown)


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
    from .._terminal import format_table, terminal_width, wrap_words
    from .report import in_book_order, source_legend
    reg, errors = discover()
    records = in_book_order([{"name": e.name, "source": e.source, "summary": e.summary}
                             for e in reg.values()])
    rows = [[r["name"], r["source"], r["summary"]] for r in records]
    for mod, tb in errors.items():
        rows.append([f"module:{mod}", "IMPORT FAILED", tb.strip().splitlines()[-1]])
    width = terminal_width()
    print(format_table(["experiment", "source", "summary"], rows, width))
    print(wrap_words(source_legend(records), width))
    return 1 if errors else 0


def _unknown_experiments(unknown: list[str], reg: dict, errors: dict) -> int:
    """Exit status 2 after naming each unknown experiment with the closest known names."""
    from .._terminal import did_you_mean
    for name in unknown:
        hint = did_you_mean(name, list(reg) + ["all"])
        print(f"{PROG} run: unknown experiment {name!r}{hint or '; see ' + repr(PROG + ' list')}",
              file=sys.stderr)
    if errors:
        print(f"{PROG} run: modules that failed to import: {', '.join(errors)}", file=sys.stderr)
    return 2


def _where_written(records: list[dict], out: pathlib.Path) -> str:
    """Where a single run's metrics and figures went, in one line per experiment."""
    lines = []
    for rec in records:
        figs = rec.get("figures") or []
        shown = ", ".join(str(out / f) for f in figs[:3]) + (" …" if len(figs) > 3 else "")
        lines.append(f"{rec['name']}: metrics in {out / rec['name'] / 'metrics.json'}"
                     + (f"; figures {shown}" if figs else ""))
    return "\n".join(lines)


def cmd_run(args) -> int:
    from .._terminal import terminal_width
    from .experiments.runner import RunInterrupted
    from .report import failed, summary_table, write_report
    reg, errors = discover()
    names = list(dict.fromkeys(args.names))
    run_all = "all" in names
    if run_all:     # in the texts' order, as the table and the report show them
        from .report import in_book_order
        names = [r["name"] for r in in_book_order(
            [{"name": e.name, "source": e.source} for e in reg.values()])]
    else:
        unknown = [n for n in names if n not in reg]
        if unknown:
            return _unknown_experiments(unknown, reg, errors)
    problem = _unwritable_dir(args.out, "--out")
    if problem:
        return _usage_error("run", problem)
    out = pathlib.Path(args.out)
    interrupted = False
    try:
        records = run_many([reg[n] for n in names], out, args.seed, args.quick, args.epochs,
                           args.threads, log=lambda line: print(f"[{PROG}] {line}", flush=True),
                           workers=args.workers, ray_address=args.ray)
    except RunInterrupted as stop:      # Ctrl-C: show what finished, then exit 130
        records, interrupted = stop.records, True
    if run_all and not interrupted:
        records += [import_error_record(m, tb) for m, tb in errors.items()]
    print()
    if records:
        print(summary_table(records, terminal_width()))
    if interrupted:
        print(f"{PROG} run: interrupted after {len(records)} of {len(names)} experiment(s); "
              f"their metrics and figures are in {out}/", file=sys.stderr)
        return 130  # 128 + SIGINT, as shells report it
    if run_all:
        md, page = write_report(records, out)
        print(f"\nreport: {page} and {md}")
    else:
        print("\n" + _where_written(records, out))
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
    from .._terminal import terminal_width
    print(summary_table(records, terminal_width()))
    md, page = write_report(records, out)
    print(f"\nreport: {page} and {md}")
    return 0 if not any(failed(r) for r in records) else 1


# ------------------------------------------------------------------ train
# the data sets: nnscratch.datasets.splits (seeded train/validation splits of raw features);
# the run's description: nnscratch.app.train_spec.TrainSpec (printed, built, saved, reloaded)
def _datasets() -> list[str]:
    from ..datasets.splits import SPLITS
    return sorted(SPLITS)


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
        problem = positive_problem(v)
        if problem:
            raise argparse.ArgumentTypeError(problem)
        return v
    return parse


def _seed(text):
    """A seed: an int in [0, 2**32) (the library generator's range)."""
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an int, got {text!r}") from None
    if not 0 <= v < 2 ** 32:
        raise argparse.ArgumentTypeError(f"must be an int in [0, 2**32), got {text}")
    return v


def _interrupted(args, where) -> int:
    """Ctrl-C during ``train``: say where training stopped and what was kept; exit 130."""
    from ..serialization import load
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
    from .. import nn
    from .. import random as nsrandom
    from ..datasets import splits
    from ..training import fit
    from ..training.callbacks import Callback
    from ..training.fit import DivergenceError
    from .train_spec import TrainSpec
    for flag, path in (("--save", args.save), ("--checkpoint", args.checkpoint),
                       ("--resume", args.resume)):
        if path is not None and not path.strip():
            return _usage_error("train", f"{flag} must be a file path, got {path!r}")
    for flag, path in (("--save", args.save), ("--checkpoint", args.checkpoint)):
        problem = path and _unwritable(path, flag)
        if problem:
            return _usage_error("train", problem)
    if args.resume and not os.path.isfile(args.resume):
        return _usage_error("train", f"--resume {args.resume!r} does not exist")
    nsrandom.manual_seed(args.seed)
    X_tr, y_tr, X_va, y_va = splits.train_validation(args.data, args.seed)
    scaler = None
    if splits.SPLITS[args.data].scaled:
        from ..preprocessing import StandardScaler
        scaler = StandardScaler().fit(X_tr)
        X_tr = scaler.transform(X_tr).astype(np.float32)
        X_va = scaler.transform(X_va).astype(np.float32)
    spec = TrainSpec(data=args.data, model=args.model, hidden=args.hidden,
                     activation=args.activation, optimizer=args.optimizer, lr=args.lr,
                     epochs=args.epochs, batch_size=args.batch_size, seed=args.seed,
                     n_in=X_tr.shape[1], n_out=int(max(y_tr.max(), y_va.max())) + 1)
    try:   # weights, gradients and up to two optimizer buffers, float32
        check_alloc(16 * spec.n_parameters, f"a {'-'.join(map(str, spec.sizes))} network "
                                            f"({spec.n_parameters} parameters)", "--hidden")
    except ValueError as e:
        return _usage_error("train", str(e))
    model = spec.build()
    opt = spec.make_optimizer(model.parameters())
    print(f"{PROG} train: {args.data} ({len(X_tr)} train / {len(X_va)} validation, "
          f"{spec.n_in} features, {spec.n_out} classes), {spec.describe()}")

    class Where(Callback):  # the epoch in progress, for the Ctrl-C message
        epoch = 0

        def on_epoch_begin(self, epoch, logs=None):
            self.epoch = epoch
    where = Where()
    try:   # overflow warnings before a divergence: the DivergenceError below says it in a line
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            hist = fit(model, X_tr, y_tr, loss=nn.CrossEntropyLoss(), optimizer=opt,
                       epochs=args.epochs, batch_size=args.batch_size,
                       validation_data=(X_va, y_va), metrics=["accuracy"],
                       progress=not args.quiet, seed=args.seed, callbacks=[where],
                       checkpoint=args.checkpoint, resume_from=args.resume)
    except KeyboardInterrupt:
        return _interrupted(args, where)
    except DivergenceError as e:  # --lr 1e30: the loss became NaN; say so in one line
        print(f"{PROG} train: {str(e).removeprefix('fit: ')}", file=sys.stderr)
        return 1
    except ValueError as e:  # a --resume file that is no fit() checkpoint (or another model's)
        if not (args.resume and str(e).startswith("fit: resume_from")):
            raise
        return _usage_error("train", str(e).removeprefix("fit: "))
    print(f"validation accuracy {hist.last('val_accuracy'):.4f}, validation loss "
          f"{hist.last('val_loss'):.4f}")
    if args.save:
        from ..models.saved import save_model
        save_model(args.save, model, spec.architecture, scaler=scaler,
                   config=spec.to_config(), history=hist.to_dict())
        print(f"saved the model and its scaler to {args.save}: use it with "
              f"'{PROG} predict {args.save} FILE', '{PROG} evaluate {args.save}' or "
              f"ns.load_model")
    return 0


# ------------------------------------------------------------------ predict / evaluate
def _load_saved(command: str, path: str):
    """(model, None) or (None, exit status 2 after saying why)."""
    from ..models.saved import load_model
    try:
        check_regular(path, "MODEL")
    except FileNotFoundError:
        return None, _usage_error(command, f"MODEL {path!r} does not exist")
    except (OSError, ValueError) as e:
        return None, _usage_error(command, str(e).replace("MODEL: ", "MODEL ", 1))
    try:
        return load_model(path), None
    except ValueError as e:
        return None, _usage_error(command, str(e).removeprefix("load_model: "))


def _read_features(path: str) -> np.ndarray:
    """Rows of raw features from a .npy file, or text (a file, or ``-`` for stdin) whose
    numbers are separated by commas (CSV) or by white space, whatever the file is named;
    blank lines and ``#`` comments are skipped.

    A .npy file's header is checked first: its shape and dtype must account for the bytes it
    stores, and the float32 copy must fit the memory budget (``check_alloc``), before any array
    is allocated; a path must name a regular file (no FIFO or device).  Raises ValueError (one
    line, naming the file) for anything that is not a finite real table."""
    owner = "INPUT"
    if path.endswith(".npy"):
        f, size = open_regular(path, owner)
        with f:
            shape, dtype = npy_claim(f, size, owner, path)
            if dtype.kind not in "biuf":
                raise ValueError(f"{owner} {path!r} holds {dtype} values, expected real "
                                 f"numbers (bool, int or float)")
            check_alloc(4 * math.prod(shape), f"{path!r} of shape {shape} as float32", owner)
            f.seek(0)
            X = np.load(f, allow_pickle=False)
    else:
        if path == "-":
            text = sys.stdin.read()
        else:
            f, _ = open_regular(path, owner)
            with f:
                text = f.read().decode()
        rows = [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
        if not rows:
            raise ValueError("it holds no rows of numbers")
        comma = any("," in r for r in rows)
        X = np.loadtxt(rows, delimiter="," if comma else None, ndmin=2)
    if X.dtype.kind == "f" and not np.isfinite(X).all():
        r = np.argwhere(~np.isfinite(X))[0]
        raise ValueError(f"{owner} {path!r} holds {X[tuple(r)]} at {tuple(int(i) for i in r)}; "
                         f"features must be finite")
    return X.astype(np.float32)


def cmd_predict(args) -> int:
    from ..training import predict
    model, status = _load_saved("predict", args.model)
    if model is None:
        return status
    try:
        if args.input != "-":
            check_regular(args.input, "INPUT")
    except FileNotFoundError:
        return _usage_error("predict", f"INPUT {args.input!r} does not exist")
    except (OSError, ValueError) as e:
        return _usage_error("predict", str(e).replace("INPUT: ", "INPUT ", 1))
    try:
        X = _read_features(args.input)
    except ValueError as e:
        msg = str(e).replace("INPUT: ", "INPUT ", 1) if str(e).startswith("INPUT") else \
            f"INPUT {args.input!r} is not a table of numbers ({e})"
        return _usage_error("predict", " ".join(msg.split()))
    n_in = model.architecture["sizes"][0]
    if X.ndim != 2 or X.shape[1] != n_in:
        return _usage_error("predict", f"INPUT {args.input!r} must have {n_in} features per "
                                       f"row (the model's input), got shape {X.shape}")
    if not len(X):
        return _usage_error("predict", f"INPUT {args.input!r} holds no rows (shape {X.shape})")
    logits = predict(model, X.astype(np.float32))
    if args.proba:
        from ..nn.functional import softmax
        from ..tensor import tensor
        for row in softmax(tensor(logits), dim=1).numpy():
            print(",".join(f"{v:.6g}" for v in row))
    else:
        for c in logits.argmax(axis=1):
            print(int(c))
    sys.stdout.flush()
    return 0


def cmd_evaluate(args) -> int:
    from .. import nn
    from ..training import evaluate
    model, status = _load_saved("evaluate", args.model)
    if model is None:
        return status
    from ..datasets import splits
    data = args.data or model.config.get("data")
    if data not in splits.SPLITS:
        return _usage_error("evaluate", f"--data must be one of {_datasets()} (the file "
                                        f"names no data set), got {data!r}")
    seed = int(model.config.get("seed", 0)) if args.seed is None else args.seed
    X_tr, y_tr, X_va, y_va = splits.train_validation(data, seed)
    X, y = (X_tr, y_tr) if args.split == "train" else (X_va, y_va)
    n_in = model.architecture["sizes"][0]
    if X.shape[1] != n_in:
        return _usage_error("evaluate", f"{data} has {X.shape[1]} features, the model takes "
                                        f"{n_in}")
    res = evaluate(model, np.asarray(X, np.float32), y, loss=nn.CrossEntropyLoss(),
                   metrics=["accuracy"])
    print(f"{data} {args.split} split ({len(X)} samples, seed {seed}): accuracy "
          f"{res['accuracy']:.4f} - loss {res['loss']:.4f}")
    return 0


def cmd_playground(args) -> int:
    from .playground.server import run
    return run(args.port)


# ------------------------------------------------------------------ parser
def _version() -> str:
    from .. import __version__
    return __version__


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG, description=__doc__.split("\n\n")[0],
        epilog=__doc__.split("\n\n", 1)[1], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version",
                        version=f"{PROG} {_version()} (numpy {np.__version__})")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for add in (_add_list_run_report, _add_train, _add_predict_evaluate, _add_playground_launch):
        add(sub)
    return parser


def _add_list_run_report(sub) -> None:
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
    p.add_argument("--seed", type=_seed, default=0, help="random seed (default 0)")
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


def _add_train(sub) -> None:
    from ..models.saved import ACTIVATIONS
    from .train_spec import MODELS, TrainSpec
    default = TrainSpec.default
    lrs = ", ".join(f"{e.name} {e.lr:g}" for e in optimizer_names.ENTRIES)
    p = sub.add_parser(
        "train", help="train a model on a bundled dataset (no code needed)",
        description="Train a classifier with softmax cross-entropy on a dataset, report the "
                    "validation accuracy, and optionally save the weights with ns.save.")
    p.add_argument("--data", choices=_datasets(), default=default("data"),
                   help=f"dataset (default: {default('data')})")
    p.add_argument("--model", choices=MODELS, default=default("model"),
                   help=f"linear (softmax regression) or mlp (default: {default('model')})")
    p.add_argument("--hidden", type=_hidden_sizes, default=list(default("hidden")),
                   help=f"mlp hidden sizes, comma-separated (default: "
                        f"{','.join(map(str, default('hidden')))})")
    p.add_argument("--activation", choices=sorted(ACTIVATIONS), default=default("activation"),
                   help=f"mlp activation (default: {default('activation')})")
    p.add_argument("--optimizer", choices=optimizer_names.names() + sorted(
                   optimizer_names.ALIASES), default=default("optimizer"),
                   help=f"optimizer (default: {default('optimizer')})")
    p.add_argument("--lr", type=_positive(float), default=None,
                   help=f"learning rate (default: the optimizer's: {lrs})")
    p.add_argument("--epochs", type=_positive(int), default=default("epochs"),
                   help=f"epochs (default: {default('epochs')})")
    p.add_argument("--batch-size", type=_positive(int), default=default("batch_size"),
                   help=f"mini-batch size (default: {default('batch_size')})")
    p.add_argument("--seed", type=_seed, default=default("seed"),
                   help=f"random seed (default: {default('seed')})")
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


def _add_predict_evaluate(sub) -> None:
    p = sub.add_parser(
        "predict", help="classify the rows of a file with a model saved by 'train --save'",
        description="Load a model saved by 'nnscratch train --save' (weights, architecture "
                    "and the fitted scaler) and print the predicted class of each row of "
                    "INPUT, one per line (--proba: the class probabilities, comma-separated). "
                    "INPUT holds raw, unscaled features: a .npy file, a .csv file, a "
                    "whitespace-separated text file, or - for standard input.")
    p.add_argument("model", metavar="MODEL", help="a file written by 'nnscratch train --save'")
    p.add_argument("input", metavar="INPUT", help="features, one row per sample (.npy, .csv, "
                                                  "text, or - for stdin)")
    p.add_argument("--proba", action="store_true", help="print class probabilities instead")
    p.set_defaults(func=cmd_predict)

    p = sub.add_parser(
        "evaluate", help="accuracy and loss of a model saved by 'train --save' on its data",
        description="Load a model saved by 'nnscratch train --save' and report its accuracy "
                    "and cross-entropy on the validation split it was trained beside (the "
                    "same data set and seed, unless --data/--seed say otherwise).")
    p.add_argument("model", metavar="MODEL", help="a file written by 'nnscratch train --save'")
    p.add_argument("--data", choices=_datasets(), default=None,
                   help="data set (default: the one the model was trained on)")
    p.add_argument("--split", choices=("validation", "train"), default="validation",
                   help="which split to score (default: validation)")
    p.add_argument("--seed", type=_seed, default=None,
                   help="the split's seed (default: the model's training seed)")
    p.set_defaults(func=cmd_evaluate)


def _add_playground_launch(sub) -> None:
    p = sub.add_parser(
        "playground", help="serve a neural-network playground on 127.0.0.1 (a web page)",
        description="Start a local web app where networks from nnscratch.nn learn toy data "
                    "sets live; prints the address to open. Ctrl-C stops it.")
    p.add_argument("--port", type=int, default=8000,
                   help="port on 127.0.0.1 (default: 8000; 0 picks a free one)")
    p.set_defaults(func=cmd_playground)

    from ..distributed import launch
    p = sub.add_parser(
        "launch", help="run a script on P MPI ranks (like torchrun), for nnscratch.distributed",
        description="Start P processes of 'python SCRIPT ARGS...' under mpiexec (from the "
                    "mpich wheel: pip install 'nnscratch[distributed]'), set up for one "
                    "machine: as root, more ranks than cores allowed, one BLAS thread each.")
    launch.build_parser(p)
    p.set_defaults(func=launch.run)


def _parse(argv):
    """argparse's parse, where an unknown flag is named with the closest flags of its command
    (``--quik`` -> did you mean '--quick'?)."""
    from .._terminal import did_you_mean
    parser = build_parser()
    args, extras = parser.parse_known_args(argv)
    if extras:
        sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        command = sub.choices[args.command]
        flags = [o for a in command._actions for o in a.option_strings]
        hints = "".join(did_you_mean(x.split("=")[0], flags) for x in extras
                        if x.startswith("-"))
        command.error(f"unrecognized arguments: {' '.join(extras)}{hints}")
    return args


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    try:
        status = args.func(args)
        sys.stdout.flush()      # inside the try: a closed pipe is caught below
        return status
    except ImportError as e:    # an optional package is missing: one line naming the extra
        from .._optional import missing_message
        msg = missing_message(e, f"{PROG} {args.command}")
        if msg is None:
            raise
        print(msg, file=sys.stderr)
        return 1
    except MemoryError:         # past the checks' budget the system may still run out
        print(f"{PROG} {args.command}: out of memory; use smaller sizes or data",
              file=sys.stderr)
        return 1
    except BrokenPipeError:     # `nnscratch list | head`: the reader left; so do we, quietly
        # stdout's buffer still holds what could not be written: point stdout at devnull so
        # that the interpreter's final flush does not raise a second time
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141 if os.name != "nt" else 1  # 128 + SIGPIPE, as shells report it


if __name__ == "__main__":
    sys.exit(main())
