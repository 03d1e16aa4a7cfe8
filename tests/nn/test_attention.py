"""Attention and Transformers against torch 2.13 in float64: torch's state dict loads, outputs
and gradients (inputs and parameters, random cotangent) agree to rtol 1e-10."""
import numpy as np
import pytest
import torch  # noqa: E402  (the parity oracle: a declared test dependency, never skipped)

import nnscratch as ns
import nnscratch.nn as nn
import nnscratch.nn.functional as F

RTOL = 1e-10


def _both(a):
    return ns.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)


def _close(ours, theirs, what=""):
    np.testing.assert_allclose(ours.detach().numpy() if hasattr(ours, "detach") else ours,
                               theirs.detach().numpy(), rtol=RTOL, atol=1e-12, err_msg=what)


# ------------------------------------------------------------------ scaled_dot_product_attention
SDPA = [dict(), dict(mask="bool"), dict(mask="float"), dict(is_causal=True), dict(scale=0.3),
        dict(gqa=True), dict(mask="bool", shape=(5, 3))]


@pytest.mark.parametrize("case", SDPA, ids=[str(c) for c in SDPA])
def test_sdpa_values_and_gradients_match_torch(case):
    rng = np.random.default_rng(0)
    hq, hk = (4, 2) if case.get("gqa") else (2, 2)
    L, S = case.get("shape", (5, 6))
    q, k, v = (rng.standard_normal((3, hq, L, 4)), rng.standard_normal((3, hk, S, 4)),
               rng.standard_normal((3, hk, S, 5)))
    mask = None
    if case.get("mask") == "bool":
        mask = rng.random((L, S)) < 0.7
        mask[:, 0] = True                          # every query attends somewhere
    elif case.get("mask") == "float":
        mask = rng.standard_normal((3, 1, L, S))
    kw = dict(is_causal=case.get("is_causal", False), scale=case.get("scale"),
              enable_gqa=bool(case.get("gqa")))
    outs, grads = [], []
    cot = rng.standard_normal((3, hq, L, 5))
    for lib, fn in ((ns, F.scaled_dot_product_attention),
                    (torch, torch.nn.functional.scaled_dot_product_attention)):
        ts = [lib.tensor(a, requires_grad=True) for a in (q, k, v)]
        m = None if mask is None else lib.tensor(mask)
        out = fn(*ts, attn_mask=m, **kw)
        (out * lib.tensor(cot)).sum().backward()
        outs.append(out)
        grads.append([t.grad for t in ts])
    _close(outs[0], outs[1])
    for g, tg, name in zip(grads[0], grads[1], "qkv"):
        _close(g, tg, name)


def test_sdpa_gradcheck_and_dropout_and_errors():
    rng = np.random.default_rng(1)
    q, k, v = (ns.tensor(rng.standard_normal(s), requires_grad=True)
               for s in ((2, 3, 4), (2, 5, 4), (2, 5, 3)))
    mask = ns.tensor(rng.standard_normal((3, 5)))
    assert ns.gradcheck(lambda a, b, c: F.scaled_dot_product_attention(a, b, c, mask), (q, k, v))
    ns.manual_seed(0)
    # uniform weights 1/4 over 4 keys, values the identity: the output is the dropped weights
    dropped = F.scaled_dot_product_attention(ns.zeros(200, 4), ns.zeros(4, 4), ns.eye(4),
                                             dropout_p=0.5).numpy()
    assert 0.4 < (dropped == 0).mean() < 0.6 and set(np.unique(dropped)) == {0.0, 0.5}
    with pytest.raises(RuntimeError, match="attn_mask should not be set when is_causal"):
        F.scaled_dot_product_attention(q, k, v, mask, is_causal=True)


# ------------------------------------------------------------------ MultiheadAttention
MHA = [dict(), dict(batch_first=True), dict(kdim=6, vdim=3), dict(bias=False),
       dict(add_bias_kv=True), dict(add_zero_attn=True), dict(need_weights=False),
       dict(average_attn_weights=False), dict(masks="bool"), dict(masks="float"),
       dict(unbatched=True), dict(add_bias_kv=True, add_zero_attn=True, masks="bool",
                                  kdim=6, vdim=3, batch_first=True)]


