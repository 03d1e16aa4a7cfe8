"""Layers against torch.nn in float64: same weights -> same outputs and the same gradients."""
import numpy as np
import pytest
import torch

import nnscratch as ns
import nnscratch.nn as nn
import nnscratch.nn.functional as F

TOL = dict(rtol=1e-10, atol=1e-12)


def torch_state_as_numpy(module: torch.nn.Module) -> dict:
    return {k: v.detach().numpy().copy() for k, v in module.state_dict().items()}


def copy_weights(ours: nn.Module, theirs: torch.nn.Module) -> None:
    """Give our module torch's weights (and check that strict loading accepts torch's keys)."""
    ours.double()
    theirs.double()
    ours.load_state_dict(torch_state_as_numpy(theirs), strict=True)


def compare(ours, theirs, x_np, rng, x_grad=True, **tol):
    """Forward both, backward a random cotangent, compare output, input grad, param grads."""
    tol = tol or TOL
    x = ns.tensor(x_np, requires_grad=x_grad)
    tx = torch.tensor(x_np, requires_grad=x_grad)
    y, ty = ours(x), theirs(tx)
    np.testing.assert_allclose(y.numpy(), ty.detach().numpy(), **tol)
    u = rng.standard_normal(y.shape)
    y.backward(u)
    ty.backward(torch.tensor(u))
    if x_grad:
        np.testing.assert_allclose(x.grad, tx.grad.numpy(), **tol)
    theirs_params = dict(theirs.named_parameters())
    ours_params = dict(ours.named_parameters())
    assert ours_params.keys() == theirs_params.keys()
    for name, p in ours_params.items():
        np.testing.assert_allclose(p.grad, theirs_params[name].grad.numpy(), **tol,
                                   err_msg=name)
    return y


@pytest.mark.parametrize("shape", [(5, 4), (2, 3, 4), (4,)])
@pytest.mark.parametrize("bias", [True, False])
def test_linear(shape, bias, rng):
    torch.manual_seed(0)
    theirs = torch.nn.Linear(4, 3, bias=bias)
    ours = nn.Linear(4, 3, bias=bias)
    copy_weights(ours, theirs)
    compare(ours, theirs, rng.standard_normal(shape), rng)


@pytest.mark.parametrize("ours, theirs", [
    (nn.ReLU(), torch.nn.ReLU()),
    (nn.LeakyReLU(), torch.nn.LeakyReLU()),
    (nn.LeakyReLU(0.2), torch.nn.LeakyReLU(0.2)),
    (nn.Sigmoid(), torch.nn.Sigmoid()),
    (nn.Tanh(), torch.nn.Tanh()),
    (nn.Softmax(), torch.nn.Softmax(dim=-1)),
    (nn.Softmax(axis=0), torch.nn.Softmax(dim=0)),
    (nn.LogSoftmax(), torch.nn.LogSoftmax(dim=-1)),
    (nn.LogSoftmax(axis=1), torch.nn.LogSoftmax(dim=1)),
], ids=["relu", "leaky_relu", "leaky_relu_0.2", "sigmoid", "tanh", "softmax", "softmax_axis0",
        "log_softmax", "log_softmax_axis1"])
def test_activations(ours, theirs, rng):
    compare(ours, theirs, rng.standard_normal((4, 3, 5)) * 3, rng)


def test_sequential_mlp(rng):
    torch.manual_seed(1)
    theirs = torch.nn.Sequential(torch.nn.Linear(6, 8), torch.nn.ReLU(), torch.nn.Linear(8, 5),
                                 torch.nn.Tanh(), torch.nn.Linear(5, 3), torch.nn.LogSoftmax(-1))
    ours = nn.Sequential(nn.Linear(6, 8), nn.ReLU(), nn.Linear(8, 5), nn.Tanh(),
                         nn.Linear(5, 3), nn.LogSoftmax())
    copy_weights(ours, theirs)
    compare(ours, theirs, rng.standard_normal((7, 6)), rng)


