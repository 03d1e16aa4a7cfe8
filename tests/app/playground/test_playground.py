"""The playground's data, settings checks, sessions and JSON API (no browser: see
test_playground_browser.py)."""
import contextlib
import io
import json
import math
import subprocess
import sys
import threading
import urllib.error
import urllib.request

import numpy as np
import pytest

from nnscratch.app.playground import code, data, session, settings
from nnscratch.app.playground.server import STATIC, PlaygroundServer
from nnscratch.app.playground.settings import BadField, parse_epochs, parse_settings


# ------------------------------------------------------------------ helpers
@pytest.fixture
def server():
    with PlaygroundServer(port=0).running() as srv:
        yield srv


def call(srv, method, path, body=None, raw=None):
    """``(status, answer)``: JSON decoded, text otherwise."""
    payload = raw if raw is not None else (None if body is None else json.dumps(body).encode())
    req = urllib.request.Request(srv.url.rstrip("/") + path, data=payload, method=method,
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            status, ctype, text = r.status, r.headers["Content-Type"], r.read()
    except urllib.error.HTTPError as e:
        status, ctype, text = e.code, e.headers["Content-Type"], e.read()
    return status, json.loads(text) if ctype.startswith("application/json") else text.decode()


def create(srv, **fields):
    status, answer = call(srv, "POST", "/api/sessions", fields)
    assert status == 200, answer
    return answer["id"], answer["state"]


# ------------------------------------------------------------------ data
@pytest.mark.parametrize("name", data.DATASETS)
def test_datasets_have_the_split_shapes_and_labels(name):
    xy_tr, y_tr, xy_te, y_te = data.make_dataset(name, noise=10, train_ratio=70, seed=3)
    assert xy_tr.shape == (350, 2) and xy_te.shape == (150, 2)
    assert y_tr.shape == (350, 1) and y_te.shape == (150, 1) and y_tr.dtype == np.float32
    labels = np.concatenate([y_tr, y_te])
    if name in data.CLASSIFICATION:
        assert set(np.unique(labels)) == {0.0, 1.0}
        assert 0.4 < labels.mean() < 0.6                           # about balanced
    else:
        assert -1.2 <= labels.min() and labels.max() <= 1.2 and labels.std() > 0.2
    assert np.abs(np.concatenate([xy_tr, xy_te])).max() < 9


def test_a_seed_fixes_the_points_and_another_seed_moves_them():
    a, b, c = (data.make_dataset("spiral", 20, 50, s)[0] for s in (5, 5, 6))
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c)


def test_xor_labels_follow_the_sign_of_x1_x2_without_noise():
    xy, y, _, _ = data.make_dataset("xor", noise=0, train_ratio=90, seed=0)
    np.testing.assert_array_equal(y[:, 0], (xy[:, 0] * xy[:, 1] > 0).astype(np.float32))


def test_multigauss_labels_are_the_strongest_signed_bump_without_noise():
    xy, y, _, _ = data.make_dataset("multigauss", noise=0, train_ratio=99, seed=1)
    y = y[:, 0].astype(np.float64)
    dist = np.hypot(xy[:, :1] - data.BUMPS[:, 0], xy[:, 1:] - data.BUMPS[:, 1])    # (n, 6)
    near = dist.argmin(axis=1)
    inside = dist.min(axis=1) < data.BUMP_RADIUS
    # the bumps do not overlap (centres 4 apart, radius 2), so the nearest one decides
    want = data.BUMPS[near, 2] * (1 - dist.min(axis=1) / data.BUMP_RADIUS)
    np.testing.assert_allclose(y[inside], want[inside], rtol=1e-6)
    assert np.all(y[~inside] == 0) and inside.mean() > 0.3
    assert (y > 0.5).any() and (y < -0.5).any()                  # both signs present
    noisy = data.make_dataset("multigauss", noise=30, train_ratio=99, seed=1)
    np.testing.assert_array_equal(noisy[0], xy)                  # noise moves the labels only
    assert not np.allclose(noisy[1][:, 0], y)


