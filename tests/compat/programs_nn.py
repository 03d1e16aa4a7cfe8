"""More programs (our own code) in the idioms of the PyTorch tutorials, pytorch/examples and d2l:
lazy modules, hooks, Transformers and attention masks, state dicts as tensors (BytesIO round
trips, EMA of weights), frozen parameters, samplers.  Each is ``main(torch, env)``; see
harness.py."""
import io


def lazy_mlp_d2l(torch, env):
    """d2l's idiom: a net of LazyLinear layers sized by a first dummy forward, then trained."""
    nn = torch.nn
    net = nn.Sequential(nn.LazyLinear(16), nn.ReLU(), nn.LazyLinear(3))
    X, y = env.randn(40, 5), env.randint(3, 40)
    net(X[:2])                                      # materialise the parameters
    env.init(net)
    opt = torch.optim.SGD(net.parameters(), lr=0.2)
    for _ in range(6):
        opt.zero_grad()
        loss = nn.functional.cross_entropy(net(X), y)
        loss.backward()
        opt.step()
        env.log(loss.item())
    env.log(float(type(net[0]).__name__ == "Linear"))
    env.log(net[0].in_features)


def lazy_cnn_d2l(torch, env):
    """d2l's LeNet written with LazyConv2d / LazyBatchNorm2d / LazyLinear."""
    nn = torch.nn
    net = nn.Sequential(nn.LazyConv2d(4, kernel_size=3, padding=1), nn.LazyBatchNorm2d(),
                        nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.LazyLinear(5))
    X, y = env.randn(8, 2, 6, 6), env.randint(5, 8)
    net(X)
    env.init(net)
    opt = torch.optim.Adam(net.parameters(), lr=1e-2)
    for _ in range(4):
        opt.zero_grad()
        loss = nn.functional.cross_entropy(net(X), y)
        loss.backward()
        opt.step()
        env.log(loss.item())
    net.eval()
    env.log(net(X).sum().item())


def forward_hooks_feature_extraction(torch, env):
    """The 'forward and backward hooks' tutorial: capture intermediate activations with a
    forward hook, edit an input with a pre-hook, remove the handles."""
    nn = torch.nn
    model = env.init(nn.Sequential(nn.Linear(4, 6), nn.Tanh(), nn.Linear(6, 2)))
    features = {}

    def keep(name):
        def hook(module, inputs, output):
            features[name] = output.detach()
        return hook
    h1 = model[1].register_forward_hook(keep("tanh"))
    h2 = model[0].register_forward_pre_hook(lambda m, args: (args[0] * 0.5,))
    x = env.randn(3, 4)
    out = model(x)
    env.log(out.sum().item())
    env.log(features["tanh"].pow(2).sum().item())
    h1.remove()
    h2.remove()
    env.log(model(x).sum().item())
    env.log(len(features))


def backward_hooks_gradient_logging(torch, env):
    """Full backward hooks record grad_output norms per layer; a pre-hook scales gradients."""
    nn = torch.nn
    model = env.init(nn.Sequential(nn.Linear(3, 5), nn.ReLU(), nn.Linear(5, 1)))
    norms = []
    for layer in (model[0], model[2]):
        layer.register_full_backward_hook(
            lambda m, gin, gout: norms.append(gout[0].norm().item()))
    model[2].register_full_backward_pre_hook(lambda m, gout: (gout[0] * 0.5,))
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    x, y = env.randn(16, 3), env.randn(16, 1)
    for _ in range(3):
        opt.zero_grad()
        loss = ((model(x) - y) ** 2).mean()
        loss.backward()
        opt.step()
        env.log(loss.item())
    for n in norms:
        env.log(n)