@pytest.mark.parametrize("ours_cls, torch_cls, shape, momentum", [
    (nn.BatchNorm1d, torch.nn.BatchNorm1d, (8, 3), 0.2),
    (nn.BatchNorm1d, torch.nn.BatchNorm1d, (4, 3, 5), 0.2),
    (nn.BatchNorm2d, torch.nn.BatchNorm2d, (3, 3, 4, 2), 0.2),
    (nn.BatchNorm1d, torch.nn.BatchNorm1d, (8, 3), None),     # cumulative average
], ids=["bn1d_2d", "bn1d_3d", "bn2d_4d", "bn1d_momentum_none"])
def test_batch_norm_train_then_eval(ours_cls, torch_cls, shape, momentum, rng):
    theirs = torch_cls(3, momentum=momentum)
    ours = ours_cls(3, momentum=momentum)
    with torch.no_grad():   # non-trivial affine parameters
        theirs.weight.copy_(torch.tensor(rng.uniform(0.5, 2.0, 3)))
        theirs.bias.copy_(torch.tensor(rng.standard_normal(3)))
    copy_weights(ours, theirs)
    for step in range(4):             # running statistics after several training steps
        ours.zero_grad()
        theirs.zero_grad()
        compare(ours, theirs, rng.standard_normal(shape) * 2 + step, rng)
        for key, value in torch_state_as_numpy(theirs).items():
            np.testing.assert_allclose(ours.state_dict()[key], value, **TOL, err_msg=key)
    assert int(ours.num_batches_tracked) == 4
    ours.eval()
    theirs.eval()
    ours.zero_grad()
    theirs.zero_grad()
    compare(ours, theirs, rng.standard_normal(shape), rng)
    np.testing.assert_allclose(ours.running_mean, theirs.running_mean.numpy(), **TOL)
    assert int(ours.num_batches_tracked) == 4   # eval does not count batches


def test_batch_norm_without_affine_or_running_stats(rng):
    theirs = torch.nn.BatchNorm1d(3, affine=False, track_running_stats=False).double()
    ours = nn.BatchNorm1d(3, affine=False, track_running_stats=False).double()
    assert list(ours.state_dict()) == list(theirs.state_dict()) == []
    ours.eval()
    theirs.eval()                      # no running statistics: batch statistics even in eval
    compare(ours, theirs, rng.standard_normal((6, 3)), rng)


def _embedding_parity(ours, theirs, idx, rng):
    """Same lookups and, for a random cotangent, the same weight gradient; returns ours."""
    y, ty = ours(idx), theirs(torch.tensor(idx))
    np.testing.assert_allclose(y.numpy(), ty.detach().numpy(), **TOL)
    u = rng.standard_normal(y.shape)
    y.backward(u)
    ty.backward(torch.tensor(u))
    np.testing.assert_allclose(ours.weight.grad, theirs.weight.grad.numpy(), **TOL)
    return y


def test_embedding_with_repeated_indices(rng):
    torch.manual_seed(2)
    theirs = torch.nn.Embedding(5, 3)
    ours = nn.Embedding(5, 3)
    copy_weights(ours, theirs)
    idx = np.array([[0, 4, 0], [4, 4, 2]])
    y = _embedding_parity(ours, theirs, idx, rng)
    y2 = ours(ns.tensor(idx))           # Tensor indices work too
    np.testing.assert_array_equal(y2.numpy(), y.numpy())


