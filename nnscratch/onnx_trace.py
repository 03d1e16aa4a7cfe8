"""Tracing a forward pass into a graph of recorded ops, as ``torch.onnx.export`` traces.

While :func:`trace` runs ``model(*inputs)``, every op call reports itself through the hook of
:mod:`nnscratch.autograd.declare` (``_recorder``): the op, its arguments and its output.  A
module :mod:`nnscratch.onnx` translates as a whole (an ``LSTM`` is one ONNX node, not dozens
of primitives) is recorded as one call instead: a forward pre-hook switches the recorder off,
the forward hook records the module and switches it back on.  An ``autograd.Function``
records itself the same way (its forward's ops are not seen).

Each tensor an op receives is then either a *value* of the graph (the model's input, or the
output of an earlier recorded op) or a *constant*: a parameter, a buffer, a tensor made inside
``forward`` (``ns.arange``, a mask).  An op whose tensor arguments are all constants is
folded: its output is a constant too, as torch folds them.

What a trace cannot see: a value computed from the input outside the recorded ops (a
comparison, ``argmax``, ``.numpy()`` and back) would be frozen into a constant, and Python
control flow on the input's values is fixed to the example's branch.  So :func:`check`
traces the model a second time, on other random values (with every dynamic axis one longer),
and compares: the same ops in the same order, the same constants, the same non-tensor
arguments -- or the export is refused, naming the first op that differs.
"""
from __future__ import annotations

import numpy as np

from .autograd import declare
from .tensor import Tensor


class Call:
    """One recorded op call: ``op(*args, **kwargs) -> out`` (out: a Tensor or a tuple)."""

    __slots__ = ("op", "args", "kwargs", "out", "outs", "constant", "twin")

    def __init__(self, op, args, kwargs, out):
        self.op, self.args, self.kwargs, self.out = op, args, kwargs, out
        self.outs = list(_tensors_in([out]))
        self.constant = False           # every tensor argument is a constant: folded
        self.twin = None                # the same call in the checking trace

    @property
    def name(self) -> str:
        op = self.op
        if isinstance(op, type):
            return f"autograd.Function {op.__name__}"
        fn = getattr(op, "fn", op)
        return getattr(fn, "__name__", type(op).__name__).strip("_")


class Trace:
    """The calls of one forward pass, and for every tensor seen its role."""

    def __init__(self, inputs):
        self.inputs = list(inputs)
        self.calls: list[Call] = []
        # id(tensor) -> (tensor, version, producer): producer None for an input, else the
        # Call; the tensor is kept so that its id is not reused
        self.values: dict[int, tuple] = {}
        for t in self.inputs:
            self.values[id(t)] = (t, t._version, None)
        self.output = None

    def role(self, t: Tensor, where: str):
        """``("value", producer)`` or ``("constant", None)`` for tensor ``t`` read by op
        ``where``; a graph value changed in place since it was made is refused."""
        entry = self.values.get(id(t))
        if entry is None:
            return "constant", None
        tensor, version, producer = entry
        if tensor._version != version:
            raise ValueError(f"nnscratch.onnx.export: {where} reads a traced tensor that was "
                             f"modified in place after it was computed; in-place operations on "
                             f"values that depend on the input cannot be exported (use the "
                             f"out-of-place form)")
        return "value", producer

    def record(self, op, args, kwargs, out):
        call = Call(op, args, kwargs, out)
        tensors = [a for a in _tensors_in(args)]
        call.constant = not any(self.role(t, call.name)[0] == "value" for t in tensors)
        self.calls.append(call)
        if not call.constant:
            for o in call.outs:
                self.values[id(o)] = (o, o._version, call)


def _tensors_in(args, strict: bool = False):
    """The Tensors in ``args``, through nested tuples/lists; ``strict``: anything else is a
    TypeError (a model's outputs, which must all be graph values, as torch's exporter)."""
    for a in args:
        if isinstance(a, Tensor):
            yield a
        elif isinstance(a, (tuple, list)):
            yield from _tensors_in(a, strict)
        elif strict:
            raise TypeError(f"nnscratch.onnx.export: the model's forward must return Tensors "
                            f"(or tuples/lists of them), got {type(a).__name__}; a value "
                            f"computed outside the recorded ops cannot be exported")


def trace(model, inputs, whole: dict) -> Trace:
    """Run ``model(*inputs)`` recording its ops; ``whole`` maps the modules to record as one
    call (``{module: path}``).  The recorder is off again afterwards, whatever happens."""
    if declare._recorder is not None:
        raise RuntimeError("nnscratch.onnx.export: a trace is already running (export is not "
                           "reentrant)")
    tr = Trace(inputs)
    handles = []

    def before(module, args):
        declare._recorder = None

    def after(module, args, kwargs, out):
        declare._recorder = tr.record
        tr.record(module, args, kwargs, out)

    for m in whole:
        handles.append(m.register_forward_pre_hook(before))
        handles.append(m.register_forward_hook(after, with_kwargs=True))
    declare._recorder = tr.record
    try:
        tr.output = model(*inputs)
    finally:
        declare._recorder = None
        for h in handles:
            h.remove()
    return tr


