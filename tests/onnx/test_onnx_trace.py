"""ONNX export of any module (issue 33, deliver 4): ``ns.onnx.export`` traces the forward pass.

Each model of the table is exported, checked by onnx.checker (inside export), run in
onnxruntime and compared with our own forward in float32: rtol = atol = 1e-5.  With
``dynamic_axes`` the graph is also run on another batch size and must still agree.
"""
import numpy as np
import onnxruntime as ort
import pytest

import nnscratch as ns
import nnscratch.nn.functional as F
from nnscratch import nn
from nnscratch.onnx_trace import _tensors_in

TOL = 1e-5
BATCH = {0: "batch"}


def _session(path):
    return ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])


def _ours(model, xs):
    model.eval()
    with ns.no_grad():
        out = model(*[ns.tensor(x, dtype=x.dtype) for x in xs])
    return [t.numpy() for t in _tensors_in([out])]


def _agree(model, xs, path, other=None, **kw):
    """Export on ``xs``; onnxruntime must give our outputs on ``xs`` and on ``other``."""
    proto = ns.onnx.export(model, tuple(xs), path, **kw)
    sess = _session(path)
    for inputs in [xs] + ([other] if other is not None else []):
        got = sess.run(None, {i.name: x for i, x in zip(sess.get_inputs(), inputs)})
        want = _ours(model, inputs)
        assert len(got) == len(want)
        for g, w in zip(got, want):
            assert g.shape == w.shape and g.dtype == w.dtype
            np.testing.assert_allclose(g, w, rtol=TOL, atol=TOL)
    return proto


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1, self.fc2 = nn.Linear(6, 16), nn.Linear(16, 3)

    def forward(self, x):
        h = F.dropout(F.relu(self.fc1(x)), 0.5, training=self.training)
        return F.log_softmax(self.fc2(h), dim=1)


class Net(nn.Module):
    """The 60-minute blitz's network, with batch norm and dropout."""

    def __init__(self):
        super().__init__()
        self.conv1, self.conv2 = nn.Conv2d(1, 4, 3), nn.Conv2d(4, 6, 3, padding=1)
        self.bn, self.drop = nn.BatchNorm2d(4), nn.Dropout(0.25)
        self.fc1, self.fc2 = nn.Linear(6 * 3 * 3, 10), nn.Linear(10, 4)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.bn(self.conv1(x))), (2, 2))
        x = F.avg_pool2d(F.relu(F.conv2d(x, self.conv2.weight, self.conv2.bias, padding=1)), 2)
        x = self.drop(ns.flatten(x, 1))
        return self.fc2(F.relu(self.fc1(x)))


class Head(nn.Module):
    """A recurrent layer read at its last step by a Linear head: every sequence model."""

    def __init__(self, cls):
        super().__init__()
        self.rnn, self.head = cls(4, 6, num_layers=2, batch_first=True), nn.Linear(6, 3)

    def forward(self, x):
        out, _ = self.rnn(x)
        return self.head(out[:, -1, :])


class TinyLM(nn.Module):
    """A causal Transformer language model: embedding + learned positions, a causal mask."""

    def __init__(self, vocab=11, d=8, T=5):
        super().__init__()
        self.emb, self.pos = nn.Embedding(vocab, d), nn.Parameter(ns.randn(T, d) * 0.1)
        layer = nn.TransformerEncoderLayer(d, 2, 16, dropout=0.1, batch_first=True,
                                           norm_first=True, activation="gelu")
        self.encoder, self.out = nn.TransformerEncoder(layer, 2), nn.Linear(d, vocab)

    def forward(self, idx):
        T = idx.shape[1]
        mask = nn.Transformer.generate_square_subsequent_mask(T)
        h = self.encoder(self.emb(idx) + self.pos[:T], mask=mask, is_causal=True)
        return self.out(h)


