"""Mutations that break the library on purpose, to show that the experiments' checks can fail.

Each mutation is a context manager that patches nnscratch in this process only:

* ``negated_gradients``: every gradient autograd returns has the wrong sign, as if every VJP
  had its sign flipped: gradient descent climbs, and a gradient compared with a closed form
  or torch differs;
* ``untrained``: optimizers do not move the parameters (every ``step`` is a no-op): the
  models stay at their initialisation;
* ``wrong_solvers``: the closed-form fitters of ``nnscratch.linear_model`` return
  coefficients off by 1 % (and 1e-3);
* ``wrong_forward``: ``nn.Linear``'s and ``F.conv1d``/``F.conv2d``'s outputs are off by
  1e-3 and ``nnscratch.stats``'s numbers by 1 %.

``python tests/app/experiments/experiment_mutations.py RUNS OUT.json [NAME ...]`` takes the
records of a quick run (``nnscratch run all --quick --out RUNS``) and runs each experiment again
under each mutation in turn, until one makes it fail, recording the metrics it reports (once:
the test
``tests/app/experiments/test_experiments_can_fail.py`` then feeds these recorded wrong results to
the experiments' checks as they were recorded beside them).
"""
from __future__ import annotations

import contextlib
import json
import pathlib
import sys

import numpy as np


@contextlib.contextmanager
def _patched(obj, name, value):
    old = getattr(obj, name)
    setattr(obj, name, value)
    try:
        yield
    finally:
        setattr(obj, name, old)


@contextlib.contextmanager
def negated_gradients():
    import importlib

    # the modules that call the backward sweep, by name: ``nnscratch.autograd.grad`` is also
    # the function, which ``from nnscratch.autograd import grad`` would give
    engine, functional, grad = (importlib.import_module(f"nnscratch.autograd.{m}")
                                for m in ("graph", "functional", "grad"))
    real = engine.run_backward

    def wrong(seeds, *args, **kwargs):     # the engine's own signature, passed through
        leaves = real(seeds, *args, **kwargs)
        capture = kwargs.get("capture", args[2] if len(args) > 2 else None)
        if capture:
            for k, g in list(capture.items()):
                if g is not None:
                    capture[k] = -g
        return {k: (leaf, -g) for k, (leaf, g) in leaves.items()}

    with contextlib.ExitStack() as stack:
        for mod in (engine, functional, grad):
            if getattr(mod, "run_backward", None) is real:
                stack.enter_context(_patched(mod, "run_backward", wrong))
        yield


@contextlib.contextmanager
def untrained():
    from nnscratch import optim
    from nnscratch.optim import lbfgs, optimizer

    def no_step(self, closure=None):
        if closure is not None:
            from nnscratch.autograd import enable_grad
            with enable_grad():
                return closure()
        return None

    with contextlib.ExitStack() as stack:
        stack.enter_context(_patched(optimizer.Optimizer, "step", no_step))
        stack.enter_context(_patched(lbfgs.LBFGS, "step", no_step))
        for name in dir(optim):
            cls = getattr(optim, name)
            if isinstance(cls, type) and "step" in vars(cls) and \
                    issubclass(cls, optimizer.Optimizer):
                stack.enter_context(_patched(cls, "step", no_step))
        yield


@contextlib.contextmanager
def wrong_solvers():
    """The closed-form fitters' coefficients off by 1 %."""
    from nnscratch import linear_model
    with contextlib.ExitStack() as stack:
        for name in dir(linear_model):
            cls = getattr(linear_model, name)
            if isinstance(cls, type) and hasattr(cls, "fit"):
                real_fit = cls.fit

                def fit(self, *args, _real=real_fit, **kw):
                    out = _real(self, *args, **kw)
                    for attr in ("coef_", "intercept_"):
                        v = getattr(self, attr, None)
                        if isinstance(v, np.ndarray) and v.dtype.kind == "f":
                            setattr(self, attr, v * 1.01 + 1e-3)
                    return out
                stack.enter_context(_patched(cls, "fit", fit))
        yield


@contextlib.contextmanager
def wrong_forward():
    """Forward computations a little off: ``nn.Linear``'s and ``F.conv1d``/``F.conv2d``'s
    outputs shifted by 1e-3 and the numbers of ``nnscratch.stats`` 1 % off."""
    from nnscratch import stats
    from nnscratch.nn import functional as F
    from nnscratch.nn import linear
    real_forward = linear.Linear.forward

    def shifted(fn):
        def wrong(*args, **kw):
            return fn(*args, **kw) + 1e-3
        return wrong

    def forward(self, x):
        return real_forward(self, x) + 1e-3

    def off(v):
        if isinstance(v, tuple):
            return tuple(off(a) for a in v)
        return v * 1.01 if isinstance(v, (float, np.ndarray)) else v

    def scaled(fn):
        def wrong(*args, **kw):
            return off(fn(*args, **kw))
        return wrong

    with contextlib.ExitStack() as stack:
        stack.enter_context(_patched(linear.Linear, "forward", forward))
        for name in ("conv1d", "conv2d"):
            stack.enter_context(_patched(F, name, shifted(getattr(F, name))))
        for name in ("gaussian_pdf", "mvn_pdf", "entropy", "bernoulli_entropy",
                     "kl_divergence", "gaussian_entropy", "kl_gaussian",
                     "gaussian_log_likelihood", "mle_gaussian"):
            stack.enter_context(_patched(stats, name, scaled(getattr(stats, name))))
        yield


MUTATIONS = {"negated_gradients": negated_gradients, "untrained": untrained,
             "wrong_solvers": wrong_solvers, "wrong_forward": wrong_forward}


def record(runs: pathlib.Path, out: pathlib.Path, names=None) -> dict:
    """For every experiment of the quick run in ``runs`` (``nnscratch run all --quick --out
    RUNS``), or only ``names``: keep its claims and metrics, then run it again in quick mode
    under each mutation in turn until one makes it fail; write and return {experiment:
    {"expected", "metrics", "status", "wrong": {mutation: metrics}}}."""
    import tempfile

    from nnscratch.app.experiments import registry
    from nnscratch.app.experiments.runner import run_experiment
    reg = registry.load_all()
    names = names or sorted(reg)
    got = json.loads(out.read_text()) if out.exists() else {}
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            rec = json.loads((runs / name / "metrics.json").read_text())
            got[name] = {"expected": rec["expected"], "metrics": rec["metrics"],
                         "status": rec["status"], "wrong": {}}
            for mname, mutation in MUTATIONS.items():
                with mutation():
                    wrong = run_experiment(reg[name], pathlib.Path(tmp), 0, True, None)
                # a run that raised keeps the exception's last line, so the record says why
                got[name]["wrong"][mname] = (
                    {"error": wrong["error"].strip().splitlines()[-1]}
                    if wrong["status"] == "error" else wrong["metrics"])
                print(name, mname, wrong["status"], flush=True)
                if wrong["status"] in ("fail", "error"):
                    break
            out.write_text(json.dumps(got, indent=0, sort_keys=True) + "\n")
    return got


if __name__ == "__main__":
    record(pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2]), sys.argv[3:] or None)
