"""Recurrent ops and layers: BPTT gradients by finite differences, the fused sequence ops
against the composite cells unrolled in time, truncated BPTT, embeddings, char-level text
utilities and sampling, and bad input."""
import numpy as np
import pytest
from threadpoolctl import threadpool_limits

import nnscratch as ns
import nnscratch.nn as nn
import nnscratch.optim as optim
from nnscratch import ops
from nnscratch.text import CharRNN, CharVocab, bits_per_char, sample, stream_batches

N, T, I, H = 2, 4, 3, 3


@pytest.fixture(autouse=True, scope="module")
def _one_blas_thread():
    """The suite runs in 2 pytest-xdist workers on 2 cores: a second BLAS thread per worker
    only oversubscribes the cores, and the many small per-time-step GEMMs of a recurrent
    network then wait on each other far longer than they compute."""
    with threadpool_limits(1):
        yield


def _arrays(shapes, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(s) * 0.8 for s in shapes]


def _flat(*ts):
    return ns.concatenate([t.reshape(-1) for t in ts])


# --------------------------------------------------------------- gradcheck of the fused ops

RNN_CASES = [("tanh", False, True), ("tanh", True, False), ("relu", True, True)]


@pytest.mark.parametrize("nonlinearity, reverse, batch_first", RNN_CASES)
def test_rnn_sequence_gradcheck(nonlinearity, reverse, batch_first):
    x_shape = (N, T, I) if batch_first else (T, N, I)
    inputs = _arrays([x_shape, (N, H), (H, I), (H, H), (H,), (H,)])

    def fn(x, h0, w_ih, w_hh, b_ih, b_hh):
        return _flat(*ops.rnn_sequence(x, h0, w_ih, w_hh, b_ih, b_hh, reverse=reverse,
                                       nonlinearity=nonlinearity, batch_first=batch_first))
    assert ns.gradcheck(fn, inputs)


def test_lstm_sequence_with_projection_gradcheck():
    P = 2                                    # h_t = W_hr (o ⊙ tanh c_t), P < H
    inputs = _arrays([(N, T, I), (N, P), (N, H), (4 * H, I), (4 * H, P), (4 * H,), (4 * H,),
                      (P, H)], seed=3)
    for batch_sizes in (None, np.array([2, 2, 1, 1])):
        def fn(*args):
            out, h_n, c_n = ops.lstm_sequence(*args, batch_sizes=batch_sizes)
            return _flat(out if batch_sizes is None else out[:1], h_n, c_n)
        assert ns.gradcheck(fn, inputs)


@pytest.mark.parametrize("reverse", [False, True])
def test_lstm_sequence_gradcheck(reverse):
    inputs = _arrays([(N, T, I), (N, H), (N, H), (4 * H, I), (4 * H, H), (4 * H,), (4 * H,)])

    def fn(*args):
        return _flat(*ops.lstm_sequence(*args, reverse=reverse))
    assert ns.gradcheck(fn, inputs)


@pytest.mark.parametrize("reset_after, reverse", [(True, False), (True, True), (False, False),
                                                  (False, True)])
def test_gru_sequence_gradcheck(reset_after, reverse):
    inputs = _arrays([(N, T, I), (N, H), (3 * H, I), (3 * H, H), (3 * H,), (3 * H,)])

    def fn(*args):
        return _flat(*ops.gru_sequence(*args, reset_after=reset_after, reverse=reverse))
    assert ns.gradcheck(fn, inputs)


