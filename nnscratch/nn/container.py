"""Containers and shape layers."""
from .._checks import as_tensor
from .module import Module


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

    def forward(self, x):
        for m in self._layers():
            x = m(x)
        return x

    def __getitem__(self, i):
        layers = self._layers()
        return Sequential(*layers[i]) if isinstance(i, slice) else layers[i]

    def __len__(self):
        return len(self._layers())

    def __iter__(self):
        return iter(self._layers())

    def append(self, module: Module) -> "Sequential":
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
        setattr(self, str(len(self)), module)
        return self


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

    def __init__(self, size=None, scale_factor=None, mode: str = "nearest"):
        if mode != "nearest":
            raise ValueError(f"Upsample: only mode='nearest' is implemented, got {mode!r}")
        self.size, self.scale_factor, self.mode = size, scale_factor, mode

    def forward(self, x):
        from . import functional as F
        return F.interpolate(as_tensor(x, "Upsample"), self.size, self.scale_factor, self.mode)

    def extra_repr(self):
        what = f"size={self.size}" if self.size is not None else \
            f"scale_factor={self.scale_factor}"
        return f"{what}, mode={self.mode!r}"


class Flatten(Module):
    """Flatten all axes from ``start_dim`` on: ``(N, *)`` -> ``(N, prod(*))``."""

    def __init__(self, start_dim: int = 1):
        self.start_dim = start_dim

    def forward(self, x):
        x = as_tensor(x, "Flatten")
        return x.reshape(x.shape[:self.start_dim] + (-1,))
