"""Learning-rate schedulers with torch.optim.lr_scheduler's semantics.

A scheduler rewrites ``group["lr"]`` of its optimizer's parameter groups each time its
``step()`` is called (usually once per epoch, after ``optimizer.step()``).  Construction performs
step 0, so ``last_epoch`` is 0 and the lr is the initial one; ``get_last_lr()`` returns the
rates set by the latest step.  ``state_dict()`` holds only plain numbers, lists and strings.
"""
from __future__ import annotations

import collections
import math
import types
from typing import Any

from .._checks import check_bool, check_int
from ..tensor import Tensor
from .optimizer import Optimizer, check_range


def _check_optimizer(optimizer, owner):
    groups = getattr(optimizer, "param_groups", None)
    if not isinstance(groups, list) or not all(isinstance(g, dict) and "lr" in g
                                               for g in groups):
        raise TypeError(f"{owner}: optimizer must be an Optimizer (something with "
                        f"param_groups), got {type(optimizer).__name__}")


class LRScheduler:
    """Base class: subclasses define ``get_lr()``, the new rates given ``last_epoch``.

    ``last_epoch=-1`` starts a schedule and records each group's ``initial_lr``; a value >= 0
    resumes one (the groups must already hold ``initial_lr``, e.g. from a loaded optimizer
    state dict).
    """

    def __init__(self, optimizer: Optimizer, last_epoch: int = -1):
        name = type(self).__name__
        _check_optimizer(optimizer, name)
        check_int(last_epoch, "last_epoch", name, -1)
        self.optimizer = optimizer
        if last_epoch == -1:
            for group in optimizer.param_groups:
                group.setdefault("initial_lr", group["lr"])
        else:
            for i, group in enumerate(optimizer.param_groups):
                if "initial_lr" not in group:
                    raise KeyError(f"{name}: param_groups[{i}] has no 'initial_lr', needed to "
                                   f"resume with last_epoch={last_epoch}")
        self.base_lrs = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        self._step_count = 0
        self._is_initial = True
        self.step()
        self._is_initial = False

    def get_lr(self) -> list:
        raise NotImplementedError

    def step(self) -> None:
        """Advance one epoch and write the new learning rates into the optimizer."""
        self._step_count += 1
        self.last_epoch += 1
        for group, lr in zip(self.optimizer.param_groups, self.get_lr()):
            group["lr"] = lr
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def get_last_lr(self) -> list:
        """The learning rates set by the latest ``step()`` (one per parameter group)."""
        return list(self._last_lr)

    def state_dict(self) -> dict:
        """Every attribute except the optimizer (numbers, lists, strings)."""
        return {k: (list(v) if isinstance(v, list) else v)
                for k, v in self.__dict__.items() if k != "optimizer"}

    def load_state_dict(self, state_dict: dict) -> None:
        unknown = set(state_dict) - set(self.__dict__)
        if unknown:
            raise ValueError(f"{type(self).__name__}.load_state_dict: unexpected keys "
                             f"{sorted(unknown)}; expected some of "
                             f"{sorted(k for k in self.__dict__ if k != 'optimizer')}")
        for k, v in state_dict.items():
            self.__dict__[k] = _plain(v)

    def _lrs(self) -> list:
        return [group["lr"] for group in self.optimizer.param_groups]


def _plain(v):
    """Undo what a checkpoint format may do to numbers and lists (arrays, NumPy scalars)."""
    if hasattr(v, "tolist"):
        return v.tolist()
    if isinstance(v, (list, tuple)):
        return [_plain(x) for x in v]
    return v


class StepLR(LRScheduler):
    """Multiply the lr by ``gamma`` every ``step_size`` epochs; matches torch's StepLR.

        lr_t = lr_0 * gamma ** (t // step_size)

    Defaults: gamma=0.1.
    """

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1,
                 last_epoch: int = -1):
        check_int(step_size, "step_size", "StepLR", 1)
        check_range(gamma, "gamma", "StepLR", lo_open=True)
        self.step_size = step_size
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return self._lrs()
        return [lr * self.gamma for lr in self._lrs()]


