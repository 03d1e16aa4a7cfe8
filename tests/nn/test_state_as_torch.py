"""State as torch's: state_dict() of detached Tensors sharing memory, buffers as Tensors,
save/load of Tensors through paths and file objects, torch pickles refused with a way out.

The oracle is torch 2.13 (float64); every comparison is exact unless a tolerance is given."""
import io
import zipfile

import numpy as np
import pytest
import torch

import nnscratch as ns
import nnscratch.nn as nn


def _pair():
    """The same small net in both libraries, nnscratch loaded with torch's initial weights."""
    tn = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.BatchNorm1d(4),
                             torch.nn.Linear(4, 2)).double()
    ours = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.Linear(4, 2)).double()
    ours.load_state_dict(tn.state_dict())                # torch tensors load as they are
    return tn, ours


def test_state_dict_is_detached_tensors_sharing_memory_like_torch():
    tn, ours = _pair()
    for sd in (tn.state_dict(), ours.state_dict()):
        assert list(sd) == list(tn.state_dict())
        assert all(not v.requires_grad and v.grad_fn is None for v in sd.values())
    ts, os_ = tn.state_dict(), ours.state_dict()
    assert isinstance(os_["1.running_mean"], ns.Tensor)
    assert os_["1.num_batches_tracked"].dtype == ns.int64 and os_["1.num_batches_tracked"].ndim == 0
    # writing into the state dict writes into the module, in both
    ts["0.weight"].mul_(2.0)
    os_["0.weight"].mul_(2.0)
    np.testing.assert_array_equal(ours[0].weight.detach().numpy(), tn[0].weight.detach().numpy())
    # the state dict follows training, in both: a snapshot must clone
    snap_t = {k: v.clone() for k, v in tn.state_dict().items()}
    snap_o = {k: v.clone() for k, v in ours.state_dict().items()}
    with torch.no_grad():
        tn[2].bias.add_(1.0)
    with ns.no_grad():
        ours[2].bias.add_(1.0)
    assert ts["2.bias"][0].item() == tn[2].bias[0].item()
    assert os_["2.bias"][0].item() == ours[2].bias[0].item()
    assert snap_o["2.bias"][0].item() == snap_t["2.bias"][0].item() != ours[2].bias[0].item()
    # keep_vars: the Parameters themselves
    assert ours.state_dict(keep_vars=True)["0.weight"] is ours[0].weight


def test_buffers_are_tensors_named_and_non_persistent_left_out():
    m = nn.BatchNorm1d(3)
    assert all(isinstance(b, ns.Tensor) for b in m.buffers())
    assert [n for n, _ in m.named_buffers()] == [n for n, _ in torch.nn.BatchNorm1d(3)
                                                 .named_buffers()]
    m.running_mean = np.arange(3.0)                      # an array assigned stays a Tensor
    assert isinstance(m.running_mean, ns.Tensor)
    np.testing.assert_array_equal(m.state_dict()["running_mean"].numpy(), [0.0, 1.0, 2.0])

    class WithScratch(nn.Module):
        def __init__(self):
            super().__init__()
            self.register_buffer("kept", ns.zeros(2))
            self.register_buffer("scratch", ns.ones(2), persistent=False)

    class TWithScratch(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.register_buffer("kept", torch.zeros(2))
            self.register_buffer("scratch", torch.ones(2), persistent=False)

    w, tw = WithScratch(), TWithScratch()
    assert list(w.state_dict()) == list(tw.state_dict()) == ["kept"]
    assert [n for n, _ in w.named_buffers()] == [n for n, _ in tw.named_buffers()]
    w.load_state_dict({"kept": np.array([5.0, 6.0])})   # arrays load too
    np.testing.assert_array_equal(w.kept.numpy(), [5.0, 6.0])
    with pytest.raises(ValueError, match="unexpected keys \\['scratch'\\]"):
        w.load_state_dict({"kept": np.zeros(2), "scratch": np.zeros(2)})


def test_state_dict_idioms_of_torch_programs_run():
    tn, ours = _pair()
    sd = ours.state_dict()
    copy = {k: v.detach().clone().cpu() for k, v in sd.items()}
    ours.load_state_dict(copy)
    target = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.Linear(4, 2)).double()
    for k, v in target.state_dict().items():             # copy_ into another model's state
        v.copy_(sd[k])
    for (k, a), b in zip(target.state_dict().items(), tn.state_dict().values()):
        np.testing.assert_array_equal(a.numpy(), b.numpy(), err_msg=k)