def test_feature_matrix_computes_each_named_feature():
    xy = np.array([[1.0, 2.0], [-0.5, 3.0]])
    got = data.feature_matrix(xy, list(data.FEATURES))
    a, b = xy[:, 0], xy[:, 1]
    want = np.stack([a, b, a * a, b * b, a * b, np.sin(a), np.sin(b)], 1)
    np.testing.assert_allclose(got, want, rtol=1e-6)
    with pytest.raises(ValueError, match="cos"):
        data.feature_matrix(xy, ["cos(x1)"])


def test_grid_runs_row_by_row_from_the_top_left():
    g = data.grid(4)
    assert g.shape == (16, 2)
    assert g[0, 0] < 0 < g[0, 1] and g[3, 0] > 0 and g[15, 1] < 0


# ------------------------------------------------------------------ settings
BAD = [
    ({"hidden": [2] * 7}, "hidden"), ({"hidden": [0]}, "hidden"), ({"hidden": [9]}, "hidden"),
    ({"hidden": "4,2"}, "hidden"), ({"hidden": [2.5]}, "hidden"),
    ({"learning_rate": 0}, "learning_rate"), ({"learning_rate": -0.1}, "learning_rate"),
    ({"learning_rate": "fast"}, "learning_rate"), ({"learning_rate": True}, "learning_rate"),
    ({"learning_rate": 11}, "learning_rate"),
    ({"dataset": "moons"}, "dataset"), ({"dataset": 3}, "dataset"),
    ({"activation": "gelu"}, "activation"), ({"optimizer": "lbfgs"}, "optimizer"),
    ({"regularization": "l3"}, "regularization"), ({"reg_rate": -1}, "reg_rate"),
    ({"features": []}, "features"), ({"features": ["x3"]}, "features"),
    ({"features": ["x1", "x1"]}, "features"), ({"batch_size": 0}, "batch_size"),
    ({"batch_size": 101}, "batch_size"), ({"noise": 60}, "noise"),
    ({"train_ratio": 5}, "train_ratio"), ({"seed": -1}, "seed"), ({"seed": "abc"}, "seed"),
    ({"seed": 2**31}, "seed"), ({"layers": 3}, "layers"),
]


@pytest.mark.parametrize("body,field", BAD)
def test_parse_settings_names_the_bad_field(body, field):
    with pytest.raises(BadField) as e:
        parse_settings(body)
    assert e.value.field == field and field in str(e.value)


def test_parse_settings_takes_defaults_and_javascript_integers():
    s = parse_settings({"dataset": "xor", "hidden": [3.0], "features": ["x2", "x1"],
                        "batch_size": 30.0})
    assert s.dataset == "xor" and s.hidden == (3,) and s.batch_size == 30
    assert s.features == ("x1", "x2")                         # the page's fixed order
    assert s.learning_rate == settings.Settings().learning_rate
    assert parse_settings({"hidden": []}).hidden == ()         # no hidden layer is allowed
    every = parse_settings(settings.Settings(seed=3).to_json())   # every field checked
    assert every == settings.Settings(seed=3)


def test_parse_epochs_bounds_the_work_of_one_request():
    assert parse_epochs({"epochs": 100}, 25) == 100
    for body in ({"epochs": 0}, {"epochs": 101}, {"epochs": "2"}, {"epochs": 21}):
        with pytest.raises(BadField, match="epochs"):
            parse_epochs(body, 250)                            # 21 × 250 > 5000 updates
    with pytest.raises(BadField, match="speed"):
        parse_epochs({"speed": 2}, 25)


# ------------------------------------------------------------------ sessions
def test_training_lowers_the_loss_and_records_history():
    s = session.Session(parse_settings({"dataset": "xor", "learning_rate": 0.1}))
    start = s.losses
    s.train(20)
    h = s.history
    assert s.epoch == 20 and h["epoch"] == list(range(21)) and len(h["test_loss"]) == 21
    assert s.losses[1] < 0.6 * start[1] and s.losses[0] < 0.6 * start[0]
    norms = np.array(h["grad_norm"][1:])
    assert norms.shape == (20, 3) and np.all(norms > 0) and np.all(np.isfinite(norms))


