"""torch's API surface beyond the Tensor semantics, against torch 2.13: the printed form of
tensors and modules, nn.ParameterDict, Module.apply and friends, IterableDataset in a
DataLoader, the zero-gradient rounding methods, and a clear TorchFeatureError for every torch
name nnscratch lacks.  Cost: about 2 s (the name audit walks ~2000 names)."""
import collections
import math

import numpy as np
import pytest
import torch
from helpers import ROOT as _ROOT

import nnscratch as ns
from nnscratch._unsupported import TorchFeatureError


# ------------------------------------------------------------------ repr of modules
def _conv_cases():
    return [
        ("Conv1d", lambda m: m.nn.Conv1d(2, 3, 3)),
        ("Conv1d_stride_pad_nobias", lambda m: m.nn.Conv1d(2, 3, 3, stride=2, padding=1,
                                                           bias=False)),
        ("Conv2d", lambda m: m.nn.Conv2d(1, 4, 3, 1)),
        ("Conv2d_rect", lambda m: m.nn.Conv2d(1, 4, (3, 5), stride=(2, 1), padding=1)),
        ("Conv2d_dilation_groups", lambda m: m.nn.Conv2d(2, 4, 3, dilation=2, groups=2)),
        ("Conv2d_same_reflect", lambda m: m.nn.Conv2d(1, 2, 3, padding="same",
                                                      padding_mode="reflect")),
        ("ConvTranspose1d", lambda m: m.nn.ConvTranspose1d(2, 4, 3)),
        ("ConvTranspose2d", lambda m: m.nn.ConvTranspose2d(2, 4, 3, stride=2, padding=1,
                                                           output_padding=1)),
    ]


MODULE_CASES = _conv_cases() + [
    ("Linear", lambda m: m.nn.Linear(2, 3)),
    ("Linear_nobias", lambda m: m.nn.Linear(2, 3, bias=False)),
    ("MaxPool2d", lambda m: m.nn.MaxPool2d(2)),
    ("MaxPool2d_args", lambda m: m.nn.MaxPool2d(3, stride=2, padding=1, ceil_mode=True)),
    ("MaxPool1d", lambda m: m.nn.MaxPool1d(2)),
    ("AvgPool2d", lambda m: m.nn.AvgPool2d(2)),
    ("AvgPool1d", lambda m: m.nn.AvgPool1d(3, stride=2)),
    ("AdaptiveAvgPool2d", lambda m: m.nn.AdaptiveAvgPool2d((1, 1))),
    ("MaxUnpool2d", lambda m: m.nn.MaxUnpool2d(2)),
    ("BatchNorm1d", lambda m: m.nn.BatchNorm1d(4)),
    ("BatchNorm2d_noaffine", lambda m: m.nn.BatchNorm2d(4, momentum=0.2, affine=False)),
    ("BatchNorm1d_untracked", lambda m: m.nn.BatchNorm1d(3, momentum=None,
                                                         track_running_stats=False)),
    ("LayerNorm", lambda m: m.nn.LayerNorm(4)),
    ("LayerNorm_shape_noaffine", lambda m: m.nn.LayerNorm((3, 4), eps=1e-6,
                                                          elementwise_affine=False)),
    ("GroupNorm", lambda m: m.nn.GroupNorm(2, 4)),
    ("Dropout", lambda m: m.nn.Dropout(0.3)),
    ("Dropout2d", lambda m: m.nn.Dropout2d()),
    ("ReLU", lambda m: m.nn.ReLU()), ("Tanh", lambda m: m.nn.Tanh()),
    ("Sigmoid", lambda m: m.nn.Sigmoid()), ("LeakyReLU", lambda m: m.nn.LeakyReLU(0.2)),
    ("ELU", lambda m: m.nn.ELU()), ("Softplus", lambda m: m.nn.Softplus()),
    ("Softmax", lambda m: m.nn.Softmax(dim=1)), ("LogSoftmax", lambda m: m.nn.LogSoftmax(-1)),
    ("LSTM", lambda m: m.nn.LSTM(3, 5)),
    ("LSTM_all", lambda m: m.nn.LSTM(3, 5, 2, batch_first=True, dropout=0.5,
                                     bidirectional=True)),
    ("GRU", lambda m: m.nn.GRU(3, 5, num_layers=2)),
    ("RNN_relu_nobias", lambda m: m.nn.RNN(3, 5, nonlinearity="relu", bias=False)),
    ("LSTMCell", lambda m: m.nn.LSTMCell(3, 5)), ("GRUCell", lambda m: m.nn.GRUCell(3, 5)),
    ("Embedding", lambda m: m.nn.Embedding(10, 3)),
    ("Embedding_padding", lambda m: m.nn.Embedding(10, 3, padding_idx=0)),
    ("Flatten", lambda m: m.nn.Flatten()), ("Identity", lambda m: m.nn.Identity()),
    ("Upsample", lambda m: m.nn.Upsample(scale_factor=2)),
    ("MSELoss", lambda m: m.nn.MSELoss(reduction="sum")),
    ("CrossEntropyLoss", lambda m: m.nn.CrossEntropyLoss()),
    ("Sequential_nested", lambda m: m.nn.Sequential(
        m.nn.Conv2d(1, 2, 3), m.nn.ReLU(), m.nn.MaxPool2d(2), m.nn.Flatten(),
        m.nn.Sequential(m.nn.Linear(3, 1), m.nn.BatchNorm1d(1), m.nn.Sigmoid()))),
    ("ModuleList", lambda m: m.nn.ModuleList([m.nn.Linear(2, 3), m.nn.ReLU()])),
    ("ModuleDict", lambda m: m.nn.ModuleDict({"a": m.nn.Linear(2, 3), "b": m.nn.Tanh()})),
]


