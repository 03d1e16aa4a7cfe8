"""Second derivatives of every op: one row per row of the first-order gradcheck table.

For each row of ``tests/ops/test_ops_gradcheck.py``:

* ``ns.autograd.gradgradcheck`` (float64, random cotangents): the recorded backward checked
  against central differences of the first derivatives;
* double-backward parity with torch 2.13 (rtol 1e-10, atol 1e-12 times the array's largest
  entry plus one, for entries that are sums of cancelling terms): with random cotangents u and
  v, the gradient of ⟨v, ∂⟨u, f(x)⟩/∂x⟩ with respect to x and to u.

The torch side runs the row's own function with ``ns``/``F``/``ops`` bound to torch (tensor
methods take NumPy's ``axis=``/``keepdims=`` in both libraries); rows written with an
nnscratch-only spelling have their torch counterpart in ``TORCH``.  ``SECOND`` records how
each fused op is differentiated twice (the table the issue asks for).
"""
import types

import numpy as np
import pytest
import torch  # noqa: E402  (the parity oracle: a declared test dependency, never skipped)
from helpers.gradcheck_cases import CASES

import nnscratch as ns
import nnscratch.nn.functional as F
from nnscratch.autograd import graph

TF = torch.nn.functional

# Where the first derivative jumps (ties of max/min), central differences of it do not exist;
# these rows are checked against torch's double backward only.
KINKS = {"maximum_ties", "max_ties_axis1", "max_ties_axis0_keep", "max_ties_all",
         "min_ties_axis1"}


# How a fused op is differentiated twice ("by hand": its own polymorphic backward recorded;
# "linear": the VJP is linear in g with constant coefficients; "composite": the forward
# recomputed from recorded primitives under create_graph only).  Primitives are all by hand.
SECOND = {
    "batch_norm_train": "by hand", "batch_norm_eval": "by hand", "layer_norm": "by hand",
    "group_norm": "by hand", "einsum": "by hand",
    "dropout": "linear", "concatenate": "linear", "stack": "linear",
    "linear": "composite", "embedding": "composite", "mse_loss": "composite",
    "l1_loss": "composite", "smooth_l1_loss": "composite", "huber_loss": "composite",
    "cross_entropy": "composite", "nll_loss": "composite", "binary_cross_entropy": "composite",
    "binary_cross_entropy_with_logits": "composite",
}


# ------------------------------------------------------------- torch side of each row
def _kw(kwargs):
    kw = dict(kwargs)
    if "ddof" in kw:
        kw["correction"] = kw.pop("ddof")
    if "lo" in kw or "hi" in kw:
        kw["min"], kw["max"] = kw.pop("lo", None), kw.pop("hi", None)
    return kw


class TT(torch.Tensor):
    """torch.Tensor taking nnscratch's NumPy-style keywords (``ddof``, ``lo``/``hi``)."""

    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        return super().__torch_function__(func, types, args, _kw(kwargs or {}))

    def clip(self, lo=None, hi=None):
        return torch.clamp(self, lo, hi)

    def var(self, axis=None, keepdims=False, ddof=None):   # the parser rejects ddof= first
        kw = {} if ddof is None else {"correction": ddof}
        return torch.var(self, axis, keepdim=keepdims, **kw)


def _t(x):
    return torch.as_tensor(x._data if isinstance(x, ns.Tensor) else x)


class _NS:
    """``ns`` for the torch side."""
    tensor = staticmethod(lambda x, **k: torch.as_tensor(np.asarray(x)))
    zeros = staticmethod(lambda *s, dtype=None: torch.zeros(*s, dtype=torch.float64))
    arange = staticmethod(lambda *a: torch.arange(*a, dtype=torch.float64))
    maximum, minimum = staticmethod(torch.maximum), staticmethod(torch.minimum)
    index_select, einsum = staticmethod(torch.index_select), staticmethod(torch.einsum)
    outer, expm1 = staticmethod(torch.outer), staticmethod(torch.expm1)
    cumsum = staticmethod(lambda a, dim: torch.cumsum(a, dim))
    concatenate = staticmethod(lambda ts, axis=0: torch.cat([_t(t) if not isinstance(
        t, torch.Tensor) else t for t in ts], axis))
    stack = staticmethod(lambda ts, axis=0: torch.stack(ts, axis))
    where = staticmethod(lambda c, a, b: torch.where(_t(c).bool(), a, b))


