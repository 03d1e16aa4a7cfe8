"""The loss-argument rows of ``ops/test_torch_ops_loss_args.py``, also doubled by
``autograd/test_double_backward_ops.py``."""
import numpy as np

from helpers.torch_parity import Const, F  # noqa: E402

R = np.random.default_rng(11)

def probs(*shape, axis=1):
    e = R.uniform(0.1, 1.0, shape)
    return e / e.sum(axis=axis, keepdims=True)

def I(a):  # noqa: E743
    return np.array(a, dtype=np.int64)

ROWS = [
    ("bce_logits_pos_weight", lambda m, z, t, p: F(m).binary_cross_entropy_with_logits(
        z, t, pos_weight=p), [R.standard_normal((4, 3)), R.uniform(0, 1, (4, 3)),
                              Const(R.uniform(0.5, 3, 3))]),
    ("bce_logits_pos_weight_sum", lambda m, z, t, p: F(m).binary_cross_entropy_with_logits(
        z, t, reduction="sum", pos_weight=p),
     [R.standard_normal((2, 3)) * 30, R.uniform(0, 1, (2, 3)), Const(R.uniform(0.5, 3, 3))]),
    ("bce_logits_pos_weight_none", lambda m, z, t, p: F(m).binary_cross_entropy_with_logits(
        z, t, reduction="none", pos_weight=p),
     [R.standard_normal((2, 3)), R.uniform(0, 1, (2, 3)), Const(R.uniform(0.5, 3, (2, 3)))]),
    ("bce_logits_weight", lambda m, z, t, w: F(m).binary_cross_entropy_with_logits(z, t, w),
     [R.standard_normal((4, 3)), R.uniform(0, 1, (4, 3)), Const(R.uniform(0, 2, 3))]),
    ("bce_logits_module", lambda m, z, t, p: m.nn.BCEWithLogitsLoss(pos_weight=p)(z, t),
     [R.standard_normal((4, 3)), R.uniform(0, 1, (4, 3)), Const(R.uniform(0.5, 3, 3))]),
    ("bce_weight", lambda m, p, t, w: F(m).binary_cross_entropy(p, t, w),
     [R.uniform(0.05, 0.95, (3, 2)), R.uniform(0, 1, (3, 2)), Const(R.uniform(0, 2, (3, 1)))]),
    ("bce_weight_module_legacy", lambda m, p, t: m.nn.BCELoss(reduce=False)(p, t),
     [R.uniform(0.05, 0.95, (3, 2)), R.uniform(0, 1, (3, 2))]),
    ("nll_weight_positional", lambda m, x, t, w: F(m).nll_loss(x, t, w),
     [R.standard_normal((5, 3)), I([0, 2, 1, 2, 2]), Const(R.uniform(0.5, 2, 3))]),
    ("nll_kdim", lambda m, x, t: F(m).nll_loss(x, t), [R.standard_normal((2, 3, 4)),
                                                        I(R.integers(0, 3, (2, 4)))]),
    ("nll_kdim_none_weight", lambda m, x, t, w: F(m).nll_loss(x, t, w, reduction="none"),
     [R.standard_normal((2, 3, 2, 2)), I(R.integers(0, 3, (2, 2, 2))),
      Const(R.uniform(0.5, 2, 3))]),
    ("nll_kdim_ignore", lambda m, x, t: F(m).nll_loss(x, t, ignore_index=1),
     [R.standard_normal((2, 3, 4)), I(R.integers(0, 3, (2, 4)))]),
    ("nll_unbatched", lambda m, x, t: F(m).nll_loss(x, t), [R.standard_normal(4), I(2)]),
    ("nll_legacy_size_average", lambda m, x, t: F(m).nll_loss(x, t, size_average=False),
     [R.standard_normal((3, 4)), I([0, 3, 1])]),
    ("ce_weight_positional", lambda m, x, t, w: F(m).cross_entropy(x, t, w),
     [R.standard_normal((5, 3)), I([0, 2, 1, 2, 2]), Const(R.uniform(0.5, 2, 3))]),
    ("ce_kdim", lambda m, x, t: F(m).cross_entropy(x, t), [R.standard_normal((2, 3, 4)),
                                                           I(R.integers(0, 3, (2, 4)))]),
    ("ce_kdim_2d_none", lambda m, x, t: F(m).cross_entropy(x, t, reduction="none"),
     [R.standard_normal((2, 4, 3, 2)), I(R.integers(0, 4, (2, 3, 2)))]),
    ("ce_kdim_smoothing_weight", lambda m, x, t, w: F(m).cross_entropy(
        x, t, w, label_smoothing=0.2), [R.standard_normal((2, 3, 5)),
                                        I(R.integers(0, 3, (2, 5))), Const(R.uniform(0.5, 2, 3))]),
    ("ce_kdim_probs", lambda m, x, t: F(m).cross_entropy(x, t),
     [R.standard_normal((2, 3, 4)), probs(2, 3, 4)]),
    ("ce_kdim_probs_none", lambda m, x, t: F(m).cross_entropy(x, t, reduction="none"),
     [R.standard_normal((2, 3, 2, 2)), probs(2, 3, 2, 2)]),
    ("ce_unbatched_index", lambda m, x, t: F(m).cross_entropy(x, t), [R.standard_normal(4),
                                                                      I(1)]),
    ("ce_unbatched_probs", lambda m, x, t: F(m).cross_entropy(x, t),
     [R.standard_normal(4), probs(4, axis=0)]),
    ("ce_unbatched_probs_none", lambda m, x, t: F(m).cross_entropy(x, t, reduction="none"),
     [R.standard_normal(4), probs(4, axis=0)]),
    ("ce_module_kdim", lambda m, x, t: m.nn.CrossEntropyLoss()(x, t),
     [R.standard_normal((2, 3, 4)), I(R.integers(0, 3, (2, 4)))]),
    ("pad_negative", lambda m, x: F(m).pad(x, (-1, 2)), [R.standard_normal((2, 4))]),
    ("pad_negative_both", lambda m, x: F(m).pad(x, (1, -2, -1, -1), value=3.0),
     [R.standard_normal((2, 3, 5))]),
    ("pad_negative_to_empty", lambda m, x: F(m).pad(x, (-2, -2)), [R.standard_normal((2, 4))]),
]
