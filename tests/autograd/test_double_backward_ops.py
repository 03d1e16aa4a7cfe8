"""Second derivatives of the ops whose first-derivative rows live outside
``tests/ops/test_ops_gradcheck.py`` (issue 31 item 2: every gradcheck row has a second-derivative
row): the torch-parity tables of issue 32 (scatter/index/put/masked, diagonals, windows,
3-D convolution and pooling, fold/unfold, interpolate, the new activations, normalize, the
loss arguments, the math table) and the math ops tested one by one.

Each row is keyed by the pytest node id of the first-derivative test it doubles
(``tools/second_derivative_coverage.py`` counts the keys against the collected gradcheck
tests).  For each row:

* ``ns.autograd.gradgradcheck`` (float64, random cotangents; one random direction for rows
  with many entries, where the entrywise torch parity below is the exact check);
* double-backward parity with torch 2.13: with random cotangents u and v, the first
  derivatives ∂⟨u, f(x)⟩/∂x (recorded) and the gradient of ⟨v, ∂⟨u, f⟩/∂x⟩ with respect to x
  and u, rtol 1e-10, atol 1e-12 × (1 + the largest entry).

The rows are written once, ``fn(m, *inputs)`` against the shared API (``m`` is torch or
nnscratch), and most are imported from the first-order tables themselves, so a row added
there gets its second-derivative row here.
"""
import numpy as np
import pytest
import torch  # noqa: E402  (the parity oracle: a declared test dependency, never skipped)
from helpers import activation_cases as act1
from helpers import conv3d_cases as conv3d1
from helpers import conv_cases as conv1
from helpers import fold_cases as fold1
from helpers import loss_args_cases as loss1
from helpers import loss_cases as losses1
from helpers import ops_math_cases as math1
from helpers import ops_math_table_cases as table1
from helpers import pool_cases as pool1
from helpers import scatter_cases as scatter1
from helpers.torch_parity import F, _tensors

import nnscratch as ns

R = np.random.default_rng(31)


def _table_row_gradchecked(name, arrays, grad):
    """test_ops_math_table.py runs gradcheck on a row only when this holds (its condition)."""
    return (grad and name not in table1.NOT_SMOOTH and any(a.dtype.kind == "f" for a in arrays)
            and not any(a.dtype.kind == "f" and not np.isfinite(a).all() for a in arrays))


# Collected first-derivative tests whose parametrization runs no gradcheck (their function
# calls it only under a condition): not rows, for tools/second_derivative_coverage.py
NOT_GRADCHECKED = {f"test_ops_math_table.py::test_table_row_as_torch[{r[0]}]"
                   for r in table1.ROWS if not _table_row_gradchecked(r[0], r[2], r[3])} | {
    f"test_ops_math.py::test_cummax_cummin_values_indices_ties_nan_and_gradient[nan_inf-{n}]"
    for n in ("cummax", "cummin")}


