"""Module bookkeeping: discovery order, modes, state dicts, dtype casts, repr, ns.summary."""
import sys

import numpy as np
import pytest
import torch

import nnscratch as ns
import nnscratch.nn as nn


class Net(nn.Module):
    def __init__(self):
        self.scale = nn.Parameter(np.ones(1))
        self.body = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.ReLU())
        self.heads = [nn.Linear(4, 2), nn.Dropout(0.5)]
        self.out = nn.Linear(2, 1, bias=False)

    def forward(self, x):
        h = self.heads[1](self.heads[0](self.body(x)))
        return self.out(h) * self.scale


class TorchNet(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.scale = torch.nn.Parameter(torch.ones(1))
        self.body = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.BatchNorm1d(4),
                                        torch.nn.ReLU())
        self.heads = torch.nn.ModuleList([torch.nn.Linear(4, 2), torch.nn.Dropout(0.5)])
        self.out = torch.nn.Linear(2, 1, bias=False)


def test_parameters_children_and_modules_follow_assignment_order():
    net, ref = Net(), TorchNet()
    assert [n for n, _ in net.named_parameters()] == [n for n, _ in ref.named_parameters()]
    assert [p.shape for p in net.parameters()] == [tuple(p.shape) for p in ref.parameters()]
    assert [n for n, _ in net.named_children()] == ["body", "heads.0", "heads.1", "out"]
    assert [type(m).__name__ for m in net.children()] == ["Sequential", "Linear", "Dropout",
                                                          "Linear"]
    assert [n for n, _ in net.named_modules()] == [
        "", "body", "body.0", "body.1", "body.2", "heads.0", "heads.1", "out"]
    assert sum(1 for _ in net.modules()) == 8
    assert net.num_parameters() == sum(p.numel() for p in ref.parameters())


def test_shared_parameter_listed_once_but_saved_under_each_name():
    lin, tlin = nn.Linear(2, 2), torch.nn.Linear(2, 2)
    seq, tseq = nn.Sequential(lin, nn.ReLU(), lin), torch.nn.Sequential(tlin, torch.nn.ReLU(), tlin)
    assert len(list(seq.parameters())) == 2
    assert list(seq.state_dict()) == list(tseq.state_dict())    # torch keeps both names
    seq.load_state_dict({k: v.detach().numpy() for k, v in tseq.state_dict().items()})
    np.testing.assert_array_equal(lin.weight.numpy(), tlin.weight.detach().numpy())
    seq.load_state_dict(seq.state_dict())                         # its own keys load back
    # a shared module is one module: listed once by default, under each name on request
    assert [n for n, _ in seq.named_modules()] == [n for n, _ in tseq.named_modules()]
    assert ([n for n, _ in seq.named_modules(remove_duplicate=False)] ==
            [n for n, _ in tseq.named_modules(remove_duplicate=False)])
    assert sum(1 for _ in seq.modules()) == 3


def test_shared_batchnorm_buffers_are_averaged_once():
    bn = nn.BatchNorm1d(2)
    net = nn.Sequential(bn, bn)
    ema = ns.optim.EMA(net, decay=0.5, use_buffers=True)
    assert len(ema.names) == len(set(ema.names)) == 5   # weight, bias, 3 buffers of one bn


def test_train_eval_recursive():
    net = Net()
    assert all(m.training for m in net.modules())
    assert net.eval() is net
    assert not any(m.training for m in net.modules())
    net.train()
    assert all(m.training for m in net.modules())
    net.train(False)
    assert not net.heads[1].training and not net.body[1].training


def test_eval_changes_dropout_and_batchnorm_behaviour():
    ns.manual_seed(0)
    net = Net()
    x = ns.randn(8, 3)
    net.eval()
    a, b = net(x), net(x)
    np.testing.assert_array_equal(a.numpy(), b.numpy())          # deterministic in eval
    before = net.body[1].running_mean.copy()
    net(x)
    np.testing.assert_array_equal(net.body[1].running_mean, before)


def test_zero_grad_and_requires_grad():
    net = Net()
    net(ns.randn(4, 3)).sum().backward()
    assert all(p.grad is not None for p in net.parameters())
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())
    net.requires_grad_(False)
    assert not net(ns.randn(4, 3)).requires_grad


def test_state_dict_shares_memory_and_round_trips():
    a, b = Net(), Net()
    sd = a.state_dict()
    sd["out.weight"].fill_(7.0)                    # shares memory, as torch: the module follows
    assert np.all(a.out.weight.numpy() == 7.0)
    assert not sd["out.weight"].requires_grad and sd["out.weight"].grad_fn is None
    b.load_state_dict(a.state_dict())
    for (k, v), (k2, v2) in zip(a.state_dict().items(), b.state_dict().items()):
        assert k == k2
        np.testing.assert_array_equal(v, v2)
    assert list(a.state_dict()) == list(TorchNet().state_dict())