@pytest.mark.parametrize("case", MHA, ids=[str(c) for c in MHA])
def test_multihead_attention_matches_torch(case):
    rng = np.random.default_rng(2)
    ctor = {k: case[k] for k in ("batch_first", "kdim", "vdim", "bias", "add_bias_kv",
                                 "add_zero_attn") if k in case}
    call = {k: case[k] for k in ("need_weights", "average_attn_weights") if k in case}
    E, H, L, S, N = 8, 2, 4, 5, 3
    kd, vd = case.get("kdim", E), case.get("vdim", E)
    lead = (lambda n: (n,)) if case.get("unbatched") else \
        ((lambda n: (N, n)) if case.get("batch_first") else (lambda n: (n, N)))
    q, k, v = (rng.standard_normal(lead(L) + (E,)), rng.standard_normal(lead(S) + (kd,)),
               rng.standard_normal(lead(S) + (vd,)))
    if case.get("masks") == "bool":
        call["key_padding_mask"] = rng.random((N, S)) < 0.3
        call["key_padding_mask"][:, 0] = False
        call["attn_mask"] = rng.random((L, S)) < 0.2
        call["attn_mask"][:, 0] = False
    elif case.get("masks") == "float":
        call["key_padding_mask"] = rng.standard_normal((N, S))
        call["attn_mask"] = rng.standard_normal((N * H, L, S))
    tm = torch.nn.MultiheadAttention(E, H, **ctor).double()
    om = nn.MultiheadAttention(E, H, **ctor).double()
    assert list(om.state_dict()) == list(tm.state_dict())
    assert {n: tuple(p.shape) for n, p in om.named_parameters()} == \
        {n: tuple(p.shape) for n, p in tm.named_parameters()}
    om.load_state_dict(tm.state_dict())
    results = []
    for lib, m in ((ns, om), (torch, tm)):
        ts = [lib.tensor(a, requires_grad=True) for a in (q, k, v)]
        kw = {n: (lib.tensor(x) if n.endswith("mask") else x) for n, x in call.items()}
        out, w = m(*ts, **kw)
        cot = np.random.default_rng(3).standard_normal(tuple(out.shape))
        loss = (out * lib.tensor(cot)).sum() + (0 if w is None else w.pow(2).sum())
        loss.backward()
        results.append((out, w, [t.grad for t in ts],
                        {n: p.grad for n, p in m.named_parameters()}))
    (o, w, g, pg), (to, tw, tg, tpg) = results
    _close(o, to, "output")
    assert (w is None) == (tw is None)
    if w is not None:
        _close(w, tw, "weights")
    for a, b in zip(g, tg):
        _close(a, b, "input grad")
    for n in tpg:
        _close(pg[n], tpg[n], n)


def test_multihead_attention_initialisation_is_torchs():
    m = nn.MultiheadAttention(16, 4, add_bias_kv=True)
    bound = np.sqrt(6.0 / (16 + 48))
    w = m.in_proj_weight.numpy()
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.8 * bound
    assert not m.in_proj_bias.numpy().any() and not m.out_proj.bias.numpy().any()
    with pytest.raises(RuntimeError, match="Need attn_mask if specifying the is_causal hint"):
        m(ns.ones(2, 1, 16), ns.ones(2, 1, 16), ns.ones(2, 1, 16), is_causal=True)
    with pytest.raises(ValueError, match="divisible by num_heads"):
        nn.MultiheadAttention(10, 3)


# ------------------------------------------------------------------ Transformer layers
def _gelu_t(x):
    return torch.nn.functional.gelu(x)


LAYERS = [dict(), dict(norm_first=True), dict(activation="gelu"), dict(batch_first=True),
          dict(masks=True), dict(bias=False), dict(activation="callable", norm_first=True)]


