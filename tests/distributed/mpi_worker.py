"""One rank of the distributed tests: ``nnscratch launch -n 2 tests/distributed/mpi_worker.py OUT``.

Runs every case of ``distributed_cases`` on this rank and writes what it saw to
``OUT/rank<r>.json``; ``test_distributed.py`` compares that with single-process runs.  Errors
that a case expects are caught and recorded (their message), so one launch checks them all.
"""
import json
import pathlib
import sys

import distributed_cases as dc
import numpy as np

import nnscratch as ns
import nnscratch.distributed as dist
import nnscratch.nn as nn
from nnscratch.nn.parallel import DistributedDataParallel as DDP
from nnscratch.training import DivergenceError, ModelCheckpoint
from nnscratch.utils.data import DistributedSampler

out = pathlib.Path(sys.argv[1])
dist.init_process_group(backend="mpi")
rank, world = dist.get_rank(), dist.get_world_size()
rec = {"rank": rank, "world": world}


def shard(step):
    """This rank's rows of global batch ``step``: the sampler's share of its 64 rows."""
    sampler = DistributedSampler(range(dc.GLOBAL_BATCH), shuffle=False)
    return np.array(list(sampler)) + step * dc.GLOBAL_BATCH


# collectives
t = ns.tensor([float(rank + 1), 10.0 * rank])
dist.all_reduce(t)
m = ns.tensor([float(rank)])
dist.all_reduce(m, op=dist.ReduceOp.MAX)
b = ns.tensor([42.0 if rank == 0 else -1.0])
dist.broadcast(b, src=0)
gathered = [ns.zeros(2) for _ in range(world)]
dist.all_gather(gathered, ns.tensor([rank, rank * 2.0]))
dist.barrier()
rec["collectives"] = {"sum": t.tolist(), "max": m.tolist(), "bcast": b.tolist(),
                      "gather": [g.tolist() for g in gathered]}

X, y = dc.data()
for case, kwargs in {"plain": {}, "syncbn": {"norm": "syncbn"},
                     "dropout": {"dropout": 0.3}}.items():
    model = dc.build(seed=100 + rank, **kwargs)      # different on purpose: DDP broadcasts
    ddp = DDP(model)
    losses = dc.train(model, ddp, X, y, shard)
    rec[case] = {"state": dc.state(model), "allreduce_calls": ddp.allreduce_calls}

# a non-finite gradient on one rank only: every rank sees it after the allreduce
model = dc.build()
ddp = DDP(model)
loss = ns.nn.functional.cross_entropy(ddp(ns.tensor(X[:8])), ns.tensor(y[:8]))
(loss * (float("nan") if rank == 1 else 1.0)).backward()
rec["nan_on_rank1"] = {"grads_finite": ddp.grads_finite}

# fit(distributed=True): 2 ranks x 32 rows == 1 process x 64 rows, ragged last batch included
Xf, yf = dc.data(n=201, seed=1)
model = dc.build(norm="syncbn")
opt = ns.optim.Adam(model.parameters(), lr=1e-2)
hist = ns.fit(model, Xf, yf, loss="cross_entropy", optimizer=opt, epochs=2, batch_size=32,
              seed=3, metrics=["accuracy"], progress=False, distributed=True,
              checkpoint=str(out / "fit.ckpt"),
              callbacks=[ModelCheckpoint(str(out / f"model-rank{rank}.nns"),
                                         monitor="loss")])
rec["fit"] = {"state": dc.state(model), "loss": hist["loss"], "accuracy": hist["accuracy"]}

# fit(distributed=True) over a DataLoader with a DistributedSampler (set_epoch each epoch)
model = dc.build()
hist = ns.fit(model, dc.loader(32), loss="cross_entropy",
              optimizer=ns.optim.Adam(model.parameters()), epochs=2, progress=False,
              distributed=True)
rec["fit_loader"] = {"state": dc.state(model), "loss": hist["loss"]}

# a run that diverges stops on every rank at the same batch
Xd = np.random.default_rng(2).normal(size=(256, 4)) * 100
yd = Xd @ np.ones((4, 1))
dc.build()                      # float64, seeded
lin = nn.Linear(4, 1)
try:
    ns.fit(lin, Xd, yd, loss="mse", optimizer=ns.optim.SGD(lin.parameters(), lr=1.0),
           epochs=5, batch_size=16, seed=0, progress=False, distributed=True)
    rec["diverge"] = "no error"
except DivergenceError as e:
    rec["diverge"] = str(e)

# bad input, reported on every rank
try:
    DDP(nn.Linear(3, 4 + rank))
    rec["mismatch"] = "no error"
except ValueError as e:
    rec["mismatch"] = str(e)
try:
    one = nn.Linear(3, 1)
    ns.fit(one, np.ones((1, 3)), np.ones((1, 1)), loss="mse",
           optimizer=ns.optim.SGD(one.parameters(), lr=0.1), progress=False, distributed=True)
    rec["too_few_rows"] = "no error"
except ValueError as e:
    rec["too_few_rows"] = str(e)

dist.destroy_process_group()
(out / f"rank{rank}.json").write_text(json.dumps(rec))
