"""Bad input at the public entry points: each error names the argument, expected and actual."""
import numpy as np
import pytest

import nnscratch as ns
import nnscratch.nn as nn
import nnscratch.nn.functional as F


@pytest.fixture
def logits():
    return ns.randn(4, 3, requires_grad=True)


# ------------------------------------------------------------------ tensors and factories
def test_tensor_requires_grad_needs_float():
    with pytest.raises(TypeError, match=r"requires_grad=True needs a floating dtype.*int64"):
        ns.tensor([1, 2], requires_grad=True)
    with pytest.raises(TypeError, match=r"requires_grad=True.*bool"):
        ns.tensor([True], requires_grad=True)
    with pytest.raises(TypeError, match=r"requires_grad=True.*int32"):
        ns.tensor([1.5], dtype=np.int32, requires_grad=True)


def test_tensor_bad_dtype_and_data():
    with pytest.raises(TypeError, match="expected a dtype.*'foo'"):
        ns.tensor([1.0], dtype="foo")
    with pytest.raises(TypeError, match="data must be numeric.*<U3"):
        ns.tensor("abc")


@pytest.mark.parametrize("factory", [ns.zeros, ns.ones, ns.randn, ns.rand])
def test_factories_reject_negative_and_non_integer_shapes(factory):
    name = factory.__name__
    with pytest.raises(ValueError, match=rf"{name}: shape must be non-negative.*\(2, -1\)"):
        factory(2, -1)
    with pytest.raises(TypeError, match=rf"{name}: shape must be integers.*2.5"):
        factory(2.5)


def test_default_dtype_and_seed():
    with pytest.raises(TypeError, match="float32 or float64, got int8"):
        ns.set_default_dtype(np.int8)
    with pytest.raises(ValueError, match="seed must be >= 0, got -1"):
        ns.manual_seed(-1)
    with pytest.raises(TypeError, match="seed must be an int, got float"):
        ns.manual_seed(1.5)


def test_item_and_backward_misuse():
    with pytest.raises(ValueError, match="3 elements, expected 1"):
        ns.zeros(3).item()
    x = ns.ones(2, 2, requires_grad=True)
    with pytest.raises(ValueError, match=r"grad shape \(2,\) != tensor shape \(2, 2\)"):
        (x * 2).backward(np.ones(2))


def test_matmul_shapes_named():
    with pytest.raises(ValueError, match=r"matmul: shapes \(4, 3\) and \(4, 2\) are not aligned"):
        ns.ones(4, 3) @ ns.ones(4, 2)
    with pytest.raises(ValueError, match=r"matmul: shapes \(3,\) and \(2,\)"):
        ns.ones(3) @ ns.ones(2)


def test_pad_width():
    with pytest.raises(ValueError, match=r"pad_axes: pad_width must be >= 0, got \(\(1, -1\),\)"):
        ns.ops.pad_axes(ns.ones(3), ((1, -1),))


def test_concatenate_and_stack_empty():
    with pytest.raises(ValueError, match="concatenate: expected a non-empty sequence"):
        ns.concatenate([])
    with pytest.raises(ValueError, match="stack: expected a non-empty sequence"):
        ns.stack([])


# ------------------------------------------------------------------ layers
def test_linear_wrong_feature_count_names_both_numbers():
    with pytest.raises(ValueError, match=r"Linear\(4, 2\): expected input with last dimension 4"
                                         r", got shape \(3, 5\)"):
        nn.Linear(4, 2)(ns.randn(3, 5))


def test_functional_linear_shapes():
    with pytest.raises(ValueError, match=r"linear: input's last dimension must equal "
                                         r"weight.shape\[1\].*\(4, 3\).*\(2, 5\)"):
        F.linear(ns.randn(4, 3), ns.randn(2, 5))
    with pytest.raises(ValueError, match=r"linear: bias must have shape \(2,\), got \(3,\)"):
        F.linear(ns.randn(4, 3), ns.randn(2, 3), ns.randn(3))


