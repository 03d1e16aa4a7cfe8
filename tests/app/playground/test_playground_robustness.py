"""The playground's server under hostile clients, loopback only (issue 36, item 4): read
timeouts, Transfer-Encoding refused, JSON size/depth/number limits, no 500 for any client
input (a seeded fuzz of ~300 requests), and a diverged session answered with nulls.  ~6 s."""
import http.client
import json
import random
import socket
import time

import numpy as np
import pytest

from nnscratch.app.playground.server import MAX_BODY, PlaygroundServer


@pytest.fixture
def server():
    with PlaygroundServer(port=0, read_timeout=0.5).running() as srv:
        yield srv


def exchange(srv, raw: bytes, timeout=10.0, method="GET"):
    """Send ``raw`` on a fresh connection; ``(status, body)`` of the answer, or ``(None, b"")``
    when the server closed the connection without one."""
    host, port = srv.server_address[:2]
    with socket.create_connection((host, port), timeout=timeout) as sock:
        sock.sendall(raw)
        resp = http.client.HTTPResponse(sock, method=method)   # HEAD: no body
        try:
            resp.begin()
        except (http.client.RemoteDisconnected, ConnectionResetError):
            return None, b""
        return resp.status, resp.read()


def request(method, path, body: bytes | None = None, headers=None) -> bytes:
    head = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", "Connection: close"]
    if body is not None and not any(h.lower().startswith("transfer-encoding")
                                    for h in (headers or [])):
        head.append(f"Content-Length: {len(body)}")
    head += headers or []
    return ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + (body or b"")


def new_session(srv, **fields):
    status, body = exchange(srv, request("POST", "/api/sessions", json.dumps(fields).encode()))
    assert status == 200, body
    return json.loads(body)["id"]


# ------------------------------------------------------------------ named cases
CASES = [
    ("chunked body", request("POST", "/api/sessions", b"2\r\n{}\r\n0\r\n\r\n",
                             ["Transfer-Encoding: chunked"]), 411),
    ("body over the limit", request("POST", "/api/sessions", b" " * (MAX_BODY + 1)), 413),
    ("negative length", b"POST /api/sessions HTTP/1.1\r\nContent-Length: -5\r\n\r\n", 400),
    ("length not a number", b"POST /api/sessions HTTP/1.1\r\nContent-Length: x\r\n\r\n", 400),
    ("deep nesting", request("POST", "/api/sessions", b"[" * 30000 + b"]" * 30000), 400),
    ("moderate nesting", request("POST", "/api/sessions", b'{"a":' * 40 + b"1" + b"}" * 40),
     400),
    ("5000-digit integer", request("POST", "/api/sessions", b'{"seed": ' + b"9" * 5000 + b"}"),
     400),
    ("25-digit integer", request("POST", "/api/sessions", b'{"seed": ' + b"9" * 25 + b"}"), 400),
    ("1e999 learning rate", request("POST", "/api/sessions", b'{"learning_rate": 1e999}'), 400),
    ("1e300 batch size", request("POST", "/api/sessions", b'{"batch_size": 1e300}'), 400),
    ("-1e999 noise", request("POST", "/api/sessions", b'{"noise": -1e999}'), 400),
    ("NUL in a static name", request("GET", "/static/a%00b"), 404),
    ("NUL byte raw in a static name", request("GET", "/static/a\x00b"), 404),
    ("long static name", request("GET", "/static/" + "a" * 5000), 404),
    ("unknown method", request("BREW", "/"), 501),
]