def transformer_causal_lm(torch, env):
    """A small decoder-only language model: Embedding + learned positions, a causal
    TransformerEncoder (batch_first, pre-LN, gelu), a Linear head, AdamW and grad clipping."""
    nn = torch.nn

    class TinyLM(nn.Module):
        def __init__(self, vocab, d, heads, layers, block):
            super().__init__()
            self.tok = nn.Embedding(vocab, d)
            self.pos = nn.Parameter(torch.zeros(1, block, d))
            layer = nn.TransformerEncoderLayer(d, heads, 4 * d, dropout=0.0, activation="gelu",
                                               batch_first=True, norm_first=True)
            self.blocks = nn.TransformerEncoder(layer, layers)
            self.head = nn.Linear(d, vocab)

        def forward(self, idx):
            T = idx.shape[1]
            mask = nn.Transformer.generate_square_subsequent_mask(T)
            x = self.tok(idx) + self.pos[:, :T]
            return self.head(self.blocks(x, mask=mask, is_causal=True))
    model = env.init(TinyLM(13, 8, 2, 2, 6))
    data = env.randint(13, 4, 7)
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3)
    for _ in range(4):
        logits = model(data[:, :-1])
        loss = nn.functional.cross_entropy(logits.reshape(-1, 13), data[:, 1:].reshape(-1))
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        env.log(loss.item())


def seq2seq_transformer(torch, env):
    """nn.Transformer on (S, N, E) sequences with a target mask and padding masks."""
    nn = torch.nn
    model = env.init(nn.Transformer(d_model=8, nhead=2, num_encoder_layers=1,
                                    num_decoder_layers=1, dim_feedforward=16, dropout=0.0))
    src, tgt, target = env.randn(5, 2, 8), env.randn(4, 2, 8), env.randn(4, 2, 8)
    tgt_mask = nn.Transformer.generate_square_subsequent_mask(4)
    pad = torch.zeros(2, 5, dtype=torch.bool)
    pad[1, 3:] = True
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    for _ in range(3):
        out = model(src, tgt, tgt_mask=tgt_mask, src_key_padding_mask=pad,
                    memory_key_padding_mask=pad)
        loss = nn.functional.mse_loss(out, target)
        opt.zero_grad()
        loss.backward()
        opt.step()
        env.log(loss.item())


def attention_masks_mha(torch, env):
    """MultiheadAttention with a key padding mask and a boolean causal attn_mask; the averaged
    attention weights are read, and scaled_dot_product_attention with is_causal agrees."""
    nn = torch.nn
    mha = env.init(nn.MultiheadAttention(8, 2, batch_first=True))
    x = env.randn(2, 5, 8)
    pad = torch.tensor([[False] * 5, [False, False, False, True, True]])
    causal = torch.triu(torch.ones(5, 5, dtype=torch.bool), diagonal=1)
    out, w = mha(x, x, x, key_padding_mask=pad, attn_mask=causal)
    env.log(out.pow(2).sum().item())
    env.log(w[1, 4, 3].item())
    env.log(w.sum().item())
    q = x.reshape(2, 5, 2, 4).transpose(1, 2)
    y = nn.functional.scaled_dot_product_attention(q, q, q, is_causal=True)
    env.log(y.sum().item())
    y2 = nn.functional.scaled_dot_product_attention(q, q, q, attn_mask=~causal)
    env.log((y - y2).abs().max().item())


def bytesio_round_trip(torch, env):
    """torch.save into an io.BytesIO, torch.load from it, and continue training identically."""
    nn = torch.nn
    model = env.init(nn.Sequential(nn.Linear(3, 6), nn.BatchNorm1d(6), nn.Linear(6, 1)))
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    X, y = env.randn(16, 3), env.randn(16, 1)

    def step(model, opt):
        opt.zero_grad()
        loss = nn.functional.mse_loss(model(X), y)
        loss.backward()
        opt.step()
        env.log(loss.item())
    for _ in range(2):
        step(model, opt)
    buffer = io.BytesIO()
    torch.save({"model": model.state_dict(), "opt": opt.state_dict()}, buffer)
    buffer.seek(0)
    state = torch.load(buffer, weights_only=True)
    env.log(float(isinstance(state["model"]["1.running_mean"], torch.Tensor)))
    clone = nn.Sequential(nn.Linear(3, 6), nn.BatchNorm1d(6), nn.Linear(6, 1))
    clone.load_state_dict(state["model"])
    opt2 = torch.optim.SGD(clone.parameters(), lr=0.05, momentum=0.9)
    opt2.load_state_dict(state["opt"])
    for _ in range(2):
        step(clone, opt2)


