"""``Module`` and ``Parameter``: the bookkeeping every layer shares.

A module finds its parameters and sub-modules by looking at its own attributes, in the order
they were assigned (no registration machinery, no ``super().__init__()`` needed): a
``Parameter`` is a parameter, a ``Module`` is a child, and a list or tuple of modules is a list
of children named ``name.0``, ``name.1`` ….  Buffers (state that is saved but not trained,
like BatchNorm's running statistics) are NumPy arrays declared with :meth:`register_buffer`.
"""
from __future__ import annotations

import warnings
from collections import OrderedDict
from typing import Any, Iterator, Mapping

import numpy as np

from ..tensor import Tensor, get_default_dtype

_forward_hooks: list = []  # callables (module, inputs, output), used by ns.summary


def _array(value) -> np.ndarray:
    return np.asarray(value._data if isinstance(value, Tensor) else value)


class Parameter(Tensor):
    """A leaf tensor that a module trains: always ``requires_grad=True``."""

    __slots__ = ()

    def __init__(self, data: Any, requires_grad: bool = True):
        data = data._data if isinstance(data, Tensor) else data
        try:
            arr = np.array(data)
        except ValueError as e:  # ragged nested lists
            raise ValueError(f"Parameter: data must be a rectangular array of numbers "
                             f"({e})") from None
        if arr.dtype.kind not in "biuf":
            raise TypeError(f"Parameter: data must hold real numbers, got "
                            f"{type(data).__name__} of dtype {arr.dtype}")
        if arr.dtype.kind != "f" or not isinstance(data, (np.ndarray, np.generic)):
            # ints, bools and Python floats get the default dtype; float arrays keep theirs
            arr = arr.astype(get_default_dtype())
        super().__init__(arr, requires_grad=requires_grad)

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()


