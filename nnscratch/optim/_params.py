"""The parameter list of one optimizer group, each parameter once."""
from __future__ import annotations

import os
import sys
import types
import warnings

_OPTIM = os.path.dirname(os.path.abspath(__file__))


def unique_params(params: list, owner: str) -> list:
    """``params`` without repeats (first occurrence kept), warning when there were any.

    Tied weights, or ``list(a.parameters()) + list(b.parameters())`` over modules that share a
    layer, easily list a parameter twice.  torch.optim warns and then updates it twice per
    step (twice the learning rate, twice the momentum); nnscratch warns and updates it once --
    a deliberate difference.  A parameter in two *groups* is an error, as in torch.
    """
    seen, out = set(), []
    for p in params:
        if id(p) not in seen:
            seen.add(id(p))
            out.append(p)
    if len(out) < len(params):
        warnings.warn(f"{owner}: a parameter group lists {len(params) - len(out)} parameter(s) "
                      f"more than once; each is updated once per step (torch would update it "
                      f"once per listing)", UserWarning, stacklevel=_caller_level())
    return out


def _caller_level() -> int:
    """The ``stacklevel`` of the first frame outside nnscratch.optim (the user's line, however
    deep the constructor chain: AdamW -> Adam -> Optimizer -> add_param_group)."""
    level = 2
    frame: types.FrameType | None = sys._getframe(2)  # 1 is unique_params, which called us
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(_OPTIM):
        frame, level = frame.f_back, level + 1
    return level
