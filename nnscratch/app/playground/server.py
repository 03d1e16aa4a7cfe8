"""The playground's web server: the standard library's ThreadingHTTPServer on 127.0.0.1.

Routes (JSON in and out; errors are ``{"error": message, "field": name}``):

=======  ===========================  ====================================================
GET      ``/``, ``/static/NAME``      the page and its files (``static/`` in this package)
GET      ``/api/options``             the choices and bounds the page offers
POST     ``/api/sessions``            new session from settings -> ``{"id", "state"}``
GET      ``/api/sessions/ID``         its state, with the data points
POST     ``/api/sessions/ID/settings``  new settings: a fresh network -> state with points
POST     ``/api/sessions/ID/step``    ``{"epochs": n}``: train n epochs -> state
GET      ``/api/sessions/ID/code``    the equivalent nnscratch script (text/plain)
POST     ``/api/sessions/ID/close``   forget it (the page sends this when the tab closes)
=======  ===========================  ====================================================

Bad fields get 400 naming the field, an unknown or expired session 404; no request can make
the server build more than 16 sessions of at most 6×8 neurons or run more than
``MAX_STEPS_PER_REQUEST`` updates, and an unexpected error is a 500 answer, never a crash.

Client input never causes a 500: a connection that sends nothing for ``READ_TIMEOUT`` seconds is
closed (half-open connections cannot hold the server's threads); a body must come with a
Content-Length of at most ``MAX_BODY`` bytes (``Transfer-Encoding`` is refused with 411); JSON
may nest ``MAX_DEPTH`` levels and hold integers of ``MAX_DIGITS`` digits (Python's own limit,
4300, would be a ValueError; NaN and Infinity are no JSON); after an error about the body the
connection is closed, so an unread body is never taken for the next request.  A session whose
training diverged answers its NaN/inf values as ``null`` with ``"diverged": true``.
"""
from __future__ import annotations

import contextlib
import http.server
import json
import math
import mimetypes
import pathlib
import re
import sys
import threading
import traceback
from importlib import resources
from urllib.parse import urlsplit

from . import code, data, settings
from .session import SessionStore, feature_previews
from .settings import BadField, parse_epochs, parse_settings, parse_weight

MAX_BODY = 64 * 1024
MAX_DEPTH = 16              # the settings nest 2 levels
MAX_DIGITS = 20             # an int64 has 19
READ_TIMEOUT = 10.0         # seconds a connection may stay silent mid-request
STATIC = pathlib.Path(str(resources.files(__package__) / "static"))
_SESSION_PATH = re.compile(r"^/api/sessions/([0-9a-f]{16})(?:/(settings|step|code|close|weight))?$")


class _Reply(Exception):
    def __init__(self, status: int, message: str, field: str | None = None):
        super().__init__(message)
        self.status, self.field = status, field


def options() -> dict:
    return {"datasets": list(data.DATASETS), "regression": list(data.REGRESSION),
            "features": list(data.FEATURES), "activations": list(settings.ACTIVATIONS),
            "optimizers": list(settings.OPTIMIZERS),
            "regularizations": list(settings.REGULARIZATIONS),
            "max_layers": settings.MAX_LAYERS, "max_neurons": settings.MAX_NEURONS,
            "max_epochs_per_request": settings.MAX_EPOCHS_PER_REQUEST,
            "max_steps_per_request": settings.MAX_STEPS_PER_REQUEST,
            "defaults": settings.Settings().to_json(),
            "thumbnails": {name: data.thumbnail(name).tolist() for name in data.DATASETS},
            "feature_previews": feature_previews()}


