"""Data-parallel training over MPI: 2 ranks started by ``nnscratch launch`` (loopback only).

One launch of ``mpi_worker.py`` (about 5 s on 2 cores) runs every case on both ranks; each test
compares what a rank recorded with the same training done here in one process.  The module is
one xdist group, so the launch happens once.  Tolerance: 1e-10 (float64) — the two runs sum
the same gradients in a different order, so they agree to rounding, not bit for bit.
"""
import json
import os
import pathlib
import subprocess
import sys

import distributed_cases as dc
import numpy as np
import pytest

import nnscratch as ns
import nnscratch.distributed as dist
import nnscratch.nn as nn
from nnscratch.distributed import launch
from nnscratch.utils.data import DistributedSampler

pytestmark = pytest.mark.xdist_group("mpi")

HERE = pathlib.Path(__file__).parent
ROOT = HERE.parents[1]          # the checkout (tests/distributed/ is two levels down)
TOL = 1e-10


@pytest.fixture(scope="module")
def ranks(tmp_path_factory):
    """Run the worker on 2 ranks; the records of rank 0 and rank 1."""
    out = tmp_path_factory.mktemp("mpi")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), str(HERE)]))
    proc = subprocess.run([sys.executable, "-m", "nnscratch.app.cli", "launch", "-n", "2",
                           str(HERE / "mpi_worker.py"), str(out)], cwd=HERE, env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    recs = [json.loads((out / f"rank{r}.json").read_text()) for r in (0, 1)]
    return recs, out


@pytest.fixture(autouse=True)
def _float64():
    yield
    ns.set_default_dtype(np.float32)


def assert_states_close(got, want, tol=TOL):
    assert set(got) == set(want)
    for k in want:
        np.testing.assert_allclose(np.asarray(got[k], float), np.asarray(want[k], float),
                                   rtol=0, atol=tol, err_msg=k)


def reference(**kwargs):
    """One process, global batches of 64: what both ranks together must compute."""
    X, y = dc.data()
    model = dc.build(seed=100, **kwargs)           # rank 0's initial weights
    dc.train(model, model, X, y, lambda s: np.arange(s * 64, (s + 1) * 64))
    return dc.state(model)


def test_collectives(ranks):
    recs, _ = ranks
    for r, rec in enumerate(recs):
        assert rec["world"] == 2 and rec["rank"] == r
        assert rec["collectives"] == {"sum": [3.0, 10.0], "max": [1.0], "bcast": [42.0],
                                      "gather": [[0.0, 0.0], [1.0, 2.0]]}


@pytest.mark.parametrize("case, kwargs", [("plain", {}), ("syncbn", {"norm": "syncbn"}),
                                          ("dropout", {"dropout": 0.3})])
def test_two_ranks_equal_one_process_with_the_whole_batch(ranks, case, kwargs):
    """2 ranks x 32 rows == 1 process x 64 rows over several Adam steps; with SyncBatchNorm
    (reference: BatchNorm1d on the whole batch, running statistics included) and with
    dropout masks keyed by the global sample index.  One gradient allreduce per step."""
    recs, _ = ranks
    want = reference(**({"norm": "bn"} if case == "syncbn" else kwargs))
    for rec in recs:
        assert_states_close(rec[case]["state"], want)
        assert rec[case]["allreduce_calls"] == dc.STEPS


def test_started_from_different_weights_the_ranks_stay_identical(ranks):
    recs, _ = ranks
    for case in ("plain", "syncbn", "dropout"):
        assert recs[0][case]["state"] == recs[1][case]["state"]


def test_a_nan_gradient_on_one_rank_is_seen_on_every_rank(ranks):
    recs, _ = ranks
    assert [rec["nan_on_rank1"]["grads_finite"] for rec in recs] == [False, False]


def test_fit_distributed_equals_fit_with_the_global_batch(ranks):
    """fit(distributed=True, batch_size=32) with SyncBatchNorm on 2 ranks == fit(batch_size=64)
    with BatchNorm1d: 201 rows, so the last batch (5 + 4 rows) is re-weighted."""
    recs, out = ranks
    X, y = dc.data(n=201, seed=1)
    model = dc.build(norm="bn")
    opt = ns.optim.Adam(model.parameters(), lr=1e-2)
    hist = ns.fit(model, X, y, loss="cross_entropy", optimizer=opt, epochs=2, batch_size=64,
                  seed=3, metrics=["accuracy"], progress=False)
    want = dc.state(model)
    for rec in recs:
        np.testing.assert_allclose(rec["fit"]["loss"], hist["loss"], rtol=0, atol=TOL)
        assert rec["fit"]["accuracy"] == pytest.approx(hist["accuracy"], abs=1e-12)
        assert_states_close(rec["fit"]["state"], want)
    # only rank 0 writes: the checkpoint, and ModelCheckpoint's file
    assert (out / "fit.ckpt").exists()
    assert (out / "model-rank0.nns").exists() and not (out / "model-rank1.nns").exists()


def test_fit_distributed_over_a_loader_with_distributed_sampler(ranks):
    """Each epoch fit calls the sampler's set_epoch; 2 ranks x 32 == 1 process x 64 over the
    same shuffled order (a one-replica DistributedSampler with the same seed)."""
    recs, _ = ranks
    model = dc.build()
    hist = ns.fit(model, dc.loader(64, num_replicas=1, rank=0), loss="cross_entropy",
                  optimizer=ns.optim.Adam(model.parameters()), epochs=2, progress=False)
    for rec in recs:
        np.testing.assert_allclose(rec["fit_loader"]["loss"], hist["loss"], rtol=0, atol=TOL)
        assert_states_close(rec["fit_loader"]["state"], dc.state(model))


def test_a_diverging_run_stops_on_both_ranks_at_the_same_batch(ranks):
    recs, _ = ranks
    msgs = [rec["diverge"] for rec in recs]
    assert msgs[0].startswith("fit: the loss became"), msgs
    assert msgs[0] == msgs[1]


def test_bad_input_is_reported_on_every_rank(ranks):
    recs, _ = ranks
    for rec in recs:
        assert "parameter 'weight' has shape (4, 3)" in rec["mismatch"]
        assert "(5, 3)" in rec["mismatch"] and "rank 1" in rec["mismatch"]
        assert "fewer than the 2 ranks" in rec["too_few_rows"]


# ----------------------------------------------------------------------------- one process

@pytest.mark.parametrize("n, world, drop_last", [(10, 3, False), (10, 3, True), (64, 2, False),
                                                 (7, 7, True)])
def test_distributed_sampler_shards_are_disjoint_and_cover(n, world, drop_last):
    shards = []
    for r in range(world):
        s = DistributedSampler(range(n), num_replicas=world, rank=r, seed=5,
                               drop_last=drop_last)
        s.set_epoch(2)
        shards.append(list(s))
        assert len(shards[-1]) == len(s)
    assert len({len(sh) for sh in shards}) == 1          # every rank takes as many steps
    flat = [i for sh in shards for i in sh]
    if drop_last:
        assert len(set(flat)) == len(flat) == (n // world) * world   # disjoint
    else:
        assert set(flat) == set(range(n))                            # covering
        assert len(flat) - len(set(flat)) == (-n) % world            # padding only
    other = DistributedSampler(range(n), num_replicas=world, rank=0, seed=5)
    other.set_epoch(3)
    assert list(other) != shards[0] or n <= world            # a new order per epoch


def test_distributed_sampler_rejects_more_ranks_than_samples():
    with pytest.raises(ValueError, match="3 samples, fewer than the 4 ranks"):
        DistributedSampler(range(3), num_replicas=4, rank=0)
    with pytest.raises(ValueError, match=r"rank must be an int in \[0, 2\)"):
        DistributedSampler(range(3), num_replicas=2, rank=2)


def test_a_world_of_one_needs_no_launcher():
    """Alone, init_process_group gives a world of size 1 and the collectives are identities;
    DDP and SyncBatchNorm then train like the plain model."""
    was = dist.is_initialized()
    if not was:
        dist.init_process_group("mpi")
    try:
        assert dist.get_world_size() == 1 and dist.get_rank() == 0
        t = ns.tensor([1.0, 2.0])
        dist.all_reduce(t)
        assert t.tolist() == [1.0, 2.0]
        lin = nn.Linear(3, 2)
        first = nn.parallel.DistributedDataParallel(lin)
        ddp = nn.parallel.DistributedDataParallel(lin)     # re-wrapping replaces the hooks
        ddp(ns.ones(4, 3)).sum().backward()
        assert (first.allreduce_calls, ddp.allreduce_calls) == (0, 1)
        np.testing.assert_allclose(ddp.module.weight.grad.numpy(), np.ones((2, 3)) * 4)
    finally:
        if not was:
            dist.destroy_process_group()


def test_sync_batch_norm_alone_matches_torch_batch_norm():
    """In a world of one SyncBatchNorm's op (sums and sums of squares) is batch norm: values
    and gradients against torch.nn.BatchNorm1d, float64, to 1e-12."""
    import torch

    from nnscratch.ops.sync_norm import sync_batch_norm
    rng = np.random.default_rng(0)
    x = rng.normal(size=(8, 4)) * 3 + 1
    w, b, g = rng.normal(size=4), rng.normal(size=4), rng.normal(size=(8, 4))
    xs, ws, bs = (ns.tensor(a, requires_grad=True) for a in (x, w, b))
    rm, rv = np.zeros(4), np.ones(4)
    y = sync_batch_norm(xs, rm, rv, ws, bs, 0.1, 1e-5, lambda a: a)
    y.backward(ns.tensor(g))
    ref = torch.nn.BatchNorm1d(4).double()
    with torch.no_grad():
        ref.weight.copy_(torch.tensor(w))
        ref.bias.copy_(torch.tensor(b))
    xt = torch.tensor(x, requires_grad=True)
    yt = ref(xt)
    yt.backward(torch.tensor(g))
    np.testing.assert_allclose(y.numpy(), yt.detach().numpy(), rtol=0, atol=1e-12)
    np.testing.assert_allclose(xs.grad.numpy(), xt.grad.numpy(), rtol=0, atol=1e-12)
    np.testing.assert_allclose(ws.grad.numpy(), ref.weight.grad.numpy(), rtol=0, atol=1e-12)
    np.testing.assert_allclose(rv, ref.running_var.numpy(), rtol=0, atol=1e-12)
    assert ns.gradcheck(lambda a, c, d: sync_batch_norm(a, None, None, c, d, 0.1, 1e-5,
                                                        lambda s: s), [xs, ws, bs])


def test_convert_sync_batchnorm_keeps_the_weights():
    model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4))
    w = model[1].weight
    conv = nn.SyncBatchNorm.convert_sync_batchnorm(model)
    assert isinstance(conv[1], nn.SyncBatchNorm) and conv[1].weight is w