@pytest.mark.parametrize("args, exc, msg", [
    ((0, 2), ValueError, "in_features must be an int >= 1, got 0"),
    ((4, -2), ValueError, "out_features must be an int >= 1, got -2"),
    ((4.0, 2), TypeError, "in_features must be an int, got float"),
])
def test_linear_constructor(args, exc, msg):
    with pytest.raises(exc, match=msg):
        nn.Linear(*args)


def test_layer_input_types():
    with pytest.raises(TypeError, match="Linear: input must be a Tensor or ndarray, got list"):
        nn.Linear(3, 2)([[1.0, 2.0, 3.0]])
    with pytest.raises(TypeError, match="ReLU: input must be a Tensor or ndarray, got str"):
        nn.ReLU()("x")


def test_batch_norm_inputs():
    with pytest.raises(ValueError, match=r"BatchNorm1d\(3\): expected input \(N, C\) or "
                                         r"\(N, C, L\) with C = 3, got shape \(4, 2\)"):
        nn.BatchNorm1d(3)(ns.randn(4, 2))
    with pytest.raises(ValueError, match=r"BatchNorm2d\(3\).*got shape \(4, 3\)"):
        nn.BatchNorm2d(3)(ns.randn(4, 3))
    with pytest.raises(ValueError, match=r"more than 1 value per channel.*\(1, 3\)"):
        nn.BatchNorm1d(3)(ns.randn(1, 3))
    with pytest.raises(ValueError, match="eps must be > 0, got 0"):
        nn.BatchNorm1d(3, eps=0)
    with pytest.raises(ValueError, match="momentum must be in \\[0, 1\\] or None, got 2"):
        nn.BatchNorm1d(3, momentum=2)
    with pytest.raises(ValueError, match=r"batch_norm: running_mean must have shape \(3,\)"):
        F.batch_norm(ns.randn(4, 3), np.zeros(2), np.ones(3), training=True)


def test_embedding_indices():
    emb = nn.Embedding(3, 2)
    with pytest.raises(ValueError, match=r"indices must be in \[0, 3\), got range \[0, 3\]"):
        emb(np.array([0, 3]))
    with pytest.raises(ValueError, match=r"indices must be in \[0, 3\), got range \[-1, 1\]"):
        emb(np.array([-1, 1]))
    with pytest.raises(TypeError, match="indices must be integers, got dtype float64"):
        emb(np.array([0.0, 1.0]))
    with pytest.raises(ValueError, match="num_embeddings must be an int >= 1, got 0"):
        nn.Embedding(0, 2)


def test_dropout_probability():
    with pytest.raises(ValueError, match=r"Dropout: p must be in \[0, 1\], got 1.5"):
        nn.Dropout(1.5)
    with pytest.raises(TypeError, match="Dropout: p must be a number in \\[0, 1\\], got str"):
        nn.Dropout("0.5")
    with pytest.raises(ValueError, match=r"dropout: p must be in \[0, 1\], got -0.1"):
        F.dropout(ns.ones(2), -0.1)
    with pytest.raises(ValueError, match="got nan"):
        F.dropout(ns.ones(2), float("nan"))


def test_activation_arguments():
    with pytest.raises(TypeError, match="negative_slope must be a number, got str"):
        nn.LeakyReLU("a")
    with pytest.raises(TypeError, match="Sequential: argument 1 must be a Module, got int"):
        nn.Sequential(nn.ReLU(), 3)


# ------------------------------------------------------------------ losses
def test_cross_entropy_labels_outside_range(logits):
    with pytest.raises(ValueError, match=r"cross_entropy: class labels must be in \[0, 3\), got 3"):
        F.cross_entropy(logits, [0, 1, 2, 3])
    with pytest.raises(ValueError, match=r"class labels must be in \[0, 3\), got -1"):
        F.cross_entropy(logits, np.array([0, -1, 2, 1]))


def test_cross_entropy_float_1d_targets(logits):
    with pytest.raises(TypeError, match="1-D target must hold integer class indices, "
                                        "got dtype float64"):
        F.cross_entropy(logits, [0.0, 1.0, 2.0, 1.0])
    with pytest.raises(TypeError, match="got dtype bool"):
        F.cross_entropy(logits, np.ones((4, 3), bool))


