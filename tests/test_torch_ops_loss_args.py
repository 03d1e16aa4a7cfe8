"""Loss arguments of issue 32 against torch 2.13: ``pos_weight`` and ``weight`` of the BCE
losses, ``weight`` positional in ``nll_loss``/``cross_entropy`` (torch's argument order),
K-dimensional inputs ``(N, C, d1, ...)``, unbatched ``(C,)`` inputs with a class index or a
probability target ``(C,)``, the legacy ``size_average``/``reduce`` flags, and negative
``F.pad`` (a crop).  Values and gradients of every float input (float64 within 1e-12 unless
stated) and a float64 gradient check of each row.
"""
import numpy as np
import pytest
import torch  # noqa: E402  (the parity oracle: a declared test dependency, never skipped)
import torch.nn.functional as TF  # noqa: E402
from torch_parity import Const, F, check_gradcheck, check_parity  # noqa: E402

import nnscratch.nn.functional as NF  # noqa: E402

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


@pytest.mark.parametrize("fn, inputs", [r[1:] for r in ROWS], ids=[r[0] for r in ROWS])
def test_matches_torch(fn, inputs):
    check_parity(fn, inputs)


@pytest.mark.parametrize("fn, inputs", [r[1:] for r in ROWS if "to_empty" not in r[0]],
                         ids=[r[0] for r in ROWS if "to_empty" not in r[0]])
def test_gradcheck(fn, inputs):
    check_gradcheck(fn, inputs)


def test_pad_crop_too_far_is_torchs_error():
    import nnscratch as ns
    with pytest.raises(RuntimeError):
        TF.pad(torch.ones(2, 3), (-2, -2))
    with pytest.raises(RuntimeError):
        NF.pad(ns.ones(2, 3), (-2, -2))