class ExponentialLR(LRScheduler):
    """Multiply the lr by ``gamma`` every epoch, ``lr_t = lr_0 gamma^t``; matches torch's
    ExponentialLR."""

    def __init__(self, optimizer: Optimizer, gamma: float, last_epoch: int = -1):
        check_range(gamma, "gamma", "ExponentialLR", lo_open=True)
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        if self._is_initial:
            return self._lrs()
        return [lr * self.gamma for lr in self._lrs()]


class CosineAnnealingLR(LRScheduler):
    """Cosine annealing from the initial lr down to ``eta_min`` over ``T_max`` epochs
    (Loshchilov & Hutter's SGDR without restarts); matches torch's CosineAnnealingLR.

        lr_t = eta_min + (lr_0 - eta_min) (1 + cos(pi t / T_max)) / 2

    Like PyTorch it is applied recursively, lr_t from lr_{t-1}, so that other changes to the lr
    compose with it; past ``T_max`` the lr climbs back up along the same cosine.
    Defaults: eta_min=0.
    """

    def __init__(self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0,
                 last_epoch: int = -1):
        check_int(T_max, "T_max", "CosineAnnealingLR", 1)
        check_range(eta_min, "eta_min", "CosineAnnealingLR")
        self.T_max = T_max
        self.eta_min = eta_min
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        t, T, lo = self.last_epoch, self.T_max, self.eta_min
        if self._is_initial:
            return self._lrs()
        if self._step_count == 1 and t > 0:      # resumed: jump straight to the closed form
            return [lo + (base - lo) * (1 + math.cos(t * math.pi / T)) / 2
                    for base in self.base_lrs]
        if (t - 1 - T) % (2 * T) == 0:           # at the bottom the ratio below is 0/0
            return [lr + (base - lo) * (1 - math.cos(math.pi / T)) / 2
                    for base, lr in zip(self.base_lrs, self._lrs())]
        return [(1 + math.cos(math.pi * t / T)) / (1 + math.cos(math.pi * (t - 1) / T))
                * (lr - lo) + lo for lr in self._lrs()]