def test_a_network_learns_the_multigauss_bumps():
    """The regression set is trained on the mean squared error, as the plane is: from about
    0.2 (predicting 0 everywhere is ~0.19) to a small fraction of it in 30 epochs."""
    s = session.Session(parse_settings({"dataset": "multigauss", "optimizer": "adam",
                                        "learning_rate": 0.03, "hidden": [8, 8],
                                        "features": ["x1", "x2", "sin(x1)", "sin(x2)"]}))
    start = s.losses
    s.train(30)
    assert s.losses[0] < 0.2 * start[0] and s.losses[1] < 0.2 * start[1]
    assert -1 <= min(s.state()["boundary"]) and max(s.state()["boundary"]) <= 1


def test_gradient_norms_are_those_of_the_layers():
    """The recorded norm of each Linear layer is ‖(∂L/∂W, ∂L/∂b)‖ averaged over the batches:
    with one full batch it is exactly the norm of the gradient computed by hand."""
    import nnscratch as ns
    import nnscratch.nn.functional as F
    s = session.Session(parse_settings({"dataset": "gauss", "batch_size": 100,
                                        "train_ratio": 20, "hidden": [3]}))
    first = {k: v.clone() for k, v in s.model.state_dict().items()}   # state_dict shares memory
    s.train(1)
    model = session.build_model(2, (3,), "tanh")
    model.load_state_dict(first)
    perm = ns.random.rng(0).permutation(100)                 # the session's first order
    loss = F.binary_cross_entropy_with_logits(model(ns.tensor(s.X_train[perm])),
                                              ns.tensor(s.y_train[perm]))
    loss.backward()
    want = [math.sqrt(sum(float((np.asarray(p.grad) ** 2).sum()) for p in (m.weight, m.bias)))
            for m in model if isinstance(m, ns.nn.Linear)]
    np.testing.assert_allclose(s.history["grad_norm"][1], want, rtol=1e-5)


def test_history_is_thinned_beyond_its_bound(monkeypatch):
    monkeypatch.setattr(session, "MAX_HISTORY", 10)
    s = session.Session(parse_settings({"hidden": [], "batch_size": 100}))
    s.train(12)
    h = s.history
    assert len(h["epoch"]) <= 10 and h["epoch"][0] == 0 and h["epoch"] == sorted(h["epoch"])
    assert all(len(v) == len(h["epoch"]) for v in h.values())


@pytest.mark.parametrize("extra", [
    {"optimizer": "adam", "regularization": "l2", "reg_rate": 0.003},
    {"dataset": "plane", "optimizer": "momentum", "regularization": "l1", "reg_rate": 0.001,
     "features": ["x1", "x2", "x1*x2"], "activation": "relu", "hidden": [3, 3]},
    {"dataset": "spiral", "activation": "sigmoid", "hidden": [], "features": ["sin(x1)", "x2"]},
])
def test_the_shown_code_trains_exactly_what_the_session_trains(extra):
    s = session.Session(parse_settings({"dataset": "circle", "seed": 7, **extra}))
    s.train(4)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code.script(s.settings, epochs=4), "<playground code>", "exec"), {})
    last = out.getvalue().strip().splitlines()[-1]
    assert last == f"epoch 4: train loss {s.losses[0]:.4f}, test loss {s.losses[1]:.4f}"


