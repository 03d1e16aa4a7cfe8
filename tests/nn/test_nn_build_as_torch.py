"""Modules as torch builds them: constructor signatures audited against torch 2.13's, factory
keywords, module hooks in torch's call order, lazy modules, graph walking, lazy samplers."""
import inspect
import itertools
import tracemalloc

import numpy as np
import pytest
import torch  # noqa: E402  (the parity oracle: a declared test dependency, never skipped)

import nnscratch as ns
import nnscratch.nn as nn
import nnscratch.optim as optim

# torch.nn.RNN/LSTM/GRU take (*args, **kwargs); their documented positional order
_RNN_ORDER = {
    "RNN": ["input_size", "hidden_size", "num_layers", "nonlinearity", "bias", "batch_first",
            "dropout", "bidirectional", "device", "dtype"],
    "LSTM": ["input_size", "hidden_size", "num_layers", "bias", "batch_first", "dropout",
             "bidirectional", "proj_size", "device", "dtype"],
    "GRU": ["input_size", "hidden_size", "num_layers", "bias", "batch_first", "dropout",
            "bidirectional", "device", "dtype"],
}


def _positional(sig):
    return [p.name for p in sig.parameters.values() if p.name != "self"
            and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]


def _names(sig):
    return {p.name for p in sig.parameters.values()
            if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)} - {"self"}


def _pairs():
    for ours, theirs in ((nn, torch.nn), (optim, torch.optim),
                         (optim.lr_scheduler, torch.optim.lr_scheduler)):
        for name in sorted(dir(ours)):
            o, t = getattr(ours, name), getattr(theirs, name, None)
            if isinstance(o, type) and isinstance(t, type) and name[0] != "_" \
                    and "__init__" in vars(o) or isinstance(o, type) and isinstance(t, type) \
                    and any("__init__" in vars(c) for c in o.__mro__[:-1]):
                yield f"{ours.__name__}.{name}", o, t


PAIRS = list(_pairs())


def test_the_audit_covers_the_public_constructors():
    names = {n.rsplit(".", 1)[1] for n, _, _ in PAIRS}
    assert {"Linear", "Conv2d", "LSTM", "GRU", "RNN", "BatchNorm1d", "Embedding", "LazyLinear",
            "CrossEntropyLoss", "BCEWithLogitsLoss", "SGD", "Adam", "StepLR",
            "MultiheadAttention", "TransformerEncoderLayer", "Transformer"} <= names
    assert len(PAIRS) > 80


@pytest.mark.parametrize("name, ours, theirs", PAIRS, ids=[p[0] for p in PAIRS])
def test_constructor_takes_torchs_positional_order_and_every_argument(name, ours, theirs):
    mine = inspect.signature(ours.__init__)
    order = _RNN_ORDER.get(theirs.__name__) if name.startswith("nnscratch.nn.") else None
    torch_sig = inspect.signature(theirs.__init__)
    order = order or _positional(torch_sig)
    assert _positional(mine)[:len(order)] == order, name
    assert _names(torch_sig) - _names(mine) == set(), name


def test_positional_arguments_land_where_torch_puts_them():
    lstm, tlstm = nn.LSTM(3, 5, 2, True, True, 0.5, True), torch.nn.LSTM(3, 5, 2, True, True,
                                                                         0.5, True)
    assert (lstm.dropout, lstm.bidirectional) == (tlstm.dropout, tlstm.bidirectional) == \
        (0.5, True)
    p = [nn.Parameter(np.ones(2))]
    sgd = optim.SGD(p, 0.1, 0.9, 0, 5e-4)
    assert sgd.param_groups[0]["weight_decay"] == 5e-4 and not sgd.param_groups[0]["nesterov"]
    lin = nn.Linear(2, 3, True, "cpu", ns.float64)
    assert lin.weight.dtype == ns.float64 and lin.bias.dtype == ns.float64
    lstm.flatten_parameters()           # a no-op, as torch on the CPU


