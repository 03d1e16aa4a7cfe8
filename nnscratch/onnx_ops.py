"""ONNX converters of the recorded ops (:mod:`nnscratch.onnx_trace`), one per op name.

Each converter is ``convert(e) -> [output names]`` where ``e`` (:class:`Emit`) gives the
recorded call's arguments: ``e.x(i)`` the ONNX name of positional argument ``i`` (a graph
value, a constant, or a Python scalar made a constant of the output's dtype), ``e.arg(i)``
its recorded value, ``e.kw`` the keywords, ``e.out`` the example output (an array),
``e.op1(...)`` to append a node.  The ops nnscratch's layers and Tensor methods reduce to are
here; an op that is missing makes ``export`` fail naming it.

Opset notes (``MIN_OPSET`` is 14): ``Reduce{Mean,Max,Min,Prod,LogSumExp}`` take their axes as
an attribute before opset 18 and as an input from 18 (``ReduceSum`` from 13); ``Gelu`` exists
only from opset 20, so GELU is written out with ``Erf`` (or ``Tanh``), as its formula.
"""
from __future__ import annotations

import math

import numpy as np

from .tensor import Tensor

BIG = np.iinfo(np.int64).max        # "to the end" in Slice


class Emit:
    """One recorded call being translated: its arguments as ONNX names and as values."""

    def __init__(self, g, call, name_of, is_value, hint):
        self.g, self.call, self.hint = g, call, hint
        self._name_of, self.is_value = name_of, is_value
        self.args, self.kw = call.args, call.kwargs
        self.out = np.asarray(call.outs[0]._data) if call.outs else None

    def arg(self, i, default=None):
        a = self.args[i] if i < len(self.args) else default
        return np.asarray(a._data) if isinstance(a, Tensor) else a

    def x(self, i, dtype=None):
        """The ONNX name of argument ``i``; a scalar becomes a constant of ``dtype`` (default:
        the output's); a tensor of another dtype than ``dtype`` is cast (NumPy's promotion
        made explicit: ONNX's binary ops take one type)."""
        dtype = np.dtype(self.out.dtype if dtype is None else dtype)
        a = self.args[i]
        if not isinstance(a, Tensor):
            return self.g.const(f"{self.hint}.c", np.asarray(a, dtype))
        name = self._name_of(a)
        if np.asarray(a._data).dtype != dtype:
            return self.op1("Cast", [name], to=self.g.helper.np_dtype_to_tensor_dtype(dtype))
        return name

    def ints(self, values, what="ints"):
        return self.g.const(f"{self.hint}.{what}", np.asarray(values, np.int64).reshape(-1))

    def op1(self, op_type, inputs, **attrs):
        return self.g.op1(op_type, inputs, self.hint, **attrs)

    def op(self, op_type, inputs, **attrs):
        return self.g.op(op_type, inputs, self.hint, **attrs)

    def refuse(self, why):
        return ValueError(f"nnscratch.onnx.export: cannot export {self.call.name}: {why}")


def _unary(op_type, **attrs_of):
    def convert(e):
        return e.op(op_type, [e.x(0)], **{k: f(e) for k, f in attrs_of.items()})
    return convert


def _binary(op_type):
    def convert(e):
        return e.op(op_type, [e.x(0), e.x(1)])
    return convert


def _matmul(e):
    return e.op("MatMul", [e.x(0), e.x(1)])


def _linear(e):
    """``x @ w.T + b``: the transposed weight is folded when it is a constant."""
    w = e.arg(1)
    if not e.is_value(e.args[1]):
        wt = e.g.const(f"{e.hint}.weight.T", np.ascontiguousarray(w.T))
    else:
        wt = e.op1("Transpose", [e.x(1)], perm=list(range(w.ndim))[::-1])
    y = e.op1("MatMul", [e.x(0), wt])
    b = e.call.args[2] if len(e.call.args) > 2 else None
    return [e.op1("Add", [y, e.x(2)])] if b is not None else [y]


