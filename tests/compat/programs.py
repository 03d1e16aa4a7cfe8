"""Programs in the idioms of the PyTorch tutorials and examples (our own code), each
``main(torch, env)``: they use only the module they are given, as a user's script would after
``import nnscratch as torch``.  See harness.py for ``env``."""
import math


def polynomial_manual_sgd(torch, env):
    """'Learning PyTorch with examples': fit sin(x) with a cubic, autograd and manual
    in-place updates under no_grad."""
    x = torch.linspace(-math.pi, math.pi, 200)
    y = torch.sin(x)
    a, b, c, d = (env.randn(()).requires_grad_() for _ in range(4))
    lr = 1e-6
    for t in range(60):
        y_pred = a + b * x + c * x ** 2 + d * x ** 3
        loss = (y_pred - y).pow(2).sum()
        env.log(loss.item())
        loss.backward()
        with torch.no_grad():
            for p in (a, b, c, d):
                p -= lr * p.grad
                p.grad = None


def custom_autograd_function(torch, env):
    """A custom autograd.Function (P3(x) = (5x³ - 3x) / 2) inside a training loop."""
    class P3(torch.autograd.Function):
        @staticmethod
        def forward(ctx, input):
            ctx.save_for_backward(input)
            return 0.5 * (5 * input ** 3 - 3 * input)

        @staticmethod
        def backward(ctx, grad_output):
            input, = ctx.saved_tensors
            return grad_output * 1.5 * (5 * input ** 2 - 1)
    x = torch.linspace(-1.0, 1.0, 100)
    y = torch.sin(x * 2)
    a, b = env.randn(()).requires_grad_(), env.randn(()).requires_grad_()
    for _ in range(40):
        y_pred = a + b * P3.apply(x)
        loss = ((y_pred - y) ** 2).mean()
        env.log(loss.item())
        loss.backward()
        with torch.no_grad():
            a.sub_(0.1 * a.grad)
            b.data.add_(b.grad, alpha=-0.1)
            a.grad.zero_()
            b.grad.zero_()


def mlp_sgd_momentum_steplr(torch, env):
    """nn.Sequential classifier, CrossEntropyLoss, SGD with momentum and a StepLR schedule,
    shuffled mini-batches by index permutation."""
    nn = torch.nn
    X, labels = env.randn(120, 5), env.randint(3, 120)
    model = env.init(nn.Sequential(nn.Linear(5, 16), nn.Tanh(), nn.Linear(16, 3)))
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
    loss_fn = nn.CrossEntropyLoss()
    for epoch in range(4):
        perm = env.permutation(120)
        for i in range(0, 120, 30):
            idx = perm[i:i + 30]
            opt.zero_grad()
            loss = loss_fn(model(X[idx]), labels[idx])
            loss.backward()
            opt.step()
            env.log(loss.item())
        sched.step()
    with torch.no_grad():
        acc = (model(X).argmax(dim=1) == labels).float().mean()
    env.log(acc.item())


def cnn_adam(torch, env):
    """pytorch/examples-style ConvNet: Conv2d, ReLU, max-pool, flatten, log_softmax + NLL."""
    nn, F = torch.nn, torch.nn.functional

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 4, 3, 1)
            self.conv2 = nn.Conv2d(4, 8, 3, 1)
            self.fc1 = nn.Linear(8 * 2 * 2, 10)

        def forward(self, x):
            x = F.relu(self.conv1(x))
            x = F.max_pool2d(F.relu(self.conv2(x)), 2)
            x = torch.flatten(x, 1)
            return F.log_softmax(self.fc1(x), dim=1)
    model = env.init(Net())
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    X, y = env.randn(16, 1, 8, 8), env.randint(10, 16)
    model.train()
    for _ in range(8):
        opt.zero_grad()
        loss = F.nll_loss(model(X), y)
        loss.backward()
        opt.step()
        env.log(loss.item())


