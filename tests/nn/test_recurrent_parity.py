"""nn.RNN / nn.LSTM / nn.GRU against torch.nn (float64): outputs, final states, and the
gradients of every parameter, of the input and of the initial state, for every combination of
cell × layers × direction × initial state, with padded and with packed (variable-length)
batches; plus a hand-written NumPy GRU (reset_after=False)."""
import itertools

import numpy as np
import pytest
import torch
from torch.nn.utils import rnn as TR

import nnscratch as ns
import nnscratch.nn as nn
from nnscratch.nn.utils import rnn as R

I, H, N, T = 3, 4, 2, 5


def _pair(kind, layers, bidirectional, batch_first=True, bias=True, nonlinearity="tanh",
          proj_size=0):
    """An nnscratch layer and a torch layer holding the same float64 weights."""
    ns.manual_seed(0)
    kw = dict(bias=bias, batch_first=batch_first, bidirectional=bidirectional)
    if kind == "RNN":
        kw["nonlinearity"] = nonlinearity
    if proj_size:
        kw["proj_size"] = proj_size
    ours = getattr(nn, kind)(I, H, layers, **kw).double()
    theirs = getattr(torch.nn, kind)(I, H, layers, **kw).double()
    names = [n for n, _ in ours.named_parameters()]
    assert names == [n for n, _ in theirs.named_parameters()]
    with torch.no_grad():
        for (_, p), (_, q) in zip(ours.named_parameters(), theirs.named_parameters()):
            assert p.shape == tuple(q.shape)
            q.copy_(torch.from_numpy(p.numpy()))
    return ours, theirs


def _initial_states(kind, with_h0, shape, rng, proj_size=0):
    """``(ours, theirs, ours_args, theirs_args)``: equal random initial states, passed as the
    layers take them (LSTM: a tuple (h0, c0)), or nothing."""
    if not with_h0:
        return [], [], [], []
    h0 = rng.standard_normal(shape[:-1] + (proj_size or shape[-1],))
    c0 = rng.standard_normal(shape)
    s = [ns.tensor(h0, requires_grad=True), ns.tensor(c0, requires_grad=True)]
    t = [torch.tensor(h0, requires_grad=True), torch.tensor(c0, requires_grad=True)]
    if kind == "LSTM":
        return s, t, [tuple(s)], [tuple(t)]
    return s[:1], t[:1], [s[0]], [t[0]]


def _compare(kind, layers, bidirectional, with_h0, batch_first=True, bias=True,
             nonlinearity="tanh", proj_size=0):
    ours, theirs = _pair(kind, layers, bidirectional, batch_first, bias, nonlinearity,
                         proj_size)
    rng = np.random.default_rng(1)
    D = 2 if bidirectional else 1
    x = rng.standard_normal((N, T, I) if batch_first else (T, N, I))
    xs, xt = ns.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    s, t, ours_in, theirs_in = _initial_states(kind, with_h0, (layers * D, N, H), rng,
                                               proj_size)
    out, state = ours(xs, *ours_in)
    out_t, state_t = theirs(xt, *theirs_in)
    states = list(state) if kind == "LSTM" else [state]
    states_t = list(state_t) if kind == "LSTM" else [state_t]
    np.testing.assert_allclose(out.numpy(), out_t.detach().numpy(), rtol=1e-10, atol=1e-12)
    for a, b in zip(states, states_t):
        np.testing.assert_allclose(a.numpy(), b.detach().numpy(), rtol=1e-10, atol=1e-12)
    # a random cotangent on every output, so each gradient path is exercised
    cots = [rng.standard_normal(o.shape) for o in [out] + states]
    loss = sum(((o * ns.tensor(c)).sum() for o, c in zip([out] + states, cots)), ns.tensor(0.0))
    loss.backward()
    sum((o * torch.tensor(c)).sum() for o, c in zip([out_t] + states_t, cots)).backward()
    for (name, p), (_, q) in zip(ours.named_parameters(), theirs.named_parameters()):
        np.testing.assert_allclose(p.grad, q.grad.numpy(), rtol=1e-9, atol=1e-11, err_msg=name)
    np.testing.assert_allclose(xs.grad, xt.grad.numpy(), rtol=1e-9, atol=1e-11)
    if with_h0:
        for a, b in zip(s[:len(states)], t):
            np.testing.assert_allclose(a.grad, b.grad.numpy(), rtol=1e-9, atol=1e-11)


COMBOS = list(itertools.product(["RNN", "LSTM", "GRU"], [1, 2], [False, True], [False, True]))


@pytest.mark.parametrize("kind, layers, bidirectional, with_h0", COMBOS,
                         ids=[f"{k}-L{n}-{'bi' if b else 'uni'}-{'h0' if h else 'zero'}"
                              for k, n, b, h in COMBOS])
