"""Containers and shape layers."""
from ._checks import as_tensor
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


class Flatten(Module):
    """Flatten all axes from ``start_dim`` on: ``(N, *)`` -> ``(N, prod(*))``."""

    def __init__(self, start_dim: int = 1):
        self.start_dim = start_dim

    def forward(self, x):
        x = as_tensor(x, "Flatten")
        return x.reshape(x.shape[:self.start_dim] + (-1,))
