"""gn.save / gn.load: round trips, atomic writes, corrupt files and planted pickles are refused."""

import os
import pickle
import struct

import numpy as np
import pytest

import gradnote as gn
from gradnote import io
from gradnote.layers import BatchNormalization, Dense, Dropout
from gradnote.models import Sequential


def _keras_model():
    gn.manual_seed(0)
    return Sequential([Dense(6, input_shape=(4,), activation="relu"), BatchNormalization(), Dropout(0.2),
                       Dense(3, activation="softmax")])


def test_model_round_trip_gives_same_outputs(tmp_path):
    m = _keras_model()
    m.train()
    m(gn.randn(8, 4))  # move BatchNorm's running statistics away from their start
    m.eval()
    gn.save(m, tmp_path / "m.gn")
    back = gn.load(tmp_path / "m.gn")
    back.eval()
    x = gn.randn(5, 4)
    assert type(back) is type(m) and [type(a) for a in back] == [type(a) for a in m]
    assert np.array_equal(back(x).data, m(x).data)
    assert list(back.state_dict()) == list(m.state_dict())


def test_nn_model_and_lazy_dense_round_trip(tmp_path):
    m = gn.nn.Sequential(gn.nn.Linear(3, 4), gn.nn.ReLU(), Dense(2))
    m(gn.randn(1, 3))  # builds the lazy Dense
    gn.save(m, tmp_path / "m.gn")
    back = gn.load(tmp_path / "m.gn")
    x = gn.randn(2, 3)
    assert np.array_equal(back(x).data, m(x).data)


def test_state_dict_and_optimizer_state_round_trip(tmp_path):
    m = _keras_model()
    sd = m.state_dict()
    gn.save(sd, tmp_path / "sd.safetensors")
    back = gn.load(tmp_path / "sd.safetensors")
    assert list(back) == list(sd) and all(np.array_equal(back[k], sd[k]) and back[k].dtype == sd[k].dtype
                                          for k in sd)
    opt = gn.optim.Adam(m.parameters(), lr=0.01)
    for p in m.parameters():
        p.grad = np.ones_like(p.data)
    opt.step()
    gn.save(opt.state_dict(), tmp_path / "opt.gn")
    state = gn.load(tmp_path / "opt.gn")
    opt2 = gn.optim.Adam(_keras_model().parameters(), lr=0.5)
    opt2.load_state_dict(state)
    assert opt2.param_groups[0]["lr"] == 0.01
    assert all(np.array_equal(opt.state_dict()["state"][i]["exp_avg"], opt2.state_dict()["state"][i]["exp_avg"])
               for i in opt.state_dict()["state"])


def test_tree_keeps_types(tmp_path):
    obj = {"a": (1, 2.5, None), 3: [np.float32(1.5), "s"], "arr": np.arange(3)}
    gn.save(obj, tmp_path / "t.gn")
    back = gn.load(tmp_path / "t.gn")
    assert back["a"] == (1, 2.5, None) and back[3][1] == "s"
    assert back[3][0].dtype == np.float32 and np.array_equal(back["arr"], np.arange(3))