class Custom(nn.Module):
    """Arbitrary tensor code: residuals, a gate, concatenation, reductions, einsum, powers."""

    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(5, 5)
        self.scale = nn.Parameter(ns.ones(5) * 0.5)
        self.register_buffer("shift", ns.arange(5, dtype=ns.float32) / 10)

    def forward(self, x, y):
        g = ns.sigmoid(self.lin(x)) * ns.tanh(y) + x
        h = ns.cat([g, (g - self.shift).exp().sqrt(), y.abs() ** 1.5], dim=1)
        attn = ns.softmax(ns.einsum("bi,bj->bij", g, y) / 2.0, dim=-1)
        z = (attn @ y.unsqueeze(-1)).squeeze(-1) * self.scale
        stats = ns.stack([h.mean(dim=1), h.max(dim=1).values, h.logsumexp(dim=1),
                          h.std(dim=1) + x.var(dim=1, unbiased=False)], dim=1)
        leaky = ns.where(stats > 1.0, stats, 0.1 * stats).masked_fill(stats < -2.0, -2.0)
        per_batch = (x.var(dim=0, keepdim=True) * x).sum(1)     # counts the dynamic axis
        return (z.transpose(0, 1).reshape(-1),
                leaky.clamp(min=-3.0, max=30.0) + per_batch[:, None],
                h.argmin(dim=1), ns.where(x != 0.5, x <= y, x >= 2 * y))


def _float(rng, *shape):
    return rng.standard_normal(shape).astype(np.float32)


CASES = {
    "MLP": (MLP, lambda r, n: [_float(r, n, 6)]),
    "CNN": (Net, lambda r, n: [_float(r, n, 1, 14, 14)]),
    "LSTM+Linear": (lambda: Head(nn.LSTM), lambda r, n: [_float(r, n, 7, 4)]),
    "GRU+Linear": (lambda: Head(nn.GRU), lambda r, n: [_float(r, n, 7, 4)]),
    "TransformerEncoderLayer": (lambda: nn.TransformerEncoderLayer(8, 2, 16, batch_first=True),
                                lambda r, n: [_float(r, n, 5, 8)]),
    "causal Transformer LM": (TinyLM, lambda r, n: [r.integers(0, 11, (n, 5))]),
    "custom forward": (Custom, lambda r, n: [_float(r, n, 5), _float(r, n, 5)]),
}


@pytest.mark.parametrize("name", list(CASES))
def test_the_forward_is_traced_and_agrees_with_onnxruntime_on_a_dynamic_batch(name, tmp_path,
                                                                                rng):
    build, inputs = CASES[name]
    model = build()
    if name == "CNN":                            # statistics other than the initial ones
        model.bn.running_mean[...] = rng.standard_normal(4)
        model.bn.running_var[...] = rng.uniform(0.5, 2, 4)
    xs, other = inputs(rng, 3), inputs(rng, 6)
    n_in, n_out = len(xs), len(_ours(model, xs))
    in_names = [f"x{i}" for i in range(n_in)]
    out_names = [f"y{i}" for i in range(n_out)]
    axes = {n: BATCH for n in in_names}
    if name != "custom forward":                 # its first output mixes the batch axis in
        axes.update({n: BATCH for n in out_names})
    proto = _agree(model, xs, tmp_path / "m.onnx", other=other, input_names=in_names,
                   output_names=out_names, dynamic_axes=axes)
    dims = proto.graph.input[0].type.tensor_type.shape.dim
    assert dims[0].dim_param == "batch"


@pytest.mark.parametrize("opset", [14, 18, 20])
def test_reductions_and_layer_norm_across_opsets(opset, tmp_path, rng):
    """Reduce* take their axes as an attribute before opset 18 and as an input from 18."""
    model = Custom() if opset < 17 else nn.Sequential(nn.LayerNorm(5), _Lambda(
        lambda h: ns.stack([h.mean(1), h.amax(1), h.var(1), h.logsumexp(1), h.prod(1)], 1)))
    _agree(model, [_float(rng, 3, 5)] * (2 if opset < 17 else 1), tmp_path / "m.onnx",
           opset_version=opset)


def test_multihead_attention_with_three_inputs_and_its_weights(tmp_path, rng):
    mha = nn.MultiheadAttention(8, 2, batch_first=True, kdim=6, vdim=4)
    q, k, v = _float(rng, 2, 3, 8), _float(rng, 2, 5, 6), _float(rng, 2, 5, 4)
    proto = _agree(mha, [q, k, v], tmp_path / "m.onnx", input_names=["q", "k", "v"],
                   output_names=["out", "weights"])
    assert [o.name for o in proto.graph.output] == ["out", "weights"]


