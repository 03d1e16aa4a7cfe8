"""Names from docs/torch-scan.md's "missing" list that a CPU NumPy library can honour, each
against torch 2.13: ``select``, ``Tensor.where``, ``F.relu_``, ``set_printoptions``,
``set_float32_matmul_precision`` and ``torch.version``.  Values and gradients exact (the same
entries are picked or formatted), float64."""
import numpy as np
import pytest
import torch

import nnscratch as ns
import nnscratch.nn.functional as F

R = np.random.default_rng(7)


def _pair(shape):
    a = R.standard_normal(shape)
    return ns.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)


@pytest.mark.parametrize("dim,index", [(0, 1), (1, -1), (-1, 0), (2, 3), (-3, -2)])
def test_select_values_and_gradient_as_torch(dim, index):
    x, xt = _pair((3, 2, 4))
    y, yt = ns.select(x, dim, index), xt.select(dim, index)
    np.testing.assert_array_equal(y.detach().numpy(), yt.detach().numpy())
    g = R.standard_normal(tuple(yt.shape))
    y.backward(ns.tensor(g))
    yt.backward(torch.tensor(g))
    np.testing.assert_array_equal(x.grad.numpy(), xt.grad.numpy())
    np.testing.assert_array_equal(x.select(dim, index).detach().numpy(), yt.detach().numpy())


def test_select_out_of_range_is_an_index_error_as_torch():
    x = ns.zeros(3, 2)
    with pytest.raises(IndexError, match=r"index 3 out of range .* \[3, 2\] at dimension 0"):
        x.select(0, 3)
    with pytest.raises(IndexError):
        torch.zeros(3, 2).select(0, 3)


def test_tensor_where_is_torch_where_with_self_first():
    x, xt = _pair((4, 3))
    y, yt = _pair((4, 3))
    cond = R.standard_normal((4, 3)) > 0
    out, out_t = x.where(ns.tensor(cond), y), xt.where(torch.tensor(cond), yt)
    np.testing.assert_array_equal(out.detach().numpy(), out_t.detach().numpy())
    out.sum().backward()
    out_t.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), xt.grad.numpy())
    np.testing.assert_array_equal(y.grad.numpy(), yt.grad.numpy())


def test_functional_relu_in_place_as_torch():
    a = R.standard_normal((5,))
    x, xt = ns.tensor(a), torch.tensor(a)
    assert F.relu_(x) is x
    torch.nn.functional.relu_(xt)
    np.testing.assert_array_equal(x.numpy(), xt.numpy())


@pytest.fixture
def default_print_options():
    yield
    ns.set_printoptions(profile="default")
    torch.set_printoptions(profile="default")


@pytest.mark.parametrize("options", [
    {"precision": 2}, {"sci_mode": True}, {"sci_mode": False}, {"profile": "short"},
    {"threshold": 5, "edgeitems": 1}, {"linewidth": 30}, {"profile": "full"}])
def test_set_printoptions_prints_as_torch(options, default_print_options):
    ns.set_printoptions(**options)
    torch.set_printoptions(**options)
    for a in (np.array([1.5, -2.25, 3.0, 1e-5, 12345.678], np.float32),
              np.arange(12, dtype=np.float32).reshape(3, 4) / 7,
              np.linspace(-1, 1, 2000, dtype=np.float32), np.arange(8)):
        assert repr(ns.tensor(a)) == repr(torch.tensor(a)), options


def test_set_printoptions_refuses_bad_values(default_print_options):
    with pytest.raises(ValueError, match="profile"):
        ns.set_printoptions(profile="long")
    with pytest.raises(ValueError, match="precision"):
        ns.set_printoptions(precision=-1)


def test_float32_matmul_precision_round_trip():
    assert ns.get_float32_matmul_precision() == torch.get_float32_matmul_precision() == "highest"
    ns.set_float32_matmul_precision("medium")
    assert ns.get_float32_matmul_precision() == "medium"
    ns.set_float32_matmul_precision("highest")
    with pytest.raises(ValueError, match="'highest', 'high' or 'medium', got 'fast'"):
        ns.set_float32_matmul_precision("fast")


def test_version_module_as_torch_cpu_build():
    assert ns.version.__version__ == ns.__version__
    assert ns.version.cuda is None and torch.version.cuda is None       # a CPU build
    assert ns.version.hip is None and torch.version.hip is None
