"""Averages of the weights an optimizer visits: Polyak (iterate) averaging and an exponential
moving average (EMA), usable with any optimizer.

Noisy first-order methods (SGD with a constant step, 001 §6.9) do not settle on the minimum but
keep fluctuating around it; the average of the iterates fluctuates much less.  Polyak & Juditsky
(1992) show that the plain running mean of SGD's iterates is asymptotically optimal; the EMA
(weights ``decay^k`` on the k-th most recent iterate) forgets old, far-away iterates and is the
usual choice while training is still moving.  torch.optim.swa_utils.AveragedModel computes the
same averages (our update rules match its SWA and ``get_ema_multi_avg_fn`` ones); here the
average lives beside the live weights instead of in a copy of the model, and is swapped in for
evaluation::

    ema = optim.EMA(model, decay=0.999)
    for x, y in batches:
        ...; opt.step(); ema.update()
    with ema.swapped():                 # the averaged weights, for evaluation
        val_loss = evaluate(model)
    # the live weights are back here
"""
from __future__ import annotations

import contextlib

import numpy as np

from ..tensor import Tensor
from .optimizer import check_range


class _WeightAverage:
    """Shared machinery: which arrays are averaged, the average itself, swapping, state."""

    def __init__(self, params, use_buffers: bool = False):
        name = type(self).__name__
        self._params, self._buffers, self.names = [], [], []
        if hasattr(params, "named_parameters") and callable(params.named_parameters):
            for n, p in params.named_parameters():
                self.names.append(n)
                self._params.append(p)
            if use_buffers:
                # buffers are read by (module, attribute) each time: layers may rebind them
                for mod_name, m in params.named_modules():
                    for b in m.__dict__.get("_buffer_names", ()):
                        if getattr(m, b) is not None:
                            self.names.append(f"{mod_name}.{b}" if mod_name else b)
                            self._buffers.append((m, b))
        else:
            if use_buffers:
                raise ValueError(f"{name}: use_buffers=True needs a Module, got a parameter "
                                 f"list")
            if isinstance(params, Tensor):
                params = [params]
            for i, p in enumerate(params):
                if not isinstance(p, Tensor):
                    raise TypeError(f"{name}: params must be Tensors or a Module, got "
                                    f"{type(p).__name__} at position {i}")
                self.names.append(str(i))
                self._params.append(p)
        if not self.names:
            raise ValueError(f"{name}: got no parameters to average")
        self.n_averaged = 0
        # one array per name once update() has run; the live values while the average is in
        self._average: list[np.ndarray] | None = None
        self._backup: list[np.ndarray] | None = None
        self._tmp: dict = {}

    # ------------------------------------------------------------------ reading and writing
    def _current(self) -> list:
        return ([p._data for p in self._params]
                + [getattr(m, b)._data for m, b in self._buffers])

    def _write(self, values) -> None:
        for p, v in zip(self._params, values):
            p._data[...] = v
        for (m, b), v in zip(self._buffers, values[len(self._params):]):
            getattr(m, b)._data[...] = v

    # ------------------------------------------------------------------ averaging
    def weight(self) -> float:
        """How far the average moves towards the current weights in this update."""
        raise NotImplementedError

    def update(self) -> None:
        """Fold the current weights into the average (the first call copies them)."""
        if self._backup is not None:
            raise RuntimeError(f"{type(self).__name__}.update: the averaged weights are "
                               f"swapped in; call restore() first")
        current = self._current()
        if self.n_averaged == 0:
            self._average = [np.array(c, copy=True) for c in current]
        else:
            w = self.weight()
            for a, c in zip(self._average or [], current):
                if a.dtype.kind != "f":           # counters (num_batches_tracked) are copied
                    a[...] = c
                    continue
                key = (a.shape, a.dtype)
                d = self._tmp.get(key)
                if d is None:
                    d = self._tmp[key] = np.empty_like(a)
                np.subtract(c, a, out=d)          # a <- a + w (c - a), torch's lerp
                d *= w
                a += d
        self.n_averaged += 1

    @property
    def average(self) -> dict:
        """Copies of the averaged arrays by name (parameter names for a Module)."""
        self._need_average("average")
        return {n: a.copy() for n, a in zip(self.names, self._average or [])}

    def _need_average(self, what):
        if self.n_averaged == 0:
            raise RuntimeError(f"{type(self).__name__}.{what}: nothing averaged yet; call "
                               f"update() after each optimizer step")

    # ------------------------------------------------------------------ swapping
    def apply(self) -> None:
        """Copy the averaged weights into the parameters, keeping the live ones for
        :meth:`restore`.  Call it without ``restore()`` to keep the average for good."""
        self._need_average("apply")
        if self._backup is not None:
            raise RuntimeError(f"{type(self).__name__}.apply: already applied; call restore()")
        self._backup = [np.array(c, copy=True) for c in self._current()]
        self._write(self._average)

    def restore(self) -> None:
        """Put back the live weights saved by :meth:`apply`."""
        if self._backup is None:
            raise RuntimeError(f"{type(self).__name__}.restore: apply() was not called")
        self._write(self._backup)
        self._backup = None

    @contextlib.contextmanager
    def swapped(self):
        """``with avg.swapped():`` the averaged weights inside, the live ones after (even if
        the block raises)."""
        self.apply()
        try:
            yield self
        finally:
            self.restore()

    # ------------------------------------------------------------------ state
    def state_dict(self) -> dict:
        """``{"n_averaged": int, "average": {name: array}}`` (copies; empty before update)."""
        avg: dict = {} if self._average is None else {n: a.copy()
                                                for n, a in zip(self.names, self._average)}
        return {"n_averaged": self.n_averaged, "average": avg}

    def load_state_dict(self, state_dict: dict) -> None:
        name = type(self).__name__
        if not hasattr(state_dict, "get") or "average" not in state_dict \
                or "n_averaged" not in state_dict:
            raise ValueError(f"{name}.load_state_dict: expected keys 'n_averaged' and "
                             f"'average'")
        n = int(np.asarray(state_dict["n_averaged"]))
        saved = state_dict["average"]
        if n == 0:
            self.n_averaged, self._average = 0, None
            return
        if set(saved) != set(self.names):
            raise ValueError(f"{name}.load_state_dict: averaged names {sorted(saved)} do not "
                             f"match {sorted(self.names)}")
        avg = []
        for n_, c in zip(self.names, self._current()):
            a = np.asarray(saved[n_])
            if a.shape != c.shape:
                raise ValueError(f"{name}.load_state_dict: {n_!r} has shape {a.shape}, "
                                 f"expected {c.shape}")
            avg.append(a.astype(c.dtype, copy=True))
        self.n_averaged, self._average = n, avg

    def __repr__(self):
        return f"{type(self).__name__}({len(self.names)} arrays, n_averaged={self.n_averaged})"


