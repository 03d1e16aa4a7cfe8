"""The optional compiled kernels (nnscratch/kernels/) against their NumPy references.

Each case runs an op forward and backward (a random cotangent) twice, once on the NumPy
reference path and once on the numba kernels, and compares values and gradients in units in
the last place (ULP).  Bounds:

* **0 ULP** where a kernel copies and sums in the reference's order: the conv layout kernels
  (they only move numbers), the LSTM and GRU cells' backward (the reference's arithmetic in its
  order, without fused multiply-adds), and so the whole float64 LSTM and GRU (their forward is
  NumPy's);
* the float32 LSTM and GRU forward cells use their own ``tanh`` (``kernels.tanh.tanh32``:
  **≤ 6 ULP** from the correctly rounded value, checked on a sweep of every 97th float32 in
  ±10, where NumPy's is within 1): the run's outputs and gradients then agree with the
  reference to **2e-5 of each array's largest magnitude** (the ULP count itself is unbounded
  near zero).

Inputs: random, NaN and ±inf, size-1 and empty dimensions, float32 and float64.  (A
max-pooling kernel was measured and dropped: NumPy's passes were as fast; see bench/results.md.)
The rest of the suite runs the default path (numba when installed).  Cost: about 2 s with the
kernels cached on disk (their first compile, once per machine, takes ~20 s).
"""
import json
import os
import subprocess
import sys

import numpy as np
import pytest
from helpers import ROOT as _ROOT

import nnscratch as ns
import nnscratch.nn.functional as F
from nnscratch import kernels

ROOT = _ROOT
ULP = 0

needs_numba = pytest.mark.skipif(not kernels._numba_available(),
                                 reason="numba (the optional `kernels` extra) is not installed")


def ulp_distance(a: np.ndarray, b: np.ndarray) -> int:
    """The largest distance in ULP between matching elements (NaN matches NaN, inf inf)."""
    a, b = np.asarray(a), np.asarray(b)
    assert a.shape == b.shape and a.dtype == b.dtype, (a.shape, a.dtype, b.shape, b.dtype)
    if a.size == 0:
        return 0
    nan_a, nan_b = np.isnan(a), np.isnan(b)
    assert np.array_equal(nan_a, nan_b), "NaN in different places"
    a, b = np.where(nan_a, 0, a), np.where(nan_b, 0, b)
    ints = {4: np.int32, 8: np.int64}[a.itemsize]
    ia, ib = a.view(ints).astype(np.int64), b.view(ints).astype(np.int64)
    # map the sign-magnitude bit patterns onto a monotone integer line (-0 and +0 meet)
    top = np.int64(1) << (8 * a.itemsize - 1)
    ia = np.where(ia < 0, -(ia + top), ia)
    ib = np.where(ib < 0, -(ib + top), ib)
    return int(np.abs(ia - ib).max())


def _both_paths(fn, *arrays, seed=0):
    """(outputs, input gradients) of ``fn`` on the NumPy path and on the kernels."""
    got = []
    for backend in ("numpy", "numba"):
        with kernels.using(backend):
            ts = [ns.tensor(a, requires_grad=True) for a in arrays]
            out = fn(*ts)
            outs = out if isinstance(out, tuple) else (out,)
            g = np.random.default_rng(seed)
            total = sum((o * ns.tensor(g.standard_normal(o.shape).astype(o.numpy().dtype)))
                        .sum() for o in outs)
            total.backward()
            got.append(([o.detach().numpy().copy() for o in outs],
                        [t.grad.numpy().copy() for t in ts]))
    return got


def _assert_same(got, rel=None):
    """Every output and gradient within ULP, or with ``rel`` within ``rel`` times the array's
    largest magnitude (NaN in the same places)."""
    (ref_out, ref_grad), (k_out, k_grad) = got
    for a, b in zip(ref_out + ref_grad, k_out + k_grad):
        if rel is None:
            assert ulp_distance(a, b) <= ULP
        else:
            assert a.dtype == b.dtype and np.array_equal(np.isnan(a), np.isnan(b))
            np.testing.assert_allclose(b, a, rtol=0, atol=rel * np.nanmax(np.abs(a), initial=0))


TANH_REL = 2e-5     # the float32 LSTM and GRU with the kernels' tanh (module docstring)


RNG = np.random.default_rng(7)