def same(a, b) -> bool:
    """Equality of recorded arguments: arrays by value, containers element-wise."""
    if isinstance(a, Tensor) or isinstance(b, Tensor):
        return isinstance(a, Tensor) and isinstance(b, Tensor) and same(a._data, b._data)
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        a, b = np.asarray(a), np.asarray(b)
        return a.shape == b.shape and a.dtype == b.dtype and bool(
            np.array_equal(a, b, equal_nan=a.dtype.kind in "fc"))
    if isinstance(a, (tuple, list)) and isinstance(b, (tuple, list)):
        return type(a) is type(b) and len(a) == len(b) and all(map(same, a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, slice) and isinstance(b, slice):
        return same((a.start, a.stop, a.step), (b.start, b.stop, b.step))
    if type(a) is type(b) and getattr(type(a), "__slots__", None):    # an Index
        return all(same(getattr(a, k), getattr(b, k)) for k in type(a).__slots__)
    try:
        return bool(a == b) and type(a) is type(b)
    except (TypeError, ValueError):
        return a is b


def _short(v) -> str:
    text = " ".join(repr(v).split())
    return text if len(text) <= 60 else text[:57] + "..."


def _differs(what, op, step, x, y) -> str:
    if any(isinstance(v, np.ndarray) for v in (x, y)):
        why = ("an array computed from the input's values outside the traced operations (a "
               "mask from a comparison, .numpy()...): the trace would freeze it")
    else:
        why = ("a size read from the input, which this op cannot take from the graph: leave "
               "that axis out of dynamic_axes")
    return (f"nnscratch.onnx.export: {what} of {op} (step {step}) is {_short(x)} for the "
            f"example and {_short(y)} on another input (dynamic axes one longer): {why}")


def check(first: Trace, second: Trace, flexible) -> None:
    """Refuse the export unless ``second`` (other values, longer dynamic axes) recorded the
    same graph as ``first``.  ``flexible(call)`` names the ops whose non-tensor arguments may
    follow the dynamic axes (a reshape to the batch size): their converters read both."""
    a_calls, b_calls = first.calls, second.calls
    for i, (a, b) in enumerate(zip(a_calls, b_calls)):
        if a.op is not b.op:
            raise ValueError(f"nnscratch.onnx.export: the forward pass ran different operations "
                             f"on another input ({a.name} at step {i}, then {b.name}): Python "
                             f"control flow depends on the input's values or sizes, which a "
                             f"trace cannot follow")
        a.twin = b
        if a.constant:
            continue
        for j, (x, y) in enumerate(zip(a.args, b.args)):
            xs, ys = list(_tensors_in([x])), list(_tensors_in([y]))
            if xs or ys:
                for u, v in zip(xs, ys):
                    ru, rv = first.role(u, a.name)[0], second.role(v, b.name)[0]
                    if ru == "constant" and (rv != "constant" or not same(u, v)):
                        raise ValueError(
                            f"nnscratch.onnx.export: argument {j} of {a.name} (step {i}) is a "
                            f"tensor computed from the input outside the traced operations "
                            f"(a comparison, argmax, .numpy(), a new tensor from the input's "
                            f"size...): the trace would freeze it to the example's value")
            elif not same(x, y) and not flexible(a):
                raise ValueError(_differs(f"argument {j}", a.name, i, x, y))
        for k in a.kwargs:
            if k != "needs_input_grad" and not same(a.kwargs[k], b.kwargs.get(k)) \
                    and not flexible(a):
                raise ValueError(_differs(f"{k}=", a.name, i, a.kwargs[k], b.kwargs.get(k)))
    outs_a, outs_b = list(_tensors_in([first.output])), list(_tensors_in([second.output]))
    for k, (u, v) in enumerate(zip(outs_a, outs_b)):
        if first.role(u, "the output")[0] == "constant" and not same(u, v):
            raise ValueError(f"nnscratch.onnx.export: output {k} is computed from the input "
                             f"outside the traced operations (a bitwise op, .numpy(), a new "
                             f"tensor...): the trace would freeze it to the example's value")
    if len(a_calls) != len(b_calls):
        raise ValueError(f"nnscratch.onnx.export: the forward pass ran {len(a_calls)} "
                         f"operations on the example and {len(b_calls)} on another input: "
                         f"Python control flow depends on the input, which a trace cannot "
                         f"follow")