FACTORY = [lambda **k: nn.Linear(2, 3, **k), lambda **k: nn.Conv1d(2, 3, 3, **k),
           lambda **k: nn.Conv2d(2, 3, 3, **k), lambda **k: nn.ConvTranspose2d(2, 3, 3, **k),
           lambda **k: nn.BatchNorm1d(3, **k), lambda **k: nn.LayerNorm(3, **k),
           lambda **k: nn.GroupNorm(1, 3, **k), lambda **k: nn.Embedding(4, 3, **k),
           lambda **k: nn.LSTM(2, 3, **k), lambda **k: nn.GRUCell(2, 3, **k),
           lambda **k: nn.LazyLinear(3, **k), lambda **k: nn.MultiheadAttention(4, 2, **k),
           lambda **k: nn.TransformerEncoderLayer(4, 2, 8, **k)]


@pytest.mark.parametrize("make", FACTORY)
def test_device_and_dtype_factory_keywords(make):
    m = make(device="cpu", dtype=ns.float64)
    assert all(p._data.dtype == np.float64 for p in m.parameters())
    assert all(b._data.dtype.kind != "f" or b._data.dtype == np.float64 for b in m.buffers())
    with pytest.raises((NotImplementedError, RuntimeError), match="cuda"):
        make(device="cuda")


# ------------------------------------------------------------------------------ hooks
def _hooked(lib, log):
    lin = lib.nn.Linear(3, 2).double()
    hs = [lin.register_forward_pre_hook(lambda m, a: log.append("pre1")),
          lin.register_forward_pre_hook(lambda m, a, k: log.append("pre-kw"), with_kwargs=True),
          lin.register_forward_pre_hook(lambda m, a: log.append("pre0"), prepend=True),
          lin.register_forward_hook(lambda m, a, o: log.append("fwd")),
          lin.register_forward_hook(lambda m, a, k, o: log.append("fwd-kw"), with_kwargs=True),
          lin.register_full_backward_pre_hook(lambda m, go: log.append("bw-pre")),
          lin.register_full_backward_hook(lambda m, gi, go: log.append("bw"))]
    return lin, hs


def test_hooks_run_in_torchs_order_and_are_removable():
    logs = []
    for lib in (torch, ns):
        log = []
        lin, hs = _hooked(lib, log)
        x = lib.tensor(np.ones((4, 3)), requires_grad=True)
        lin(x).sum().backward()
        for h in hs[::2]:
            h.remove()
        lin(x).sum().backward()
        logs.append(log)
    assert logs[0] == logs[1]
    assert logs[1][:7] == ["pre0", "pre1", "pre-kw", "fwd", "fwd-kw", "bw-pre", "bw"]


def test_hooks_can_replace_inputs_outputs_and_gradients_as_torch():
    rng = np.random.default_rng(0)
    w, x0, y0 = rng.standard_normal((2, 3)), rng.standard_normal((4, 3)), []
    seen = {}
    for lib in (torch, ns):
        lin = lib.nn.Linear(3, 2, bias=False).double()
        with lib.no_grad():
            lin.weight.copy_(lib.tensor(w))
        lin.register_forward_pre_hook(lambda m, a: (a[0] * 2,))
        lin.register_forward_hook(lambda m, a, k, o: o + k.get("shift", 0), with_kwargs=True)
        lin.register_forward_pre_hook(lambda m, a, k: (a, {}), with_kwargs=True)
        got = {}
        lin.register_full_backward_pre_hook(lambda m, go: (go[0] * 3,))

        def full(m, gi, go, got=got):
            got["gi"], got["go"] = gi[0].numpy().copy(), go[0].numpy().copy()
            return (gi[0] * 0.5,)
        lin.register_full_backward_hook(full)
        x = lib.tensor(x0, requires_grad=True)
        out = lin(x)
        out.pow(2).sum().backward()
        y0.append(out.detach().numpy())
        seen[lib.__name__] = (got, x.grad.numpy(), lin.weight.grad.numpy())
    np.testing.assert_allclose(y0[1], y0[0], rtol=1e-12)
    (tg, tx, tw), (og, ox, ow) = seen["torch"], seen["nnscratch"]
    for k in ("gi", "go"):
        np.testing.assert_allclose(og[k], tg[k], rtol=1e-12)
    np.testing.assert_allclose(ox, tx, rtol=1e-12)
    np.testing.assert_allclose(ow, tw, rtol=1e-12)


def test_backward_hook_with_no_input_needing_grad_sees_none():
    for lib in (torch, ns):
        lin, got = lib.nn.Linear(3, 2), []
        lin.register_full_backward_hook(lambda m, gi, go: got.append((gi, go[0].shape)))
        lin(lib.ones(4, 3)).sum().backward()
        assert got == [((None,), (4, 2))] or got == [((None,), lib.Size([4, 2]))]


