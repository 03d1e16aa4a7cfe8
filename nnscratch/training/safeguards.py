"""Checks around ``optimizer.step()`` that ``fit`` relies on to keep its promises.

* :class:`FiniteStepGuard` -- finite gradients times a huge learning rate can overflow *inside*
  ``step()`` (SGD with ``lr=1e38`` in float32), so checking the loss and the gradients is not
  enough to keep "the last finite weights": the weights are snapshot before the step, checked
  after it, and restored if any became NaN or infinite.
* :func:`check_optimizer_owns_model` -- an optimizer built over another model's parameters
  would train nothing, silently.
"""
from __future__ import annotations

import numpy as np

__all__ = ["FiniteStepGuard", "check_optimizer_owns_model"]


class FiniteStepGuard:
    """Snapshot ``params`` before a step; after it, restore them all if any is not finite.

    ``params``: ``(name, Tensor)`` pairs.  The snapshot buffers are allocated once and reused
    (one copy of the trainable weights; a copy per step costs about what an SGD step does).
    """

    def __init__(self, params):
        self.params = [(name, p) for name, p in params]
        self.saved = [np.empty_like(np.asarray(p.numpy())) for _, p in self.params]

    def before_step(self) -> None:
        for (_, p), buf in zip(self.params, self.saved):
            np.copyto(buf, p.numpy())

    def after_step(self) -> str | None:
        """The name of the first parameter the step made non-finite (all are then restored to
        their values before the step), or None when every weight is finite."""
        bad = next((name for name, p in self.params if not np.isfinite(p.numpy()).all()), None)
        if bad is not None:
            for (_, p), buf in zip(self.params, self.saved):
                p.numpy()[...] = buf   # numpy() shares the parameter's memory: in place
        return bad


def check_optimizer_owns_model(model, optimizer, owner: str) -> None:
    """Raise ValueError when ``optimizer`` holds none of ``model``'s trainable parameters."""
    trainable = {id(p) for p in model.parameters() if p.requires_grad}
    held = {id(p) for group in optimizer.param_groups for p in group["params"]}
    if trainable and not (trainable & held):
        raise ValueError(f"{owner}: the optimizer holds none of the model's "
                         f"{len(trainable)} trainable parameters (it was built over another "
                         f"model's parameters?); build it with "
                         f"{type(optimizer).__name__}(model.parameters(), ...)")