class ReduceLROnPlateau(LRScheduler):
    """Divide the lr by 1/``factor`` when a metric has stopped improving for ``patience``
    epochs; matches torch's ReduceLROnPlateau.  Call ``step(metric)`` once per epoch.

    An epoch improves on the best value so far when (mode 'min')
    ``metric < best (1 - threshold)`` ('rel') or ``metric < best - threshold`` ('abs'), and
    the mirror image for mode 'max'.  After more than ``patience`` epochs without improvement
    every group's lr becomes ``max(lr * factor, min_lr)`` (skipped if that changes it by less
    than ``eps``), then ``cooldown`` epochs pass before bad epochs count again.

    Defaults: mode='min', factor=0.1, patience=10, threshold=1e-4, threshold_mode='rel',
    cooldown=0, min_lr=0 (a number or one per group), eps=1e-8.
    """

    def __init__(self, optimizer: Optimizer, mode: str = "min", factor: float = 0.1,
                 patience: int = 10, threshold: float = 1e-4, threshold_mode: str = "rel",
                 cooldown: int = 0, min_lr: float | list[float] = 0.0, eps: float = 1e-8):
        name = "ReduceLROnPlateau"
        _check_optimizer(optimizer, name)
        if mode not in ("min", "max"):
            raise ValueError(f"{name}: mode must be 'min' or 'max', got {mode!r}")
        if threshold_mode not in ("rel", "abs"):
            raise ValueError(f"{name}: threshold_mode must be 'rel' or 'abs', "
                             f"got {threshold_mode!r}")
        check_range(factor, "factor", name, 0.0, 1.0)
        check_int(patience, "patience", name, 0)
        check_range(threshold, "threshold", name)
        check_int(cooldown, "cooldown", name, 0)
        check_range(eps, "eps", name)
        n = len(optimizer.param_groups)
        if isinstance(min_lr, (list, tuple)):
            if len(min_lr) != n:
                raise ValueError(f"{name}: min_lr has {len(min_lr)} entries, the optimizer "
                                 f"has {n} parameter groups")
            min_lrs = list(min_lr)
        else:
            min_lrs = [min_lr] * n
        for i, m in enumerate(min_lrs):
            check_range(m, f"min_lr[{i}]" if isinstance(min_lr, (list, tuple)) else "min_lr",
                        name)
        self.optimizer = optimizer
        self.mode, self.factor, self.patience = mode, factor, patience
        self.threshold, self.threshold_mode = threshold, threshold_mode
        self.cooldown, self.min_lrs, self.eps = cooldown, min_lrs, eps
        self.last_epoch = 0
        self.best = math.inf if mode == "min" else -math.inf
        self.num_bad_epochs = 0
        self.cooldown_counter = 0
        self._last_lr = self._lrs()

    def is_better(self, a: float, best: float) -> bool:
        """Whether ``a`` improves on ``best`` by more than the threshold."""
        if self.mode == "min":
            return a < (best * (1.0 - self.threshold) if self.threshold_mode == "rel"
                        else best - self.threshold)
        return a > (best * (self.threshold + 1.0) if self.threshold_mode == "rel"
                    else best + self.threshold)

    def step(self, metrics: Any) -> None:  # type: ignore[override]  # torch's: the metric is required
        """Record this epoch's metric (a number or a 0-d array/Tensor) and maybe cut the lr."""
        current = float(metrics._data if isinstance(metrics, Tensor) else metrics)
        self.last_epoch += 1
        if self.is_better(current, self.best):
            self.best = current
            self.num_bad_epochs = 0
        else:
            self.num_bad_epochs += 1
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0              # bad epochs during a cooldown do not count
        if self.num_bad_epochs > self.patience:
            for group, min_lr in zip(self.optimizer.param_groups, self.min_lrs):
                old = float(group["lr"])
                new = max(old * self.factor, min_lr)
                if old - new > self.eps:
                    group["lr"] = new
            self.cooldown_counter = self.cooldown
            self.num_bad_epochs = 0
        self._last_lr = self._lrs()

    @property
    def in_cooldown(self) -> bool:
        return self.cooldown_counter > 0


def _per_group(value, name, optimizer, owner) -> list:
    """One value per parameter group: a list/tuple of that length, or one value for all."""
    n = len(optimizer.param_groups)
    if isinstance(value, (list, tuple)):
        if len(value) != n:
            raise ValueError(f"{owner}: {name} must have the same length as "
                             f"optimizer.param_groups; {name} has {len(value)} values, "
                             f"param_groups has {n}")
        return list(value)
    return [value] * n


class LambdaLR(LRScheduler):
    """``lr_t = lr_0 · lr_lambda(t)``: a function of the epoch (one for all groups, or a list
    with one per group); matches torch's LambdaLR.  ``state_dict`` keeps the callables'
    ``__dict__`` only for callable objects (plain functions cannot be saved), as torch."""

    def __init__(self, optimizer: Optimizer, lr_lambda, last_epoch: int = -1):
        _check_optimizer(optimizer, "LambdaLR")
        fns = _per_group(lr_lambda, "lr_lambda", optimizer, "LambdaLR")
        for i, fn in enumerate(fns):
            if not callable(fn):
                raise TypeError(f"LambdaLR: lr_lambda[{i}] must be callable, got "
                                f"{type(fn).__name__}")
        self.lr_lambdas = fns
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        return [base * fn(self.last_epoch) for fn, base in zip(self.lr_lambdas, self.base_lrs)]

    def state_dict(self) -> dict:
        state = {k: v for k, v in super().state_dict().items() if k != "lr_lambdas"}
        state["lr_lambdas"] = [None if isinstance(fn, types.FunctionType) else dict(fn.__dict__)
                               for fn in self.lr_lambdas]
        return state

    def load_state_dict(self, state_dict: dict) -> None:
        state = dict(state_dict)
        saved = state.pop("lr_lambdas", [None] * len(self.lr_lambdas))
        super().load_state_dict(state)
        for fn, attrs in zip(self.lr_lambdas, saved):
            if attrs is not None:
                fn.__dict__.update(attrs)


