"""gradnote.utils.data as PyTorch spells it: samplers, DataLoader's torch signature, worker processes."""

import math

import numpy as np
import pytest

import gradnote as gn
from gradnote.utils.data import (
    BatchSampler,
    ConcatDataset,
    DataLoader,
    Dataset,
    DistributedSampler,
    IterableDataset,
    RandomSampler,
    SequentialSampler,
    SubsetRandomSampler,
    TensorDataset,
    WeightedRandomSampler,
    get_worker_info,
    random_split,
)
from gradnote.utils.data.distributed import DistributedSampler as DistributedSampler2


def _ds(n=23):
    return TensorDataset(np.arange(2 * n, dtype=np.float32).reshape(n, 2), np.arange(n))


def _labels(loader):
    return [yb.data.tolist() for _, yb in loader]


def test_module_paths_are_the_one_implementation():
    import gradnote.utils.data as tud

    assert tud.DataLoader is gn.data.DataLoader and tud.TensorDataset is gn.data.TensorDataset
    assert DistributedSampler2 is DistributedSampler is gn.data.DistributedSampler


# ----- datasets ----------------------------------------------------------------------------------
def test_tensor_dataset_gives_tuples_also_for_one_array():
    x = np.arange(6).reshape(3, 2)
    (row,) = TensorDataset(x)[1]
    np.testing.assert_array_equal(row, [2, 3])
    (xb,) = next(iter(DataLoader(TensorDataset(x), batch_size=2)))
    np.testing.assert_array_equal(xb.data, x[:2])


def test_concat_dataset_and_plus():
    a, b = _ds(3), _ds(4)
    cat = a + b
    assert isinstance(cat, ConcatDataset) and len(cat) == 7 and cat.cumulative_sizes == [3, 7]
    assert [int(cat[i][1]) for i in range(7)] == [0, 1, 2, 0, 1, 2, 3]
    assert int(cat[-1][1]) == 3
    with pytest.raises(IndexError, match="index 7 out of range for length 7"):
        cat[7]
    with pytest.raises(ValueError, match="must not be empty"):
        ConcatDataset([])


def test_random_split_lengths_and_fractions_as_torch():
    ds = _ds(10)
    parts = random_split(ds, [0.3, 0.3, 0.4], generator=np.random.default_rng(0))
    assert [len(p) for p in parts] == [3, 3, 4]
    assert sorted(i for p in parts for i in p.indices.tolist()) == list(range(10))
    # floor(10 * f) = 3, 3, 3 leaves 1, which goes round-robin to the first split
    assert [len(p) for p in random_split(ds, [1 / 3, 1 / 3, 1 / 3])] == [4, 3, 3]
    same = [p.indices.tolist() for p in random_split(ds, [7, 3], generator=np.random.default_rng(5))]
    again = [p.indices.tolist() for p in random_split(ds, [7, 3], generator=np.random.default_rng(5))]
    assert same == again
    with pytest.warns(UserWarning, match="split 1 has length 0"):
        random_split(_ds(2), [0.9, 0.1])
    with pytest.raises(ValueError, match="do not add up"):
        random_split(ds, [4, 4])
    with pytest.raises(ValueError, match="fraction at index 0 is 1.5, not between 0 and 1"):
        random_split(ds, [1.5, -0.5])


# ----- samplers ----------------------------------------------------------------------------------
def test_random_sampler_permutes_and_draws_with_replacement():
    assert list(SequentialSampler(range(4))) == [0, 1, 2, 3]
    order = list(RandomSampler(range(9), generator=np.random.default_rng(1)))
    assert sorted(order) == list(range(9)) and order != list(range(9))
    long = list(RandomSampler(range(4), num_samples=10))  # without replacement: whole permutations, then a cut
    assert len(long) == 10 and sorted(long[:4]) == sorted(long[4:8]) == [0, 1, 2, 3]
    draws = list(RandomSampler(range(3), replacement=True, num_samples=300))
    assert len(draws) == 300 and set(draws) == {0, 1, 2}
    gn.manual_seed(3)
    a = list(RandomSampler(range(20)))
    gn.manual_seed(3)
    assert list(RandomSampler(range(20))) == a
    with pytest.raises(ValueError, match="num_samples must be a positive int, got 0"):
        RandomSampler(range(3), num_samples=0)
    with pytest.raises(TypeError, match="replacement must be True or False, got 1"):
        RandomSampler(range(3), replacement=1)