@pytest.mark.parametrize("build", [c[1] for c in MODULE_CASES],
                         ids=[c[0] for c in MODULE_CASES])
def test_module_repr_is_torchs(build):
    assert repr(build(ns)) == repr(build(torch))


def test_custom_module_repr_puts_extra_repr_before_children_as_torch():
    def make(lib):
        class Block(lib.nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = lib.nn.Linear(2, 2)

            def extra_repr(self):
                return "scale=3\nshift=1"

            def forward(self, x):
                return self.fc(x)
        return lib.nn.Sequential(Block(), lib.nn.ReLU())
    assert repr(make(ns)) == repr(make(torch))


# ------------------------------------------------------------------ repr of tensors
TENSOR_CASES = [
    lambda m: m.tensor([1.0, 2.0]), lambda m: m.tensor([[1.5, -2.25], [3.0, 4.0]]),
    lambda m: m.tensor([1, 2, 3]), lambda m: m.tensor([True, False]), lambda m: m.tensor(3.5),
    lambda m: m.tensor([1.0], dtype=m.float64), lambda m: m.tensor([1.0, 2.0],
                                                                   requires_grad=True),
    lambda m: m.tensor([1e-8, 1.0]), lambda m: m.tensor([-1e-5, 3.0]),
    lambda m: m.tensor([1e10, 1.0]), lambda m: m.zeros(2, 3, dtype=m.int32),
    lambda m: m.tensor([0.1234567, 100.5]), lambda m: m.zeros(0), lambda m: m.zeros(2, 0),
    lambda m: m.tensor([float("nan"), float("inf"), 1.0]), lambda m: m.arange(2000.0),
    lambda m: m.arange(24.0).reshape(2, 3, 4) / 7, lambda m: m.arange(2000).reshape(2, 1000),
    lambda m: m.ones(40, 40) * 1.5, lambda m: (m.arange(30.0) * 1.1).requires_grad_(),
    lambda m: m.tensor([1.0, 2.0], requires_grad=True) * 2, lambda m: m.nn.Parameter(m.ones(2)),
    lambda m: m.tensor([-5, 100], dtype=m.int8), lambda m: m.tensor([1.0], dtype=m.float16),
]


@pytest.mark.parametrize("build", TENSOR_CASES, ids=[f"t{i}" for i in range(len(TENSOR_CASES))])
def test_tensor_repr_is_torchs_up_to_the_library_name(build):
    assert repr(build(ns)).replace("nnscratch.", "torch.") == repr(build(torch))


# ------------------------------------------------------------------ ParameterDict
def test_parameter_dict_registers_orders_and_prints_as_torch():
    def build(lib):
        class Net(lib.nn.Module):
            def __init__(self):
                super().__init__()
                self.p = lib.nn.ParameterDict({"scale": lib.ones(2), "bias": lib.zeros(3, 2)})
                self.p["extra"] = lib.nn.Parameter(lib.ones(1))
                self.p.update(collections.OrderedDict([("z", lib.ones(1)), ("a", lib.ones(1))]))
        return Net()
    ours, ref = build(ns), build(torch)
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in ref.named_parameters()]
    assert list(ours.p.keys()) == list(ref.p.keys())
    assert all(isinstance(v, ns.nn.Parameter) and v.requires_grad for v in ours.p.values())
    assert repr(ours.p).replace("nnscratch.", "torch.") == repr(ref.p)
    one = ns.nn.ParameterDict({"a": ns.ones(2)})
    assert repr(one).replace("nnscratch.", "torch.") == repr(
        torch.nn.ParameterDict({"a": torch.ones(2)}))
    assert repr(ns.nn.ParameterDict()) == repr(torch.nn.ParameterDict())
    assert ours.p.pop("extra").shape == (1,) and "extra" not in ours.p and len(ours.p) == 4
    assert ours.p.get("missing") is None
    with pytest.raises(KeyError):
        ours.p["missing"]
    with pytest.raises(TypeError, match="Tensors or Parameters"):
        ours.p["x"] = 3.0
    with pytest.raises(TypeError, match="keys must be str"):
        ours.p[1] = ns.ones(1)
    with pytest.raises(KeyError, match="'.'"):
        ours.p["a.b"] = ns.ones(1)


