"""The application built on the library: what the ``nnscratch`` command runs.

- :mod:`.cli` — the ``nnscratch`` command (``run``, ``list``, ``report``, ``train``, ``evaluate``,
  ``predict``, ``playground``, ``launch``); :mod:`.train_spec` describes what ``train`` trains.
- :mod:`.experiments` — one experiment per textbook example, in files named for their topic,
  with the registry and the runner.
- :mod:`.report` (and ``templates/``) — the HTML report of a run.
- :mod:`.playground` — the browser playground (its page in ``playground/static/``).
- :mod:`.tune` — hyper-parameter search on Ray Tune or a local process pool.

Nothing in the library (``nnscratch`` outside this package) imports from here: the application
depends on the library, never the other way round.
"""
import importlib as _importlib

_SUBMODULES = ("cli", "experiments", "report", "playground", "tune", "train_spec")


def __getattr__(name):
    """``ns.app.tune`` … imports the part on first use (the parts pull in optional packages)."""
    if name in _SUBMODULES:
        module = _importlib.import_module(f".{name}", __name__)
        globals()[name] = module
        return module
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_SUBMODULES))