def _rows():
    rows = []

    def add(key, fn, inputs):
        rows.append((key, fn, inputs))

    for name, fn, inputs in scatter1.GRAD_ROWS:
        add(f"test_torch_ops_scatter.py::test_gradcheck[{name}]", fn, inputs)
    for name, fn in act1.ACTIVATIONS.items():
        x = R.standard_normal((2, 3)) * 3
        x[np.abs(np.abs(x) - 3) < 0.05] += 0.2
        x[np.abs(x) < 0.05] += 0.2            # away from every kink (0, ±3, the range ends)
        add(f"test_torch_ops_activation.py::test_activation_gradcheck[{name}]", fn, [x])
    for name, fn, inputs in act1.SMOOTH:
        add(f"test_torch_ops_activation.py::test_softmin_normalize_gradcheck[{name}]", fn,
            inputs)
    for name, fn, inputs in conv3d1.ROWS:
        add(f"test_torch_ops_conv3d.py::test_gradcheck[{name}]", fn, inputs)
    for name, fn, inputs in fold1.ROWS:
        add(f"test_torch_ops_fold.py::test_gradcheck[{name}]", fn, inputs)
    for k, (mode, shape) in enumerate([("nearest", (1, 1, 5)), ("linear", (1, 2, 5)),
                                       ("bilinear", (1, 1, 4, 5)), ("bicubic", (1, 1, 4, 5)),
                                       ("trilinear", (1, 1, 2, 3, 2)),
                                       ("area", (1, 1, 6, 4))]):
        kw = dict(size=(4, 3)) if mode == "area" else dict(scale_factor=1.5)
        add(f"test_torch_ops_interpolate.py::test_float32_and_gradcheck[{mode}-shape{k}]",
            (lambda kw, mode: lambda m, x: F(m).interpolate(x, mode=mode, **kw))(kw, mode),
            [R.standard_normal(shape)])
    for name, fn, inputs in loss1.ROWS:
        if "to_empty" not in name:
            add(f"test_torch_ops_loss_args.py::test_gradcheck[{name}]", fn, inputs)
    for name, call, arrays, grad in table1.ROWS:
        if _table_row_gradchecked(name, arrays, grad):
            add(f"test_ops_math_table.py::test_table_row_as_torch[{name}]",
                (lambda call: lambda m, *xs: table1._first(call(m, *xs)))(call), arrays)
    add("test_ops_math_table.py::test_vander_gradient", lambda m, t: m.vander(t, N=4),
        [table1.F(3)])
    add("test_ops_math_table.py::test_det_gradient_of_a_singular_matrix_is_the_adjugate",
        lambda m, t: m.det(t), [table1.SINGULAR.copy()])
    rng = np.random.default_rng(5)
    for name, tname, sample in math1.UNARY:
        add(f"test_ops_math.py::test_unary_values_gradients_dtypes_and_edges_as_torch[{name}]",
            (lambda name: lambda m, x: getattr(x, name)())(name), [sample(rng)[:2]])
    for name, sample in math1.BINARY:
        add(f"test_ops_math.py::test_binary_values_gradients_dtypes_and_edges_as_torch[{name}]",
            (lambda name: lambda m, x, y: getattr(x, name)(y))(name),
            [a[..., :3] if a.shape[-1] == 4 else a for a in sample(rng)])
    a, b, w = rng.normal(size=(2, 3)), rng.normal(size=(2, 3)), rng.uniform(0, 1, (3,))
    add("test_ops_math.py::test_lerp_with_number_and_tensor_weights",
        lambda m, x, y, z: x.lerp(y, z), [a, b, w])
    add("test_ops_math.py::test_cross_product", lambda m, x, y: x.cross(y, dim=-1),
        [rng.normal(size=(2, 3)), rng.normal(size=(2, 3))])
    for name in ("cummax", "cummin"):
        add(f"test_ops_math.py::test_cummax_cummin_values_indices_ties_nan_and_gradient"
            f"[ties-{name}]", (lambda name: lambda m, x: getattr(m, name)(x, 0)[0])(name),
            [rng.normal(size=(4, 3))])
    for label, x in (("nonzero", np.array([[1.5, 2.0, -0.5], [0.5, 0.25, 4.0]])),
                     ("zeros", np.array([[1.5, 0.0, -0.5], [0.0, 0.25, 0.0]]))):
        add(f"test_ops_math.py::test_cumprod_gradient_with_and_without_zeros_as_torch"
            f"[{label}]", lambda m, t: m.stack([m.cumprod(t, 1), m.cumprod(t, 0)]), [x])
    add("test_ops_math.py::test_logcumsumexp_large_values_infinities_and_gradient",
        lambda m, t: t.logcumsumexp(1), [rng.normal(0, 3, (2, 4))])
    for approx in ("none", "tanh"):
        add(f"test_ops_math.py::test_gelu_exact_and_tanh_as_torch[{approx}]",
            (lambda approx: lambda m, t: F(m).gelu(t, approximate=approx))(approx),
            [rng.normal(0, 2, (2, 3))])
    for name in ("sign", "floor", "ceil", "round", "trunc"):
        add(f"test_torch_api_surface.py::test_piecewise_constant_methods_equal_torch_and_pass_"
            f"no_gradient[{name}]", (lambda name: lambda m, t: getattr(t, name)() * t)(name),
            [rng.normal(0, 3, 6) + 0.25])
    return rows + _window_rows(np.random.default_rng(6)) + _model_rows(np.random.default_rng(8))