class MultiStepLR(LRScheduler):
    """Multiply the lr by ``gamma`` at each epoch in ``milestones`` (by ``gamma^k`` for a
    milestone listed ``k`` times); matches torch's MultiStepLR.

        lr_t = lr_0 · gamma ** (number of milestones <= t)

    Defaults: gamma=0.1.
    """

    def __init__(self, optimizer: Optimizer, milestones, gamma: float = 0.1, last_epoch: int = -1):
        try:
            milestones = list(milestones)
        except TypeError:
            raise TypeError(f"MultiStepLR: milestones must be an iterable of ints, got "
                            f"{type(milestones).__name__}") from None
        for m in milestones:
            check_int(m, "milestones", "MultiStepLR", 0)
        check_range(gamma, "gamma", "MultiStepLR", lo_open=True)
        self.milestones = dict(collections.Counter(milestones))
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        k = self.milestones.get(self.last_epoch, 0)
        if k == 0:
            return self._lrs()
        return [lr * self.gamma ** k for lr in self._lrs()]

    def load_state_dict(self, state_dict: dict) -> None:
        super().load_state_dict(state_dict)
        # a checkpoint format may turn the int keys into strings
        self.milestones = {int(k): int(v) for k, v in self.milestones.items()}


class LinearLR(LRScheduler):
    """Scale the lr linearly from ``start_factor · lr_0`` to ``end_factor · lr_0`` over
    ``total_iters`` epochs, then hold; matches torch's LinearLR (applied recursively, each lr
    from the previous one, as torch does):

        lr_t = lr_0 (s + (e - s) min(t, T) / T)

    Defaults: start_factor=1/3, end_factor=1, total_iters=5.
    """

    def __init__(self, optimizer: Optimizer, start_factor: float = 1.0 / 3, end_factor: float = 1.0,
                 total_iters: int = 5, last_epoch: int = -1):
        if not 0 < start_factor <= 1:
            raise ValueError(f"LinearLR: start_factor expected to be greater than 0 and less "
                             f"or equal to 1, got {start_factor}")
        if not 0 <= end_factor <= 1:
            raise ValueError(f"LinearLR: end_factor expected to be between 0 and 1, got "
                             f"{end_factor}")
        check_int(total_iters, "total_iters", "LinearLR", 1)
        self.start_factor, self.end_factor, self.total_iters = start_factor, end_factor, \
            total_iters
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        t, s, e, T = self.last_epoch, self.start_factor, self.end_factor, self.total_iters
        if t == 0:
            return [lr * s for lr in self._lrs()]
        if self._is_initial or t > T:
            return self._lrs()
        # ratio of consecutive closed-form values (s + (e-s) t/T) / (s + (e-s)(t-1)/T)
        return [lr * (1.0 + (e - s) / (T * s + (t - 1) * (e - s))) for lr in self._lrs()]


