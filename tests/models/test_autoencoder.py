import numpy as np
import pytest
import scipy.stats as ss

import nnscratch as ns
import nnscratch.nn as nn
import nnscratch.nn.functional as F
from nnscratch import stats
from nnscratch.models import VAE, Autoencoder, SemiSupervisedVAE, nearest_centroid_accuracy


def _vae(latent=2, n_in=5, cls=VAE, **kw):
    enc = nn.Sequential(nn.Linear(n_in, 6), nn.Tanh(), nn.Linear(6, 2 * latent))
    dec = nn.Sequential(nn.Linear(latent, 6), nn.Tanh(), nn.Linear(6, n_in))
    return cls(enc, dec, latent, **kw)


def test_vae_gradient_including_the_sampling_path_passes_gradcheck():
    model = _vae().double()
    g = np.random.default_rng(1)
    x = ns.tensor(g.random((4, 5)), requires_grad=True)
    noise = g.standard_normal((4, 2))
    params = list(model.parameters())

    def loss(x, *ps):
        return model.loss(x, noise=noise)
    assert ns.gradcheck(loss, [x] + params)


def test_bce_vae_gradient_passes_gradcheck():
    model = _vae(recon="bce").double()
    g = np.random.default_rng(2)
    x = ns.tensor(g.random((3, 5)))
    noise = g.standard_normal((3, 2))
    assert ns.gradcheck(lambda *ps: model.loss(x, noise=noise), list(model.parameters()))


def test_reparameterisation_draws_from_the_encoded_gaussian():
    model = _vae().double()
    mu = ns.tensor(np.full((20000, 2), 1.5))
    logvar = ns.tensor(np.full((20000, 2), np.log(0.25)))
    ns.manual_seed(0)
    z = model.reparameterize(mu, logvar).numpy()
    assert z.mean() == pytest.approx(1.5, abs=0.01)
    assert z.std() == pytest.approx(0.5, rel=0.02)


def test_kl_div_gaussians_matches_closed_form_and_monte_carlo():
    g = np.random.default_rng(0)
    mu_p, lv_p = g.standard_normal((1, 3)), g.standard_normal((1, 3)) * 0.5
    mu_q, lv_q = g.standard_normal((1, 3)), g.standard_normal((1, 3)) * 0.5
    kl = F.kl_div_gaussians(ns.tensor(mu_p), ns.tensor(lv_p), mu_q, lv_q).item()
    full = stats.kl_gaussian(mu_p[0], np.diag(np.exp(lv_p[0])), mu_q[0], np.diag(np.exp(lv_q[0])))
    assert kl == pytest.approx(full, rel=1e-12)
    x = g.normal(mu_p[0], np.exp(lv_p[0] / 2), size=(400_000, 3))
    mc = (ss.norm.logpdf(x, mu_p[0], np.exp(lv_p[0] / 2))
          - ss.norm.logpdf(x, mu_q[0], np.exp(lv_q[0] / 2))).sum(1).mean()
    assert kl == pytest.approx(mc, rel=0.01)
    same = F.kl_div_gaussians(ns.tensor(mu_p), ns.tensor(lv_p), mu_p, lv_p).item()
    assert same == pytest.approx(0.0, abs=1e-12)
    # against the standard normal it is kl_div_gaussian, and it matches torch's distributions
    import torch
    from torch.distributions import Normal, kl_divergence
    t = kl_divergence(Normal(torch.tensor(mu_p), torch.tensor(np.exp(lv_p / 2))),
                      Normal(torch.tensor(mu_q), torch.tensor(np.exp(lv_q / 2)))).sum()
    assert kl == pytest.approx(t.item(), rel=1e-12)


def test_kl_div_gaussians_gradcheck():
    g = np.random.default_rng(3)
    ts = [ns.tensor(g.standard_normal((4, 3)), requires_grad=True) for _ in range(4)]
    assert ns.gradcheck(F.kl_div_gaussians, ts)


def test_autoencoder_learns_to_reconstruct():
    ns.manual_seed(0)
    g = np.random.default_rng(0)
    X = (g.standard_normal((200, 2)) @ g.standard_normal((2, 6))).astype(np.float32)
    ae = Autoencoder(nn.Sequential(nn.Linear(6, 2)), nn.Sequential(nn.Linear(2, 6)))
    opt = ns.optim.Adam(ae.parameters(), lr=0.02)
    first = ae.loss(X).item()
    for _ in range(300):
        loss = ae.loss(X)
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert loss.item() < 0.01 * first   # rank-2 data through a 2-D code: near-exact
    assert ae.reconstruct(X).shape == X.shape


def test_semi_supervised_centroids_are_centred_and_drift_apart():
    ns.manual_seed(0)
    X = np.random.default_rng(0).random((30, 5))
    y = np.arange(30) % 3
    still = _vae(cls=SemiSupervisedVAE, n_classes=3, drift=0.0).double()
    ns.manual_seed(0)
    model = _vae(cls=SemiSupervisedVAE, n_classes=3, drift=0.5).double()
    c0, c = still.update_centroids(X, y), model.update_centroids(X, y)
    assert c.shape == (3, 2)
    np.testing.assert_allclose(c.sum(0), 0, atol=1e-12)      # centred; the pushes cancel
    np.testing.assert_allclose(c0.sum(0), 0, atol=1e-12)
    gaps = lambda a: [np.linalg.norm(a[i] - a[j]) for i in range(3) for j in range(i)]  # noqa
    assert all(g > g0 for g, g0 in zip(gaps(c), gaps(c0)))   # every pair moved apart
    codes = model.encode_mean(X)
    np.testing.assert_allclose(c0, [codes[y == k].mean(0) - codes.mean(0) for k in range(3)],
                               atol=1e-12)
    # the prior is now N(c_y, I): the KL term equals kl_div_gaussians to the centroids
    mu, lv = model.encode(X)
    kl = model.kl(mu, lv, y).item()
    ref = F.kl_div_gaussians(mu, lv, c[y], np.zeros((30, 2))).item()
    assert kl == pytest.approx(ref)
    s = model.sample(4, cls=1, seed=0)
    assert s.shape == (4, 5)


def test_nearest_centroid_accuracy():
    z = np.array([[0.0, 0], [0.1, 0], [5, 5], [5.1, 5]])
    y = np.array([0, 0, 1, 1])
    assert nearest_centroid_accuracy(z, y, z[[0, 2]], np.array([1, 0])) == (1.0, 0.0)


@pytest.mark.parametrize("call, match", [
    (lambda: VAE(nn.Linear(5, 2), nn.Linear(1, 5), 0), "latent_dim"),
    (lambda: VAE(nn.Linear(5, 3), nn.Linear(2, 5), 2).encode(np.ones((1, 5), np.float32)),
     r"2 \* latent_dim"),
    (lambda: _vae(recon="bce").loss(np.full((2, 5), 2.0, np.float32)), r"\[0, 1\]"),
    (lambda: _vae(recon="l1"), "recon"),
    (lambda: _vae(cls=SemiSupervisedVAE, n_classes=1), "n_classes"),
    (lambda: _vae(cls=SemiSupervisedVAE, n_classes=3).update_centroids(
        np.ones((2, 5), np.float32), np.array([0, 3])), "labels"),
    (lambda: _vae().sample(0), "n must be"),
])
def test_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()
