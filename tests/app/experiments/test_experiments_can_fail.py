"""Every experiment's checks can fail.

1. Recorded once (``tests/app/experiments/experiment_mutations.py``): for every experiment, the
   claims and metrics of its quick run, and the metrics of the same run with the library broken on
   purpose (gradients of the wrong sign, optimizers that do not step, closed-form fitters 1 %
   off, forward passes a little off): the claims accept the real metrics and reject the
   broken run's.  The few experiments no mutation reaches (parameter counts, shapes) are fed
   their own metrics perturbed by 10 % (up, or down if up fails nothing).
2. Live, end to end: for 14 fast experiments, one mutation makes the experiment fail.
"""
import json
import pathlib
import traceback

import numpy as np
import pytest
from experiment_mutations import MUTATIONS

from nnscratch.app.experiments import registry
from nnscratch.app.experiments.registry import FAIL, Config, Expect

RECORDED = pathlib.Path(__file__).parent / "data" / "experiments_wrong.json"
WRONG = json.loads(RECORDED.read_text())


def _claims(rec):
    return {k: Expect(e["op"], e["value"], e.get("note", ""), e["source"],
                      full_only=e["status"] == "needs the full run", metric=e["metric"])
            for k, e in rec["expected"].items()}


def _failed(claims, metrics):
    return [k for k, e in claims.items() if e.status(metrics.get(e.metric or k)) == FAIL]


def test_every_experiment_is_recorded():
    assert sorted(WRONG) == sorted(registry.load_all())


def _perturbed(metrics, sign):
    """Every number 10 % (and 1) off, up (sign 1) or down (-1): the wrong results for the
    experiments that no mutation of the library changes (counts, and tolerances a 1 % error
    stays within)."""
    return {k: v * (1 + 0.1 * sign) + sign if isinstance(v, (int, float))
            and not isinstance(v, bool) else v for k, v in metrics.items()}


def _wrong(rec):
    """(what went wrong, its metrics): the mutation that broke the run (the recorder stops at
    the first one; a record ``{"error": ...}`` means the run raised) or, if none did, the
    perturbed metrics."""
    for mutation, wrong in rec["wrong"].items():
        assert wrong, f"an empty record for {mutation}: re-record it (experiment_mutations.py)"
        if "error" in wrong or _failed(_claims(rec), wrong):
            return mutation, wrong
    up = _perturbed(rec["metrics"], 1)
    return "perturbed values", up if _failed(_claims(rec), up) else _perturbed(rec["metrics"], -1)


@pytest.mark.parametrize("name", sorted(WRONG))
def test_checks_accept_the_run_and_reject_a_wrong_result(name):
    rec = WRONG[name]
    claims = _claims(rec)
    assert claims, f"{name} checks nothing"
    assert not _failed(claims, rec["metrics"])
    how, wrong = _wrong(rec)
    assert not wrong or _failed(claims, wrong), f"{name}: no check fails with {how}"


def test_most_experiments_are_failed_by_a_broken_library_not_only_by_perturbed_values():
    perturbed = sorted(n for n, rec in WRONG.items() if _wrong(rec)[0] == "perturbed values")
    # measured: mnist-batch-figure, mnist-parameter-counts, multilabel-yeast, optimizer-race,
    # softmax-digits, softmax-to-argmax, towers-m-variables (counts and data descriptions, and
    # tolerances a 1 % error stays within)
    assert len(perturbed) <= 7, perturbed


def test_each_mutation_breaks_what_it_says():
    """The harness itself: if the library's internals move (a new argument of the backward
    sweep, a renamed method), a mutation would raise inside every experiment instead of
    breaking it, and a raise counts as a failure.  So each one is checked on a tiny case."""
    import nnscratch as ns
    from nnscratch import autograd, linear_model, nn, optim
    x = np.array([1.0, -2.0, 3.0])
    with MUTATIONS["negated_gradients"]():
        w = ns.tensor([0.5, 0.5, 0.5], requires_grad=True)
        (w * ns.tensor(x)).sum().backward()
        np.testing.assert_array_equal(w.grad.numpy(), -x)
        u = ns.tensor([0.5, 0.5, 0.5], requires_grad=True)
        (g,) = autograd.grad((u * ns.tensor(x)).sum(), [u])
        np.testing.assert_array_equal(g.numpy(), -x)
    with MUTATIONS["untrained"]():
        w = ns.tensor([1.0, 1.0], requires_grad=True)
        for opt in (optim.SGD([w], lr=0.1), optim.Adam([w], lr=0.1)):
            (w * w).sum().backward()
            opt.step()
        np.testing.assert_array_equal(w.detach().numpy(), [1.0, 1.0])
    X = np.arange(12.0).reshape(6, 2) ** 0.5
    y = X @ np.array([1.0, 2.0]) + 0.5
    right = linear_model.LinearRegression().fit(X, y).coef_
    with MUTATIONS["wrong_solvers"]():
        off = linear_model.LinearRegression().fit(X, y).coef_
    np.testing.assert_allclose(off, right * 1.01 + 1e-3)
    layer = nn.Linear(2, 1)
    right = layer(ns.tensor(X, dtype=ns.float32)).detach().numpy()
    with MUTATIONS["wrong_forward"]():
        off = layer(ns.tensor(X, dtype=ns.float32)).detach().numpy()
    np.testing.assert_allclose(off, right + 1e-3, rtol=1e-6)


# fast experiments and a mutation that must make each fail, run now, end to end
LIVE = [("linreg-energy", "wrong_solvers"), ("poly-basis", "wrong_solvers"),
        ("rbf-kernel", "wrong_solvers"), ("sigmoid-to-perceptron", "wrong_forward"),
        ("entropy-bernoulli", "wrong_forward"), ("backprop-equations", "negated_gradients"),
        ("adam-assignment", "negated_gradients"),
        ("cross-entropy-slowdown", "negated_gradients"), ("mlp-xor", "untrained"),
        ("mle-as-kl", "negated_gradients"), ("xor-relu-by-hand", "wrong_forward"),
        ("early-stopping-criteria", "untrained"), ("spam-assignment", "untrained"),
        ("softmax-three-classes", "negated_gradients")]


@pytest.mark.parametrize("name,mutation", LIVE)
def test_a_broken_library_fails_the_experiment(name, mutation, tmp_path):
    exp = registry.get(name)
    with MUTATIONS[mutation]():
        try:
            res = exp(Config(seed=0, quick=True, out=tmp_path))
        except Exception as e:  # a broken library may also raise: that is a failure too,
            # but not a mutation that no longer fits the code it patches
            assert "experiment_mutations" not in "".join(traceback.format_tb(e.__traceback__)
                                                         [-1:]), e
            return
    assert res.status == FAIL, (name, mutation, res.metrics)