class Handler(http.server.BaseHTTPRequestHandler):
    """One request; ``self.server.store`` holds the sessions."""

    server_version = "nnscratch-playground"
    protocol_version = "HTTP/1.1"

    def setup(self):
        self.timeout = getattr(self.server, "read_timeout", READ_TIMEOUT)  # socket timeout
        super().setup()

    def log_message(self, fmt, *args):         # quiet: the terminal shows only the address
        if getattr(self.server, "verbose", False):
            super().log_message(fmt, *args)

    # -------------------------------------------------------------- plumbing
    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, status: int, obj) -> None:
        try:
            text = json.dumps(obj, allow_nan=False)
        except ValueError:                  # NaN/inf from a diverged network: null instead
            text = json.dumps(_finite(obj), allow_nan=False)
        self._send(status, text.encode(), "application/json")

    def _body(self):
        if self.headers.get("Transfer-Encoding") is not None:
            self.close_connection = True
            raise _Reply(411, "send the body with a Content-Length (Transfer-Encoding "
                              f"{self.headers['Transfer-Encoding']!r} is not accepted)", "body")
        try:
            n = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            self.close_connection = True
            raise _Reply(400, "Content-Length is not a number", "body") from None
        if not 0 <= n <= MAX_BODY:
            self.close_connection = True
            raise _Reply(413 if n > MAX_BODY else 400,
                         f"the body must be at most {MAX_BODY} bytes, got {n}", "body")
        raw = self.rfile.read(n) if n else b"{}"
        if len(raw) < n:
            self.close_connection = True
            raise _Reply(400, f"the body ended after {len(raw)} of {n} bytes", "body")
        try:
            # NaN and Infinity are not JSON; refuse them instead of reading them as floats
            value = json.loads(raw, parse_constant=self._no_constant, parse_int=self._int)
        except RecursionError:
            raise _Reply(400, f"the body nests deeper than {MAX_DEPTH} levels", "body") from None
        except (UnicodeDecodeError, ValueError) as e:     # JSONDecodeError is a ValueError
            raise _Reply(400, f"the body is not valid JSON: {e}", "body") from None
        if _depth(value) > MAX_DEPTH:
            raise _Reply(400, f"the body nests deeper than {MAX_DEPTH} levels", "body")
        return value

    @staticmethod
    def _no_constant(name):
        raise json.JSONDecodeError(f"{name} is not a JSON number", name, 0)

    @staticmethod
    def _int(text):
        if len(text.lstrip("-")) > MAX_DIGITS:
            raise ValueError(f"an integer of {len(text)} digits (at most {MAX_DIGITS})")
        return int(text)

    def _dispatch(self, route) -> None:
        try:
            route()
        except (ConnectionError, TimeoutError):   # the client left or went silent mid-body
            self.close_connection = True
        except BadField as e:
            self._json(400, {"error": str(e), "field": e.field})
        except _Reply as e:
            self._json(e.status, {"error": str(e), "field": e.field})
        except Exception:                          # a bug must not take the server down
            traceback.print_exc(file=sys.stderr)
            self._json(500, {"error": "internal error (see the server's terminal)",
                             "field": None})

    def do_GET(self):
        self._dispatch(self._get)

    def do_HEAD(self):
        self._dispatch(self._get)

    def do_POST(self):
        self._dispatch(self._post)

    # -------------------------------------------------------------- routes
    def _session(self, sid):
        try:
            return self.server.store.get(sid)
        except KeyError:
            raise _Reply(404, f"no live session {sid} (it expired or was closed); reload the "
                              f"page", "session") from None

    def _get(self) -> None:
        path = urlsplit(self.path).path
        if path in ("/", "/index.html"):
            return self._static("index.html")
        if path == "/favicon.ico":                  # browsers ask for it unprompted
            return self._static("favicon.svg")
        if path.startswith("/static/"):
            return self._static(path[len("/static/"):])
        if path == "/api/options":
            return self._json(200, options())
        m = _SESSION_PATH.match(path)
        if m and m.group(2) is None:
            session = self._session(m.group(1))
            with session.lock:
                return self._json(200, session.state(points=True))
        if m and m.group(2) == "code":
            session = self._session(m.group(1))
            text = code.script(session.settings, max(session.epoch, 1), session.edits)
            return self._send(200, text.encode(), "text/plain; charset=utf-8")
        raise _Reply(404, f"no such page: {path}", "path")

    def _static(self, name: str) -> None:
        try:
            target = (STATIC / name).resolve()
            found = STATIC.resolve() in target.parents and target.is_file()
        except (ValueError, OSError):               # a NUL byte, a name too long ...
            found = False
        if not found:
            raise _Reply(404, f"no such file: {name[:80]!r}", "path")
        ctype = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if ctype.startswith("text/") or ctype.endswith("javascript"):
            ctype += "; charset=utf-8"
        self._send(200, target.read_bytes(), ctype)

    def _post(self) -> None:
        path = urlsplit(self.path).path
        body = self._body()
        store = self.server.store  # type: ignore[attr-defined]  # a PlaygroundServer's
        if path == "/api/sessions":
            sid, session = store.create(parse_settings(body))
            with session.lock:
                return self._json(200, {"id": sid, "state": session.state(points=True)})
        m = _SESSION_PATH.match(path)
        if not m or m.group(2) in (None, "code"):
            raise _Reply(404, f"no such action: POST {path}", "path")
        sid, action = m.groups()
        if action == "close":
            self._session(sid)
            store.remove(sid)
            return self._json(200, {"closed": sid})
        if action == "settings":
            s = parse_settings(body)
            try:
                session = store.replace(sid, s)
            except KeyError:
                raise _Reply(404, f"no live session {sid} (it expired or was closed); reload "
                                  f"the page", "session") from None
            with session.lock:
                return self._json(200, session.state(points=True))
        session = self._session(sid)
        if action == "weight":
            with session.lock:
                shapes = [tuple(layer.weight.shape) for layer in session.linears]
                session.set_weight(*parse_weight(body, shapes))
                return self._json(200, session.state())
        with session.lock:                              # action == "step"
            session.train(parse_epochs(body, session.steps_per_epoch))
            return self._json(200, session.state())


