"""The experiment registry: one function per textbook example.

An experiment is ``fn(cfg: Config) -> Result``, registered with :func:`experiment`.  It trains or
computes what the textbook example does, saves at least one figure into ``cfg.out``, and reports
its metrics beside the values the textbook (or a cited baseline) leads us to expect::

    @experiment("logreg-and", source="000 §4.4", summary="logistic regression on the AND gate")
    def logreg_and(cfg):
        ...
        return Result(metrics={"accuracy": acc},
                      expected={"accuracy": Expect(">=", 1.0, "all four points (000 §4.4)")},
                      figures=[path], headline="accuracy")
"""
from __future__ import annotations

import dataclasses
import math
import operator
import pathlib
from typing import Callable

_OPS = {">=": operator.ge, "<=": operator.le, ">": operator.gt, "<": operator.lt,
        "==": operator.eq}


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
    """An expected value: ``metric <op> value``, with where the number comes from."""
    op: str
    value: float
    note: str = ""

    def __post_init__(self):
        if self.op not in _OPS:
            raise ValueError(f"Expect: op must be one of {sorted(_OPS)}, got {self.op!r}")

    def check(self, actual) -> bool:
        try:
            actual = float(actual)
        except (TypeError, ValueError):
            return False
        return not math.isnan(actual) and _OPS[self.op](actual, self.value)

    def __str__(self):
        return f"{self.op} {self.value:g}" + (f" ({self.note})" if self.note else "")


@dataclasses.dataclass
class Result:
    """What an experiment returns.

    metrics: name -> number (or short string/table row values).
    expected: metric name -> :class:`Expect`; the experiment passes when all hold.
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
        return {k: e.check(self.metrics.get(k)) for k, e in self.expected.items()}

    @property
    def passed(self) -> bool:
        return all(self.checks.values())


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


def load_all() -> dict:
    """Import every experiment module in this package (each registers its experiments)."""
    import importlib
    import pkgutil
    pkg = pathlib.Path(__file__).parent
    for info in pkgutil.iter_modules([str(pkg)]):
        if info.name not in ("registry", "plotting", "__init__") and not info.name.startswith("_"):
            importlib.import_module(f"{__package__}.{info.name}")
    return REGISTRY
