"""``ns.fit`` / ``ns.evaluate`` / ``ns.predict``: parity with a PyTorch loop, reproducibility,
divergence, checkpoint + resume, and bad input."""
import io

import numpy as np
import pytest
import torch

import nnscratch as ns
import nnscratch.nn as nn
import nnscratch.nn.functional as F
import nnscratch.optim as optim
from nnscratch.training import Callback, DivergenceError, LambdaCallback
from nnscratch.training.progress import Progress
from nnscratch.utils.data import ArrayLoader


def _blobs(rng, n=96, d=4, k=3, dtype=np.float32):
    y = rng.integers(0, k, n)
    X = rng.normal(size=(n, d)) + 2.0 * np.eye(k, d)[y]
    return X.astype(dtype), y


def _net(d=4, h=8, k=3, dropout=False):
    layers = [nn.Linear(d, h), nn.ReLU()] + ([nn.Dropout(0.3)] if dropout else [])
    return nn.Sequential(*layers, nn.Linear(h, k))


def test_fit_matches_a_torch_training_loop(rng):
    X, y = _blobs(rng, dtype=np.float64)
    model = _net().double()
    tm = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 3))
    tm = tm.double()
    with torch.no_grad():
        for tp, (_, p) in zip(tm.parameters(), model.named_parameters()):
            tp.copy_(torch.from_numpy(p.numpy()))
    hist = ns.fit(model, X, y, loss=nn.CrossEntropyLoss(), epochs=3, batch_size=20,
                  optimizer=optim.SGD(model.parameters(), lr=0.1, momentum=0.9),
                  shuffle=False, progress=False)
    topt = torch.optim.SGD(tm.parameters(), lr=0.1, momentum=0.9)
    losses = []
    for _ in range(3):
        for i in range(0, len(X), 20):
            topt.zero_grad()
            loss = torch.nn.functional.cross_entropy(tm(torch.from_numpy(X[i:i + 20])),
                                                     torch.from_numpy(y[i:i + 20]))
            loss.backward()
            topt.step()
            losses.append(loss.item())
    np.testing.assert_allclose(hist.batch_loss, losses, rtol=1e-10)
    for tp, p in zip(tm.parameters(), model.parameters()):
        np.testing.assert_allclose(p.numpy(), tp.detach().numpy(), rtol=1e-9, atol=1e-12)
    # the epoch loss is the sample-weighted mean of the batch losses (last batch has 16 rows)
    sizes = [20, 20, 20, 20, 16]
    np.testing.assert_allclose(hist["loss"][-1], np.dot(losses[-5:], sizes) / 96, rtol=1e-12)


def test_history_layout_validation_and_metrics(rng):
    X, y = _blobs(rng)
    model = _net()
    hist = ns.fit(model, X, y, loss="cross_entropy", epochs=3, batch_size=32,
                  optimizer=optim.SGD(model.parameters(), lr=0.1),
                  validation_data=(X[:40], y[:40]), metrics=["accuracy"],
                  progress=False, seed=3)
    assert hist.epoch == [0, 1, 2]
    assert set(hist.keys()) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert all(len(v) == 3 for v in hist.history.values())
    assert len(hist.batch_loss) == 3 * 3 and hist.lr == [0.1] * 3
    ev = ns.evaluate(model, X[:40], y[:40], loss=nn.CrossEntropyLoss(), metrics=["accuracy"])
    assert ev["loss"] == pytest.approx(hist["val_loss"][-1], rel=1e-6)
    assert ev["accuracy"] == pytest.approx(hist["val_accuracy"][-1])
    with ns.no_grad():
        ref = F.cross_entropy(model(ns.tensor(X[:40])), ns.tensor(y[:40])).item()
    assert ev["loss"] == pytest.approx(ref, rel=1e-6)


def test_seeded_fit_repeats_and_equals_a_seeded_dataloader(rng):
    X, y = _blobs(rng)
    runs = []
    for data in ("arrays", "arrays", "loader"):
        ns.manual_seed(7)
        model = _net(dropout=True)
        opt = optim.Adam(model.parameters(), lr=0.01)
        if data == "arrays":
            ns.fit(model, X, y, loss="cross_entropy", optimizer=opt, epochs=2, batch_size=10,
                   seed=5, progress=False)
        else:
            ns.fit(model, ArrayLoader(X, y, batch_size=10, seed=5), loss="cross_entropy",
                   optimizer=opt, epochs=2, progress=False)
        runs.append([p.numpy().copy() for p in model.parameters()])
    for a, b, c in zip(*runs):
        np.testing.assert_array_equal(a, b)
        np.testing.assert_array_equal(a, c)