@pytest.mark.parametrize("target, msg", [
    (np.array([0, 1, 2]), r"target shape must be \(4,\) for input of 4 rows, got \(3,\)"),
    (np.ones((4, 2)), r"target shape \(4, 2\) must equal input shape \(4, 3\)"),
    (np.zeros((4, 3, 1), int), r"target shape \(4, 3, 1\) must equal input shape \(4, 3\)"),
])
def test_cross_entropy_wrong_target_shapes(logits, target, msg):
    with pytest.raises(ValueError, match=msg):
        F.cross_entropy(logits, target)


def test_cross_entropy_logits_shape():
    # an unbatched (C,) input takes a class index () or probabilities (C,), as torch
    with pytest.raises(ValueError, match=r"unbatched input \(C,\) the target must be a class "
                                         r"index \(\) or probabilities \(C,\), got shape "
                                         r"\(1,\)"):
        F.cross_entropy(ns.randn(3), [0])


def test_nll_loss_targets(logits):
    with pytest.raises(ValueError, match=r"nll_loss: class labels must be in \[0, 3\), got 5"):
        F.nll_loss(logits, [0, 1, 5, 0])
    with pytest.raises(TypeError, match="nll_loss: integer class targets expected, got dtype "
                                        "float64"):
        F.nll_loss(logits, [0.0, 1.0, 2.0, 0.0])
    with pytest.raises(ValueError, match=r"target shape must be \(4,\).*got \(1, 4\)"):
        F.nll_loss(logits, [[0, 1, 2, 0]])


@pytest.mark.parametrize("fn", [F.mse_loss, F.binary_cross_entropy_with_logits])
def test_elementwise_losses_target_shape(fn, logits):
    name = fn.__name__
    with pytest.raises(ValueError, match=rf"{name}: target shape \(4,\) must equal input shape "
                                         r"\(4, 3\)"):
        fn(logits, np.ones(4))
    with pytest.raises(TypeError, match=rf"{name}: input must be a Tensor, got ndarray"):
        fn(np.ones(3), np.ones(3))


def test_bce_needs_probabilities(logits):
    with pytest.raises(ValueError, match=r"binary_cross_entropy: input must be probabilities "
                                         r"in \[0, 1\].*binary_cross_entropy_with_logits"):
        F.binary_cross_entropy(logits, np.ones((4, 3)))
    with pytest.raises(ValueError, match=r"target shape \(3, 4\) must equal input shape"):
        F.binary_cross_entropy(logits.sigmoid(), np.ones((3, 4)))


def test_reductions(logits):
    with pytest.raises(ValueError, match=r"reduction must be one of .*, got 'avg'"):
        F.cross_entropy(logits, [0, 1, 2, 0], reduction="avg")
    with pytest.raises(ValueError, match=r"MSELoss: reduction must be .*, got 'avg'"):
        nn.MSELoss(reduction="avg")


def test_kl_div_gaussian():
    with pytest.raises(ValueError, match=r"mu shape \(4, 3\) != logvar shape \(4, 2\)"):
        F.kl_div_gaussian(ns.randn(4, 3), ns.randn(4, 2))
    with pytest.raises(TypeError, match=r"kl_div_gaussian \(logvar\): input must be a Tensor"):
        F.kl_div_gaussian(ns.randn(4, 3), np.ones((4, 3)))


# ------------------------------------------------------------------ modules and helpers
def test_module_to_needs_a_float_dtype():
    with pytest.raises(TypeError, match=r"to: dtype must be a float dtype.*got int64"):
        nn.Linear(2, 2).to(np.int64)


def test_load_state_dict_shape_error():
    with pytest.raises(ValueError, match=r"load_state_dict: weight has shape \(2, 4\) in the "
                                         r"state dict, but the module expects \(2, 3\)"):
        nn.Linear(3, 2).load_state_dict({"weight": np.ones((2, 4)), "bias": np.ones(2)})


def test_gradcheck_arguments():
    with pytest.raises(TypeError, match="input 0 has dtype float32; use float64"):
        ns.gradcheck(lambda x: x, [ns.ones(2, requires_grad=True)])