@pytest.mark.parametrize("op", ["rnn", "lstm", "gru", "gru_cho"])
def test_sequence_ops_with_batch_sizes_gradcheck(op):
    """Variable lengths: example 1 stops after 2 of the 4 steps; its state is carried."""
    G = {"rnn": 1, "lstm": 4, "gru": 3, "gru_cho": 3}[op]
    n_states = 2 if op == "lstm" else 1
    inputs = _arrays([(T, N, I)] + [(N, H)] * n_states + [(G * H, I), (G * H, H), (G * H,),
                                                          (G * H,)], seed=5)
    kw = dict(batch_first=False, batch_sizes=np.array([2, 2, 1, 1]))
    fn = {"rnn": ops.rnn_sequence, "lstm": ops.lstm_sequence, "gru": ops.gru_sequence,
          "gru_cho": lambda *a, **k: ops.gru_sequence(*a, reset_after=False, **k)}[op]

    def f(*args):
        out, *states = fn(*args, **kw)
        return _flat(out[:2], out[2:, :1], *states)    # the real steps and the final states
    assert ns.gradcheck(f, inputs)
    out, h_n = fn(*inputs[:1 + n_states], *inputs[1 + n_states:], **kw)[:2]
    np.testing.assert_array_equal(h_n.numpy()[1], out.numpy()[1, 1])   # stopped at its end


def test_layer_gradcheck_stacked_bidirectional_lstm():
    ns.manual_seed(0)
    lstm = nn.LSTM(I, H, num_layers=2, bidirectional=True, batch_first=True).double()
    inputs = _arrays([(N, T, I), (4, N, H), (4, N, H)], seed=1)

    def fn(x, h0, c0):
        out, (h, c) = lstm(x, (h0, c0))
        return _flat(out, h, c)
    assert ns.gradcheck(fn, inputs)


# --------------------------------------------------------------- fused == composite reference


def _copy_cell(layer, cell, k=0, reverse=False):
    sfx = f"_l{k}" + ("_reverse" if reverse else "")
    for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
        setattr(cell, name, nn.Parameter(getattr(layer, name + sfx).numpy().copy()))


def _unroll(cell, x, state, reverse=False):
    """The readable reference: the cell applied step by step."""
    steps = range(x.shape[1] - 1, -1, -1) if reverse else range(x.shape[1])
    outs = {}
    for t in steps:
        state = cell(x[:, t], state)
        outs[t] = state[0] if isinstance(state, tuple) else state
    return ns.stack([outs[t] for t in range(x.shape[1])], axis=1), state


CELLS = [("RNN", {}), ("RNN", {"nonlinearity": "relu"}), ("LSTM", {}), ("GRU", {}),
         ("GRU", {"reset_after": False})]


@pytest.mark.parametrize("kind, kw", CELLS, ids=[f"{k}{kw}" for k, kw in CELLS])
@pytest.mark.parametrize("reverse", [False, True])
def test_fused_layer_equals_unrolled_cell(kind, kw, reverse):
    ns.manual_seed(0)
    layer = getattr(nn, kind)(I, H, bidirectional=reverse, batch_first=True, **kw).double()
    cell = getattr(nn, kind + "Cell")(I, H, **kw).double()
    _copy_cell(layer, cell, reverse=reverse)
    x_np, u_np = _arrays([(N, T, I), (N, T, H)], seed=5)
    x1, x2 = ns.tensor(x_np, requires_grad=True), ns.tensor(x_np, requires_grad=True)
    out, _ = layer(x1)
    if reverse:
        out = out[..., H:]
    ref, _ = _unroll(cell, x2, None, reverse)
    np.testing.assert_allclose(out.numpy(), ref.numpy(), rtol=1e-12, atol=1e-13)
    (out * ns.tensor(u_np)).sum().backward()
    (ref * ns.tensor(u_np)).sum().backward()
    np.testing.assert_allclose(x1.grad, x2.grad, rtol=1e-10, atol=1e-12)
    sfx = "_l0" + ("_reverse" if reverse else "")
    for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
        np.testing.assert_allclose(getattr(layer, name + sfx).grad, getattr(cell, name).grad,
                                   rtol=1e-10, atol=1e-12, err_msg=name)


def test_float32_layer_stays_float32_and_close_to_float64():
    ns.manual_seed(0)
    gru = nn.GRU(I, H, batch_first=True)
    x = np.random.default_rng(0).standard_normal((N, T, I)).astype(np.float32)
    out32, h32 = gru(x)
    assert out32.dtype == np.float32 and h32.dtype == np.float32
    out64, _ = gru.double()(x.astype(np.float64))
    np.testing.assert_allclose(out32.numpy(), out64.numpy(), atol=1e-5)


# --------------------------------------------------------------- truncated BPTT, embeddings


