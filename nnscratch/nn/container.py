"""Containers and shape layers."""
from __future__ import annotations

from typing import Any

from .._checks import as_tensor
from .module import Module, Parameter


class Sequential(Module):
    """Apply modules in order; children are named ``0``, ``1``, … as in torch.nn.Sequential."""

    def __init__(self, *modules: Module):
        for i, m in enumerate(modules):
            if not isinstance(m, Module):
                raise TypeError(f"Sequential: argument {i} must be a Module, "
                                f"got {type(m).__name__}")
            setattr(self, str(i), m)

    def _layers(self):
        return [m for _, m in self.named_children()]

    def forward(self, x: Any) -> Any:
        for m in self._layers():
            x = m(x)
        return x

    def __getitem__(self, i):
        layers = self._layers()
        return Sequential(*layers[i]) if isinstance(i, slice) else layers[i]

    def __setitem__(self, i: int, module: Module) -> None:
        """Replace the ``i``-th layer (negative counts from the end), as torch."""
        names = [n for n, _ in self.named_children()]
        if not isinstance(module, Module):
            raise TypeError(f"Sequential: a layer must be a Module, got {type(module).__name__}")
        if not -len(names) <= i < len(names):
            raise IndexError(f"index {i} is out of range")
        setattr(self, names[i], module)

    def __len__(self):
        return len(self._layers())

    def __iter__(self):
        return iter(self._layers())

    def append(self, module: Module) -> "Sequential":
        if not isinstance(module, Module):
            raise TypeError(f"{type(self).__name__}.append: {type(module).__name__} is not a "
                            f"Module")
        setattr(self, str(len(self)), module)
        return self


class ModuleList(Module):
    """A list of modules whose parameters the parent module sees (torch.nn.ModuleList)."""

    def __init__(self, modules=()):
        for i, m in enumerate(modules):
            setattr(self, str(i), m)

    def __getitem__(self, i):
        return [m for _, m in self.named_children()][i]

    def __len__(self):
        return len(list(self.named_children()))

    def __iter__(self):
        return iter([m for _, m in self.named_children()])

    def append(self, module: Module) -> "ModuleList":
        if not isinstance(module, Module):
            raise TypeError(f"{type(self).__name__}.append: {type(module).__name__} is not a "
                            f"Module")
        setattr(self, str(len(self)), module)
        return self


class ParameterList(Module):
    """A list of parameters the parent module sees (torch.nn.ParameterList), named ``0``,
    ``1`` …; a Tensor that is not a Parameter is wrapped in one, as torch does."""

    def __init__(self, values=None):
        for v in values or ():
            self.append(v)

    def _params(self):
        return [v for name, v in vars(self).items() if name.isdigit()]

    def __getitem__(self, i):
        return self._params()[i]

    def __setitem__(self, i, value):
        n = len(self)
        if not -n <= i < n:
            raise IndexError(f"ParameterList: index {i} is out of range for length {n}")
        setattr(self, str(i % n), _as_parameter(value))

    def __len__(self):
        return len(self._params())

    def __iter__(self):
        return iter(self._params())

    def append(self, value) -> "ParameterList":
        setattr(self, str(len(self)), _as_parameter(value))
        return self

    def extend(self, values) -> "ParameterList":
        for v in values:
            self.append(v)
        return self

    def __repr__(self):
        # torch's layout: one line for one parameter, else one indented line each
        lines = [f"  ({i}): {_size_line(p)}" for i, p in enumerate(self)]
        if len(lines) == 1:
            return f"ParameterList({lines[0]})"
        return "ParameterList(" + "".join(f"\n  {line}" for line in lines) + \
            ("\n)" if lines else ")")


def _as_parameter(value, owner="ParameterList"):
    if isinstance(value, Parameter):
        return value
    from ..tensor import Tensor
    if not isinstance(value, Tensor):
        raise TypeError(f"{owner}: entries must be Tensors or Parameters, got "
                        f"{type(value).__name__}")
    return Parameter(value)


def _size_line(p, legacy=False):
    """``Parameter containing: [nnscratch.float32 of size 2x3]``: torch's one-line summary
    (ParameterDict names the legacy type, ``FloatTensor``, as torch does)."""
    kind = _LEGACY_NAMES.get(p.dtype.name, p.dtype.name) if legacy else p.dtype.name
    return f"Parameter containing: [nnscratch.{kind} of size {'x'.join(map(str, p.shape))}]"


_LEGACY_NAMES = {"float32": "FloatTensor", "float64": "DoubleTensor", "float16": "HalfTensor"}