def _clip(e):
    lo, hi = e.arg(1, e.kw.get("lo")), e.arg(2, e.kw.get("hi"))
    bounds = ["" if v is None else e.g.const(f"{e.hint}.bound", np.asarray(v, e.out.dtype))
              for v in (lo, hi)]
    return e.op("Clip", [e.x(0)] + bounds)


def _hardtanh(e):
    lo, hi = e.kw.get("min_val", e.arg(1, -1.0)), e.kw.get("max_val", e.arg(2, 1.0))
    return e.op("Clip", [e.x(0), e.g.const(f"{e.hint}.min", np.asarray(lo, e.out.dtype)),
                         e.g.const(f"{e.hint}.max", np.asarray(hi, e.out.dtype))])


def _scalar(e, v):
    return e.g.const(f"{e.hint}.c", np.asarray(v, e.out.dtype))


def _gelu(e):
    """GELU as its formula: ``x Φ(x) = x (1 + erf(x/√2)) / 2``, or torch's tanh form."""
    x = e.x(0)
    if e.kw.get("approximate", e.arg(1, "none")) == "tanh":
        inner = e.op1("Mul", [_scalar(e, math.sqrt(2 / math.pi)), e.op1("Add", [x, e.op1(
            "Mul", [_scalar(e, 0.044715), e.op1("Mul", [x, e.op1("Mul", [x, x])])])])])
        phi2 = e.op1("Add", [_scalar(e, 1.0), e.op1("Tanh", [inner])])
    else:
        phi2 = e.op1("Add", [_scalar(e, 1.0),
                             e.op1("Erf", [e.op1("Div", [x, _scalar(e, math.sqrt(2.0))])])])
    return e.op("Mul", [e.op1("Mul", [x, phi2]), _scalar(e, 0.5)])


def _silu(e):
    return e.op("Mul", [e.x(0), e.op1("Sigmoid", [e.x(0)])])


def _softplus(e):
    """``softplus(βx)/β``, and ``x`` where ``βx > threshold`` (torch's linear region)."""
    beta, threshold = e.kw.get("beta", e.arg(1, 1.0)), e.kw.get("threshold", e.arg(2, 20.0))
    bx = e.op1("Mul", [e.x(0), _scalar(e, beta)])
    soft = e.op1("Div", [e.op1("Softplus", [bx]), _scalar(e, beta)])
    return e.op("Where", [e.op1("Greater", [bx, _scalar(e, threshold)]), e.x(0), soft])


def _log1p(e):
    return e.op("Log", [e.op1("Add", [e.x(0), _scalar(e, 1.0)])])


def _expm1(e):
    return e.op("Sub", [e.op1("Exp", [e.x(0)]), _scalar(e, 1.0)])


def _logsigmoid(e):
    return e.op("Neg", [e.op1("Softplus", [e.op1("Neg", [e.x(0)])])])


def _mish(e):
    return e.op("Mul", [e.x(0), e.op1("Tanh", [e.op1("Softplus", [e.x(0)])])])


def _axes(e, ndim):
    axis = e.kw.get("axis", e.arg(1))
    if axis is None:
        return None
    axes = [axis] if np.ndim(axis) == 0 else list(axis)
    return [int(a) % ndim for a in axes]


def _reduce(op_type):
    def convert(e):
        x = e.arg(0)
        axes = _axes(e, x.ndim)
        keep = int(bool(e.kw.get("keepdims", e.arg(2, False))))
        if axes is None:
            axes = list(range(x.ndim))
        return [_reduce_nodes(e, op_type, e.x(0, x.dtype), axes, keep)]
    return convert


def _reduce_nodes(e, op_type, x, axes, keep):
    if op_type == "ReduceSum" or e.g.opset >= 18:
        return e.op1(op_type, [x, e.ints(axes, "axes")], keepdims=keep)
    return e.op1(op_type, [x], axes=axes, keepdims=keep)


