"""nnscratch.utils.data against torch.utils.data: datasets, samplers, collation, DataLoader."""
import collections

import numpy as np
import pytest
import torch

import nnscratch as ns
from nnscratch.utils.data import (
    BatchSampler,
    ConcatDataset,
    DataLoader,
    Subset,
    TensorDataset,
    default_collate,
    random_split,
)


def _np(x):
    return x.numpy() if isinstance(x, (torch.Tensor, ns.Tensor)) else np.asarray(x)


def _assert_same_batch(ours, ref):
    """Same structure, dtypes and values (ours nnscratch, ref torch)."""
    if isinstance(ref, torch.Tensor):
        assert isinstance(ours, ns.Tensor)
        assert ours.shape == tuple(ref.shape) and str(ours.dtype).split(".")[-1] == \
            str(ref.dtype).split(".")[-1]
        np.testing.assert_array_equal(_np(ours), _np(ref))
    elif isinstance(ref, dict):
        assert set(ours) == set(ref)
        for k in ref:
            _assert_same_batch(ours[k], ref[k])
    elif isinstance(ref, (list, tuple)) and not isinstance(ref, str):
        assert type(ours) is type(ref) and len(ours) == len(ref)
        for a, b in zip(ours, ref):
            _assert_same_batch(a, b)
    else:
        assert ours == ref


def test_import_as_torch_gives_utils_data():
    assert ns.utils.data.DataLoader is DataLoader
    assert ns.utils.data.ArrayLoader.__mro__[1] is DataLoader  # the array convenience


@pytest.mark.parametrize("batch_size,drop_last", [(1, False), (4, False), (4, True), (23, True)])
def test_unshuffled_batches_equal_torch(rng, batch_size, drop_last):
    X, y = rng.normal(size=(23, 3)), rng.integers(0, 5, size=23)
    ours = DataLoader(TensorDataset(ns.tensor(X), ns.tensor(y)), batch_size=batch_size,
                      drop_last=drop_last)
    ref = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(torch.tensor(X),
                                                                     torch.tensor(y)),
                                      batch_size=batch_size, drop_last=drop_last)
    assert len(ours) == len(ref)
    got, want = list(ours), list(ref)
    assert len(got) == len(want)
    for a, b in zip(got, want):
        _assert_same_batch(a, b)


def test_default_collate_equals_torch_on_nested_samples(rng):
    Point = collections.namedtuple("Point", "x y")
    raw = [{"img": rng.normal(size=(2, 2)), "label": int(rng.integers(9)), "w": float(rng.random()),
            "flag": bool(i % 2), "name": f"s{i}", "pair": (np.float32(i), np.arange(3) + i),
            "pt": Point(i, 2.5 * i)} for i in range(4)]
    ours = default_collate([{**r, "t": ns.tensor(r["img"])} for r in raw])
    ref = torch.utils.data.default_collate([{**r, "t": torch.tensor(r["img"])} for r in raw])
    assert type(ours["pt"]) is Point
    ours["pt"], ref["pt"] = list(ours["pt"]), list(ref["pt"])
    _assert_same_batch(ours, ref)


def test_collate_refuses_unequal_fields_and_objects():
    with pytest.raises(RuntimeError, match="equal size"):
        default_collate([(1, 2), (1,)])
    with pytest.raises(TypeError, match="found object"):
        default_collate([object(), object()])


def test_datasets_index_as_torch(rng):
    X = rng.normal(size=(10, 2))
    ours, ref = TensorDataset(ns.tensor(X)), torch.utils.data.TensorDataset(torch.tensor(X))
    sub, rsub = Subset(ours, [7, 2, 5]), torch.utils.data.Subset(ref, [7, 2, 5])
    cat, rcat = ConcatDataset([ours, sub]), torch.utils.data.ConcatDataset([ref, rsub])
    assert (len(sub), len(cat)) == (len(rsub), len(rcat)) == (3, 13)
    for i in (-13, -1, 0, 9, 10, 12):
        _assert_same_batch(list(cat[i]), list(rcat[i]))
    with pytest.raises(ValueError, match="size mismatch"):
        TensorDataset(ns.zeros(3), ns.zeros(4))


