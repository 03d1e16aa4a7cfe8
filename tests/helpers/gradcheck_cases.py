"""The gradcheck table: one row per op behaviour (``CASES``), run for first derivatives by
``ops/test_ops_gradcheck.py`` and for second derivatives by ``autograd/test_double_backward.py``."""
import numpy as np

import nnscratch as ns
import nnscratch.nn.functional as F
from nnscratch import ops


# ------------------------------------------------------------------ input makers
def N(*shape):
    """Standard normal float64 input (differentiated)."""
    return lambda rng: rng.standard_normal(shape)

def P(*shape):
    """Positive float64 input, away from 0 (for log, sqrt, power bases)."""
    return lambda rng: rng.uniform(0.5, 2.0, shape)

def U(lo, hi, *shape):
    return lambda rng: rng.uniform(lo, hi, shape)

def C(array):
    """A fixed input: float arrays are differentiated, integer arrays are passed as they are."""
    return lambda rng: np.array(array)

def SIMPLEX(n, k):
    """Rows of probabilities (soft targets), differentiated too."""
    def make(rng):
        e = rng.uniform(0.1, 1.0, (n, k))
        return e / e.sum(axis=1, keepdims=True)
    return make

def INT(high, *shape):
    return lambda rng: rng.integers(0, high, shape)

TIES = [[1.0, 3.0, 3.0, -2.0], [2.0, 0.5, -1.0, 2.0], [-4.0, -4.0, 5.0, 0.0]]

def _dropout_fixed(x):
    ns.manual_seed(7)  # the same mask for every evaluation
    return F.dropout(x, 0.3, training=True)

def _dropout_channels_fixed(x):
    ns.manual_seed(7)
    return ops.dropout_channels(x, 0.4, training=True)

def _feature_dropout_fixed(x):
    ns.manual_seed(7)
    return ops.feature_dropout(x, 0.4, training=True)

def _bn_train(x, w, b):
    c = x.shape[1]
    return F.batch_norm(x, np.zeros(c), np.ones(c), w, b, training=True)

def _bn_eval(x, w, b):
    c = x.shape[1]
    rm, rv = np.linspace(-0.5, 0.5, c), np.linspace(0.5, 2.0, c)
    return F.batch_norm(x, rm, rv, w, b, training=False)