def _cat(m, *ts):
    return m.cat([t.reshape(-1) for t in ts])


def _torch_rnn(kind, x, states, params, batch_first, reverse, **kw):
    """torch.nn.RNN/LSTM/GRU (one layer) run with the given parameters; time reversed for
    ``reverse`` (ops.*_sequence's single reversed direction)."""
    t_axis = 1 if batch_first else 0
    hidden = params[1].shape[1]
    mod = getattr(torch.nn, kind)(params[0].shape[1], hidden, batch_first=batch_first,
                                  dtype=torch.float64, **kw)
    names = ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"]
    if reverse:
        x = x.flip(t_axis)
    h = tuple(s[None] for s in states)
    out, hn = torch.func.functional_call(mod, dict(zip(names, params)),
                                         (x, h if kind == "LSTM" else h[0]))
    out = out.flip(t_axis) if reverse else out
    return (out, *(s[0] for s in (hn if kind == "LSTM" else (hn,))))


def _sequence(kind, batch_first=True, reverse=False, **kw):
    op = {"RNN": "rnn_sequence", "LSTM": "lstm_sequence", "GRU": "gru_sequence"}[kind]
    n_states = 2 if kind == "LSTM" else 1

    def fn(m, x, *rest):
        states, params = rest[:n_states], rest[n_states:]
        if m is torch:
            return _cat(m, *_torch_rnn(kind, x, states, params, batch_first, reverse, **kw))
        return _cat(m, *getattr(ns.ops, op)(x, *states, *params, batch_first=batch_first,
                                            reverse=reverse, **kw))
    return fn