@pytest.mark.parametrize("padding_idx", [0, -2])
def test_embedding_padding_idx_matches_torch(padding_idx, rng):
    torch.manual_seed(3)
    theirs = torch.nn.Embedding(6, 4, padding_idx=padding_idx)
    ours = nn.Embedding(6, 4, padding_idx=padding_idx)
    pad = padding_idx % 6
    assert ours.padding_idx == theirs.padding_idx == pad
    assert np.all(ours.weight.numpy()[pad] == 0)                # starts at zero, as torch's
    copy_weights(ours, theirs)
    idx = np.array([[pad, 1, pad, 3], [2, pad, 5, 1]])
    _embedding_parity(ours, theirs, idx, rng)
    assert np.all(ours.weight.grad[pad] == 0)
    w = ns.tensor(rng.standard_normal((6, 4)), requires_grad=True)
    F.embedding(idx, w, padding_idx=padding_idx).sum().backward()
    tw = torch.tensor(w.numpy(), requires_grad=True)
    torch.nn.functional.embedding(torch.tensor(idx), tw, padding_idx=pad).sum().backward()
    np.testing.assert_allclose(w.grad, tw.grad.numpy(), **TOL)
    with pytest.raises(ValueError, match=r"padding_idx must be in \[-6, 6\).*got 6"):
        nn.Embedding(6, 4, padding_idx=6)


def test_dropout_statistics():
    x = ns.ones(200, 500, requires_grad=True)
    d = nn.Dropout(0.3)
    y = d(x)
    kept = y.numpy() != 0
    assert abs(kept.mean() - 0.7) < 0.01
    np.testing.assert_allclose(y.numpy()[kept], 1 / 0.7, rtol=1e-6)       # scaled by 1/(1-p)
    assert abs(y.numpy().mean() - 1.0) < 0.02                              # mean preserved
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, y.numpy())                        # same mask backward
    d.eval()
    assert d(x) is x or np.array_equal(d(x).numpy(), x.numpy())                # identity in eval
    assert nn.Dropout(0.0)(x).numpy().sum() == x.numpy().sum()
    assert nn.Dropout(1.0)(x).numpy().sum() == 0


def test_dropout_matches_torch_statistics():
    torch.manual_seed(0)
    ty = torch.nn.Dropout(0.4)(torch.ones(400, 500, dtype=torch.float64))
    y = nn.Dropout(0.4)(ns.ones(400, 500, dtype=np.float64))
    assert abs(float((ty == 0).double().mean()) - float((y.numpy() == 0).mean())) < 0.01
    assert np.unique(y.numpy()).tolist() == pytest.approx(sorted(np.unique(ty.numpy()).tolist()))


def test_default_init_matches_torch_bounds():
    torch.manual_seed(0)
    ns.manual_seed(0)
    fan_in, fan_out = 300, 200
    theirs, ours = torch.nn.Linear(fan_in, fan_out), nn.Linear(fan_in, fan_out)
    bound = 1 / np.sqrt(fan_in)
    for name in ("weight", "bias"):
        t = getattr(theirs, name).detach().numpy()
        o = getattr(ours, name).numpy()
        assert o.shape == t.shape and o.dtype == np.float32
        assert np.abs(o).max() <= bound and np.abs(t).max() <= bound
        assert np.abs(o).max() > 0.9 * bound                    # fills the whole interval
        assert abs(o.std() - t.std()) < 0.1 * bound
        assert abs(o.std() - bound / np.sqrt(3)) < 0.1 * bound  # U(-b, b) has std b/sqrt(3)
        assert abs(o.mean()) < 0.1 * bound
    te = torch.nn.Embedding(1000, 50).weight.detach().numpy()
    oe = nn.Embedding(1000, 50).weight.numpy()
    assert abs(oe.std() - 1.0) < 0.02 and abs(te.std() - 1.0) < 0.02 and abs(oe.mean()) < 0.02
    tb, ob = torch.nn.BatchNorm1d(4), nn.BatchNorm1d(4)
    for key, value in torch_state_as_numpy(tb).items():
        np.testing.assert_array_equal(ob.state_dict()[key], value, err_msg=key)


class _Block(nn.Module):
    def __init__(self):
        self.fc = nn.Linear(4, 6)
        self.bn = nn.BatchNorm1d(6)
        self.heads = [nn.Linear(6, 2), nn.Linear(6, 1)]