def test_detached_state_stops_gradient_at_the_batch_boundary():
    ns.manual_seed(0)
    lstm = nn.LSTM(I, H, batch_first=True).double()
    a, b = _arrays([(N, T, I), (N, T, I)], seed=6)
    xa = ns.tensor(a, requires_grad=True)
    _, state = lstm(xa)
    out, _ = lstm(ns.tensor(b), nn.detach_state(state))
    out.sum().backward()
    assert xa.grad is None                            # nothing flowed into the first batch
    # the carried values matter: the second batch differs from a fresh start
    assert np.abs(out.numpy() - lstm(ns.tensor(b))[0].numpy()).max() > 1e-3
    _, state2 = lstm(xa)
    lstm(ns.tensor(b), state2)[0].sum().backward()
    assert xa.grad is not None and np.abs(xa.grad).max() > 0


def test_embedding_feeds_a_gru_and_trains():
    ns.manual_seed(0)
    emb, gru, head = nn.Embedding(7, 5), nn.GRU(5, 8, batch_first=True), nn.Linear(8, 7)
    params = list(emb.parameters()) + list(gru.parameters()) + list(head.parameters())
    opt = optim.Adam(params, lr=0.05)
    ids = np.random.default_rng(0).integers(0, 7, (4, 6))
    losses = []
    for _ in range(30):    # learn to echo the previous token (needs the recurrent state)
        out, _ = gru(emb(ids))
        loss = ns.nn.functional.cross_entropy(head(out)[:, 1:].reshape(-1, 7),
                                              ids[:, :-1].reshape(-1))
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert emb.weight.grad is not None
    assert losses[-1] < 0.3 * losses[0]


def test_clip_grad_norm_bounds_a_recurrent_gradient():
    ns.manual_seed(0)
    rnn = nn.RNN(I, H, batch_first=True)
    rnn(np.ones((N, 20, I), np.float32))[0].sum().backward()
    total = nn.utils.clip_grad_norm_(rnn.parameters(), 0.1)
    norm = np.sqrt(sum((p.grad.astype(np.float64) ** 2).sum() for p in rnn.parameters()))
    assert total > 0.1 and norm == pytest.approx(0.1, rel=1e-4)


# --------------------------------------------------------------- text utilities and sampling


TEXT = "to be or not to be, that is the question. " * 30


def test_vocab_round_trip_and_unknown_characters():
    v = CharVocab(TEXT)
    assert v.decode(v.encode("not to be")) == "not to be"
    assert len(v) == len(set(TEXT))
    with pytest.raises(ValueError, match="outside the vocabulary.*'Z'"):
        v.encode("to Ze")


def test_stream_batches_continue_each_track():
    ids = np.arange(101)
    batches = list(stream_batches(ids, batch_size=4, seq_len=5))
    assert len(batches) == 5 and batches[0][0].shape == (4, 5)
    np.testing.assert_array_equal(batches[1][0][:, 0], batches[0][0][:, -1] + 1)
    np.testing.assert_array_equal(batches[0][1], batches[0][0] + 1)


def _trained_char_model(cell):
    ns.manual_seed(0)
    vocab = CharVocab(TEXT)
    model = CharRNN(vocab, hidden_size=32, cell=cell, embedding_dim=8 if cell == "gru" else None)
    opt = optim.Adam(model.parameters(), lr=0.02)
    ids = vocab.encode(TEXT)
    for _ in range(15):
        state = None
        for x, y in stream_batches(ids, 8, 32):
            logits, state = model(x, state)
            state = nn.detach_state(state)      # truncated BPTT
            loss = ns.nn.functional.cross_entropy(logits.reshape(-1, len(vocab)), y.reshape(-1))
            opt.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            opt.step()
    return model, ids


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_char_model_learns_and_samples(cell):
    model, ids = _trained_char_model(cell)
    bpc = bits_per_char(model, ids, batch_size=4, seq_len=32)
    assert bpc < 2.0                       # uniform over the vocabulary would be log2(16) = 4
    s1 = sample(model, "to be", 40, temperature=0.5, seed=3)
    assert s1 == sample(model, "to be", 40, temperature=0.5, seed=3)
    assert s1.startswith("to be") and len(s1) == 45
    assert set(s1) <= set(TEXT)
    # near-zero temperature is greedy decoding: the memorised phrase comes back
    assert "question" in sample(model, "that is the", 30, temperature=0.05, seed=0)