def _var(e):
    """``Σ (x - mean)² / (n - ddof)``, with ``n`` (the count over the reduced axes) read from
    the input's shape in the graph, so that a dynamic axis counts right."""
    x = e.arg(0)
    axes = _axes(e, x.ndim)
    axes = list(range(x.ndim)) if axes is None else axes
    keep = int(bool(e.kw.get("keepdims", e.arg(2, False))))
    ddof = e.kw.get("ddof", e.arg(3, 0))
    xs = e.x(0)
    centred = e.op1("Sub", [xs, _reduce_nodes(e, "ReduceMean", xs, axes, 1)])
    total = _reduce_nodes(e, "ReduceSum", e.op1("Mul", [centred, centred]), axes, keep)
    sizes = e.op1("Gather", [e.op1("Shape", [xs]), e.ints(axes, "axes")], axis=0)
    n = e.op1("Cast", [e.op1("ReduceProd", [sizes], keepdims=0) if e.g.opset < 18 else
                       e.op1("ReduceProd", [sizes, e.ints([0], "axis")], keepdims=0)],
              to=e.g.helper.np_dtype_to_tensor_dtype(e.out.dtype))
    return e.op("Div", [total, e.op1("Sub", [n, _scalar(e, ddof)])])


def _softmax(op_type):
    def convert(e):
        return e.op(op_type, [e.x(0)], axis=int(e.kw.get("axis", e.arg(1, -1))))
    return convert


def _reshape(e):
    """``Reshape`` to the recorded shape.  With dynamic axes the checking trace says which
    entries follow the input's size: one copied from the input's same axis becomes ``0``
    (ONNX: keep that axis), and at most one other may follow, as ``-1``."""
    x, shape = e.arg(0), [int(s) for s in e.arg(1)]
    twin = e.call.twin
    if twin is not None:
        x2, shape2 = np.asarray(twin.args[0]._data), [int(s) for s in twin.args[1]]
        inferred = []
        for i, (a, b) in enumerate(zip(shape, shape2)):
            if a == b:
                continue
            if i < min(x.ndim, x2.ndim) and a == x.shape[i] and b == x2.shape[i]:
                shape[i] = 0
            else:
                inferred.append(i)
        if len(inferred) > 1 or (inferred and -1 in shape):
            raise e.refuse(f"the target shape {tuple(e.arg(1))} has several entries that "
                           f"follow the dynamic axes; leave them static")
        for i in inferred:
            shape[i] = -1
    if 0 in e.arg(1):
        raise e.refuse("a reshape to an empty axis")
    return e.op("Reshape", [e.x(0, x.dtype), e.ints(shape, "shape")])


def _broadcast_to(e):
    """``Expand``; with dynamic axes, an entry that follows the input's (right-aligned) axis
    becomes 1, which Expand reads as "keep that axis"."""
    x, shape = e.arg(0), [int(s) for s in e.arg(1)]
    twin = e.call.twin
    if twin is not None:
        x2, shape2 = np.asarray(twin.args[0]._data), [int(s) for s in twin.args[1]]
        lead = len(shape) - x.ndim
        for i, (a, b) in enumerate(zip(shape, shape2)):
            j = i - lead
            if a != b:
                if j < 0 or a != x.shape[j] or b != x2.shape[j]:
                    raise e.refuse(f"the shape {tuple(e.arg(1))} follows a dynamic axis the "
                                   f"input does not have; leave it static")
                shape[i] = 1
    return e.op("Expand", [e.x(0, x.dtype), e.ints(shape, "shape")])


def _transpose(e):
    x, axes = e.arg(0), e.kw.get("axes", e.arg(1))
    perm = list(range(x.ndim))[::-1] if axes is None else [int(a) % x.ndim for a in axes]
    return e.op("Transpose", [e.x(0, x.dtype)], perm=perm)


