"""The array loader (utils.data.ArrayLoader), train_test_split, one_hot and the scalers (vs
scikit-learn)."""
import numpy as np
import pytest
import torch
from conftest import assert_ulp_close
from sklearn import model_selection, preprocessing

import nnscratch as ns
from nnscratch.base import NotFittedError
from nnscratch.model_selection import train_test_split
from nnscratch.preprocessing import MinMaxScaler, StandardScaler, one_hot
from nnscratch.utils.data import ArrayLoader as DataLoader


# ------------------------------------------------------------------------------- DataLoader
def _epoch(loader):
    return [(np.asarray(xb), np.asarray(yb)) for xb, yb in loader]


def test_loader_covers_every_sample_once_per_epoch():
    X = np.arange(23 * 2, dtype=np.float32).reshape(23, 2)
    y = np.arange(23)
    loader = DataLoader(X, y, batch_size=5, seed=0)
    assert len(loader) == 5 and loader.num_samples == 23
    batches = _epoch(loader)
    assert [len(b[1]) for b in batches] == [5, 5, 5, 5, 3]
    seen = np.concatenate([b[1] for b in batches])
    assert sorted(seen) == list(range(23)) and not np.array_equal(seen, np.arange(23))
    for xb, yb in batches:  # pairs stay aligned
        np.testing.assert_array_equal(xb, X[yb])
    assert not np.array_equal(seen, np.concatenate([b[1] for b in _epoch(loader)]))


def test_loader_batch_counts_match_torch():
    X = np.zeros((23, 1))
    for bs, drop in [(5, False), (5, True), (23, False), (1, True), (30, False)]:
        ours = DataLoader(X, batch_size=bs, drop_last=drop)
        ref = torch.utils.data.DataLoader(torch.zeros(23, 1), batch_size=bs, drop_last=drop)
        assert len(ours) == len(ref)
        assert [len(b) for b in ours] == [len(b) for b in ref]


def test_loader_without_shuffle_is_in_order_and_x_only_yields_arrays():
    X = np.arange(10.0)[:, None]
    batches = list(DataLoader(X, batch_size=4, shuffle=False))
    assert all(isinstance(b, np.ndarray) for b in batches)
    np.testing.assert_array_equal(np.concatenate(batches), X)
    assert [len(b) for b in DataLoader(X, batch_size=4, shuffle=False, drop_last=True)] == [4, 4]


def test_loader_keeps_tensor_type():
    X = ns.tensor(np.arange(12.0).reshape(6, 2), requires_grad=True)
    y = np.arange(6)
    for xb, yb in DataLoader(X, y, batch_size=4):
        assert isinstance(xb, ns.Tensor) and not xb.requires_grad
        assert isinstance(yb, np.ndarray)
        np.testing.assert_array_equal(xb.numpy(), X.numpy()[yb])


def test_loader_seed_none_follows_manual_seed():
    X = np.arange(50)
    ns.manual_seed(7)
    first = [b.copy() for b in DataLoader(X, batch_size=8)]
    ns.manual_seed(7)
    second = list(DataLoader(X, batch_size=8))
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)


def test_loader_int_seed_is_its_own_stream_and_checkpointable():
    X = np.arange(40)
    a = DataLoader(X, batch_size=40, seed=3)
    ns.manual_seed(1)
    e1 = next(iter(a))
    state = a.state_dict()
    e2 = next(iter(a))
    b = DataLoader(X, batch_size=40, seed=3)
    ns.manual_seed(2)  # the library generator does not matter with an int seed
    np.testing.assert_array_equal(next(iter(b)), e1)
    b.load_state_dict(state)
    np.testing.assert_array_equal(next(iter(b)), e2)
    assert not np.array_equal(e1, e2)


