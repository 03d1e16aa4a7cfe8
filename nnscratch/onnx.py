"""Export any model to ONNX: ``ns.onnx.export(model, args, "model.onnx")``, as torch's.

How the graph is built: by tracing the forward pass (:mod:`nnscratch.onnx_trace`).
``export`` runs ``model(*args)`` once in eval mode, without gradients, while every op call
records itself; the recorded calls become ONNX nodes, each op through its converter in
:data:`nnscratch.onnx_ops.PRIMITIVES`.  So a custom ``forward`` exports -- a recurrent layer
with a head, attention, residual blocks, arbitrary tensor code.  The layers of
:data:`CONVERTERS` are recorded whole instead (a forward hook) and become one ONNX operator
each (``Conv``, ``LSTM``, ``BatchNormalization``...), which runtimes execute fast where the
primitives would be dozens of nodes; their converters read the hyper-parameters and weights,
and the shapes of the values actually received and returned (adaptive pooling and nearest
upsampling need those).  A trace is checked rather than trusted: a second trace on other
random values (every dynamic axis one longer) must record the same ops, constants and
arguments, or the export is refused naming the op (a value computed outside the recorded
ops, Python control flow on the input, a size a converter cannot take from the graph).

Conventions ONNX and PyTorch (hence nnscratch) do not share, and how they are bridged:

* recurrent layers: ONNX runs time-major ``(T, N, F)`` and returns ``Y`` ``(T, D, N, H)``, so
  batch-first inputs are transposed and every layer's ``Y`` is reshaped to ``(T, N, D·H)``;
  stacked layers become one ONNX node each.  Gate blocks are reordered: LSTM rows
  i, f, g, o (torch) -> i, o, f, c (ONNX); GRU rows r, z, n -> z, r, h.  Our default GRU
  (``reset_after=True``, torch's) applies the reset gate after the hidden projection, which is
  ONNX's ``linear_before_reset=1``; ``reset_after=False`` (Cho et al.) is ``0``.
* ``Linear`` on a 2-D input is ``Gemm`` (transB = 1); on more axes ``MatMul`` + ``Add``.
* ``Flatten(start_dim)`` is a ``Reshape`` to ``[0, …, 0, -1]`` (kept axes copied), so a dynamic
  batch axis stays dynamic.
* ``Softplus(beta, threshold)`` is ``Where(βx > threshold, x, Softplus(βx) / β)``.
* ``GroupNorm`` is ``InstanceNormalization`` over the grouped reshape, then the per-channel
  affine map (ONNX's own ``GroupNormalization`` changed meaning between opsets 18 and 21).
* Dropout layers are ``Identity`` (export is in eval mode), as are ``BatchNorm``'s batch
  statistics: the running statistics are exported, as torch does.

Every exported model passes ``onnx.checker.check_model(full_check=True)``; the tests run it in
onnxruntime and compare with our outputs.  Needs the ``[onnx]`` extra (``onnx``); the package
is imported only when ``export`` is called.
"""
from __future__ import annotations

import numbers
import os
from typing import BinaryIO

import numpy as np

from .autograd import no_grad
from .nn import (
    activation,
    container,
    conv,
    dropout,
    embedding,
    linear,
    normalization,
    pooling,
    recurrent,
)
from .nn.module import Module
from .onnx_ops import FLEXIBLE, PRIMITIVES, Emit
from .onnx_trace import _tensors_in, check, trace
from .ops.pool import _pool_args
from .serialization import atomic_write
from .tensor import Tensor, tensor

__all__ = ["export", "CONVERTERS", "DEFAULT_OPSET", "MIN_OPSET"]

DEFAULT_OPSET = 17
MIN_OPSET = 14          # GRU/LSTM with today's attributes, Reshape's allowzero, Softmax per axis


def _require_onnx():
    try:
        import onnx
    except ImportError:
        raise ImportError("nnscratch.onnx.export needs the onnx package: "
                          "pip install 'nnscratch[onnx]'") from None
    return onnx


class _Graph:
    """The nodes and initializers of the model under construction, with unique names."""

    def __init__(self, onnx, opset: int):
        self.onnx, self.helper, self.opset = onnx, onnx.helper, opset
        self.nodes: list = []
        self.initializers: list = []
        self._used: set[str] = set()

    def name(self, hint: str) -> str:
        base, i = hint or "v", 0
        out = base
        while out in self._used:
            i += 1
            out = f"{base}_{i}"
        self._used.add(out)
        return out

    def const(self, hint: str, array) -> str:
        """An initializer holding ``array`` (a parameter, or a shape/scale constant)."""
        name = self.name(hint)
        self.initializers.append(self.onnx.numpy_helper.from_array(np.asarray(array), name))
        return name

    def op(self, op_type: str, inputs: list, hint: str, n_out: int = 1, **attrs) -> list:
        """Append one node; returns its output names."""
        outs = [self.name(f"{hint}/{op_type}" + (f":{i}" if n_out > 1 else ""))
                for i in range(n_out)]
        self.nodes.append(self.helper.make_node(op_type, inputs, outs,
                                                name=self.name(f"{hint}/{op_type}#node"),
                                                **attrs))
        return outs

    def op1(self, op_type: str, inputs: list, hint: str, **attrs) -> str:
        return self.op(op_type, inputs, hint, **attrs)[0]


