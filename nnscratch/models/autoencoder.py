"""Autoencoders of 001 chapter 11: simple, variational, and semi-supervised variational.

* :class:`Autoencoder` squeezes the input through a low-dimensional code and is trained to
  reconstruct it (001 eq. 11.1).
* :class:`VAE` (Kingma & Welling 2014) makes the encoder output a Gaussian N(μ, diag σ²) per
  input, samples the code with the reparameterisation trick z = μ + σ ⊙ ε, ε ~ N(0, I), and
  adds KL(N(μ, σ²) ‖ N(0, I)) to the reconstruction loss (001 eqs. 11.2-11.3).
* :class:`SemiSupervisedVAE` replaces the prior's mean by the current centroid of the sample's
  class (001 eq. 11.4); centroids are recomputed each epoch, centred on the origin, and pushed
  apart by a drift term, so each class gathers around its own point of latent space.

The encoder of a VAE is any module whose output has ``2 * latent_dim`` features: the first
half is μ, the second half log σ².
"""
from __future__ import annotations

import numpy as np

from .. import random as _random
from .._checks import check_int
from ..autograd import no_grad
from ..nn import functional as F
from ..nn.module import Module
from ..tensor import Tensor
from ..tensor import as_tensor as _as_tensor


def _as_input(x, owner) -> Tensor:
    if isinstance(x, Tensor):
        return x
    a = np.asarray(x)
    if a.dtype.kind not in "fiu":
        raise TypeError(f"{owner}: input must be numeric, got dtype {a.dtype}")
    return _as_tensor(a if a.dtype.kind == "f" else a.astype(np.float32))


def _check_range01(x: Tensor, owner):
    lo, hi = float(x.numpy().min()), float(x.numpy().max())
    if lo < 0 or hi > 1:
        raise ValueError(f"{owner}: a Bernoulli (BCE) decoder needs inputs in [0, 1], got "
                         f"values in [{lo:.4g}, {hi:.4g}]; scale the data or use recon='mse'")


def reconstruction_loss(logits_or_x_hat: Tensor, x: Tensor, recon: str, owner: str) -> Tensor:
    """Per-sample reconstruction error summed over features, averaged over the batch.

    ``recon="mse"``: Σ_j (x̂_j - x_j)², the decoder output is x̂ itself;
    ``recon="bce"``: Bernoulli log-likelihood, the decoder output is a logit per feature.
    """
    n = x.shape[0]
    if recon == "mse":
        return F.mse_loss(logits_or_x_hat, x, reduction="sum") * (1.0 / n)
    if recon == "bce":
        _check_range01(x, owner)
        return F.binary_cross_entropy_with_logits(logits_or_x_hat, x, reduction="sum") * (1.0 / n)
    raise ValueError(f"{owner}: recon must be 'mse' or 'bce', got {recon!r}")


class Autoencoder(Module):
    """x -> encoder -> code -> decoder -> x̂, trained on the reconstruction error (001 §11.2).

    Shape: x ``(N, *)`` -> code ``(N, latent)`` -> x̂ ``(N, *)`` (whatever the modules map).
    """

    def __init__(self, encoder: Module, decoder: Module, recon: str = "mse"):
        if recon not in ("mse", "bce"):
            raise ValueError(f"Autoencoder: recon must be 'mse' or 'bce', got {recon!r}")
        self.encoder, self.decoder, self.recon = encoder, decoder, recon

    def encode(self, x) -> Tensor:
        return self.encoder(_as_input(x, "Autoencoder.encode"))

    def decode(self, z) -> Tensor:
        """The reconstruction (probabilities, if the decoder emits logits for ``recon='bce'``)."""
        out = self.decoder(_as_input(z, "Autoencoder.decode"))
        return out.sigmoid() if self.recon == "bce" else out

    def forward(self, x) -> Tensor:
        return self.decoder(self.encode(x))

    def reconstruct(self, x) -> np.ndarray:
        with no_grad():
            return self.decode(self.encode(x)).numpy()

    def loss(self, x) -> Tensor:
        x = _as_input(x, "Autoencoder.loss")
        return reconstruction_loss(self(x), x, self.recon, "Autoencoder")