def test_load_state_dict_rejects_unknown_key_naming_it():
    net = Net()
    sd = net.state_dict()
    sd["body.7.weight"] = np.ones(2)
    with pytest.raises(ValueError, match=r"unexpected keys \['body.7.weight'\]"):
        net.load_state_dict(sd)
    missing, unexpected = net.load_state_dict(sd, strict=False)
    assert missing == [] and unexpected == ["body.7.weight"]


def test_load_state_dict_rejects_missing_keys_naming_them():
    net = Net()
    sd = net.state_dict()
    del sd["out.weight"], sd["body.1.running_var"]
    with pytest.raises(ValueError, match=r"missing keys \['body.1.running_var', 'out.weight'\]"):
        net.load_state_dict(sd)
    missing, _ = Net().load_state_dict(sd, strict=False)
    assert missing == ["body.1.running_var", "out.weight"]


def test_load_state_dict_rejects_wrong_shape_naming_key_and_shapes():
    net = Net()
    sd = net.state_dict()
    sd["heads.0.weight"] = np.ones((2, 5))
    with pytest.raises(ValueError, match=r"heads.0.weight has shape \(2, 5\).*expects \(2, 4\)"):
        net.load_state_dict(sd)
    with pytest.raises(ValueError, match="heads.0.weight"):
        net.load_state_dict(sd, strict=False)          # a shape mismatch is always an error
    with pytest.raises(TypeError, match="expected a dict, got list"):
        net.load_state_dict([1, 2])


def test_failed_load_changes_nothing():
    net = Net()
    before = net.state_dict()
    sd = Net().state_dict()
    sd["out.weight"] = np.ones((3, 3))
    with pytest.raises(ValueError):
        net.load_state_dict(sd)
    for k, v in net.state_dict().items():
        np.testing.assert_array_equal(v, before[k])


def test_load_keeps_parameter_identity_and_dtype():
    net = Net()
    w = net.out.weight
    sd = {k: v.astype(np.float64) if v.dtype.kind == "f" else v
          for k, v in Net().state_dict().items()}
    net.load_state_dict(sd)
    assert net.out.weight is w and w.dtype == np.float32     # optimizers keep their reference


def test_to_float64_casts_parameters_and_float_buffers():
    net = Net()
    assert net.to(np.float64) is net
    assert all(p.dtype == np.float64 for p in net.parameters())
    bn = net.body[1]
    assert bn.running_mean.dtype == bn.running_var.dtype == np.float64
    assert bn.num_batches_tracked.dtype == np.int64
    out = net(ns.randn(4, 3, dtype=np.float64))
    assert out.dtype == np.float64
    net.float()
    assert all(p.dtype == np.float32 for p in net.parameters())


def test_parameter_basics():
    p = nn.Parameter([0, 1, 2])                                  # Python ints: default dtype
    assert p.requires_grad and p.dtype == np.float32 and p.is_leaf
    with pytest.raises(RuntimeError, match="only floating point"):   # an int array, as torch
        nn.Parameter(np.arange(3))
    assert nn.Parameter([1.0, 2.0]).dtype == np.float32          # Python floats: default dtype
    assert nn.Parameter(np.ones(2)).dtype == np.float64          # float arrays keep theirs
    q = nn.Parameter(ns.tensor([1.0, 2.0], dtype=np.float64))
    assert q.dtype == np.float64
    assert repr(q) == ("Parameter containing:\n"
                       "tensor([1., 2.], dtype=nnscratch.float64, requires_grad=True)")


def test_repr():
    import torch

    def build(lib):
        n = lib.nn
        return n.Sequential(n.Linear(3, 4), n.LeakyReLU(0.2), n.Dropout(0.1),
                            n.Sequential(n.BatchNorm1d(4), n.Softmax(dim=1)),
                            n.CrossEntropyLoss())
    assert repr(build(ns)) == repr(build(torch))       # torch's layout is the contract
    assert repr(nn.Embedding(5, 2)) == "Embedding(5, 2)"


def test_sequential_indexing_and_module_list():
    seq = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    assert len(seq) == 3 and isinstance(seq[1], nn.ReLU)
    assert isinstance(seq[:2], nn.Sequential) and len(seq[:2]) == 2
    assert [type(m).__name__ for m in seq] == ["Linear", "ReLU", "Linear"]
    ml = nn.ModuleList([nn.Linear(2, 2)]).append(nn.Linear(2, 1))
    assert len(ml) == 2 and [n for n, _ in ml.named_parameters()] == [
        "0.weight", "0.bias", "1.weight", "1.bias"]