def _getitem(e):
    """Basic indexing (ints, slices, ``None``, ``...``) as ``Slice`` + ``Squeeze`` +
    ``Unsqueeze``, then one index array as ``Gather`` (its axis)."""
    x, index = e.arg(0), e.call.args[1]
    basic = list(index.basic)
    if Ellipsis in basic:
        k = basic.index(Ellipsis)
        used = sum(1 for b in basic if b is not None and b is not Ellipsis)
        basic[k:k + 1] = [slice(None)] * (x.ndim - used)
    starts, ends, axes, steps, squeeze, unsqueeze = [], [], [], [], [], []
    d = out = 0
    for item in basic:
        if item is None:
            unsqueeze.append(out)
            out += 1
            continue
        if isinstance(item, slice):
            if item != slice(None):
                step = 1 if item.step is None else int(item.step)
                lo, hi = (0, BIG) if step > 0 else (BIG, -BIG - 1)
                starts.append(lo if item.start is None else int(item.start))
                ends.append(hi if item.stop is None else int(item.stop))
                axes.append(d)
                steps.append(step)
            out += 1
        else:
            i = int(item)
            starts.append(i)
            ends.append(i + 1 if i != -1 else BIG)
            axes.append(d)
            steps.append(1)
            squeeze.append(d)
        d += 1
    y = e.x(0, x.dtype)
    if axes:
        y = e.op1("Slice", [y, e.ints(starts, "starts"), e.ints(ends, "ends"),
                            e.ints(axes, "axes"), e.ints(steps, "steps")])
    if squeeze:
        y = e.op1("Squeeze", [y, e.ints(squeeze, "axes")])
    if unsqueeze:
        y = e.op1("Unsqueeze", [y, e.ints(unsqueeze, "axes")])
    if index.advanced is not None:
        y = _advanced(e, y, index.advanced)
    return [y]


def _advanced(e, y, advanced):
    """Integer index arrays (constants) on adjacent axes: one as ``Gather``, several as
    ``GatherND`` on those axes brought to the front, the result's index axes put back where
    NumPy puts adjacent ones (at the first index axis)."""
    arrays = [(i, a) for i, a in enumerate(advanced)
              if not isinstance(a, slice) and a is not Ellipsis]
    positions = [i for i, _ in arrays]
    if not arrays or any(a is Ellipsis for a in advanced) or \
            any(isinstance(a, Tensor) or np.asarray(a).dtype.kind not in "iu"
                for _, a in arrays) or positions != list(range(positions[0],
                                                                positions[0] + len(arrays))):
        raise e.refuse("indexing with an index tensor computed in the forward pass, a mask, "
                       "or index arrays on axes that are not adjacent (integer index lists or "
                       "arrays on adjacent axes export, as Gather/GatherND)")
    if len(arrays) == 1:
        axis, idx = arrays[0]
        return e.op1("Gather", [y, e.g.const(f"{e.hint}.index", np.asarray(idx, np.int64))],
                     axis=axis)
    first, m = positions[0], len(arrays)
    rank = len(advanced)
    others = [d for d in range(rank) if d not in positions]
    if first:
        y = e.op1("Transpose", [y], perm=positions + others)
    idx = np.stack(np.broadcast_arrays(*[np.asarray(a, np.int64) for _, a in arrays]), -1)
    y = e.op1("GatherND", [y, e.g.const(f"{e.hint}.index", idx)])
    nb = idx.ndim - 1                       # the index arrays' broadcast rank
    if first:
        total = nb + rank - m
        y = e.op1("Transpose", [y], perm=list(range(nb, nb + first)) + list(range(nb))
                  + list(range(nb + first, total)))
    return y


def _concat(e):
    axis = int(e.kw.get("axis", 0))
    return e.op("Concat", [e.x(i, e.out.dtype) for i in range(len(e.args))], axis=axis)


def _stack(e):
    axis = int(e.kw.get("axis", 0)) % e.out.ndim
    parts = [e.op1("Unsqueeze", [e.x(i, e.out.dtype), e.ints([axis], "axes")])
             for i in range(len(e.args))]
    return e.op("Concat", parts, axis=axis)


def _where(e):
    c, a, b = e.x(0, np.bool_), e.x(1), e.x(2)
    if e.out.dtype == np.bool_:       # (c and a) or (not c and b): onnxruntime has no bool Where
        return e.op("Or", [e.op1("And", [c, a]), e.op1("And", [e.op1("Not", [c]), b])])
    return e.op("Where", [c, a, b])


def _gather(e):
    dim = int(e.arg(1))
    return e.op("GatherElements", [e.x(0, e.arg(0).dtype), e.x(2, np.int64)], axis=dim)


def _index_select(e):
    return e.op("Gather", [e.x(0, e.arg(0).dtype), e.x(2, np.int64)], axis=int(e.arg(1)))