def frozen_backbone_finetune(torch, env):
    """The autograd tutorial's fine-tuning: freeze every parameter, replace the head, and give
    all of model.parameters() to the optimizer (frozen ones are kept and skipped)."""
    nn = torch.nn
    model = env.init(nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 8), nn.ReLU(),
                                   nn.Linear(8, 3)))
    for p in model.parameters():
        p.requires_grad = False
    model[4] = env.init(nn.Linear(8, 2))
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    X, y = env.randn(20, 4), env.randint(2, 20)
    before = model[0].weight.clone()
    for _ in range(4):
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(X), y)
        loss.backward()
        opt.step()
        env.log(loss.item())
    env.log((model[0].weight - before).abs().sum().item())
    env.log(sum(p.numel() for p in model.parameters() if p.requires_grad))


def ema_of_weights_over_state_dict(torch, env):
    """An exponential moving average of the weights kept as cloned state_dict tensors, updated
    in place after every step and evaluated by loading it into a copy of the model."""
    nn = torch.nn

    def build():
        return nn.Sequential(nn.Linear(3, 8), nn.Tanh(), nn.Linear(8, 1))
    model = env.init(build())
    ema = {k: v.detach().clone() for k, v in model.state_dict().items()}
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    X, y = env.randn(24, 3), env.randn(24, 1)
    ema_model = build()
    for _ in range(5):
        opt.zero_grad()
        loss = nn.functional.mse_loss(model(X), y)
        loss.backward()
        opt.step()
        with torch.no_grad():
            for k, v in model.state_dict().items():
                ema[k].mul_(0.8).add_(v, alpha=0.2)
        ema_model.load_state_dict(ema)
        env.log(loss.item())
        env.log(nn.functional.mse_loss(ema_model(X), y).item())


def sampler_with_replacement(torch, env):
    """minGPT's trainer: a DataLoader over RandomSampler(replacement=True,
    num_samples=int(1e10)) read with next(); and a WeightedRandomSampler that only one item
    can win (so both libraries draw the same batches)."""
    nn = torch.nn
    from_lib = torch.utils.data
    X, y = env.randn(1, 3), env.randn(1, 1)
    data = from_lib.TensorDataset(X, y)
    sampler = from_lib.RandomSampler(data, replacement=True, num_samples=int(1e10))
    loader = from_lib.DataLoader(data, sampler=sampler, batch_size=4)
    model = env.init(nn.Linear(3, 1))
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    it = iter(loader)
    for _ in range(3):
        xb, yb = next(it)
        loss = nn.functional.mse_loss(model(xb), yb)
        opt.zero_grad()
        loss.backward()
        opt.step()
        env.log(loss.item())
    env.log(len(sampler))
    weighted = from_lib.WeightedRandomSampler([0.0, 0.0, 1.0, 0.0], num_samples=6)
    env.log(sum(weighted))


def torch_positional_arguments(torch, env):
    """Constructors called positionally in torch's order: SGD(p, lr, momentum, dampening,
    weight_decay), LSTM(in, hidden, layers, bias, batch_first, dropout, bidirectional),
    Linear(in, out, bias, device, dtype), CrossEntropyLoss(weight, size_average,
    ignore_index)."""
    nn = torch.nn
    lstm = env.init(nn.LSTM(3, 4, 1, True, True, 0.0, True))
    head = env.init(nn.Linear(8, 2, True, None, torch.float64))
    params = list(lstm.parameters()) + list(head.parameters())
    opt = torch.optim.SGD(params, 0.1, 0.9, 0, 5e-3)
    loss_fn = nn.CrossEntropyLoss(None, None, 1)
    x, y = env.randn(5, 6, 3), env.randint(2, 5)
    lstm.flatten_parameters()
    for _ in range(3):
        out, _ = lstm(x)
        loss = loss_fn(head(out[:, -1]), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        env.log(loss.item())
    env.log(opt.param_groups[0]["weight_decay"])


def graph_walk_blitz(torch, env):
    """The 60-minute blitz walks loss.grad_fn.next_functions back to the parameters."""
    nn = torch.nn
    net = env.init(nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 1)))
    loss = nn.MSELoss()(net(env.randn(2, 4)), env.randn(2, 1))
    fn = loss.grad_fn
    depth = 0
    while fn is not None and fn.next_functions:
        live = [f for f, _ in fn.next_functions if f is not None]
        if not live:
            break
        fn, depth = live[0], depth + 1
    env.log(float(depth > 0))
    env.log(float(type(fn).__name__ == "AccumulateGrad"))
    env.log(loss.item())