class VAE(Module):
    """Variational autoencoder with a diagonal Gaussian code (001 §11.3).

    loss = reconstruction + β · KL(N(μ, diag e^{logvar}) ‖ prior),  prior N(0, I).

    Shape: encoder output ``(N, 2 * latent_dim)`` = [μ | log σ²]; code ``(N, latent_dim)``.
    """

    def __init__(self, encoder: Module, decoder: Module, latent_dim: int, recon: str = "mse",
                 beta: float = 1.0):
        check_int(latent_dim, "latent_dim", type(self).__name__)
        if recon not in ("mse", "bce"):
            raise ValueError(f"{type(self).__name__}: recon must be 'mse' or 'bce', "
                             f"got {recon!r}")
        if not beta >= 0:
            raise ValueError(f"{type(self).__name__}: beta must be >= 0, got {beta}")
        self.encoder, self.decoder = encoder, decoder
        self.latent_dim, self.recon, self.beta = int(latent_dim), recon, float(beta)

    def encode(self, x) -> tuple[Tensor, Tensor]:
        """(μ, log σ²) of q(z | x), each ``(N, latent_dim)``."""
        h = self.encoder(_as_input(x, f"{type(self).__name__}.encode"))
        if h.ndim != 2 or h.shape[1] != 2 * self.latent_dim:
            raise ValueError(f"{type(self).__name__}: the encoder must output (N, 2 * "
                             f"latent_dim) = (N, {2 * self.latent_dim}) features [mu | logvar], "
                             f"got shape {tuple(h.shape)}")
        d = self.latent_dim
        return h[:, :d], h[:, d:]

    def reparameterize(self, mu: Tensor, logvar: Tensor, noise=None) -> Tensor:
        """z = μ + e^{logvar/2} ⊙ ε: the sample is a differentiable function of μ and logvar.

        ``noise`` fixes ε (e.g. for a gradient check); by default ε ~ N(0, I) from the
        library generator.
        """
        if noise is None:
            noise = _random.generator().standard_normal(mu.shape).astype(mu.dtype)
        return mu + (logvar * 0.5).exp() * noise

    def decode(self, z) -> Tensor:
        out = self.decoder(_as_input(z, f"{type(self).__name__}.decode"))
        return out.sigmoid() if self.recon == "bce" else out

    def forward(self, x, noise=None):
        """Returns ``(decoder output, μ, logvar)``; the code is sampled in training mode and
        is μ itself in eval mode (pass ``noise`` to fix ε)."""
        mu, logvar = self.encode(x)
        z = self.reparameterize(mu, logvar, noise) if (self.training or noise is not None) \
            else mu
        return self.decoder(z), mu, logvar

    def kl(self, mu: Tensor, logvar: Tensor, y=None) -> Tensor:
        return F.kl_div_gaussian(mu, logvar)

    def losses(self, x, y=None, noise=None) -> dict:
        """``{"loss", "reconstruction", "kl"}`` (Tensors) for a batch."""
        x = _as_input(x, f"{type(self).__name__}.loss")
        out, mu, logvar = self(x, noise)
        rec = reconstruction_loss(out, x, self.recon, type(self).__name__)
        kl = self.kl(mu, logvar, y)
        return {"loss": rec + kl * self.beta, "reconstruction": rec, "kl": kl}

    def loss(self, x, y=None, noise=None) -> Tensor:
        return self.losses(x, y, noise)["loss"]

    def reconstruct(self, x) -> np.ndarray:
        with no_grad():
            mu, _ = self.encode(x)
            return self.decode(mu).numpy()

    def sample(self, n: int, seed=None) -> np.ndarray:
        """Decode ``n`` codes drawn from the prior N(0, I)."""
        check_int(n, "n", "sample")
        z = _random.rng(seed).standard_normal((int(n), self.latent_dim))
        with no_grad():
            return self.decode(_as_tensor(z.astype(self._dtype()))).numpy()

    def _dtype(self):
        return next(iter(self.parameters())).dtype