class CosineAnnealingWarmRestarts(LRScheduler):
    """SGDR (Loshchilov & Hutter, 2017): cosine annealing restarted every ``T_i`` epochs,
    ``T_0`` first, each period ``T_mult`` times the previous; matches torch's
    CosineAnnealingWarmRestarts.

        lr = eta_min + (lr_0 - eta_min) (1 + cos(pi T_cur / T_i)) / 2

    ``T_cur`` counts epochs since the last restart.  ``step(epoch)`` may be given a
    (fractional) epoch, e.g. ``epoch + i / iters`` inside an epoch, as in torch.
    Defaults: T_mult=1, eta_min=0.
    """

    def __init__(self, optimizer: Optimizer, T_0: int, T_mult: int = 1, eta_min: float = 0.0,
                 last_epoch: int = -1):
        check_int(T_0, "T_0", "CosineAnnealingWarmRestarts", 1)
        check_int(T_mult, "T_mult", "CosineAnnealingWarmRestarts", 1)
        check_range(eta_min, "eta_min", "CosineAnnealingWarmRestarts")
        self.T_0, self.T_i, self.T_mult, self.eta_min = T_0, T_0, T_mult, eta_min
        self.T_cur: float = last_epoch
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        return [self.eta_min + (base - self.eta_min)
                * (1 + math.cos(math.pi * self.T_cur / self.T_i)) / 2 for base in self.base_lrs]

    def step(self, epoch=None) -> None:
        """Advance one epoch, or jump to ``epoch`` (a number >= 0) and restart accordingly."""
        if epoch is None and self.last_epoch < 0:
            epoch = 0
        if epoch is None:
            epoch = self.last_epoch + 1
            self.T_cur += 1
            if self.T_cur >= self.T_i:
                self.T_cur -= self.T_i
                self.T_i *= self.T_mult
        else:
            if isinstance(epoch, bool) or not isinstance(epoch, (int, float)) or epoch < 0:
                raise ValueError(f"CosineAnnealingWarmRestarts.step: epoch must be a number "
                                 f">= 0, got {epoch!r}")
            if epoch >= self.T_0:
                if self.T_mult == 1:
                    self.T_cur = epoch % self.T_0
                else:  # restarts so far: n with T_0 (T_mult^n - 1) / (T_mult - 1) <= epoch
                    n = int(math.log(epoch / self.T_0 * (self.T_mult - 1) + 1, self.T_mult))
                    self.T_cur = epoch - self.T_0 * (self.T_mult ** n - 1) / (self.T_mult - 1)
                    self.T_i = self.T_0 * self.T_mult ** n
            else:
                self.T_i, self.T_cur = self.T_0, epoch
        self._step_count += 1
        self.last_epoch = math.floor(epoch)
        for group, lr in zip(self.optimizer.param_groups, self.get_lr()):
            group["lr"] = lr
        self._last_lr = self._lrs()


