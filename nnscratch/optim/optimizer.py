"""The optimizer shell and the update rules it drives.

A rule is a small pure update over arrays, as in Flux/Optimisers.jl and keras's optimizers:

    init_state(x, h) -> state            named per-parameter state (arrays and numbers)
    rule(g, state, h, work) -> d         updates ``state`` in place, returns the step d

with ``h`` the hyper-parameters as a typed :class:`Settings` view (``h.lr``, ``h.betas``) and
``work`` a :class:`Workspace` of named scratch arrays.  The view is built from a parameter
group at each step: the groups themselves stay torch's dicts, which schedulers and user code
write as ``group["lr"]``.
:func:`apply_rule` is the one place that turns a step into an update, ``x <- x - d``, after
folding in weight decay -- coupled, ``g <- g + wd x`` (L2 regularisation, torch's
``weight_decay``), or decoupled, ``x <- x (1 - lr wd)`` (AdamW); the view names which
(:attr:`Settings.decay`), so no rule repeats it and apply_rule does not branch on it.
A rule never sees a Tensor: :mod:`nnscratch.optimize` and :mod:`nnscratch.linear_model` call
the same rules on plain arrays (with ``lr`` an array for per-variable rates).  torch's
``differentiable=True`` (the step recorded for autograd, for meta-learning) runs instead an
optimizer's ``recorded_rule(g, state, h) -> d``, the same formula written out of place on
Tensors, through :func:`record_rule`; optimizers without one refuse it by name.

The :class:`Optimizer` shell walks torch.optim's parameter groups, creates state lazily and
saves it: ``state_dict``/``load_state_dict`` follow torch.optim's layout, so schedulers and
checkpoints work the same way (and a torch optimizer's state dict, its tensors turned into
arrays, loads).  State holds only arrays and plain numbers, so a checkpoint needs no pickle.
"""
from __future__ import annotations

import inspect
import math
import numbers
from dataclasses import dataclass
from typing import Any, Callable, Mapping

import numpy as np

from .._checks import check_range
from ..autograd.grad_mode import enable_grad
from ..ops._allocator import retain_freed_memory
from ..tensor import Tensor
from ._params import unique_params

# torch.optim group keys that select an implementation, not a different update: accepted (kept
# in the groups, as torch) and without effect: nnscratch has one implementation.
# differentiable=True (the step recorded for autograd) runs an optimizer's ``recorded_rule``;
# an optimizer without one refuses it by name.
_TORCH_IMPLEMENTATION_KEYS = ("foreach", "capturable", "differentiable", "fused")


def _check_implementation(h: dict, owner: str, recorded: bool) -> None:
    if h.get("differentiable") and not recorded:
        raise NotImplementedError(f"{owner}: differentiable=True (recording the optimizer "
                                  f"step for autograd) is not supported")


class Workspace:
    """Named scratch arrays reused across steps and across parameters of one shape and dtype,
    so that a step allocates no parameter-sized temporaries.  Contents are undefined on entry
    and never part of the saved state."""

    def __init__(self):
        self._arrays = {}

    def __call__(self, name: str, like: np.ndarray) -> np.ndarray:
        key = (name, like.shape, like.dtype)
        buf = self._arrays.get(key)
        if buf is None:
            buf = self._arrays[key] = np.empty_like(like)
        return buf


def _no_decay(x, g, h, work):
    return g


def _coupled_decay(x, g, h, work):
    """``g + wd x``: L2 regularisation folded into the gradient (torch's ``weight_decay``)."""
    decayed = work("decayed", x)
    np.multiply(x, h.weight_decay, out=decayed)
    decayed += g
    return decayed


def _decoupled_decay(x, g, h, work):
    """``x <- x (1 - lr wd)`` before the step, the gradient untouched (AdamW)."""
    x *= 1 - h.lr * h.weight_decay
    return g


# (weight decay on?, decoupled?) -> how it enters the update
_DECAY = {(False, False): _no_decay, (False, True): _no_decay,
          (True, False): _coupled_decay, (True, True): _decoupled_decay}


