"""The optimizer base class: it owns the loop, each subclass is only its update rule.

As in Flux/Optimisers.jl, a rule is ``init_state(p) -> state`` plus ``update(g, state, h) ->
step`` (``h`` is the parameter group's hyper-parameters); the base class walks the parameters,
creates state lazily, and applies ``p -= step``.  Parameter groups, ``state_dict`` and
``load_state_dict`` follow torch.optim's layout so schedulers and checkpoints work the same way.
"""
from __future__ import annotations

import math

import numpy as np

from ..tensor import Tensor


def _check_lr(lr, owner):
    if isinstance(lr, bool) or not isinstance(lr, (int, float, np.floating, np.integer)):
        raise TypeError(f"{owner}: lr must be a number, got {type(lr).__name__}")
    if math.isnan(lr) or lr < 0:
        raise ValueError(f"{owner}: invalid learning rate lr={lr}; expected lr >= 0")


def check_range(value, name, owner, lo=0.0, hi=None, lo_open=False, hi_open=True):
    """Raise ValueError unless lo <= value (< or <=) hi; names the hyper-parameter."""
    ok = not (isinstance(value, float) and math.isnan(value))
    ok = ok and (value > lo if lo_open else value >= lo)
    if hi is not None:
        ok = ok and (value < hi if hi_open else value <= hi)
    if not ok:
        lo_b = "(" if lo_open else "["
        hi_b = ("inf)" if hi is None else (f"{hi})" if hi_open else f"{hi}]"))
        raise ValueError(f"{owner}: invalid {name}={value}; expected a value in "
                         f"{lo_b}{lo}, {hi_b}")


class Optimizer:
    """Base class. Subclasses define ``defaults``-style keyword arguments, ``init_state`` and
    ``update``; they may override ``step`` for rules that need the whole group at once."""

    def __init__(self, params, defaults: dict):
        name = type(self).__name__
        if isinstance(params, Tensor):
            raise TypeError(f"{name}: params must be an iterable of Tensors, got a Tensor")
        params = list(params)
        if not params:
            raise ValueError(f"{name}: got an empty parameter list")
        groups = params if isinstance(params[0], dict) else [{"params": params}]
        _check_lr(defaults.get("lr", 0.0), name)
        self.defaults = dict(defaults)
        self.param_groups = []
        self.state = {}                       # id(param) -> per-parameter state dict
        for g in groups:
            self.add_param_group(g)

    def add_param_group(self, group: dict) -> None:
        name = type(self).__name__
        group = dict(group)
        ps = group["params"]
        group["params"] = [ps] if isinstance(ps, Tensor) else list(ps)
        for p in group["params"]:
            if not isinstance(p, Tensor):
                raise TypeError(f"{name}: parameters must be Tensors, got {type(p).__name__}")
            if not p.requires_grad:
                raise ValueError(f"{name}: can't optimize a tensor that does not require grad")
        for k, v in self.defaults.items():
            group.setdefault(k, v)
        _check_lr(group.get("lr", 0.0), name)
        seen = {id(p) for g in self.param_groups for p in g["params"]}
        if any(id(p) in seen for p in group["params"]):
            raise ValueError(f"{name}: some parameters appear in more than one group")
        self.param_groups.append(group)

    # ------------------------------------------------------------------ the rule
    def init_state(self, p: Tensor) -> dict:
        return {}

    def update(self, g: np.ndarray, state: dict, h: dict, p: Tensor) -> np.ndarray:
        raise NotImplementedError

    def step(self, closure=None):
        """Apply one update to every parameter that has a gradient."""
        loss = None
        if closure is not None:
            loss = closure()
        for h in self.param_groups:
            for p in h["params"]:
                if p.grad is None:
                    continue
                s = self.state.get(id(p))
                if s is None:
                    s = self.state[id(p)] = self.init_state(p)
                step = self.update(p.grad, s, h, p)
                if step is not None:
                    p.data -= step
        return loss

    def zero_grad(self, set_to_none: bool = True) -> None:
        for h in self.param_groups:
            for p in h["params"]:
                if set_to_none or p.grad is None:
                    p.grad = None
                else:
                    p.grad[...] = 0

    # ------------------------------------------------------------------ state
    def state_dict(self) -> dict:
        """``{"state": {index: {...}}, "param_groups": [{hyper..., "params": [index]}]}``."""
        index, groups, i = {}, [], 0
        for h in self.param_groups:
            g = {k: v for k, v in h.items() if k != "params"}
            g["params"] = list(range(i, i + len(h["params"])))
            for p in h["params"]:
                index[id(p)] = i
                i += 1
            groups.append(g)
        state = {index[pid]: {k: (v.copy() if isinstance(v, np.ndarray) else v)
                              for k, v in s.items()}
                 for pid, s in self.state.items() if pid in index}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict) -> None:
        name = type(self).__name__
        groups = state_dict.get("param_groups") if hasattr(state_dict, "get") else None
        if groups is None or "state" not in state_dict:
            raise ValueError(f"{name}.load_state_dict: expected keys 'state' and "
                             f"'param_groups'")
        if len(groups) != len(self.param_groups):
            raise ValueError(f"{name}.load_state_dict: {len(groups)} parameter groups in the "
                             f"state dict, the optimizer has {len(self.param_groups)}")
        params = []
        for saved, own in zip(groups, self.param_groups):
            if len(saved["params"]) != len(own["params"]):
                raise ValueError(f"{name}.load_state_dict: a group has "
                                 f"{len(saved['params'])} parameters in the state dict, "
                                 f"{len(own['params'])} in the optimizer")
            params.extend(zip(saved["params"], own["params"]))
        by_index = {int(k): v for k, v in state_dict["state"].items()}
        new_state = {}
        for i, p in params:
            if i in by_index:
                s = {}
                for k, v in by_index[i].items():
                    if isinstance(v, np.ndarray) and v.shape == p.shape:
                        v = v.astype(p.dtype)
                    s[k] = v.copy() if isinstance(v, np.ndarray) else v
                new_state[id(p)] = s
        for saved, own in zip(groups, self.param_groups):
            own.update({k: v for k, v in saved.items() if k != "params"})
        self.state = new_state

    def __repr__(self):
        lines = [f"{type(self).__name__} ("]
        for i, h in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines += [f"    {k}: {v}" for k, v in sorted(h.items()) if k != "params"]
        return "\n".join(lines) + "\n)"