def _model_rows(rng):
    """Rows doubling the gradchecks of the recurrent sequence ops (test_recurrent.py, with
    its shapes), attention, the VAE losses and the packed-row gathers."""
    rows = []
    n, t, i, h = 2, 4, 3, 3

    def arrays(*shapes):
        return [rng.standard_normal(s) * 0.8 for s in shapes]

    def add(key, fn, inputs):
        rows.append((key, fn, inputs))
    for nl, rev, bf in [("tanh", False, True), ("tanh", True, False), ("relu", True, True)]:
        add(f"test_recurrent.py::test_rnn_sequence_gradcheck[{nl}-{rev}-{bf}]",
            _sequence("RNN", bf, rev, nonlinearity=nl),
            arrays((n, t, i) if bf else (t, n, i), (n, h), (h, i), (h, h), (h,), (h,)))
    for rev in (False, True):
        add(f"test_recurrent.py::test_lstm_sequence_gradcheck[{rev}]", _sequence("LSTM", True, rev),
            arrays((n, t, i), (n, h), (n, h), (4 * h, i), (4 * h, h), (4 * h,), (4 * h,)))
    for after, rev in [(True, False), (True, True), (False, False), (False, True)]:
        kw = {} if after else {"reset_after": False}
        add(f"test_recurrent.py::test_gru_sequence_gradcheck[{after}-{rev}]",
            _sequence("GRU", True, rev, **kw),
            arrays((n, t, i), (n, h), (3 * h, i), (3 * h, h), (3 * h,), (3 * h,)))
    p = 2
    add("test_recurrent.py::test_lstm_sequence_with_projection_gradcheck",
        lambda m, x, *args: _cat(m, *ns.ops.lstm_sequence(x, *args)),
        arrays((n, t, i), (n, p), (n, h), (4 * h, i), (4 * h, p), (4 * h,), (4 * h,), (p, h)))
    for op, g in (("rnn", 1), ("lstm", 4), ("gru", 3), ("gru_cho", 3)):
        fn = {"rnn": ns.ops.rnn_sequence, "lstm": ns.ops.lstm_sequence,
              "gru": ns.ops.gru_sequence,
              "gru_cho": lambda *a, **k: ns.ops.gru_sequence(*a, reset_after=False, **k)}[op]

        def packed(m, *args, fn=fn):
            out, *states = fn(*args, batch_first=False, batch_sizes=np.array([2, 2, 1, 1]))
            return _cat(m, out[:2], out[2:, :1], *states)
        add(f"test_recurrent.py::test_sequence_ops_with_batch_sizes_gradcheck[{op}]", packed,
            arrays((t, n, i), *[(n, h)] * (2 if op == "lstm" else 1), (g * h, i), (g * h, h),
                   (g * h,), (g * h,)))
    ns.manual_seed(0)
    lstm = ns.nn.LSTM(i, h, num_layers=2, bidirectional=True, batch_first=True).double()
    tlstm = torch.nn.LSTM(i, h, num_layers=2, bidirectional=True, batch_first=True).double()
    tlstm.load_state_dict({k: torch.tensor(v.numpy()) for k, v in lstm.state_dict().items()})

    def stacked(m, x, h0, c0):
        out, (hn, cn) = (tlstm if m is torch else lstm)(x, (h0, c0))
        return _cat(m, out, hn, cn)
    add("test_recurrent.py::test_layer_gradcheck_stacked_bidirectional_lstm", stacked,
        arrays((n, t, i), (4, n, h), (4, n, h)))
    mask = rng.standard_normal((3, 5))
    add("test_attention.py::test_sdpa_gradcheck_and_dropout_and_errors",
        lambda m, q, k, v: F(m).scaled_dot_product_attention(q, k, v, m.tensor(mask)),
        arrays((2, 3, 4), (2, 5, 4), (2, 5, 3)))

    def kl(m, mp, lp, mq, lq):
        if m is torch:
            return (0.5 * (lq - lp + (lp.exp() + (mp - mq) ** 2) / lq.exp() - 1).sum(-1)).mean()
        return F(m).kl_div_gaussians(mp, lp, mq, lq)
    add("test_autoencoder.py::test_kl_div_gaussians_gradcheck", kl, arrays(*[(4, 3)] * 4))
    from nnscratch.nn.utils import rnn as R
    index = np.array([4, 0, 2, 5])
    add("test_recurrent_parity.py::test_row_gather_and_scatter_gradcheck",
        lambda m, a, b, c: _cat(m, R.take_rows(a, index=index),
                                R.put_rows(b, index=index, rows=7, fill=-1.0),
                                R.pad_packed_sequence(R.pack_padded_sequence(
                                    c, [5, 3, 1], batch_first=True), batch_first=True)[0]),
        arrays((6, 3), (4, 3), (3, 5, 2)))
    return rows


