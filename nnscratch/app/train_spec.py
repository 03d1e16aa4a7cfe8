"""What ``nnscratch train`` trains, said once: the data set, the network and how it is fitted.

One :class:`TrainSpec` is built from the command line; it prints the run's header line
(:meth:`TrainSpec.describe`), builds the network (:meth:`TrainSpec.build`), gives the
``architecture`` entry that :func:`nnscratch.models.saved.load_model` rebuilds from, and is saved
as the file's ``config`` entry and read back by :meth:`TrainSpec.from_config` (``nnscratch
evaluate``).  Its field defaults are the command's defaults; the learning rate's default is
the optimizer's entry in :mod:`nnscratch.optim.registry`.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields

from .._checks import check_int, check_positive, positive_int
from ..optim import registry

MODELS = ("linear", "mlp")


@dataclass(frozen=True)
class TrainSpec:
    """A classifier trained with softmax cross-entropy: ``linear`` (one Linear layer,
    softmax regression) or ``mlp`` (Linear layers of widths ``hidden`` with ``activation``
    between them), from ``n_in`` features to ``n_out`` classes."""

    data: str = "digits"
    model: str = "mlp"
    hidden: tuple = (100,)
    activation: str = "relu"
    optimizer: str = "adam"
    lr: float | None = None          # None: the optimizer's default in the registry
    epochs: int = 10
    batch_size: int = 64
    seed: int = 0
    n_in: int = 0                    # filled from the data
    n_out: int = 0
    extra: dict = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self):
        owner = "TrainSpec"     # what the command line checks, checked again for other callers
        if self.model not in MODELS:
            raise ValueError(f"{owner}: model must be one of {list(MODELS)}, got {self.model!r}")
        if isinstance(self.hidden, (str, bytes)) or not hasattr(self.hidden, "__iter__"):
            raise TypeError(f"{owner}: hidden must be a sequence of layer widths, got "
                            f"{type(self.hidden).__name__} {self.hidden!r}")
        object.__setattr__(self, "hidden", tuple(positive_int(h, "hidden sizes", owner)
                                                 for h in self.hidden))
        for name in ("data", "activation", "optimizer"):
            if not isinstance(getattr(self, name), str):
                raise TypeError(f"{owner}: {name} must be a str, got {getattr(self, name)!r}")
        entry = registry.lookup(self.optimizer)
        if self.lr is None:
            object.__setattr__(self, "lr", entry.lr)
        check_positive(self.lr, "lr", owner)
        positive_int(self.epochs, "epochs", owner)
        positive_int(self.batch_size, "batch_size", owner)
        if check_int(self.seed, "seed", owner, minimum=0) >= 2 ** 32:
            raise ValueError(f"{owner}: seed must be an int in [0, 2**32), got {self.seed}")
        for name in ("n_in", "n_out"):        # 0 until filled from the data
            check_int(getattr(self, name), name, owner, minimum=0)

    @property
    def sizes(self) -> list[int]:
        """Layer widths, input first (``hidden`` only for ``mlp``)."""
        return [int(self.n_in), *(self.hidden if self.model == "mlp" else ()), int(self.n_out)]

    @property
    def architecture(self) -> dict:
        """The saved file's ``architecture`` entry (what ``load_model`` rebuilds)."""
        return {"builder": "mlp", "sizes": self.sizes, "activation": self.activation}

    @property
    def n_parameters(self) -> int:
        s = self.sizes
        return sum(a * b + b for a, b in zip(s[:-1], s[1:]))

    def build(self):
        """The untrained network."""
        from ..models.saved import build_mlp
        return build_mlp(self.sizes, self.activation)

    def make_optimizer(self, parameters):
        """The optimizer of the registry's entry, with its fixed options and ``lr``."""
        entry = registry.lookup(self.optimizer)
        return entry.optimizer_class()(parameters, lr=self.lr, **entry.options)

    def describe(self) -> str:
        """``mlp 64-100-10 relu, adam lr=0.001, 10 epochs of batch 64``."""
        arch = "-".join(map(str, self.sizes)) + (f" {self.activation}"
                                                 if self.model == "mlp" else "")
        return (f"{self.model} {arch}, {self.optimizer} lr={self.lr}, {self.epochs} epochs of "
                f"batch {self.batch_size}")

    def to_config(self) -> dict:
        """The saved ``config`` entry: every field (``hidden`` as a list)."""
        d = asdict(self)
        d.pop("extra")
        d["hidden"] = list(self.hidden)
        return d

    @classmethod
    def from_config(cls, config: dict) -> TrainSpec:
        """The spec a ``config`` entry describes; keys it does not know are kept in ``extra``."""
        if not isinstance(config, dict):
            raise TypeError(f"TrainSpec.from_config: config must be a dict, got "
                            f"{type(config).__name__}")
        names = {f.name for f in fields(cls)} - {"extra"}
        known = {k: v for k, v in config.items() if k in names}
        return cls(**known, extra={k: v for k, v in config.items() if k not in names})

    @classmethod
    def default(cls, name: str):
        """The command line's default for the field ``name``."""
        f = cls.__dataclass_fields__[name]
        return f.default