class _TorchBlock(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = torch.nn.Linear(4, 6)
        self.bn = torch.nn.BatchNorm1d(6)
        self.heads = torch.nn.ModuleList([torch.nn.Linear(6, 2), torch.nn.Linear(6, 1)])


def test_state_dict_keys_equal_torch_and_load_strictly(rng):
    ours = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.ReLU(), _Block(),
                         nn.Embedding(2, 2))
    theirs = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.BatchNorm1d(4),
                                 torch.nn.ReLU(), _TorchBlock(), torch.nn.Embedding(2, 2))
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert "1.running_mean" in ours.state_dict() and "1.num_batches_tracked" in ours.state_dict()
    assert "3.bn.num_batches_tracked" in ours.state_dict()
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    sd = torch_state_as_numpy(theirs)
    sd["1.running_var"] = rng.uniform(1, 2, 4)
    sd["1.num_batches_tracked"] = np.array(7)
    ours.load_state_dict(sd, strict=True)
    for key, value in ours.state_dict().items():
        np.testing.assert_allclose(value, sd[key], rtol=1e-6, err_msg=key)
    assert ours.state_dict()["1.num_batches_tracked"].dtype == np.int64


def test_softmax_accepts_torch_dim_keyword(rng):
    x = rng.standard_normal((3, 4, 2))
    for ours, theirs in ((F.softmax, torch.softmax), (F.log_softmax, torch.log_softmax)):
        for d in (0, 1, -1):
            np.testing.assert_allclose(ours(ns.tensor(x), dim=d).numpy(),
                                       theirs(torch.tensor(x), dim=d).numpy(), **TOL)
            np.testing.assert_array_equal(ours(ns.tensor(x), dim=d).numpy(),
                                          ours(ns.tensor(x), d).numpy())
    np.testing.assert_allclose(nn.Softmax(dim=1)(ns.tensor(x)).numpy(),
                               torch.nn.Softmax(dim=1)(torch.tensor(x)).numpy(), **TOL)
    np.testing.assert_allclose(nn.LogSoftmax(dim=0)(ns.tensor(x)).numpy(),
                               torch.nn.LogSoftmax(dim=0)(torch.tensor(x)).numpy(), **TOL)



@pytest.mark.parametrize("ours, theirs", [
    (nn.ELU(0.7), torch.nn.ELU(0.7)), (nn.SiLU(), torch.nn.SiLU()),
    (nn.Softplus(2.0, 3.0), torch.nn.Softplus(2.0, 3.0)),
], ids=["elu", "silu", "softplus"])
def test_new_activations_match_torch(ours, theirs, rng):
    compare(ours, theirs, rng.standard_normal((5, 6)) * 4, rng)


@pytest.mark.parametrize("shape, x_shape, kw", [
    (6, (4, 6), {}), ((3, 4), (2, 5, 3, 4), {}), (5, (3, 5), dict(elementwise_affine=False)),
    (5, (2, 3, 5), dict(bias=False, eps=1e-3)),
], ids=["last", "last2", "no-affine", "no-bias"])
def test_layer_norm_matches_torch(shape, x_shape, kw, rng):
    theirs = torch.nn.LayerNorm(shape, **kw).double()
    with torch.no_grad():                   # non-trivial γ, β
        for p in theirs.parameters():
            p.copy_(torch.tensor(rng.standard_normal(tuple(p.shape))))
    ours = nn.LayerNorm(shape, **kw)
    copy_weights(ours, theirs)
    compare(ours, theirs, rng.standard_normal(x_shape) * 3 + 1, rng)
    ours.eval()
    theirs.eval()                           # no running statistics: eval is the same
    compare(ours, theirs, rng.standard_normal(x_shape), rng)
    with pytest.raises(ValueError, match=r"layer_norm: the input's last axes must be "
                                         r"normalized_shape"):
        ours(ns.randn(2, 7))