def test_ema_of_weights_over_state_dict_agrees_with_torch():
    tn, ours = _pair()
    ema_t = {k: v.clone() for k, v in tn.state_dict().items()}
    ema_o = {k: v.clone() for k, v in ours.state_dict().items()}
    rng = np.random.default_rng(0)
    opt_t = torch.optim.SGD(tn.parameters(), lr=0.1)
    opt_o = ns.optim.SGD(ours.parameters(), lr=0.1)
    for _ in range(3):
        x = rng.standard_normal((5, 3))
        for lib, model, opt, ema in ((torch, tn, opt_t, ema_t), (ns, ours, opt_o, ema_o)):
            opt.zero_grad()
            model(lib.tensor(x)).pow(2).sum().backward()
            opt.step()
            with lib.no_grad():
                for k, v in model.state_dict().items():
                    if v.is_floating_point():
                        ema[k].mul_(0.9).add_(v, alpha=0.1)
                    else:
                        ema[k].copy_(v)
    for k in ema_t:
        np.testing.assert_allclose(ema_o[k].numpy(), ema_t[k].numpy(), rtol=1e-12, atol=0,
                                   err_msg=k)


@pytest.mark.parametrize("kind", ["bytesio", "open file", "path"])
def test_save_load_round_trip_gives_tensors_like_torch(kind, tmp_path):
    _, ours = _pair()
    p = ns.nn.Parameter(ns.ones(2))
    obj = {"model": ours.state_dict(), "epoch": 3, "param": p, "array": np.arange(3)}
    if kind == "bytesio":
        buf = io.BytesIO()
        ns.save(obj, buf)
        buf.seek(0)
        back = ns.load(buf, weights_only=True)
    elif kind == "open file":
        with open(tmp_path / "c.pt", "wb") as f:
            ns.save(obj, f)
        with open(tmp_path / "c.pt", "rb") as f:
            back = ns.load(f, map_location="cpu")
    else:
        ns.save(obj, str(tmp_path / "c.pt"))
        back = ns.load(tmp_path / "c.pt")
    assert back["epoch"] == 3 and type(back["array"]) is np.ndarray
    assert type(back["param"]) is nn.Parameter and back["param"].requires_grad
    for k, v in ours.state_dict().items():
        got = back["model"][k]
        assert isinstance(got, ns.Tensor) and not got.requires_grad and got.dtype == v.dtype
        np.testing.assert_array_equal(got.numpy(), v.numpy())
    ours.load_state_dict(back["model"])


def test_load_reads_safetensors_written_by_the_safetensors_package(tmp_path):
    import safetensors.torch as st
    tn, ours = _pair()
    st.save_file(tn.state_dict(), str(tmp_path / "m.safetensors"))
    sd = ns.load(tmp_path / "m.safetensors")
    assert list(sd) == sorted(tn.state_dict()) or set(sd) == set(tn.state_dict())
    assert all(isinstance(v, ns.Tensor) for v in sd.values())
    ours.load_state_dict(sd)
    buf = io.BytesIO(st.save(tn.state_dict()))
    sd2 = ns.load(buf)
    for k, v in tn.state_dict().items():
        np.testing.assert_array_equal(sd2[k].numpy(), v.numpy())


def test_stream_sizes_are_checked_before_allocating():
    import struct
    header = b'{"w":{"dtype":"F64","shape":[1000000000],"data_offsets":[0,8000000000]}}'
    buf = io.BytesIO(struct.pack("<Q", len(header)) + header + b"\0" * 8)
    with pytest.raises(ValueError, match="needs|span|describes"):
        ns.load(buf)

    class Pipe(io.RawIOBase):                          # a stream that cannot seek
        def readable(self):
            return True

        def readinto(self, b):
            return 0
    with pytest.raises(TypeError, match="not seekable; read it into io.BytesIO"):
        ns.load(Pipe())


@pytest.mark.parametrize("zipped", [True, False])
def test_torch_pickles_are_refused_with_the_way_to_convert(zipped, tmp_path):
    path = tmp_path / "m.pt"
    torch.save(torch.nn.Linear(2, 2).state_dict(), path,
               _use_new_zipfile_serialization=zipped)
    if zipped:
        assert zipfile.is_zipfile(path)
    with pytest.raises(ValueError, match="torch.save pickle.*never unpickles.*save_file"):
        ns.load(path)
    with pytest.raises(ValueError, match="torch.save pickle"):
        ns.load(io.BytesIO(path.read_bytes()))


def test_safe_globals_are_accepted_no_ops_and_modules_are_not_saved():
    ns.serialization.add_safe_globals([nn.Linear])
    assert ns.serialization.get_safe_globals() == []
    with ns.serialization.safe_globals([nn.Linear]):
        buf = io.BytesIO()
        ns.save({"w": ns.ones(1)}, buf)
    assert "unpickl" in ns.serialization.add_safe_globals.__doc__
    with pytest.raises(TypeError, match=r"Linear object itself.*state_dict\(\)"):
        ns.save(nn.Linear(2, 2), io.BytesIO())
    opt = ns.optim.SGD(nn.Linear(2, 2).parameters(), lr=0.1)
    with pytest.raises(TypeError, match=r"SGD object itself.*state_dict\(\)"):
        ns.save({"optimizer": opt}, io.BytesIO())