@pytest.mark.parametrize("lengths", [[0.5, 0.3, 0.2], [0.33, 0.33, 0.34], [3, 7, 1], [0.1, 0.9]])
def test_random_split_sizes_equal_torch_and_partition(lengths):
    n = 11 if isinstance(lengths[0], int) else 17
    parts = random_split(range(n), lengths, generator=ns.Generator().manual_seed(1))
    ref = torch.utils.data.random_split(range(n), lengths)
    assert [len(p) for p in parts] == [len(p) for p in ref]
    assert sorted(i for p in parts for i in p) == list(range(n))
    again = random_split(range(n), lengths, generator=ns.Generator().manual_seed(1))
    assert [list(p) for p in parts] == [list(p) for p in again]
    with pytest.raises(ValueError, match="does not equal"):
        random_split(range(n), [1, 2])


def test_shuffle_is_a_fresh_permutation_each_epoch_and_seeded():
    ds = TensorDataset(ns.arange(50))
    loader = DataLoader(ds, batch_size=7, shuffle=True, generator=ns.Generator().manual_seed(3))
    epochs = [np.concatenate([b[0].numpy() for b in loader]) for _ in range(2)]
    for e in epochs:
        assert sorted(e.tolist()) == list(range(50))
    assert epochs[0].tolist() != epochs[1].tolist()
    again = DataLoader(ds, batch_size=7, shuffle=True, generator=ns.Generator().manual_seed(3))
    assert np.concatenate([b[0].numpy() for b in again]).tolist() == epochs[0].tolist()
    ns.manual_seed(5)
    a = [b[0].numpy().tolist() for b in DataLoader(ds, batch_size=50, shuffle=True)]
    ns.manual_seed(5)
    b = [b[0].numpy().tolist() for b in DataLoader(ds, batch_size=50, shuffle=True)]
    assert a == b


def test_batch_sampler_and_unbatched_modes_as_torch(rng):
    X = rng.normal(size=(9, 2))
    ours_ds, ref_ds = TensorDataset(ns.tensor(X)), torch.utils.data.TensorDataset(torch.tensor(X))
    bs = BatchSampler(range(9), 4, drop_last=False)
    rbs = torch.utils.data.BatchSampler(range(9), 4, drop_last=False)
    assert list(bs) == list(rbs) and len(bs) == len(rbs)
    for ours, ref in [(DataLoader(ours_ds, batch_sampler=bs),
                       torch.utils.data.DataLoader(ref_ds, batch_sampler=rbs)),
                      (DataLoader(ours_ds, batch_size=None),
                       torch.utils.data.DataLoader(ref_ds, batch_size=None))]:
        assert len(ours) == len(ref)
        for a, b in zip(ours, ref, strict=True):
            _assert_same_batch(list(a), list(b))


def test_loader_arguments_checked_as_torch():
    ds = TensorDataset(ns.zeros(4))
    loader = DataLoader(ds, batch_size=2, num_workers=2, pin_memory=True, persistent_workers=True)
    assert loader.dataset is ds and len(list(loader)) == 2  # workers run in-process
    for kwargs in [dict(shuffle=True, sampler=range(4)), dict(batch_sampler=[[0]], batch_size=2),
                   dict(batch_size=None, drop_last=True), dict(persistent_workers=True)]:
        with pytest.raises(ValueError):
            DataLoader(ds, **kwargs)
        with pytest.raises(ValueError):
            torch.utils.data.DataLoader(torch.utils.data.TensorDataset(torch.zeros(4)), **kwargs)
    with pytest.raises(TypeError, match="generator must be"):
        DataLoader(ds, shuffle=True, generator=3)