def test_state_dict_hooks_as_torch():
    for lib in (torch, ns):
        lin, calls = lib.nn.Linear(2, 2), []
        lin.register_state_dict_pre_hook(lambda m, prefix, keep_vars: calls.append(prefix))

        def post(m, sd, prefix, meta):
            sd[prefix + "extra"] = lib.zeros(1)
        lin.register_state_dict_post_hook(post)
        seq = lib.nn.Sequential(lin)
        assert list(seq.state_dict()) == ["0.weight", "0.bias", "0.extra"] and calls == ["0."]

        def rename(m, sd, prefix, *rest):
            sd.pop(prefix + "extra", None)
        lin.register_load_state_dict_pre_hook(rename)
        handle = lin.register_load_state_dict_post_hook(lambda m, keys: calls.append(keys))
        seq.load_state_dict(seq.state_dict())
        assert list(calls[-1].missing_keys) == [] == list(calls[-1].unexpected_keys)
        handle.remove()


# ------------------------------------------------------------------------------ lazy modules
def test_lazy_modules_infer_sizes_and_become_the_eager_class_as_torch():
    def build(lib):
        return lib.nn.Sequential(lib.nn.LazyConv2d(4, 3, padding=1), lib.nn.LazyBatchNorm2d(),
                                 lib.nn.ReLU(), lib.nn.Flatten(), lib.nn.LazyLinear(5))
    tnet, net = build(torch).double(), build(ns).double()
    opt = optim.SGD(net.parameters(), lr=0.1)          # before the sizes are known, as d2l
    with pytest.raises(RuntimeError, match="uninitialized parameter"):
        net[0].weight.shape
    x = np.random.default_rng(0).standard_normal((2, 3, 6, 6))
    tnet(torch.tensor(x))
    net(ns.tensor(x))
    assert [type(m).__name__ for m in net] == [type(m).__name__ for m in tnet] == \
        ["Conv2d", "BatchNorm2d", "ReLU", "Flatten", "Linear"]
    assert {k: tuple(v.shape) for k, v in net.state_dict().items()} == \
        {k: tuple(v.shape) for k, v in tnet.state_dict().items()}
    net.load_state_dict(tnet.state_dict())
    tnet.eval()
    net.eval()
    np.testing.assert_allclose(net(ns.tensor(x)).numpy(), tnet(torch.tensor(x)).detach().numpy(),
                               rtol=1e-10)
    net.train()
    net(ns.tensor(x)).sum().backward()
    before = net[4].weight.numpy().copy()
    opt.step()                                          # the optimizer holds the same objects
    assert not np.array_equal(before, net[4].weight.numpy())
    fresh = nn.LazyLinear(5)                            # a state dict materialises it
    fresh.load_state_dict({"weight": np.ones((5, 7)), "bias": np.zeros(5)})
    assert fresh.weight.shape == (5, 7)


LAZY = {   # lazy module -> an input: sizes inferred, then torch's outputs and gradients
    "LazyConv3d": (lambda lib: lib.nn.LazyConv3d(4, 2, stride=(1, 2, 1), padding=1, groups=2),
                   (2, 4, 3, 4, 4)),
    "LazyConvTranspose3d": (lambda lib: lib.nn.LazyConvTranspose3d(3, 2, stride=2,
                                                                   output_padding=1),
                            (2, 2, 2, 3, 2)),
    "LazyConvTranspose2d": (lambda lib: lib.nn.LazyConvTranspose2d(4, 3, padding=1, groups=2),
                            (2, 2, 5, 4)),
    "LazyConvTranspose1d": (lambda lib: lib.nn.LazyConvTranspose1d(2, 3, stride=2), (2, 3, 5)),
    "LazyBatchNorm3d": (lambda lib: lib.nn.LazyBatchNorm3d(momentum=0.3), (3, 4, 2, 3, 2)),
}


