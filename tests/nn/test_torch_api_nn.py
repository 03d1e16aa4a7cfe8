"""Module.to/cpu/cuda, nn.ParameterList, nn.Flatten(start_dim, end_dim), F.one_hot and torch's
in-place nn.init functions, against torch."""
import math

import numpy as np
import pytest
import torch

import nnscratch as ns
from nnscratch.nn import init


# ------------------------------------------------------------------ Module.to / cpu / cuda
def test_module_to_device_and_dtype_as_torch():
    m = ns.nn.Sequential(ns.nn.Linear(3, 4), ns.nn.BatchNorm1d(4))
    assert m.to("cpu") is m and m.to(ns.device("cpu")) is m and m.cpu() is m
    assert m[0].weight.dtype == ns.float32
    m.to("cpu", ns.float64)
    assert all(p.dtype == ns.float64 for p in m.parameters())
    assert m[1].running_mean.dtype == np.float64
    m.to(dtype=ns.float32)
    assert m[0].weight.dtype == ns.float32
    m.to(ns.zeros(1, dtype=ns.float64))
    assert m[0].bias.dtype == ns.float64
    assert m.half()[0].weight.dtype == ns.float16 and m.float()[0].weight.dtype == ns.float32
    with pytest.raises(RuntimeError, match="'cuda'"):
        m.to("cuda")
    with pytest.raises(RuntimeError, match="CPU only"):
        m.cuda()
    with pytest.raises(TypeError, match="floating point"):
        m.to(ns.int64)
    with pytest.raises(TypeError, match="floating point"):
        torch.nn.Linear(2, 2).to(torch.int64)


def test_module_to_keeps_integer_buffers_and_values():
    m = ns.nn.BatchNorm1d(3)
    w = m.weight.numpy().copy()
    m.to(ns.float64)
    np.testing.assert_array_equal(m.weight.numpy(), w)
    assert np.asarray(m.num_batches_tracked).dtype.kind in "iu"


# ------------------------------------------------------------------ ParameterList
def test_parameter_list_registers_like_torch():
    values = [np.ones((2, 3)), np.zeros(4)]
    ours = ns.nn.ParameterList([ns.tensor(v) for v in values])
    ref = torch.nn.ParameterList([torch.tensor(v) for v in values])
    ours.append(ns.nn.Parameter(ns.ones(1)))
    ref.append(torch.nn.Parameter(torch.ones(1)))
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in ref.named_parameters()]
    assert all(isinstance(p, ns.nn.Parameter) and p.requires_grad for p in ours)
    assert len(ours) == len(ref) == 3 and ours[-1].shape == (1,)

    class Net(ns.nn.Module):
        def __init__(self):
            self.ws = ns.nn.ParameterList([ns.ones(2), ns.ones(2)])

        def forward(self, x):
            return sum((w * x).sum() for w in self.ws)

    net = Net()
    assert list(net.state_dict()) == ["ws.0", "ws.1"]
    net(ns.tensor([1.0, 2.0])).backward()
    np.testing.assert_array_equal(np.asarray(net.ws[1].grad), [1.0, 2.0])
    with pytest.raises(TypeError, match="Tensors or Parameters"):
        ns.nn.ParameterList([3.0])


# ------------------------------------------------------------------ Flatten / one_hot
@pytest.mark.parametrize("start,end", [(1, -1), (0, -1), (1, 2), (0, 1), (2, 3), (-2, -1), (1, 1)])
def test_flatten_dims_equal_torch(rng, start, end):
    x = rng.normal(size=(2, 3, 4, 5))
    ours = ns.nn.Flatten(start, end)(ns.tensor(x))
    ref = torch.nn.Flatten(start, end)(torch.tensor(x))
    assert ours.shape == tuple(ref.shape)
    np.testing.assert_array_equal(ours.numpy(), ref.numpy())
    assert repr(ns.nn.Flatten(start, end)) == repr(torch.nn.Flatten(start, end))


@pytest.mark.parametrize("num_classes", [-1, 7])
def test_one_hot_equals_torch(rng, num_classes):
    idx = rng.integers(0, 5, size=(3, 4))
    ours = ns.nn.functional.one_hot(ns.tensor(idx), num_classes)
    ref = torch.nn.functional.one_hot(torch.tensor(idx), num_classes)
    assert ours.dtype == ns.int64 and ours.shape == tuple(ref.shape)
    np.testing.assert_array_equal(ours.numpy(), ref.numpy())


def test_one_hot_refuses_what_torch_refuses():
    for bad in [dict(t=[0.0, 1.0]), dict(t=[0, 5], n=3), dict(t=[-1, 0])]:
        for lib, F in [(ns, ns.nn.functional), (torch, torch.nn.functional)]:
            with pytest.raises(RuntimeError):
                t = lib.tensor(bad["t"])
                F.one_hot(t, bad.get("n", -1))