class _F:
    """``nnscratch.nn.functional`` for the torch side."""

    def __getattr__(self, name):
        return getattr(TF, name)

    softmax = staticmethod(lambda a, axis=-1: TF.softmax(a, axis))
    log_softmax = staticmethod(lambda a, axis=-1: TF.log_softmax(a, axis))
    sigmoid, tanh = staticmethod(torch.sigmoid), staticmethod(torch.tanh)
    binary_cross_entropy = staticmethod(TF.binary_cross_entropy)

    @staticmethod
    def kl_div_gaussian(mu, lv):
        return (-0.5 * (1 + lv - mu * mu - lv.exp()).sum(dim=1)).mean()

    @staticmethod
    def batch_norm(x, rm, rv, w=None, b=None, training=False):
        return TF.batch_norm(x, None if rm is None else _t(rm), None if rv is None else _t(rv),
                             w, b, training=training)

    @staticmethod
    def embedding(idx, w):
        return TF.embedding(_t(idx), w)


class _OPS:
    """``nnscratch.ops`` for the torch side."""

    @staticmethod
    def index_put(a, idx, v):
        return _index_put(a, idx, v)

    @staticmethod
    def pad_axes(a, pad_width, value=0.0):
        w = np.broadcast_to(np.asarray(pad_width).reshape(-1, 2) if np.ndim(pad_width)
                            else [[pad_width, pad_width]], (a.ndim, 2))
        return TF.pad(a, [int(v) for pair in w[::-1] for v in pair], value=value)

    @staticmethod
    def norm(a, p=2, dim=None):
        return torch.linalg.vector_norm(a, p, dim=dim)


def _index_put(a, idx, v):
    out = a.clone()
    out[idx] = v
    return out


def _dropout_mask(x, p, shape):
    ns.manual_seed(7)
    keep = ns.random.generator().random(shape) >= p
    return x * torch.as_tensor(keep / (1 - p))


TORCH = {
    "pow_tensor_zero_exponent": lambda a: a ** torch.zeros(2, dtype=torch.float64),
    "broadcast_to": lambda a: a.expand(2, 3, 4) * torch.arange(24.0, dtype=torch.float64)
    .reshape(2, 3, 4),
    "getitem_tensor_index": lambda a: a[torch.tensor([2, 2, 1])],
    "getitem_cmp_mask": lambda a: a[(a > 0).detach()],
    "where": lambda a, b: torch.where(a.detach() > 0, a, b),
    "concatenate_with_list": lambda a: torch.cat([a, torch.tensor([[1.0], [2.0]],
                                                                  dtype=torch.float64)], 1),
    "movedim": lambda a: a.movedim((0, 1), (2, 0)) * torch.arange(24.0, dtype=torch.float64)
    .reshape(3, 4, 2),
    "max_ties_axis0_keep": lambda a: a.amax(0, keepdim=True),
    "dropout_fixed_seed": lambda x: _dropout_mask(x, 0.3, (4, 5)),
    "dropout_channels_fixed_seed": lambda x: _dropout_mask(x, 0.4, (3, 4, 1)),
    "feature_dropout_fixed_seed": lambda x: _dropout_mask(x, 0.4, (3, 4, 1)),
    "setitem_in_graph": lambda a, v: _index_put(a * 1.0, (1, slice(1, 3)), v) * a,
    "nll_of_log_softmax": lambda z, y: TF.nll_loss(TF.log_softmax(z, 1), y),
    "getitem_neg_step": lambda a: a.flip(0)[:, 1:3],
    "linear_bias_by_keyword": lambda x, w, b: TF.linear(x, w, bias=b),
    "layer_norm_noaffine": lambda x: TF.layer_norm(x, (5,)),
    "composite": lambda a, b: ((a @ b).tanh() * a.sum(axis=1, keepdims=True)
                               + (a[:, :1] ** 2).exp()).log_softmax(-1).mean(axis=0),
}


# Where nnscratch deliberately differs: d²(a^b)/da² at a = 0 with a tensor exponent b = 0.
# a^0 = 1 is constant, so every derivative is 0 (nnscratch); torch's formula differentiates
# through 0^(b-1) = inf and gives NaN there.
NAN_IN_TORCH_ZERO_HERE = {"pow_tensor_zero_exponent"}


def _torch_fn(name, fn):
    if name in TORCH:
        return TORCH[name]
    g = dict(fn.__globals__, ns=_NS(), F=_F(), ops=_OPS(), np=np)
    return types.FunctionType(fn.__code__, g, fn.__name__, fn.__defaults__, fn.__closure__)


# ------------------------------------------------------------------------- the checks
def _inputs(makers):
    rng = np.random.default_rng(0)
    return [m(rng) for m in makers]