def _flip(e):
    dims = [int(d) % e.arg(0).ndim for d in np.atleast_1d(e.kw.get("dims", e.arg(1)))]
    n = len(dims)
    return e.op("Slice", [e.x(0, e.arg(0).dtype), e.ints([-1] * n, "starts"),
                          e.ints([-BIG - 1] * n, "ends"), e.ints(dims, "axes"),
                          e.ints([-1] * n, "steps")])


def _trilu(upper):
    def convert(e):
        k = int(e.kw.get("diagonal", e.arg(1, 0)))
        return e.op("Trilu", [e.x(0, e.arg(0).dtype),
                              e.g.const(f"{e.hint}.k", np.asarray(k, np.int64))],
                    upper=int(upper))
    return convert


def _tile(e):
    x, reps = e.arg(0), [int(r) for r in np.atleast_1d(e.arg(1))]
    y = e.x(0, x.dtype)
    if len(reps) > x.ndim:       # NumPy's tile prepends axes
        y = e.op1("Unsqueeze", [y, e.ints(list(range(len(reps) - x.ndim)), "axes")])
    reps = [1] * (x.ndim - len(reps)) + reps
    return e.op("Tile", [y, e.ints(reps, "repeats")])


def _pad(e):
    x, width = e.arg(0), e.arg(1)
    width = np.asarray(width, np.int64).reshape(x.ndim, 2)
    value = e.kw.get("value", e.arg(2, 0.0))
    return e.op("Pad", [e.x(0, x.dtype), e.ints(np.concatenate([width[:, 0], width[:, 1]]),
                                                 "pads"),
                        e.g.const(f"{e.hint}.value", np.asarray(value, x.dtype))],
                mode="constant")


def _astype(e):
    return e.op("Cast", [e.x(0, e.arg(0).dtype)],
                to=e.g.helper.np_dtype_to_tensor_dtype(e.out.dtype))


def _identity(e):
    return e.op("Identity", [e.x(0, e.arg(0).dtype)])


def _cumsum(e):
    axis = int(e.kw.get("axis", e.arg(1)))
    return e.op("CumSum", [e.x(0), e.g.const(f"{e.hint}.axis", np.asarray(axis, np.int64))])


def _einsum(e):
    equation = ",".join(e.kw["subs"]) + "->" + e.kw["out_sub"]
    return e.op("Einsum", [e.x(i) for i in range(len(e.args))], equation=equation)


def _layer_norm(e):
    if e.g.opset < 17:
        raise e.refuse(f"LayerNormalization needs opset >= 17, got {e.g.opset}")
    x, k = e.arg(0), int(e.kw["k"])
    w = e.x(1) if e.call.args[1] is not None else e.g.const(
        f"{e.hint}.ones", np.ones(x.shape[x.ndim - k:], x.dtype))
    ins = [e.x(0), w] + ([e.x(2)] if e.call.args[2] is not None else [])
    return e.op("LayerNormalization", ins, axis=-k, epsilon=float(e.kw["eps"]))


def _batch_norm_eval(e):
    """``(x - mean) / √(var + eps) · weight + bias`` with the statistics' broadcast shape."""
    x, shape = e.arg(0), tuple(e.arg(5))
    dt = x.dtype
    C = int(np.prod(shape))
    if len(shape) >= 2 and shape[1] == C:        # channels on axis 1: ONNX's own layout
        w = e.x(3) if e.call.args[3] is not None else e.g.const(f"{e.hint}.ones",
                                                                np.ones(C, dt))
        b = e.x(4) if e.call.args[4] is not None else e.g.const(f"{e.hint}.zeros",
                                                                np.zeros(C, dt))
        return e.op("BatchNormalization", [e.x(0), w, b, e.x(1), e.x(2)],
                    epsilon=float(e.arg(6)))
    raise e.refuse(f"batch norm over statistics of shape {shape}")


def _embedding(e):
    return e.op("Gather", [e.x(0), e.x(1, e.arg(1).dtype)], axis=0)


