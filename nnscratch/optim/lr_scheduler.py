"""Learning-rate schedulers with torch.optim.lr_scheduler's semantics.

A scheduler rewrites ``group["lr"]`` of its optimizer's parameter groups each time its
``step()`` is called (usually once per epoch, after ``optimizer.step()``).  Construction performs
step 0, so ``last_epoch`` is 0 and the lr is the initial one; ``get_last_lr()`` returns the
rates set by the latest step.  ``state_dict()`` holds only plain numbers, lists and strings.
"""
from __future__ import annotations

import math

from .._checks import check_int
from ..tensor import Tensor
from .optimizer import check_range


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

    def __init__(self, optimizer, last_epoch: int = -1):
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

    def __init__(self, optimizer, step_size: int, gamma: float = 0.1, last_epoch: int = -1):
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

    def __init__(self, optimizer, gamma: float, last_epoch: int = -1):
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

    def __init__(self, optimizer, T_max: int, eta_min: float = 0.0, last_epoch: int = -1):
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

    def __init__(self, optimizer, mode: str = "min", factor: float = 0.1, patience: int = 10,
                 threshold: float = 1e-4, threshold_mode: str = "rel", cooldown: int = 0,
                 min_lr=0.0, eps: float = 1e-8):
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

    def step(self, metrics) -> None:
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