FLOAT32_CASES = {
    "layer_norm": lambda x2, x4: F.layer_norm(x2, 5, ns.ones(5), ns.zeros(5)),
    "elu": lambda x2, x4: F.elu(x2), "silu": lambda x2, x4: F.silu(x2),
    "softplus": lambda x2, x4: F.softplus(x2),
    "huber": lambda x2, x4: F.huber_loss(x2, np.zeros((4, 5), np.float32)),
    "ce_options": lambda x2, x4: F.cross_entropy(x2, [0, 1, 2, 3], weight=np.ones(5),
                                                 label_smoothing=0.1),
    "pad_reflect": lambda x2, x4: F.pad(x4, (1, 1, 2, 0), "reflect"),
    "adaptive_max": lambda x2, x4: F.adaptive_max_pool2d(x4, 4),
    "avg_ceil": lambda x2, x4: F.avg_pool2d(x4, 4, 4, 0, True, False),
    "conv_transpose": lambda x2, x4: nn.ConvTranspose2d(3, 2, 3, stride=2)(x4),
    "unpool": lambda x2, x4: F.max_unpool2d(*F.max_pool2d(x4, 2, return_indices=True), 2),
}


@pytest.mark.parametrize("name", list(FLOAT32_CASES))
def test_newer_ops_keep_float32(name, rng):
    x2 = ns.tensor(rng.standard_normal((4, 5)).astype(np.float32), requires_grad=True)
    x4 = ns.tensor(rng.standard_normal((2, 3, 6, 6)).astype(np.float32), requires_grad=True)
    y = FLOAT32_CASES[name](x2, x4)
    y.sum().backward()
    grads = [g for g in (x2.grad, x4.grad) if g is not None]
    assert y.dtype == np.float32 and grads and all(g.dtype == np.float32 for g in grads)


@pytest.mark.parametrize("groups, x_shape, affine", [(3, (2, 6, 5), True),
                                                     (1, (2, 4, 3, 3), True),
                                                     (6, (3, 6, 2, 2), True),
                                                     (2, (2, 6), False)])
def test_group_norm_matches_torch(groups, x_shape, affine, rng):
    c = x_shape[1]
    theirs = torch.nn.GroupNorm(groups, c, affine=affine).double()
    if affine:
        with torch.no_grad():
            theirs.weight.copy_(torch.tensor(rng.standard_normal(c)))
            theirs.bias.copy_(torch.tensor(rng.standard_normal(c)))
    ours = nn.GroupNorm(groups, c, affine=affine)
    copy_weights(ours, theirs)
    compare(ours, theirs, rng.standard_normal(x_shape) * 2 + 1, rng)
    w, b = rng.standard_normal(c), rng.standard_normal(c)
    assert ns.gradcheck(lambda x, w, b: F.group_norm(x, groups, w, b),
                        [rng.standard_normal(x_shape), w, b])
    with pytest.raises(ValueError, match=r"num_channels \(6\) must be divisible by num_groups "
                                         r"\(4\)"):
        nn.GroupNorm(4, 6)


@pytest.mark.parametrize("shape, kw", [((2, 3, 4), dict(scale_factor=2)),
                                       ((1, 2, 3, 4), dict(scale_factor=(2, 3))),
                                       ((1, 2, 3, 4), dict(size=(6, 8))),
                                       ((1, 1, 2, 2, 2), dict(scale_factor=2))])
def test_nearest_upsampling_matches_torch(shape, kw, rng):
    compare(nn.Upsample(**kw), torch.nn.Upsample(**kw), rng.standard_normal(shape), rng)
    assert ns.gradcheck(lambda x: F.interpolate(x, **kw), [rng.standard_normal(shape)])
    # other modes and sizes that are not whole multiples: tests/ops/test_torch_ops_interpolate.py
    compare(nn.Upsample(size=(5, 8), mode="bilinear", align_corners=True),
            torch.nn.Upsample(size=(5, 8), mode="bilinear", align_corners=True),
            rng.standard_normal((1, 2, 3, 4)), rng)


