"""001 chapter 11: autoencoder, VAE and semi-supervised VAE with 2-D codes, judged by
nearest-centroid classification in latent space."""
from __future__ import annotations

import numpy as np

from ... import nn, optim
from ... import random as _random
from ...models import VAE, Autoencoder, SemiSupervisedVAE, mlp, nearest_centroid_accuracy
from ...tensor import as_tensor as _as_tensor
from .plotting import plt, savefig
from .registry import Expect, Result, claim, experiment

# 001 Figures 11.3, 11.5-11.7: nearest-centroid accuracy (train, test) with a 2-D code
BOOK = {"autoencoder": (0.55, 0.53), "vae": (0.56, 0.55), "ssvae": (0.999, 0.90)}


# The semi-supervised model as 001 §11.3-11.4 state it: the loss is "the sum of the KL loss
# and the MSE loss", eq. 11.4's KL per digit (averaged over the batch) plus the squared error
# averaged over the pixels.  Our VAE's reconstruction term sums the squared error over the
# pixels, so the text's loss is ours divided by the number of pixels with β = that number (784
# for MNIST); Adam's step does not change when the loss is scaled (up to its ε).  The centroid
# drift, 0.5 per epoch, is ours: the text says only that a drift term separates the centroids.
SSVAE_DRIFT = 0.5


def build(kind: str, n_features: int, latent: int = 2, hidden=(512, 256), n_classes=10):
    """The chapter's design: an MLP encoder choking to ``latent`` dims, a mirrored decoder
    ending in a sigmoid (pixels in [0, 1]), trained on summed squared error; the
    semi-supervised model's KL weighted by ``n_features``, the text's MSE (see above)."""
    dec = mlp((latent,) + tuple(reversed(hidden)) + (n_features,), out_activation=nn.Sigmoid())
    if kind == "autoencoder":
        return Autoencoder(mlp((n_features,) + tuple(hidden) + (latent,)), dec)
    if kind == "vae":
        return VAE(mlp((n_features,) + tuple(hidden) + (2 * latent,)), dec, latent)
    enc = mlp((n_features,) + tuple(hidden) + (2 * latent,))
    return SemiSupervisedVAE(enc, dec, latent, n_classes, beta=float(n_features),
                             drift=SSVAE_DRIFT)


def _codes(model, X, batch=1000):
    model.eval()
    out = []
    for i in range(0, len(X), batch):
        xb = _as_tensor(X[i:i + batch])
        code = model.encode(xb)
        out.append((code[0] if isinstance(code, tuple) else code).numpy())
    model.train()
    return np.concatenate(out)