def _dropout(e):
    """Identity: export traces in eval mode, where F.dropout returns its input (a forward
    that calls the op with ``training=True`` regardless exports as the eval model)."""
    return e.op("Identity", [e.x(0)])


def _normalize(e):
    p, dim, eps = e.kw.get("p", e.arg(1, 2.0)), e.kw.get("dim", e.arg(2, 1)), \
        e.kw.get("eps", e.arg(3, 1e-12))
    if p != 2:
        raise e.refuse(f"p={p} (p=2 exports)")
    x = e.x(0)
    axes = e.ints([int(dim)], "axes")
    if e.g.opset >= 18:
        norm = e.op1("ReduceL2", [x, axes], keepdims=1)
    else:
        norm = e.op1("ReduceL2", [x], axes=[int(dim)], keepdims=1)
    return e.op("Div", [x, e.op1("Max", [norm, _scalar(e, eps)])])


def _spatial(e, pair, nd):
    """A per-axis setting of a 2-D kernel op, for ``nd`` spatial axes (1-D ops run as 2-D of
    height 1: their setting is the last entry)."""
    return [int(v) for v in pair][-nd:]


def _compare(op_type, negate=False):
    """A comparison (recorded by ``Tensor.__gt__`` & co.): operands in NumPy's common type."""
    def convert(e):
        a, b = e.arg(0), e.arg(1)
        common = np.result_type(a, b) if isinstance(e.args[1], Tensor) else np.asarray(a).dtype
        y = e.op1(op_type, [e.x(0, common), e.x(1, common)])
        return [e.op1("Not", [y])] if negate else [y]
    return convert


def _bitwise(logical, bitwise):
    """``&``, ``|``, ``^``, ``~`` and ``logical_not``: the logical ONNX op on bools, the
    bitwise one (opset 18) on integers."""
    def convert(e):
        ins = [e.x(i, e.out.dtype) for i in range(len(e.args))]
        if e.out.dtype == np.bool_:
            return e.op(logical, ins)
        if e.g.opset < 18:
            raise e.refuse(f"{bitwise} on integers needs opset >= 18, got {e.g.opset}")
        return e.op(bitwise, ins)
    return convert


def _resample(e):
    """``F.interpolate``'s linear resampling along one axis, ``y = W x`` there: an Einsum
    with the (constant) interpolation matrix."""
    x, axis = e.arg(0), int(e.kw.get("axis", e.arg(2)))
    letters = "abcdefgh"[:x.ndim]
    out = letters[:axis] + "z" + letters[axis + 1:]
    return e.op("Einsum", [e.x(1), e.x(0)], equation=f"z{letters[axis]},{letters}->{out}")


def _arg_extremum(op_type):
    def convert(e):
        return e.op(op_type, [e.x(0, e.arg(0).dtype)], axis=int(e.kw["axis"]),
                    keepdims=int(bool(e.kw["keepdims"])))
    return convert


def _conv(e):
    """``F.conv1d/2d`` (symmetric padding: ``same`` arrives already resolved)."""
    x, w = e.arg(0), e.arg(1)
    nd = x.ndim - 2
    if nd not in (1, 2, 3):
        raise e.refuse(f"a {nd}-D convolution")
    pads = _spatial(e, e.kw["padding"], nd)
    ins = [e.x(0), e.x(1)] + ([e.x(2)] if len(e.args) > 2 and e.args[2] is not None else [])
    return e.op("Conv", ins, kernel_shape=list(w.shape[2:]),
                strides=_spatial(e, e.kw["stride"], nd), pads=pads * 2,
                dilations=_spatial(e, e.kw["dilation"], nd), group=int(e.kw["groups"]))


def _pool(kind):
    def convert(e):
        x = e.arg(0)
        nd = x.ndim - 2 if e.call.name.endswith("_nd") else 2   # pool_nd: 3-D (N, C, D, H, W)
        if x.ndim != nd + 2:
            raise e.refuse(f"pooling a {x.ndim}-D input (4-D exports)")
        if e.kw.get("divisor_override"):
            raise e.refuse("divisor_override: ONNX's AveragePool divides by the window")
        k, s, p = (_spatial(e, e.kw[n], nd) for n in ("kernel", "stride", "padding"))
        ceil = int(bool(e.kw.get("ceil_mode", False)))
        if kind == "max":
            return e.op("MaxPool", [e.x(0)], kernel_shape=k, strides=s, pads=p * 2,
                        dilations=_spatial(e, e.kw["dilation"], nd), ceil_mode=ceil)
        return e.op("AveragePool", [e.x(0)], kernel_shape=k, strides=s, pads=p * 2,
                    ceil_mode=ceil, count_include_pad=int(bool(e.kw["count_include_pad"])))
    return convert