class Module:
    """Base class of every layer and model (the PyTorch ``nn.Module`` protocol)."""

    training = True
    # True for a layer whose input is an index (nn.Embedding): fit/evaluate/predict then keep
    # integer inputs as integers instead of casting them to the model's float dtype
    integer_input = False

    def forward(self, *args, **kwargs):
        raise NotImplementedError(f"{type(self).__name__} must define forward()")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        out = self.forward(*args, **kwargs)
        for hook in _forward_hooks:
            hook(self, args, out)
        return out

    # ------------------------------------------------------------------ discovery
    def _members(self):
        for name, v in vars(self).items():
            if name.startswith("_"):
                continue
            if isinstance(v, (Parameter, Module)):
                yield name, v
            elif isinstance(v, (list, tuple)) and v and all(isinstance(m, Module) for m in v):
                for i, m in enumerate(v):
                    yield f"{name}.{i}", m

    def named_children(self):
        for name, v in self._members():
            if isinstance(v, Module):
                yield name, v

    def children(self) -> Iterator[Module]:
        for _, m in self.named_children():
            yield m

    def named_modules(self, prefix: str = "", remove_duplicate: bool = True):
        """``(dotted name, module)`` for this module and every sub-module, depth first.

        A module reachable under several names (weight sharing) is listed once, under the
        first, unless ``remove_duplicate=False`` (as in PyTorch; ``state_dict`` lists every
        name)."""
        seen: set | None = set() if remove_duplicate else None
        stack = [(prefix, self)]
        while stack:
            name, m = stack.pop()
            if seen is not None:
                if id(m) in seen:
                    continue
                seen.add(id(m))
            yield name, m
            children = [(f"{name}.{c}" if name else c, child) for c, child in m.named_children()]
            stack.extend(reversed(children))

    def modules(self) -> Iterator[Module]:
        for _, m in self.named_modules():
            yield m

    def named_parameters(self, prefix: str = "") -> Iterator[tuple[str, Parameter]]:
        seen = set()
        for mod_name, m in self.named_modules(prefix):
            for name, v in m._members():
                if isinstance(v, Parameter) and id(v) not in seen:
                    seen.add(id(v))
                    yield (f"{mod_name}.{name}" if mod_name else name), v

    def parameters(self) -> Iterator[Parameter]:
        for _, p in self.named_parameters():
            yield p

    def register_buffer(self, name: str, value) -> None:
        """Keep ``value`` (an array, or None) as saved-but-not-trained state called ``name``."""
        names = self.__dict__.setdefault("_buffer_names", [])
        if name not in names:
            names.append(name)
        setattr(self, name, None if value is None else np.asarray(value))

    def named_buffers(self, prefix: str = ""):
        for mod_name, m in self.named_modules(prefix):
            for name in m.__dict__.get("_buffer_names", ()):
                if getattr(m, name) is not None:
                    yield (f"{mod_name}.{name}" if mod_name else name), getattr(m, name)

    # ------------------------------------------------------------------ modes and grads
    def train(self, mode: bool = True) -> "Module":
        """Set training mode here and in every sub-module (Dropout, BatchNorm read it)."""
        for m in self.modules():
            m.training = bool(mode)
        return self

    def eval(self) -> "Module":
        return self.train(False)

    def zero_grad(self) -> None:
        for p in self.parameters():
            p.grad = None

    def requires_grad_(self, flag: bool = True) -> "Module":
        for p in self.parameters():
            p.requires_grad = bool(flag)
        return self

    def to(self, *args, **kwargs) -> "Module":
        """``to(device)``, ``to(dtype)``, ``to(device, dtype)``, ``to(tensor)``: torch's
        ``Module.to``, in place, returning self.  The CPU is the only device (another is an
        error naming it); a dtype must be floating and casts every float parameter and buffer
        (integer ones are kept, as torch)."""
        from ..tensor import _as_dtype, _to_args
        dtype = _to_args(args, kwargs, "Module.to()")
        if dtype is None:
            return self
        dtype = _as_dtype(dtype, "Module.to")
        if dtype.kind != "f":
            raise TypeError(f"Module.to: dtype must be a float dtype (nn.Module.to only "
                            f"accepts floating point dtypes, as torch), got {dtype}")
        for p in self.parameters():
            if p._data.dtype.kind == "f" and p._data.dtype != dtype:
                p._data = p._data.astype(dtype)
                p.grad = None
        for m in self.modules():
            for name in m.__dict__.get("_buffer_names", ()):
                b = getattr(m, name)
                if b is not None and b.dtype.kind == "f":
                    setattr(m, name, b.astype(dtype))
        return self

    def cpu(self) -> "Module":
        """Already on the CPU, the only device: self."""
        return self

    def cuda(self, device=None) -> "Module":
        raise RuntimeError("Module.cuda(): nnscratch runs on the CPU only; "
                           "torch.cuda.is_available() is False here (use .to('cpu'))")

    def double(self) -> "Module":
        return self.to(np.float64)

    def float(self) -> "Module":
        return self.to(np.float32)

    def half(self) -> "Module":
        return self.to(np.float16)

    def num_parameters(self) -> int:
        return sum(p.numel() for p in self.parameters())

    # ------------------------------------------------------------------ state
    def state_dict(self) -> "OrderedDict[str, np.ndarray]":
        """Copies of every parameter and buffer, by dotted name (PyTorch's naming)."""
        sd: OrderedDict[str, np.ndarray] = OrderedDict()
        for mod_name, m in self.named_modules(remove_duplicate=False):
            dot = f"{mod_name}." if mod_name else ""
            for name, v in m._members():
                if isinstance(v, Parameter):
                    sd.setdefault(dot + name, v._data.copy())
            for name in m.__dict__.get("_buffer_names", ()):
                if getattr(m, name) is not None:
                    sd[dot + name] = np.array(getattr(m, name), copy=True)
        return sd

    def load_state_dict(self, state_dict: Mapping[str, Any], strict: bool = True) -> tuple:
        """Copy values into this module's parameters and buffers, in place.

        With ``strict`` every key must match, both ways; a shape mismatch is always an error.
        Returns ``(missing_keys, unexpected_keys)``.
        """
        if not hasattr(state_dict, "items"):
            raise TypeError(f"load_state_dict: expected a dict, got {type(state_dict).__name__}")
        own = {}  # every name a parameter is saved under (a shared one has several, as in torch)
        for mod_name, m in self.named_modules(remove_duplicate=False):
            for name, v in m._members():
                if isinstance(v, Parameter):
                    own[f"{mod_name}.{name}" if mod_name else name] = v
        buffers = {}
        for mod_name, m in self.named_modules(remove_duplicate=False):
            for name in m.__dict__.get("_buffer_names", ()):
                if getattr(m, name) is not None:  # None buffers are not saved, so not expected
                    buffers[f"{mod_name}.{name}" if mod_name else name] = (m, name)
        keys = set(own) | set(buffers)
        missing = sorted(keys - set(state_dict))
        unexpected = sorted(set(state_dict) - keys)
        if strict and (missing or unexpected):
            raise ValueError(f"load_state_dict: missing keys {missing}, "
                             f"unexpected keys {unexpected}")
        pending, nonfinite = [], []
        for key, value in state_dict.items():
            if key not in keys:
                continue
            value = _array(value)
            target = own[key]._data if key in own else getattr(*buffers[key])
            if value.shape != target.shape:
                raise ValueError(f"load_state_dict: {key} has shape {value.shape} in the "
                                 f"state dict, but the module expects {target.shape}")
            if value.dtype.kind not in "biuf":
                raise TypeError(f"load_state_dict: {key} must hold real numbers, got dtype "
                                f"{value.dtype}")
            if value.dtype.kind == "f" and not np.isfinite(value).all():
                nonfinite.append(key)
            pending.append((target, value))
        if nonfinite:  # legal (torch loads them too), but almost always a diverged run's file
            warnings.warn(f"load_state_dict: {', '.join(nonfinite)} hold NaN or infinite "
                          f"values; the module now computes NaN/inf", RuntimeWarning,
                          stacklevel=2)
        for target, value in pending:   # copy only once every shape checked: all or nothing
            target[...] = value
        return missing, unexpected

    # ------------------------------------------------------------------ printing
    def extra_repr(self) -> str:
        return ""

    def __repr__(self):
        lines = [f"  ({name}): " + repr(m).replace("\n", "\n  ")
                 for name, m in self.named_children()]
        head = f"{type(self).__name__}({self.extra_repr()}"
        return head + ")" if not lines else head + "\n" + "\n".join(lines) + "\n)"