def _window_rows(rng):
    """Rows doubling the gradchecks written one by one in test_conv.py, test_pool.py,
    test_losses.py, test_layers_parity.py (their cases, one image per row)."""
    rows = []

    def add(key, fn, inputs):
        rows.append((key, fn, inputs))

    def conv(name, nd):
        return lambda s, p, d, g: lambda m, x, w, b: getattr(F(m), name)(
            x, w, b, stride=s, padding=p, dilation=d, groups=g)
    for cases, test, nd in ((conv1.CONV2D[:8], "test_conv2d_gradcheck", 2),
                            ([c for c in conv1.CONV2D if c[3] == "same"],
                             "test_conv2d_same_padding_gradcheck", 2),
                            (conv1.CONV1D, "test_conv1d_gradcheck", 1)):
        for case, cid in zip(cases, conv1._ids(cases)):
            xs, ws, *hp = case
            add(f"test_conv.py::{test}[{cid}]", conv(f"conv{nd}d", nd)(*hp),
                [rng.standard_normal((1,) + xs[1:]), rng.standard_normal(ws),
                 rng.standard_normal(ws[0])])
    add("test_conv.py::test_batchnorm2d_gradcheck",
        lambda m, x, w, b: m.stack([
            F(m).batch_norm(x, m.tensor(np.zeros(2)), m.tensor(np.ones(2)), w, b,
                            training=True),
            F(m).batch_norm(x, m.tensor(np.full(2, 0.3)), m.tensor(np.full(2, 2.0)), w, b,
                            training=False)]),
        [rng.standard_normal((3, 2, 3, 4)), rng.standard_normal(2), rng.standard_normal(2)])
    for shape, pad in conv1.PAD_CASES:
        for mode in ("constant", "reflect", "replicate", "circular"):
            add(f"test_conv.py::test_pad_modes_match_torch[{pad}-{mode}]",
                (lambda pad, mode: lambda m, x: F(m).pad(x, pad, mode))(pad, mode),
                [rng.standard_normal(shape)])
    for case in conv1.CONVT:
        xs, ws, s, p, op, d = case
        name = "conv_transpose2d" if len(xs) == 4 else "conv_transpose1d"
        add(f"test_conv.py::test_conv_transpose_matches_torch[{case}]",
            (lambda name, s, p, op, d: lambda m, x, w, b: getattr(F(m), name)(
                x, w, b, s, p, op, 1, d))(name, s, p, op, d),
            [rng.standard_normal((1,) + xs[1:]), rng.standard_normal(ws),
             rng.standard_normal(ws[1])])

    for case, cid in zip(pool1.CEIL, pool1._ids(pool1.CEIL)):
        shape, k, st, p = case
        add(f"test_pool.py::test_ceil_mode_matches_torch[{cid}]",
            (lambda k, st, p: lambda m, x: F(m).avg_pool2d(
                x, k, st, p, ceil_mode=True, count_include_pad=False))(k, st, p),
            [rng.standard_normal((1, 1) + shape[2:])])
    for n, (shape, k, st, p) in enumerate([((2, 3, 11), 2, None, 0), ((2, 2, 12), 3, 2, 1),
                                           ((1, 2, 9), 4, 1, 2)]):
        add(f"test_pool.py::test_avg_pool1d_matches_torch[shape{n}-{k}-{st}-{p}]",
            (lambda k, st, p: lambda m, x: m.stack([
                F(m).avg_pool1d(x, k, st, p, count_include_pad=c) for c in (True, False)]))(
                k, st, p), [rng.standard_normal((1,) + shape[1:])])
    for case, cid in zip(pool1.MAX2D[:5], pool1._ids(pool1.MAX2D[:5])):
        shape, *hp = case
        add(f"test_pool.py::test_max_pool2d_gradcheck[{cid}]",
            (lambda hp: lambda m, x: F(m).max_pool2d(x, *hp))(hp),
            [rng.permutation(int(np.prod(shape[1:]))).reshape((1,) + shape[1:]) * 0.1])
    add("test_pool.py::test_max_pool1d_gradcheck", lambda m, x: F(m).max_pool1d(x, 3, 2, 1),
        [rng.permutation(3 * 11).reshape(1, 3, 11) * 0.1])
    for case, cid in zip(pool1.AVG2D, pool1._ids(pool1.AVG2D)):
        shape, k, st, p, cip = case
        add(f"test_pool.py::test_avg_pool2d_gradcheck[{cid}]",
            (lambda k, st, p, cip: lambda m, x: F(m).avg_pool2d(
                x, k, st, p, count_include_pad=cip))(k, st, p, cip),
            [rng.standard_normal((1,) + shape[1:])])
    add("test_pool.py::test_global_avg_pool_gradcheck",
        lambda m, x: x.mean((2, 3)) if m is torch else m.nn.GlobalAvgPool2d()(x),
        [rng.standard_normal((2, 3, 3, 4))])
    for nd, shape, out in pool1.ADAPT:
        for kind in ("avg", "max"):
            add(f"test_pool.py::test_adaptive_pool_matches_torch[{shape}-{out}-{kind}]",
                (lambda name, out: lambda m, x: getattr(F(m), name)(x, out))(
                    f"adaptive_{kind}_pool{nd}d", out),
                [rng.permutation(int(np.prod(shape))).reshape(shape) * 0.1])
    x2 = rng.standard_normal((1, 2, 4, 4))
    add("test_pool.py::test_max_pool1d_indices_unpool_modules_match_torch",
        lambda m, v: F(m).max_unpool2d(v, F(m).max_pool2d(m.tensor(x2), 2,
                                                          return_indices=True)[1], 2),
        [rng.standard_normal((1, 2, 2, 2))])

    for opts in losses1.CE_OPTIONS:
        for red in losses1.REDUCTIONS:
            ours, _ = losses1._options(opts, rng)
            y = np.array([0, 2, 3, 0, 2])
            y[[1, 3]] = ours.get("ignore_index", 0)         # some ignored items when asked
            add(f"test_losses.py::test_cross_entropy_options_match_torch[{'-'.join(opts)}-{red}]",
                (lambda ours, red: lambda m, z, t: F(m).cross_entropy(
                    z, t, reduction=red, **{k: m.tensor(v) if k == "weight" else v
                                            for k, v in ours.items()}))(ours, red),
                [rng.standard_normal((5, 4)), y])
    for k, (groups, shape) in enumerate([(3, (2, 6, 5)), (1, (2, 4, 3, 3)), (6, (3, 6, 2, 2)),
                                         (2, (2, 6))]):
        add(f"test_layers_parity.py::test_group_norm_matches_torch"
            f"[{groups}-x_shape{k}-{k < 3}]",
            (lambda groups: lambda m, x, w, b: F(m).group_norm(x, groups, w, b))(groups),
            [rng.standard_normal((1,) + shape[1:]) if len(shape) > 2 else
             rng.standard_normal(shape), rng.standard_normal(shape[1]),
             rng.standard_normal(shape[1])])
    for k, (shape, kw) in enumerate([((2, 3, 4), dict(scale_factor=2)),
                                     ((1, 2, 3, 4), dict(scale_factor=(2, 3))),
                                     ((1, 2, 3, 4), dict(size=(6, 8))),
                                     ((1, 1, 2, 2, 2), dict(scale_factor=2))]):
        add(f"test_layers_parity.py::test_nearest_upsampling_matches_torch[shape{k}-kw{k}]",
            (lambda kw: lambda m, x: F(m).interpolate(x, **kw))(kw),
            [rng.standard_normal(shape)])
    return rows