@dataclass(kw_only=True, slots=True)
class Settings:
    """The typed view of one parameter group's hyper-parameters that a rule reads.

    Each optimizer subclasses it with its own fields (``SGD.Settings`` adds ``momentum``,
    ``dampening``, ``nesterov``) and :meth:`of` builds it from a group dict at each step, so a
    scheduler's ``group["lr"] = ...`` takes effect at the next step, as in torch.  ``lr`` is a
    float, or an array of per-variable rates when :mod:`nnscratch.optimize` runs a rule.
    A rule only reads it.  (Not ``frozen``: a frozen dataclass's ``__init__`` goes through
    ``object.__setattr__`` per field, ~3x slower, and the view is rebuilt every step.)
    """

    lr: Any
    weight_decay: float = 0.0
    maximize: bool = False
    decoupled_weight_decay: bool = False

    @classmethod
    def of(cls, group: Mapping[str, Any]):
        """The view of ``group`` (a parameter group, or ``Optimizer.hyperparameters()``);
        keys the rule does not read (``params``, ``foreach``, ...) are left out."""
        return cls(**{k: group[k] for k in cls.__dataclass_fields__ if k in group})

    @property
    def decay(self) -> Callable:
        """``decay(x, g, h, work) -> g``: weight decay as this group asks for it."""
        return _DECAY[bool(self.weight_decay), bool(self.decoupled_weight_decay)]


_View = Settings     # its name inside Optimizer, whose own ``Settings`` is the subclass's


def apply_rule(rule, x: np.ndarray, g: np.ndarray, state: dict, h: Settings,
               work: Workspace) -> None:
    """One update of the array ``x`` in place from its gradient ``g`` (never modified):

        g <- -g                          if h.maximize (torch's gradient ascent)
        g <- g + wd x                    coupled weight decay (h.weight_decay = wd)
        x <- x (1 - lr wd)               decoupled instead, if h.decoupled_weight_decay
        x <- x - rule(g, state, h, work)
    """
    if h.maximize:
        g = -g
    g = h.decay(x, g, h, work)
    x -= rule(g, state, h, work)


def _scalars(h: Settings) -> Settings:
    """``h`` with each 1-element Tensor field 0-d (torch's ``_to_scalar``), so that it
    broadcasts as a number."""
    def scalar(v):
        return v.reshape(()) if isinstance(v, Tensor) and v.ndim else v
    for k in h.__dataclass_fields__:
        v = getattr(h, k)
        setattr(h, k, tuple(scalar(x) for x in v) if isinstance(v, tuple) else scalar(v))
    return h


def record_rule(rule, p: Tensor, g: Tensor, state: dict, h: Settings) -> None:
    """:func:`apply_rule` on Tensors, recorded for autograd (``differentiable=True``): the same
    steps, out of place except the parameter's own update, which is a recorded in-place op
    (``p`` must then be a non-leaf or not require grad, as torch's)::

        g <- -g;  g <- g + wd p  or  p <- p (1 - lr wd);  p <- p - rule(g, state, h)

    ``rule`` reads ``h`` (whose ``lr``, ``weight_decay``, ``betas`` ... may be 0-d Tensors
    that require grad: a hypergradient) and replaces the entries of ``state`` by Tensors; an
    array entry (a fresh or a loaded state) is wrapped."""
    for k, v in state.items():
        if isinstance(v, np.ndarray):
            state[k] = Tensor(v)
    if h.maximize:
        g = -g
    if h.weight_decay:
        if h.decoupled_weight_decay:
            p.mul_(1 - h.lr * h.weight_decay)
        else:
            # a copy of p: a Tensor weight_decay saves it for its gradient, and p changes
            g = g + h.weight_decay * p.clone()
    p.sub_(rule(g, state, h))


def _as_numbers(group: dict, owner: str) -> dict:
    """``group`` with each Tensor hyper-parameter (``lr``, ``weight_decay``, a beta ...) as its
    number, for the checks.  torch takes 1-element Tensors there; here only with
    differentiable=True, where one that requires grad gets a hypergradient (the array rules
    take numbers)."""
    def number(k, v):
        if not isinstance(v, Tensor):
            return v
        if not group.get("differentiable"):
            raise TypeError(f"{owner}: a Tensor {k} needs differentiable=True, got a Tensor "
                            f"with differentiable=False; pass a number")
        if v.numel() != 1:
            raise ValueError(f"{owner}: Tensor {k} must be 1-element, got shape "
                             f"{tuple(v.shape)}")
        return v.item()
    return {k: (v if k == "params" else tuple(number(k, x) for x in v) if isinstance(v, tuple)
                else number(k, v)) for k, v in group.items()}