def test_fit_accepts_a_torch_style_dataloader(rng):
    X, y = rng.normal(size=(24, 3)), rng.integers(0, 2, size=24)

    def train(data):
        ns.manual_seed(0)
        model = ns.nn.Linear(3, 2).double()
        opt = ns.optim.SGD(model.parameters(), lr=0.1)
        ns.fit(model, *data, loss="cross_entropy", optimizer=opt, epochs=3, progress=False,
               **({} if len(data) == 1 else dict(batch_size=8, shuffle=False)))
        return model.weight.numpy()

    loader = DataLoader(TensorDataset(ns.tensor(X), ns.tensor(y)), batch_size=8)
    np.testing.assert_allclose(train((loader,)), train((X, y)), rtol=1e-13)


def test_getitems_fetches_a_batch_at_once_as_torch():
    """A dataset's ``__getitems__(indices)`` gets each batch's indices in one call and its
    result goes to collate_fn (torch's rule); ArrayDataset returns the gathered batch, a view
    for consecutive rows."""
    class Batched:
        def __init__(self, lib):
            self.calls, self.lib = [], lib

        def __len__(self):
            return 7

        def __getitem__(self, i):
            raise AssertionError("fetched one sample at a time")

        def __getitems__(self, indices):
            self.calls.append(list(indices))
            return [self.lib.tensor([float(i)]) for i in indices]

    ours, ref = Batched(ns), Batched(torch)
    got = [b.numpy() for b in ns.utils.data.DataLoader(ours, batch_size=3)]
    want = [b.numpy() for b in torch.utils.data.DataLoader(ref, batch_size=3)]
    assert ours.calls == ref.calls == [[0, 1, 2], [3, 4, 5], [6]]
    for g, w in zip(got, want, strict=True):
        np.testing.assert_array_equal(g, w)
    X, y = np.arange(20.0).reshape(10, 2), np.arange(10)
    ds = ns.utils.data.ArrayDataset(X, y)
    xb, yb = ds.__getitems__([2, 3, 4])
    assert np.shares_memory(xb, X) and yb.tolist() == [2, 3, 4]
    xb, yb = ds.__getitems__([4, 2, 3])
    assert not np.shares_memory(xb, X) and xb.tolist() == X[[4, 2, 3]].tolist()
    g = np.random.default_rng(0)
    batches = list(ns.utils.data.array_loader(X, y, batch_size=4, shuffle=True, generator=g))
    assert [len(b[1]) for b in batches] == [4, 4, 2]
    assert sorted(np.concatenate([b[1] for b in batches]).tolist()) == list(range(10))
    np.testing.assert_array_equal(np.concatenate([b[1] for b in batches]),
                                  np.random.default_rng(0).permutation(10))
    with pytest.raises(ValueError, match="same first size"):
        ns.utils.data.ArrayDataset(X, y[:3])


def test_subset_random_sampler_visits_its_indices_once_per_epoch_as_torch():
    """torch's SubsetRandomSampler: each epoch a permutation of exactly the given indices (the
    order is the library generator's, seeded, not torch's numbers); len is the subset's."""
    from nnscratch.utils.data import SubsetRandomSampler
    idx = [3, 17, 4, 40, 22]
    ref = torch.utils.data.SubsetRandomSampler(idx)
    ours = SubsetRandomSampler(idx, generator=ns.Generator().manual_seed(1))
    assert len(ours) == len(ref) == 5
    epochs = [list(ours) for _ in range(3)]
    for e in epochs:
        assert sorted(e) == sorted(list(ref)) == sorted(idx)
    assert len({tuple(e) for e in epochs}) > 1                  # a fresh order per epoch
    again = SubsetRandomSampler(idx, generator=ns.Generator().manual_seed(1))
    assert list(again) == epochs[0]                             # seeded: repeats exactly
    ds = TensorDataset(ns.arange(50) * 10)
    got = np.concatenate([b[0].numpy() for b in DataLoader(ds, batch_size=2, sampler=ours)])
    assert sorted(got.tolist()) == [10 * i for i in sorted(idx)]
    with pytest.raises(TypeError, match="generator"):
        SubsetRandomSampler(idx, generator="seed")
