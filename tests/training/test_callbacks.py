"""Callbacks: early stopping, checkpoints, learning-rate schedules, CSV log, gradient norms."""
import csv

import numpy as np
import pytest

import nnscratch as ns
import nnscratch.nn as nn
import nnscratch.optim as optim
from nnscratch.training import (
    BatchMetrics,
    CSVLogger,
    EarlyStopping,
    EvaluateEvery,
    GradientNormLogger,
    LambdaCallback,
    LearningRateScheduler,
    ModelCheckpoint,
)


@pytest.fixture
def data(rng):
    y = rng.integers(0, 3, 90)
    X = (rng.normal(size=(90, 4)) + 2.0 * np.eye(3, 4)[y]).astype(np.float32)
    return X, y


def _net():
    return nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 3))


def _fit(model, X, y, lr=0.1, **kw):
    args = dict(loss="cross_entropy", optimizer=optim.SGD(model.parameters(), lr=lr),
                progress=False, batch_size=30)
    args.update(kw)
    return ns.fit(model, X, y, **args)


def test_early_stopping_waits_patience_epochs_and_restores_the_best(data):
    X, y = data
    model = _net()
    seen = []
    # a metric that improves for 3 epochs, then gets worse: best epoch 2, stop at 2 + 1 + 2
    fake = [3.0, 2.0, 1.0, 1.5, 1.2, 1.1, 0.5]
    record = LambdaCallback(on_epoch_end=lambda e, logs: (
        logs.__setitem__("score", fake[e]), seen.append([p.numpy().copy()
                                                         for p in model.parameters()])))
    stop = EarlyStopping(monitor="score", patience=2, restore_best_weights=True)
    hist = _fit(model, X, y, epochs=7, callbacks=[record, stop])
    assert hist.epoch == [0, 1, 2, 3, 4]
    assert stop.best_epoch == 2 and stop.stopped_epoch == 4 and hist.stopped_epoch == 4
    for p, best in zip(model.parameters(), seen[2]):
        np.testing.assert_array_equal(p.numpy(), best)


def test_early_stopping_min_delta_and_mode(data):
    X, y = data
    stop = EarlyStopping(monitor="val_accuracy", patience=0, min_delta=1.0)
    assert stop.mode == "max"
    hist = _fit(_net(), X, y, epochs=5, callbacks=[stop], validation_data=(X, y),
                metrics=["accuracy"])
    assert len(hist.epoch) == 2           # nothing improves by more than 1.0 after epoch 0
    with pytest.raises(ValueError, match="monitor='val_loss' is not among the epoch logs"):
        _fit(_net(), X, y, epochs=1, callbacks=[EarlyStopping()])
    with pytest.raises(ValueError, match="patience"):
        EarlyStopping(patience=-1)


def test_model_checkpoint_every_epoch_and_best_only(data, tmp_path):
    X, y = data
    model = _net()
    every = ModelCheckpoint(tmp_path / "m-{epoch:02d}.ckpt", monitor="loss")
    best = ModelCheckpoint(tmp_path / "best.ckpt", monitor="val_loss", save_best_only=True)
    hist = _fit(model, X, y, epochs=3, callbacks=[every, best], validation_data=(X, y))
    assert sorted(p.name for p in tmp_path.glob("m-*.ckpt")) == ["m-01.ckpt", "m-02.ckpt",
                                                                  "m-03.ckpt"]
    last = ns.load(tmp_path / "m-03.ckpt")
    for name, v in model.state_dict().items():
        np.testing.assert_array_equal(last[name], v)
    assert best.best == pytest.approx(min(hist["val_loss"]))
    _fit(_net(), X, y, callbacks=[ModelCheckpoint(tmp_path / "new" / "dirs" / "x.ckpt")])
    assert (tmp_path / "new" / "dirs" / "x.ckpt").is_file()    # created, as Keras does
    (tmp_path / "a_file").write_text("in the way")
    with pytest.raises(ValueError, match="ModelCheckpoint: path=.*cannot be created"):
        _fit(_net(), X, y, callbacks=[ModelCheckpoint(tmp_path / "a_file" / "x.ckpt")])