def test_sample_bad_input():
    model = CharRNN(CharVocab(TEXT), hidden_size=4)
    with pytest.raises(ValueError, match="temperature must be > 0, got 0"):
        sample(model, "to", 5, temperature=0)
    with pytest.raises(ValueError, match="prime.*outside the vocabulary.*'X'"):
        sample(model, "toX", 5)
    with pytest.raises(ValueError, match="length must be an int >= 0"):
        sample(model, "to", -1)
    with pytest.raises(ValueError, match="prime must be a non-empty str"):
        sample(model, "", 5)


# --------------------------------------------------------------- bad input


def test_bad_constructor_arguments():
    with pytest.raises(ValueError, match="num_layers must be an int >= 1, got 0"):
        nn.LSTM(3, 4, num_layers=0, batch_first=True)
    with pytest.raises(ValueError, match="nonlinearity must be 'tanh' or 'relu', got 'sigmoid'"):
        nn.RNN(3, 4, nonlinearity="sigmoid", batch_first=True)
    with pytest.raises(ValueError, match="nonlinearity must be 'tanh' or 'relu'"):
        nn.RNNCell(3, 4, nonlinearity="gelu")
    with pytest.raises(ValueError, match="hidden_size must be an int >= 1, got 0"):
        nn.GRU(3, 0, batch_first=True)
    with pytest.raises(TypeError, match="input_size must be an int"):
        nn.RNN(3.5, 4, batch_first=True)
    with pytest.raises(ValueError, match="dropout must be a number in"):
        nn.GRU(3, 4, dropout=1.5, batch_first=True)


@pytest.mark.parametrize("kind", ["RNN", "LSTM", "GRU"])
def test_bad_input_shapes(kind):
    layer = getattr(nn, kind)(3, 4, num_layers=2, batch_first=True)
    with pytest.raises(ValueError, match=r"expected a 3-D input \(N, T, input_size\).*got shape "
                                         r"\(2, 5, 3, 1\)"):
        layer(np.zeros((2, 5, 3, 1), np.float32))
    with pytest.raises(ValueError, match=r"last dimension \(input_size\) 3, got shape \(2, 5, 4\)"):
        layer(np.zeros((2, 5, 4), np.float32))
    for empty in ((2, 0, 3), (0, 5, 3)):
        with pytest.raises(ValueError, match=r"at least one step, got an empty input of shape"):
            layer(np.zeros(empty, np.float32))
    bad = np.zeros((1, 2, 4), np.float32)          # num_layers=2 needs (2, N, H)
    state = (bad, bad) if kind == "LSTM" else bad
    with pytest.raises(ValueError, match=r"expected h0 of shape \(2, 2, 4\), got \(1, 2, 4\)"):
        layer(np.zeros((2, 5, 3), np.float32), state)


def test_bad_lstm_state_and_cell_input():
    lstm = nn.LSTM(3, 4, batch_first=True)
    x = np.zeros((2, 5, 3), np.float32)
    h = np.zeros((1, 2, 4), np.float32)
    with pytest.raises(TypeError, match=r"initial state, must be a tuple \(h0, c0\)"):
        lstm(x, h)
    with pytest.raises(ValueError, match=r"expected c0 of shape \(1, 2, 4\), got \(1, 3, 4\)"):
        lstm(x, (h, np.zeros((1, 3, 4), np.float32)))
    with pytest.raises(ValueError, match=r"LSTMCell: expected input of shape \(N, 3\)"):
        nn.LSTMCell(3, 4)(np.zeros((2, 5), np.float32))
    with pytest.raises(ValueError, match=r"GRUCell: expected h of shape \(2, 4\), got \(2, 5\)"):
        nn.GRUCell(3, 4)(np.zeros((2, 3), np.float32), np.zeros((2, 5), np.float32))