def early_stopping_best_weights(torch, env):
    """Keep the best epoch's weights as a cloned state_dict, keep training, restore them."""
    nn = torch.nn
    model = env.init(nn.Sequential(nn.Linear(3, 8), nn.ReLU(), nn.Linear(8, 1)))
    opt = torch.optim.SGD(model.parameters(), lr=0.3)
    X, y, Xv, yv = env.randn(20, 3), env.randn(20, 1), env.randn(10, 3), env.randn(10, 1)
    best, best_state = float("inf"), None
    for _ in range(8):
        opt.zero_grad()
        nn.functional.mse_loss(model(X), y).backward()
        opt.step()
        with torch.no_grad():
            val = nn.functional.mse_loss(model(Xv), yv).item()
        env.log(val)
        if val < best:
            best, best_state = val, {k: v.clone() for k, v in model.state_dict().items()}
    model.load_state_dict(best_state)
    with torch.no_grad():
        env.log(nn.functional.mse_loss(model(Xv), yv).item() - best)


def buffers_persistent_and_not(torch, env):
    """register_buffer with persistent=False (a cached constant left out of the state dict)
    next to a persistent running average updated in forward."""
    nn = torch.nn

    class Normalizer(nn.Module):
        def __init__(self, n):
            super().__init__()
            self.register_buffer("mean", torch.zeros(n))
            self.register_buffer("scale", torch.full((n,), 2.0), persistent=False)
            self.lin = nn.Linear(n, 1)

        def forward(self, x):
            if self.training:
                with torch.no_grad():
                    self.mean.mul_(0.9).add_(x.mean(0), alpha=0.1)
            return self.lin((x - self.mean) * self.scale)
    model = env.init(Normalizer(3))
    opt = torch.optim.SGD(model.parameters(), lr=0.05)
    X, y = env.randn(16, 3), env.randn(16, 1)
    for _ in range(3):
        opt.zero_grad()
        loss = nn.functional.mse_loss(model(X), y)
        loss.backward()
        opt.step()
        env.log(loss.item())
    env.log(len(model.state_dict()))
    env.log(len(list(model.named_buffers())))
    env.log(model.state_dict()["mean"].sum().item())


def pretrained_embedding_gru(torch, env):
    """Embedding.from_pretrained (frozen) feeding a GRU and a Linear head, Adam."""
    nn = torch.nn
    vectors = env.randn(9, 4)

    class Classifier(nn.Module):
        def __init__(self):
            super().__init__()
            self.emb = nn.Embedding.from_pretrained(vectors, freeze=True)
            self.gru = nn.GRU(4, 5, batch_first=True)
            self.head = nn.Linear(5, 2)

        def forward(self, idx):
            _, h = self.gru(self.emb(idx))
            return self.head(h[-1])
    model = env.init(Classifier())
    opt = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=1e-2)
    idx, y = env.randint(9, 6, 7), env.randint(2, 6)
    for _ in range(3):
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(idx), y)
        loss.backward()
        opt.step()
        env.log(loss.item())
    env.log(float(model.emb.weight.grad is None))


def maximize_with_sgd(torch, env):
    """optimizer(maximize=True): gradient ascent on a concave objective, with weight decay."""
    w = env.randn(4).requires_grad_()
    target = env.randn(4)
    opt = torch.optim.SGD([w], lr=0.1, momentum=0.5, weight_decay=0.01, maximize=True)
    for _ in range(5):
        opt.zero_grad()
        objective = -((w - target) ** 2).sum()
        objective.backward()
        opt.step()
        env.log(objective.item())


