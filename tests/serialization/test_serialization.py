"""ns.save / ns.load: pickle-free, atomic, bit-exact checkpoints."""
import json
import math
import os
import pickle
import zipfile
from collections import OrderedDict

import numpy as np
import pytest

import nnscratch as ns
import nnscratch.nn as nn
import nnscratch.optim as optim
import nnscratch.serialization as ser


def _same(a, b):
    """Structural, type- and bit-exact equality."""
    assert type(a) is type(b), (type(a), type(b))
    if isinstance(a, np.ndarray):
        assert a.dtype == b.dtype and a.shape == b.shape
        assert a.tobytes() == b.tobytes()
    elif isinstance(a, np.generic):
        assert a.dtype == b.dtype and a.tobytes() == b.tobytes()
    elif isinstance(a, dict):
        assert list(a) == list(b)
        for k in a:
            _same(a[k], b[k])
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            _same(x, y)
    elif isinstance(a, float) and math.isnan(a):
        assert math.isnan(b)
    else:
        assert a == b


def test_round_trip_is_bit_exact(tmp_path):
    rng = np.random.default_rng(0)
    state = {
        "f32": rng.standard_normal((3, 4)).astype(np.float32),
        "f64": rng.standard_normal(7),
        "i64": np.arange(-5, 5, dtype=np.int64),
        "u8": np.array([[0, 255]], dtype=np.uint8),
        "bool_arr": np.array([True, False]),
        "empty": np.zeros((0, 3), dtype=np.float32),
        "fortran": np.asfortranarray(rng.standard_normal((3, 2))),
        "special": np.array([np.nan, np.inf, -np.inf, -0.0, 5e-324]),
        "nested": {"list": [1, 2.5, "x", None, True], "tuple": (0.1, (2, 3)), 7: {-1: "neg"}},
        "big": 2 ** 200 + 12345, "neg_big": -(3 ** 90),
        "floats": [float("nan"), float("inf"), -float("inf"), 0.1, -0.0, 1e-310],
        "np_scalars": [np.float32(1.25), np.int64(-3), np.bool_(True), np.float64(0.1)],
        "text": "héllo\nwörld", "none": None, "flag": False,
    }
    path = tmp_path / "ckpt.nns"
    ns.save(state, path)
    loaded = ns.load(path)
    _same(state, loaded)
    assert math.copysign(1.0, loaded["floats"][4]) == -1.0
    assert math.copysign(1.0, loaded["special"][3]) == -1.0
    assert loaded["fortran"].flags.f_contiguous
    assert loaded["f32"].flags.writeable  # optimizer state is updated in place after loading


def test_tensor_loads_as_tensor_array_as_array_ordereddict_as_dict(tmp_path):
    t = ns.tensor(np.array([1.5, -2.0], dtype=np.float32), requires_grad=True)
    sd = OrderedDict([("b", t), ("a", np.ones(2))])
    ns.save(sd, tmp_path / "c")
    out = ns.load(tmp_path / "c")
    assert type(out) is dict and list(out) == ["b", "a"]
    assert isinstance(out["b"], ns.Tensor) and out["b"].dtype == ns.float32
    assert out["b"].requires_grad and out["b"].grad_fn is None
    np.testing.assert_array_equal(out["b"].numpy(), [1.5, -2.0])
    assert type(out["a"]) is np.ndarray
    np.testing.assert_array_equal(out["b"], t.numpy())


def test_rng_state_round_trip_reproduces_draws(tmp_path):
    ns.manual_seed(123)
    ns.random.generator().standard_normal(10)  # move away from the seed
    ns.save({"rng": ns.random.get_rng_state()}, tmp_path / "rng")
    expected = ns.random.generator().standard_normal(5)
    ns.manual_seed(999)
    ns.random.set_rng_state(ns.load(tmp_path / "rng")["rng"])
    np.testing.assert_array_equal(ns.random.generator().standard_normal(5), expected)
    legacy = np.random.RandomState(7)  # MT19937: its state holds a uint32 key array
    ns.save(legacy.get_state(), tmp_path / "mt")
    again = np.random.RandomState(0)
    again.set_state(ns.load(tmp_path / "mt"))
    np.testing.assert_array_equal(again.random_sample(4), legacy.random_sample(4))


def test_training_checkpoint_restores_model_and_optimizer(tmp_path):
    ns.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    x = ns.randn(5, 3)
    target = np.array([0, 1, 1, 0, 1])
    for _ in range(2):
        opt.zero_grad()
        ns.nn.functional.cross_entropy(model(x), target).backward()
        opt.step()
    ckpt = {"model": model.state_dict(), "optimizer": opt.state_dict(), "epoch": 2,
            "rng": ns.random.get_rng_state()}
    ns.save(ckpt, tmp_path / "train.ckpt")
    back = ns.load(tmp_path / "train.ckpt")
    assert back["epoch"] == 2
    assert sorted(back["optimizer"]["state"]) == sorted(ckpt["optimizer"]["state"])
    _same(ckpt["optimizer"], back["optimizer"])
    ns.manual_seed(1)
    fresh = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    fresh.load_state_dict(back["model"])
    fresh_opt = optim.SGD(fresh.parameters(), lr=0.1, momentum=0.9)
    fresh_opt.load_state_dict(back["optimizer"])
    for p, q in zip(model.parameters(), fresh.parameters()):
        assert p.numpy().tobytes() == q.numpy().tobytes()


def test_file_is_a_zip_of_npy_with_json_header_and_no_pickle(tmp_path):
    ns.save({"w": np.arange(3.0), "n": 1}, tmp_path / "c")
    with zipfile.ZipFile(tmp_path / "c") as z:
        names = z.namelist()
        header = json.loads(z.read("header.json"))
        assert header["format"] == ser.FORMAT and header["version"] == ser.VERSION
        assert any(n.endswith(".npy") for n in names)
        for n in names:
            assert b"\x80\x04\x95" not in z.read(n)  # no pickle protocol-4 frames anywhere


