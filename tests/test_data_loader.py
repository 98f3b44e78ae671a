"""Dataset, TensorDataset, DataLoader (batching, shuffling, collation, prefetch) and on-disk datasets."""

import threading
import tracemalloc

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gradnote as gn
from gradnote import data
from gradnote.data import DataLoader, Dataset, MemmapDataset, NpyShardDataset, TensorDataset


class ItemDataset(Dataset):
    """A dataset with no vectorised gather: the loader must fall back to item by item."""

    def __init__(self, x, y):
        self.x, self.y = x, y

    def __len__(self):
        return len(self.x)

    def __getitem__(self, i):
        return self.x[i], self.y[i]


class CountingDataset(TensorDataset):
    def __init__(self, *arrays):
        super().__init__(*arrays)
        self.item_calls = self.batch_calls = 0

    def __getitem__(self, i):
        self.item_calls += 1
        return super().__getitem__(i)

    def __getitems__(self, idx):
        self.batch_calls += 1
        return super().__getitems__(idx)


def _xy(n=10, d=3):
    x = np.arange(n * d, dtype=np.float32).reshape(n, d)
    return x, np.arange(n) % 3


def _flat(rows):
    return [i for r in rows for i in r]


def _rows(loader):
    """The sample ids (first feature / d) of every batch, in order."""
    return [(xb.data[:, 0] // xb.shape[1]).astype(int).tolist() for xb, _ in loader]


# ----- TensorDataset -----------------------------------------------------------------------------
def test_tensor_dataset_items_and_length_mismatch():
    x, y = _xy()
    ds = TensorDataset(x, gn.tensor(y))
    assert len(ds) == 10
    xi, yi = ds[4]
    np.testing.assert_array_equal(xi, x[4])
    assert yi == y[4]
    with pytest.raises(ValueError, match=r"\[10, 7\]"):
        TensorDataset(x, y[:7])
    with pytest.raises(ValueError, match="at least one"):
        TensorDataset()


def test_abstract_dataset_raises():
    with pytest.raises(NotImplementedError):
        len(Dataset())


# ----- batching ----------------------------------------------------------------------------------
@pytest.mark.parametrize("batch_size, drop_last, expected", [(1, False, 10), (3, False, 4), (3, True, 3),
                                                             (10, False, 1), (25, False, 1), (25, True, 0)])
def test_len_is_number_of_batches(batch_size, drop_last, expected):
    loader = DataLoader(TensorDataset(*_xy()), batch_size=batch_size, drop_last=drop_last)
    assert len(loader) == expected == len(list(loader))


def test_batches_in_order_without_shuffle():
    loader = DataLoader(TensorDataset(*_xy()), batch_size=4)
    assert _rows(loader) == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    assert _rows(DataLoader(TensorDataset(*_xy()), batch_size=4, drop_last=True)) == [[0, 1, 2, 3], [4, 5, 6, 7]]


def test_batch_dtypes_and_tensors():
    x32 = np.ones((6, 2), np.float32)
    x64 = np.ones((6, 2), np.float64)
    ds = TensorDataset(x32, x64, np.arange(6, dtype=np.int32), np.arange(6, dtype=np.uint8), np.ones(6, bool))
    b = next(iter(DataLoader(ds, batch_size=4)))
    assert all(isinstance(t, gn.Tensor) for t in b)
    assert [t.dtype for t in b] == [np.float32, np.float64, np.int64, np.int64, np.bool_]
    assert b[0].shape == (4, 2) and not b[0].requires_grad


def test_shuffle_is_a_permutation_and_repeats_under_manual_seed():
    ds = TensorDataset(*_xy(50))
    loader = DataLoader(ds, batch_size=7, shuffle=True)
    gn.manual_seed(3)
    epoch1, epoch2 = _flat(_rows(loader)), _flat(_rows(loader))
    assert sorted(epoch1) == list(range(50)) == sorted(epoch2)  # without replacement
    assert epoch1 != epoch2 and epoch1 != list(range(50))  # each epoch reshuffles
    gn.manual_seed(3)
    assert _flat(_rows(loader)) == epoch1 and _flat(_rows(loader)) == epoch2


def test_explicit_generator_is_independent_of_global():
    ds = TensorDataset(*_xy(30))
    a = _rows(DataLoader(ds, batch_size=5, shuffle=True, generator=np.random.default_rng(1)))
    gn.manual_seed(99)
    b = _rows(DataLoader(ds, batch_size=5, shuffle=True, generator=np.random.default_rng(1)))
    assert a == b


@settings(max_examples=40, deadline=None)
@given(n=st.integers(1, 40), batch_size=st.integers(1, 45), drop_last=st.booleans(), shuffle=st.booleans())
def test_batches_partition_the_dataset(n, batch_size, drop_last, shuffle):
    loader = DataLoader(TensorDataset(*_xy(n)), batch_size=batch_size, shuffle=shuffle, drop_last=drop_last)
    rows = _rows(loader)
    flat = _flat(rows)
    assert len(rows) == len(loader)
    assert all(len(r) == batch_size for r in rows[:-1] if r)
    assert len(set(flat)) == len(flat) and set(flat) <= set(range(n))
    assert len(flat) == (n // batch_size * batch_size if drop_last else n)
    assert all(0 < len(r) <= batch_size for r in rows)
    if not shuffle:
        assert flat == list(range(len(flat)))


def test_fast_path_gathers_one_batch_at_once():
    ds = CountingDataset(*_xy(20))
    batches = list(DataLoader(ds, batch_size=8, shuffle=True))
    assert ds.batch_calls == 3 and ds.item_calls == 0
    slow = ItemDataset(*_xy(20))
    gn.manual_seed(0)
    a = list(DataLoader(TensorDataset(*_xy(20)), batch_size=8, shuffle=True))
    gn.manual_seed(0)
    b = list(DataLoader(slow, batch_size=8, shuffle=True))
    for (xa, ya), (xb, yb) in zip(a, b):
        np.testing.assert_array_equal(xa.data, xb.data)
        np.testing.assert_array_equal(ya.data, yb.data)
    assert len(batches) == 3


def test_collation_of_dicts_and_nested_tuples():
    class DictDataset(Dataset):
        def __len__(self):
            return 5

        def __getitem__(self, i):
            return {"image": np.full((2, 2), i, np.float32), "label": i, "pair": (float(i), np.int16(i))}

    b = next(iter(DataLoader(DictDataset(), batch_size=3)))
    assert set(b) == {"image", "label", "pair"}
    assert b["image"].shape == (3, 2, 2) and b["image"].dtype == np.float32
    np.testing.assert_array_equal(b["label"].data, [0, 1, 2])
    assert b["label"].dtype == np.int64
    assert isinstance(b["pair"], tuple) and b["pair"][1].dtype == np.int64
    assert b["pair"][0].dtype == np.float32  # Python floats follow gradnote's default dtype


def test_item_by_item_numbers_get_the_same_dtypes_as_the_vectorised_gather():
    class Numbers(Dataset):
        y64 = np.linspace(0, 1, 4)

        def __len__(self):
            return 4

        def __getitem__(self, i):
            return [0, 2.5, 1, 3][i], self.y64[i], i

    b = next(iter(DataLoader(Numbers(), batch_size=4)))
    assert b[0].dtype == np.float32  # Python ints mixed with floats: float32, not float64
    np.testing.assert_array_equal(b[0].data, [0, 2.5, 1, 3])
    assert b[1].dtype == np.float64  # np.float64 rows stay float64, as TensorDataset(y64) gives
    assert b[2].dtype == np.int64


def test_generator_that_is_not_a_numpy_generator_is_refused_at_construction():
    with pytest.raises(TypeError, match="generator must be a numpy.random.Generator.*got 5"):
        DataLoader(TensorDataset(np.zeros((4, 2))), shuffle=True, generator=5)


def test_ragged_samples_give_a_clear_error():
    class Ragged(Dataset):
        def __len__(self):
            return 2

        def __getitem__(self, i):
            return np.zeros(i + 1)

    with pytest.raises(ValueError, match="different shapes"):
        next(iter(DataLoader(Ragged(), batch_size=2)))


def test_collate_fn_and_transform():
    x, y = _xy()
    seen = []

    def collate(samples):
        seen.append(len(samples))
        return data.default_collate(samples)

    b = next(iter(DataLoader(TensorDataset(x, y), batch_size=4, collate_fn=collate)))
    assert seen == [4] and b[0].shape == (4, 3)
    xb, yb = next(iter(DataLoader(TensorDataset(x, y), batch_size=4, transform=lambda a: a * 2)))
    np.testing.assert_array_equal(xb.data, x[:4] * 2)
    np.testing.assert_array_equal(yb.data, y[:4])  # labels untouched


@pytest.mark.parametrize("kwargs, match", [({"batch_size": 0}, "batch_size must be a positive int, got 0"),
                                           ({"batch_size": 2.5}, "got 2.5"), ({"prefetch": -1}, "prefetch"),
                                           ({"transform": 3}, "transform must be callable")])
def test_bad_arguments(kwargs, match):
    with pytest.raises((ValueError, TypeError), match=match):
        DataLoader(TensorDataset(*_xy()), **kwargs)


def test_batch_minibatch_and_stochastic_gradient_descent():
    """One loader, three batch sizes: steps per epoch are len(loader) and every variant fits y = 2x - 1."""
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, (32, 1)).astype(np.float32)
    y = (2 * x - 1).astype(np.float32)
    ds = TensorDataset(x, y)
    for batch_size, steps_per_epoch, lr in [(len(ds), 1, 0.5), (8, 4, 0.2), (1, 32, 0.05)]:
        gn.manual_seed(0)
        w = gn.zeros(1, 1, requires_grad=True)
        b = gn.zeros(1, requires_grad=True)
        loader = DataLoader(ds, batch_size=batch_size, shuffle=True)
        assert len(loader) == steps_per_epoch
        steps = 0
        for _ in range(60):
            for xb, yb in loader:
                loss = ((xb @ w + b - yb) ** 2).mean()
                w.grad = b.grad = None
                loss.backward()
                w.data -= lr * w.grad
                b.data -= lr * b.grad
                steps += 1
        assert steps == 60 * steps_per_epoch
        np.testing.assert_allclose([w.data.item(), b.data.item()], [2.0, -1.0], atol=1e-2)


# ----- prefetch ----------------------------------------------------------------------------------
def test_prefetch_gives_the_same_batches():
    ds = TensorDataset(*_xy(37))
    gn.manual_seed(1)
    plain = _rows(DataLoader(ds, batch_size=5, shuffle=True))
    gn.manual_seed(1)
    ahead = _rows(DataLoader(ds, batch_size=5, shuffle=True, prefetch=3))
    assert plain == ahead


def test_prefetch_propagates_errors_and_stops_when_abandoned():
    class Broken(ItemDataset):
        def __getitem__(self, i):
            if i == 7:
                raise KeyError("sample 7 is broken")
            return super().__getitem__(i)

    with pytest.raises(KeyError, match="sample 7"):
        list(DataLoader(Broken(*_xy()), batch_size=2, prefetch=2))
    before = threading.active_count()
    it = iter(DataLoader(TensorDataset(*_xy(100)), batch_size=2, prefetch=1))
    next(it)
    it.close()  # what a `break` out of the for loop does
    assert threading.active_count() <= before


# ----- Subset / random_split ---------------------------------------------------------------------
def test_subset_and_random_split():
    ds = TensorDataset(*_xy(10))
    parts = data.random_split(ds, [7, 3], generator=np.random.default_rng(0))
    assert [len(p) for p in parts] == [7, 3]
    ids = sorted(int(p[i][0][0]) // 3 for p in parts for i in range(len(p)))
    assert ids == list(range(10))
    rows = _rows(DataLoader(parts[1], batch_size=3))
    assert rows == [[int(i) for i in parts[1].indices]]
    assert [len(p) for p in data.random_split(ds, [0.5, 0.5])] == [5, 5]
    with pytest.raises(ValueError, match="add up"):
        data.random_split(ds, [4, 4])


# ----- on disk -----------------------------------------------------------------------------------
def test_memmap_dataset_matches_in_memory(tmp_path):
    x = np.random.default_rng(0).standard_normal((53, 4)).astype(np.float32)
    y = np.arange(53) % 5
    np.save(tmp_path / "x.npy", x)
    np.save(tmp_path / "y.npy", y)
    raw = np.memmap(tmp_path / "x.bin", dtype=np.float32, mode="w+", shape=x.shape)
    raw[:] = x
    raw.flush()
    for ds in (MemmapDataset(tmp_path / "x.npy", tmp_path / "y.npy"),
               MemmapDataset(np.memmap(tmp_path / "x.bin", dtype=np.float32, mode="r", shape=x.shape), y)):
        assert isinstance(ds.arrays[0], np.memmap)
        gn.manual_seed(4)
        mem = list(DataLoader(TensorDataset(x, y), batch_size=8, shuffle=True))
        gn.manual_seed(4)
        disk = list(DataLoader(ds, batch_size=8, shuffle=True, prefetch=2))
        assert len(mem) == len(disk) == 7
        for (xm, ym), (xd, yd) in zip(mem, disk):
            assert type(xd.data) is np.ndarray  # a copy in memory, not a view of the file
            np.testing.assert_array_equal(xm.data, xd.data)
            np.testing.assert_array_equal(ym.data, yd.data)
    with pytest.raises(FileNotFoundError, match="nope.npy"):
        MemmapDataset(tmp_path / "nope.npy")


def test_npy_shards_match_in_memory_and_errors(tmp_path):
    x = np.random.default_rng(1).standard_normal((45, 2, 3)).astype(np.float32)
    y = np.arange(45)
    data.save_shards(tmp_path, 10, x=x, y=y)
    ds = NpyShardDataset(tmp_path, ("x", "y"))
    assert len(ds) == 45
    np.testing.assert_array_equal(ds[44][0], x[44])
    np.testing.assert_array_equal(ds[-1][1], y[-1])
    idx = [44, 0, 13, 13, 29, 10]
    xb, yb = ds.__getitems__(idx)
    np.testing.assert_array_equal(xb, x[idx])
    np.testing.assert_array_equal(yb, y[idx])
    gn.manual_seed(2)
    mem = _rows_xy(DataLoader(TensorDataset(x, y), batch_size=6, shuffle=True))
    gn.manual_seed(2)
    assert _rows_xy(DataLoader(ds, batch_size=6, shuffle=True)) == mem
    with pytest.raises(IndexError):
        ds[45]
    np.save(tmp_path / "y_00004.npy", np.arange(3))  # shard 4 of y now has 3 rows, x has 5
    with pytest.raises(ValueError, match="shard 4"):
        NpyShardDataset(tmp_path)
    with pytest.raises(FileNotFoundError, match="z_"):
        NpyShardDataset(tmp_path, ("z",))


def test_save_shards_again_with_fewer_shards_drops_the_stale_ones(tmp_path):
    x = np.arange(40, dtype=np.float32).reshape(20, 2)
    y = np.arange(20)
    data.save_shards(tmp_path, 7, x=x, y=y)  # shards of 7, 7, 6 rows
    data.save_shards(tmp_path, 10, x=x, y=y)  # shards of 10, 10: the old shard 2 must not linger
    np.save(tmp_path / "x_mean.npy", x.mean(0))  # not a shard: ignored
    ds = NpyShardDataset(tmp_path)
    assert len(ds) == 20
    xb, yb = ds.__getitems__(np.arange(20))
    np.testing.assert_array_equal(xb, x)
    np.testing.assert_array_equal(yb, y)


def _rows_xy(loader):
    return [yb.data.tolist() for _, yb in loader]


def test_epoch_over_disk_data_runs_in_constant_memory(tmp_path):
    """An epoch over a 4 MB file with 64-row batches never holds more than a few batches in memory."""
    n, d = 4096, 256
    x = np.lib.format.open_memmap(tmp_path / "x.npy", mode="w+", dtype=np.float32, shape=(n, d))
    x[:] = 1.0
    x.flush()
    del x
    batch_bytes = 64 * d * 4
    tracemalloc.start()
    loader = DataLoader(MemmapDataset(tmp_path / "x.npy"), batch_size=64, shuffle=True)
    total = 0.0
    for (xb,) in loader:  # one array: a 1-tuple per batch, as PyTorch's TensorDataset
        total += float(xb.data.sum())
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert total == n * d
    assert peak < 8 * batch_bytes < n * d * 4 / 4