def _second_ns(fn, xs, u, v):
    ts = [ns.tensor(x, requires_grad=True) if x.dtype.kind == "f" else x for x in xs]
    diff = [t for t in ts if isinstance(t, ns.Tensor)]
    ut = ns.tensor(u, requires_grad=True)
    out = fn(*ts)
    gs = ns.autograd.grad(out, diff, ut, create_graph=True, materialize_grads=True)
    s = sum((g * ns.tensor(w)).sum() for g, w in zip(gs, v))
    second = ns.autograd.grad(s, diff + [ut], allow_unused=True, materialize_grads=True)
    return [g.numpy() for g in gs], [g.numpy() for g in second]


def _second_torch(fn, xs, u, v):
    ts = [torch.tensor(x, requires_grad=True).as_subclass(TT) if x.dtype.kind == "f"
          else torch.as_tensor(x) for x in xs]
    diff = [t for t in ts if t.requires_grad]
    ut = torch.tensor(u, requires_grad=True)
    out = fn(*ts)
    gs = torch.autograd.grad(out, diff, ut, create_graph=True, materialize_grads=True)
    s = sum((g * torch.as_tensor(w)).sum() for g, w in zip(gs, v))
    if not s.requires_grad:          # torch records nothing when the gradient is constant
        return [_np(g) for g in gs], [np.zeros(t.shape) for t in diff + [ut]]
    second = torch.autograd.grad(s, diff + [ut], allow_unused=True, materialize_grads=True)
    return [_np(g) for g in gs], [_np(g) for g in second]


def _np(g):
    g = torch.Tensor(g.detach()) if type(g) is not torch.Tensor else g.detach()
    return np.zeros(tuple(g.shape)) if g._is_zerotensor() else g.numpy()


ROWS = [c for c in CASES]


@pytest.mark.parametrize("name, fn, makers", [c for c in ROWS if c[0] not in KINKS],
                         ids=[c[0] for c in ROWS if c[0] not in KINKS])
def test_gradgradcheck(name, fn, makers):
    assert ns.autograd.gradgradcheck(fn, _inputs(makers))


@pytest.mark.parametrize("name, fn, makers", ROWS, ids=[c[0] for c in ROWS])
def test_double_backward_matches_torch(name, fn, makers):
    xs = _inputs(makers)
    rng = np.random.default_rng(1)
    with ns.no_grad():
        shape = fn(*[ns.tensor(x) if x.dtype.kind == "f" else x for x in xs]).shape
    u = rng.standard_normal(tuple(shape))
    v = [rng.standard_normal(x.shape) for x in xs if x.dtype.kind == "f"]
    first, second = _second_ns(fn, xs, u, v)
    first_t, second_t = _second_torch(_torch_fn(name, fn), xs, u, v)
    if name in NAN_IN_TORCH_ZERO_HERE:
        assert any(np.isnan(b).any() for b in second_t)
        assert all((a[np.isnan(b)] == 0).all() for a, b in zip(second, second_t))
        second_t = [np.where(np.isnan(b), 0, b) for b in second_t]
    for a, b in zip(first + second, first_t + second_t):
        # atol: 1e-12 of the array's scale, for entries that are sums of cancelling terms
        scale = 1 + np.abs(b).max(initial=0)
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12 * scale)


def test_second_derivative_table_names_every_fused_op():
    """Every fused op reached by the table has an entry in SECOND (how it is done)."""
    seen = set()
    for name, fn, makers in ROWS:
        ts = [ns.tensor(x, requires_grad=True) if x.dtype.kind == "f" else x
              for x in _inputs(makers)]
        out = fn(*ts)
        if out.grad_fn is None:
            continue
        for node in graph._toposort(out.grad_fn):
            if isinstance(node.again, tuple) or node.again == "linear":
                seen.add(node.name)
    assert seen <= set(SECOND), seen - set(SECOND)
    assert "linear" in seen and "cross_entropy" in seen


# ------------------------------------------- the fused window and recurrent ops (their own files)
def _rnn_torch(kind, x, h0, params, **kw):
    """torch.nn.RNN/LSTM/GRU (one layer, batch-first) run with the given parameters."""
    hidden = params[1].shape[1] if kind != "LSTM" or len(params) < 5 else params[4].shape[1]
    mod = getattr(torch.nn, kind)(params[0].shape[1], hidden if kind != "LSTM" else
                                  params[1].shape[0] // 4, batch_first=True, bias=len(params) > 2,
                                  dtype=torch.float64, **kw)
    names = ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0", "weight_hr_l0"]
    return torch.func.functional_call(mod, dict(zip(names, params)), (x, h0))


def _flip_t(f):
    return lambda x, *rest: torch.flip(f(torch.flip(x, (1,)), *rest), (1,))