def _check_lr(lr, owner):
    if isinstance(lr, bool) or not isinstance(lr, numbers.Real):
        raise TypeError(f"{owner}: lr must be a number, got {type(lr).__name__}")
    if not (math.isfinite(lr) and lr >= 0):  # torch accepts lr=inf; every step is then NaN
        raise ValueError(f"{owner}: invalid learning rate lr={lr}; expected a finite lr >= 0")


def check_betas(betas, owner):
    """``betas`` must be a pair of numbers in [0, 1) (torch.optim.Adam's rule)."""
    if not isinstance(betas, (tuple, list)) or len(betas) != 2:
        raise ValueError(f"{owner}: betas must be a pair (beta1, beta2), got {betas!r}")
    check_range(betas[0], "betas[0]", owner, 0.0, 1.0)
    check_range(betas[1], "betas[1]", owner, 0.0, 1.0)


def ema_(avg: np.ndarray, x: np.ndarray, decay: float, work: np.ndarray) -> None:
    """``avg <- decay avg + (1 - decay) x`` in place, as ``avg += (1 - decay)(x - avg)``.

    ``work`` is a scratch array shaped like ``avg`` (so a step allocates nothing)."""
    np.subtract(x, avg, out=work)
    work *= 1 - decay
    avg += work


def ema_square_(avg: np.ndarray, x: np.ndarray, decay: float, work: np.ndarray) -> None:
    """``avg <- decay avg + (1 - decay) x * x`` in place; ``work`` is scratch like ``avg``."""
    avg *= decay
    np.multiply(x, x, out=work)
    work *= 1 - decay
    avg += work


def _plain(v):
    """A NumPy scalar or 0-d array (as a checkpoint may hand back) -> a Python number."""
    if (isinstance(v, np.ndarray) and v.ndim == 0) or isinstance(v, np.generic):
        return v.item()
    return v


