"""Error types against torch 2.13: where torch raises RuntimeError for a shape or value error
(matmul, reshape, einsum, conv, broadcasting, integer to a negative power, ...), nnscratch
raises a ShapeError, which is a RuntimeError and also the ValueError of its bad-input
contract; and the message names the argument, the expected and the actual value.
"""
import pytest
import torch  # noqa: E402  (the parity oracle: a declared test dependency, never skipped)
from helpers.torch_parity import F  # noqa: E402

import nnscratch as ns  # noqa: E402

CASES = [
    ("matmul", lambda m: m.ones(2, 3) @ m.ones(2, 3), "matmul"),
    ("mm", lambda m: m.mm(m.ones(2, 3), m.ones(2, 3)), "matmul"),
    ("bmm", lambda m: m.bmm(m.ones(2, 2, 3), m.ones(3, 3, 2)), "matmul"),
    ("dot", lambda m: m.dot(m.ones(3), m.ones(4)), "matmul"),
    ("reshape", lambda m: m.ones(2, 3).reshape(4, 2), "reshape"),
    ("view", lambda m: m.ones(2, 3).view(4, 2), "reshape"),
    ("view_as", lambda m: m.ones(6).view_as(m.ones(4)), "reshape"),
    ("unflatten", lambda m: m.ones(6).unflatten(0, (4, 2)), "reshape"),
    ("einsum", lambda m: m.einsum("ij,jk->ik", m.ones(2, 3), m.ones(2, 3)), "einsum"),
    ("conv2d_channels", lambda m: F(m).conv2d(m.ones(1, 3, 5, 5), m.ones(4, 2, 3, 3)),
     "channels"),
    ("conv_transpose2d_channels", lambda m: F(m).conv_transpose2d(m.ones(1, 3, 5, 5),
                                                                 m.ones(4, 2, 3, 3)),
     "channels"),
    ("int_negative_power", lambda m: m.tensor([2, 3]) ** -1, "negative"),
    ("add_broadcast", lambda m: m.ones(2, 3) + m.ones(3, 2), "broadcast"),
    ("sub_broadcast", lambda m: m.ones(2, 3) - m.ones(4), "broadcast"),
    ("cat", lambda m: m.cat([m.ones(2, 3), m.ones(3, 2)]), "concatenat"),
    ("stack", lambda m: m.stack([m.ones(2, 3), m.ones(3, 2)]), "stack"),
    ("expand", lambda m: m.ones(2, 3).expand(3, 3), "broadcast"),
    ("where", lambda m: m.where(m.ones(2, 3) > 0, m.ones(2, 3), m.ones(3, 2)), "broadcast"),
    ("linear", lambda m: F(m).linear(m.ones(2, 3), m.ones(4, 5)), "linear"),
    ("mse_loss", lambda m: F(m).mse_loss(m.ones(2, 3), m.ones(3, 2)), "shape"),
    ("max_pool2d", lambda m: F(m).max_pool2d(m.ones(1, 1, 2, 2), 3), "kernel_size"),
    ("avg_pool2d", lambda m: F(m).avg_pool2d(m.ones(1, 1, 2, 2), 3), "kernel_size"),
    ("layer_norm", lambda m: F(m).layer_norm(m.ones(2, 3), (4,)), "normalized_shape"),
    ("batch_norm", lambda m: F(m).batch_norm(m.ones(2, 3), m.zeros(4), m.ones(4)),
     "running_mean"),
    ("gather_range", lambda m: m.ones(2, 3).gather(1, m.tensor([[5]])), "out of bounds"),
    ("chunk_zero", lambda m: m.ones(6).chunk(0), "chunks"),
    ("narrow_range", lambda m: m.ones(6).narrow(0, 4, 5), "exceeds"),
    ("setitem_shape", lambda m: m.ones(2, 3).__setitem__(0, m.ones(4)), "shape"),
]


@pytest.mark.parametrize("call, words", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_runtime_error_as_torch(call, words):
    with pytest.raises(RuntimeError):
        call(torch)
    with pytest.raises(RuntimeError) as e:
        call(ns)
    assert isinstance(e.value, ValueError) or "setitem" in str(e.value) or \
        "output with shape" in str(e.value), f"not also a ValueError: {type(e.value)}"
    assert words.lower() in str(e.value).lower(), f"message {str(e.value)!r} lacks {words!r}"


def test_shape_error_is_both():
    assert issubclass(ns.autograd.core.ShapeError, RuntimeError)
    assert issubclass(ns.autograd.core.ShapeError, ValueError)


INDEX_CASES = [
    ("softmax_dim", lambda m: m.ones(6).softmax(3), "out of range"),
    ("cross_entropy_label", lambda m: F(m).cross_entropy(m.ones(2, 3), m.tensor([0, 5])),
     "out of bounds"),
    ("nll_loss_label", lambda m: F(m).nll_loss(m.ones(2, 3), m.tensor([-2, 0])), "out of bounds"),
    ("embedding_index", lambda m: F(m).embedding(m.tensor([5]), m.ones(3, 2)), "[0, 3)"),
    ("take_index", lambda m: m.ones(3).take(m.tensor([7])), "out of"),
]


@pytest.mark.parametrize("call, words", [c[1:] for c in INDEX_CASES],
                         ids=[c[0] for c in INDEX_CASES])
def test_index_error_as_torch(call, words):
    """Where torch raises IndexError, so does nnscratch (with an error that is also a
    ValueError, nnscratch's bad-input type)."""
    with pytest.raises(IndexError):
        call(torch)
    with pytest.raises(IndexError) as e:
        call(ns)
    assert isinstance(e.value, ValueError)
    assert words in str(e.value), f"message {str(e.value)!r} lacks {words!r}"