def test_the_onnx_tutorials_call_runs_as_written(tmp_path, rng, capsys):
    """The super-resolution tutorial's call, keyword for keyword (its opset 10 aside)."""
    model, x = MLP(), _float(rng, 1, 6)
    ns.onnx.export(model, x, str(tmp_path / "m.onnx"), export_params=True, opset_version=17,
                   do_constant_folding=True, input_names=["input"], output_names=["output"],
                   dynamic_axes={"input": {0: "batch_size"}, "output": {0: "batch_size"}},
                   verbose=True, dynamo=False)
    assert "graph MLP" in capsys.readouterr().out
    got = _session(tmp_path / "m.onnx").run(None, {"input": np.repeat(x, 4, 0)})[0]
    np.testing.assert_allclose(got, np.repeat(_ours(model, [x])[0], 4, 0), rtol=TOL, atol=TOL)
    for bad in ({"export_params": False}, {"keep_initializers_as_inputs": True},
                {"kwargs": {"y": 1}}, {"training": "TRAINING"}):
        with pytest.raises(NotImplementedError, match=next(iter(bad))):
            ns.onnx.export(model, x, tmp_path / "b.onnx", **bad)


def test_parameters_are_initializers_named_after_the_state_dict(tmp_path, rng):
    proto = ns.onnx.export(Head(nn.GRU), _float(rng, 2, 7, 4), tmp_path / "m.onnx")
    names = {t.name for t in proto.graph.initializer}
    assert {"head.weight", "head.bias"} <= names or "head.weight.T" in " ".join(names)
    assert [n.op_type for n in proto.graph.node].count("GRU") == 2     # one node per layer