def onnx_export_sequence_classifier(torch, env):
    """The ONNX tutorial's idiom on a sequence model with its own forward: export with named
    inputs/outputs and a dynamic batch, run it in onnxruntime on another batch size, compare
    with the model's own outputs."""
    import onnxruntime

    nn = torch.nn

    class Classifier(nn.Module):
        def __init__(self):
            super().__init__()
            self.gru = nn.GRU(4, 6, num_layers=2, batch_first=True)
            self.head = nn.Linear(6, 3)

        def forward(self, x):
            out, _ = self.gru(x)
            return torch.log_softmax(self.head(torch.tanh(out[:, -1, :])), dim=1)
    model = env.init(Classifier()).eval()
    x = env.randn(7, 5, 4)
    with torch.no_grad():
        env.log(model(x).sum())                      # float64, before the export
    model = model.float()                            # onnxruntime's GRU runs float32
    path = env.path("classifier.onnx")
    torch.onnx.export(model, (env.randn(2, 5, 4).float(),), path, input_names=["input"],
                      output_names=["output"], opset_version=17, dynamo=False,
                      dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}})
    (got,) = onnxruntime.InferenceSession(path).run(None, {"input": x.float().numpy()})
    with torch.no_grad():
        want = model(x.float()).numpy()
    env.log(float(abs(got - want).max() < 1e-5))
    env.log(got.shape[0])


def ngram_embeddings_max_norm(torch, env):
    """The word-embeddings tutorial's N-gram language model, with the Embedding options it
    mentions: rows renormalised to max_norm as they are looked up, gradients scaled by the
    words' frequency in the batch."""
    nn, F = torch.nn, torch.nn.functional

    class NGram(nn.Module):
        def __init__(self, vocab, dim, context):
            super().__init__()
            self.embeddings = nn.Embedding(vocab, dim, max_norm=1.0, scale_grad_by_freq=True)
            self.linear1 = nn.Linear(context * dim, 8)
            self.linear2 = nn.Linear(8, vocab)

        def forward(self, inputs):
            embeds = self.embeddings(inputs).view((inputs.shape[0], -1))
            return F.log_softmax(self.linear2(F.relu(self.linear1(embeds))), dim=1)
    model = env.init(NGram(11, 3, 2))
    opt = torch.optim.SGD(model.parameters(), lr=0.5)
    context, target = env.randint(11, 16, 2), env.randint(11, 16)
    for _ in range(5):
        model.zero_grad()
        loss = nn.NLLLoss()(model(context), target)
        loss.backward()
        opt.step()
        env.log(loss.item())
    env.log(model.embeddings.weight.norm(dim=1).max().item())


def assign_state_and_always_call_hook(torch, env):
    """Loading weights by assignment (``load_state_dict(assign=True)``: the module adopts the
    given tensors, so training changes them) and a forward hook that runs even when forward
    raises (``always_call=True``), as a cleanup would."""
    nn = torch.nn
    source = env.init(nn.Linear(3, 2))
    model = nn.Linear(3, 2)
    sd = {k: v.clone() for k, v in source.state_dict().items()}
    model.load_state_dict(sd, assign=True)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    x = env.randn(4, 3)
    loss = model(x).pow(2).mean()
    loss.backward()
    opt.step()
    env.log(loss.item())
    env.log(sd["weight"].sum().item())               # the step changed the given tensor
    calls = []
    model.register_forward_hook(lambda m, args, out: calls.append(out is None),
                                always_call=True)
    try:
        model(env.randn(4, 5))                       # wrong width: forward raises
    except RuntimeError:
        env.log(1.0)
    env.log(float(calls == [True]))


PROGRAMS = [lazy_mlp_d2l, lazy_cnn_d2l, forward_hooks_feature_extraction,
            backward_hooks_gradient_logging, transformer_causal_lm, seq2seq_transformer,
            attention_masks_mha, bytesio_round_trip, frozen_backbone_finetune,
            ema_of_weights_over_state_dict, sampler_with_replacement,
            torch_positional_arguments, graph_walk_blitz, early_stopping_best_weights,
            buffers_persistent_and_not, pretrained_embedding_gru, maximize_with_sgd,
            onnx_export_sequence_classifier, ngram_embeddings_max_norm,
            assign_state_and_always_call_hook]
