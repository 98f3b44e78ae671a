"""gradnote.distributed and DistributedDataParallel, run for real: 2 MPI ranks under mpirun.

The equivalence check: 2 ranks at batch 32 each (DistributedSampler shares, DDP averaging) end
with the same weights as 1 process at batch 64 over the same sample order. Worker scripts are
written to a temporary folder and started with the mpirun next to this Python (the `mpi` extra's
MPICH) or on PATH; every run is time-limited so a hang fails instead of blocking CI.
"""

import importlib.util
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import gradnote as gn
import gradnote.distributed as dist
import gradnote.nn as nn

ROOT = Path(__file__).resolve().parents[1]


def _mpirun():
    local = Path(sys.executable).parent / "mpirun"
    return str(local) if local.exists() else shutil.which("mpirun") or shutil.which("mpiexec")


_MISSING = ("mpi4py is not installed (pip install 'gradnote[mpi]')" if importlib.util.find_spec("mpi4py") is None
            else "no mpirun/mpiexec next to this Python or on PATH (pip install 'gradnote[mpi]' brings MPICH's)"
            if _mpirun() is None else None)
needs_mpi = pytest.mark.skipif(_MISSING is not None, reason=_MISSING or "")

COMMON = """
import sys
import numpy as np
import gradnote as gn
import gradnote.distributed as dist
import gradnote.nn as nn
from gradnote.utils.data import DataLoader, DistributedSampler, TensorDataset

def data(n=256):
    rng = np.random.default_rng(1)
    x = rng.normal(size=(n, 8)).astype(np.float32)
    y = (x @ rng.normal(size=(8, 3)).astype(np.float32)).argmax(1)
    return TensorDataset(gn.tensor(x), gn.tensor(y))

def model(seed):
    gn.manual_seed(seed)  # a different init per rank: DDP must broadcast rank 0's
    return nn.Sequential(nn.Linear(8, 16), nn.Tanh(), nn.Linear(16, 3))
"""

TRAIN = COMMON + """
mode, out = sys.argv[1], sys.argv[2]
ds = data()
if mode == "ddp":
    dist.init_process_group(backend="mpi")
    net = model(dist.get_rank())
    ddp = nn.parallel.DistributedDataParallel(net, bucket_cap_mb=0.0002)  # several buckets
    sampler, batch = DistributedSampler(ds, shuffle=True, seed=3), 32
else:
    net = ddp = model(0)
    np.savez(f"{out}/init.npz", **{k: v.copy() for k, v in net.state_dict().items()})
    sampler, batch = DistributedSampler(ds, num_replicas=1, rank=0, shuffle=True, seed=3), 64
opt = gn.optim.SGD(ddp.parameters(), lr=0.1, momentum=0.9)
loss_fn = nn.CrossEntropyLoss()
for epoch in range(3):
    sampler.set_epoch(epoch)
    for x, y in DataLoader(ds, batch_size=batch, sampler=sampler):
        opt.zero_grad()
        loss = loss_fn(ddp(x), y)
        loss.backward()
        opt.step()
        if mode == "ddp" and epoch == 1 and dist.get_rank() == 1 and len(sys.argv) > 3:
            raise RuntimeError("injected failure")
rank = dist.get_rank() if mode == "ddp" else 0
np.savez(f"{out}/{mode}{rank}.npz", **{k: v for k, v in net.state_dict().items()})
if mode == "ddp":
    dist.barrier()
    dist.destroy_process_group()
"""