CONV = [  # (x shape, weight shape, stride, padding, dilation, dtype)
    ((2, 3, 9, 7), (4, 3, 3, 3), 1, 1, 1, np.float32),
    ((2, 3, 9, 7), (4, 3, 3, 2), 1, (2, 0), (1, 2), np.float64),
    ((1, 1, 1, 1), (1, 1, 1, 1), 1, 0, 1, np.float32),            # size-1 everywhere
    ((1, 2, 1, 5), (3, 2, 1, 3), 1, (0, 1), 1, np.float32),       # a single row
    ((3, 1, 5, 5), (2, 1, 5, 5), 1, 0, 1, np.float64),            # one output pixel
    ((2, 2, 6, 6), (2, 2, 3, 3), 1, 2, 1, np.float32),            # padding wider than half
]


@needs_numba
@pytest.mark.parametrize("xs, ws, stride, padding, dilation, dt", CONV)
def test_conv_layout_kernels_match_the_reference(xs, ws, stride, padding, dilation, dt):
    x, w = RNG.standard_normal(xs).astype(dt), RNG.standard_normal(ws).astype(dt)
    b = RNG.standard_normal(ws[0]).astype(dt)
    _assert_same(_both_paths(lambda x, w, b: F.conv2d(x, w, b, stride, padding, dilation),
                             x, w, b))


@needs_numba
# +inf and -inf under one filter sum to NaN (as in torch): NumPy warns about that, by design here
@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")
def test_conv_kernels_carry_nan_and_inf_like_the_reference():
    x = RNG.standard_normal((2, 2, 6, 5)).astype(np.float32)
    x[0, 1, 2, 3], x[1, 0, 0, 0], x[1, 1, 5, 4] = np.nan, np.inf, -np.inf
    w = RNG.standard_normal((3, 2, 3, 3)).astype(np.float32)
    _assert_same(_both_paths(lambda x, w: F.conv2d(x, w, padding=1), x, w))


@needs_numba
def test_conv1d_and_an_empty_batch_match_the_reference():
    x = RNG.standard_normal((2, 3, 11)).astype(np.float32)
    w = RNG.standard_normal((4, 3, 3)).astype(np.float32)
    _assert_same(_both_paths(lambda x, w: F.conv1d(x, w, padding=1), x, w))
    empty = np.zeros((0, 3, 5, 5), np.float32)
    w2 = RNG.standard_normal((2, 3, 3, 3)).astype(np.float32)
    (ref, ref_g), (got, got_g) = _both_paths(lambda x, w: F.conv2d(x, w, padding=1), empty, w2)
    assert ref[0].shape == got[0].shape == (0, 2, 5, 5)
    assert ulp_distance(ref_g[1], got_g[1]) == 0 and not got_g[1].any()


# (batch, steps, inputs, hidden, dtype): float64 runs NumPy's forward on both paths
RECURRENT = [(3, 5, 4, 6, np.float32), (2, 4, 3, 5, np.float64), (1, 1, 1, 1, np.float32)]


def _random_layer(cls, n, t, i, h, dt):
    """A ``cls`` layer (LSTM/GRU) with random weights of dtype ``dt``, and an ``(n, t, i)``
    input."""
    layer = cls(i, h, batch_first=True)
    for prm in layer.parameters():
        prm.data = ns.tensor(RNG.standard_normal(prm.shape).astype(dt))
    return layer, RNG.standard_normal((n, t, i)).astype(dt)


@needs_numba
@pytest.mark.parametrize("n, t, i, h, dt", RECURRENT)
def test_lstm_cell_kernels_match_the_reference(n, t, i, h, dt):
    lstm, x = _random_layer(ns.nn.LSTM, n, t, i, h, dt)
    h0, c0 = RNG.standard_normal((2, 1, n, h)).astype(dt)

    def run(x, h0, c0):
        out, (hn, cn) = lstm(x, (h0, c0))
        return out, hn, cn
    rel = TANH_REL if dt == np.float32 else None
    _assert_same(_both_paths(run, x, h0, c0), rel)
    ws = []
    for backend in ("numpy", "numba"):     # the weight gradients too
        lstm.zero_grad()
        with kernels.using(backend):
            out, _ = lstm(ns.tensor(x))
            (out * out).sum().backward()
        ws.append([prm.grad.numpy().copy() for prm in lstm.parameters()])
    _assert_same(((ws[0], []), (ws[1], [])), rel)


@needs_numba
@pytest.mark.parametrize("dt", [np.float32, np.float64])
def test_lstm_backward_cell_kernel_gives_the_references_bits(dt):
    from nnscratch.kernels import lstm as k
    from nnscratch.ops.recurrent import _LSTMTape
    h, n = 5, 7
    a = RNG.uniform(0.01, 0.99, (4 * h, n)).astype(dt)      # activations: σ in (0, 1), tanh
    a[3 * h:] = 2 * a[3 * h:] - 1
    dm, dc, tc, c_prev = RNG.standard_normal((4, h, n)).astype(dt)
    dm[0, 0], c_prev[1, 1] = np.nan, np.inf
    out = []
    for cell in (_LSTMTape.cell_backward_numpy(h, n, dt), k.cell_backward):
        d, dc_run = np.empty((4 * h, n), dt), dc.copy()
        with np.errstate(invalid="ignore"):
            cell(dm, dc_run, a, tc, c_prev, d)
        out.append((d, dc_run))
    for ref, got in zip(*out):
        assert ulp_distance(ref, got) == 0