def test_parameter_dict_trains_and_round_trips_its_state():
    d = ns.nn.ParameterDict({"w": ns.tensor([1.0, 2.0])})
    (d["w"] ** 2).sum().backward()
    np.testing.assert_array_equal(d["w"].grad.numpy(), [2.0, 4.0])
    sd = d.state_dict()
    d2 = ns.nn.ParameterDict({"w": ns.zeros(2)})
    d2.load_state_dict(sd)
    np.testing.assert_array_equal(d2["w"].numpy(), [1.0, 2.0])


# ------------------------------------------------------------------ Module helpers
def test_apply_add_module_register_parameter_and_lookups_as_torch():
    def build(lib):
        net = lib.nn.Sequential(lib.nn.Linear(2, 3), lib.nn.Sequential(lib.nn.Tanh(),
                                                                       lib.nn.Linear(3, 1)))
        net.add_module("head", lib.nn.Sigmoid())
        net[1].register_parameter("gain", lib.nn.Parameter(lib.ones(1)))
        return net
    ours, ref = build(ns), build(torch)
    seen = {"ours": [], "torch": []}
    ours.apply(lambda m: seen["ours"].append(type(m).__name__))
    ref.apply(lambda m: seen["torch"].append(type(m).__name__))
    assert seen["ours"] == seen["torch"]
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in ref.named_parameters()]
    assert type(ours.get_submodule("1.1")).__name__ == "Linear"
    assert ours.get_parameter("1.gain").shape == (1,)
    with pytest.raises(AttributeError):
        ours.get_submodule("9")
    with pytest.raises(TypeError, match="nn.Parameter or None"):
        ours.register_parameter("w", ns.ones(1))
    with pytest.raises(TypeError, match="Module or None"):
        ours.add_module("x", 3)
    bn = ns.nn.BatchNorm1d(2)
    assert len(list(bn.buffers())) == len(list(torch.nn.BatchNorm1d(2).buffers())) == 3


# ------------------------------------------------------------------ IterableDataset
def _streams(lib):
    class Stream(lib.utils.data.IterableDataset):
        def __init__(self, n):
            self.n = n

        def __iter__(self):
            for i in range(self.n):
                yield lib.tensor([float(i), -float(i)]), i

    class Sized(Stream):
        def __len__(self):
            return self.n
    return Stream, Sized


@pytest.mark.parametrize("kwargs", [dict(batch_size=2), dict(batch_size=3, drop_last=True),
                                    dict(batch_size=None), dict(batch_size=4)])
def test_iterable_dataset_batches_as_torch(kwargs):
    (S, Sz), (TS, TSz) = _streams(ns), _streams(torch)
    ours = list(ns.utils.data.DataLoader(S(7), **kwargs))
    ref = list(torch.utils.data.DataLoader(TS(7), **kwargs))
    assert len(ours) == len(ref)
    for a, b in zip(ours, ref):
        for x, y in zip(a, b):
            np.testing.assert_array_equal(np.asarray(x), y.numpy() if hasattr(y, "numpy")
                                          else y)
    assert len(ns.utils.data.DataLoader(Sz(7), **kwargs)) == \
        len(torch.utils.data.DataLoader(TSz(7), **kwargs))
    chained = list(ns.utils.data.DataLoader(S(2) + S(3), batch_size=None))
    assert [int(y) for _, y in chained] == [0, 1, 0, 1, 2]


