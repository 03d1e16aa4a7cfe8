"""torch's reading API of a graph node: ``grad_fn.name()`` and ``grad_fn.next_functions``.

The "neural networks" tutorial walks the graph backwards from a loss with
``loss.grad_fn.next_functions[0][0]``.  A node's ``next_functions`` is one ``(node, index)``
pair per input: the node that made the input and which of its outputs it was, an
:class:`AccumulateGrad` for a leaf that requires grad, ``(None, 0)`` for an input that needs no
gradient.  This file only reads the :class:`~nnscratch.autograd.graph.Node` class's fields; it is
attached to that class by :func:`install`, run when this module is imported (so the engine
itself needs no change).
"""
from __future__ import annotations

from .graph import Node


class OpName(str):
    """A node's op name (``"mul"``), a ``str`` as the engine uses it, callable for torch's
    ``grad_fn.name()`` (``"MulBackward0"``)."""

    __slots__ = ()

    def __call__(self) -> str:
        return f"{self[:1].upper()}{self[1:]}Backward0"


class AccumulateGrad:
    """The end of a path at a leaf tensor: ``variable`` is the leaf (torch's
    ``AccumulateGrad``)."""

    next_functions: tuple = ()

    def __init__(self, variable):
        self.variable = variable

    def name(self) -> str:
        return "torch::autograd::AccumulateGrad"

    def __repr__(self):
        return "<AccumulateGrad>"


def next_functions(node) -> tuple:
    out: list = []
    for parent in node.parents:
        if parent is None:
            out.append((None, 0))
        elif hasattr(parent, "_data"):            # a leaf Tensor
            out.append((AccumulateGrad(parent), 0))
        else:                                     # an _Edge to a non-leaf's node
            out.append((parent._node, parent._index))
    return tuple(out)


class _NameField:
    """Wraps the slot ``Node.name`` so that reading it gives an :class:`OpName`."""

    def __init__(self, slot):
        self.slot = slot

    def __get__(self, obj, cls=None):
        if obj is None:
            return self
        return OpName(self.slot.__get__(obj, cls))

    def __set__(self, obj, value):
        self.slot.__set__(obj, value)


def install(node_class) -> None:
    """Give ``node_class`` (the engine's Node) torch's ``name()`` and ``next_functions``."""
    if not isinstance(node_class.__dict__["name"], _NameField):
        node_class.name = _NameField(node_class.__dict__["name"])
    node_class.next_functions = property(next_functions)
    node_class.metadata = property(lambda self: {})


install(Node)