def test_subset_and_weighted_samplers():
    assert sorted(SubsetRandomSampler([9, 4, 6])) == [4, 6, 9]
    w = np.array([0.0, 3.0, 1.0, 0.0])
    draws = np.array(list(WeightedRandomSampler(w, num_samples=4000, generator=np.random.default_rng(0))))
    assert set(draws.tolist()) == {1, 2}
    assert abs((draws == 1).mean() - 0.75) < 0.03  # probability proportional to the weight
    assert sorted(WeightedRandomSampler(w, num_samples=2, replacement=False)) == [1, 2]
    with pytest.raises(ValueError, match="cannot draw 3 samples without replacement from 2"):
        WeightedRandomSampler(w, num_samples=3, replacement=False)
    with pytest.raises(ValueError, match=r"1-d sequence, got shape \(2, 2\)"):
        WeightedRandomSampler(np.ones((2, 2)), num_samples=1)


def test_batch_sampler_lists_and_an_endless_sampler():
    assert list(BatchSampler(SequentialSampler(range(5)), 2, drop_last=True)) == [[0, 1], [2, 3]]
    assert len(BatchSampler(SequentialSampler(range(5)), 2, drop_last=False)) == 3

    def endless():
        i = 0
        while True:
            yield i
            i += 1

    batches = iter(BatchSampler(endless(), 3, drop_last=False))
    assert next(batches) == [0, 1, 2] and next(batches) == [3, 4, 5]
    with pytest.raises(ValueError, match="batch_size must be a positive int, got -1"):
        BatchSampler(range(3), -1, False)


def _torch_distributed_indices(n, replicas, rank, drop_last, order):
    """PyTorch's DistributedSampler layout written out: pad by repeating, or cut; then stride from rank."""
    if drop_last and n % replicas:
        per_rank = math.ceil((n - replicas) / replicas)
    else:
        per_rank = math.ceil(n / replicas)
    total = per_rank * replicas
    indices = list(order)
    if drop_last:
        indices = indices[:total]
    else:
        pad = total - len(indices)
        indices += (indices * math.ceil(pad / max(len(indices), 1)))[:pad]
    return indices[rank:total:replicas]


@pytest.mark.parametrize("n", [1, 5, 7, 12])
@pytest.mark.parametrize("replicas", [1, 3, 4])
@pytest.mark.parametrize("drop_last", [False, True])
def test_distributed_sampler_layout(n, replicas, drop_last):
    shares = []
    for rank in range(replicas):
        s = DistributedSampler(range(n), num_replicas=replicas, rank=rank, shuffle=False, drop_last=drop_last)
        got = list(s)
        assert got == _torch_distributed_indices(n, replicas, rank, drop_last, range(n)) and len(s) == len(got)
        shares.append(got)
    assert len({len(s) for s in shares}) == 1  # every rank takes the same number of steps
    if not drop_last:
        assert set().union(*map(set, shares)) == set(range(n))


def test_distributed_sampler_shuffles_by_seed_plus_epoch_on_every_rank():
    def share(rank, epoch, seed=0):
        s = DistributedSampler(range(10), num_replicas=2, rank=rank, seed=seed)
        s.set_epoch(epoch)
        return list(s)

    order = np.random.default_rng(0 + 3).permutation(10).tolist()
    assert share(0, 3) == order[0::2] and share(1, 3) == order[1::2]
    assert share(0, 3) == share(0, 3) and share(0, 4) != share(0, 3)
    assert share(0, 4) == share(0, 3, seed=1)  # only seed + epoch matters
    with pytest.raises(RuntimeError, match="give num_replicas and rank, or call gradnote.distributed.init_process_group"):
        DistributedSampler(range(10))
    with pytest.raises(ValueError, match=r"rank must be an int in \[0, 1\], got 2"):
        DistributedSampler(range(10), num_replicas=2, rank=2)