@pytest.mark.parametrize("name, value", [("shuffle", True), ("sampler", [0, 1]),
                                         ("batch_sampler", [[0]])])
def test_iterable_dataset_refuses_what_torch_refuses(name, value):
    S, _ = _streams(ns)
    TS, _ = _streams(torch)
    with pytest.raises(ValueError, match=f"expected unspecified {name}") as ours:
        ns.utils.data.DataLoader(S(3), **{name: value})
    with pytest.raises(ValueError) as ref:
        torch.utils.data.DataLoader(TS(3), **{name: value})
    assert str(ours.value) == str(ref.value)
    with pytest.raises(TypeError):
        len(ns.utils.data.DataLoader(S(3)))          # no __len__: as torch, a TypeError
    with pytest.raises(TypeError, match="IterableDataset"):
        S(3)[0]


# ------------------------------------------------------------------ sign and rounding
@pytest.mark.parametrize("name", ["sign", "floor", "ceil", "round", "trunc"])
def test_piecewise_constant_methods_equal_torch_and_pass_no_gradient(name, rng):
    x = np.concatenate([rng.normal(0, 3, 20), [-2.5, -0.5, 0.0, 0.5, 1.5, 2.5]])
    np.testing.assert_array_equal(getattr(ns.tensor(x), name)().numpy(),
                                  getattr(torch.tensor(x), name)().numpy())
    ours = ns.tensor(x + 0.25, requires_grad=True)     # away from the jumps
    ref = torch.tensor(x + 0.25, requires_grad=True)
    v = rng.normal(size=x.shape)
    (getattr(ours, name)() * ours * ns.tensor(v)).sum().backward()
    (getattr(ref, name)() * ref * torch.tensor(v)).sum().backward()
    np.testing.assert_allclose(ours.grad.numpy(), ref.grad.numpy(), rtol=1e-15)
    assert ns.gradcheck(lambda t: getattr(t, name)() * t, [ns.tensor(x + 0.25,
                                                                     requires_grad=True)])


@pytest.mark.parametrize("dtype", [np.float64, np.uint8, np.bool_])
def test_argsort_nonzero_and_metadata_equal_torch(dtype, rng):
    x = rng.integers(0, 3, (4, 5)).astype(dtype)       # many ties: stability matters
    for dim in (0, 1, -1):
        for descending in (False, True):
            np.testing.assert_array_equal(
                ns.argsort(ns.tensor(x), dim=dim, descending=descending).numpy(),
                torch.argsort(torch.tensor(x), dim=dim, descending=descending,
                              stable=True).numpy())
    np.testing.assert_array_equal(ns.tensor(x).nonzero().numpy(),
                                  torch.tensor(x).nonzero().numpy())
    for a, b in zip(ns.nonzero(ns.tensor(x), as_tuple=True),
                    torch.nonzero(torch.tensor(x), as_tuple=True)):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    for v in (0.0, 2.0):
        assert ns.tensor(v).nonzero().shape == tuple(torch.tensor(v).nonzero().shape)
    t, r = ns.tensor(x), torch.tensor(x)
    assert (t.is_cpu, t.nelement(), t.ndimension(), t.get_device()) == \
        (r.is_cpu, r.nelement(), r.ndimension(), r.get_device())
    for name in ("sign",) if dtype == np.bool_ else ("sign", "floor", "ceil", "round", "trunc"):
        a, b = getattr(ns, name)(t), getattr(torch, name)(r)
        assert a.dtype == b.numpy().dtype
        np.testing.assert_array_equal(a.numpy(), b.numpy())


# ------------------------------------------------------------------ unsupported features
def _torch_features(obj) -> list:
    """The public names of a torch namespace that are torch's own (not a re-exported stdlib
    module, a typing helper or an ALL-CAPS constant such as ``TYPE_CHECKING``; ALL-CAPS
    classes, ``LSTM`` or ``SGD``, count): what nnscratch._torch_names lists."""
    import inspect
    import types
    names = []
    for n in dir(obj):
        v = getattr(obj, n, None)
        if n.startswith("_") or n.isupper() and not inspect.isclass(v):
            continue
        where = v.__name__ if isinstance(v, types.ModuleType) else getattr(v, "__module__", None)
        if not isinstance(where, str) or where.startswith("torch"):
            names.append(n)
    return sorted(names)


