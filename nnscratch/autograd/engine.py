"""``Tensor``: the engine core (:mod:`.core`) with the graph's methods (:mod:`.graph`).

The engine is split by concern: grad mode (:mod:`.grad_mode`), what a tensor is
(:mod:`.core`), the graph and the backward sweep (:mod:`.graph`), and op declaration
(:mod:`.declare`); the device class lives in :mod:`nnscratch.device` and the default dtype in
:mod:`nnscratch.dtype`.  :mod:`nnscratch.tensor` installs the op methods on this class.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from .core import set_tensor_class
from .graph import GraphMethods

if TYPE_CHECKING:   # the methods nnscratch.tensor installs, declared for type checkers
    from ._tensor_api import TensorMethods as _TensorMethods
else:
    _TensorMethods = object


class Tensor(GraphMethods, _TensorMethods):
    """An ``np.ndarray`` with reverse-mode autograd, following ``torch.Tensor``.

    Attributes:
        data: a Tensor on the same memory, detached from the graph (torch's ``.data``).
        grad: the accumulated gradient (a Tensor) of some scalar w.r.t. this tensor, or None.
        requires_grad: whether operations on this tensor are recorded.
    Internals: ``_data`` is the ndarray itself (the one attribute the ops read), ``_node`` the
    recorded op that produced it (None for leaves), ``_counter`` its in-place version counter and
    ``_base`` the tensor it is a view of.
    """

    __slots__ = ()


set_tensor_class(Tensor)