class ParameterDict(Module):
    """A dict of parameters the parent module sees (torch.nn.ParameterDict): ``d["scale"]``
    is the parameter named ``<parent>.scale``.  A Tensor that is not a Parameter is wrapped
    in one.  As torch, a plain ``dict`` given to the constructor or ``update`` is added in
    sorted key order; an ``OrderedDict``, a ``ParameterDict`` or ``(key, value)`` pairs keep
    their order."""

    def __init__(self, parameters=None):
        if parameters is not None:
            self.update(parameters)

    def _check_key(self, key):
        if not isinstance(key, str):
            raise TypeError(f"ParameterDict: keys must be str, got {type(key).__name__}")
        if "." in key or key.startswith("_") or not key:
            raise KeyError(f"ParameterDict: key {key!r} must be non-empty and contain no '.' "
                           f"nor start with '_'")
        return key

    def _params(self):
        return {name: v for name, v in vars(self).items() if isinstance(v, Parameter)}

    def __setitem__(self, key: str, value):
        setattr(self, self._check_key(key), _as_parameter(value, "ParameterDict"))

    def __getitem__(self, key: str) -> Parameter:
        params = self._params()
        if key not in params:
            raise KeyError(key)
        return params[key]

    def __delitem__(self, key: str):
        self[key]  # KeyError if absent
        delattr(self, key)

    def __contains__(self, key) -> bool:
        return key in self._params()

    def __len__(self):
        return len(self._params())

    def __iter__(self):
        return iter(list(self._params()))

    def keys(self):
        return self._params().keys()

    def values(self):
        return self._params().values()

    def items(self):
        return self._params().items()

    def get(self, key, default=None):
        return self._params().get(key, default)

    def pop(self, key):
        value = self[key]
        del self[key]
        return value

    def update(self, parameters) -> None:
        from collections import OrderedDict
        if isinstance(parameters, (OrderedDict, ParameterDict)):
            pairs = list(parameters.items())
        elif isinstance(parameters, dict):
            pairs = sorted(parameters.items())
        else:
            pairs = list(parameters)
        for key, value in pairs:
            self[key] = value

    def __repr__(self):
        lines = [f"  ({k}): {_size_line(p, legacy=True)}" for k, p in self.items()]
        if len(lines) == 1:
            return f"ParameterDict({lines[0]})"
        return "ParameterDict(" + "".join(f"\n  {line}" for line in lines) + \
            ("\n)" if lines else ")")


class ModuleDict(Module):
    """A dict of modules whose parameters the parent module sees (torch.nn.ModuleDict); keys
    are the children's names, kept in insertion order."""

    def __init__(self, modules=None):
        for name, m in dict(modules or {}).items():
            self[name] = m

    def __setitem__(self, name: str, module: Module):
        if not isinstance(name, str) or not name.isidentifier():
            raise ValueError(f"ModuleDict: keys must be identifiers, got {name!r}")
        if not isinstance(module, Module):
            raise TypeError(f"ModuleDict: {name!r} must be a Module, got "
                            f"{type(module).__name__}")
        setattr(self, name, module)

    def __getitem__(self, name: str) -> Module:
        children = dict(self.named_children())
        if name not in children:
            raise KeyError(name)
        return children[name]

    def __contains__(self, name) -> bool:
        return name in dict(self.named_children())

    def __len__(self):
        return len(list(self.named_children()))

    def __iter__(self):
        return iter([name for name, _ in self.named_children()])

    def keys(self):
        return [name for name, _ in self.named_children()]

    def values(self):
        return [m for _, m in self.named_children()]

    def items(self):
        return list(self.named_children())


class Upsample(Module):
    """Nearest-neighbour upsampling by whole factors (torch.nn.Upsample with mode="nearest").
    Shape: ``(N, C, *spatial)`` -> ``(N, C, *(scale_factor · spatial))``."""

    def __init__(self, size=None, scale_factor=None, mode: str = "nearest",
                 align_corners: bool | None = None, recompute_scale_factor: bool | None = None):
        if mode != "nearest":
            raise ValueError(f"Upsample: only mode='nearest' is implemented, got {mode!r}")
        if align_corners is not None:   # torch refuses it for "nearest" too
            raise ValueError("Upsample: align_corners option can only be set with the "
                             "interpolating modes: linear | bilinear | bicubic | trilinear")
        if recompute_scale_factor:
            raise NotImplementedError("Upsample: recompute_scale_factor=True is not supported")
        self.size, self.scale_factor, self.mode = size, scale_factor, mode

    def forward(self, x):
        from . import functional as F
        return F.interpolate(as_tensor(x, "Upsample"), self.size, self.scale_factor, self.mode)

    def extra_repr(self):
        if self.size is not None:
            return f"size={self.size}, mode={self.mode!r}"
        sf = self.scale_factor      # torch keeps (and prints) the factors as floats
        sf = tuple(float(f) for f in sf) if isinstance(sf, (tuple, list)) else float(sf)
        return f"scale_factor={sf}, mode={self.mode!r}"


class Flatten(Module):
    """Flatten dims ``start_dim..end_dim`` into one (torch.nn.Flatten):
    ``(N, *dims)`` -> ``(N, prod(*dims))`` with the defaults ``start_dim=1, end_dim=-1``."""

    def __init__(self, start_dim: int = 1, end_dim: int = -1):
        self.start_dim, self.end_dim = start_dim, end_dim

    def forward(self, x):
        return as_tensor(x, "Flatten").flatten(self.start_dim, self.end_dim)

    def extra_repr(self):
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"