class PolyakAverage(_WeightAverage):
    """The running mean of the iterates, ``avg_n = (w_1 + ... + w_n) / n`` (Polyak & Juditsky
    1992; stochastic weight averaging when taken once per epoch), updated in place as

        avg <- avg + (w - avg) / (n + 1)

    which matches torch.optim.swa_utils.AveragedModel's default averaging.  Start calling
    :meth:`update` once the optimizer has reached the region to average over (a burn-in).

    Args:
        params: a Module or an iterable of Tensors.
        use_buffers: with a Module, average its float buffers too (BatchNorm statistics)
            and copy the others; default False (the live buffers stay in place).
    """

    def __init__(self, params, use_buffers: bool = False):
        super().__init__(params, use_buffers)

    def weight(self) -> float:
        return 1.0 / (self.n_averaged + 1)


class EMA(_WeightAverage):
    """Exponential moving average of the weights,

        avg <- decay avg + (1 - decay) w          (avg <- w at the first update)

    i.e. the k-th most recent iterate has weight ~ (1 - decay) decay^k: it averages over about
    1 / (1 - decay) steps.  Matches torch.optim.swa_utils.get_ema_multi_avg_fn(decay).

    Args:
        params: a Module or an iterable of Tensors.
        decay: in [0, 1]; default 0.999.
        use_buffers: as in :class:`PolyakAverage`.
    """

    def __init__(self, params, decay: float = 0.999, use_buffers: bool = False):
        check_range(decay, "decay", "EMA", 0.0, 1.0, hi_open=False)
        self.decay = float(decay)
        super().__init__(params, use_buffers)

    def weight(self) -> float:
        return 1.0 - self.decay

    def state_dict(self) -> dict:
        return {**super().state_dict(), "decay": self.decay}

    def load_state_dict(self, state_dict: dict) -> None:
        super().load_state_dict(state_dict)
        if "decay" in state_dict:
            self.decay = float(np.asarray(state_dict["decay"]))