def test_flatten():
    x = ns.randn(2, 3, 4)
    assert nn.Flatten()(x).shape == (2, 12)
    assert nn.Flatten(0)(x).shape == (24,)


# ------------------------------------------------------------------ ns.summary
def test_summary_lists_leaf_layers_shapes_and_counts(capsys):
    model = nn.Sequential(nn.Linear(784, 200), nn.ReLU(), nn.BatchNorm1d(200), nn.Dropout(0.2),
                          nn.Linear(200, 10))
    text = ns.summary(model, (1, 784))
    assert capsys.readouterr().out == ""        # returned, not printed as well
    sys.displayhook(text)                       # what a REPL does with the value: shown once
    assert capsys.readouterr().out.strip() == str(text).strip()
    assert repr(text) == str(text) and text.count("Total params") == 1
    rows = [line.split() for line in text.splitlines()]
    body = {r[0]: r for r in rows if r and r[0].isdigit()}
    assert body["0"] == ["0", "(Linear)", "(1,", "200)", "157,000"]
    assert body["1"] == ["1", "(ReLU)", "(1,", "200)", "0"]
    assert body["2"] == ["2", "(BatchNorm1d)", "(1,", "200)", "400"]
    assert body["4"] == ["4", "(Linear)", "(1,", "10)", "2,010"]
    assert "Total params: 159,410" in text and "Trainable params: 159,410" in text
    assert "Non-trainable params: 0" in text


def test_summary_leaves_model_state_alone():
    model = Net()
    model.heads[1].eval()                       # a mixed mode must survive
    rm = model.body[1].running_mean.copy()
    state = ns.random.get_rng_state()
    text = ns.summary(model, (3, 3))
    assert model.training and not model.heads[1].training and model.body[1].training
    np.testing.assert_array_equal(model.body[1].running_mean, rm)
    assert int(model.body[1].num_batches_tracked) == 0
    assert ns.random.get_rng_state() == state
    assert "Model: Net (train mode)" in text
    assert "net (Net)" in text and "out (Linear)" in text and "Total params: 37" in text
    assert ns.is_grad_enabled()
    from nnscratch.nn import module
    assert module._forward_hooks == []


def test_summary_frozen_params_and_embedding_input():
    model = nn.Sequential(nn.Embedding(10, 4), nn.Flatten(), nn.Linear(12, 2))
    model[0].weight.requires_grad = False
    text = ns.summary(model, (2, 3), dtype=np.int64)
    assert "(2, 3, 4)" in text and "(2, 12)" in text
    assert "Trainable params: 26" in text and "Non-trainable params: 40" in text


def test_summary_bad_input():
    with pytest.raises(ValueError, match=r"input_shape must be .* got \(0, 3\)"):
        ns.summary(nn.Linear(3, 2), (0, 3))
    with pytest.raises(TypeError, match="model must be an nn.Module, got int"):
        ns.summary(3, (1, 3))


class _TwoHeads(nn.Module):
    def __init__(self):
        self.a, self.b = nn.Linear(3, 2), nn.Linear(3, 1)

    def forward(self, x):
        return self.a(x), self.b(x)


class _Pair(nn.Module):
    def forward(self, x):
        return x, x * 2


def test_summary_tuple_outputs():
    text = ns.summary(nn.Sequential(nn.Linear(4, 3), _TwoHeads()), (5, 4))
    assert "1.a (Linear)" in text and "(5, 2)" in text and "1.b (Linear)" in text
    assert "Total params: 27" in text
    assert "((2, 4), (2, 4))" in ns.summary(_Pair(), (2, 4))


def test_mlp_builds_linear_layers_with_hidden_activations():
    from nnscratch.models import mlp
    net = mlp([4, 8, 3], out_activation=nn.Sigmoid(), dropout=0.5)
    kinds = [type(m).__name__ for m in net]
    assert kinds == ["Linear", "ReLU", "Dropout", "Linear", "Sigmoid"]
    assert [tuple(m.weight.shape) for m in net if isinstance(m, nn.Linear)] == [(8, 4), (3, 8)]
    assert [type(m).__name__ for m in mlp((2, 5, 5, 1), activation=nn.Tanh)] == \
        ["Linear", "Tanh", "Linear", "Tanh", "Linear"]
    with pytest.raises(ValueError, match=r"mlp: sizes must be a list of at least two"):
        mlp([3])
    with pytest.raises(ValueError, match=r"mlp: sizes\[1\] must be an int >= 1, got 0"):
        mlp([3, 0, 1])