def lstm_language_model(torch, env):
    """Word-language-model style: Embedding -> LSTM (time-major, batch_first=False) -> Linear,
    truncated BPTT with the hidden state detached between chunks, clip_grad_norm_."""
    nn = torch.nn

    class RNNModel(nn.Module):
        def __init__(self, ntoken, ninp, nhid):
            super().__init__()
            self.encoder = nn.Embedding(ntoken, ninp)
            self.rnn = nn.LSTM(ninp, nhid, 2)
            self.decoder = nn.Linear(nhid, ntoken)

        def forward(self, input, hidden):
            output, hidden = self.rnn(self.encoder(input), hidden)
            return self.decoder(output).view(-1, 11), hidden
    model = env.init(RNNModel(11, 6, 8))
    data = env.randint(11, 41, 4)                 # (T + 1, batch)
    criterion = nn.CrossEntropyLoss()
    hidden = None
    lr = 0.5
    for i in range(0, 40, 8):
        inp, target = data[i:i + 8], data[i + 1:i + 9].reshape(-1)
        if hidden is not None:
            hidden = tuple(h.detach() for h in hidden)
        model.zero_grad()
        output, hidden = model(inp, hidden)
        loss = criterion(output, target)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 0.25)
        for p in model.parameters():
            p.data.add_(p.grad, alpha=-lr)
        env.log(loss.item())


def gru_classifier_batch_first(torch, env):
    """A GRU over (N, T, F) batches (batch_first=True), last hidden state -> classes, RMSprop."""
    nn = torch.nn
    gru = env.init(nn.GRU(3, 6, batch_first=True))
    head = env.init(nn.Linear(6, 2))
    opt = torch.optim.RMSprop(list(gru.parameters()) + list(head.parameters()), lr=0.01)
    X, y = env.randn(10, 7, 3), env.randint(2, 10)
    for _ in range(6):
        opt.zero_grad()
        _, h = gru(X)
        loss = nn.functional.cross_entropy(head(h[-1]), y)
        loss.backward()
        opt.step()
        env.log(loss.item())


