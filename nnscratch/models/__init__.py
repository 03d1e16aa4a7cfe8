"""Ready-made models: hand-built universal approximators (and, later, autoencoders)."""
from . import universal

__all__ = ["universal"]