WINDOW = [   # (name, nnscratch function, torch function or None, input shapes)
    ("conv2d_stride_pad", lambda x, w, b: F.conv2d(x, w, b, stride=2, padding=1),
     lambda x, w, b: TF.conv2d(x, w, b, stride=2, padding=1), [(2, 2, 5, 5), (3, 2, 3, 3), (3,)]),
    ("conv2d_groups_dilation", lambda x, w: F.conv2d(x, w, padding=(1, 0), dilation=2, groups=2),
     lambda x, w: TF.conv2d(x, w, padding=(1, 0), dilation=2, groups=2),
     [(1, 4, 6, 5), (2, 2, 2, 2)]),
    ("conv1d", lambda x, w, b: F.conv1d(x, w, b, stride=2, padding=1),
     lambda x, w, b: TF.conv1d(x, w, b, stride=2, padding=1), [(2, 2, 7), (3, 2, 3), (3,)]),
    ("conv_transpose2d", lambda x, w, b: F.conv_transpose2d(x, w, b, 2, 1, 1),
     lambda x, w, b: TF.conv_transpose2d(x, w, b, 2, 1, 1), [(1, 2, 3, 3), (2, 3, 3, 3), (3,)]),
    ("conv_transpose1d", lambda x, w: F.conv_transpose1d(x, w, stride=2, dilation=2),
     lambda x, w: TF.conv_transpose1d(x, w, stride=2, dilation=2), [(2, 2, 4), (2, 1, 3)]),
    ("max_pool2d", lambda x: F.max_pool2d(x, 3, 2, 1), lambda x: TF.max_pool2d(x, 3, 2, 1),
     [(2, 2, 5, 5)]),
    ("max_pool1d", lambda x: F.max_pool1d(x, 3, 2, 1), lambda x: TF.max_pool1d(x, 3, 2, 1),
     [(2, 2, 7)]),
    ("avg_pool2d_ceil", lambda x: F.avg_pool2d(x, 3, 2, 1, ceil_mode=True,
                                               count_include_pad=False),
     lambda x: TF.avg_pool2d(x, 3, 2, 1, ceil_mode=True, count_include_pad=False),
     [(1, 2, 6, 5)]),
    ("avg_pool1d", lambda x: F.avg_pool1d(x, 2), lambda x: TF.avg_pool1d(x, 2), [(2, 2, 6)]),
    ("adaptive_avg_pool2d", lambda x: F.adaptive_avg_pool2d(x, (2, 3)),
     lambda x: TF.adaptive_avg_pool2d(x, (2, 3)), [(1, 2, 5, 7)]),
    ("adaptive_max_pool2d", lambda x: F.adaptive_max_pool2d(x, (2, 3)),
     lambda x: TF.adaptive_max_pool2d(x, (2, 3)), [(1, 2, 5, 7)]),
    *[(f"pad_{m}", lambda x, m=m: F.pad(x, (1, 2, 2, 1), m),
       lambda x, m=m: TF.pad(x, (1, 2, 2, 1), mode=m), [(1, 2, 4, 4)])
      for m in ("reflect", "replicate", "circular")],
    ("upsample_nearest", lambda x: ns.ops.upsample_nearest(x, 2),
     lambda x: TF.interpolate(x, scale_factor=2, mode="nearest"), [(1, 2, 2, 3)]),
    ("rnn_tanh_reverse", lambda x, h, *p: ns.ops.rnn_sequence(x, h, *p, reverse=True)[0],
     _flip_t(lambda x, h, *p: _rnn_torch("RNN", x, h[None], p)[0]),
     [(2, 3, 2), (2, 3), (3, 2), (3, 3), (3,), (3,)]),
    ("rnn_relu", lambda x, h, *p: ns.ops.rnn_sequence(x, h, *p, nonlinearity="relu")[1],
     lambda x, h, *p: _rnn_torch("RNN", x, h[None], p, nonlinearity="relu")[1][0],
     [(2, 3, 2), (2, 3), (3, 2), (3, 3), (3,), (3,)]),
    ("lstm", lambda x, h, c, *p: _sum_all(ns.ops.lstm_sequence(x, h, c, *p)),
     lambda x, h, c, *p: _sum_lstm(_rnn_torch("LSTM", x, (h[None], c[None]), p)),
     [(2, 3, 2), (2, 3), (2, 3), (12, 2), (12, 3), (12,), (12,)]),
    ("lstm_projection", lambda x, *p: ns.ops.lstm_sequence(x, None, None, *p)[0],
     lambda x, *p: _rnn_torch("LSTM", x, None, p, proj_size=2)[0],
     [(2, 3, 2), (12, 2), (12, 2), (12,), (12,), (2, 3)]),
    ("gru", lambda x, h, *p: ns.ops.gru_sequence(x, h, *p)[0],
     lambda x, h, *p: _rnn_torch("GRU", x, h[None], p)[0],
     [(2, 3, 2), (2, 3), (9, 2), (9, 3), (9,), (9,)]),
    ("gru_reset_before", lambda x, *p: ns.ops.gru_sequence(x, None, *p, reset_after=False)[1],
     None, [(2, 3, 2), (9, 2), (9, 3), (9,), (9,)]),     # torch has no reset_after=False
]