def _adaptive(kind):
    """Adaptive pooling: the global pool for output 1, a plain pool when the input size is a
    whole multiple of the output size (torch's windows then); ONNX has no other."""
    def convert(e):
        x, out = e.arg(0), e.out
        if all(o == 1 for o in out.shape[2:]):
            return e.op("GlobalAveragePool" if kind == "avg" else "GlobalMaxPool", [e.x(0)])
        if any(i % o for i, o in zip(x.shape[2:], out.shape[2:])):
            raise e.refuse(f"ONNX has no adaptive pooling, and input size {x.shape[2:]} is not "
                           f"a multiple of the output size {out.shape[2:]}")
        twin = e.call.twin
        if twin is not None and twin.args[0].shape[2:] != x.shape[2:]:
            raise e.refuse("its kernel is fixed by the input's spatial size, which a dynamic "
                           "axis changes; leave the spatial axes static")
        k = [i // o for i, o in zip(x.shape[2:], out.shape[2:])]
        return e.op("AveragePool" if kind == "avg" else "MaxPool", [e.x(0)], kernel_shape=k,
                    strides=k)
    return convert


def _topk(e):
    """``topk``/``sort`` (recorded whole by the Tensor methods): ONNX ``TopK``, which puts
    the lower index first among equal values, as the stable sort here does."""
    x = e.arg(0)
    dim = int(e.kw["dim"]) % max(x.ndim, 1)
    if "k" in e.kw:
        k = e.ints([int(e.kw["k"])], "k")
    else:       # sort: k is the axis's length, read from the graph (the axis may be dynamic)
        k = e.op1("Slice", [e.op1("Shape", [e.x(0, x.dtype)]), e.ints([dim], "starts"),
                            e.ints([dim + 1], "ends")])
    return e.op("TopK", [e.x(0, x.dtype), k], n_out=2, axis=dim,
                largest=int(bool(e.kw["largest"])), sorted=1)


def _scatter(reduction):
    """``scatter``/``scatter_add`` (``torch.scatter``): ONNX ``ScatterElements`` with the
    source cut to the index's shape (torch reads only that corner of it)."""
    def convert(e):
        x, index = e.arg(0), e.arg(2)
        if reduction and e.g.opset < 16:
            raise e.refuse("ScatterElements' reduction needs opset_version >= 16")
        twin = e.call.twin
        if twin is not None and np.shape(twin.args[2]._data if isinstance(
                twin.args[2], Tensor) else twin.args[2]) != index.shape:
            raise e.refuse("its index follows a dynamic axis; leave that axis static")
        if isinstance(e.args[3], Tensor):
            src = e.x(3, x.dtype)
            if e.arg(3).shape != index.shape:
                src = e.op1("Slice", [src, e.ints([0] * index.ndim, "starts"),
                                      e.ints(index.shape, "ends")])
        else:
            src = e.g.const(f"{e.hint}.src", np.full(index.shape, e.args[3], x.dtype))
        attrs = {"reduction": reduction} if reduction else {}
        return e.op("ScatterElements", [e.x(0, x.dtype), e.x(2, np.int64), src],
                    axis=int(e.arg(1)) % x.ndim, **attrs)
    return convert


#: op name (the recorded function's name) -> converter
PRIMITIVES = {
    "add": _binary("Add"), "sub": _binary("Sub"), "mul": _binary("Mul"), "div": _binary("Div"),
    "power": _binary("Pow"), "maximum": _binary("Max"), "minimum": _binary("Min"),
    "fmax": _binary("Max"), "fmin": _binary("Min"),
    "matmul": _matmul, "linear": _linear, "einsum": _einsum,
    "neg": _unary("Neg"), "abs": _unary("Abs"), "exp": _unary("Exp"), "log": _unary("Log"),
    "sqrt": _unary("Sqrt"), "reciprocal": _unary("Reciprocal"), "erf": _unary("Erf"),
    "sin": _unary("Sin"), "cos": _unary("Cos"), "tan": _unary("Tan"),
    "asin": _unary("Asin"), "acos": _unary("Acos"), "atan": _unary("Atan"),
    "sinh": _unary("Sinh"), "cosh": _unary("Cosh"), "tanh": _unary("Tanh"),
    "asinh": _unary("Asinh"), "acosh": _unary("Acosh"), "atanh": _unary("Atanh"),
    "sigmoid": _unary("Sigmoid"), "relu": _unary("Relu"), "softsign": _unary("Softsign"),
    "selu": _unary("Selu"), "hardswish": _unary("HardSwish"),
    "hardsigmoid": _unary("HardSigmoid", alpha=lambda e: 1 / 6),
    "elu": _unary("Elu", alpha=lambda e: float(e.kw.get("alpha", e.arg(1, 1.0)))),
    "celu": _unary("Celu", alpha=lambda e: float(e.kw.get("alpha", e.arg(1, 1.0)))),
    "leaky_relu": _unary("LeakyRelu", alpha=lambda e: float(e.kw.get("negative_slope",
                                                                     e.arg(1, 0.01)))),
    "gelu": _gelu, "silu": _silu, "softplus": _softplus, "log1p": _log1p, "expm1": _expm1,
    "logsigmoid": _logsigmoid, "mish": _mish, "clip": _clip, "hardtanh": _hardtanh,
    "softmax": _softmax("Softmax"), "log_softmax": _softmax("LogSoftmax"),
    "sum": _reduce("ReduceSum"), "mean": _reduce("ReduceMean"), "max": _reduce("ReduceMax"),
    "min": _reduce("ReduceMin"), "prod": _reduce("ReduceProd"),
    "var": _var, "logsumexp": _reduce("ReduceLogSumExp"), "cumsum": _cumsum,
    "normalize": _normalize,
    "reshape": _reshape, "broadcast_to": _broadcast_to, "transpose": _transpose,
    "getitem": _getitem, "concatenate": _concat, "stack": _stack, "where": _where,
    "gather": _gather, "index_select": _index_select, "flip": _flip,
    "tril": _trilu(False), "triu": _trilu(True), "tile": _tile, "pad": _pad,
    "astype": _astype, "clone": _identity, "dropout": _dropout,
    "greater": _compare("Greater"), "less": _compare("Less"), "equal": _compare("Equal"),
    "greater_equal": _compare("GreaterOrEqual"), "less_equal": _compare("LessOrEqual"),
    "not_equal": _compare("Equal", negate=True),
    "bitwise_and": _bitwise("And", "BitwiseAnd"), "bitwise_or": _bitwise("Or", "BitwiseOr"),
    "bitwise_xor": _bitwise("Xor", "BitwiseXor"), "bitwise_not": _bitwise("Not", "BitwiseNot"),
    "logical_not": _bitwise("Not", "BitwiseNot"), "resample_axis": _resample,
    "argmax": _arg_extremum("ArgMax"), "argmin": _arg_extremum("ArgMin"),
    "conv": _conv, "max_pool": _pool("max"), "avg_pool": _pool("avg"),
    "conv_nd": _conv, "max_pool_nd": _pool("max"), "avg_pool_nd": _pool("avg"),
    "topk_indices": _topk, "sort_indices": _topk, "argsort": lambda e: _topk(e)[1:],
    "scatter": _scatter(None), "scatter_add": _scatter("add"),
    "adaptive_avg": _adaptive("avg"), "adaptive_max": _adaptive("max"),
    "layer_norm": _layer_norm, "batch_norm_eval": _batch_norm_eval, "embedding": _embedding,
}

#: ops whose non-tensor arguments may follow a dynamic axis (their converters read the
#: checking trace's arguments too)
FLEXIBLE = {"reshape", "broadcast_to"}