def train(model, X, y, epochs, batch=100, lr=1e-3, seed=0, warmup=2):
    """Adam over shuffled mini-batches; the semi-supervised model recomputes its centroids at
    the start of every epoch after ``warmup`` plain-VAE epochs.  Returns per-epoch losses."""
    from ...autograd import no_grad
    opt = optim.Adam(model.parameters(), lr=lr)
    g = _random.rng(seed)
    hist = {"loss": [], "reconstruction": [], "kl": []}
    ss = isinstance(model, SemiSupervisedVAE)
    for epoch in range(epochs):
        if ss and epoch >= warmup:
            with no_grad():
                model.update_centroids(X, y)
        sums = {k: 0.0 for k in hist}
        batches = np.array_split(g.permutation(len(X)), max(1, len(X) // batch))
        for idx in batches:
            xb = _as_tensor(X[idx])
            if isinstance(model, VAE):
                parts = model.losses(xb, y[idx] if ss else None)
            else:
                parts = {"loss": model.loss(xb)}
                parts["reconstruction"] = parts["loss"]
            opt.zero_grad()
            parts["loss"].backward()
            opt.step()
            for k, v in parts.items():
                sums[k] += v.item()
        for k in hist:
            hist[k].append(sums[k] / len(batches) if k in sums and sums[k] else 0.0)
    return hist


def _scatter(ax, codes, y, centroids=None, title=""):
    sc = ax.scatter(codes[:, 0], codes[:, 1], c=y, cmap="tab10", s=3, alpha=0.6)
    if centroids is not None:
        ax.scatter(centroids[:, 0], centroids[:, 1], c=np.arange(len(centroids)), cmap="tab10",
                   s=150, marker="*", edgecolors="k")
        for k, (cx, cy) in enumerate(centroids):
            ax.annotate(str(k), (cx, cy), fontsize=11, weight="bold")
    ax.set_title(title)
    return sc


def _lattice(model, codes, side, n=15):
    lo, hi = np.percentile(codes, 2, axis=0), np.percentile(codes, 98, axis=0)
    gx, gy = np.linspace(lo[0], hi[0], n), np.linspace(hi[1], lo[1], n)
    z = np.array([[a, b] for b in gy for a in gx], dtype=codes.dtype)
    from ...autograd import no_grad
    with no_grad():
        imgs = model.decode(_as_tensor(z)).numpy().reshape(n, n, side, side)
    return imgs.transpose(0, 2, 1, 3).reshape(n * side, n * side)


def run_autoencoder(cfg, kind, data="mnist"):
    if data == "mnist":
        from ...datasets import load_mnist
        (Xtr, ytr), _, (Xte, yte) = load_mnist()
        # 5,000 training digits as in the chapter; its semi-supervised model was trained on
        # "half the MNIST data set" (001 §11.4), which the full run follows
        n_train = 25_000 if kind == "ssvae" and not cfg.quick else 5000
        Xtr, ytr = Xtr[:n_train], ytr[:n_train]
        side, hidden = 28, (512, 256)
        epochs = cfg.epochs or {"autoencoder": (5, 30), "vae": (10, 30),
                                "ssvae": (10, 20)}[kind][0 if cfg.quick else 1]
    else:
        from ...datasets import load_digits
        X, y = load_digits()
        X = X / np.float32(16)
        order = _random.rng(cfg.seed).permutation(len(X))
        Xtr, ytr, Xte, yte = X[order[:1400]], y[order[:1400]], X[order[1400:]], y[order[1400:]]
        side, hidden = 8, (128, 64)
        epochs = cfg.epochs or (30 if cfg.quick else 100)
    _random.manual_seed(cfg.seed)
    model = build(kind, Xtr.shape[1], 2, hidden)
    hist = train(model, Xtr, ytr, epochs, seed=cfg.seed)
    ctr, cte = _codes(model, Xtr), _codes(model, Xte)
    acc_tr, acc_te = nearest_centroid_accuracy(ctr, ytr, cte, yte)
    cent = np.stack([ctr[ytr == k].mean(0) for k in range(10)])

    figs, nearest = _autoencoder_figures(ctr, ytr, cent, acc_tr, cte, yte, acc_te, cfg, kind, model,
                                         side, Xte, Xtr, hist)

    # 001 §11.2 after Figure 11.2: "the representations of hand drawn 2, 4 and 5 digits is
    # poor": the three classes whose test digits reconstruct worst (measured, not checked)
    n_err = min(len(Xte), 5000)
    err = ((model.reconstruct(Xte[:n_err]) - Xte[:n_err]) ** 2).mean(1)
    per_class = np.array([err[yte[:n_err] == k].mean() for k in range(10)])
    metrics = {"worst_reconstructed_digits": [int(k) for k in np.argsort(per_class)[::-1][:3]],
               "train_accuracy": acc_tr, "test_accuracy": acc_te, "epochs": epochs,
               "n_train": len(Xtr), "final_reconstruction": hist["reconstruction"][-1],
               "decoded_centroids_recognised": int((nearest == np.arange(10)).sum()),
               "decoded_centroids_not_recognised": [int(k) for k in np.flatnonzero(
                   nearest != np.arange(10))]}
    if isinstance(model, VAE):
        metrics["final_kl"] = hist["kl"][-1]
    book_tr, book_te = BOOK[kind]
    if data == "mnist":
        metrics.update(book_train_accuracy=book_tr, book_test_accuracy=book_te)
    return model, metrics, figs, hist


def _autoencoder_figures(ctr, ytr, cent, acc_tr, cte, yte, acc_te, cfg, tag, model, side, Xte, Xtr,
                         hist):
    """The latent codes (training and test), the decoded lattice, reconstructions and decoded
    class centroids (001 Figure 11.2), and the loss curves."""
    figs = []
    fig, ax = plt.subplots(1, 2, figsize=(11, 5))
    _scatter(ax[0], ctr[:5000], ytr[:5000], cent,
             f"training codes: nearest-centroid {acc_tr:.3f}")
    _scatter(ax[1], cte[:5000], yte[:5000], cent, f"test codes: nearest-centroid {acc_te:.3f}")
    figs.append(savefig(fig, cfg.figure(f"{tag}_latent")))
    fig, ax = plt.subplots(1, 3, figsize=(16, 5), gridspec_kw={"width_ratios": [2, 2, 1]})
    ax[0].imshow(_lattice(model, ctr, side), cmap="gray")
    ax[0].set_title("decoded from a lattice over latent space")
    ax[0].axis("off")
    rec = model.reconstruct(Xte[:10]).reshape(10, side, side)
    pair = np.concatenate([Xte[:10].reshape(10, side, side), rec], axis=1)
    ax[1].imshow(pair.transpose(1, 0, 2).reshape(2 * side, 10 * side), cmap="gray")
    ax[1].set_title("test digits (top) and reconstructions (bottom)")
    ax[1].axis("off")
    # 001 Figure 11.2: the class centroids of the training codes, decoded; a decoded centroid
    # is "recognised" when the nearest training class mean (in pixels) is its own class
    from ...autograd import no_grad
    with no_grad():
        decoded = model.decode(_as_tensor(cent.astype(ctr.dtype))).numpy()
    means = np.stack([Xtr[ytr == k].mean(0) for k in range(10)])
    nearest = ((decoded[:, None, :] - means[None]) ** 2).sum(-1).argmin(1)
    ax[2].imshow(decoded.reshape(5, 2, side, side).transpose(0, 2, 1, 3)
                 .reshape(5 * side, 2 * side), cmap="gray")
    ax[2].set_title("decoded class centroids 0-9\n(001 Figure 11.2)")
    ax[2].axis("off")
    figs.append(savefig(fig, cfg.figure(f"{tag}_decoded")))
    if isinstance(model, SemiSupervisedVAE):
        fig, axes = plt.subplots(10, 8, figsize=(8, 10))
        for k in range(10):
            imgs = model.sample(8, cls=k, seed=cfg.seed + k).reshape(8, side, side)
            for j in range(8):
                axes[k, j].imshow(imgs[j], cmap="gray")
                axes[k, j].axis("off")
        fig.suptitle("samples drawn near each class centroid (001 Figure 11.8)")
        figs.append(savefig(fig, cfg.figure(f"{tag}_class_samples")))
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot(hist["reconstruction"], label="reconstruction")
    if isinstance(model, VAE):
        ax.plot(hist["kl"], label="KL")
    ax.set_xlabel("epoch")
    ax.set_yscale("log")
    ax.legend()
    figs.append(savefig(fig, cfg.figure(f"{tag}_losses")))
    return figs, nearest


def _epoch_table(hist):
    return [{"epoch": i + 1, "reconstruction": round(r, 4), "kl": round(k, 4)}
            for i, (r, k) in enumerate(zip(hist["reconstruction"], hist["kl"]))]


@experiment("autoencoder-mnist", source="001 §11.2, Figure 11.3",
            summary="2-D autoencoder on 5,000 MNIST digits; nearest-centroid accuracy")
def autoencoder_mnist(cfg):
    _, m, figs, _ = run_autoencoder(cfg, "autoencoder")
    # measured, full run (30 epochs), seeds 0 / 1: test 0.546 / 0.506: the seed moves a 2-D
    # code's nearest-centroid accuracy by ±0.04; the text's 53 % is checked as printed (seed 0)
    exp = claim(cfg, "test_accuracy",
                Expect(">=", 0.53, "001 Fig. 11.3: testing accuracy 53 %",
                       source="text: 001 Figure 11.3"),
                Expect(">=", 0.50, "quick: 5 of the 30 epochs", source="ours"))
    return Result(m, exp, figs, headline="test_accuracy")


@experiment("vae-mnist", source="001 §11.3, Figure 11.5",
            summary="2-D variational autoencoder on 5,000 MNIST digits")
def vae_mnist(cfg):
    _, m, figs, hist = run_autoencoder(cfg, "vae")
    # measured, full run (30 epochs), seeds 0 / 1: test 0.622 / 0.528 (see autoencoder-mnist)
    # The plain VAE keeps the squared error summed over the pixels (β = 1): read as the MSE
    # averaged over the pixels (the SS-VAE's loss, :func:`build`), its KL term collapses the
    # codes onto the prior (quick, seed 0: KL 0.00, test 0.14), far from the text's 55 %
    exp = claim(cfg, "test_accuracy",
                Expect(">=", 0.55, "001 Fig. 11.5: testing accuracy 55 %",
                       source="text: 001 Figure 11.5"),
                Expect(">=", 0.45, "quick: 10 of the 30 epochs", source="ours"))
    return Result(m, exp, figs, headline="test_accuracy",
                  tables={"losses per epoch": _epoch_table(hist)})


@experiment("ssvae-mnist", source="001 §11.4, Figures 11.6-11.8",
            summary="semi-supervised VAE: class-centroid priors on MNIST (half the training set)")
def ssvae_mnist(cfg):
    """001 §11.4's semi-supervised VAE with the text's loss (eq. 11.4's KL to the class
    centroid plus the MSE, :func:`build`): two plain-VAE epochs, then the centroids
    recomputed, centred and drifted before every epoch.  The full run trains on 25,000 digits
    (half of our 50,000-digit training split; the text: "half the MNIST data set") for 20
    epochs, the quick run on 5,000 for 10; both test on the 10,000 test digits.

    Earlier sessions read the loss as KL + squared error summed over the pixels (β = 1): that
    lets the reconstruction swamp the prior and gave 0.636 test in quick mode and 0.785 in the
    full run, so they checked the text's 90 % on a weighted objective of their own (β = 200,
    dropout 0.25).  With the MSE as the text prints it (measured 2026-12-07, seed 0): quick
    0.991 train / 0.894 test; full run 0.9994 / 0.9593 (94 s of CPU) against the text's
    99.9 % / 90 %.  The same reading collapses the plain VAE of §11.3 (see ``vae-mnist``),
    which keeps the summed error: the text's words fit one model, not both."""
    _, m, figs, hist = run_autoencoder(cfg, "ssvae")
    quick = "quick: 10 epochs on 5,000 digits, not 20 on 25,000"
    exp = {**claim(cfg, "test_accuracy",
                   Expect(">=", 0.90, "001 Fig. 11.7: testing accuracy 90 %",
                          source="text: 001 Figure 11.7"),
                   Expect(">=", 0.80, quick, source="ours")),
           **claim(cfg, "train_accuracy",
                   Expect(">=", 0.999, "001 Fig. 11.6: training accuracy 99.9 %",
                          source="text: 001 Figure 11.6"),
                   Expect(">=", 0.95, quick, source="ours"))}
    return Result(m, exp, figs, headline="test_accuracy",
                  tables={"losses per epoch": _epoch_table(hist)})


@experiment("vae-digits", source="001 §11.3 on UCI digits",
            summary="the 2-D VAE on 8×8 UCI digits (a quick stand-in for MNIST)")
def vae_digits(cfg):
    _, m, figs, hist = run_autoencoder(cfg, "vae", data="digits")
    exp = {"test_accuracy": Expect(">=", 0.5, "same bar as the MNIST VAE", source="ours")}
    return Result(m, exp, figs, headline="test_accuracy",
                  tables={"losses per epoch": _epoch_table(hist)})