def test_predict_and_evaluate_restore_modes_and_record_no_graph(rng):
    X, y = _blobs(rng)
    model = _net(dropout=True)
    model.train()
    model[2].eval()                     # a sub-module in its own mode must come back as it was
    out1 = ns.predict(model, X, batch_size=7)
    out2 = ns.predict(model, X)
    np.testing.assert_array_equal(out1, out2)     # eval mode: dropout off, deterministic
    assert model.training and model[0].training and not model[2].training
    with ns.no_grad():
        ref = model.eval()(ns.tensor(X)).numpy()
    model.train()
    model[2].eval()
    np.testing.assert_allclose(out1, ref, rtol=1e-6)
    assert ns.is_grad_enabled()
    ns.fit(model, X, y, loss="cross_entropy", optimizer=optim.SGD(model.parameters(), lr=0.1),
           epochs=1, progress=False)
    assert model.training and not model[2].training


def test_autoencoder_target_defaults_to_the_input(rng):
    X = rng.normal(size=(64, 5)).astype(np.float32)
    model = nn.Sequential(nn.Linear(5, 2), nn.Linear(2, 5))
    hist = ns.fit(model, X, loss=nn.MSELoss(), optimizer=optim.Adam(model.parameters(), 0.01),
                  epochs=30, batch_size=16, progress=False)
    assert hist["loss"][-1] < hist["loss"][0]
    assert ns.evaluate(model, X, loss="mse")["loss"] == pytest.approx(
        np.mean((ns.predict(model, X) - X) ** 2), rel=1e-5)


@pytest.mark.filterwarnings("ignore:overflow:RuntimeWarning")
def test_divergence_stops_with_epoch_and_batch_and_keeps_last_finite_weights(rng):
    X = rng.normal(size=(64, 3)).astype(np.float32) * 10
    y = X @ np.array([[1.0], [2.0], [3.0]], dtype=np.float32)
    model = nn.Linear(3, 1)
    snapshots = []
    keep = LambdaCallback(on_batch_end=lambda step, logs: snapshots.append(
        [p.numpy().copy() for p in model.parameters()]))
    with pytest.raises(DivergenceError, match=r"epoch \d+, batch \d+") as info:
        ns.fit(model, X, y, loss="mse", optimizer=optim.SGD(model.parameters(), lr=1.0),
               epochs=50, batch_size=16, callbacks=[keep], progress=False)
    assert "inf" in str(info.value) or "nan" in str(info.value)
    assert snapshots, "it should diverge after a few finite steps, not at once"
    for p, last in zip(model.parameters(), snapshots[-1]):
        assert np.isfinite(p.numpy()).all()
        np.testing.assert_array_equal(p.numpy(), last)


class _Crash(Exception):
    pass


def _resume_setup(rng):
    X, y = _blobs(rng, n=60)
    model = _net(dropout=True)
    opt = optim.Adam(model.parameters(), lr=0.01)
    sched = optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
    return X, y, model, opt, sched


def test_interrupted_run_resumes_to_bit_identical_weights(rng, tmp_path):
    data_rng = np.random.default_rng(99)
    ns.manual_seed(1)
    X, y, model, opt, sched = _resume_setup(data_rng)
    kw = dict(loss="cross_entropy", epochs=5, batch_size=8, seed=11, progress=False,
              validation_data=(X[:20], y[:20]), metrics=["accuracy"])
    full = ns.fit(model, X, y, optimizer=opt, scheduler=sched, **kw)
    want = [p.numpy().copy() for p in model.parameters()]

    ns.manual_seed(1)
    X, y, model, opt, sched = _resume_setup(np.random.default_rng(99))
    ckpt = tmp_path / "run.ckpt"

    def crash(step, logs):
        if step == 3 * 8 + 2:            # in the middle of epoch 4 (8 batches per epoch)
            raise _Crash
    with pytest.raises(_Crash):
        ns.fit(model, X, y, optimizer=opt, scheduler=sched, checkpoint=ckpt,
               callbacks=[LambdaCallback(on_batch_end=crash)], **kw)
    assert ns.load(ckpt)["epoch"] == 3

    ns.manual_seed(12345)                 # a fresh process: other weights, other RNG state
    _, _, model2, opt2, sched2 = _resume_setup(np.random.default_rng(5))
    resumed = ns.fit(model2, X, y, optimizer=opt2, scheduler=sched2, resume_from=ckpt,
                     checkpoint=ckpt, **kw)
    for p, w in zip(model2.parameters(), want):
        np.testing.assert_array_equal(p.numpy(), w)
    assert resumed.history == full.history
    assert resumed.batch_loss == full.batch_loss and resumed.lr == full.lr
    assert ns.load(ckpt)["epoch"] == 5