class SemiSupervisedVAE(VAE):
    """A VAE whose prior for a sample of class k is N(c_k, I), c_k the class centroid
    (001 §11.4, eq. 11.4).

    Call :meth:`update_centroids` after each epoch: it sets c_k to the mean code μ of class
    k's training samples, centres the centroids on the origin, and moves each by ``drift``
    away from the others (the mean of the unit vectors from every other centroid to it), so
    the classes keep separating.  Until centroids
    exist the prior is N(0, I), i.e. the model trains as a plain VAE.

    Buffers: ``centroids`` ``(n_classes, latent_dim)``.
    """

    def __init__(self, encoder: Module, decoder: Module, latent_dim: int, n_classes: int,
                 recon: str = "mse", beta: float = 1.0, drift: float = 0.1):
        super().__init__(encoder, decoder, latent_dim, recon, beta)
        check_int(n_classes, "n_classes", "SemiSupervisedVAE", 2)
        if not drift >= 0:
            raise ValueError(f"SemiSupervisedVAE: drift must be >= 0, got {drift}")
        self.n_classes, self.drift = int(n_classes), float(drift)
        self.centroids: Tensor | None
        self.register_buffer("centroids", None)

    def _labels(self, y, n) -> np.ndarray:
        y = np.asarray(y.numpy() if isinstance(y, Tensor) else y)
        if y.dtype.kind not in "iu" or y.shape != (n,):
            raise ValueError(f"SemiSupervisedVAE: y must be int class labels of shape ({n},), "
                             f"got dtype {y.dtype} and shape {y.shape}")
        if n and (y.min() < 0 or y.max() >= self.n_classes):
            raise ValueError(f"SemiSupervisedVAE: labels must be in [0, {self.n_classes}), got "
                             f"range [{y.min()}, {y.max()}]")
        return y

    def kl(self, mu, logvar, y=None):
        if self.centroids is None:
            return F.kl_div_gaussian(mu, logvar)
        if y is None:
            raise ValueError("SemiSupervisedVAE: the loss needs class labels y once centroids "
                             "exist")
        c = self.centroids._data[self._labels(y, mu.shape[0])].astype(mu.dtype)
        return F.kl_div_gaussians(mu, logvar, c, np.zeros_like(c))

    def update_centroids(self, X, y, batch_size: int = 1000) -> np.ndarray:
        """Recompute, centre and drift the class centroids from the codes μ of (X, y)."""
        y = self._labels(y, len(X))
        codes = self.encode_mean(X, batch_size)
        c = np.stack([codes[y == k].mean(axis=0) if np.any(y == k)
                      else np.zeros(self.latent_dim) for k in range(self.n_classes)])
        c -= c.mean(axis=0)
        # drift: every centroid steps away from each of the others (a unit push per pair,
        # averaged), so classes that sit close together are the ones pushed apart most
        diff = c[:, None, :] - c[None, :, :]
        dist = np.linalg.norm(diff, axis=-1, keepdims=True)
        np.fill_diagonal(dist[..., 0], np.inf)
        c += self.drift * (diff / np.maximum(dist, 1e-12)).sum(axis=1) / (self.n_classes - 1)
        self.centroids = Tensor(c.astype(codes.dtype))
        return self.centroids.numpy()

    def encode_mean(self, X, batch_size: int = 1000) -> np.ndarray:
        """μ for every row of X, in batches, without recording a graph."""
        with no_grad():
            return np.concatenate([self.encode(X[i:i + batch_size])[0].numpy()
                                   for i in range(0, len(X), batch_size)])

    def sample(self, n: int, cls: int | None = None,  # type: ignore[override]  # adds cls
               scale: float = 0.5, seed=None) -> np.ndarray:
        """Decode ``n`` codes drawn near class ``cls``'s centroid (N(c_cls, scale² I)); with
        ``cls=None`` from the prior N(0, I)."""
        if cls is None:
            return super().sample(n, seed)
        if self.centroids is None:
            raise ValueError("sample: no centroids yet; call update_centroids first")
        if not 0 <= cls < self.n_classes:
            raise ValueError(f"sample: cls must be in [0, {self.n_classes}), got {cls}")
        check_int(n, "n", "sample")
        noise = _random.rng(seed).standard_normal((n, self.latent_dim))
        z = self.centroids._data[cls] + scale * noise
        with no_grad():
            return self.decode(_as_tensor(z.astype(self._dtype()))).numpy()


def nearest_centroid_accuracy(codes_train, y_train, codes_test, y_test) -> tuple[float, float]:
    """Classify each code by the nearest class centroid of the training codes (001 §11.2).

    Returns (train accuracy, test accuracy).
    """
    classes = np.unique(y_train)
    cent = np.stack([codes_train[y_train == k].mean(axis=0) for k in classes])

    def acc(z, y):
        d = ((z[:, None, :] - cent[None]) ** 2).sum(-1)
        return float((classes[d.argmin(1)] == y).mean())
    return acc(codes_train, y_train), acc(codes_test, y_test)