# ----- DataLoader's torch signature ----------------------------------------------------------------
def test_sampler_and_batch_sampler_arguments():
    ds = _ds(10)
    (only,) = _labels(DataLoader(ds, batch_size=4, sampler=SubsetRandomSampler([1, 8, 3])))
    assert sorted(only) == [1, 3, 8]
    loader = DataLoader(ds, batch_sampler=[[0, 5], [9]])
    assert _labels(loader) == [[0, 5], [9]] and len(loader) == 2 and loader.batch_size is None
    singles = DataLoader(ds, batch_size=None)
    x0, y0 = next(iter(singles))
    assert x0.shape == (2,) and int(y0.item()) == 0 and len(singles) == 10


@pytest.mark.parametrize("kwargs, match", [
    ({"sampler": SequentialSampler(range(3)), "shuffle": True}, "sampler is mutually exclusive with shuffle"),
    ({"batch_sampler": [[0]], "batch_size": 2}, "batch_sampler is mutually exclusive"),
    ({"batch_sampler": [[0]], "drop_last": True}, "batch_sampler is mutually exclusive"),
    ({"batch_size": None, "drop_last": True}, "batch_size=None turns batching off"),
    ({"num_workers": -1}, "num_workers must be an int >= 0, got -1"),
    ({"prefetch_factor": 2}, "prefetch_factor=2 needs num_workers > 0"),
    ({"persistent_workers": True}, "persistent_workers=True needs num_workers > 0"),
    ({"num_workers": 2, "prefetch": 2}, "with num_workers=2 use prefetch_factor"),
    ({"num_workers": 1, "multiprocessing_context": "teleport"}, "multiprocessing_context must be one of"),
    ({"timeout": -1}, "timeout must be a number of seconds >= 0"),
    ({"worker_init_fn": 3}, "worker_init_fn must be callable"),
])
def test_bad_combinations_are_refused_as_torch(kwargs, match):
    with pytest.raises((ValueError, TypeError), match=match):
        DataLoader(TensorDataset(np.zeros((3, 2))), **kwargs)


def test_pin_memory_is_accepted_and_changes_nothing():
    a = _labels(DataLoader(_ds(), batch_size=5, pin_memory=True))
    assert a == _labels(DataLoader(_ds(), batch_size=5))


class Count(IterableDataset):
    """0..n-1; with workers, worker i of k yields i, i + k, ... (the split get_worker_info is for)."""

    def __init__(self, n):
        self.n = n

    def __iter__(self):
        info = get_worker_info()
        start, step = (0, 1) if info is None else (info.id, info.num_workers)
        return iter(np.arange(start, self.n, step))

    def __len__(self):
        return self.n


def test_iterable_dataset_batches_and_refuses_shuffle():
    loader = DataLoader(Count(7), batch_size=3)
    assert [b.tolist() for b in loader] == [[0, 1, 2], [3, 4, 5], [6]] and len(loader) == 3
    assert [b.tolist() for b in DataLoader(Count(7), batch_size=3, drop_last=True)] == [[0, 1, 2], [3, 4, 5]]
    with pytest.raises(ValueError, match="IterableDataset gives its own order, so shuffle"):
        DataLoader(Count(3), shuffle=True)


# ----- worker processes (a few small tests: each pool start costs a fork per worker) -------------
class Noisy(Dataset):
    """Sample i carries a draw from gradnote's generator, the worker's id and its seed."""

    def __len__(self):
        return 12

    def __getitem__(self, i):
        info = get_worker_info()
        noise = gn.random.get_rng().standard_normal(2).astype(np.float32)
        legacy = np.random.randint(1 << 30)  # what a dataset written for PyTorch might draw from
        return np.float32(i), noise, -1 if info is None else info.id, -1 if info is None else info.seed, legacy