class OneCycleLR(LRScheduler):
    """The 1cycle policy (Smith & Topin, 2018), stepped once per *batch*; matches torch's
    OneCycleLR.  The lr rises from ``max_lr / div_factor`` to ``max_lr`` over the first
    ``pct_start · total_steps - 1`` steps, then falls to ``initial_lr / final_div_factor`` at
    step ``total_steps - 1`` (with ``three_phase``: back to ``initial_lr`` first, then down),
    each phase by cosine (``end + (start - end)(1 + cos(pi·pct)) / 2``) or linear
    interpolation.  With ``cycle_momentum`` the momentum (SGD's ``momentum``, Adam's
    ``betas[0]``) moves the opposite way between ``max_momentum`` and ``base_momentum``.

    ``total_steps`` or ``epochs · steps_per_epoch``; stepping past it is a ValueError.
    Defaults: pct_start=0.3, anneal_strategy='cos', cycle_momentum=True,
    base_momentum=0.85, max_momentum=0.95, div_factor=25, final_div_factor=1e4,
    three_phase=False.
    """

    def __init__(self, optimizer: Optimizer, max_lr, total_steps=None, epochs=None,
                 steps_per_epoch=None,
                 pct_start: float = 0.3, anneal_strategy: str = "cos",
                 cycle_momentum: bool = True, base_momentum=0.85, max_momentum=0.95,
                 div_factor: float = 25.0, final_div_factor: float = 1e4,
                 three_phase: bool = False, last_epoch: int = -1):
        name = "OneCycleLR"
        _check_optimizer(optimizer, name)
        if total_steps is not None:
            self.total_steps = check_int(total_steps, "total_steps", name, 1)
        elif epochs is not None and steps_per_epoch is not None:
            self.total_steps = (check_int(epochs, "epochs", name, 1)
                                * check_int(steps_per_epoch, "steps_per_epoch", name, 1))
        else:
            raise ValueError(f"{name}: you must define either total_steps OR (epochs AND "
                             f"steps_per_epoch)")
        if isinstance(pct_start, bool) or not isinstance(pct_start, float) \
                or not 0 <= pct_start <= 1:
            raise ValueError(f"{name}: expected float between 0 and 1 pct_start, but got "
                             f"{pct_start!r}")
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError(f"{name}: anneal_strategy must be one of 'cos' or 'linear', "
                             f"instead got {anneal_strategy!r}")
        self.anneal_strategy = anneal_strategy
        up = float(pct_start * self.total_steps) - 1
        # (end_step, start_lr, end_lr, start_momentum, end_momentum): group keys
        if three_phase:
            self._phases = [
                (up, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
                (float(2 * pct_start * self.total_steps) - 2, "max_lr", "initial_lr",
                 "base_momentum", "max_momentum"),
                (self.total_steps - 1, "initial_lr", "min_lr", "max_momentum", "max_momentum")]
        else:
            self._phases = [
                (up, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
                (self.total_steps - 1, "max_lr", "min_lr", "base_momentum", "max_momentum")]
        max_lrs = _per_group(max_lr, "max_lr", optimizer, name)
        # torch takes a NaN or negative max_lr and trains on NaN rates; refuse them here
        max_lrs = [check_range(v, f"max_lr[{i}]" if len(max_lrs) > 1 else "max_lr", name)
                   for i, v in enumerate(max_lrs)]
        for factor, value in (("div_factor", div_factor), ("final_div_factor", final_div_factor)):
            check_range(value, factor, name, lo_open=True)
        if last_epoch == -1:
            for group, top in zip(optimizer.param_groups, max_lrs):
                group["initial_lr"] = top / div_factor
                group["max_lr"] = top
                group["min_lr"] = group["initial_lr"] / final_div_factor
        self.cycle_momentum = check_bool(cycle_momentum, "cycle_momentum", name)
        if self.cycle_momentum:
            defaults = getattr(optimizer, "defaults", {})
            if "momentum" not in defaults and "betas" not in defaults:
                raise ValueError(f"{name}: optimizer must support momentum or beta1 with the "
                                 f"cycle_momentum option enabled; {type(optimizer).__name__} "
                                 f"has neither")
            self.use_beta1 = "betas" in defaults
            tops = _per_group(max_momentum, "max_momentum", optimizer, name)
            bases = _per_group(base_momentum, "base_momentum", optimizer, name)
            if last_epoch == -1:
                for group, top, base in zip(optimizer.param_groups, tops, bases):
                    self._set_momentum(group, top)
                    group["max_momentum"], group["base_momentum"] = top, base
        super().__init__(optimizer, last_epoch)

    def _set_momentum(self, group, value):
        if self.use_beta1:
            group["betas"] = (value, *group["betas"][1:])
        else:
            group["momentum"] = value

    def _anneal(self, start, end, pct):
        if self.anneal_strategy == "cos":
            return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)
        return (end - start) * pct + start

    def get_lr(self):
        t = self.last_epoch
        if t > self.total_steps:
            raise ValueError(f"OneCycleLR: tried to step {t} times; the specified number of "
                             f"total steps is {self.total_steps}")
        lrs = []
        for group in self.optimizer.param_groups:
            start = 0.0
            for i, (end, lr0, lr1, m0, m1) in enumerate(self._phases):
                if t <= end or i == len(self._phases) - 1:
                    pct = (t - start) / (end - start)
                    lrs.append(self._anneal(group[lr0], group[lr1], pct))
                    if self.cycle_momentum:
                        self._set_momentum(group, self._anneal(group[m0], group[m1], pct))
                    break
                start = end
        return lrs
