"""The experiment registry: one function per textbook example.

An experiment is ``fn(cfg: Config) -> Result``, registered with :func:`experiment`.  It trains or
computes what the textbook example does, saves at least one figure into ``cfg.out``, and reports
its metrics beside the values it expects, each saying where its number comes from (the text and
its place, a published baseline with its citation, or our own target)::

    @experiment("logreg-and", source="000 §4.4", summary="logistic regression on the AND gate")
    def logreg_and(cfg):
        ...
        return Result(metrics={"accuracy": acc},
                      expected={"accuracy": Expect(">=", 1.0, "all four points",
                                                   source="text: 000 §4.4")},
                      figures=[path], headline="accuracy")

A claim the quick setting cannot show is still stated in quick mode, with ``full_only=cfg.quick``:
it is then not checked, and the run's status says it needs the full run.  What the short run can
show is checked beside it, filed under its own key::

    expected={"accuracy": Expect(">=", 0.88, "2 epochs", source="ours"),
              "accuracy, full run": Expect(">=", 0.99, source="text: 001 §9.11",
                                           metric="accuracy", full_only=cfg.quick)}
"""
from __future__ import annotations

import dataclasses
import math
import operator
import pathlib
import re
from typing import Callable

_OPS = {">=": operator.ge, "<=": operator.le, ">": operator.gt, "<": operator.lt,
        "==": operator.eq}
_SOURCE = re.compile(r"(text|paper): \S.*|ours(: \S.*)?")
KINDS = ("text", "paper", "ours")
PASS, FAIL, NEEDS_FULL = "pass", "fail", "needs the full run"


@dataclasses.dataclass
class Config:
    """What every experiment receives: seed, quick mode, optional epochs, output folder."""
    seed: int = 0
    quick: bool = False
    epochs: int | None = None
    out: pathlib.Path = pathlib.Path("runs")

    def figure(self, name: str) -> pathlib.Path:
        """A path in the output folder for a figure called ``name`` (a ``.png`` file)."""
        self.out.mkdir(parents=True, exist_ok=True)
        return self.out / (name if name.endswith(".png") else name + ".png")


@dataclasses.dataclass
class Expect:
    """An expected value: ``metric <op> value``, with where the number comes from.

    source: ``"text: 000 §4.4"`` (a number the text prints, and where), ``"paper: Greydanus
    2020, Table 1"`` (a published baseline that is in none of the texts, with its citation) or
    ``"ours"`` / ``"ours: why"`` (our own target).  Only what a text prints is ``text``.
    full_only: the claim is about the full run.  A quick run that already meets it passes it
    (the quick run decides); one that does not says it needs the full run.
    metric: the metric it checks, when not the key it is filed under (so that a quick run can
        check its own bar on a metric and state the text's full-run claim beside it).
    """
    op: str
    value: float
    note: str = ""
    source: str = ""
    full_only: bool = False
    metric: str | None = None

    def __post_init__(self):
        if self.op not in _OPS:
            raise ValueError(f"Expect: op must be one of {sorted(_OPS)}, got {self.op!r}")
        if not isinstance(self.source, str) or not _SOURCE.fullmatch(self.source):
            raise ValueError(f"Expect: source must be 'text: <text and place>', 'paper: "
                             f"<citation>' or 'ours[: why]', got {self.source!r}")

    @property
    def kind(self) -> str:
        """Where the number comes from: ``"text"``, ``"paper"`` or ``"ours"``."""
        return self.source.partition(":")[0]

    def check(self, actual) -> bool:
        try:
            actual = float(actual)
        except (TypeError, ValueError):
            return False
        return not math.isnan(actual) and _OPS[self.op](actual, self.value)

    def status(self, actual) -> str:
        """PASS or FAIL; a full-run claim that this (quick) run does not meet yet: NEEDS_FULL,
        since only the full run can decide it (one the quick run already meets passes)."""
        if self.check(actual):
            return PASS
        return NEEDS_FULL if self.full_only else FAIL

    def __str__(self):
        return (f"{self.op} {self.value:g} [{self.source}]"
                + (f" ({self.note})" if self.note else ""))


def claim(cfg: Config, metric: str, full: Expect, quick: Expect | None = None) -> dict:
    """Expected values on ``metric``: the full run checks ``full``; a quick run checks
    ``quick`` (what the short run can show, if anything) and states ``full`` unchecked, filed
    under ``"<metric> (full run)"``, so that its status says it needs the full run."""
    if not cfg.quick:
        return {metric: full}
    out = {f"{metric} (full run)": dataclasses.replace(full, full_only=True, metric=metric)}
    if quick is not None:
        out[metric] = quick
    return out


@dataclasses.dataclass
class Result:
    """What an experiment returns.

    metrics: name -> number (or short string/table row values).
    expected: metric name -> :class:`Expect`; see :attr:`status`.
    figures: paths of the PNGs it wrote.
    headline: the metric shown in the summary table.
    tables: optional name -> list of row dicts (rendered in the report).
    text: optional name -> preformatted text (e.g. generated samples).
    """
    metrics: dict
    expected: dict = dataclasses.field(default_factory=dict)
    figures: list = dataclasses.field(default_factory=list)
    headline: str | None = None
    tables: dict = dataclasses.field(default_factory=dict)
    text: dict = dataclasses.field(default_factory=dict)

    @property
    def checks(self) -> dict:
        """metric -> PASS, FAIL or NEEDS_FULL."""
        return {k: e.status(self.metrics.get(e.metric or k)) for k, e in self.expected.items()}

    @property
    def status(self) -> str:
        """FAIL if a checked claim fails, else NEEDS_FULL if a claim was left to the full
        run, else PASS."""
        checks = set(self.checks.values())
        return FAIL if FAIL in checks else NEEDS_FULL if NEEDS_FULL in checks else PASS

    @property
    def passed(self) -> bool:
        """Every claim this run checks holds (claims left to the full run aside)."""
        return self.status != FAIL


@dataclasses.dataclass
class Experiment:
    name: str
    fn: Callable[[Config], Result]
    source: str
    summary: str

    def __call__(self, cfg: Config) -> Result:
        return self.fn(cfg)


REGISTRY: dict[str, Experiment] = {}


def experiment(name: str, source: str, summary: str):
    """Register ``fn(cfg) -> Result`` under ``name`` (``source``: chapter/section it follows)."""
    def register(fn):
        if name in REGISTRY:
            raise ValueError(f"experiment {name!r} is registered twice")
        REGISTRY[name] = Experiment(name, fn, source, summary)
        return fn
    return register


def get(name: str) -> Experiment:
    load_all()
    if name not in REGISTRY:
        raise ValueError(f"unknown experiment {name!r}; choose from: {', '.join(sorted(REGISTRY))}")
    return REGISTRY[name]


def experiment_modules() -> list[str]:
    """The names of this package's modules that define experiments."""
    import pkgutil
    pkg = pathlib.Path(__file__).parent
    return [info.name for info in pkgutil.iter_modules([str(pkg)])
            if info.name not in ("registry", "runner", "plotting")
            and not info.name.startswith("_")]


def load_all() -> dict:
    """Import every experiment module in this package (each registers its experiments)."""
    import importlib
    for name in experiment_modules():
        importlib.import_module(f"{__package__}.{name}")
    return REGISTRY