def test_scheduler_and_reduce_on_plateau_are_stepped(rng):
    X, y = _blobs(rng)
    model = _net()
    opt = optim.SGD(model.parameters(), lr=1.0)
    hist = ns.fit(model, X, y, loss="cross_entropy", optimizer=opt, epochs=4, progress=False,
                  scheduler=optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5))
    assert hist.lr == [1.0, 0.5, 0.25, 0.125]
    opt = optim.SGD(model.parameters(), lr=1e-6)      # too small to improve: the plateau
    plateau = optim.lr_scheduler.ReduceLROnPlateau(opt, factor=0.5, patience=0)
    hist = ns.fit(model, X, y, loss="cross_entropy", optimizer=opt, epochs=3, progress=False,
                  scheduler=plateau, validation_data=(X, y))
    assert opt.param_groups[0]["lr"] < 1e-6


def test_plain_progress_prints_one_line_per_epoch(rng, capsys):
    X, y = _blobs(rng)
    model = _net()
    ns.fit(model, X, y, loss="cross_entropy", optimizer=optim.SGD(model.parameters(), lr=0.1),
           epochs=2, validation_data=(X, y), metrics=["accuracy"])
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("epoch 1/2 - loss ") and "val_accuracy" in lines[1]
    ns.fit(model, X, y, loss="cross_entropy", optimizer=optim.SGD(model.parameters(), lr=0.1),
           epochs=2, progress=False)
    assert capsys.readouterr().out == ""


def test_progress_bar_on_a_terminal():
    class Tty(io.StringIO):
        def isatty(self):
            return True
    stream = Tty()
    bar = Progress(stream=stream)
    assert bar.use_bar
    bar.on_epoch_begin(0, 1, 3)
    for i in range(3):
        bar.on_batch(0.5)
    bar.on_epoch_end({"loss": 0.5, "val_loss": 0.25})
    text = stream.getvalue()
    assert "epoch 1/1:" in text and "0/3 [" in text        # the bar was drawn, then erased
    last = text.rsplit("\r", 1)[1]
    assert last.startswith("epoch 1/1 - loss 0.5000 - val_loss 0.2500 - ") and last.endswith(" s\n")


@pytest.mark.parametrize("columns", [80, 120])
def test_the_epoch_line_shows_every_metric_on_a_narrow_terminal(columns, monkeypatch):
    class Tty(io.StringIO):
        def isatty(self):
            return True
    monkeypatch.setenv("COLUMNS", str(columns))
    stream = Tty()
    bar = Progress(stream=stream)
    logs = {"loss": 0.123456, "accuracy": 0.9712, "top5_accuracy": 0.9987,
            "val_loss": 0.15, "val_accuracy": 0.9651, "val_top5_accuracy": 0.9979}
    bar.on_epoch_begin(2, 30, 4)
    for _ in range(4):
        bar.on_batch(0.2)
    bar.on_epoch_end(logs)
    last = stream.getvalue().rstrip("\n").split("\n")[-1].split("\r")[-1]
    assert len(last) > columns                       # longer than the terminal, and not cut
    assert last.startswith("epoch 3/30 - loss 0.1235 - accuracy 0.9712")
    for k, v in logs.items():
        assert f"{k} {v:.4f}" in last


def test_epoch_lines_format_every_value_alike():
    from nnscratch.training.progress import _fmt_logs
    assert _fmt_logs({"loss": 1.0, "acc": 0.3, "tiny": 2.5e-6, "big": 123456.0, "z": 0.0}) == \
        "loss 1.0000 - acc 0.3000 - tiny 2.5000e-06 - big 1.2346e+05 - z 0.0000"


def _fit(model, X, y, **kw):
    args = dict(loss="cross_entropy", optimizer=optim.SGD(model.parameters(), lr=0.1),
                progress=False)
    args.update(kw)
    return ns.fit(model, X, y, **args)