ROWS = _rows()
KEYS = [r[0] for r in ROWS]

# rows whose first derivative has a kink the central differences of gradgradcheck straddle
# or that torch cannot differentiate twice; each says why.  {key: reason}
NO_GRADGRADCHECK: dict = {}
_NS_ONLY = ("no torch twin (GRU reset_after=False, LSTM projection in this layout, the "
            "fused ops' batch_sizes, the packed-row helpers): gradgradcheck only; the torch "
            "parity of these ops' second derivatives is in test_double_backward.py's WINDOW")
NO_TORCH: dict = {k: _NS_ONLY for k in KEYS if "False-" in k and "gru_sequence" in k
                   or "projection" in k or "batch_sizes" in k or "row_gather" in k}
NO_TORCH.update({
    f"test_torch_ops_scatter.py::test_gradcheck[{n}]": "torch 2.13 has no backward for "
    "scatter(reduce=) and fails its own shape check for a src larger than the index"
    for n in scatter1.NO_TORCH_GRAD})
NO_TORCH["test_ops_math_table.py::test_vander_gradient"] = (
    "torch 2.13's vander fails its own double backward (\"modified by an inplace operation\")")
NO_TORCH["test_torch_ops_activation.py::test_activation_gradcheck[hardsigmoid]"] = (
    "torch 2.13 refuses: derivative for aten::hardsigmoid_backward is not implemented (ours "
    "is 0 away from the kinks, checked by gradgradcheck)")

# Where torch's double backward is NaN and ours is the derivative's value (asserted: NaN in
# torch, finite here, equal elsewhere).  sinc''(0) = -π²/3: torch masks its first derivative
# at 0 and differentiates the masked-out 0/0 branch.
NAN_IN_TORCH = {"test_ops_math_table.py::test_table_row_as_torch[sinc]"}

# torch's float64 kernels with float32 constants (the first-order tables' tolerances)
TOL = {k: 1e-6 for k in KEYS if "celu" in k}

# entrywise gradgradcheck only for rows this small (inputs' entries); larger ones take one
# random direction (torch's fast_mode), the torch parity being the entrywise check
SMALL = 40


def _diff(inputs):
    return [i for i, a in enumerate(inputs) if isinstance(a, np.ndarray) and a.dtype.kind == "f"]