def vae(torch, env):
    """pytorch/examples VAE: reparameterisation with noise, BCE + KL, Adam."""
    nn, F = torch.nn, torch.nn.functional

    class VAE(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = nn.Linear(16, 8)
            self.fc21 = nn.Linear(8, 2)
            self.fc22 = nn.Linear(8, 2)
            self.fc3 = nn.Linear(2, 8)
            self.fc4 = nn.Linear(8, 16)

        def encode(self, x):
            h1 = F.relu(self.fc1(x))
            return self.fc21(h1), self.fc22(h1)

        def decode(self, z):
            return torch.sigmoid(self.fc4(F.relu(self.fc3(z))))

        def forward(self, x, eps):
            mu, logvar = self.encode(x.view(-1, 16))
            std = torch.exp(0.5 * logvar)
            return self.decode(mu + eps * std), mu, logvar
    model = env.init(VAE())
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    x = env.rand(12, 16)
    for _ in range(6):
        eps = env.randn(12, 2)
        opt.zero_grad()
        recon, mu, logvar = model(x, eps)
        bce = F.binary_cross_entropy(recon, x.view(-1, 16), reduction="sum")
        kld = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
        loss = bce + kld
        loss.backward()
        opt.step()
        env.log(loss.item())


def save_and_resume(torch, env):
    """Train, save model and optimizer state_dicts with torch.save, rebuild, load them
    (map_location / weights_only as the tutorials write them), and continue identically."""
    nn = torch.nn
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")

    def build():
        return nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
    model = env.init(build()).to(device)
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    X, y = env.randn(32, 4).to(device), env.randn(32, 1).to(device)

    def train(model, opt, steps):
        for _ in range(steps):
            opt.zero_grad()
            loss = nn.functional.mse_loss(model(X), y)
            loss.backward()
            opt.step()
            env.log(loss.item())
    train(model, opt, 3)
    path = env.path("checkpoint.pt")
    torch.save({"model": model.state_dict(), "optim": opt.state_dict()}, path)
    state = torch.load(path, map_location=device, weights_only=True)
    model2 = build()
    model2.load_state_dict(state["model"])
    opt2 = torch.optim.Adam(model2.parameters(), lr=1e-2)
    opt2.load_state_dict(state["optim"])
    train(model2, opt2, 3)


def lstmcell_lbfgs_sine(torch, env):
    """pytorch/examples time-sequence style: two LSTMCells unrolled by hand over sine waves,
    trained with LBFGS and a closure.  The example's lr=0.8 without a line search overshoots
    from some initial weights (the loss jumps ~100x), and from there ULP-level differences
    between two BLAS builds grow chaotically; lr=0.1 descends monotonically from every one of
    40 random initialisations tried, where the two libraries agree to ~1e-15."""
    nn = torch.nn

    class Sequence(nn.Module):
        def __init__(self):
            super().__init__()
            self.lstm1 = nn.LSTMCell(1, 6)
            self.lstm2 = nn.LSTMCell(6, 6)
            self.linear = nn.Linear(6, 1)

        def forward(self, input):
            outputs = []
            h_t = torch.zeros(input.size(0), 6, dtype=torch.double)
            c_t = torch.zeros(input.size(0), 6, dtype=torch.double)
            h_t2 = torch.zeros(input.size(0), 6, dtype=torch.double)
            c_t2 = torch.zeros(input.size(0), 6, dtype=torch.double)
            for input_t in input.split(1, dim=1):
                h_t, c_t = self.lstm1(input_t, (h_t, c_t))
                h_t2, c_t2 = self.lstm2(h_t, (h_t2, c_t2))
                outputs += [self.linear(h_t2)]
            return torch.cat(outputs, dim=1)
    t = torch.arange(0, 12, dtype=torch.double) * 0.5
    phase = env.rand(4, 1) * 3
    data = torch.sin(t + phase)
    inp, target = data[:, :-1], data[:, 1:]
    seq = env.init(Sequence())
    criterion = nn.MSELoss()
    optimizer = torch.optim.LBFGS(seq.parameters(), lr=0.1, max_iter=5)
    for _ in range(2):
        def closure():
            optimizer.zero_grad()
            loss = criterion(seq(inp), target)
            env.log(loss.item())
            loss.backward()
            return loss
        optimizer.step(closure)


def dataloader_pipeline_onecycle(torch, env):
    """torch.utils.data: TensorDataset + DataLoader (unshuffled), a OneCycleLR schedule, and
    evaluation under torch.no_grad() with model.eval()."""
    nn = torch.nn
    from_lib = torch.utils.data
    X, y = env.randn(40, 3), env.randn(40, 1)
    loader = from_lib.DataLoader(from_lib.TensorDataset(X, y), batch_size=8)
    model = env.init(nn.Sequential(nn.Linear(3, 10), nn.ReLU(), nn.Linear(10, 1)))
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.1, total_steps=3 * len(loader))
    for epoch in range(3):
        model.train()
        for xb, yb in loader:
            opt.zero_grad()
            loss = nn.functional.mse_loss(model(xb), yb)
            loss.backward()
            opt.step()
            sched.step()
            env.log(loss.item())
        model.eval()
        with torch.no_grad():
            env.log(nn.functional.mse_loss(model(X), y).item())


def rnn_over_image_rows(torch, env):
    """pytorch/examples mnist_rnn style: each image's rows are the time steps of an LSTM
    (batch_first=True), the last output -> log-probabilities; Adadelta with StepLR(gamma=0.7),
    test accuracy by ``pred.eq(target.view_as(pred)).sum().item()``."""
    nn, F = torch.nn, torch.nn.functional

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.rnn = nn.LSTM(input_size=6, hidden_size=8, batch_first=True)
            self.batchnorm = nn.BatchNorm1d(8)
            self.fc = nn.Linear(8, 4)

        def forward(self, input):
            input = input.reshape(-1, 6, 6)          # (N, rows, columns)
            output, _ = self.rnn(input)
            output = self.batchnorm(output[:, -1, :])
            return F.log_softmax(self.fc(output), dim=1)
    device = torch.device("cpu")
    model = env.init(Net()).to(device)
    optimizer = torch.optim.Adadelta(model.parameters(), lr=1.0)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.7)
    images, labels = env.randn(24, 1, 6, 6), env.randint(4, 24)
    train = torch.utils.data.TensorDataset(images[:16], labels[:16])
    loader = torch.utils.data.DataLoader(train, batch_size=8)
    for epoch in range(1, 4):
        model.train()
        for data, target in loader:
            data, target = data.to(device), target.to(device)
            optimizer.zero_grad()
            loss = F.nll_loss(model(data), target)
            loss.backward()
            optimizer.step()
            env.log(loss.item())
        model.eval()
        test_loss, correct = 0, 0
        with torch.no_grad():
            output = model(images[16:])
            test_loss += F.nll_loss(output, labels[16:], reduction="sum").item()
            pred = output.argmax(dim=1, keepdim=True)
            correct += pred.eq(labels[16:].view_as(pred)).sum().item()
        env.log(test_loss)
        env.log(correct)
        scheduler.step()