def test_channel_dropout_drops_whole_maps(rng):
    ns.manual_seed(0)
    x = ns.tensor(rng.uniform(1, 2, (50, 40, 3, 3)), requires_grad=True)
    drop = nn.Dropout2d(0.3)
    y = drop(x)
    maps = y.numpy().reshape(50, 40, -1)
    zero = (maps == 0).all(axis=-1)
    assert np.all(zero | (maps != 0).all(axis=-1))               # all or nothing per map
    assert abs(zero.mean() - 0.3) < 0.03
    np.testing.assert_allclose(maps[~zero] / x.numpy().reshape(50, 40, -1)[~zero], 1 / 0.7)
    y.sum().backward()
    np.testing.assert_allclose(x.grad, np.where(y.numpy() != 0, 1 / 0.7, 0))
    drop.eval()
    assert drop(x) is x or np.array_equal(drop(x).numpy(), x.numpy())
    assert nn.Dropout1d(0.5)(ns.ones(4, 6, 5)).shape == (4, 6, 5)


@pytest.mark.parametrize("cls, shape, mask_shape, warns", [
    ("Dropout1d", (6, 50), (6, 1), False), ("Dropout1d", (4, 6, 50), (4, 6, 1), False),
    ("Dropout2d", (40, 50), (40, 50), True), ("Dropout2d", (4, 6, 50), (4, 6, 1), True),
    ("Dropout2d", (2, 3, 4, 50), (2, 3, 1, 1), False),
    ("Dropout2d", (2, 3, 4, 5, 6), (2, 3, 1, 1, 1), True),
    ("Dropout3d", (6, 4, 5, 6), (6, 1, 1, 1), False),
    ("Dropout3d", (2, 6, 4, 5, 6), (2, 6, 1, 1, 1), False),
    ("Dropout3d", (6, 4, 50), (6, 1, 1), True)])
def test_channel_dropout_on_every_rank_as_torch_2_13(cls, shape, mask_shape, warns):
    """Which elements share a mask entry, and which ranks warn, on ours and on torch's."""
    import warnings
    torch.manual_seed(0)
    ns.manual_seed(0)
    calls = [(lib, lambda x, m=module: getattr(m, cls)(0.5)(x))
             for lib, module in ((torch, torch.nn), (ns, nn))]
    calls += [(lib, lambda x, f=fmod: getattr(f, cls.lower())(x, 0.5, True))
              for lib, fmod in ((torch, torch.nn.functional), (ns, nn.functional))]
    for lib, call in calls:
        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always")
            y = call(lib.ones(*shape)).numpy()
        assert bool([w for w in seen if issubclass(w.category, UserWarning)]) == warns, lib
        # every group of elements broadcast from one mask entry is all kept or all dropped
        groups = y.reshape(mask_shape[:2] + (-1,)) if len(mask_shape) > 2 or \
            mask_shape[-1] == 1 else y.reshape(-1, 1)
        assert np.all((groups == 0).all(axis=-1) | (groups == 2.0).all(axis=-1)), lib
        assert np.prod(mask_shape) < 40 or 0.2 < (y == 0).mean() < 0.8
    for lib, module in ((torch, torch.nn), (ns, nn)):
        with pytest.raises(RuntimeError, match="dropout1d: Expected 2D or 3D input"):
            module.Dropout1d()(lib.ones(2, 3, 4, 5))
    x = ns.ones(4, 6, 5, requires_grad=True)
    y = nn.Dropout1d(0.5, inplace=True)(x * 1)
    assert y.shape == (4, 6, 5) and y.grad_fn is not None


def test_module_dict_registers_children():
    d = nn.ModuleDict({"enc": nn.Linear(3, 2), "act": nn.ReLU()})
    d["dec"] = nn.Linear(2, 3)
    t = torch.nn.ModuleDict({"enc": torch.nn.Linear(3, 2), "act": torch.nn.ReLU()})
    t["dec"] = torch.nn.Linear(2, 3)
    assert list(d) == list(t) and len(d) == 3 and "dec" in d
    assert list(d.state_dict()) == list(t.state_dict())
    assert d["enc"] is dict(d.items())["enc"]
    with pytest.raises(KeyError):
        d["nope"]
    with pytest.raises(TypeError, match=r"ModuleDict: 'x' must be a Module"):
        d["x"] = 3