@pytest.mark.parametrize("key, fn, inputs", [r for r in ROWS if r[0] not in NO_GRADGRADCHECK],
                         ids=[k for k in KEYS if k not in NO_GRADGRADCHECK])
def test_gradgradcheck(key, fn, inputs):
    xs = _tensors(ns, inputs)
    size = sum(inputs[i].size for i in _diff(inputs))
    assert ns.autograd.gradgradcheck(lambda *t: fn(ns, *t), xs, fast_mode=size > SMALL)


def _np(g):
    g = g.detach()
    if isinstance(g, torch.Tensor):
        g = torch.Tensor(g) if type(g) is not torch.Tensor else g
        return np.zeros(tuple(g.shape)) if g._is_zerotensor() else g.numpy()
    return g.numpy()


def _second(m, fn, inputs, u, v):
    ts = _tensors(m, inputs)
    diff = [ts[i] for i in _diff(inputs)]
    ut = m.tensor(u, requires_grad=True)
    out = fn(m, *ts)
    gs = m.autograd.grad(out, diff, ut, create_graph=True, materialize_grads=True)
    s = sum((g * m.tensor(w)).sum() for g, w in zip(gs, v))
    if not s.requires_grad:          # torch records nothing when the gradient is constant
        return [_np(g) for g in gs], [np.zeros(tuple(t.shape)) for t in diff + [ut]]
    second = m.autograd.grad(s, diff + [ut], allow_unused=True, materialize_grads=True)
    return [_np(g) for g in gs], [_np(g) for g in second]


@pytest.mark.parametrize("key, fn, inputs", [r for r in ROWS if r[0] not in NO_TORCH],
                         ids=[k for k in KEYS if k not in NO_TORCH])
def test_double_backward_matches_torch(key, fn, inputs):
    rng = np.random.default_rng(1)
    with ns.no_grad():
        shape = fn(ns, *_tensors(ns, inputs, grad=False)).shape
    u = rng.standard_normal(tuple(shape))
    v = [rng.standard_normal(inputs[i].shape) for i in _diff(inputs)]
    first, second = _second(ns, fn, inputs, u, v)
    first_t, second_t = _second(torch, fn, inputs, u, v)
    if key in NAN_IN_TORCH:
        assert any(np.isnan(b).any() for b in second_t)
        assert all(np.isfinite(a).all() for a in second)
        second = [np.where(np.isnan(b), np.nan, a) for a, b in zip(second, second_t)]
    for a, b in zip(first + second, first_t + second_t):
        scale = 1 + np.nanmax(np.abs(b), initial=0)
        np.testing.assert_allclose(a, b, rtol=TOL.get(key, 1e-10), atol=1e-12 * scale,
                                   equal_nan=key in NAN_IN_TORCH)


# ------------------------------------------------ models without a torch twin, and refusals
def _vae(recon="mse"):
    from nnscratch.models import VAE
    enc = ns.nn.Sequential(ns.nn.Linear(5, 6), ns.nn.Tanh(), ns.nn.Linear(6, 4))
    dec = ns.nn.Sequential(ns.nn.Linear(2, 6), ns.nn.Tanh(), ns.nn.Linear(6, 5))
    return VAE(enc, dec, 2, recon=recon).double()


MODEL_KEYS = ["test_autoencoder.py::test_vae_gradient_including_the_sampling_path_passes_"
              "gradcheck", "test_autoencoder.py::test_bce_vae_gradient_passes_gradcheck"]
KEYS += MODEL_KEYS


@pytest.mark.parametrize("key", MODEL_KEYS, ids=MODEL_KEYS)
def test_vae_losses_twice(key):
    """The VAE's loss (linear, tanh, the reparameterised sample, the reconstruction loss, the
    Gaussian KL) differentiated twice with respect to its parameters (and the input), one
    random direction; each part has its own torch parity row above."""
    ns.manual_seed(0)
    bce = "bce" in key
    model = _vae("bce" if bce else "mse")
    g = np.random.default_rng(2 if bce else 1)
    x = ns.tensor(g.random((3, 5)), requires_grad=not bce)
    noise = g.standard_normal((3, 2))
    params = list(model.parameters())
    inputs = params if bce else [x] + params
    assert ns.autograd.gradgradcheck(lambda *ps: model.loss(x, noise=noise), inputs,
                                     fast_mode=True)