@pytest.mark.parametrize("name", list(LAZY))
def test_lazy_3d_and_transposed_modules_agree_with_torch(name):
    """Materialised at the first forward as torch (the eager class, the same shapes); with
    torch's state loaded, outputs, input and parameter gradients and (batch norm) running
    statistics agree in float64 to rtol 1e-10."""
    build, shape = LAZY[name]
    tm, m = build(torch).double(), build(ns).double()
    assert m.has_uninitialized_params()
    x = np.random.default_rng(3).standard_normal(shape)
    tm(torch.tensor(x))
    m(ns.tensor(x))
    assert type(m).__name__ == type(tm).__name__ == name.replace("Lazy", "")
    assert {k: tuple(v.shape) for k, v in m.state_dict().items()} == \
        {k: tuple(v.shape) for k, v in tm.state_dict().items()}
    m.load_state_dict(tm.state_dict())
    tx, nx = torch.tensor(x, requires_grad=True), ns.tensor(x, requires_grad=True)
    ty, y = tm(tx), m(nx)
    g = np.random.default_rng(4).standard_normal(tuple(ty.shape))
    ty.backward(torch.tensor(g))
    y.backward(ns.tensor(g))
    pairs = [(y, ty), (nx.grad, tx.grad)] + [(p.grad, tp.grad) for p, tp in
                                             zip(m.parameters(), tm.parameters())]
    pairs += [(b, tb) for b, tb in zip(m.buffers(), tm.buffers())]
    for ours, theirs in pairs:
        np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=1e-10,
                                   atol=1e-12)


# ------------------------------------------------------------------------------ graph walking
def test_grad_fn_name_and_next_functions_walk_the_graph_as_torch():
    def walk(lib):
        w = lib.tensor(np.ones(3), requires_grad=True)
        loss = (lib.tensor(np.ones(3)) * w).sum()
        f = loss.grad_fn
        mul, _ = f.next_functions[0]
        return f.name(), mul.name(), [(type(n).__name__ if n is not None else None, i)
                                       for n, i in mul.next_functions], \
            mul.next_functions[1][0].variable is w
    ours, theirs = walk(ns), walk(torch)
    assert ours[0] == theirs[0] == "SumBackward0" and ours[1] == theirs[1] == "MulBackward0"
    assert ours[2] == [(None, 0), ("AccumulateGrad", 0)] == theirs[2]
    assert ours[3] and theirs[3]


def test_walking_next_functions_with_numbers_on_the_left_as_torch():
    """The autograd tutorial's walk ``d.grad_fn.next_functions[0][0].next_functions[0][0]``
    after ``c = 2 * b; d = c + 1``: a reflected ``2 * b`` / ``1 + c`` lists the tensor's node
    first, as torch's."""
    def walk(lib):
        a = lib.tensor(np.linspace(0, 1, 5), requires_grad=True)
        d = 1 + 2 * lib.sin(a)
        chain, f = [], d.grad_fn
        while f is not None:
            chain.append([(n.name() if n is not None and hasattr(n, "name") else
                           type(n).__name__, i) for n, i in f.next_functions])
            f = f.next_functions[0][0]
            f = None if type(f).__name__ == "AccumulateGrad" else f
        return chain
    assert walk(ns) == walk(torch)


# ------------------------------------------------------------------------------ samplers
def test_random_sampler_with_replacement_draws_lazily():
    from nnscratch.utils.data import RandomSampler, WeightedRandomSampler
    tracemalloc.start()
    try:
        s = RandomSampler(range(100), replacement=True, num_samples=int(1e10))
        first = list(itertools.islice(iter(s), 1000))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(s) == int(1e10) and peak < 2_000_000 and all(0 <= i < 100 for i in first)
    ns.manual_seed(0)
    a = list(RandomSampler(range(10), num_samples=25))
    assert sorted(a[:10]) == list(range(10)) == sorted(a[10:20]) and len(a) == 25
    w = WeightedRandomSampler([0.0, 1.0, 3.0], 4000)
    counts = np.bincount(list(w), minlength=3)
    assert counts[0] == 0 and abs(counts[2] / 4000 - 0.75) < 0.03
    tw = torch.utils.data.WeightedRandomSampler([0.0, 1.0, 3.0], 2, replacement=False)
    assert sorted(tw) == sorted(WeightedRandomSampler([0.0, 1.0, 3.0], 2, False)) == [1, 2]
    with pytest.raises(RuntimeError, match="without replacement"):
        WeightedRandomSampler([1.0, 1.0], 3, replacement=False)
