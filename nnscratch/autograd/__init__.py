"""``nnscratch.autograd``: the engine and torch's autograd API on top of it.

:mod:`.engine` is the bottom layer (it imports nothing else from nnscratch); this package adds
``Function`` (custom ops), ``grad`` (torch's ``torch.autograd.grad``) and :mod:`.functional`
(``jacobian``, ``vjp``, ``jvp``, ``hessian``, ``hvp``), none of which imports more than the engine.
"""
from .engine import (Node, Primitive, Tensor, backward, defvjp, enable_grad, fused,
                     inference_mode, is_grad_enabled, no_grad, primitive, queue_callback,
                     set_grad_enabled, unbroadcast)
from .function import Function, FunctionCtx, Variable
from .grad import grad
from . import functional
from .node_api import install as _install_node_api

_install_node_api(Node)