@pytest.mark.parametrize("kind", ["encoder", "decoder"])
@pytest.mark.parametrize("case", LAYERS, ids=[str(c) for c in LAYERS])
def test_transformer_layers_match_torch(kind, case):
    rng = np.random.default_rng(4)
    act = case.get("activation", "relu")
    kw = dict(dim_feedforward=12, dropout=0.0, batch_first=case.get("batch_first", False),
              norm_first=case.get("norm_first", False), bias=case.get("bias", True))
    name = "TransformerEncoderLayer" if kind == "encoder" else "TransformerDecoderLayer"
    tl = getattr(torch.nn, name)(8, 2, activation=_gelu_t if act == "callable" else act, **kw)
    ol = getattr(nn, name)(8, 2, activation=nn.functional.gelu if act == "callable" else act,
                           **kw)
    tl, ol = tl.double(), ol.double()
    assert list(ol.state_dict()) == list(tl.state_dict())
    ol.load_state_dict(tl.state_dict())
    shape = (3, 5, 8) if kw["batch_first"] else (5, 3, 8)
    x, mem = rng.standard_normal(shape), rng.standard_normal(shape[:-1] + (8,))
    extra = {}
    if case.get("masks"):
        causal = nn.Transformer.generate_square_subsequent_mask(5, dtype=ns.float64)
        pad = np.zeros((3, 5), bool)
        pad[0, -2:] = True
        extra = (dict(src_mask=causal, src_key_padding_mask=pad, is_causal=True)
                 if kind == "encoder" else
                 dict(tgt_mask=causal, tgt_key_padding_mask=pad, memory_key_padding_mask=pad,
                      tgt_is_causal=True))
    res = []
    for lib, layer in ((ns, ol), (torch, tl)):
        ts = [lib.tensor(a, requires_grad=True) for a in (x, mem)]
        kw2 = {n: (lib.tensor(v.numpy() if isinstance(v, ns.Tensor) else v)
                   if n.endswith("mask") else v) for n, v in extra.items()}
        out = layer(ts[0], **kw2) if kind == "encoder" else layer(ts[0], ts[1], **kw2)
        (out * lib.tensor(np.random.default_rng(5).standard_normal(shape))).sum().backward()
        res.append((out, ts[0].grad, {n: p.grad for n, p in layer.named_parameters()}))
    _close(res[0][0], res[1][0], "output")
    _close(res[0][1], res[1][1], "input grad")
    for n, g in res[1][2].items():
        _close(res[0][2][n], g, n)


def test_transformer_matches_torch_and_its_mask():
    rng = np.random.default_rng(6)
    tt = torch.nn.Transformer(8, 2, 2, 2, 16, dropout=0.0).double()
    ot = nn.Transformer(8, 2, 2, 2, 16, dropout=0.0).double()
    assert list(ot.state_dict()) == list(tt.state_dict())
    ot.load_state_dict(tt.state_dict())
    src, tgt = rng.standard_normal((6, 2, 8)), rng.standard_normal((4, 2, 8))
    mask_o = nn.Transformer.generate_square_subsequent_mask(4, dtype=ns.float64)
    mask_t = torch.nn.Transformer.generate_square_subsequent_mask(4, dtype=torch.float64)
    np.testing.assert_array_equal(mask_o.numpy(), mask_t.numpy())
    out_o = ot(ns.tensor(src), ns.tensor(tgt), tgt_mask=mask_o)
    out_t = tt(torch.tensor(src), torch.tensor(tgt), tgt_mask=mask_t)
    _close(out_o, out_t)
    out_o.sum().backward()
    out_t.sum().backward()
    for n, p in tt.named_parameters():
        _close(dict(ot.named_parameters())[n].grad, p.grad, n)
    # torch's initialisation: every matrix Xavier-uniform, in its bound
    fresh = nn.Transformer(8, 2, 1, 1, 16)
    w = fresh.encoder.layers[0].linear1.weight.numpy()
    assert np.abs(w).max() <= np.sqrt(6.0 / (8 + 16))


def test_word_language_model_subclasses_transformer():
    """pytorch/examples' word_language_model: ``class TransformerModel(nn.Transformer)``."""
    class TransformerModel(nn.Transformer):
        def __init__(self, ntoken, ninp, nhead, nhid, nlayers, dropout=0.5):
            super().__init__(d_model=ninp, nhead=nhead, dim_feedforward=nhid,
                             num_encoder_layers=nlayers)
            self.input_emb = nn.Embedding(ntoken, ninp)
            self.decoder = nn.Linear(ninp, ntoken)

        def forward(self, src):
            mask = nn.Transformer.generate_square_subsequent_mask(len(src))
            return self.decoder(self.encoder(self.input_emb(src), mask=mask))

    model = TransformerModel(20, 8, 2, 16, 2)
    out = model(ns.tensor(np.arange(12).reshape(6, 2) % 20))
    assert out.shape == (6, 2, 20)