COLLECTIVES = """
import numpy as np
import gradnote as gn
import gradnote.distributed as dist
dist.init_process_group(backend="mpi", world_size=2)
r, n = dist.get_rank(), dist.get_world_size()
t = gn.tensor(np.array([[1.0, 2.0], [3.0, 4.0]], dtype=np.float32) * (r + 1))
dist.all_reduce(t)
assert t.dtype == np.float32 and np.array_equal(t.numpy(), [[3, 6], [9, 12]]), t
m = gn.tensor([float(r), 5.0 - r])
dist.all_reduce(m, op=dist.ReduceOp.MAX)
assert m.tolist() == [1.0, 5.0], m
a = gn.tensor([2.0 * r])
dist.all_reduce(a, op=dist.ReduceOp.AVG)
assert a.tolist() == [1.0], a
cols = np.arange(6.0).reshape(2, 3) * (r + 1)
view = cols[:, 1]  # not contiguous: reduced through a copy and written back
dist.all_reduce(view, op=dist.ReduceOp.SUM)
assert view.tolist() == [3.0, 12.0] and cols[0, 0] == 0.0, cols
b = gn.tensor([float(r), 7.0 * r])
work = dist.broadcast(b, src=1, async_op=True)
work.wait()
assert b.tolist() == [1.0, 7.0], b
dist.barrier()
assert dist.is_main_process() == (r == 0) and dist.get_backend() == "mpi"
print(f"rank {r} ok", flush=True)
dist.destroy_process_group()
"""

FIT = """
import sys
import numpy as np
import gradnote as gn
import gradnote.distributed as dist
from gradnote import keras
if sys.argv[1] == "ddp":
    dist.init_process_group(backend="mpi")
rank = dist.get_rank() if dist.is_initialized() else 0
rng = np.random.default_rng(1)
x = rng.normal(size=(200, 8)).astype(np.float32)
y = (x @ rng.normal(size=(8, 3)).astype(np.float32)).argmax(1)
gn.manual_seed(rank)  # different initial weights per rank; the shuffle seed below is shared
model = keras.Sequential([keras.layers.Dense(16, activation="tanh", input_shape=(8,)), keras.layers.Dense(3)])
model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1, momentum=0.9),
              loss="sparse_categorical_crossentropy", metrics=["accuracy"])
seen = [0]
model.register_forward_hook(lambda m, inputs, out: seen.__setitem__(0, seen[0] + len(inputs[0])))
gn.manual_seed(7)
history = model.fit(x, y, batch_size=48, epochs=3, verbose=2, validation_split=0.2)
np.savez(f"{sys.argv[2]}/fit_{sys.argv[1]}{rank}.npz", *[p.numpy() for p in model.parameters()],
         loss=np.array(history.history["loss"]), seen=np.array(seen))
"""


def _run(tmp_path, script: str, n: int, *args, timeout: int = 120):
    path = tmp_path / f"worker{abs(hash(script)) % 10**6}.py"
    path.write_text(textwrap.dedent(script))
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "PYTHONPATH": str(ROOT / "src")}
    cmd = [sys.executable, str(path), *args] if n == 0 else [_mpirun(), "-n", str(n), sys.executable, str(path), *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env, cwd=tmp_path)


@needs_mpi
def test_collectives_on_two_ranks(tmp_path):
    r = _run(tmp_path, COLLECTIVES, 2)
    assert r.returncode == 0, r.stdout + r.stderr
    assert sorted(re.findall(r"rank \d ok", r.stdout)) == ["rank 0 ok", "rank 1 ok"]


@needs_mpi
def test_two_ranks_at_batch_32_equal_one_process_at_batch_64(tmp_path):
    plain = _run(tmp_path, TRAIN, 0, "plain", str(tmp_path))
    assert plain.returncode == 0, plain.stderr
    r = _run(tmp_path, TRAIN, 2, "ddp", str(tmp_path))
    assert r.returncode == 0, r.stdout + r.stderr
    init, ref, w0, w1 = (np.load(tmp_path / f"{m}.npz") for m in ("init", "plain0", "ddp0", "ddp1"))
    assert list(w0) == list(ref) and len(ref) == 4
    for k in ref:
        np.testing.assert_array_equal(w0[k], w1[k], err_msg=f"ranks differ in {k}")
        assert w0[k].dtype == np.float32
        np.testing.assert_allclose(w0[k], ref[k], rtol=1e-5, atol=1e-6, err_msg=k)
        assert np.abs(ref[k] - init[k]).max() > 1e-2, f"{k} did not train"