def test_weights_set_by_hand_change_the_network_and_the_shown_code_repeats_them():
    s = session.Session(parse_settings({"dataset": "circle", "seed": 7}))
    s.set_weight(0, 1, 0, 0.5)                           # before training
    s.train(2)
    before = s.losses
    s.set_weight(1, 0, 1, -2.0)                          # after epoch 2
    assert s.linears[1].weight[0, 1].item() == -2.0 and s.losses != before
    assert s.edits == [(0, 0, 1, 0, 0.5), (2, 1, 0, 1, -2.0)]
    s.train(1)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code.script(s.settings, 3, s.edits), "<playground code>", "exec"), {})
    last = out.getvalue().strip().splitlines()[-1]
    assert last == f"epoch 3: train loss {s.losses[0]:.4f}, test loss {s.losses[1]:.4f}"
    assert "BY_HAND" not in code.script(s.settings, 3)  # no edits, no edit code


@pytest.mark.parametrize("body, field", [
    ({"layer": 0, "row": 0, "column": 0}, "value"),
    ({"layer": 3, "row": 0, "column": 0, "value": 1}, "layer"),       # 3 Linear layers: 0-2
    ({"layer": 0, "row": 4, "column": 0, "value": 1}, "row"),         # Linear(2, 4): rows 0-3
    ({"layer": 0, "row": 0, "column": 2, "value": 1}, "column"),
    ({"layer": 0, "row": 0, "column": 0, "value": 1e9}, "value"),
    ({"layer": 0, "row": 0, "column": 0, "value": "big"}, "value"),
    ({"layer": 0, "row": 0, "column": 0, "value": 1, "bias": 2}, "bias"),
])
def test_api_sets_a_weight_or_names_what_is_wrong(server, body, field):
    sid, state = create(server)
    status, answer = call(server, "POST", f"/api/sessions/{sid}/weight", body)
    assert status == 400 and answer["field"] == field, answer
    status, st = call(server, "POST", f"/api/sessions/{sid}/weight",
                      {"layer": 0, "row": 2, "column": 1, "value": -1.25})
    assert status == 200 and st["weights"][0][2][1] == -1.25
    assert st["weights"][0][2][0] == state["weights"][0][2][0]          # nothing else moved
    assert st["test_loss"] != state["test_loss"]
    status, text = call(server, "GET", f"/api/sessions/{sid}/code")
    assert status == 200 and "BY_HAND = {0: [(0, 2, 1, -1.25)]}" in text


def test_store_drops_idle_sessions_and_refuses_a_17th():
    now = [0.0]
    store = session.SessionStore(max_sessions=16, idle_seconds=60, clock=lambda: now[0])
    tiny = parse_settings({"hidden": []})
    ids = [store.create(tiny)[0] for _ in range(16)]
    with pytest.raises(BadField) as e:
        store.create(tiny)
    assert e.value.field == "session" and "16" in str(e.value)
    now[0] = 30.0
    store.get(ids[0])                                          # used: stays
    now[0] = 75.0
    store.sweep()
    assert len(store) == 1 and store.get(ids[0])
    with pytest.raises(KeyError):
        store.get(ids[1])
    store.create(tiny)                                         # room again


# ------------------------------------------------------------------ HTTP API
def test_api_session_life(server):
    sid, st = create(server, dataset="xor", hidden=[4, 3], seed=1)
    assert st["epoch"] == 0 and st["settings"]["hidden"] == [4, 3]
    assert len(st["boundary"]) == st["resolution"] ** 2
    assert [len(layer) for layer in st["neurons"]] == [2, 4, 3]
    assert all(len(g) == st["neuron_resolution"] ** 2 for g in st["neurons"][1])
    assert [np.shape(w) for w in st["weights"]] == [(4, 2), (3, 4), (1, 3)]
    assert len(st["points"]["train"]) == 250 and len(st["points"]["test"][0]) == 3
    assert max(abs(v) for v in st["boundary"]) <= 1

    status, st2 = call(server, "POST", f"/api/sessions/{sid}/step", {"epochs": 5})
    assert status == 200 and st2["epoch"] == 5 and "points" not in st2
    assert st2["boundary"] != st["boundary"] and len(st2["history"]["test_loss"]) == 6

    status, text = call(server, "GET", f"/api/sessions/{sid}/code")
    assert status == 200 and "range(1, 5 + 1)" in text and "nn.Linear(4, 3)" in text

    status, st3 = call(server, "POST", f"/api/sessions/{sid}/settings",
                       {"dataset": "gauss", "hidden": [2]})
    assert status == 200 and st3["epoch"] == 0 and st3["settings"]["dataset"] == "gauss"
    status, got = call(server, "GET", f"/api/sessions/{sid}")
    assert status == 200 and got["settings"] == st3["settings"] and "points" in got

    assert call(server, "POST", f"/api/sessions/{sid}/close", {})[0] == 200
    status, answer = call(server, "POST", f"/api/sessions/{sid}/step", {"epochs": 1})
    assert status == 404 and answer["field"] == "session"