@pytest.mark.parametrize("kwargs, exc, match", [
    (dict(X=np.ones((4, 2)), batch_size=0), ValueError, "batch_size must be an int >= 1, got 0"),
    (dict(X=np.ones((4, 2)), batch_size=2.0), TypeError, "batch_size must be an int"),
    (dict(X=np.ones((4, 2)), y=np.ones(3)), ValueError, "X with 4 and y with shape \\(3,\\)"),
    (dict(X=np.ones((0, 2))), ValueError, "X is empty"),
    (dict(X=np.ones((4, 2)), shuffle="yes"), TypeError, "shuffle must be a bool"),
    (dict(X=np.ones((4, 2)), seed=-1), ValueError, "seed must be >= 0"),
    (dict(X=np.ones((4, 2)), batch_size=8, drop_last=True), ValueError, "no batch at all"),
    (dict(X="abc"), TypeError, "X must be an np.ndarray, Tensor or list"),
])
def test_loader_bad_input(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        DataLoader(**kwargs)


# ------------------------------------------------------------------------- train_test_split
def test_split_sizes_match_sklearn():
    for n, ts in [(10, 0.3), (569, 0.2), (7, 0.25), (1797, 0.2), (100, 17)]:
        X = np.arange(n * 2).reshape(n, 2)
        y = np.arange(n)
        Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=ts, random_state=0)
        a, b = model_selection.train_test_split(X, test_size=ts, random_state=0)
        assert (len(Xtr), len(Xte)) == (len(a), len(b))
        np.testing.assert_array_equal(Xtr[:, 0] // 2, ytr)
        assert sorted(np.concatenate([ytr, yte])) == list(range(n))


def test_split_is_seeded_and_unshuffled_split_is_ordered():
    X = np.arange(20)
    assert np.array_equal(train_test_split(X, random_state=4)[1],
                          train_test_split(X, random_state=4)[1])
    ns.manual_seed(5)
    a = train_test_split(X)[1]
    ns.manual_seed(5)
    np.testing.assert_array_equal(train_test_split(X)[1], a)
    tr, te = train_test_split(X, test_size=0.25, shuffle=False)
    ref_tr, ref_te = model_selection.train_test_split(X, test_size=0.25, shuffle=False)
    np.testing.assert_array_equal(tr, ref_tr)
    np.testing.assert_array_equal(te, ref_te)


def test_stratified_split_matches_sklearn_class_counts():
    y = np.repeat([0, 1, 2], [50, 30, 20])
    X = np.arange(100)
    for ts in (0.2, 0.3, 10):
        _, _, ytr, yte = train_test_split(X, y, test_size=ts, stratify=y, random_state=1)
        _, _, rtr, rte = model_selection.train_test_split(X, y, test_size=ts, stratify=y,
                                                          random_state=1)
        np.testing.assert_array_equal(np.bincount(yte), np.bincount(rte))
        np.testing.assert_array_equal(np.bincount(ytr), np.bincount(rtr))


def test_split_keeps_tensors_and_rejects_bad_input():
    t = ns.tensor(np.arange(8.0))
    tr, te = train_test_split(t, test_size=2, random_state=0)
    assert isinstance(tr, ns.Tensor) and len(te) == 2
    with pytest.raises(ValueError, match="same length, arrays\\[0\\] has 8 and arrays\\[1\\]"):
        train_test_split(np.ones(8), np.ones(7))
    with pytest.raises(ValueError, match="test_size as a fraction must be in \\(0, 1\\), got 1.5"):
        train_test_split(np.ones(8), test_size=1.5)
    with pytest.raises(ValueError, match="test_size as a count must be in \\[1, 7\\]"):
        train_test_split(np.ones(8), test_size=8)
    with pytest.raises(ValueError, match="stratify requires shuffle=True"):
        train_test_split(np.ones(8), stratify=np.zeros(8), shuffle=False)
    with pytest.raises(ValueError, match="at least 2 samples of every class"):
        train_test_split(np.ones(8), stratify=np.array([0] * 7 + [1]))
    with pytest.raises(ValueError, match="at least one array"):
        train_test_split()


# ---------------------------------------------------------------------------------- one_hot
def test_one_hot_matches_torch():
    labels = np.array([[2, 0], [1, 3]])
    ref = torch.nn.functional.one_hot(torch.from_numpy(labels), num_classes=5).numpy()
    out = one_hot(labels, 5)
    assert out.dtype == np.float32 and out.shape == (2, 2, 5)
    np.testing.assert_array_equal(out, ref)
    np.testing.assert_array_equal(one_hot(np.array([0, 2])), [[1, 0, 0], [0, 0, 1]])
    assert one_hot([1, 0], 2, dtype=np.int64).dtype == np.int64


def test_one_hot_bad_input():
    with pytest.raises(ValueError, match="labels must be in \\[0, 3\\), got 3"):
        one_hot(np.array([0, 3]), num_classes=3)
    with pytest.raises(ValueError, match="labels must be in \\[0, 3\\), got -1"):
        one_hot(np.array([0, -1]), num_classes=3)
    with pytest.raises(TypeError, match="labels must be integers"):
        one_hot(np.array([0.5, 1.0]))
    with pytest.raises(ValueError, match="cannot infer num_classes from empty labels"):
        one_hot(np.array([], dtype=np.int64))
    with pytest.raises(ValueError, match="num_classes must be >= 1, got 0"):
        one_hot(np.array([], dtype=np.int64), num_classes=0)


# ---------------------------------------------------------------------------------- scalers
def _data(dtype):
    rng = np.random.default_rng(0)
    X = rng.normal(5.0, 3.0, (200, 4)) * [1, 1e-3, 1e4, 1]
    X[:, 3] = 7.3  # a constant feature
    return X.astype(dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_standard_scaler_matches_sklearn(dtype):
    X = _data(dtype)
    ours, ref = StandardScaler(), preprocessing.StandardScaler()
    Z = ours.fit_transform(X)
    R = ref.fit_transform(X)
    assert Z.dtype == R.dtype == dtype
    tol = 1e-6 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(ours.mean_, ref.mean_, rtol=1e-13)
    np.testing.assert_allclose(ours.var_, ref.var_, rtol=1e-12)
    np.testing.assert_allclose(ours.scale_, ref.scale_, rtol=1e-12)
    assert ours.scale_[3] == 1.0 == ref.scale_[3]
    np.testing.assert_allclose(Z, R, rtol=tol, atol=tol)
    Xn = _data(dtype)[:7] * 1.5
    np.testing.assert_allclose(ours.transform(Xn), ref.transform(Xn), rtol=tol, atol=tol)
    np.testing.assert_allclose(ours.inverse_transform(Z), ref.inverse_transform(R),
                               rtol=tol, atol=tol * 1e4)
    for kw in (dict(with_mean=False), dict(with_std=False)):
        np.testing.assert_allclose(StandardScaler(**kw).fit_transform(X),
                                   preprocessing.StandardScaler(**kw).fit_transform(X),
                                   rtol=tol, atol=tol)


def test_standard_scaler_integer_input_becomes_float64():
    X = np.array([[1, 2], [3, 2], [5, 2]])
    Z = StandardScaler().fit_transform(X)
    assert Z.dtype == np.float64
    np.testing.assert_allclose(Z, preprocessing.StandardScaler().fit_transform(X), rtol=1e-15)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("feature_range, clip", [((0, 1), False), ((-1, 2), True)])
def test_minmax_scaler_matches_sklearn(dtype, feature_range, clip):
    X = _data(dtype)
    ours = MinMaxScaler(feature_range, clip=clip)
    ref = preprocessing.MinMaxScaler(feature_range=feature_range, clip=clip)
    Z, R = ours.fit_transform(X), ref.fit_transform(X)
    assert Z.dtype == R.dtype == dtype
    for name in ("data_min_", "data_max_"):     # selections, not arithmetic: exact
        np.testing.assert_array_equal(getattr(ours, name), getattr(ref, name))
    # arithmetic: the same formula in another library, so within a few ULP, not bit for bit
    for name in ("data_range_", "scale_", "min_"):
        assert_ulp_close(getattr(ours, name), getattr(ref, name))
    assert_ulp_close(Z, R)
    assert np.all(Z[:, 3] == feature_range[0])  # a constant feature maps to the low end
    Xn = X[:9] * 3 - 2
    assert_ulp_close(ours.transform(Xn), ref.transform(Xn))
    assert_ulp_close(ours.inverse_transform(Z), ref.inverse_transform(R))


def test_scalers_bad_input():
    with pytest.raises(NotFittedError, match="not fitted yet"):
        StandardScaler().transform(np.ones((2, 2)))
    s = StandardScaler().fit(np.ones((3, 2)))
    with pytest.raises(ValueError, match="X has 3 features, but StandardScaler is "
                                         "expecting 2"):
        s.transform(np.ones((2, 3)))
    with pytest.raises(ValueError, match="X contains NaN at row 1, column 0"):
        MinMaxScaler().fit(np.array([[0.0, 1.0], [np.nan, 2.0]]))
    with pytest.raises(ValueError, match="X must be 2-D"):
        MinMaxScaler().fit(np.ones(3))
    with pytest.raises(ValueError, match="X is empty"):
        StandardScaler().fit(np.ones((0, 3)))
    with pytest.raises(ValueError, match="feature_range must satisfy lo < hi"):
        MinMaxScaler(feature_range=(1, 0)).fit(np.ones((2, 2)))