def test_crash_mid_write_leaves_old_file(tmp_path, monkeypatch):
    path = tmp_path / "m.gn"
    gn.save({"w": np.ones(3, np.float32)}, path)
    old = path.read_bytes()

    def half_then_crash(f, data):
        f.write(data[: len(data) // 2])
        raise OSError("disk full (simulated)")

    monkeypatch.setattr(io.container, "_write_all", half_then_crash)
    with pytest.raises(OSError, match="simulated"):
        gn.save({"w": np.zeros(1000, np.float32)}, path)
    assert path.read_bytes() == old
    assert os.listdir(tmp_path) == ["m.gn"]  # no temp file left behind
    assert np.array_equal(gn.load(path)["w"], np.ones(3))


RAN = []


def _payload(msg):
    RAN.append(msg)


class _Boom:
    def __reduce__(self):  # unpickling this calls _payload: what a malicious file would do
        return (_payload, ("pwned",))


def test_planted_pickle_is_refused_without_running_it(tmp_path):
    path = tmp_path / "model.gn"
    path.write_bytes(pickle.dumps(_Boom()))
    pickle.loads(path.read_bytes())
    assert RAN == ["pwned"]  # the payload is live
    RAN.clear()
    with pytest.raises(ValueError, match="pickle") as e:
        gn.load(path)
    assert str(path) in str(e.value) and RAN == []


@pytest.mark.parametrize("header_len", [0x280, 0x380, 0x480, 0x580])
def test_header_length_that_starts_like_a_pickle_still_loads(tmp_path, header_len):
    # regression: a valid file whose 8-byte header length reads b"\x80\x04..." was refused as a pickle
    path = tmp_path / "w.safetensors"
    for k in range(1, 2000):
        gn.save({"w" * k: np.arange(3, dtype=np.float32)}, path)
        if struct.unpack("<Q", path.read_bytes()[:8])[0] == header_len:
            break
    raw = path.read_bytes()
    assert raw[:1] == b"\x80" and raw[1:2] in (b"\x02", b"\x03", b"\x04", b"\x05")
    assert np.array_equal(gn.load(path)["w" * k], np.arange(3, dtype=np.float32))


def test_unknown_class_in_architecture_is_refused(tmp_path):
    m = _keras_model()
    gn.save(m, tmp_path / "m.gn")
    raw = (tmp_path / "m.gn").read_bytes()
    (n,) = struct.unpack("<Q", raw[:8])
    header = raw[8:8 + n].replace(b"gradnote.layers.Dropout", b"os.system.Dropout______")
    (tmp_path / "evil.gn").write_bytes(raw[:8] + header + raw[8 + n:])
    with pytest.raises(ValueError, match="not a gradnote layer"):
        gn.load(tmp_path / "evil.gn")


@pytest.mark.parametrize("cut", [3, 20, -5])
def test_truncated_or_corrupt_file_names_the_file(tmp_path, cut):
    m = _keras_model()
    gn.save(m, tmp_path / "m.gn")
    raw = (tmp_path / "m.gn").read_bytes()
    bad = tmp_path / "bad.gn"
    bad.write_bytes(raw[:cut])
    with pytest.raises(ValueError, match="truncated|corrupt") as e:
        gn.load(bad)
    assert "bad.gn" in str(e.value)


def test_garbage_header_and_unsaveable_objects(tmp_path):
    bad = tmp_path / "g.gn"
    bad.write_bytes(struct.pack("<Q", 4) + b"{not" + b"x" * 10)
    with pytest.raises(ValueError, match="corrupt header"):
        gn.load(bad)
    with pytest.raises(TypeError, match="cannot save"):
        gn.save({"f": lambda: 0, "x": [1]}, tmp_path / "f.gn")

    class Custom(gn.nn.Module):
        def forward(self, x):
            return x

    with pytest.raises(TypeError, match="not a gradnote layer"):
        gn.save(Custom(), tmp_path / "c.gn")


def test_plain_safetensors_file_loads_as_state_dict(tmp_path):
    from safetensors.numpy import save_file

    save_file({"w": np.arange(4, dtype=np.float32)}, str(tmp_path / "plain.safetensors"))
    assert np.array_equal(gn.load(tmp_path / "plain.safetensors")["w"], np.arange(4))


def test_save_into_new_folders_over_old_files_and_folder_paths(tmp_path):
    model = _keras_model()
    path = tmp_path / "new" / "deeper" / "m.safetensors"
    gn.save(model, path)
    gn.save(model, path)  # over an existing file
    assert isinstance(gn.load(path), Sequential)
    # a folder as the path used to fail naming only the hidden temp file (save) or with a bare OSError (load)
    with pytest.raises(IsADirectoryError, match="is a folder"):
        gn.save(model, tmp_path / "new")
    with pytest.raises(IsADirectoryError, match="is a folder"):
        gn.load(tmp_path / "new")
    assert sorted(os.listdir(tmp_path / "new")) == ["deeper"]


# ----- torch's calling conventions: file objects, checkpoints, Tensors -----------------------------
def test_torch_style_checkpoint_round_trip_through_a_file_object(tmp_path):
    m = _keras_model()
    m(gn.randn(2, 4))
    opt = gn.optim.Adam(m.parameters(), lr=0.01)
    for p in m.parameters():
        p.grad = np.ones_like(p.data)
    opt.step()
    ckpt = {"epoch": 3, "model_state_dict": m.state_dict(), "optimizer_state_dict": opt.state_dict(),
            "loss": 0.12, "note": "best", "history": [0.5, 0.3], "scheduler": None}
    with open(tmp_path / "ckpt.pt", "wb") as f:
        gn.save(ckpt, f)
    with open(tmp_path / "ckpt.pt", "rb") as f:
        back = gn.load(f)
    assert (back["epoch"], back["loss"], back["note"], back["history"], back["scheduler"]) == \
        (3, 0.12, "best", [0.5, 0.3], None)
    assert list(back["optimizer_state_dict"]["state"]) == list(opt.state_dict()["state"])  # int keys stay ints
    m2 = _keras_model()
    m2(gn.randn(2, 4))
    m2.load_state_dict(back["model_state_dict"])
    opt2 = gn.optim.Adam(m2.parameters(), lr=0.5)
    opt2.load_state_dict(back["optimizer_state_dict"])
    assert opt2.param_groups[0]["lr"] == 0.01
    for k, v in m.state_dict().items():
        np.testing.assert_array_equal(m2.state_dict()[k], v)
    for i, st in opt.state_dict()["state"].items():
        np.testing.assert_array_equal(opt2.state_dict()["state"][i]["exp_avg"], st["exp_avg"])


def test_tensors_come_back_as_tensors_and_arrays_as_arrays():
    import io as std_io

    w = gn.randn(3, 2)
    b = gn.tensor([1.0, 2.0], dtype=np.float64, requires_grad=True)
    for obj in ({"w": w, "b": b, "n": np.arange(3)}, {"nested": {"w": w}, "pair": (b, 1)}):
        buf = std_io.BytesIO()
        gn.save(obj, buf)
        buf.seek(0)
        back = gn.load(buf)
        flat = back if "w" in back else {"w": back["nested"]["w"], "b": back["pair"][0]}
        assert isinstance(flat["w"], gn.Tensor) and flat["w"].dtype == np.float32
        np.testing.assert_array_equal(flat["w"].data, w.data)
        assert isinstance(flat["b"], gn.Tensor) and flat["b"].dtype == np.float64
        if "n" in back:
            assert isinstance(back["n"], np.ndarray) and back["n"].dtype == np.arange(3).dtype
        else:
            assert flat["b"].requires_grad and back["pair"][1] == 1
    buf = std_io.BytesIO()
    gn.save(w, buf)  # torch.save(tensor, f)
    buf.seek(0)
    one = gn.load(buf)
    assert isinstance(one, gn.Tensor) and np.array_equal(one.data, w.data)


def test_state_dict_of_tensors_loads_into_a_model(tmp_path):
    src = gn.nn.Linear(3, 2)
    sd = {k: gn.tensor(v) for k, v in src.state_dict().items()}
    gn.save(sd, tmp_path / "sd.pt")
    back = gn.load(tmp_path / "sd.pt")
    assert list(back) == ["weight", "bias"] and all(isinstance(v, gn.Tensor) for v in back.values())
    dst = gn.nn.Linear(3, 2)
    dst.load_state_dict(back)
    np.testing.assert_array_equal(dst.weight.data, src.weight.data)
    from safetensors.numpy import load_file

    assert set(load_file(str(tmp_path / "sd.pt"))) == {"weight", "bias"}  # still a plain safetensors file


def test_load_arguments_as_torch(tmp_path):
    gn.save({"w": gn.ones(2)}, tmp_path / "w.pt")
    for loc in (None, "cpu", {"cpu": "cpu"}, lambda storage, location: storage):
        assert np.array_equal(gn.load(tmp_path / "w.pt", map_location=loc)["w"].data, np.ones(2))
    for flag in (None, True, False):
        assert isinstance(gn.load(str(tmp_path / "w.pt"), weights_only=flag), dict)
    with pytest.raises(TypeError, match="weights_only must be None, True or False, got 'yes'"):
        gn.load(tmp_path / "w.pt", weights_only="yes")
    with pytest.raises(TypeError, match="binary mode"):
        with open(tmp_path / "w.pt", encoding="latin-1") as f:
            gn.load(f)
    with pytest.raises(TypeError, match="binary mode"):
        with open(tmp_path / "t.pt", "w") as f:
            gn.save({"w": gn.ones(2)}, f)


def test_pickles_are_refused_from_file_objects_too(tmp_path):
    import io as std_io

    RAN.clear()
    with pytest.raises(ValueError, match="is a Python pickle; gradnote never unpickles") as e:
        gn.load(std_io.BytesIO(pickle.dumps(_Boom())))
    assert RAN == [] and "BytesIO" in str(e.value)
    with pytest.raises(ValueError, match="zip archive"):
        gn.load(std_io.BytesIO(b"PK\x03\x04" + b"\0" * 40))


def test_custom_module_inside_a_checkpoint_is_refused(tmp_path):
    class Net(gn.nn.Module):
        def forward(self, x):
            return x

    with pytest.raises(TypeError, match="cannot save object.model of type Net"):
        gn.save({"model": Net()}, tmp_path / "c.pt")


def test_the_container_imports_nothing_from_gradnote():
    import ast

    tree = ast.parse(open(io.container.__file__).read())
    imported = [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
    imported += [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
    assert all(not m.startswith("gradnote") for m in imported)
    assert not any(isinstance(n, ast.ImportFrom) and n.level for n in ast.walk(tree))
    assert io.save_tree is io.container.save_tree and io.atomic_write is io.container.atomic_write