@needs_numba
@pytest.mark.parametrize("dt", [np.float32, np.float64])
def test_gru_backward_cell_kernel_gives_the_references_bits(dt):
    from nnscratch.kernels import gru as k
    from nnscratch.ops.recurrent import _GRUTape
    h, n = 5, 7
    tape = _GRUTape.__new__(_GRUTape)        # only the arrays its NumPy step reads
    tape.H, tape.reset_after = h, True
    tape.acts = RNG.uniform(0.01, 0.99, (1, 3 * h, n)).astype(dt)   # σ in (0, 1), tanh
    tape.acts[0, 2 * h:] = 2 * tape.acts[0, 2 * h:] - 1
    tape.hs, tape.keep = RNG.standard_normal((2, 1, h, n)).astype(dt)
    dh = RNG.standard_normal((h, n)).astype(dt)
    dh[0, 0], tape.keep[0, 1, 1] = np.nan, np.inf
    out = []
    with np.errstate(invalid="ignore"):
        d, dn = np.empty((3 * h, n), dt), np.empty((h, n), dt)
        tape._cell_backward(0, dh, d, dn, *np.empty((3, h, n), dt), None)
        out.append((d, dn))
        d, dn = np.empty((3 * h, n), dt), np.empty((h, n), dt)
        k.cell_backward(dh, tape.acts[0], tape.hs[0], tape.keep[0], d, dn)
        out.append((d, dn))
    for ref, got in zip(*out):
        assert ulp_distance(ref, got) == 0


@needs_numba
def test_the_kernels_tanh_is_within_6_ulp_and_keeps_the_special_values():
    from nnscratch.kernels import tanh as k
    bits = np.arange(0, np.float32(10).view(np.int32), 97, dtype=np.int32)
    x = np.concatenate([bits.view(np.float32), -bits.view(np.float32)])
    got = np.empty_like(x)
    k.tanh_into(x, got)
    exact = np.tanh(x.astype(np.float64)).astype(np.float32)
    assert ulp_distance(got, exact) <= 6
    special = np.array([np.nan, np.inf, -np.inf, 0.0, -0.0, 1e-40, -1e-40, 7.906, 8, -50,
                        3e38], np.float32)
    k.tanh_into(special, got := np.empty_like(special))
    assert np.isnan(got[0]) and got[1:3].tolist() == [1, -1]
    assert ulp_distance(got[3:7], special[3:7]) == 0 and np.signbit(got[4])   # -0 stays -0
    assert got[7:].tolist() == [1, 1, -1, 1]


@needs_numba
def test_lstm_kernels_with_nan_and_variable_lengths():
    lstm = ns.nn.LSTM(3, 4)
    x = RNG.standard_normal((5, 3, 3)).astype(np.float32)
    x[2, 1, 0] = np.nan
    _assert_same(_both_paths(lambda x: lstm(x)[0], x), TANH_REL)
    _packed_paths_agree(lstm, ns.nn.utils.rnn.pack_padded_sequence(ns.tensor(x[:, [0, 2]]),
                                                                   [5, 2]))


def _packed_paths_agree(layer, packed):
    """The layer's packed output on the NumPy path and on the kernels, within TANH_REL."""
    outs = []
    for backend in ("numpy", "numba"):
        with kernels.using(backend):
            outs.append(layer(packed)[0].data.detach().numpy())
    _assert_same((([outs[0]], []), ([outs[1]], [])), TANH_REL)


@needs_numba
@pytest.mark.parametrize("n, t, i, h, dt", RECURRENT)
def test_gru_cell_kernel_matches_the_reference(n, t, i, h, dt):
    gru, x = _random_layer(ns.nn.GRU, n, t, i, h, dt)
    x[0, 0, 0] = np.nan if n > 1 else x[0, 0, 0]      # a NaN stays in its example's row
    h0 = RNG.standard_normal((1, n, h)).astype(dt)
    _assert_same(_both_paths(lambda x, h0: gru(x, h0), x, h0),
                 TANH_REL if dt == np.float32 else None)
    lengths = list(range(t, t - n, -1))                 # decreasing, every case has t >= n
    _packed_paths_agree(gru, ns.nn.utils.rnn.pack_padded_sequence(ns.tensor(x), lengths,
                                                                  batch_first=True))