CASES = [
    # arithmetic, with broadcasting in both directions and 0-d operands
    ("add", lambda a, b: a + b, [N(3, 4), N(3, 4)]),
    ("add_row", lambda a, b: a + b, [N(3, 4), N(4)]),
    ("add_col_row", lambda a, b: a + b, [N(3, 1), N(1, 4)]),
    ("add_0d", lambda a, b: a + b, [N(3, 4), N()]),
    ("sub_row", lambda a, b: a - b, [N(4), N(2, 3, 4)]),
    ("mul_row", lambda a, b: a * b, [N(3, 4), N(4)]),
    ("mul_mid", lambda a, b: a * b, [N(2, 3, 4), N(3, 1)]),
    ("div", lambda a, b: a / b, [N(3, 4), P(3, 4)]),
    ("div_col", lambda a, b: a / b, [N(3, 4), P(3, 1)]),
    ("neg", lambda a: -a, [N(5)]),
    ("scalar_ops", lambda a: (2.0 - a) * 3 + 1 / (a * a + 1) - a / 4, [N(3, 2)]),
    ("pow_scalar", lambda a: a ** 3, [N(4, 3)]),
    ("pow_half", lambda a: a ** 0.5, [P(4)]),
    ("pow_tensor", lambda a, b: a ** b, [P(3, 4), N(3, 4)]),
    ("pow_tensor_bcast", lambda a, b: a ** b, [P(3, 4), N(4)]),
    ("rpow", lambda b: 2.0 ** b, [N(5)]),
    ("pow_zero_exponent_at_zero", lambda a: a ** 0, [C([0.0, 1.0, -2.0])]),
    ("pow_tensor_zero_exponent", lambda a: a ** ns.zeros(2, dtype=np.float64),
     [C([0.0, 1.5])]),
    ("matmul", lambda a, b: a @ b, [N(2, 3), N(3, 5)]),
    ("matmul_1d_1d", lambda a, b: a @ b, [N(4), N(4)]),
    ("matmul_1d_2d", lambda a, b: a @ b, [N(3), N(3, 2)]),
    ("matmul_2d_1d", lambda a, b: a @ b, [N(2, 3), N(3)]),
    ("matmul_batched", lambda a, b: a @ b, [N(2, 3, 4), N(2, 4, 2)]),
    ("matmul_batched_2d", lambda a, b: a @ b, [N(2, 3, 4), N(4, 2)]),
    ("matmul_2d_batched", lambda a, b: a @ b, [N(3, 4), N(2, 4, 2)]),
    ("matmul_batch_bcast", lambda a, b: a @ b, [N(2, 1, 3, 4), N(3, 4, 2)]),
    ("matmul_1d_batched", lambda a, b: a @ b, [N(4), N(2, 4, 3)]),
    ("matmul_batched_1d", lambda a, b: a @ b, [N(2, 3, 4), N(4)]),
    # elementwise
    ("exp", lambda a: a.exp(), [N(3, 4)]),
    ("log", lambda a: a.log(), [P(3, 4)]),
    ("sqrt", lambda a: a.sqrt(), [P(3, 4)]),
    ("abs", lambda a: a.abs(), [N(3, 4)]),
    ("sin", lambda a: a.sin(), [N(3, 4)]),
    ("cos", lambda a: a.cos(), [N(3, 4)]),
    ("clip", lambda a: a.clip(-0.5, 0.7), [N(4, 5)]),
    ("clip_lo", lambda a: a.clip(lo=0.1), [N(4, 5)]),
    ("relu", lambda a: F.relu(a), [N(4, 5)]),
    ("leaky_relu", lambda a: F.leaky_relu(a, 0.2), [N(4, 5)]),
    ("sigmoid", lambda a: F.sigmoid(a), [N(4, 5)]),
    ("tanh", lambda a: F.tanh(a), [N(4, 5)]),
    ("maximum", lambda a, b: ns.maximum(a, b), [N(3, 4), N(4)]),
    ("maximum_ties", lambda a, b: ns.maximum(a, b), [C([1.0, 0.0, 3.0]), C([3.0, 0.0, 1.0])]),
    ("minimum", lambda a, b: ns.minimum(a, b), [N(3, 4), N(3, 1)]),
    # reductions
    ("sum", lambda a: a.sum(), [N(3, 4)]),
    ("sum_axis0", lambda a: a.sum(axis=0), [N(3, 4)]),
    ("sum_axis_neg_keep", lambda a: a.sum(axis=-1, keepdims=True), [N(2, 3, 4)]),
    ("sum_axes_tuple", lambda a: a.sum(axis=(0, 2)), [N(2, 3, 4)]),
    ("mean", lambda a: a.mean(), [N(3, 4)]),
    ("mean_axis1", lambda a: a.mean(axis=1), [N(2, 3, 4)]),
    ("mean_keep", lambda a: a.mean(axis=(0, -1), keepdims=True), [N(2, 3, 4)]),
    ("max", lambda a: a.max(), [N(3, 4)]),
    ("max_axis", lambda a: a.amax(axis=1), [N(3, 4)]),
    ("max_ties_axis1", lambda a: a.amax(axis=1), [C(TIES)]),
    ("max_ties_axis0_keep", lambda a: a.amax(axis=0, keepdims=True), [C(TIES)]),
    ("max_ties_all", lambda a: a.max(), [C([[1.0, 3.0], [3.0, -1.0]])]),
    ("min_ties_axis1", lambda a: a.amin(axis=1), [C(TIES)]),
    ("min_axis_neg_keep", lambda a: a.amin(axis=-1, keepdims=True), [N(2, 3, 4)]),
    ("var", lambda a: a.var(), [N(3, 4)]),
    ("var_axis0_ddof1", lambda a: a.var(axis=0, ddof=1), [N(3, 4)]),
    ("var_keep", lambda a: a.var(axis=-1, keepdims=True), [N(2, 3, 4)]),
    ("std", lambda a: a.std(axis=1), [N(3, 4)]),
    # shape ops
    ("reshape", lambda a: a.reshape(4, 3), [N(2, 6)]),
    ("reshape_neg1", lambda a: a.reshape(-1), [N(2, 3, 2)]),
    ("flatten", lambda a: a.flatten(1), [N(2, 3, 2)]),
    ("squeeze_unsqueeze", lambda a: a.squeeze(1).unsqueeze(0), [N(3, 1, 2)]),
    ("T", lambda a: a.T, [N(3, 4)]),
    ("transpose_axes", lambda a: a.permute(2, 0, 1), [N(2, 3, 4)]),
    ("transpose_neg_axes", lambda a: a.permute(-1, 0, 1), [N(2, 3, 4)]),
    ("permute", lambda a: a.permute(1, -1, 0), [N(2, 3, 4)]),
    # torch's shape methods
    ("broadcast_to", lambda a: a.expand(2, 3, 4) * ns.tensor(np.arange(24.0).reshape(2, 3, 4)),
     [N(3, 1)]),
    ("tile", lambda a: a.repeat(2, 1, 3), [N(2, 3)]),
    ("flip", lambda a: a.flip((0, -1)), [N(2, 3, 4)]),
    ("clone", lambda a: a.clone() * a, [N(3, 4)]),
    ("gather", lambda a: a.gather(1, ns.tensor([[0, 0, 2], [1, 2, 1]])), [N(2, 3)]),
    ("index_select", lambda a: a.index_select(1, ns.tensor([2, 0, 2, 1])), [N(2, 3)]),
    ("index_select_dim0", lambda a: ns.index_select(a, 0, ns.tensor([1, 1])), [N(3, 2, 2)]),
    ("roll", lambda a: a.roll((1, -2), (0, 2)), [N(2, 3, 4)]),
    ("roll_flat", lambda a: a.roll(5), [N(2, 3)]),
    ("tril", lambda a: a.tril(-1), [N(2, 4, 3)]),
    ("triu", lambda a: a.triu(1), [N(4, 4)]),
    ("sort_values", lambda a: a.sort(1, descending=True).values, [N(3, 5)]),
    ("topk_values", lambda a: a.topk(2, dim=0, largest=False).values, [N(4, 3)]),
    ("cumsum", lambda a: a.cumsum(1), [N(3, 4)]),
    ("cumsum_dim0", lambda a: ns.cumsum(a, dim=0), [N(4, 2)]),
    ("logsumexp", lambda a: a.logsumexp(1), [N(3, 4)]),
    ("logsumexp_dims_keepdim", lambda a: a.logsumexp((0, 2), keepdim=True), [N(2, 3, 4)]),
    ("logsumexp_large", lambda a: (a * 400).logsumexp(0), [N(5, 2)]),   # no overflow
    ("einsum_matmul", lambda a, b: ns.einsum("ij,jk->ik", a, b), [N(3, 4), N(4, 2)]),
    ("einsum_batch", lambda a, b: ns.einsum("bij,bkj->bik", a, b), [N(2, 3, 4), N(2, 5, 4)]),
    ("einsum_three", lambda a, b, c: ns.einsum("i,ij,j", a, b, c), [N(3), N(3, 4), N(4)]),
    ("einsum_trace", lambda a: ns.einsum("ii", a), [N(4, 4)]),
    ("einsum_diagonal", lambda a: ns.einsum("bii->bi", a), [N(2, 3, 3)]),
    ("einsum_lone", lambda a, b: ns.einsum("ij,k->ik", a, b), [N(3, 4), N(2)]),
    ("einsum_size1", lambda a, b: ns.einsum("ij,ij->ij", a, b), [N(3, 1), N(3, 4)]),
    ("einsum_ellipsis", lambda a, b: ns.einsum("...ij,jk", a, b), [N(2, 3, 4), N(4, 2)]),
    ("einsum_outer_list", lambda a, b: ns.einsum("i,j->ij", [a, b]), [N(3), N(4)]),
    ("outer", lambda a, b: ns.outer(a, b), [N(3), N(4)]),
    ("movedim", lambda a: a.movedim((0, 1), (2, 0)) * ns.arange(24.0).reshape(3, 4, 2),
     [N(2, 3, 4)]),
    ("index_put", lambda a, v: ops.index_put(a, (slice(None), [0, 2]), v), [N(3, 4), N(3, 1)]),
    ("setitem_in_graph", lambda a, v: _setitem_graph(a, v), [N(3, 4), N(2,)]),
    ("max_dim_values", lambda a: a.max(dim=1).values, [N(3, 4)]),
    ("split_chunk_narrow", lambda a: a.split([1, 2], 1)[1] * a.chunk(3, 1)[0]
     + a.narrow(1, 2, 1), [N(2, 3)]),
    ("prod", lambda a: a.prod(dim=1), [N(3, 4)]),
    ("prod_with_zero", lambda a: a.prod(), [C([[0.5, 0.0], [2.0, -1.5]])]),
    ("norm", lambda a: ops.norm(a) + ops.norm(a, 1, dim=0).sum(), [N(3, 4)]),
    ("inplace_in_graph", lambda a, b: _inplace_graph(a, b), [N(3, 4), N(3, 4)]),
    ("getitem_int", lambda a: a[1], [N(3, 4)]),
    ("getitem_slice", lambda a: a[1:, ::2], [N(3, 4)]),
    ("getitem_neg_step", lambda a: a[::-1, 1:3], [N(3, 4)]),
    ("getitem_ellipsis_none", lambda a: a[..., None, 0], [N(2, 3, 4)]),
    ("getitem_intarray_repeat", lambda a: a[[0, 2, 0, 0]], [N(3, 4)]),
    ("getitem_intarray_ndarray", lambda a: a[np.array([[1, 1], [0, 2]])], [N(3, 2)]),
    ("getitem_pairs_repeat", lambda a: a[[0, 1, 0], [2, 2, 2]], [N(3, 4)]),
    ("getitem_slice_intarray", lambda a: a[:, [3, 0, 3]], [N(3, 4)]),
    ("getitem_tensor_index", lambda a: a[ns.tensor(np.array([2, 2, 1]))], [N(3, 4)]),
    ("getitem_bool_mask", lambda a: a[np.array([[True, False, True, False]] * 3)], [N(3, 4)]),
    ("getitem_bool_rows", lambda a: a[np.array([True, False, True])], [N(3, 4)]),
    ("getitem_cmp_mask", lambda a: a[(a > 0).numpy()], [N(3, 4)]),
    ("getitem_tensor_mask", lambda a: a[a > 0], [N(3, 4)]),
    ("concatenate_axis0", lambda a, b: ns.concatenate([a, b], axis=0), [N(2, 3), N(4, 3)]),
    ("concatenate_axis_neg", lambda a, b, c: ns.concatenate([a, b, c], axis=-1),
     [N(2, 1), N(2, 3), N(2, 2)]),
    ("concatenate_same", lambda a: ns.concatenate([a, a * 2], axis=1), [N(2, 3)]),
    ("concatenate_with_list", lambda a: ns.concatenate([a, [[1.0], [2.0]]], axis=1), [N(2, 3)]),
    ("stack_axis0", lambda a, b: ns.stack([a, b]), [N(2, 3), N(2, 3)]),
    ("stack_axis_neg", lambda a, b, c: ns.stack([a, b, c], axis=-1), [N(2, 3), N(2, 3), N(2, 3)]),
    ("where", lambda a, b: ns.where(a.numpy() > 0, a, b), [N(3, 4), N(3, 4)]),
    ("where_bcast", lambda a, b: ns.where(np.array([True, False, True, True]), a, b),
     [N(3, 4), N(3, 1)]),
    ("where_scalar", lambda a: ns.where(a > 0, a, 0.0), [N(3, 4)]),
    ("pad_axes_int", lambda a: ops.pad_axes(a, 1), [N(2, 3)]),
    ("pad_axes_per_axis", lambda a: ops.pad_axes(a, ((0, 0), (1, 2), (2, 0)), value=3.0),
     [N(2, 3, 2)]),
    ("elu", lambda a: F.elu(a * 3, 0.7), [N(3, 4)]),
    ("silu", lambda a: F.silu(a * 3), [N(3, 4)]),
    ("softplus", lambda a: F.softplus(a * 3, 2.0, 4.0), [N(3, 4)]),
    ("log1p", lambda a: a.log1p(), [U(-0.5, 2.0, 3, 4)]),
    ("expm1", lambda a: ns.expm1(a), [N(3, 4)]),
    # softmax family
    ("softmax", lambda a: F.softmax(a), [N(3, 5)]),
    ("softmax_axis0", lambda a: F.softmax(a, axis=0), [N(3, 5)]),
    ("softmax_3d", lambda a: F.softmax(a, axis=1), [N(2, 3, 4)]),
    ("log_softmax", lambda a: F.log_softmax(a), [N(3, 5)]),
    ("log_softmax_axis0", lambda a: F.log_softmax(a, axis=0), [N(2, 3, 4)]),
    # linear
    ("linear", lambda x, w, b: F.linear(x, w, b), [N(4, 3), N(5, 3), N(5)]),
    ("linear_nobias", lambda x, w: F.linear(x, w), [N(4, 3), N(5, 3)]),
    ("linear_bias_by_keyword", lambda x, w, b: F.linear(x, w, b=b), [N(4, 3), N(5, 3), N(5)]),
    ("linear_3d", lambda x, w, b: F.linear(x, w, b), [N(2, 4, 3), N(5, 3), N(5)]),
    ("linear_1d", lambda x, w, b: F.linear(x, w, b), [N(3), N(2, 3), N(2)]),
    # losses: every reduction, gradients for prediction and (float) target
    *[(f"mse_{r}", lambda p, t, r=r: F.mse_loss(p, t, reduction=r), [N(4, 3), N(4, 3)])
      for r in ("mean", "sum", "none")],
    *[(f"bce_{r}", lambda p, t, r=r: F.binary_cross_entropy(p, t, reduction=r),
       [U(0.05, 0.95, 4, 3), U(0, 1, 4, 3)]) for r in ("mean", "sum", "none")],
    *[(f"bce_logits_{r}", lambda z, t, r=r: F.binary_cross_entropy_with_logits(z, t, reduction=r),
       [N(4, 3), U(0, 1, 4, 3)]) for r in ("mean", "sum", "none")],
    *[(f"cross_entropy_int_{r}", lambda z, y, r=r: F.cross_entropy(z, y, reduction=r),
       [N(5, 4), C([0, 3, 3, 1, 2])]) for r in ("mean", "sum", "none")],
    *[(f"cross_entropy_prob_{r}", lambda z, t, r=r: F.cross_entropy(z, t, reduction=r),
       [N(5, 4), SIMPLEX(5, 4)]) for r in ("mean", "sum", "none")],
    ("cross_entropy_unnormalised_t", lambda z, t: F.cross_entropy(z, t), [N(3, 4), P(3, 4)]),
    *[(f"nll_{r}", lambda lp, y, r=r: F.nll_loss(lp, y, reduction=r),
       [N(5, 4), C([0, 3, 3, 1, 2])]) for r in ("mean", "sum", "none")],
    ("nll_of_log_softmax", lambda z, y: F.nll_loss(F.log_softmax(z), y), [N(5, 4), INT(4, 5)]),
    ("kl_div_gaussian", lambda mu, lv: F.kl_div_gaussian(mu, lv), [N(4, 3), N(4, 3)]),
    *[(f"l1_loss_{r}", lambda p, t, r=r: F.l1_loss(p, t, reduction=r), [N(4, 3), N(4, 3)])
      for r in ("mean", "sum", "none")],
    *[(f"smooth_l1_loss_{r}", lambda p, t, r=r: F.smooth_l1_loss(p, t, reduction=r, beta=0.8),
       [N(4, 3), N(4, 3)]) for r in ("mean", "sum", "none")],
    *[(f"huber_loss_{r}", lambda p, t, r=r: F.huber_loss(p, t, reduction=r, delta=0.6),
       [N(4, 3), N(4, 3)]) for r in ("mean", "sum", "none")],
    # dropout (fixed seed), batch norm, embedding
    ("dropout_fixed_seed", _dropout_fixed, [N(4, 5)]),
    ("dropout_eval", lambda x: F.dropout(x, 0.5, training=False) * 1.0, [N(4, 5)]),
    ("dropout_channels_fixed_seed", _dropout_channels_fixed, [N(3, 4, 5)]),
    ("feature_dropout_fixed_seed", _feature_dropout_fixed, [N(3, 4, 5)]),
    ("group_norm", lambda x, w, b: F.group_norm(x, 2, w, b), [N(2, 4, 3), P(4), N(4)]),
    ("batch_norm_train_2d", _bn_train, [N(6, 3), P(3), N(3)]),
    ("batch_norm_train_3d", _bn_train, [N(3, 2, 4), P(2), N(2)]),
    ("batch_norm_train_4d", _bn_train, [N(2, 2, 3, 3), P(2), N(2)]),
    ("batch_norm_train_noaffine",
     lambda x: F.batch_norm(x, None, None, None, None, training=True), [N(5, 3)]),
    ("batch_norm_eval_2d", _bn_eval, [N(6, 3), P(3), N(3)]),
    ("batch_norm_eval_3d", _bn_eval, [N(3, 2, 4), P(2), N(2)]),
    ("batch_norm_eval_4d", _bn_eval, [N(2, 2, 3, 3), P(2), N(2)]),
    ("layer_norm_last", lambda x, w, b: F.layer_norm(x, (4,), w, b), [N(3, 4), P(4), N(4)]),
    ("layer_norm_last2", lambda x, w, b: F.layer_norm(x, (3, 2), w, b),
     [N(2, 4, 3, 2), P(3, 2), N(3, 2)]),
    ("layer_norm_noaffine", lambda x: F.layer_norm(x, 5), [N(2, 3, 5)]),
    ("embedding_repeats", lambda w: F.embedding(np.array([[0, 2, 0], [1, 2, 2]]), w), [N(4, 3)]),
    ("embedding_tensor_idx", lambda w: F.embedding(ns.tensor([3, 3, 3]), w), [N(4, 2)]),
    # a composite expression: many ops and a tensor used several times
    ("composite", lambda a, b: ((a @ b).tanh() * a.sum(axis=1, keepdims=True)
                                + (a[:, :1] ** 2).exp()).log_softmax().mean(axis=0),
     [N(3, 4), N(4, 2)]),
]

def _setitem_graph(a, v):
    """``t[idx] = v`` on a tensor inside the graph: a's overwritten entries get no gradient."""
    y = a * 1.0
    y[1, 1:3] = v
    return y * a

def _inplace_graph(a, b):
    """In-place ops on a non-leaf are recorded (torch's rebasing of the graph)."""
    y = a * 2.0
    y.mul_(b)
    y.add_(a, alpha=0.5)
    y.tanh_()
    return y