class Optimizer:
    """The shell: parameter groups, lazily created state, weight decay, saving and loading.

    A subclass has torch.optim's name, constructor and defaults and passes its hyper-parameters
    to ``__init__`` as ``defaults``; it defines ``Settings`` (its :class:`Settings` subclass:
    the typed fields its rule reads), the classmethod ``check(h)`` (validate one group's
    settings ``h``), the staticmethods ``init_state(x, h)`` and ``rule(g, state, h, work)``
    (see the module docstring), and the class attributes ``state_keys`` (every key the
    state may hold) and ``scalar_state`` (the keys that hold numbers rather than arrays) that
    let ``load_state_dict`` check and restore a saved state exactly.

    A parameter listed twice in one group is kept once, with a warning (torch warns and then
    updates it twice per step; updating it once is a deliberate difference).  A parameter in
    two groups raises ValueError, as in torch.
    """

    Settings: type[Settings] = Settings
    state_keys: tuple = ()
    scalar_state: tuple = ("step",)

    def __init__(self, params, defaults: dict):
        name = type(self).__name__
        retain_freed_memory()   # the one call (ops/_allocator.py): every training loop has an
        # optimizer, and each batch re-allocates the same temporaries
        if isinstance(params, Tensor):
            raise TypeError(f"{name}: params must be an iterable of Tensors, got a Tensor")
        if hasattr(params, "parameters") and callable(params.parameters):
            raise TypeError(f"{name}: params must be an iterable of Tensors, got a "
                            f"{type(params).__name__}; pass model.parameters()")
        params = list(params)
        if not params:
            raise ValueError(f"{name}: got an empty parameter list")
        groups = params if isinstance(params[0], dict) else [{"params": params}]
        numbers = _as_numbers(defaults, name)
        _check_lr(numbers.get("lr", 0.0), name)
        _check_implementation(defaults, name, self.recorded_rule is not None)
        self.check(self.Settings.of(numbers))
        self.defaults = dict(defaults)
        self.param_groups: list[dict] = []
        # param -> its state dict, as torch's (``opt.state[p]["momentum_buffer"]``): a Tensor
        # hashes by identity
        self.state: dict = {}
        self._work = Workspace()
        for g in groups:
            self.add_param_group(g)

    @classmethod
    def hyperparameters(cls, **given) -> dict:
        """The hyper-parameters ``h`` a rule reads: the constructor's defaults updated by
        ``given`` (a ValueError naming any the constructor does not take).  This is how a
        caller with plain arrays (``minimize``) builds ``h`` without an optimizer object."""
        sig = inspect.signature(cls.__init__)
        names = [n for n, p in sig.parameters.items() if n not in ("self", "params")
                 and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
        unknown = sorted(set(given) - set(names))
        if unknown:
            raise ValueError(f"{cls.__name__}: unknown hyper-parameters {unknown}; it takes "
                             f"{names}")
        h = {n: sig.parameters[n].default for n in names}
        h.update(given)
        cls.check(cls.Settings.of(h))
        return h

    def add_param_group(self, group: dict) -> None:
        """Add a group ``{"params": [...], **hyper}``; missing hyper-parameters take defaults."""
        name = type(self).__name__
        if not isinstance(group, dict) or "params" not in group:
            raise TypeError(f"{name}: a parameter group must be a dict with key 'params', "
                            f"got {type(group).__name__}")
        group = dict(group)
        ps = group["params"]
        group["params"] = [ps] if isinstance(ps, Tensor) else list(ps)
        for p in group["params"]:
            if not isinstance(p, Tensor):
                raise TypeError(f"{name}: parameters must be Tensors, got {type(p).__name__}")
            # a frozen parameter (requires_grad=False) is kept and skipped, as torch: it never
            # gets a gradient; a non-leaf cannot be updated in place, as torch -- unless the
            # step is recorded (differentiable=True), which updates it as a recorded in-place op
            if (p.grad_fn is not None and not p.retains_grad
                    and not self.defaults.get("differentiable")):
                raise ValueError(f"{name}: can't optimize a non-leaf Tensor")
        group["params"] = unique_params(group["params"], name)
        for k, v in self.defaults.items():
            group.setdefault(k, v)
        numbers = _as_numbers(group, name)
        _check_lr(numbers.get("lr", 0.0), name)
        _check_implementation(group, name, self.recorded_rule is not None)
        self.check(self.Settings.of(numbers))
        seen = {id(p) for g in self.param_groups for p in g["params"]}
        if any(id(p) in seen for p in group["params"]):
            raise ValueError(f"{name}: some parameters appear in more than one group")
        self.param_groups.append(group)

    # ------------------------------------------------------------------ the rule
    @classmethod
    def check(cls, h: _View) -> None:
        """Validate one group's settings (raise ValueError naming the bad one)."""

    @staticmethod
    def init_state(x: np.ndarray, h: _View) -> dict:
        """The state of a parameter shaped like ``x`` before its first step."""
        return {}

    @staticmethod
    def rule(g: np.ndarray, state: dict, h: _View, work: Workspace) -> np.ndarray:
        """The step ``d`` (``x <- x - d``) from the gradient ``g``; updates ``state``."""
        raise NotImplementedError

    # ``recorded_rule(g, state, h) -> d``: the rule's formula on Tensors, out of place, for
    # differentiable=True (see :func:`record_rule`); None: the optimizer refuses it
    recorded_rule: Callable | None = None

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Apply one update to every parameter that has a gradient; returns ``closure()``."""
        loss = None
        if closure is not None:
            loss = closure()
        for group in self.param_groups:
            if group.get("differentiable"):
                self._recorded_step(group)
                continue
            h = self.Settings.of(group)         # read now: a scheduler may have changed it
            for p in group["params"]:
                if p.grad is None:
                    continue
                s = self.state.get(p)
                if s is None:   # torch fills the initial state from the defaults
                    s = self.state[p] = self.init_state(p._data,
                                                        self.Settings.of(self.defaults))
                apply_rule(self.rule, p._data, p.grad._data, s, h, self._work)
                p._counter.n += 1      # an in-place change: saved copies of p are stale
        return loss

    def _recorded_step(self, group: dict) -> None:
        """One group's step recorded for autograd (differentiable=True): grad mode on, as
        torch's ``_use_grad_for_differentiable``, each parameter updated by a recorded
        in-place op, its state kept as Tensors (with their graph)."""
        h = _scalars(self.Settings.of(group))
        with enable_grad():
            for p in group["params"]:
                if p.grad is None:
                    continue
                s = self.state.get(p)
                if s is None:
                    s = self.state[p] = self.init_state(p._data,
                                                        self.Settings.of(self.defaults))
                record_rule(self.recorded_rule, p, p.grad, s, h)

    def zero_grad(self, set_to_none: bool = True) -> None:
        for h in self.param_groups:
            for p in h["params"]:
                if set_to_none or p.grad is None:
                    p.grad = None
                else:
                    p.grad._data[...] = 0

    # ------------------------------------------------------------------ state
    def state_dict(self) -> dict:
        """``{"state": {index: {...}}, "param_groups": [{hyper..., "params": [index]}]}``.

        Parameters are numbered in group order, as in torch.optim; arrays are copies.
        """
        index, groups, i = {}, [], 0
        for h in self.param_groups:
            g = {k: v for k, v in h.items() if k != "params"}
            g["params"] = list(range(i, i + len(h["params"])))
            for p in h["params"]:
                index[id(p)] = i
                i += 1
            groups.append(g)
        state = {index[id(p)]: {k: (v.copy() if isinstance(v, np.ndarray) else v)
                              for k, v in s.items()}
                 for p, s in self.state.items() if id(p) in index}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict) -> None:
        """Restore hyper-parameters and per-parameter state saved by :meth:`state_dict`.

        Arrays are copied and cast to the parameter's dtype; shapes and state keys are checked.
        """
        name = type(self).__name__
        groups = state_dict.get("param_groups") if hasattr(state_dict, "get") else None
        if groups is None or "state" not in state_dict:
            raise ValueError(f"{name}.load_state_dict: expected keys 'state' and "
                             f"'param_groups'")
        if len(groups) != len(self.param_groups):
            raise ValueError(f"{name}.load_state_dict: {len(groups)} parameter groups in the "
                             f"state dict, the optimizer has {len(self.param_groups)}")
        params: list = []
        for saved, own in zip(groups, self.param_groups):
            if len(saved["params"]) != len(own["params"]):
                raise ValueError(f"{name}.load_state_dict: a group has "
                                 f"{len(saved['params'])} parameters in the state dict, "
                                 f"{len(own['params'])} in the optimizer")
            params.extend(zip((int(i) for i in saved["params"]), own["params"]))
        by_index = {int(k): v for k, v in state_dict["state"].items()}
        new_state = {}
        for i, p in params:
            if i not in by_index:
                continue
            s = {}
            for k, v in by_index[i].items():
                if self.state_keys and k not in self.state_keys:
                    raise ValueError(f"{name}.load_state_dict: unexpected state key {k!r} for "
                                     f"parameter {i}; expected some of {list(self.state_keys)}")
                if k in self.scalar_state or (np.ndim(v) == 0 and p.ndim != 0):
                    s[k] = _plain(v)            # a number (a rule's counter), not an array
                    continue
                v = np.asarray(v)
                if v.shape != p.shape:
                    raise ValueError(f"{name}.load_state_dict: state {k!r} of parameter {i} "
                                     f"has shape {v.shape}, the parameter has {p.shape}")
                s[k] = v.astype(p.dtype, copy=True)
            new_state[p] = s
        for saved, own in zip(groups, self.param_groups):
            for k, v in saved.items():
                if k == "params":
                    continue
                if k == "differentiable" and v:
                    _check_implementation({k: v}, f"{name}.load_state_dict",
                                          self.recorded_rule is not None)
                v = _plain(v)
                if isinstance(own.get(k), tuple) and not isinstance(v, tuple):
                    v = tuple(_plain(x) for x in v)   # betas may come back as a list or array
                own[k] = v
        self.state = new_state

    def __repr__(self):
        lines = [f"{type(self).__name__} ("]
        for i, h in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines += [f"    {k}: {v}" for k, v in sorted(h.items()) if k != "params"]
        return "\n".join(lines) + "\n)"