def test_bad_input_is_named(rng, tmp_path):
    X, y = _blobs(rng)
    m = _net()
    with pytest.raises(ValueError, match="X has 96 samples but y has 95"):
        _fit(m, X, y[:-1])
    with pytest.raises(TypeError, match="X must hold numbers"):
        _fit(m, np.array([["a"] * 4] * 96), y)
    Xn = X.copy()
    Xn[7, 2] = np.nan
    with pytest.raises(ValueError, match="X contains NaN at row 7, column 2"):
        _fit(m, Xn, y)
    Xn[7, 2] = np.inf
    with pytest.raises(ValueError, match="validation_data.0. contains inf at row 7, column 2"):
        _fit(m, X, y, validation_data=(Xn, y))
    with pytest.raises(ValueError, match="batch_size must be an int >= 1, got 0"):
        _fit(m, X, y, batch_size=0)
    with pytest.raises(ValueError, match="epochs must be an int >= 1, got -1"):
        _fit(m, X, y, epochs=-1)
    with pytest.raises(TypeError, match="epochs must be an int, got float 2.5"):
        _fit(m, X, y, epochs=2.5)
    with pytest.raises(TypeError, match="integer class labels in y"):
        _fit(m, X, y.astype(np.float32))
    bad = y.copy()
    bad[5] = 3
    with pytest.raises(ValueError, match=r"label 3 at row 5.*\[0, 3\)"):
        _fit(m, X, bad)
    with pytest.raises(ValueError, match="targets in \\[0, 1\\]"):
        _fit(nn.Linear(4, 1), X, np.full(96, 2.0), loss="bce_with_logits")
    with pytest.raises(ValueError, match="unknown loss 'hinge'"):
        _fit(m, X, y, loss="hinge")
    with pytest.raises(TypeError, match="validation_data must be a tuple"):
        _fit(m, X, y, validation_data=X)
    (tmp_path / "a_file").write_text("in the way")
    with pytest.raises(ValueError, match="checkpoint=.*cannot be created"):
        _fit(m, X, y, checkpoint=tmp_path / "a_file" / "c.ckpt")
    with pytest.raises(FileNotFoundError, match="resume_from"):
        _fit(m, X, y, resume_from=tmp_path / "nope.ckpt")
    junk = tmp_path / "junk.ckpt"
    junk.write_bytes(b"not a checkpoint")
    with pytest.raises(ValueError, match="resume_from=.*not a readable checkpoint"):
        _fit(m, X, y, resume_from=junk)
    ns.save({"weights": np.zeros(3)}, tmp_path / "other.ckpt")
    with pytest.raises(ValueError, match="not a fit\\(\\) checkpoint"):
        _fit(m, X, y, resume_from=tmp_path / "other.ckpt")
    with pytest.raises(TypeError, match="callbacks must be Callback"):
        _fit(m, X, y, callbacks=[print])
    with pytest.raises(TypeError, match="model must be an nn.Module"):
        ns.predict(lambda x: x, X)
    assert isinstance(Callback(), Callback)


def test_a_failed_save_keeps_the_previous_checkpoint(rng, tmp_path):
    X, y = _blobs(rng)
    m = _net()
    ckpt = tmp_path / "c.ckpt"
    _fit(m, X, y, epochs=1, checkpoint=ckpt)
    before = ckpt.read_bytes()

    class Unsavable(Callback):
        def state_dict(self):
            return {"thing": object()}        # ns.save refuses it before touching the file
    with pytest.raises(TypeError):
        _fit(m, X, y, epochs=1, checkpoint=ckpt, callbacks=[Unsavable()])
    assert ckpt.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["c.ckpt"]


def test_integer_inputs_stay_integers_only_for_integer_input_layers(rng):
    # fit/predict keep int inputs for a model with an `integer_input` layer (nn.Embedding, or
    # any layer declaring it) and cast them to the model's float dtype otherwise
    class Seen(nn.Module):
        def __init__(self, integer_input):
            self.integer_input = integer_input
            self.lin = nn.Linear(3, 2)
            self.dtypes = []

        def forward(self, x):
            self.dtypes.append(np.asarray(x).dtype)
            return self.lin(ns.tensor(np.asarray(x), dtype=np.float32))

    X = rng.integers(0, 5, (6, 3))
    for integer_input, kind in ((True, "i"), (False, "f")):
        m = Seen(integer_input)
        ns.predict(m, X)
        assert {d.kind for d in m.dtypes} == {kind}
    emb = nn.Sequential(nn.Embedding(5, 2), nn.Flatten())
    out = ns.predict(emb, X)
    assert np.array_equal(out, np.asarray(emb[0].weight)[X].reshape(6, -1))