class _Exp(ns.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return x.exp()

    @staticmethod
    def backward(ctx, g):
        return g


class _Lambda(nn.Module):
    def __init__(self, fn):
        super().__init__()
        self.fn = fn

    def forward(self, x):
        return self.fn(x)


OPS = {   # one op (or Tensor method) each: its converter against onnxruntime, x of shape (3, 4)
    "neg abs exp log sqrt": lambda x: (-x).abs().exp() + (x.abs() + 1).log() + x.abs().sqrt(),
    "trig": lambda x: x.sin() + x.cos() + (x * 0.5).tan() + (x * 0.3).asin() + (x * 0.3).acos()
    + x.atan() + x.sinh() + x.cosh() + x.asinh() + (x.abs() + 1.5).acosh() + (x * 0.3).atanh(),
    "erf reciprocal": lambda x: ns.erf(x) + (x.abs() + 1).reciprocal(),
    "activations": lambda x: F.gelu(x) + F.gelu(x, approximate="tanh") + F.silu(x)
    + F.softplus(x, beta=2.0, threshold=1.0) + F.elu(x, 0.7) + F.celu(x, 1.3) + F.selu(x)
    + F.leaky_relu(x, 0.2) + F.hardsigmoid(x) + F.hardswish(x) + F.hardtanh(x, -0.5, 0.7)
    + F.softsign(x) + F.mish(x) + F.logsigmoid(x) + F.relu6(x),
    "log1p expm1 clamp": lambda x: (x.abs()).log1p() + x.expm1() + x.clamp(-0.5, 0.5)
    + x.clamp(min=0.1),
    "maximum minimum pow": lambda x: ns.maximum(x, x * 2) - ns.minimum(x, 0.5 * x) + x ** 2,
    "softmax log_softmax": lambda x: F.softmax(x, 0) + F.log_softmax(x, -1),
    "cumsum flip roll": lambda x: x.cumsum(1) + x.flip(0) + x.flip([0, 1]),
    "tril triu": lambda x: x.tril() + x.triu(1) + x.tril(-1),
    "repeat expand": lambda x: x[:1].expand(3, 4) + x.repeat(1, 2)[:, :4] + x.repeat(2, 1)[3:],
    "pad": lambda x: F.pad(x, (1, 2), value=0.5)[:, 1:5] + F.pad(x, (0, 0, 1, 0))[1:],
    "normalize": lambda x: F.normalize(x, dim=1) + F.normalize(x, dim=0),
    "index_select gather": lambda x: x.index_select(1, ns.tensor([3, 0, 0, 1]))
    + x.gather(1, ns.tensor([[0, 1, 2, 3], [3, 2, 1, 0], [1, 1, 1, 1]])),
    "advanced index": lambda x: x[:, [2, 0, 1, 3]] + x[[1, 1, 0]],
    "several index arrays (GatherND)": lambda x: x[[0, 2, 1], [3, 3, 0]][:, None]
    + x[None][:, [[1], [2], [0]], [0, 1, 2, 3]][0] + x[[[0], [1], [2]], [1, -1, 0, 2]]
    + x.unsqueeze(0).expand(2, 3, 4)[:, [0, 1, 2], [1, 1, 1]].sum(0)[:, None],
    "basic index": lambda x: x[None, :, ::2][0, :, -1][:, None] + x[..., :1] + x[-1],
    "unsqueeze squeeze view permute": lambda x: x.unsqueeze(0).permute(2, 0, 1).squeeze(1).t()
    + x.view(4, 3).t() + x.flatten().reshape(3, 4),
    "chunk split": lambda x: ns.cat(x.chunk(2, dim=1)[::-1], 1) + x.split([1, 3], 1)[1].sum(1,
                                                                                       True),
    "dtype casts": lambda x: (x * 3).long().float() + x.double().float(),
    "masks": lambda x: ns.where(((x > 0) & (x < 1)) | ~(x < -1) ^ (x > 2).logical_not(), x, 0.0),
    "topk sort (TopK; ties: the lower index first, as the stable sort)":
    lambda x: x.topk(2, dim=1)[0] @ ns.ones(2, 4) + x.sort(dim=1)[0]
    + x.sort(dim=1, descending=True)[1].float() + x.topk(3, 0, largest=False)[1].float().sum(0),
    "scatter scatter_add (ScatterElements)":
    lambda x: x.scatter(1, ns.tensor([[3, 1], [0, 0], [2, 1]]), x * 10)
    + ns.zeros(3, 4).scatter_add(1, ns.tensor([[3, 3, 0, 1], [0, 1, 2, 3], [1, 1, 1, 1]]), x)
    + x.scatter(0, ns.tensor([[2, 0, 1, 2]]), 7.0),
    "interpolate": lambda x: F.interpolate(x[None], scale_factor=2, mode="linear")[0, :, ::2]
    + F.interpolate(x[None, None], size=(5, 7), mode="bilinear")[0, 0, :3, :4]
    + F.interpolate(x[None, None], scale_factor=2, mode="bicubic",
                    align_corners=True)[0, 0, :3, :4],
}


@pytest.mark.parametrize("name", list(OPS))
def test_each_op_converter_agrees_with_onnxruntime(name, tmp_path, rng):
    _agree(_Lambda(OPS[name]), [_float(rng, 3, 4)], tmp_path / "m.onnx")


class Volume(nn.Module):
    """A 3-D convolutional block (a video or scan classifier's first layers)."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv3d(2, 3, 3, padding=1)
        self.pool, self.avg = nn.MaxPool3d(2), nn.AvgPool3d(2, ceil_mode=True)
        self.head = nn.Linear(3, 2)

    def forward(self, x):
        h = self.avg(self.pool(F.relu(self.conv(x))))
        return self.head(h.mean((2, 3, 4)))


def test_sort_along_a_dynamic_axis_reads_its_length_from_the_graph(tmp_path, rng):
    _agree(_Lambda(lambda x: x.sort(dim=0, descending=True)[0] * x.argsort(0).float()),
           [_float(rng, 3, 4)], tmp_path / "m.onnx", other=[_float(rng, 5, 4)],
           dynamic_axes={"input": BATCH, "output": BATCH})


def test_a_3d_convolution_with_pooling_agrees_with_onnxruntime(tmp_path, rng):
    _agree(Volume(), [_float(rng, 2, 2, 6, 8, 7)], tmp_path / "m.onnx",
           other=[_float(rng, 3, 2, 6, 8, 7)], dynamic_axes={"input": BATCH, "output": BATCH})


REFUSED = {
    "an op without a converter is named": (
        lambda x: (x.tanh() * 0.5).erfinv(), {}, "no ONNX converter for the op 'erfinv'"),
    "a custom autograd.Function is named": (
        lambda x: _Exp.apply(x), {}, "no ONNX converter for the op 'autograd.Function _Exp'"),
    "a value through NumPy is not traced": (
        lambda x: x * ns.tensor(x.numpy().mean()), {}, "argument 1 of mul .*computed from the in"),
    "a mask made in NumPy is not traced": (
        lambda x: x.masked_fill(ns.tensor(x.numpy() > 0), 0.0), {},
        "argument 0 of where .*computed from the input"),
    "an in-place change of a traced value": (
        lambda x: (x * 1).add_(1.0) * 2, {}, "mul reads a traced tensor that was modified in"),
    "an output through an untraced op": (
        lambda x: ns.tensor(x.numpy() > 0), {}, "output 0 is computed from the input outside"),
    "control flow on a dynamic size": (
        lambda x: x * 2 if x.shape[0] < 3 else x, {"input": [0]},
        "Python control flow depends on the input"),
    "topk's k from a dynamic size": (
        lambda x: x.topk(x.shape[0] - 1, dim=0)[0], {"input": [0]}, "k= of topk_indices"),
    "a pool with divisor_override": (
        lambda x: F.avg_pool2d(x[None, None], 2, divisor_override=3)[0, 0], {},
        "cannot export avg_pool_nd: divisor_override"),
    "an Embedding with max_norm (an in-place renorm of the weight)": (
        lambda x: F.embedding((x.abs() * 3).long(), ns.ones(20, 2), max_norm=0.5), {},
        "cannot export embedding with max_norm"),
    "cumprod has no ONNX operator": (
        lambda x: x.cumprod(1), {}, "no ONNX converter for the op 'cumprod'"),
    "a slice bound read from a dynamic size": (
        lambda x: x[:, :x.shape[0]], {"input": [0]}, "argument 1 of getitem .*a size read"),
}


@pytest.mark.parametrize("case", list(REFUSED))
def test_what_a_trace_cannot_follow_is_refused_by_name(case, tmp_path, rng):
    fn, axes, message = REFUSED[case]
    with pytest.raises(ValueError, match=message):
        ns.onnx.export(_Lambda(fn), _float(rng, 2, 4), tmp_path / "m.onnx", dynamic_axes=axes)
    assert not (tmp_path / "m.onnx").exists()


class WithState(nn.Module):
    """A recurrent layer given its initial state (a char-RNN's generation step)."""

    def __init__(self, cls, bias=True):
        super().__init__()
        self.rnn = cls(3, 4, num_layers=2, bidirectional=True, batch_first=True, bias=bias)

    def forward(self, x, h0, c0=None):
        out, state = self.rnn(x, h0 if c0 is None else (h0, c0))
        return out, state


@pytest.mark.parametrize("cls", [nn.LSTM, nn.GRU, nn.RNN])
def test_a_recurrent_layer_with_an_initial_state(cls, tmp_path, rng):
    def inputs(n):
        return [_float(rng, n, 5, 3)] + [_float(rng, 4, n, 4)] * (2 if cls is nn.LSTM else 1)
    _agree(WithState(cls, bias=cls is not nn.RNN), inputs(2), tmp_path / "m.onnx",
           other=inputs(3), dynamic_axes={"input_0": [0], "input_1": [1], "input_2": [1]}
           if cls is nn.LSTM else {"input_0": [0], "input_1": [1]})


def test_adaptive_pooling_on_a_dynamic_spatial_axis_is_refused(tmp_path, rng):
    """Its ONNX kernel would be the example's: right for one size only."""
    model = nn.Sequential(nn.Conv2d(1, 2, 3), nn.AdaptiveAvgPool2d(2))
    x = _float(rng, 1, 1, 10, 10)
    with pytest.raises(ValueError, match="AdaptiveAvgPool2d at '1'.*leave the spatial axes"):
        ns.onnx.export(model, x, tmp_path / "m.onnx", dynamic_axes={"input": [0, 2, 3]})
    with pytest.raises(ValueError, match="adaptive_avg: its kernel is fixed"):
        ns.onnx.export(_Lambda(lambda v: F.adaptive_avg_pool2d(v, 2)), x, tmp_path / "m.onnx",
                       dynamic_axes={"input": [2, 3]})
    _agree(model, [x], tmp_path / "m.onnx", other=[_float(rng, 3, 1, 10, 10)],
           dynamic_axes={"input": [0], "output": [0]})