def test_workers_give_the_same_batches_as_the_main_process():
    ds = _ds(23)
    gn.manual_seed(4)
    plain = [(xb.data.copy(), yb.data.copy()) for xb, yb in DataLoader(ds, batch_size=4, shuffle=True)]
    after_plain = gn.random.get_rng().integers(1 << 30)
    gn.manual_seed(4)
    workers = [(xb, yb) for xb, yb in DataLoader(ds, batch_size=4, shuffle=True, num_workers=3)]
    assert gn.random.get_rng().integers(1 << 30) == after_plain  # the main random stream does not depend on workers
    assert len(workers) == len(plain) == 6
    for (xa, ya), (xb, yb) in zip(plain, workers):
        assert isinstance(xb, gn.Tensor) and xb.dtype == np.float32 and yb.dtype == np.int64
        np.testing.assert_array_equal(xa, xb.data)
        np.testing.assert_array_equal(ya, yb.data)
    # an iterable dataset split by worker id comes back interleaved batch by batch, as in PyTorch
    streamed = [b.tolist() for b in DataLoader(Count(11), batch_size=3, num_workers=2)]
    assert streamed == [[0, 2, 4], [1, 3, 5], [6, 8, 10], [7, 9]]


def test_worker_seeds_are_base_seed_plus_worker_id_and_repeat():
    seen = []

    def init(worker_id):
        seen.append(worker_id)  # runs in the worker: the main process's list stays empty

    def run():
        gn.manual_seed(11)
        base = np.random.default_rng(11).integers(0, 2**63 - 1)  # the loader's first draw from gradnote's generator
        batches = list(DataLoader(Noisy(), batch_size=3, num_workers=2, worker_init_fn=init))
        return base, batches

    base, batches = run()
    for k, (i, noise, wid, seed, _) in enumerate(batches):
        assert wid.tolist() == [k % 2] * 3  # batches go round-robin to the workers
        assert seed.tolist() == [base + k % 2] * 3
    for w in (0, 1):  # worker w's draws are gn.manual_seed(base + w)'s stream, in the order it read samples
        mine = np.concatenate([b[1].data for b in batches[w::2]])
        np.testing.assert_array_equal(mine, np.random.default_rng(base + w).standard_normal(mine.size)
                                      .astype(np.float32).reshape(mine.shape))
    _, again = run()
    assert all(np.array_equal(a[1].data, b[1].data) for a, b in zip(batches, again))
    assert not np.array_equal(batches[0][4].data, batches[1][4].data)  # NumPy's global generator differs per worker
    assert all(np.array_equal(a[4].data, b[4].data) for a, b in zip(batches, again))
    assert seen == []


class Broken(Dataset):
    def __len__(self):
        return 10

    def __getitem__(self, i):
        if i == 7:
            raise ValueError(f"sample {i} is unreadable")
        return np.float32(i)


def test_worker_exception_is_raised_in_the_main_process_naming_the_worker():
    loader = DataLoader(Broken(), batch_size=2, num_workers=2)
    got = []
    with pytest.raises(ValueError, match=r"(?s)in DataLoader worker process 1.*sample 7 is unreadable"):
        for xb in loader:
            got.append(xb.data.tolist())
    assert got == [[0, 1], [2, 3], [4, 5]]  # the batches before the broken one arrived in order


def test_persistent_workers_are_kept_and_others_stop():
    import multiprocessing

    ds = _ds(20)
    loader = DataLoader(ds, batch_size=6, num_workers=2, persistent_workers=True)
    first = _labels(loader)
    pids = [w.pid for w in loader._pool.workers]
    it = iter(loader)
    next(it)
    del it  # an abandoned epoch: its leftover batches must not leak into the next one
    assert _labels(loader) == first == _labels(DataLoader(ds, batch_size=6))
    assert [w.pid for w in loader._pool.workers] == pids
    pool = loader._pool
    del loader
    assert not pool.alive  # the pool stops with its loader
    transient = DataLoader(ds, batch_size=6, num_workers=2)
    it = iter(transient)
    next(it)
    it.close()  # what a `break` does
    assert transient._pool is None and not any(p.name.startswith("gradnote-loader")
                                               for p in multiprocessing.active_children())