@pytest.mark.parametrize("raw, status", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_hostile_requests_get_a_client_error(server, raw, status):
    got, body = exchange(server, raw)
    assert got == status, body[:200]
    assert exchange(server, request("GET", "/api/options"))[0] == 200


def test_a_short_body_times_out_and_frees_the_thread(server):
    t0 = time.monotonic()
    status, _ = exchange(server, b"POST /api/sessions HTTP/1.1\r\nContent-Length: 100\r\n\r\n{")
    assert status is None and time.monotonic() - t0 < 5


def test_half_open_connections_are_closed_after_the_read_timeout(server):
    host, port = server.server_address[:2]
    socks = []
    for i in range(10):
        s = socket.create_connection((host, port), timeout=5)
        s.sendall(b"POST /api/sessions HTTP/1.1\r\nContent-Length: 50\r\n\r\n{" if i % 2
                  else b"GET /api/opt")
        socks.append(s)
    t0 = time.monotonic()
    assert exchange(server, request("GET", "/api/options"))[0] == 200   # still answering
    for s in socks:
        assert s.recv(100) == b""           # closed by the server, not by our timeout
        s.close()
    assert time.monotonic() - t0 < 4


def test_a_diverged_session_answers_nulls_not_a_500(server):
    sid = new_session(server, hidden=[2])
    session = server.store.get(sid)
    session.model[0].weight._data[...] = np.nan
    status, body = exchange(server, request("POST", f"/api/sessions/{sid}/step",
                                            b'{"epochs": 1}'))
    assert status == 200, body
    state = json.loads(body)          # strict JSON: no NaN tokens
    assert state["diverged"] is True and state["test_loss"] is None
    assert state["weights"][0][0][0] is None
    status, body = exchange(server, request("GET", f"/api/sessions/{sid}"))
    assert status == 200 and json.loads(body)["diverged"] is True


# ------------------------------------------------------------------ fuzz
VALUES = [None, True, False, 0, 1, -1, 2 ** 31, 10 ** 30, 0.5, -0.0, 1e308, 1e-320, "", "x",
          "circle", "relu", "adam", "l2", "x1", [], [1], [8] * 7, ["x1", "x1"], ["x1", "sinX"],
          {}, {"a": 1}, [[[]]], "\u00e9\u2603", 3.0, 9.5, 100, 101]
FIELDS = ["dataset", "noise", "train_ratio", "features", "hidden", "activation",
          "learning_rate", "optimizer", "regularization", "reg_rate", "batch_size", "seed",
          "epochs", "bogus", ""]
PATHS = ["/", "/index.html", "/static/app.js", "/static/../server.py", "/api/options",
         "/api/sessions", "/api/sessions/{sid}", "/api/sessions/{sid}/step",
         "/api/sessions/{sid}/settings", "/api/sessions/{sid}/code", "/api/sessions/{sid}/x",
         "/api/sessions/0123456789abcdef/step", "/api/%ff", "//", "/api/sessions?x=1#y"]


def _fuzz_body(rng: random.Random) -> bytes:
    kind = rng.randrange(6)
    if kind == 0:
        return bytes(rng.randrange(256) for _ in range(rng.randrange(1, 64)))
    if kind == 1:
        text = json.dumps({f: rng.choice(VALUES) for f in rng.sample(FIELDS, 3)})
        cut = rng.randrange(len(text) + 1)
        return text[:cut].encode()                         # often truncated JSON
    if kind == 2:
        return json.dumps(rng.choice(VALUES)).encode()
    if kind == 3:
        return json.dumps({"epochs": rng.choice([0, 1, 2, -3, 1.5, "1", None, 10 ** 9])}).encode()
    return json.dumps({f: rng.choice(VALUES) for f in rng.sample(FIELDS, rng.randrange(4))}
                      ).encode()


def test_fuzz_never_gets_a_500(server, capsys):
    rng = random.Random(36)
    sid = new_session(server, hidden=[2])
    statuses = []
    t0 = time.monotonic()
    for _ in range(300):
        method = rng.choice(["GET", "POST", "POST", "POST", "HEAD", "PUT"])
        path = rng.choice(PATHS).format(sid=sid)
        body = _fuzz_body(rng) if method in ("POST", "PUT") else None
        status, answer = exchange(server, request(method, path, body), method=method)
        assert status is not None and (status < 500 or status == 501), (method, path, body,
                                                                        answer[:300])
        if status >= 400 and status != 501 and method != "HEAD":
            assert "error" in json.loads(answer)             # always a JSON explanation
        statuses.append(status)
        for s in list(server.store._sessions):                # keep room for new sessions
            if s != sid and len(server.store) > 8:
                server.store.remove(s)
    assert time.monotonic() - t0 < 30
    assert {200, 400, 404} <= set(statuses)
    assert "Traceback" not in capsys.readouterr().err
