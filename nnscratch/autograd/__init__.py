"""``nnscratch.autograd``: the engine and torch's autograd API on top of it.

:mod:`.grad_mode`, :mod:`.core` (what a tensor is), :mod:`.graph` (nodes and the backward sweep)
and :mod:`.declare` (``primitive``/``defvjp``/``fused``) are the bottom layer: they import nothing
else from nnscratch but the dtypes and the device.  This package adds ``Function`` (custom ops),
``grad`` (torch's ``torch.autograd.grad``) and :mod:`.functional` (``jacobian``, ``vjp``, ``jvp``,
``hessian``, ``hvp``).
"""
from .declare import Primitive, defvjp, fused, primitive
from .grad_mode import enable_grad, inference_mode, is_grad_enabled, no_grad, set_grad_enabled
from .graph import Node, backward, queue_callback, unbroadcast
from .function import Function, FunctionCtx, Variable
from .grad import grad
from . import functional
from . import node_api  # gives graph.Node torch's name() and next_functions
from ..gradcheck import gradcheck, gradgradcheck  # noqa: E402  (after the engine: it uses it)