# first-derivative rows whose op refuses create_graph=True, naming itself and the reason
REFUSES = {"test_distributed.py::test_sync_batch_norm_alone_matches_torch_batch_norm":
           r"sync_batch_norm_train cannot be differentiated twice: its batch statistics and "
           r"their gradients are all-reduced across the processes"}


def test_sync_batch_norm_refuses_create_graph_naming_itself_and_why():
    from nnscratch.ops.sync_norm import sync_batch_norm
    x = ns.tensor(R.standard_normal((5, 4)), requires_grad=True)
    w, b = ns.tensor(np.ones(4), requires_grad=True), ns.tensor(np.zeros(4), requires_grad=True)
    y = sync_batch_norm(x, None, None, w, b, 0.1, 1e-5, lambda s: s)
    ns.autograd.grad((y ** 3).sum(), x, retain_graph=True)          # first order: fine
    with pytest.raises(RuntimeError, match="create_graph=True: " + next(iter(REFUSES.values()))):
        ns.autograd.grad((y ** 3).sum(), x, create_graph=True)


# How each fused op these rows reach is differentiated twice (docs/higher-order.md's table):
# "by hand" (its polymorphic forward and VJP rerun on the graph's Tensors), "linear" (the VJP
# is linear in g with constant coefficients, recorded as it is), "composite" (the forward
# recomputed from recorded ops under create_graph only)
SECOND = {
    "batch_norm_train": "by hand", "batch_norm_eval": "by hand", "group_norm": "by hand",
    "einsum": "by hand",
    "concatenate": "linear", "stack": "linear", "adaptive_avg": "linear",
    "adaptive_max": "linear", "unpool": "linear", "take_rows": "linear", "put_rows": "linear",
    "cummax": "linear", "cummin": "linear",
    "conv": "composite", "conv_transpose": "composite", "conv_nd": "composite",
    "conv_transpose_nd": "composite", "max_pool": "composite", "avg_pool": "composite",
    "max_pool_nd": "composite", "avg_pool_nd": "composite", "take_pad": "composite",
    "cross_entropy": "composite", "nll_loss": "composite", "binary_cross_entropy": "composite",
    "binary_cross_entropy_with_logits": "composite", "rnn_sequence": "composite",
    "lstm_sequence": "composite", "gru_sequence": "composite",
}
_KIND = {"rerun": "by hand", "linear": "linear", "composite": "composite"}


def test_second_derivative_table_names_every_fused_op_of_these_rows():
    """Every fused op these rows reach is in SECOND, with the kind it declares."""
    from nnscratch.autograd import graph
    seen = {}
    for key, fn, inputs in ROWS:
        out = fn(ns, *_tensors(ns, inputs))
        for node in graph._toposort(out.grad_fn) if out.grad_fn is not None else ():
            if isinstance(node.again, tuple) or node.again == "linear":
                seen[node.name] = _KIND[node.again if node.again == "linear" else node.again[0]]
    assert seen == {k: v for k, v in SECOND.items() if k in seen}
    assert set(seen) == set(SECOND), set(SECOND) - set(seen)


@pytest.mark.parametrize("kw", [{}, {"label_smoothing": 0.1}], ids=["plain", "smoothing"])
def test_cross_entropy_with_every_item_ignored_has_torchs_zero_gradient(kw):
    """(found while adding the rows above) mean over a total weight of 0: loss NaN, gradient 0
    in torch; it was NaN here."""
    z = R.standard_normal((3, 4))
    grads = []
    for m in (ns, torch):
        t = m.tensor(z, requires_grad=True)
        loss = F(m).cross_entropy(t, m.tensor(np.array([1, 1, 1])), ignore_index=1, **kw)
        assert np.isnan(loss.item())
        loss.backward()
        grads.append(_np(t.grad))
    np.testing.assert_array_equal(grads[0], grads[1])