def _sum_all(outs):
    return sum(o.sum() * (k + 1) for k, o in enumerate(outs))


def _sum_lstm(res):
    y, (h, c) = res
    return y.sum() + h.sum() * 2 + c.sum() * 3


def _window_inputs(shapes):
    rng = np.random.default_rng(0)
    return [rng.standard_normal(s) for s in shapes]


@pytest.mark.parametrize("name, fn, tfn, shapes", WINDOW, ids=[c[0] for c in WINDOW])
def test_window_and_recurrent_ops_twice(name, fn, tfn, shapes):
    xs = _window_inputs(shapes)
    # one random direction (torch's fast_mode): the entrywise parity with torch below is
    # the exact check; the central differences confirm it in float64
    assert ns.autograd.gradgradcheck(fn, xs, fast_mode=True)
    if tfn is None:
        return
    rng = np.random.default_rng(1)
    with ns.no_grad():
        u = rng.standard_normal(tuple(fn(*[ns.tensor(x) for x in xs]).shape))
    v = [rng.standard_normal(x.shape) for x in xs]
    first, second = _second_ns(fn, xs, u, v)
    first_t, second_t = _second_torch(tfn, xs, u, v)
    for a, b in zip(first + second, first_t + second_t):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12 * (1 + np.abs(b).max()))


class _Square(ns.autograd.Function):
    """x² whose backward detaches x: right first derivative, no second one."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * 2 * x.detach()


@pytest.mark.parametrize("fast_mode", [False, True])
def test_gradgradcheck_catches_a_missing_second_derivative(fast_mode):
    x = np.array([0.5, -1.2, 2.0])
    assert ns.gradcheck(_Square.apply, [x])
    with pytest.raises(ns.GradcheckError, match="gradgradcheck"):
        ns.autograd.gradgradcheck(_Square.apply, [x], fast_mode=fast_mode)
    assert not ns.autograd.gradgradcheck(_Square.apply, [x], raise_exception=False)


def test_custom_function_backward_is_recorded_under_create_graph():
    class Cube(ns.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x * x

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * 3 * x * x
    assert ns.autograd.gradgradcheck(Cube.apply, [np.array([0.5, -1.2, 2.0])])


# ------------------------------------------------------------------------------ bad input
def test_create_graph_through_an_op_without_a_second_derivative_names_it():
    @ns.autograd.fused
    def _opaque(x):
        return x * 2, lambda g: (g * 2,)
    x = ns.tensor([1.0, 2.0], requires_grad=True)
    y = _opaque(x).sum()
    y.backward()                                     # first order: fine
    with pytest.raises(RuntimeError, match=r"create_graph=True: opaque cannot be "
                                           r"differentiated twice: .*neither a composite"):
        ns.autograd.grad(_opaque(x).sum(), x, create_graph=True)


def test_a_vjp_using_numpy_outside_the_vocabulary_names_the_op_and_the_call():
    @ns.autograd.primitive
    def _spread(x):
        return x * x
    ns.autograd.defvjp(_spread, lambda g, out, x: g * np.diff(np.concatenate([[0.0], 2 * x])))
    x = ns.tensor([1.0, 2.0, 3.0], requires_grad=True)
    with pytest.raises(RuntimeError, match=r"the VJP of spread cannot be recorded: "
                                           r"np\.\w+ on a Tensor"):
        ns.autograd.grad(_spread(x).sum(), x, create_graph=True)


def test_second_backward_through_a_freed_graph_gives_torchs_message():
    x = ns.tensor([1.0, 2.0], requires_grad=True)
    xt = torch.tensor([1.0, 2.0], requires_grad=True)
    msgs = []
    for lib, t in ((ns, x), (torch, xt)):
        y = (t * t).sum()
        (g,) = lib.autograd.grad(y, t, create_graph=True)
        g.sum().backward()                           # frees the graph of g (and of y)
        with pytest.raises(RuntimeError) as err:
            g.sum().backward()
        msgs.append(str(err.value))
    assert msgs[0] == msgs[1]
