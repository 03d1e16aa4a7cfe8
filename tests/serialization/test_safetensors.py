"""safetensors written and read by nnscratch's own code, checked against the ``safetensors``
package and PyTorch: weights cross in both directions and the two libraries' modules of the
same architecture then compute the same outputs."""
import json
import struct

import numpy as np
import pytest
import safetensors.numpy
import safetensors.torch
import torch

import nnscratch as ns
from nnscratch import nn
from nnscratch.safetensors import safetensors_metadata


def _ours():
    return nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(),
                         nn.MaxPool2d(2), nn.Flatten(), nn.Linear(4 * 4 * 4, 3))


def _theirs():
    return torch.nn.Sequential(torch.nn.Conv2d(1, 4, 3, padding=1), torch.nn.BatchNorm2d(4),
                               torch.nn.ReLU(), torch.nn.MaxPool2d(2), torch.nn.Flatten(),
                               torch.nn.Linear(4 * 4 * 4, 3))


def _perturb_bn_stats(sd, rng):
    """Non-trivial running statistics, so that the eval-mode outputs depend on them."""
    sd["1.running_mean"] = rng.standard_normal(4).astype(np.float32)
    sd["1.running_var"] = rng.uniform(0.5, 2, 4).astype(np.float32)
    return sd


def test_file_we_write_is_read_by_safetensors_and_drives_torch(tmp_path, rng):
    model = _ours()
    sd = _perturb_bn_stats(model.state_dict(), rng)
    model.load_state_dict(sd)
    path = tmp_path / "m.safetensors"
    ns.save_safetensors(sd, path, metadata={"arch": "cnn"})

    theirs = safetensors.numpy.load_file(str(path))
    assert list(theirs) and set(theirs) == set(sd)
    for k in sd:
        assert theirs[k].dtype == sd[k].dtype and theirs[k].shape == sd[k].shape
        np.testing.assert_array_equal(theirs[k], sd[k])
    with safetensors.safe_open(str(path), "np") as f:
        assert f.metadata() == {"arch": "cnn"}

    net = _theirs()
    net.load_state_dict(safetensors.torch.load_file(str(path)), strict=True)
    net.eval()
    model.eval()
    x = rng.standard_normal((5, 1, 8, 8)).astype(np.float32)
    with torch.no_grad():
        want = net(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(model(ns.tensor(x)).numpy(), want, rtol=1e-5, atol=1e-6)


def test_file_torch_writes_loads_into_our_modules(tmp_path, rng):
    net = torch.nn.LSTM(3, 5, num_layers=2, bidirectional=True, batch_first=True)
    path = tmp_path / "lstm.safetensors"
    safetensors.torch.save_file(net.state_dict(), str(path), metadata={"who": "torch"})
    ours = nn.LSTM(3, 5, num_layers=2, bidirectional=True, batch_first=True)
    state = ns.load_safetensors(path)
    assert set(state) == set(net.state_dict())
    ours.load_state_dict(state)
    assert safetensors_metadata(path) == {"who": "torch"}
    x = rng.standard_normal((2, 7, 3)).astype(np.float32)
    with torch.no_grad():
        want = net(torch.from_numpy(x))[0].numpy()
    np.testing.assert_allclose(ours(ns.tensor(x))[0].numpy(), want, rtol=1e-5, atol=1e-6)


def test_every_dtype_round_trips_through_both_implementations(tmp_path, rng):
    sd = {name: (rng.standard_normal((2, 3)) * 50).astype(dt)
          for name, dt in [("f64", np.float64), ("f32", np.float32), ("f16", np.float16),
                           ("i64", np.int64), ("i32", np.int32), ("i16", np.int16),
                           ("i8", np.int8), ("u8", np.uint8), ("u16", np.uint16),
                           ("u32", np.uint32), ("u64", np.uint64)]}
    sd["bool"] = rng.standard_normal(4) > 0
    sd["scalar"] = np.array(3.5, dtype=np.float32)
    sd["empty"] = np.zeros((0, 3), dtype=np.float32)
    sd["big_endian"] = np.arange(4, dtype=">f4")
    ours_path, theirs_path = tmp_path / "a.safetensors", tmp_path / "b.safetensors"
    ns.save_safetensors(sd, ours_path)
    safetensors.numpy.save_file({k: v.astype(v.dtype.newbyteorder("="))
                                 for k, v in sd.items()}, str(theirs_path))
    for got in (safetensors.numpy.load_file(str(ours_path)), ns.load_safetensors(ours_path),
                ns.load_safetensors(theirs_path)):
        assert set(got) == set(sd)
        for k, v in sd.items():
            assert got[k].shape == v.shape and got[k].dtype == v.dtype.newbyteorder("=")
            np.testing.assert_array_equal(got[k], v)
    # the header is 8-byte aligned and the layout is the published one
    raw = ours_path.read_bytes()
    (n,) = struct.unpack("<Q", raw[:8])
    assert n % 8 == 0 and json.loads(raw[8:8 + n])["f32"]["dtype"] == "F32"


def test_tensors_are_saved_as_their_arrays(tmp_path):
    t = ns.tensor(np.arange(6, dtype=np.float32).reshape(2, 3), requires_grad=True)
    ns.save_safetensors({"w": t}, tmp_path / "t.safetensors")
    np.testing.assert_array_equal(ns.load_safetensors(tmp_path / "t.safetensors")["w"],
                                  t.numpy())


def _file(tmp_path, header: dict, data: bytes, pad=b""):
    text = json.dumps(header).encode() + pad
    p = tmp_path / "bad.safetensors"
    p.write_bytes(struct.pack("<Q", len(text)) + text + data)
    return p


@pytest.mark.parametrize("header,data,match", [
    ({"w": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}, b"\0" * 4, "file holds"),
    ({"w": {"dtype": "F32", "shape": [3], "data_offsets": [0, 8]}}, b"\0" * 8, "needs 12"),
    ({"w": {"dtype": "BF16", "shape": [2], "data_offsets": [0, 4]}}, b"\0" * 4, "BF16"),
    ({"w": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}}, b"\0" * 8, "starts at"),
    ({"w": {"dtype": "F32", "shape": [-1], "data_offsets": [0, 4]}}, b"\0" * 4, "malformed"),
    ({"w": {"dtype": "F32", "shape": [1]}}, b"\0" * 4, "exactly dtype"),
    ({"__metadata__": {"a": 1}}, b"", "__metadata__"),
])
def test_inconsistent_files_are_refused_naming_the_problem(tmp_path, header, data, match):
    with pytest.raises(ValueError, match=match):
        ns.load_safetensors(_file(tmp_path, header, data))