def _namespaces():
    import torch.nn.functional as TF
    return {"TORCH": torch, "TENSOR": torch.Tensor, "NN": torch.nn, "MODULE": torch.nn.Module,
            "FUNCTIONAL": TF, "OPTIM": torch.optim}


def _tables():
    return [("TENSOR", ns.tensor([1.0]), "torch.Tensor"),
            ("MODULE", ns.nn.Linear(1, 1), "torch.nn.Module"), ("NN", ns.nn, "torch.nn"),
            ("FUNCTIONAL", ns.nn.functional, "torch.nn.functional"), ("TORCH", ns, "torch")]


@pytest.mark.parametrize("table, ours, prefix", _tables(), ids=[t[0] for t in _tables()])
def test_every_torch_name_is_provided_or_a_torch_feature_error(table, ours, prefix):
    from nnscratch._torch_names import TABLES
    names = TABLES[table]
    lacking = []
    for name in names:
        try:
            getattr(ours, name)
        except TorchFeatureError as e:
            assert f"{prefix}.{name} is a torch feature" in str(e)
            assert isinstance(e, NotImplementedError) and not hasattr(ours, name)
            lacking.append(name)
        except Exception as e:    # a provided name that fails when read (e.g. a property)
            assert not isinstance(e, AttributeError), f"{name}: {e!r}"
    assert len(lacking) < len(names)
    # the table is torch's: no torch feature we lack is missing from it (regenerate: run this
    # file); torch's lazily imported submodules (torch.onnx) appear in dir() once imported
    assert [n for n in _torch_features(_namespaces()[table])
            if n not in names and not hasattr(ours, n)] == []


def test_an_unknown_name_is_a_plain_attribute_error():
    for obj in (ns.tensor([1.0]), ns.nn.Linear(1, 1), ns, ns.nn, ns.nn.functional):
        with pytest.raises(AttributeError) as e:
            obj.no_such_name_anywhere
        assert not isinstance(e.value, NotImplementedError)
        assert "no_such_name_anywhere" in str(e.value)


def test_common_unsupported_torch_features_say_so():
    t = ns.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(NotImplementedError, match="cuda"):
        t.cuda()
    with pytest.raises(NotImplementedError, match="CPU only"):
        ns.nn.Linear(1, 1).cuda()
    with pytest.raises(NotImplementedError, match="'cuda'"):
        t.to("cuda")
    with pytest.raises(NotImplementedError, match="torch.nn.EmbeddingBag"):
        ns.nn.EmbeddingBag()
    with pytest.raises(NotImplementedError, match="torch.jit"):
        ns.jit.script
    assert not hasattr(ns.tensor([1.0]), "stft")      # hasattr keeps working
    assert getattr(ns.nn, "EmbeddingBag", None) is None


def test_jacobian_accepts_torchs_speed_options_and_strict_as_torch():
    x = np.array([0.3, -1.2])

    def f(lib):
        return lambda v: lib.tanh(v) * v.sum()
    ref = torch.autograd.functional.jacobian(f(torch), torch.tensor(x), vectorize=True,
                                             strategy="forward-mode")
    ours = ns.autograd.functional.jacobian(f(ns), x, vectorize=True, strategy="forward-mode")
    np.testing.assert_allclose(ours.numpy(), ref.numpy(), rtol=1e-13)
    with pytest.raises(RuntimeError):
        torch.autograd.functional.vjp(lambda v: torch.ones(2), torch.tensor(x), strict=True)
    with pytest.raises(RuntimeError, match="independent"):
        ns.autograd.functional.vjp(lambda v: ns.ones(2), x, ns.ones(2), strict=True)