def test_matches_torch(kind, layers, bidirectional, with_h0):
    _compare(kind, layers, bidirectional, with_h0)


@pytest.mark.parametrize("kind", ["RNN", "LSTM", "GRU"])
def test_matches_torch_time_major_without_bias(kind):
    _compare(kind, 2, True, True, batch_first=False, bias=False)


def test_relu_rnn_matches_torch():
    _compare("RNN", 2, True, True, nonlinearity="relu")


@pytest.mark.parametrize("kind", ["RNN", "LSTM", "GRU"])
def test_unbatched_input_matches_torch(kind):
    ours, theirs = _pair(kind, 1, True)
    x = np.random.default_rng(2).standard_normal((T, I))
    out, state = ours(ns.tensor(x))
    out_t, state_t = theirs(torch.tensor(x))
    np.testing.assert_allclose(out.numpy(), out_t.detach().numpy(), rtol=1e-10, atol=1e-12)
    h, h_t = (state[0], state_t[0]) if kind == "LSTM" else (state, state_t)
    assert h.shape == tuple(h_t.shape) == (2, H)
    np.testing.assert_allclose(h.numpy(), h_t.detach().numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("kind", ["RNN", "LSTM", "GRU"])
def test_cells_match_torch(kind):
    ns.manual_seed(0)
    ours = getattr(nn, kind + "Cell")(I, H).double()
    theirs = getattr(torch.nn, kind + "Cell")(I, H).double()
    with torch.no_grad():
        for (n, p), (m, q) in zip(ours.named_parameters(), theirs.named_parameters()):
            assert n == m
            q.copy_(torch.from_numpy(p.numpy()))
    rng = np.random.default_rng(3)
    x, h, c = rng.standard_normal((N, I)), rng.standard_normal((N, H)), rng.standard_normal((N, H))
    if kind == "LSTM":
        out, out_t = ours(ns.tensor(x), (ns.tensor(h), ns.tensor(c)))[1], \
            theirs(torch.tensor(x), (torch.tensor(h), torch.tensor(c)))[1]
    else:
        out, out_t = ours(ns.tensor(x), ns.tensor(h)), theirs(torch.tensor(x), torch.tensor(h))
    np.testing.assert_allclose(out.numpy(), out_t.detach().numpy(), rtol=1e-10, atol=1e-12)


def test_default_init_and_parameter_layout_follow_torch():
    ns.manual_seed(0)
    lstm = nn.LSTM(10, 32, num_layers=2, bidirectional=True, batch_first=True)
    torch.manual_seed(0)
    ref = torch.nn.LSTM(10, 32, num_layers=2, bidirectional=True, batch_first=True)
    assert [(n, p.shape) for n, p in lstm.named_parameters()] == \
        [(n, tuple(p.shape)) for n, p in ref.named_parameters()]
    bound = 1 / np.sqrt(32)
    for _, p in lstm.named_parameters():
        assert np.abs(p.numpy()).max() <= bound and p.numpy().std() > 0.5 * bound / np.sqrt(3)
        assert p.dtype == np.float32


# --------------------------------------------------------------- the textbook GRU, by hand


def _sigmoid(z):
    return 1 / (1 + np.exp(-z))


def _numpy_gru_cho(x, h, w_ih, w_hh, b_ih, b_hh):
    """000 eq. 9.39-9.42 written out step by step (U: input weights, W: hidden weights)."""
    U_r, U_z, U_h = np.split(w_ih, 3)
    W_r, W_z, W_h = np.split(w_hh, 3)
    br, bz, bh = np.split(b_ih + b_hh, 3)
    outs = []
    for t in range(x.shape[1]):
        xt = x[:, t]
        z = _sigmoid(h @ W_z.T + xt @ U_z.T + bz)
        r = _sigmoid(h @ W_r.T + xt @ U_r.T + br)
        h_tilde = np.tanh((h * r) @ W_h.T + xt @ U_h.T + bh)   # reset before the product
        h = z * h + (1 - z) * h_tilde
        outs.append(h)
    return np.stack(outs, axis=1), h


def test_gru_reset_after_false_matches_textbook_equations():
    ns.manual_seed(0)
    gru = nn.GRU(I, H, reset_after=False, batch_first=True).double()
    cho = [p.numpy() for p in gru.parameters()]
    rng = np.random.default_rng(4)
    x, h0 = rng.standard_normal((N, T, I)), rng.standard_normal((1, N, H))
    out, h_n = gru(ns.tensor(x), ns.tensor(h0))
    ref_out, ref_h = _numpy_gru_cho(x, h0[0], *cho)
    np.testing.assert_allclose(out.numpy(), ref_out, rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(h_n.numpy()[0], ref_h, rtol=1e-12, atol=1e-13)
    # and the two formulations really differ (same parameters, other place of the reset gate)
    gru.reset_after = True
    assert np.abs(gru(ns.tensor(x), ns.tensor(h0))[0].numpy() - ref_out).max() > 1e-3


# ------------------------------------------------------------ variable lengths (PackedSequence)

PACKED = list(itertools.product(["RNN", "LSTM", "GRU"], [1, 2], [False, True], [False, True]))


@pytest.mark.parametrize("kind, layers, bidirectional, with_h0", PACKED,
                         ids=[f"{k}-L{n}-{'bi' if b else 'uni'}-{'h0' if h else 'zero'}"
                              for k, n, b, h in PACKED])
def test_packed_sequences_match_torch(kind, layers, bidirectional, with_h0, proj_size=0):
    """Unsorted lengths (one as long as the batch, one of a single step): packed outputs,
    final states (each taken at its sequence's own end), and every gradient."""
    ours, theirs = _pair(kind, layers, bidirectional, proj_size=proj_size)
    rng = np.random.default_rng(7)
    D, n, T_ = 2 if bidirectional else 1, 4, 6
    lengths = [3, 6, 1, 4]
    x = rng.standard_normal((n, T_, I))
    xs, xt = ns.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    packed = R.pack_padded_sequence(xs, lengths, batch_first=True, enforce_sorted=False)
    packed_t = TR.pack_padded_sequence(xt, torch.tensor(lengths), batch_first=True,
                                       enforce_sorted=False)
    s, t, ours_in, theirs_in = _initial_states(kind, with_h0, (layers * D, n, H), rng,
                                               proj_size)
    out, state = ours(packed, *ours_in)
    out_t, state_t = theirs(packed_t, *theirs_in)
    assert isinstance(out, R.PackedSequence)
    np.testing.assert_array_equal(out.batch_sizes, out_t.batch_sizes.numpy())
    np.testing.assert_allclose(out.data.numpy(), out_t.data.detach().numpy(), rtol=1e-10,
                               atol=1e-12)
    states = list(state) if kind == "LSTM" else [state]
    states_t = list(state_t) if kind == "LSTM" else [state_t]
    for a, b in zip(states, states_t):
        np.testing.assert_allclose(a.numpy(), b.detach().numpy(), rtol=1e-10, atol=1e-12)
    padded, lens = R.pad_packed_sequence(out, batch_first=True)
    padded_t, lens_t = TR.pad_packed_sequence(out_t, batch_first=True)
    np.testing.assert_array_equal(lens, lens_t.numpy())
    np.testing.assert_allclose(padded.numpy(), padded_t.detach().numpy(), rtol=1e-10, atol=1e-12)
    cots = [rng.standard_normal(o.shape) for o in [padded] + states]
    sum(((o * ns.tensor(c)).sum() for o, c in zip([padded] + states, cots)),
        ns.tensor(0.0)).backward()
    sum((o * torch.tensor(c)).sum() for o, c in zip([padded_t] + states_t, cots)).backward()
    for (name, p), (_, q) in zip(ours.named_parameters(), theirs.named_parameters()):
        np.testing.assert_allclose(p.grad, q.grad.numpy(), rtol=1e-9, atol=1e-11, err_msg=name)
    np.testing.assert_allclose(xs.grad, xt.grad.numpy(), rtol=1e-9, atol=1e-11)
    assert np.all(xs.grad[2, 1:] == 0)               # padding gets no gradient
    if with_h0:
        for a, b in zip(s[:len(states)], t):
            np.testing.assert_allclose(a.grad, b.grad.numpy(), rtol=1e-9, atol=1e-11)


PROJ = list(itertools.product([1, 2], [False, True], [False, True]))


@pytest.mark.parametrize("layers, bidirectional, with_h0", PROJ,
                         ids=[f"L{n}-{'bi' if b else 'uni'}-{'h0' if h else 'zero'}"
                              for n, b, h in PROJ])
def test_lstm_with_projection_matches_torch(layers, bidirectional, with_h0):
    """proj_size: h_t = W_hr (o ⊙ tanh(c_t)) of size 2 < H, padded and packed batches."""
    _compare("LSTM", layers, bidirectional, with_h0, proj_size=2)
    test_packed_sequences_match_torch("LSTM", layers, bidirectional, with_h0, proj_size=2)


def test_lstm_projection_layout_and_bad_size():
    lstm = nn.LSTM(3, 5, 2, bidirectional=True, proj_size=2, batch_first=True)
    ref = torch.nn.LSTM(3, 5, 2, bidirectional=True, proj_size=2, batch_first=True)
    assert ([(n, tuple(p.shape)) for n, p in lstm.named_parameters()] ==
            [(n, tuple(p.shape)) for n, p in ref.named_parameters()])
    with pytest.raises(ValueError, match=r"proj_size must be smaller than hidden_size \(5\), "
                                         r"got 5"):
        nn.LSTM(3, 5, proj_size=5, batch_first=True)
    with pytest.raises(ValueError, match=r"proj_size must be an int >= 0, got -1"):
        nn.LSTM(3, 5, proj_size=-1, batch_first=True)
    with pytest.raises(ValueError, match=r"expected h0 of shape \(2, 4, 2\), got \(2, 4, 5\)"):
        nn.LSTM(3, 5, bidirectional=True, proj_size=2, batch_first=True)(
            ns.randn(4, 6, 3), (ns.randn(2, 4, 5), ns.randn(2, 4, 5)))


def test_pack_utilities_match_torch():
    rng = np.random.default_rng(3)
    seqs = [rng.standard_normal((L, 2)) for L in (4, 2, 5)]
    padded = R.pad_sequence([ns.tensor(s) for s in seqs], batch_first=True, padding_value=-1.0)
    padded_t = TR.pad_sequence([torch.tensor(s) for s in seqs], batch_first=True,
                               padding_value=-1.0)
    np.testing.assert_array_equal(padded.numpy(), padded_t.numpy())
    packed = R.pack_sequence([ns.tensor(s) for s in seqs], enforce_sorted=False)
    packed_t = TR.pack_sequence([torch.tensor(s) for s in seqs], enforce_sorted=False)
    np.testing.assert_array_equal(packed.data.numpy(), packed_t.data.numpy())
    np.testing.assert_array_equal(packed.sorted_indices, packed_t.sorted_indices.numpy())
    np.testing.assert_array_equal(packed.unsorted_indices, packed_t.unsorted_indices.numpy())
    out, lens = R.pad_packed_sequence(packed, total_length=7)
    out_t, lens_t = TR.pad_packed_sequence(packed_t, total_length=7)
    assert out.shape == tuple(out_t.shape) == (7, 3, 2)
    np.testing.assert_array_equal(out.numpy(), out_t.numpy())
    np.testing.assert_array_equal(lens, lens_t.numpy())
    # gradients go back through packing and unpacking to the real steps only
    x = ns.tensor(rng.standard_normal((3, 5, 2)), requires_grad=True)
    p = R.pack_padded_sequence(x, [5, 3, 1], batch_first=True)
    y, _ = R.pad_packed_sequence(p, batch_first=True)
    (y * y).sum().backward()
    mask = (np.arange(5)[None, :] < np.array([5, 3, 1])[:, None])[..., None]
    np.testing.assert_allclose(x.grad, 2 * x.numpy() * mask)


def test_pack_bad_input():
    x = ns.randn(3, 5, 2)
    with pytest.raises(ValueError, match=r"lengths must be in decreasing order.*\[2, 5, 3\]"):
        R.pack_padded_sequence(x, [2, 5, 3], batch_first=True)
    with pytest.raises(ValueError, match=r"lengths must be in \[1, 5\].*max 6"):
        R.pack_padded_sequence(x, [6, 5, 3], batch_first=True)
    with pytest.raises(ValueError, match=r"lengths must be 1-D with one length per sequence"):
        R.pack_padded_sequence(x, [5, 3], batch_first=True)
    with pytest.raises(TypeError, match=r"lengths must be integers"):
        R.pack_padded_sequence(x, [5.0, 3.5, 1.0], batch_first=True)
    lstm = nn.LSTM(3, 4, batch_first=True)
    with pytest.raises(ValueError, match=r"LSTM: expected packed data of shape \(Σ lengths, 3\)"):
        lstm(R.pack_padded_sequence(x, [5, 3, 1], batch_first=True))
    with pytest.raises(ValueError, match=r"total_length must be >= the longest sequence \(5\)"):
        R.pad_packed_sequence(R.pack_padded_sequence(x, [5, 3, 1], batch_first=True),
                              total_length=4)


def test_row_gather_and_scatter_gradcheck():
    rng = np.random.default_rng(4)
    index = np.array([4, 0, 2, 5])
    assert ns.gradcheck(lambda x: R.take_rows(x, index=index), [rng.standard_normal((6, 3))])
    assert ns.gradcheck(lambda x: R.put_rows(x, index=index, rows=7, fill=-1.0),
                        [rng.standard_normal((4, 3))])
    lengths = [5, 3, 1]
    assert ns.gradcheck(
        lambda x: R.pad_packed_sequence(R.pack_padded_sequence(x, lengths, batch_first=True),
                                        batch_first=True)[0], [rng.standard_normal((3, 5, 2))])