def _depth(value) -> int:
    """How deeply lists and objects nest in a parsed JSON value (iteratively)."""
    deepest, todo = 0, [(value, 1)]
    while todo:
        v, d = todo.pop()
        if isinstance(v, (list, dict)):
            deepest = max(deepest, d)
            if d <= MAX_DEPTH:
                todo.extend((x, d + 1) for x in (v.values() if isinstance(v, dict) else v))
    return deepest


def _finite(obj):
    """``obj`` with every NaN/inf float as None (JSON has no such numbers)."""
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {k: _finite(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_finite(v) for v in obj]
    return obj


class PlaygroundServer(http.server.ThreadingHTTPServer):
    """A threading HTTP server with a :class:`SessionStore`; threads die with the process."""

    daemon_threads = True

    def __init__(self, port: int = 8000, host: str = "127.0.0.1", max_sessions: int = 16,
                 idle_seconds: float = 600.0, verbose: bool = False,
                 read_timeout: float = READ_TIMEOUT):
        self.store = SessionStore(max_sessions, idle_seconds)
        self.verbose = verbose
        self.read_timeout = read_timeout
        super().__init__((host, port), Handler)

    @contextlib.contextmanager
    def running(self, poll_interval: float = 0.05):
        """Serve from a background thread inside a ``with`` block (tests, notebooks), then
        stop and close the socket."""
        thread = threading.Thread(target=self.serve_forever, args=(poll_interval,),
                                  daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self.shutdown()
            self.server_close()
            thread.join(5)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}/"


def run(port: int = 8000) -> int:
    """Serve until Ctrl-C (``nnscratch playground``); port 0 picks a free one.  Returns the
    exit status: 0 after Ctrl-C, 2 when the port is out of range or taken."""
    if not 0 <= port <= 65535:
        print(f"nnscratch playground: --port must be in [0, 65535], got {port}",
              file=sys.stderr)
        return 2
    try:
        server = PlaygroundServer(port)
    except OSError as e:
        print(f"nnscratch playground: cannot listen on 127.0.0.1:{port}: {e.strerror}; "
              f"choose another --port", file=sys.stderr)
        return 2
    print(f"nnscratch playground: open {server.url} in a browser (Ctrl-C stops it)",
          flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0