def test_object_arrays_and_unknown_types_are_refused_before_writing(tmp_path):
    path = tmp_path / "c"
    with pytest.raises(TypeError, match="object arrays.*state\\['a'\\]\\[1\\]"):
        ns.save({"a": [np.ones(2), np.array([1, "x"], dtype=object)]}, path)
    with pytest.raises(TypeError, match="cannot save a set"):
        ns.save({"s": {1, 2}}, path)
    with pytest.raises(TypeError, match="dict keys must be str or int"):
        ns.save({(1, 2): 3}, path)
    assert not path.exists() and os.listdir(tmp_path) == []


def test_missing_directory_and_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        ns.save({"a": 1}, tmp_path / "nope" / "c.ckpt")
    with pytest.raises(FileNotFoundError, match="no such file"):
        ns.load(tmp_path / "absent.ckpt")


def test_truncated_file_is_a_clear_value_error(tmp_path):
    path = tmp_path / "c"
    ns.save({"w": np.random.default_rng(0).standard_normal(1000)}, path)
    raw = path.read_bytes()
    for cut in (len(raw) // 2, len(raw) - 10, 3):
        path.write_bytes(raw[:cut])
        with pytest.raises(ValueError, match="not a valid nnscratch checkpoint") as e:
            ns.load(path)
        assert str(path) in str(e.value)


def test_corrupted_array_bytes_fail_the_crc(tmp_path):
    path = tmp_path / "c"
    ns.save({"w": np.zeros(4096)}, path)
    raw = bytearray(path.read_bytes())
    i = raw.index(b"\x00" * 64, raw.index(b"NUMPY"))  # inside the array payload
    raw[i + 10] = 0xFF
    path.write_bytes(bytes(raw))
    with pytest.raises(ValueError, match="corrupt"):
        ns.load(path)


class _Boom:
    def __reduce__(self):
        return (os.system, ("echo pwned",))


@pytest.mark.parametrize("kind", ["pickle", "random_zip", "npz", "text", "empty", "bad_header",
                                  "newer_version", "bad_node", "missing_entry"])
def test_foreign_files_are_refused(tmp_path, kind):
    path = tmp_path / f"{kind}.bin"
    if kind == "pickle":
        path.write_bytes(pickle.dumps({"w": _Boom()}))
        match = "pickle"
    elif kind == "random_zip":
        with zipfile.ZipFile(path, "w") as z:
            z.writestr("readme.txt", "hello")
        match = "no header.json"
    elif kind == "npz":
        with open(path, "wb") as f:
            np.savez(f, a=np.ones(3))
        match = "no header.json"
    elif kind == "text":
        path.write_text("just some text\n")
        match = "not a zip"
    elif kind == "empty":
        path.write_bytes(b"")
        match = "not a zip"
    else:
        header = {"format": ser.FORMAT, "version": 1, "tree": {"t": "int", "v": "1"}}
        if kind == "bad_header":
            header = {"format": "something-else", "version": 1}
            match = "format tag"
        elif kind == "newer_version":
            header["version"] = 99
            match = "newer"
        elif kind == "bad_node":
            header["tree"] = {"t": "eval", "v": "__import__('os')"}
            match = "unknown node type"
        else:
            header["tree"] = {"t": "array", "k": "arrays/0.npy"}
            match = "missing"
        with zipfile.ZipFile(path, "w") as z:
            z.writestr("header.json", json.dumps(header))
    with pytest.raises(ValueError, match=match) as e:
        ns.load(path)
    assert str(path) in str(e.value)


def test_object_array_entry_is_refused_on_load(tmp_path):
    path = tmp_path / "evil"
    header = {"format": ser.FORMAT, "version": 1, "tree": {"t": "array", "k": "arrays/0.npy"}}
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("header.json", json.dumps(header))
        with z.open("arrays/0.npy", "w") as f:
            np.lib.format.write_array(f, np.array([_Boom()], dtype=object), allow_pickle=True)
    with pytest.raises(ValueError, match="cannot be read"):
        ns.load(path)


def test_overwrite_is_atomic(tmp_path, monkeypatch):
    path = tmp_path / "c"
    ns.save({"epoch": 1}, path)

    def fail(*args, **kwargs):
        raise OSError("disk full")
    monkeypatch.setattr(np.lib.format, "write_array", fail)
    with pytest.raises(OSError, match="disk full"):
        ns.save({"epoch": 2, "w": np.ones(3)}, path)
    monkeypatch.undo()
    assert ns.load(path) == {"epoch": 1}
    assert os.listdir(tmp_path) == ["c"]  # no temporary file left behind
    ns.save({"epoch": 3}, path)
    assert ns.load(path) == {"epoch": 3}


def test_reference_cycles_are_refused_but_shared_leaves_are_fine(tmp_path):
    loop = {"a": []}
    loop["a"].append(loop)
    with pytest.raises(TypeError, match="contains itself"):
        ns.save(loop, tmp_path / "c")
    shared = [1, 2]
    w = np.ones(3)
    ns.save({"x": shared, "y": shared, "w1": w, "w2": w}, tmp_path / "c")
    out = ns.load(tmp_path / "c")
    assert out["x"] == out["y"] == [1, 2]
    np.testing.assert_array_equal(out["w1"], out["w2"])


def test_file_mode_follows_umask_not_tempfile(tmp_path):
    path = tmp_path / "c"
    old = os.umask(0o022)
    try:
        ns.save({"a": 1}, path)
    finally:
        os.umask(old)
    assert (path.stat().st_mode & 0o777) == 0o644
