"""Sweeps: ``run all --workers N`` (process pool, or Ray tasks) and ``ns.app.tune.search`` (Ray
Tune, or the local pool).  One Ray session for the whole module (starting Ray costs seconds), and
the module is one xdist group so it is started once; everything stays on this machine.
Cost: about 30-40 s on 2 cores, most of it Ray's start and its trial actors.
"""
import json
import os
import socket

import numpy as np
import pytest

import nnscratch as ns
import nnscratch.nn as nn
from nnscratch.app import cli
from nnscratch.app.experiments.runner import discover, run_many
from nnscratch.app.tune import RayUnavailable

pytestmark = pytest.mark.xdist_group("ray")

FAST = ["logreg-and", "mlp-xor", "softmax-blobs"]     # quick runs of a few seconds each
ONE_BLAS_THREAD = {v: "1" for v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS",
                                    "MKL_NUM_THREADS")}


@pytest.fixture(scope="module")
def ray_up():
    import ray
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False,
             configure_logging=False, runtime_env={"env_vars": ONE_BLAS_THREAD})
    yield ray
    ray.shutdown()


def _comparable(rec):
    return {k: v for k, v in rec.items() if k != "seconds"}


def test_run_all_workers_2_gives_the_serial_records(tmp_path, capsys):
    reg, _ = discover()
    serial = run_many([reg[n] for n in FAST], tmp_path / "serial", quick=True, log=lambda s: 0)
    rc = cli.main(["run", *FAST, "--quick", "--workers", "2", "--out", str(tmp_path / "pool")])
    capsys.readouterr()
    assert rc == 0
    for rec in serial:
        pooled = json.loads((tmp_path / "pool" / rec["name"] / "metrics.json").read_text())
        assert _comparable(pooled) == _comparable(rec)
        assert all((tmp_path / "pool" / f).is_file() for f in pooled["figures"])


def test_run_on_ray_gives_the_serial_record(tmp_path, ray_up):
    reg, _ = discover()
    exp = [reg["mlp-xor"]]
    serial = run_many(exp, tmp_path / "serial", quick=True, log=lambda s: 0)
    on_ray = run_many(exp, tmp_path / "ray", quick=True, log=lambda s: 0, workers=2,
                      ray_address="local")
    assert [_comparable(r) for r in on_ray] == [_comparable(r) for r in serial]


def _closed_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]          # nothing listens there once the socket is closed


def test_an_unreachable_ray_cluster_is_a_clear_error(tmp_path):
    address = f"127.0.0.1:{_closed_port()}"
    reg, _ = discover()
    with pytest.raises(RayUnavailable, match=f"Ray cluster at '{address}' is not reachable"):
        run_many([reg["mlp-xor"]], tmp_path, quick=True, ray_address=address)
    with pytest.raises(RayUnavailable, match="not reachable"):
        ns.app.tune.search(train_fn, {"lr": [0.1]}, metric="loss", backend="ray", address=address,
                       data=_data())


# ----------------------------------------------------------------------------- tune.search

def _data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 4))
    y = (X[:, 0] * X[:, 1] > 0).astype(np.int64)
    return X, y


def train_fn(config, data):
    """A small MLP trained for a few epochs on read-only arrays (Ray's object store gives
    those; the local pool too): its final training loss and accuracy."""
    X, y = data
    assert not X.flags.writeable
    model = nn.Sequential(nn.Linear(4, config["hidden"]), nn.Tanh(),
                          nn.Linear(config["hidden"], 2))
    opt = ns.optim.Adam(model.parameters(), lr=config["lr"])
    hist = ns.fit(model, X, y, loss="cross_entropy", optimizer=opt, epochs=4, batch_size=32,
                  metrics=["accuracy"], progress=False)
    return {"loss": hist["loss"][-1], "accuracy": hist["accuracy"][-1],
            "blas_threads": os.environ.get("OPENBLAS_NUM_THREADS")}


SPACE = {"lr": ns.app.tune.loguniform(1e-3, 3e-1), "hidden": [4, 16]}


def test_tune_on_ray_finds_the_local_pools_best(ray_up):
    local = ns.app.tune.search(train_fn, SPACE, num_samples=4, metric="loss", mode="min", seed=7,
                           backend="local", workers=2, data=_data())
    on_ray = ns.app.tune.search(train_fn, SPACE, num_samples=4, metric="loss", mode="min", seed=7,
                            backend="ray", workers=2, data=_data())
    assert (local.backend, on_ray.backend) == ("local", "ray")
    assert len(local.trials) == len(on_ray.trials) == 4
    assert len({t.config["lr"] for t in local.trials}) == 4       # 4 different configurations
    assert on_ray.best_config == local.best_config
    for a, b in zip(local.trials, on_ray.trials):
        assert a.config == b.config and a.seed == b.seed
        assert a.metrics["loss"] == pytest.approx(b.metrics["loss"], rel=1e-12)
        assert a.metrics["blas_threads"] == b.metrics["blas_threads"] == "1"
    best = min(local.trials, key=lambda t: t.metrics["loss"])
    assert local.best_trial is best or local.best_trial.metrics == best.metrics


def test_tune_bad_arguments():
    with pytest.raises(ValueError, match="mode must be 'min' or 'max'"):
        ns.app.tune.search(train_fn, SPACE, mode="lowest")
    with pytest.raises(ValueError, match="num_samples must be a positive int"):
        ns.app.tune.search(train_fn, SPACE, num_samples=0)
    with pytest.raises(ValueError, match="0 < lower < upper"):
        ns.app.tune.loguniform(0, 1)


def test_tune_without_ray_says_how_to_install_it(monkeypatch):
    import sys
    monkeypatch.setitem(sys.modules, "ray", None)          # import ray -> ImportError
    with pytest.raises(RayUnavailable, match=r"Ray is not installed.*nnscratch\[ray\]"):
        ns.app.tune.search(train_fn, SPACE, backend="ray", data=_data())
