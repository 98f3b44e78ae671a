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

    monkeypatch.setattr(io, "_write_all", half_then_crash)
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