@needs_mpi
def test_keras_fit_under_mpirun_trains_as_one_process_and_only_rank_0_prints(tmp_path):
    plain = _run(tmp_path, FIT, 0, "plain", str(tmp_path))
    assert plain.returncode == 0, plain.stderr
    r = _run(tmp_path, FIT, 2, "ddp", str(tmp_path))
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.count("Epoch 1/3") == 1 and plain.stdout.count("Epoch 1/3") == 1, r.stdout
    ref, w0, w1 = (np.load(tmp_path / f"fit_{m}.npz") for m in ("plain0", "ddp0", "ddp1"))
    # 160 training samples a epoch, batches of 48 (the last of 16) split in halves; 40 validate on each rank
    assert ref["seen"] == 3 * (160 + 40) and w0["seen"] == w1["seen"] == 3 * (80 + 40)
    for k in (f for f in ref.files if f != "seen"):
        np.testing.assert_array_equal(w0[k], w1[k], err_msg=f"ranks differ in {k}")
        np.testing.assert_allclose(w0[k], ref[k], rtol=1e-4, atol=1e-5, err_msg=k)


@needs_mpi
def test_a_crashing_rank_ends_the_job_with_a_message(tmp_path):
    r = _run(tmp_path, TRAIN, 2, "ddp", str(tmp_path), "crash", timeout=90)
    assert r.returncode != 0
    out = r.stdout + r.stderr
    assert "injected failure" in out and "rank 1 of 2 failed with RuntimeError" in out, out
    assert not (tmp_path / "ddp0.npz").exists()


def test_use_before_init_is_refused_clearly():
    assert not dist.is_initialized() and dist.is_main_process()
    with pytest.raises(ValueError, match="get_rank: Default process group has not been initialized"):
        dist.get_rank()
    with pytest.raises(ValueError, match="init_process_group: backend must be 'mpi'"):
        dist.init_process_group(backend="nccl")
    with pytest.raises(RuntimeError, match="DistributedDataParallel: call gradnote.distributed.init_process_group"):
        nn.parallel.DistributedDataParallel(nn.Linear(2, 2))
    with pytest.raises(RuntimeError, match="DistributedSampler: give num_replicas and rank, or call"):
        gn.utils.data.DistributedSampler(range(4))


def test_import_gradnote_does_not_load_mpi():
    code = "import sys, gradnote, gradnote.distributed, gradnote.nn.parallel; print('mpi4py' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                         env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
    assert out.stdout.strip() == "False", out.stderr


@needs_mpi
def test_gradnote_train_config_under_mpirun_prints_and_writes_once(tmp_path):
    config = tmp_path / "tiny.toml"
    config.write_text(textwrap.dedent("""
        seed = 0
        output = "runs/tiny"
        [data]
        name = "digits"
        test_size = 0.2
        validation_split = 0.1
        [model]
        type = "mlp"
        hidden_units = 16
        num_layers = 1
        [train]
        loss = "cross_entropy"
        optimizer = { name = "adam", lr = 1e-2 }
        batch_size = 64
        epochs = 2
        metrics = ["accuracy"]
    """))
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "PYTHONPATH": str(ROOT / "src")}
    cmd = [_mpirun(), "-n", "2", sys.executable, "-m", "gradnote", "train", str(config), "--quiet"]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=180, env=env, cwd=tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.count("test accuracy:") == 1, r.stdout  # rank 0 only
    runs = sorted(p.name for p in (tmp_path / "runs").iterdir())
    assert runs == ["tiny"], runs  # one run folder, not one per rank (no "tiny-2")
    assert (tmp_path / "runs" / "tiny" / "model.safetensors").exists()