def dict_containers_adagrad_plateau(torch, env):
    """A module holding an nn.ModuleDict and an nn.ParameterDict, custom initialisation with
    ``model.apply(init_weights)``, Adagrad over two parameter groups, ReduceLROnPlateau on a
    validation loss and a second run with RMSprop + ExponentialLR."""
    nn = torch.nn

    class Heads(nn.Module):
        def __init__(self):
            super().__init__()
            self.layers = nn.ModuleDict({"encoder": nn.Linear(4, 6), "act": nn.Tanh(),
                                         "decoder": nn.Linear(6, 2)})
            self.affine = nn.ParameterDict({"scale": nn.Parameter(torch.ones(2)),
                                            "shift": nn.Parameter(torch.zeros(2))})

        def forward(self, x):
            for name in ("encoder", "act", "decoder"):
                x = self.layers[name](x)
            return x * self.affine["scale"] + self.affine["shift"]

    def init_weights(m):
        if isinstance(m, nn.Linear):
            nn.init.xavier_uniform_(m.weight)
            m.bias.data.fill_(0.01)
    X, y = env.randn(30, 4), env.randn(30, 2)
    Xv, yv = env.randn(10, 4), env.randn(10, 2)
    criterion = nn.MSELoss()
    for which in ("adagrad", "rmsprop"):
        model = Heads()
        model.apply(init_weights)
        env.init(model)
        if which == "adagrad":
            opt = torch.optim.Adagrad([{"params": model.layers.parameters()},
                                       {"params": model.affine.parameters(), "lr": 0.05}],
                                      lr=0.1, lr_decay=0.01)
            sched = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, mode="min", factor=0.5,
                                                               patience=0)
        else:
            opt = torch.optim.RMSprop(model.parameters(), lr=0.01, momentum=0.5,
                                      centered=True)
            sched = torch.optim.lr_scheduler.ExponentialLR(opt, gamma=0.8)
        for epoch in range(5):
            model.train()
            for i in range(0, 30, 10):
                opt.zero_grad()
                loss = criterion(model(X[i:i + 10]), y[i:i + 10])
                loss.backward()
                opt.step()
                env.log(loss.item())
            model.eval()
            with torch.no_grad():
                val = criterion(model(Xv), yv)
            env.log(val.item())
            sched.step(val) if which == "adagrad" else sched.step()
            env.log(opt.param_groups[0]["lr"])


def input_gradients_fgsm_and_jacobian(torch, env):
    """The FGSM tutorial's idiom: ``torch.autograd.grad`` of the loss w.r.t. the input, an
    adversarial batch ``x + eps * grad.sign()`` mixed into training; then the Jacobian of
    the trained network at a point with ``torch.autograd.functional.jacobian``."""
    nn, F = torch.nn, torch.nn.functional
    model = env.init(nn.Sequential(nn.Linear(3, 8), nn.Softplus(), nn.Linear(8, 3)))
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    X, y = env.randn(20, 3), env.randint(3, 20)
    epsilon = 0.05
    for _ in range(6):
        x = X.clone().requires_grad_(True)
        loss = F.cross_entropy(model(x), y)
        grad_x, = torch.autograd.grad(loss, x, retain_graph=True)
        x_adv = (x + epsilon * grad_x.sign()).detach()
        adv_loss = F.cross_entropy(model(x_adv), y)
        opt.zero_grad()
        (0.5 * loss + 0.5 * adv_loss).backward()
        opt.step()
        env.log(loss.item())
        env.log(adv_loss.item())
    point = env.randn(3)
    J = torch.autograd.functional.jacobian(model, point)
    for v in J.flatten().tolist():
        env.log(v)