def _param(m, name):
    p = getattr(m, name)
    return None if p is None else np.asarray(p.numpy() if isinstance(p, Tensor) else p)


def _unsupported(m, path, why):
    return ValueError(f"nnscratch.onnx.export: cannot export {type(m).__name__} at "
                      f"{path or '<model>'!r}: {why}")


# --------------------------------------------------------------------------- converters
# Each converter is ``convert(g, module, path, x, x_value, y_value) -> [output names]``:
# ``x`` the ONNX name of the input, ``x_value``/``y_value`` what the module received and
# returned on the example input.

def _linear(g, m, path, x, xv, yv):
    W, b = _param(m, "weight"), _param(m, "bias")
    if xv.ndim == 2:
        ins = [x, g.const(f"{path}.weight", W)] + ([g.const(f"{path}.bias", b)]
                                                   if b is not None else [])
        return g.op("Gemm", ins, path, transB=1)
    y = g.op1("MatMul", [x, g.const(f"{path}.weight.T", np.ascontiguousarray(W.T))], path)
    return [g.op1("Add", [y, g.const(f"{path}.bias", b)], path)] if b is not None else [y]


def _identity(g, m, path, x, xv, yv):
    return g.op("Identity", [x], path)


_PAD_MODES = {"reflect": ("reflect", 2), "replicate": ("edge", 2), "circular": ("wrap", 19)}


