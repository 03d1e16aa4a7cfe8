"""Start with one optimizer, finish with another: 000 §1.4.1's recipe of training with Adam
for a while and then switching to (momentum) SGD, which tends to generalise better."""
from __future__ import annotations

import numbers

from .optimizer import Optimizer


class SwitchOptimizer:
    """Step ``first`` for the first ``switch_at`` steps, ``second`` from then on.

    Both optimizers must hold the same parameters.  At the switch the first optimizer's state
    (Adam's moment estimates) is dropped -- it is never used again and is as large as the model
    -- and the second starts from fresh state (e.g. an empty momentum buffer).  :meth:`switch`
    switches at once (for a switch decided at run time: at an epoch boundary, on a plateau).

    ``param_groups`` are those of the active optimizer; to schedule learning rates, give each
    optimizer its own scheduler.  ``state_dict`` holds both optimizers' states and the step
    count, so a run resumed from a checkpoint switches at the same step.

        opt = optim.SwitchOptimizer(optim.Adam(params, lr=1e-3),
                                    optim.SGD(params, lr=0.05, momentum=0.9), switch_at=1000)
    """

    first: Optimizer
    second: Optimizer
    switch_at: int
    steps: int

    def __init__(self, first: Optimizer, second: Optimizer, switch_at: int):
        for name, opt in (("first", first), ("second", second)):
            if not isinstance(opt, Optimizer):
                raise TypeError(f"SwitchOptimizer: {name} must be an Optimizer, got "
                                f"{type(opt).__name__}")
        if first is second:
            raise ValueError("SwitchOptimizer: first and second are the same optimizer")
        ids1 = {id(p) for g in first.param_groups for p in g["params"]}
        ids2 = {id(p) for g in second.param_groups for p in g["params"]}
        if ids1 != ids2:
            raise ValueError(f"SwitchOptimizer: first and second must optimize the same "
                             f"parameters; they share {len(ids1 & ids2)} of {len(ids1)} and "
                             f"{len(ids2)}")
        if isinstance(switch_at, bool) or not isinstance(switch_at, numbers.Integral) \
                or switch_at < 0:
            raise ValueError(f"SwitchOptimizer: switch_at must be an int >= 0, got "
                             f"{switch_at!r}")
        self.first, self.second = first, second
        self.switch_at = int(switch_at)
        self.steps = 0                           # step() calls so far

    @property
    def switched(self) -> bool:
        """True once ``second`` is the active optimizer."""
        return self.steps >= self.switch_at

    @property
    def active(self) -> Optimizer:
        return self.second if self.switched else self.first

    @property
    def param_groups(self) -> list:
        return self.active.param_groups

    def step(self, closure=None):
        """One step of the active optimizer; switches after step number ``switch_at``."""
        loss = self.active.step(closure)
        self.steps += 1
        if self.steps == self.switch_at:
            self.first.state.clear()
        return loss

    def switch(self) -> None:
        """Switch to ``second`` now (no-op if already switched)."""
        if not self.switched:
            self.switch_at = self.steps
            self.first.state.clear()

    def zero_grad(self, set_to_none: bool = True) -> None:
        self.active.zero_grad(set_to_none)

    def state_dict(self) -> dict:
        return {"steps": self.steps, "switch_at": self.switch_at,
                "first": self.first.state_dict(), "second": self.second.state_dict()}

    def load_state_dict(self, state_dict: dict) -> None:
        keys = {"steps", "switch_at", "first", "second"}
        if not hasattr(state_dict, "keys") or set(state_dict.keys()) != keys:
            raise ValueError(f"SwitchOptimizer.load_state_dict: expected keys {sorted(keys)}")
        self.first.load_state_dict(state_dict["first"])
        self.second.load_state_dict(state_dict["second"])
        self.steps = int(state_dict["steps"])
        self.switch_at = int(state_dict["switch_at"])

    def __repr__(self):
        return (f"SwitchOptimizer(first={type(self.first).__name__}, "
                f"second={type(self.second).__name__}, switch_at={self.switch_at}, "
                f"steps={self.steps})")