def test_api_tabs_get_their_own_sessions_and_a_seed_repeats_a_picture(server):
    a, _ = create(server, dataset="circle", seed=4)
    b, _ = create(server, dataset="circle", seed=4)
    c, _ = create(server, dataset="circle", seed=5)
    assert len({a, b, c}) == 3
    states = [call(server, "POST", f"/api/sessions/{sid}/step", {"epochs": 3})[1]
              for sid in (a, b, c)]
    assert states[0]["boundary"] == states[1]["boundary"]
    assert states[0]["boundary"] != states[2]["boundary"]
    assert call(server, "GET", f"/api/sessions/{a}")[1]["epoch"] == 3
    assert call(server, "GET", f"/api/sessions/{c}")[1]["epoch"] == 3


def test_api_concurrent_steps_match_sequential_ones(server):
    ids = [create(server, dataset="xor", seed=2)[0] for _ in range(3)]
    results = {}

    def work(sid):
        for _ in range(3):
            results[sid] = call(server, "POST", f"/api/sessions/{sid}/step", {"epochs": 2})
    threads = [threading.Thread(target=work, args=(sid,)) for sid in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert all(results[sid][0] == 200 and results[sid][1]["epoch"] == 6 for sid in ids)
    assert len({json.dumps(results[sid][1]["boundary"]) for sid in ids}) == 1


@pytest.mark.parametrize("body,field", BAD[::3])
def test_api_answers_bad_settings_with_400_naming_the_field(server, body, field):
    status, answer = call(server, "POST", "/api/sessions", body)
    assert status == 400 and answer["field"] == field and field in answer["error"]


@pytest.mark.parametrize("raw,field", [
    (b"{not json", "body"), (b'{"learning_rate": NaN}', "body"),
    (b'{"learning_rate": Infinity}', "body"), (b"[1, 2]", "body"), (b"\xff\xfe", "body"),
])
def test_api_answers_malformed_bodies_with_400(server, raw, field):
    status, answer = call(server, "POST", "/api/sessions", raw=raw)
    assert status == 400 and answer["field"] == field


def test_api_bounds_and_survives_bad_requests(server):
    sid, _ = create(server, batch_size=1)                      # 250 updates per epoch
    for body in ({"epochs": 101}, {"epochs": 21}, {"epochs": -1}, {"epochs": "many"}):
        status, answer = call(server, "POST", f"/api/sessions/{sid}/step", body)
        assert status == 400 and answer["field"] == "epochs", answer
    status, answer = call(server, "POST", f"/api/sessions/{sid}/settings", {"hidden": [8] * 7})
    assert status == 400 and answer["field"] == "hidden"
    status, answer = call(server, "POST", "/api/sessions", raw=b"x" * (64 * 1024 + 1))
    assert status == 413 and answer["field"] == "body"
    assert call(server, "GET", "/api/sessions/0123456789abcdef")[0] == 404
    assert call(server, "GET", "/static/../server.py")[0] == 404
    assert call(server, "GET", "/static/%2e%2e/server.py")[0] == 404
    assert call(server, "POST", "/api/nothing", {})[0] == 404
    for _ in range(15):                                        # 16 live sessions in all
        create(server, hidden=[])
    status, answer = call(server, "POST", "/api/sessions", {})
    assert status == 400 and answer["field"] == "session"
    status, st = call(server, "POST", f"/api/sessions/{sid}/step", {"epochs": 1})
    assert status == 200 and st["epoch"] == 1                  # still serving


def test_page_and_its_files_are_served_from_the_package(server):
    status, page = call(server, "GET", "/")
    assert status == 200 and "<canvas id=\"boundary\"" in page
    for name in ("app.js", "style.css"):
        status, text = call(server, "GET", f"/static/{name}")
        assert status == 200 and len(text) > 1000 and (STATIC / name).is_file()
    # no CDN: every file the page loads comes from this server
    for text in (page, (STATIC / "app.js").read_text(), (STATIC / "style.css").read_text()):
        assert "http://" not in text.replace("http://www.w3.org/2000/svg", "")
        assert "https://" not in text
    status, opts = call(server, "GET", "/api/options")
    assert opts["datasets"] == list(data.DATASETS) and opts["max_layers"] == 6
    # an inactive feature's preview is the picture the same feature has when active
    sid, st = create(server, features=list(data.FEATURES))
    assert sorted(opts["feature_previews"]) == sorted(data.FEATURES)
    for k, f in enumerate(data.FEATURES):
        assert opts["feature_previews"][f] == st["neurons"][0][k], f
    # each data set's picture for its button: its own points (seed 0, no noise), rounded
    assert sorted(opts["thumbnails"]) == sorted(data.DATASETS)
    for name, rows in opts["thumbnails"].items():
        xy, y, _, _ = data.make_dataset(name, noise=0, train_ratio=99, seed=0)
        np.testing.assert_allclose(np.array(rows), np.hstack([xy[:120], y[:120]]), atol=0.0051)


def test_cli_starts_the_server_and_prints_its_address():
    proc = subprocess.Popen([sys.executable, "-m", "nnscratch.app.cli", "playground", "--port",
                             "0"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        assert "http://127.0.0.1:" in line, (line, proc.stderr.read() if proc.poll() else "")
        url = line.split("open ")[1].split()[0]
        with urllib.request.urlopen(url, timeout=10) as r:
            assert r.status == 200 and b"nnscratch playground" in r.read()
    finally:
        proc.terminate()
        proc.wait(10)


def test_cli_reports_a_busy_or_impossible_port(capsys):
    from nnscratch.app.cli import main
    with PlaygroundServer(port=0) as busy:
        port = busy.server_address[1]
        assert main(["playground", "--port", str(port)]) == 2
    assert f"127.0.0.1:{port}" in capsys.readouterr().err
    assert main(["playground", "--port", "70000"]) == 2
    assert "[0, 65535], got 70000" in capsys.readouterr().err


# ------------------------------------------------------------------ divergence, favicon
def test_a_diverged_session_stops_training_and_says_so(server):
    sid, state = create(server, dataset="plane", optimizer="sgd", learning_rate=10,
                        hidden=[8, 8], batch_size=1)
    assert state["diverged"] is False
    for _ in range(20):
        status, state = call(server, "POST", f"/api/sessions/{sid}/step", {"epochs": 5})
        assert status == 200, state            # never a 500 for NaN/inf (not JSON numbers)
        if state["diverged"]:
            break
    assert state["diverged"] is True and state["test_loss"] is None
    epoch = state["epoch"]
    status, again = call(server, "POST", f"/api/sessions/{sid}/step", {"epochs": 5})
    assert status == 200 and again["diverged"] and again["epoch"] == epoch   # trained no more
    status, fresh = call(server, "POST", f"/api/sessions/{sid}/settings",
                         dict(state["settings"], learning_rate=0.03))
    assert status == 200 and fresh["diverged"] is False and fresh["epoch"] == 0


def test_the_favicon_is_served(server):
    status, text = call(server, "GET", "/favicon.ico")
    assert status == 200 and text.startswith("<svg")