def iterable_dataset_stream(torch, env):
    """A streaming ``torch.utils.data.IterableDataset`` (a generator of samples), batched by
    DataLoader with a custom ``collate_fn``; gradients accumulated over two batches; Adam with
    amsgrad and a LambdaLR warm-up."""
    nn = torch.nn
    xs, ys = env.randn(48, 2), env.randn(48, 1)

    class Stream(torch.utils.data.IterableDataset):
        def __init__(self, xs, ys):
            super().__init__()
            self.xs, self.ys = xs, ys

        def __iter__(self):
            for i in range(len(self.xs)):
                yield self.xs[i], self.ys[i]

    def collate(batch):
        inputs, targets = zip(*batch)
        return torch.stack(inputs), torch.stack(targets)
    loader = torch.utils.data.DataLoader(Stream(xs, ys), batch_size=12, collate_fn=collate)
    model = env.init(nn.Sequential(nn.Linear(2, 5), nn.ELU(), nn.Linear(5, 1)))
    opt = torch.optim.Adam(model.parameters(), lr=0.05, amsgrad=True)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda step: min(1.0, (step + 1) / 4))
    accumulation = 2                    # gradient accumulation over two batches
    opt.zero_grad()
    for epoch in range(3):
        for step, (xb, yb) in enumerate(loader, start=1):
            loss = nn.functional.l1_loss(model(xb), yb) / accumulation
            loss.backward()
            env.log(loss.item())
            if step % accumulation == 0:
                opt.step()
                sched.step()
                opt.zero_grad()


def causal_attention_einsum_topk(torch, env):
    """A one-head causal self-attention language model in the style of minGPT tutorials:
    einsum for the scores, a tril mask filled with -inf, logsumexp in a hand-written loss,
    cumsum for positions, and top-k accuracy with sort and index_select."""
    nn = torch.nn
    V, T, D = 7, 6, 8

    class Attention(nn.Module):
        def __init__(self):
            super().__init__()
            self.embed = nn.Embedding(V, D)
            self.qkv = nn.Linear(D, 3 * D)
            self.out = nn.Linear(D, V)
            self.register_buffer("mask", torch.tril(torch.ones(T, T)))

        def forward(self, idx):
            pos = torch.cumsum(torch.ones_like(idx), dim=1) - 1          # 0, 1, ..., T-1
            x = self.embed(idx) + torch.sin(pos.unsqueeze(-1).to(torch.float64))
            q, k, v = self.qkv(x).chunk(3, dim=-1)
            att = torch.einsum("btd,bsd->bts", q, k) / D ** 0.5
            L = idx.size(1)
            att = att.masked_fill(self.mask[:L, :L] == 0, float("-inf")).softmax(dim=-1)
            return self.out(torch.einsum("bts,bsd->btd", att, v))

    model = env.init(Attention())
    opt = torch.optim.AdamW(model.parameters(), lr=3e-2)
    idx = env.randint(V, 4, T)
    for _ in range(6):
        logits = model(idx[:, :-1].roll(1, dims=1))
        target = idx[:, 1:]
        logp = logits - torch.logsumexp(logits, dim=-1, keepdim=True)
        loss = -logp.gather(-1, target.unsqueeze(-1)).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        env.log(loss.item())
        top = logits.topk(2, dim=-1).indices
        env.log((top == target.unsqueeze(-1)).any(-1).to(torch.float64).mean().item())
        ranked = logits.sort(dim=-1, descending=True).values
        env.log(ranked.index_select(-1, torch.tensor([0])).sum().item())


PROGRAMS = [polynomial_manual_sgd, custom_autograd_function, mlp_sgd_momentum_steplr,
            cnn_adam, lstm_language_model, gru_classifier_batch_first, vae, save_and_resume,
            lstmcell_lbfgs_sine, dataloader_pipeline_onecycle, rnn_over_image_rows,
            dict_containers_adagrad_plateau, input_gradients_fgsm_and_jacobian,
            iterable_dataset_stream, causal_attention_einsum_topk]