@needs_numba
@pytest.mark.filterwarnings("ignore:LSTM with projections is not supported with oneDNN")
@pytest.mark.parametrize("kind, kw", [("LSTM", {}), ("LSTM", {"proj_size": 3}),
                                      ("GRU", {"bidirectional": True})])
def test_float32_kernel_path_matches_torch(kind, kw):
    """The float32 cells on the kernels (their own tanh) against torch 2.13 in float32: outputs,
    final states and every gradient within 2e-5 of each array's largest magnitude (torch's
    own float32 tanh and sums differ from NumPy's in the last bits as well)."""
    import torch
    ours = getattr(ns.nn, kind)(4, 6, batch_first=True, **kw)
    theirs = getattr(torch.nn, kind)(4, 6, batch_first=True, **kw)
    with torch.no_grad():
        for p, q in zip(ours.parameters(), theirs.parameters()):
            q.copy_(torch.from_numpy(p.numpy()))
    x = RNG.standard_normal((3, 7, 4)).astype(np.float32)
    xo, xt = ns.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out_t, state_t = theirs(xt)
    g = RNG.standard_normal(tuple(out_t.shape)).astype(np.float32)
    (out_t * torch.from_numpy(g)).sum().backward()
    with kernels.using("numba"):
        out, state = ours(xo)
        (out * ns.tensor(g)).sum().backward()
    states = state if isinstance(state, tuple) else (state,)
    states_t = state_t if isinstance(state_t, tuple) else (state_t,)
    pairs = [(out.detach().numpy(), out_t), (xo.grad.numpy(), xt.grad)]
    pairs += [(a.detach().numpy(), b) for a, b in zip(states, states_t)]
    pairs += [(p.grad.numpy(), q.grad) for p, q in zip(ours.parameters(), theirs.parameters())]
    for a, b in pairs:
        b = b.detach().numpy()
        assert a.dtype == b.dtype == np.float32
        np.testing.assert_allclose(a, b, rtol=0, atol=TANH_REL * np.abs(b).max())


def test_ulp_distance_counts_units_in_the_last_place():
    one = np.float32(1)
    assert ulp_distance(np.array([one]), np.array([np.nextafter(one, np.float32(2))])) == 1
    assert ulp_distance(np.array([0.0]), np.array([-0.0])) == 0
    tiny = np.nextafter(0.0, 1.0)
    assert ulp_distance(np.array([tiny]), np.array([-tiny])) == 2
    with pytest.raises(AssertionError):
        ulp_distance(np.array([np.nan]), np.array([1.0]))


def test_the_backend_switches_and_rejects_unknown_names():
    before = kernels.backend()
    with kernels.using("numpy"):
        assert kernels.backend() == "numpy" and kernels.compiled("conv") is None
    assert kernels.backend() == before
    with pytest.raises(ValueError, match="backend must be one of"):
        kernels.set_backend("cuda")
    with pytest.raises(ValueError, match="backend must be one of"):
        with kernels.using("fast"):
            pass


def _python(code: str, **env) -> dict:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, timeout=300,
                         env=dict(os.environ, PYTHONPATH=str(ROOT), **env))
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


CONV_STEP = ("import json, sys, numpy as np, nnscratch as ns, nnscratch.nn.functional as F\n"
             "x = ns.tensor(np.ones((1, 1, 4, 4), np.float32), requires_grad=True)\n"
             "y = F.max_pool2d(F.conv2d(x, ns.tensor(np.ones((1, 1, 3, 3), np.float32)), "
             "padding=1), 2)\n"
             "y.sum().backward()\n"
             "print(json.dumps({'backend': ns.kernels.backend(), 'y': y.numpy().ravel().tolist(),"
             " 'numba': sys.modules.get('numba') is not None}))")


def test_the_library_runs_on_numpy_alone_and_imports_no_numba():
    """numba hidden (as if not installed): silently the NumPy path; and ``import nnscratch``
    never imports numba by itself."""
    got = _python("import sys; sys.modules['numba'] = None\n" + CONV_STEP)
    assert got == {"backend": "numpy", "y": [9.0, 9.0, 9.0, 9.0], "numba": False}
    assert _python("import json, sys, nnscratch\n"
                   "print(json.dumps('numba' in sys.modules))") is False


def test_the_environment_variable_forces_the_reference_path():
    got = _python(CONV_STEP, NNSCRATCH_KERNELS="numpy")
    assert got["backend"] == "numpy" and got["numba"] is False and got["y"] == [9.0] * 4