# ------------------------------------------------------------------ nn.init
@pytest.mark.parametrize("shape", [(5, 3), (4, 3, 2), (8, 2, 3, 3)])
def test_fans_and_gains_equal_torch(shape):
    assert init._calculate_fan_in_and_fan_out(ns.zeros(*shape)) == \
        torch.nn.init._calculate_fan_in_and_fan_out(torch.zeros(*shape))
    for nl, param in [("linear", None), ("conv2d", None), ("tanh", None), ("relu", None),
                      ("leaky_relu", None), ("leaky_relu", 0.2), ("selu", None),
                      ("sigmoid", None)]:
        assert init.calculate_gain(nl, param) == torch.nn.init.calculate_gain(nl, param)
    with pytest.raises(ValueError, match="fewer than 2"):
        init.xavier_uniform_(ns.zeros(3))


def _torch_bound_or_std(name, shape, kwargs):
    """Torch's bound (uniform) or std (normal), read from a large torch draw."""
    t = getattr(torch.nn.init, name)(torch.empty(*shape, dtype=torch.float64), **kwargs)
    return t.abs().max().item() if "uniform" in name else t.std().item()


@pytest.mark.parametrize("name,kwargs", [
    ("xavier_uniform_", {}), ("xavier_uniform_", dict(gain=2.0)), ("xavier_normal_", {}),
    ("kaiming_uniform_", {}), ("kaiming_uniform_", dict(a=math.sqrt(5))),
    ("kaiming_uniform_", dict(mode="fan_out", nonlinearity="relu")),
    ("kaiming_normal_", dict(nonlinearity="relu")), ("kaiming_normal_", dict(mode="fan_out"))])
def test_scaled_initialisers_have_torchs_scale(name, kwargs):
    shape = (200, 100, 3)
    p = ns.nn.Parameter(ns.zeros(*shape, dtype=ns.float64))
    out = getattr(init, name)(p, **kwargs)
    assert out is p and p.grad is None and p.requires_grad and p.grad_fn is None
    a = p.numpy()
    fan_in, fan_out = 300, 600
    if "xavier" in name:
        std = kwargs.get("gain", 1.0) * math.sqrt(2.0 / (fan_in + fan_out))
    else:
        fan = fan_out if kwargs.get("mode") == "fan_out" else fan_in
        std = torch.nn.init.calculate_gain(kwargs.get("nonlinearity", "leaky_relu"),
                                           kwargs.get("a", 0)) / math.sqrt(fan)
    ref = _torch_bound_or_std(name, shape, kwargs)
    if "uniform" in name:  # the bound is sqrt(3)·std; 60000 draws come within 0.1 % of it
        assert np.abs(a).max() <= math.sqrt(3) * std
        np.testing.assert_allclose([np.abs(a).max(), ref], math.sqrt(3) * std, rtol=1e-3)
    else:  # sample std of 60000 draws: relative error ~ 1/sqrt(2·60000) ≈ 0.3 %
        np.testing.assert_allclose([a.std(), ref], std, rtol=0.015)


def test_simple_fills_and_seeding():
    t = ns.zeros(3, 4)
    np.testing.assert_array_equal(init.ones_(t).numpy(), np.ones((3, 4)))
    np.testing.assert_array_equal(init.zeros_(t).numpy(), np.zeros((3, 4)))
    np.testing.assert_array_equal(init.constant_(t, 2.5).numpy(), np.full((3, 4), 2.5))
    u = init.uniform_(ns.zeros(1000, dtype=ns.float64), -2.0, 3.0).numpy()
    assert -2 <= u.min() < -1.99 and 2.99 < u.max() < 3
    n = init.normal_(ns.zeros(20000, dtype=ns.float64), 1.5, 0.5).numpy()
    np.testing.assert_allclose([n.mean(), n.std()], [1.5, 0.5], atol=0.02)
    ns.manual_seed(7)
    a = init.kaiming_normal_(ns.zeros(4, 5)).numpy().copy()
    ns.manual_seed(7)
    np.testing.assert_array_equal(init.kaiming_normal_(ns.zeros(4, 5)).numpy(), a)
    g = ns.Generator().manual_seed(1)
    b = init.xavier_uniform_(ns.zeros(4, 5), generator=g).numpy().copy()
    np.testing.assert_array_equal(
        init.xavier_uniform_(ns.zeros(4, 5), generator=ns.Generator().manual_seed(1)).numpy(), b)


@pytest.mark.parametrize("shape,gain", [((5, 3), 1.0), ((3, 5), 2.0), ((4, 2, 3), 0.5)])
def test_orthogonal_is_orthogonal_as_torch(shape, gain):
    ours = init.orthogonal_(ns.zeros(*shape, dtype=ns.float64), gain).numpy()
    ref = torch.nn.init.orthogonal_(torch.zeros(*shape, dtype=torch.float64), gain).numpy()
    for w in (ours, ref):
        m = w.reshape(shape[0], -1)
        small = m.T @ m if m.shape[0] >= m.shape[1] else m @ m.T
        np.testing.assert_allclose(small, gain ** 2 * np.eye(len(small)), atol=1e-12)
    with pytest.raises(ValueError, match="2 or more"):
        init.orthogonal_(ns.zeros(3))


def test_parameter_list_repr_as_torch():
    for shapes in [[(2, 3)], [(2,), (1, 4, 2)]]:
        ours = repr(ns.nn.ParameterList([ns.zeros(*s) for s in shapes]))
        ref = repr(torch.nn.ParameterList([torch.zeros(*s) for s in shapes]))
        assert ours.replace("nnscratch.", "torch.") == ref