def test_launch_without_mpi_names_the_cause(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "mpi4py", None)       # import mpi4py -> ImportError
    assert launch.main(["-n", "2", __file__]) == 2
    assert "MPI is not installed" in capsys.readouterr().err
    monkeypatch.delitem(sys.modules, "mpi4py")
    with pytest.raises(launch.LaunchError, match="no mpiexec"):
        launch.find_mpiexec(path="/nonexistent")


def test_launch_sets_root_and_oversubscription_and_one_blas_thread():
    env = launch.launch_env(base={})
    assert env["OMPI_ALLOW_RUN_AS_ROOT"] == env["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] == "1"
    assert env["OMPI_MCA_rmaps_base_oversubscribe"] == "1"
    assert env["OPENBLAS_NUM_THREADS"] == env["OMP_NUM_THREADS"] == "1"
    cmd = launch.mpiexec_command(2, "s.py", ["--lr", "0.1"])
    assert cmd[1:3] == ["-n", "2"] and cmd[-3:] == ["s.py", "--lr", "0.1"]


def test_readme_example_runs_alone_as_a_world_of_one(capsys):
    import re
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = next(b for b in re.findall(r"```python\n(.*?)```", readme, re.S)
                 if "DistributedDataParallel" in b)
    assert not dist.is_initialized()
    exec(compile(block, "README.md", "exec"), {})
    assert not dist.is_initialized()
    last = float(capsys.readouterr().out.rsplit("last loss", 1)[1])
    assert last < 0.5                       # 3 epochs of the digits: the loss has come down