def _conv(g, m, path, x, xv, yv):
    nd = m._nd
    if m.padding == "same":        # torch: half on each side, the odd one at the end
        totals = [d * (k - 1) for d, k in zip(m.dilation, m.kernel_size)]
        begins, ends = [t // 2 for t in totals], [t - t // 2 for t in totals]
    elif m.padding == "valid":
        begins = ends = [0] * nd
    else:
        begins = ends = list(m.padding)
    if m.padding_mode != "zeros" and any(begins + ends):
        mode, since = _PAD_MODES[m.padding_mode]
        if g.opset < since:
            raise _unsupported(m, path, f"padding_mode={m.padding_mode!r} needs opset >= "
                                        f"{since}, got {g.opset}")
        pads = g.const(f"{path}.pads", np.array([0, 0] + begins + [0, 0] + ends, np.int64))
        x = g.op1("Pad", [x, pads], path, mode=mode)
        begins = ends = [0] * nd
    ins = [x, g.const(f"{path}.weight", _param(m, "weight"))]
    if m.bias is not None:
        ins.append(g.const(f"{path}.bias", _param(m, "bias")))
    return g.op("Conv", ins, path, kernel_shape=list(m.kernel_size), strides=list(m.stride),
                dilations=list(m.dilation), pads=begins + ends, group=m.groups)


def _conv_transpose(g, m, path, x, xv, yv):
    ins = [x, g.const(f"{path}.weight", _param(m, "weight"))]
    if m.bias is not None:
        ins.append(g.const(f"{path}.bias", _param(m, "bias")))
    return g.op("ConvTranspose", ins, path, kernel_shape=list(m.kernel_size),
                strides=list(m.stride), dilations=list(m.dilation),
                pads=list(m.padding) * 2, output_padding=list(m.output_padding), group=1)


def _pool(g, m, path, x, xv, yv):
    if getattr(m, "return_indices", False):
        raise _unsupported(m, path, "return_indices=True (indices in ONNX's MaxPool are "
                                    "flattened differently from torch's); export without them")
    k, s, p, d = _pool_args(xv, m.kernel_size, m.stride, m.padding, m.dilation, m.nd,
                            type(m).__name__)
    k, s, p, d = (list(v[2 - m.nd:]) for v in (k, s, p, d))    # 1-D pools are 2-D of height 1
    if m.kind == "max":
        return g.op("MaxPool", [x], path, kernel_shape=k, strides=s, pads=p * 2, dilations=d,
                    ceil_mode=int(m.ceil_mode))
    return g.op("AveragePool", [x], path, kernel_shape=k, strides=s, pads=p * 2,
                ceil_mode=int(m.ceil_mode), count_include_pad=int(m.count_include_pad))


def _adaptive_pool(g, m, path, x, xv, yv):
    """ONNX has no adaptive pooling: output 1 is the global pool, and an input size that is a
    whole multiple of the output size is a plain pool with kernel = stride = in / out (the
    windows torch uses then); other sizes are refused."""
    spatial_in, spatial_out = xv.shape[2:], yv.shape[2:]
    glob = "GlobalAveragePool" if m.kind == "avg" else "GlobalMaxPool"
    if all(o == 1 for o in spatial_out):
        return g.op(glob, [x], path)
    if any(i % o for i, o in zip(spatial_in, spatial_out)):
        raise _unsupported(m, path, f"ONNX has no adaptive pooling, and input size "
                                    f"{tuple(spatial_in)} is not a multiple of output_size "
                                    f"{tuple(spatial_out)}")
    k = [i // o for i, o in zip(spatial_in, spatial_out)]
    return g.op("AveragePool" if m.kind == "avg" else "MaxPool", [x], path, kernel_shape=k,
                strides=k)


def _global_avg_pool(g, m, path, x, xv, yv):
    y = g.op1("GlobalAveragePool", [x], path)
    return [y] if m.keepdim else g.op("Flatten", [y], path, axis=1)


def _batch_norm(g, m, path, x, xv, yv):
    if not m.track_running_stats:
        raise _unsupported(m, path, "track_running_stats=False normalises with the batch's "
                                    "statistics even in eval mode")
    C = m.num_features
    dt = xv.dtype
    w = _param(m, "weight")
    b = _param(m, "bias")
    ins = [x, g.const(f"{path}.weight", np.ones(C, dt) if w is None else w),
           g.const(f"{path}.bias", np.zeros(C, dt) if b is None else b),
           g.const(f"{path}.running_mean", _param(m, "running_mean")),
           g.const(f"{path}.running_var", _param(m, "running_var"))]
    return g.op("BatchNormalization", ins, path, epsilon=m.eps)


def _layer_norm(g, m, path, x, xv, yv):
    if g.opset < 17:
        raise _unsupported(m, path, f"LayerNormalization needs opset >= 17, got {g.opset}")
    w, b = _param(m, "weight"), _param(m, "bias")
    ins = [x, g.const(f"{path}.weight", np.ones(m.normalized_shape, xv.dtype) if w is None
                      else w)]
    if b is not None:
        ins.append(g.const(f"{path}.bias", b))
    return g.op("LayerNormalization", ins, path, axis=-len(m.normalized_shape), epsilon=m.eps)


def _group_norm(g, m, path, x, xv, yv):
    G, C, dt = m.num_groups, m.num_channels, xv.dtype
    grouped = g.op1("Reshape", [x, g.const(f"{path}.grouped", np.array([0, G, -1], np.int64))],
                    path)
    normed = g.op1("InstanceNormalization", [grouped, g.const(f"{path}.ones", np.ones(G, dt)),
                                             g.const(f"{path}.zeros", np.zeros(G, dt))],
                   path, epsilon=m.eps)
    y = g.op1("Reshape", [normed, g.op1("Shape", [x], path)], path)
    if not m.affine:
        return [y]
    per_channel = (C,) + (1,) * (xv.ndim - 2)
    y = g.op1("Mul", [y, g.const(f"{path}.weight", _param(m, "weight").reshape(per_channel))],
              path)
    return g.op("Add", [y, g.const(f"{path}.bias", _param(m, "bias").reshape(per_channel))], path)


def _flatten(g, m, path, x, xv, yv):
    start = m.start_dim % xv.ndim
    return g.op("Reshape", [x, g.const(f"{path}.shape", np.array([0] * start + [-1], np.int64))],
                path)


def _embedding(g, m, path, x, xv, yv):
    return g.op("Gather", [g.const(f"{path}.weight", _param(m, "weight")), x], path, axis=0)


def _simple(op_type, **attrs_of):
    """A converter to one ONNX node whose attributes are read off the module."""
    def convert(g, m, path, x, xv, yv):
        return g.op(op_type, [x], path, **{k: f(m) for k, f in attrs_of.items()})
    return convert


def _silu(g, m, path, x, xv, yv):
    return g.op("Mul", [x, g.op1("Sigmoid", [x], path)], path)


def _softplus(g, m, path, x, xv, yv):
    dt = xv.dtype
    beta = g.const(f"{path}.beta", np.array(m.beta, dt))
    bx = g.op1("Mul", [x, beta], path)
    soft = g.op1("Div", [g.op1("Softplus", [bx], path), beta], path)
    linear_part = g.op1("Greater", [bx, g.const(f"{path}.threshold", np.array(m.threshold, dt))],
                        path)
    return g.op("Where", [linear_part, x, soft], path)


def _upsample(g, m, path, x, xv, yv):
    scales = np.array([yo / xi for xi, yo in zip(xv.shape, yv.shape)], np.float32)
    return g.op("Resize", [x, "", g.const(f"{path}.scales", scales)], path, mode="nearest",
                coordinate_transformation_mode="asymmetric", nearest_mode="floor")


# ONNX's gate blocks, as indices into torch's (see the module docstring)
_GATE_ORDER = {"RNN": [0], "LSTM": [0, 3, 1, 2], "GRU": [1, 0, 2]}


def _recurrent(g, m, path, x, xv, yv, states=()):
    """One ONNX RNN/LSTM/GRU node per layer (both directions in it); see the module notes.
    ``states``: the ONNX names of the initial ``h0`` (and ``c0``), ``(layers·D, N, H)``: each
    layer reads its ``D`` rows as ``initial_h`` (``initial_c``)."""
    if xv.ndim != 3:
        raise _unsupported(m, path, f"export it on a batched 3-D example input, got shape "
                                    f"{xv.shape}")
    if m.state_size != m.hidden_size:
        raise _unsupported(m, path, "ONNX's LSTM has no projection (proj_size)")
    H, D, order = m.hidden_size, m.num_directions, _GATE_ORDER[m.mode]

    def onnx_rows(a):
        blocks = a.reshape((len(order), H) + a.shape[1:])
        return blocks[order].reshape(a.shape)

    attrs = {"hidden_size": H, "direction": "bidirectional" if D == 2 else "forward"}
    if m.mode == "RNN":
        attrs["activations"] = [m.nonlinearity.capitalize()] * D
    if m.mode == "GRU":
        attrs["linear_before_reset"] = int(m.reset_after)
    seq = g.op1("Transpose", [x], path, perm=[1, 0, 2]) if m.batch_first else x
    finals = [[] for _ in range(2 if m.mode == "LSTM" else 1)]
    for k in range(m.num_layers):
        weights = [m._weights(k, d) for d in range(D)]
        W = np.stack([onnx_rows(_param_array(w[0])) for w in weights])
        R = np.stack([onnx_rows(_param_array(w[1])) for w in weights])
        ins = [seq, g.const(f"{path}.W_l{k}", W), g.const(f"{path}.R_l{k}", R)]
        if m.bias:
            ins.append(g.const(f"{path}.B_l{k}", np.stack(
                [np.concatenate([onnx_rows(_param_array(w[2])), onnx_rows(_param_array(w[3]))])
                 for w in weights])))
        if states:
            rows = [g.const(f"{path}.rows_l{k}", np.array([v], np.int64))
                    for v in (k * D, (k + 1) * D, 0)]
            ins += [""] * (5 - len(ins)) + [g.op1("Slice", [s] + rows, f"{path}.l{k}")
                                             for s in states]
        outs = g.op(m.mode, ins, f"{path}.l{k}", n_out=1 + len(finals), **attrs)
        for store, name in zip(finals, outs[1:]):
            store.append(name)
        # Y (T, D, N, H) -> (T, N, D, H) -> (T, N, D·H): the next layer's input
        y = g.op1("Transpose", [outs[0]], f"{path}.l{k}", perm=[0, 2, 1, 3])
        seq = g.op1("Reshape", [y, g.const(f"{path}.l{k}.shape", np.array([0, 0, -1], np.int64))],
                    f"{path}.l{k}")
    out = g.op1("Transpose", [seq], path, perm=[1, 0, 2]) if m.batch_first else seq
    states = [g.op1("Concat", names, path, axis=0) if len(names) > 1 else names[0]
              for names in finals]
    return [out] + states


def _param_array(p):
    return np.asarray(p.numpy() if isinstance(p, Tensor) else p)


#: the modules ``export`` translates (by exact type: a subclass may change ``forward``)
CONVERTERS = {
    linear.Linear: _linear, linear.Identity: _identity,
    conv.Conv1d: _conv, conv.Conv2d: _conv,
    conv.ConvTranspose1d: _conv_transpose, conv.ConvTranspose2d: _conv_transpose,
    pooling.MaxPool1d: _pool, pooling.MaxPool2d: _pool,
    pooling.AvgPool1d: _pool, pooling.AvgPool2d: _pool,
    pooling.AdaptiveAvgPool1d: _adaptive_pool, pooling.AdaptiveAvgPool2d: _adaptive_pool,
    pooling.AdaptiveMaxPool1d: _adaptive_pool, pooling.AdaptiveMaxPool2d: _adaptive_pool,
    pooling.GlobalAvgPool2d: _global_avg_pool,
    normalization.BatchNorm1d: _batch_norm, normalization.BatchNorm2d: _batch_norm,
    normalization.LayerNorm: _layer_norm, normalization.GroupNorm: _group_norm,
    dropout.Dropout: _identity, dropout.Dropout1d: _identity, dropout.Dropout2d: _identity,
    container.Flatten: _flatten, container.Upsample: _upsample,
    embedding.Embedding: _embedding,
    activation.ReLU: _simple("Relu"), activation.Sigmoid: _simple("Sigmoid"),
    activation.Tanh: _simple("Tanh"),
    activation.LeakyReLU: _simple("LeakyRelu", alpha=lambda m: m.negative_slope),
    activation.ELU: _simple("Elu", alpha=lambda m: m.alpha),
    activation.Softmax: _simple("Softmax", axis=lambda m: m.axis),
    activation.LogSoftmax: _simple("LogSoftmax", axis=lambda m: m.axis),
    activation.SiLU: _silu, activation.Softplus: _softplus,
    recurrent.RNN: _recurrent, recurrent.LSTM: _recurrent, recurrent.GRU: _recurrent,
}


def _translate(g, tr, in_names, paths, param_names):
    """Append the nodes of trace ``tr``; returns ``{id(tensor): ONNX name}`` of its values.

    A call recorded whole (a module of :data:`CONVERTERS`) goes to its module converter;
    every other call to its op's converter in :data:`nnscratch.onnx_ops.PRIMITIVES`;
    folded calls (constants only) emit nothing."""
    names = {id(t): n for t, n in zip(tr.inputs, in_names)}
    consts: dict[int, str] = {}

    def name_of(t, where):
        if tr.role(t, where)[0] == "value":
            return names[id(t)]
        if id(t) not in consts:
            consts[id(t)] = g.const(param_names.get(id(t), "const"), np.asarray(t._data))
        return consts[id(t)]

    for step, call in enumerate(tr.calls):
        if call.constant:
            continue
        if isinstance(call.op, Module):
            path = paths[call.op]
            args = list(call.args) + [v for v in call.kwargs.values()]
            args = [a for a in args if a is not None]
            convert = CONVERTERS[type(call.op)]
            state = args[1] if len(args) == 2 and convert is _recurrent else None
            states = list(_tensors_in([state]))
            if not isinstance(args[0], Tensor) or len(args) != 1 + (state is not None) or \
                    len(states) != (2 if getattr(call.op, "mode", "") == "LSTM" else 1) * \
                    (state is not None):
                raise _unsupported(call.op, path, f"it is called with {len(args)} arguments; "
                                   f"export it on one input tensor (a recurrent layer: and "
                                   f"its initial state)")
            twin = call.twin
            if CONVERTERS[type(call.op)] in (_adaptive_pool, _upsample) and twin is not None \
                    and twin.args[0].shape[2:] != args[0].shape[2:]:
                raise _unsupported(call.op, path, "its kernel or scales are fixed by the "
                                   "input's spatial size, which a dynamic axis changes; leave "
                                   "the spatial axes static")
            extra = {"states": [name_of(t, call.name) for t in states]} if states else {}
            outs = convert(g, call.op, path, name_of(args[0], call.name),
                           np.asarray(args[0]._data), np.asarray(call.outs[0]._data), **extra)
        else:
            convert = PRIMITIVES.get(call.name)
            if convert is None:
                raise ValueError(f"nnscratch.onnx.export: no ONNX converter for the op "
                                 f"{call.name!r} (step {step} of the forward pass); the ops "
                                 f"that export are nnscratch.onnx_ops.PRIMITIVES and the "
                                 f"modules of nnscratch.onnx.CONVERTERS")
            outs = convert(Emit(g, call, lambda t, w=call.name: name_of(t, w),
                                lambda t, w=call.name: tr.role(t, w)[0] == "value",
                                f"{step}.{call.name}"))
        if len(outs) != len(call.outs):
            raise ValueError(f"nnscratch.onnx.export: {call.name} gave {len(call.outs)} "
                             f"outputs, its converter {len(outs)}")
        for t, n in zip(call.outs, outs):
            names[id(t)] = n
    return names, name_of


def _output_tensors(output) -> list:
    """The Tensors a forward returned (a Tensor, or tuples/lists of them), as torch's exporter
    takes them; anything else (a NumPy array, a number, a dict) is not a graph output."""
    outs = list(_tensors_in([output], strict=True))
    if not outs:
        raise ValueError("nnscratch.onnx.export: the model's forward returned no Tensor")
    return outs


def _check_names(names, default, count, what):
    if names is None:
        return [default] if count == 1 else [f"{default}_{i}" for i in range(count)]
    if isinstance(names, str) or not isinstance(names, (list, tuple)):   # "x" is no list
        raise TypeError(f"nnscratch.onnx.export: {what} must be a list of strings, got "
                        f"{type(names).__name__} {names!r}")
    names = list(names)
    if not all(isinstance(n, str) and n for n in names) or len(set(names)) != len(names):
        raise ValueError(f"nnscratch.onnx.export: {what} must be distinct non-empty strings, "
                         f"got {names!r}")
    if len(names) != count:
        raise ValueError(f"nnscratch.onnx.export: {what} has {len(names)} names, the model has "
                         f"{count} {what.split('_')[0]}(s)")
    return names


def _dims(name, shape, dynamic_axes):
    """The shape of graph value ``name``, with its dynamic axes as named dimensions."""
    dims = list(shape)
    spec = dynamic_axes.get(name, {})
    if isinstance(spec, (list, tuple)):
        spec = {a: f"{name}_dynamic_axes_{i + 1}" for i, a in enumerate(spec)}
    for axis, label in spec.items():
        if isinstance(axis, bool) or not isinstance(axis, numbers.Integral) or \
                not -len(dims) <= axis < len(dims):
            raise ValueError(f"nnscratch.onnx.export: dynamic_axes[{name!r}] names axis "
                             f"{axis!r}, but {name!r} has {len(dims)} axes")
        dims[axis] = str(label)
    return dims


def _check_example(model: Module, xv: Tensor, dynamic_axes) -> None:
    """An example a graph can be built from: no empty axis (the graph would be fixed at 0),
    a float dtype that is the model's, and ``dynamic_axes`` of torch's two forms."""
    if 0 in xv.shape:
        raise ValueError(f"nnscratch.onnx.export: example_input has an empty axis (shape "
                         f"{tuple(xv.shape)}): the graph's shapes would be fixed at 0; give at "
                         f"least one sample (dynamic_axes keeps the batch size free)")
    floats = {p._data.dtype for p in model.parameters() if p._data.dtype.kind == "f"}
    if xv._data.dtype.kind == "f" and floats and xv._data.dtype not in floats:
        raise TypeError(f"nnscratch.onnx.export: example_input is {xv._data.dtype} but the "
                        f"model's "
                        f"parameters are {sorted(map(str, floats))}; convert one to the other "
                        f"(x.to(dtype) or model.to(dtype))")
    if dynamic_axes is None:
        return
    if not isinstance(dynamic_axes, dict):
        raise TypeError(f"nnscratch.onnx.export: dynamic_axes must be a dict, got "
                        f"{type(dynamic_axes).__name__}")
    for name, axes in dynamic_axes.items():
        if not isinstance(axes, (dict, list, tuple)):
            raise TypeError(f"nnscratch.onnx.export: dynamic_axes[{name!r}] must be "
                            f"{{axis: label}} or a list of axes, got {type(axes).__name__} "
                            f"{axes!r} (e.g. {{{name!r}: {{0: 'batch'}}}})")
        for axis in axes:
            if isinstance(axis, bool) or not isinstance(axis, numbers.Integral):
                raise TypeError(f"nnscratch.onnx.export: dynamic_axes[{name!r}] axes must be "
                                f"ints, got {type(axis).__name__} {axis!r}")
        labels = axes.values() if isinstance(axes, dict) else ()
        if not all(isinstance(label, str) and label for label in labels):
            raise TypeError(f"nnscratch.onnx.export: dynamic_axes[{name!r}] labels must be "
                            f"non-empty strings, got {list(labels)!r}")


def _value_is(expected):
    return lambda v: isinstance(v, bool) and v is expected


def _another(x: Tensor, axes) -> Tensor:
    """An input for the checking trace: other random values of ``x``'s dtype and range, every
    dynamic axis one longer."""
    rng = np.random.default_rng(12345)
    a = np.asarray(x._data)
    shape = list(a.shape)
    for axis in axes:
        shape[axis] += 1
    if a.dtype.kind == "f":
        b = rng.standard_normal(shape).astype(a.dtype)
    elif a.dtype.kind == "b":
        b = rng.random(shape) < 0.5
    else:
        b = rng.integers(a.min(), int(a.max()) + 1, shape).astype(a.dtype)
    return tensor(b, dtype=b.dtype)


def _axes_of(name, ndim, dynamic_axes):
    spec = dynamic_axes.get(name, {})
    bad = [a for a in spec if not -ndim <= a < ndim]
    if bad:     # (checked before the checking trace lengthens them)
        raise ValueError(f"nnscratch.onnx.export: dynamic_axes[{name!r}] names axis {bad[0]}, "
                         f"but {name!r} has {ndim} axes")
    return sorted({int(a) % ndim for a in spec})


def export(model: Module, args=(), f: str | os.PathLike | BinaryIO | None = None, *, kwargs=None,
           verbose=None, input_names=None, output_names=None, opset_version: int | None = None,
           dynamo: bool = True, export_params: bool = True,
           keep_initializers_as_inputs: bool = False, dynamic_axes=None,
           do_constant_folding: bool = True, training=None):
    """Write ``model`` as an ONNX file at ``f`` (atomically) and return the ``ModelProto``;
    without ``f``, return an :class:`ONNXProgram` to ``save`` later (torch's dynamo export).

    The arguments are torch.onnx.export's (``torch.onnx.export(model, args, f, ...)``).  The
    model's forward is traced (:mod:`nnscratch.onnx_trace`) in eval mode (restored
    afterwards): whatever it computes -- a custom ``forward``, a recurrent layer with a head,
    attention, residual blocks -- becomes ONNX nodes, the layers of :data:`CONVERTERS` one
    node each (a ``Conv``, an ``LSTM``), every other op by its converter in
    :data:`nnscratch.onnx_ops.PRIMITIVES`.  A second trace on other random values (dynamic
    axes one longer) must record the same graph, or the export is refused (see
    :func:`nnscratch.onnx_trace.check`).  Parameters and buffers become initializers named
    after their state-dict entries.

    Args:
        model: any :class:`~nnscratch.nn.Module`.
        args: the example input: one Tensor or array, or a tuple of them (one per argument of
            ``forward``); their dtypes are the graph's input types.
        f: destination file (its directory must exist) or a binary file object such as
            ``io.BytesIO`` (None: return an ONNXProgram).
        input_names: one name per input (default ``["input"]``, or ``input_0``, ...).
        output_names: one name per output tensor (default ``["output"]``, or ``output_0``,
            ... for nested outputs such as a recurrent layer's ``output, (h_n, c_n)``).
        dynamic_axes: ``{value name: {axis: label}}`` or ``{value name: [axes]}``: axes left
            symbolic in the graph, e.g. ``{"input": {0: "batch"}, "output": {0: "batch"}}``.
        opset_version: ONNX operator set, from :data:`MIN_OPSET` to the installed onnx's
            newest (default :data:`DEFAULT_OPSET`; ``LayerNorm`` needs 17).
        verbose: print the graph (``onnx.helper.printable_graph``) when true.
        dynamo, do_constant_folding: accepted for torch's programs and without effect: there
            is one tracer here, and it always folds the ops of constants.
        export_params (``True``), keep_initializers_as_inputs (``False``), kwargs (``None``),
        training (``None`` or eval): torch's defaults, the only values taken; another is a
            NotImplementedError naming it.

    Raises:
        ValueError: an op or module without a converter (named), a trace that does not
            generalise (named), an unsupported setting, or bad names/axes.
        TypeError: ``model`` or ``args`` of the wrong type.
        ImportError: the onnx package is not installed.
    """
    onnx = _require_onnx()
    _check_settings(model, export_params, keep_initializers_as_inputs, kwargs, training)
    opset_version = _check_opset(onnx, opset_version)
    inputs = _example_inputs(model, args, dynamic_axes)
    dynamic_axes = dict(dynamic_axes or {})
    in_names = _check_names(input_names, "input", len(inputs), "input_names")
    g = _Graph(onnx, opset_version)
    g._used.update(in_names)
    paths = {m: path or "<model>" for path, m in model.named_modules()
             if type(m) in CONVERTERS}
    first = _checked_trace(model, inputs, in_names, paths, dynamic_axes)
    param_names = {id(t): n for n, t in model.state_dict(keep_vars=True).items()
                   if isinstance(t, Tensor)}
    names, name_of = _translate(g, first, in_names, paths, param_names)
    outputs = _output_tensors(first.output)
    out_names = _check_names(output_names, "output", len(outputs), "output_names")
    if set(in_names) & set(out_names):     # onnx's checker would say only "SSA form"
        raise ValueError(f"nnscratch.onnx.export: input_names and output_names share "
                         f"{sorted(set(in_names) & set(out_names))}; a graph value has one name")
    unknown = set(dynamic_axes) - {*in_names, *out_names}
    if unknown:
        raise ValueError(f"nnscratch.onnx.export: dynamic_axes names {sorted(unknown)}, which "
                         f"are not among the inputs/outputs {in_names + out_names}")
    for t, public in zip(outputs, out_names):
        g.nodes.append(onnx.helper.make_node("Identity", [name_of(t, "the output")], [public],
                                             name=g.name(f"{public}#node")))
    proto = _model_proto(onnx, g, type(model).__name__, list(zip(in_names, inputs)),
                         list(zip(out_names, outputs)), dynamic_axes)
    if verbose:
        print(onnx.helper.printable_graph(proto.graph))
    if f is None:
        return ONNXProgram(proto)
    ONNXProgram(proto).save(f)
    return proto


class ONNXProgram:
    """What ``torch.onnx.export(model, args)`` returns without a file: the exported model,
    ``model_proto``, written by ``save(destination)`` (atomically)."""

    def __init__(self, model_proto):
        self.model_proto = model_proto

    def save(self, destination) -> None:
        """Write the model to a path (atomically) or to a binary file object (``io.BytesIO``,
        an open file), as torch's exporter takes either."""
        data = self.model_proto.SerializeToString()
        if hasattr(destination, "write"):
            destination.write(data)
            return

        def write(fh) -> None:
            fh.write(data)
        atomic_write(destination, write)

    def __repr__(self):
        return f"ONNXProgram(model_proto=<{len(self.model_proto.graph.node)} nodes>)"


def _check_settings(model, export_params, keep_initializers_as_inputs, kwargs, training):
    """torch's arguments that only their defaults may take here, and the required ones."""
    if not isinstance(model, Module):
        raise TypeError(f"nnscratch.onnx.export: model must be an nnscratch Module, got "
                        f"{type(model).__name__}")
    for name, value, ok in (("export_params", export_params, _value_is(True)),
                            ("keep_initializers_as_inputs", keep_initializers_as_inputs,
                             _value_is(False)),
                            ("kwargs", kwargs, lambda v: not v),
                            ("training", training,
                             lambda v: v is None or getattr(v, "name", v) in ("EVAL", 0))):
        if not ok(value):
            raise NotImplementedError(f"nnscratch.onnx.export: {name}={value!r} is not "
                                      f"supported (the parameters are stored in the graph, "
                                      f"positional inputs only, eval mode)")


def _check_opset(onnx, opset_version) -> int:
    newest = onnx.defs.onnx_opset_version()
    opset_version = DEFAULT_OPSET if opset_version is None else opset_version
    if isinstance(opset_version, bool) or not isinstance(opset_version, numbers.Integral) or \
            not MIN_OPSET <= int(opset_version) <= newest:
        raise ValueError(f"nnscratch.onnx.export: opset_version must be an int in "
                         f"[{MIN_OPSET}, {newest}], got {opset_version!r}")
    return int(opset_version)


def _example_inputs(model, args, dynamic_axes) -> list:
    """The example inputs as Tensors (arrays keep their dtype), each checked against the
    model and the dynamic axes."""
    inputs = []
    for xv in (args if isinstance(args, (tuple, list)) else (args,)):
        if not isinstance(xv, Tensor):
            xv = np.asarray(xv)
            if xv.dtype.kind not in "fiub":
                raise TypeError(f"nnscratch.onnx.export: args must be Tensors or numeric "
                                f"arrays, got dtype {xv.dtype}")
            xv = tensor(xv, dtype=xv.dtype)
        _check_example(model, xv, dynamic_axes)
        inputs.append(xv)
    if not inputs:
        raise TypeError("nnscratch.onnx.export: args must hold at least one example input")
    return inputs


def _checked_trace(model, inputs, in_names, paths, dynamic_axes):
    """The trace of one eval-mode forward pass, checked against a second one on other random
    values (dynamic axes one longer); the modules' modes are restored afterwards."""
    modes = [(m, m.training) for m in model.modules()]
    model.eval()
    try:
        with no_grad():
            first = trace(model, inputs, paths)
            others = [_another(x, _axes_of(n, x.ndim, dynamic_axes))
                      for x, n in zip(inputs, in_names)]
            try:
                second = trace(model, others, paths)
            except (ValueError, RuntimeError, IndexError) as e:
                raise _axes_error(in_names, dynamic_axes, e) from e
            check(first, second, lambda c: c.name in FLEXIBLE)
    finally:
        for m, mode in modes:
            m.training = mode
    return first


def _axes_error(in_names, dynamic_axes, e: Exception) -> ValueError:
    """The checking trace failed where the first did not: with dynamic axes, most likely
    because the model cannot take another size on one of them (say so, naming them)."""
    axes = {n: dynamic_axes[n] for n in in_names if n in dynamic_axes}
    if not axes:
        return ValueError(f"nnscratch.onnx.export: a second forward pass on other random values "
                          f"failed ({type(e).__name__}: {e}); the model's ops depend on the "
                          f"input's values, which a trace cannot record")
    return ValueError(f"nnscratch.onnx.export: the model cannot run with another size on the "
                      f"dynamic axes {axes} (a second forward pass with each such axis one "
                      f"longer failed: {type(e).__name__}: {e})")


def _model_proto(onnx, g, graph_name, named_inputs, named_outputs, dynamic_axes):
    """The checked ``ModelProto`` of graph ``g`` with typed inputs and outputs."""
    h = onnx.helper

    def info(name, t):
        a = np.asarray(t._data)
        return h.make_tensor_value_info(name, h.np_dtype_to_tensor_dtype(a.dtype),
                                        _dims(name, a.shape, dynamic_axes))
    graph = h.make_graph(g.nodes, graph_name, [info(n, x) for n, x in named_inputs],
                         [info(n, t) for n, t in named_outputs], initializer=g.initializers)
    opsets = [h.make_opsetid("", g.opset)]
    proto = h.make_model(graph, opset_imports=opsets, producer_name="nnscratch",
                         ir_version=h.find_min_ir_version_for(opsets))
    onnx.checker.check_model(proto, full_check=True)
    return proto