# ------------------------------------------------------------------ save/load, p.data = t
def test_save_load_take_torchs_keywords_and_data_assignment(tmp_path):
    m = ns.nn.Linear(2, 3)
    path = tmp_path / "m.pt"
    ns.save(m.state_dict(), path)
    for kw in (dict(map_location="cpu"), dict(map_location=ns.device("cpu")),
               dict(map_location=lambda storage, loc: storage), dict(map_location={}),
               dict(weights_only=True), dict(weights_only=False)):
        sd = ns.load(path, **kw)
        np.testing.assert_array_equal(sd["weight"], m.weight.numpy())
    with pytest.raises(NotImplementedError, match="'cuda:0'"):
        ns.load(path, map_location="cuda:0")
    p = m.weight
    p.data = ns.zeros(5, 2)                 # as torch: any shape, identity kept
    tp = torch.nn.Linear(2, 3).weight
    tp.data = torch.zeros(5, 2)
    assert p.shape == tuple(tp.shape) and m.weight is p and p.requires_grad
    assert math.isclose(float(p.sum()), 0.0)


if __name__ == "__main__":
    # python tests/torch_api/test_torch_api_surface.py: rewrite nnscratch/_torch_names.py from the
    # installed torch (after a torch upgrade)
    import textwrap

    import torch.onnx  # noqa: F401  (lazily imported by torch: list it too)
    target = _ROOT / "nnscratch" / "_torch_names.py"
    text = target.read_text()
    head = text[:text.index("\n\n") + 1]
    blocks = [head]
    for key, obj in _namespaces().items():
        body = textwrap.fill(" ".join(_torch_features(obj)), 92, break_long_words=False)
        blocks.append(f'\n{key} = frozenset("""\n{body}\n""".split())\n')
    pairs = textwrap.fill(", ".join(f'"{k}": {k}' for k in _namespaces()), 88)
    blocks.append("\nTABLES = {" + pairs.replace("\n", "\n          ") + "}\n")
    target.write_text("".join(blocks))


@pytest.mark.parametrize("make", [lambda m: m.nn.ReLU(True),
                                  lambda m: m.nn.LeakyReLU(0.2, inplace=True)],
                         ids=["ReLU", "LeakyReLU"])
def test_inplace_activations_overwrite_their_input_as_torch(make, rng):
    x, w = rng.normal(size=(3, 4)), rng.normal(size=(4, 4))
    runs = []
    for lib in (ns, torch):
        wt = lib.tensor(w, requires_grad=True)
        h = lib.tensor(x) @ wt
        out = make(lib)(h)
        assert out is h or lib is torch
        (out * lib.tensor(w[:3])).sum().backward()
        runs.append((h.detach().numpy(), wt.grad.numpy(), repr(make(lib))))
        leaf = lib.tensor(x, requires_grad=True)
        with pytest.raises(RuntimeError, match="leaf"):
            make(lib)(leaf)
    np.testing.assert_allclose(runs[0][0], runs[1][0], rtol=1e-15)
    np.testing.assert_allclose(runs[0][1], runs[1][1], rtol=1e-14)
    assert runs[0][2] == runs[1][2]


def test_module_keyword_arguments_as_torch():
    def build(lib):
        net = lib.nn.Sequential(lib.nn.Linear(2, 3), lib.nn.BatchNorm1d(3))
        net.register_parameter("scale", lib.nn.Parameter(lib.ones(1)))
        return net
    ours, ref = build(ns), build(torch)
    for kw in (dict(recurse=False), dict(recurse=True)):
        assert [n for n, _ in ours.named_parameters(**kw)] == \
            [n for n, _ in ref.named_parameters(**kw)]
        assert len(list(ours.parameters(**kw))) == len(list(ref.parameters(**kw)))
        assert len(list(ours.buffers(**kw))) == len(list(ref.buffers(**kw)))
    assert list(ours.state_dict(prefix="m.")) == list(ref.state_dict(prefix="m."))
    kept = ours.state_dict(keep_vars=True)
    assert kept["0.weight"] is ours[0].weight
    dest = {}
    assert ours.state_dict(destination=dest) is dest and "1.running_mean" in dest
    (ours(ns.ones(4, 2)).sum() * ours.scale).backward()
    ours.zero_grad(set_to_none=False)
    assert all(p.grad is not None and not p.grad.numpy().any() for p in ours.parameters())
    ours.zero_grad()
    assert all(p.grad is None for p in ours.parameters())
    # assign=True adopts the given tensors (tests/nn/test_nn_torch_options.py compares with torch)
    sd = {k: v.clone() for k, v in ours.state_dict().items()}
    ours.load_state_dict(sd, assign=True)
    assert ours[0].weight._data is sd["0.weight"]._data