def test_header_length_is_checked_before_anything_is_read(tmp_path):
    p = tmp_path / "huge.safetensors"
    p.write_bytes(struct.pack("<Q", 2 ** 62) + b"{}")
    with pytest.raises(ValueError, match="exceeds the file size"):
        ns.load_safetensors(p)
    p.write_bytes(b"\x01\x02")
    with pytest.raises(ValueError, match="fewer than the 8-byte"):
        ns.load_safetensors(p)
    p.write_bytes(struct.pack("<Q", 3) + b"[1]")
    with pytest.raises(ValueError, match="not a JSON object"):
        ns.load_safetensors(p)
    with pytest.raises(FileNotFoundError):
        ns.load_safetensors(tmp_path / "missing.safetensors")


def test_bad_arguments_are_type_errors_naming_them(tmp_path):
    with pytest.raises(TypeError, match=r"state_dict\['w'\].*object"):
        ns.save_safetensors({"w": np.array([object()])}, tmp_path / "x")
    with pytest.raises(TypeError, match="must be an array"):
        ns.save_safetensors({"w": [1, 2]}, tmp_path / "x")
    with pytest.raises(TypeError, match="metadata"):
        ns.save_safetensors({}, tmp_path / "x", metadata={"a": 1})
    with pytest.raises(TypeError, match="keys must be str"):
        ns.save_safetensors({1: np.zeros(1)}, tmp_path / "x")
    assert not (tmp_path / "x").exists()