def test_learning_rate_scheduler_function_and_scheduler_object(data):
    X, y = data
    model = _net()
    opt = optim.SGD(model.parameters(), lr=0.1)
    cb = LearningRateScheduler(lambda epoch, lr: 0.1 / (epoch + 1))
    hist = _fit(model, X, y, epochs=3, optimizer=opt, callbacks=[cb])
    np.testing.assert_allclose(hist.lr, [0.1, 0.05, 0.1 / 3])
    cb = LearningRateScheduler(lambda epoch: 0.2)
    _fit(model, X, y, epochs=1, optimizer=opt, callbacks=[cb])
    assert opt.param_groups[0]["lr"] == 0.2
    sched = optim.lr_scheduler.ExponentialLR(opt, gamma=0.5)
    hist = _fit(model, X, y, epochs=3, optimizer=opt, callbacks=[LearningRateScheduler(sched)])
    np.testing.assert_allclose(hist.lr, [0.2, 0.1, 0.05])
    with pytest.raises(ValueError, match="schedule returned lr=-1"):
        _fit(model, X, y, optimizer=opt, callbacks=[LearningRateScheduler(lambda e: -1.0)])


def test_csv_logger_writes_a_row_per_epoch(data, tmp_path):
    X, y = data
    path = tmp_path / "log.csv"
    hist = _fit(_net(), X, y, epochs=3, callbacks=[CSVLogger(path)], validation_data=(X, y),
                metrics=["accuracy"])
    rows = list(csv.DictReader(open(path)))
    assert [r["epoch"] for r in rows] == ["1", "2", "3"]      # from 1, as the progress line
    assert list(rows[0]) == ["epoch", "loss", "accuracy", "val_loss", "val_accuracy"]
    np.testing.assert_allclose([float(r["val_loss"]) for r in rows], hist["val_loss"])
    _fit(_net(), X, y, epochs=2, callbacks=[CSVLogger(path, append=True)],
         validation_data=(X, y), metrics=["accuracy"])
    assert len(list(csv.DictReader(open(path)))) == 5


def test_gradient_norm_logger_matches_the_gradients(data):
    X, y = data
    model = _net()
    grads = []
    snap = LambdaCallback(on_after_backward=lambda step: grads.append(
        {n: p.grad.numpy().copy() for n, p in model.named_parameters()}))
    log = GradientNormLogger()
    _fit(model, X, y, epochs=2, callbacks=[snap, log])
    assert log.steps == list(range(6))
    names, arr = log.as_array()
    assert names == [n for n, _ in model.named_parameters()] and arr.shape == (6, 4)
    for i, g in enumerate(grads):
        for j, n in enumerate(names):
            assert arr[i, j] == pytest.approx(np.linalg.norm(g[n].astype(np.float64)), rel=1e-6)
        assert log.total[i] == pytest.approx(np.sqrt(sum(np.sum(v.astype(np.float64) ** 2)
                                                         for v in g.values())), rel=1e-6)
    with pytest.raises(ValueError, match="every"):
        GradientNormLogger(every=0)


def test_evaluate_every_and_batch_metrics(data):
    X, y = data
    model = _net()
    ev = EvaluateEvery(2, (X, y), metrics=["error"], at_start=True)
    bm = BatchMetrics(["accuracy"])
    _fit(model, X, y, epochs=2, batch_size=15, callbacks=[ev, bm])   # 12 steps
    assert ev.steps == [0, 2, 4, 6, 8, 10, 12]
    final = ns.evaluate(model, X, y, loss="cross_entropy", metrics=["error"])
    assert ev.values["loss"][-1] == pytest.approx(final["loss"])
    assert ev.values["error"][-1] == pytest.approx(final["error"])
    assert len(bm.values["accuracy"]) == 12
    assert all(0 <= a <= 1 for a in bm.values["accuracy"])
