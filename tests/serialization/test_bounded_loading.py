"""Loading is bounded (issue 36): loaders open regular files only, believe no size before
checking it against the file, and the CLI turns every bad file or argument into one line and
exit status 2 (1 for a diverging run), never a traceback, a hang or a MemoryError.  ~3 s."""
import io
import json
import os
import threading
import zipfile

import numpy as np
import pytest
from conftest import refusal_peak

import nnscratch as ns
import nnscratch.serialization as ser
from nnscratch import _bounded_io
from nnscratch.app import cli


def _finishes(call, seconds=10.0):
    """``call()``'s exception (or its result), failing the test if it has not returned in
    time: a FIFO must never block a loader."""
    out: list = []

    def run():
        try:
            out.append(call())
        except BaseException as e:   # noqa: BLE001 - the test inspects it
            out.append(e)
    t = threading.Thread(target=run, daemon=True)
    t.start()
    t.join(seconds)
    assert out, f"{call} still blocked after {seconds} s"
    return out[0]


@pytest.fixture
def specials(tmp_path):
    """Paths that are not regular files: a character device, a symlink to it, a FIFO, a
    socket."""
    import socket
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    link = tmp_path / "zero-link"
    link.symlink_to("/dev/zero")
    sock_path = tmp_path / "sock"
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(sock_path))
    yield {"/dev/zero": "a character device", str(link): "a character device",
           str(fifo): "a FIFO", str(sock_path): "a socket"}
    sock.close()


LOADERS = [("load", ns.load), ("load_safetensors", ns.load_safetensors),
           ("load_model", ns.load_model)]


@pytest.mark.parametrize("owner, loader", LOADERS, ids=[o for o, _ in LOADERS])
def test_loaders_refuse_devices_fifos_and_sockets_without_blocking(specials, owner, loader):
    for path, kind in specials.items():
        err = _finishes(lambda p=path: loader(p))
        assert isinstance(err, ValueError), (path, err)
        assert kind in str(err) and path in str(err) and "regular file" in str(err)


def test_open_regular_rejects_a_fifo_swapped_in_after_the_stat(tmp_path, monkeypatch):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    monkeypatch.setattr(_bounded_io, "check_regular", lambda path, owner: 0)  # the race
    err = _finishes(lambda: _bounded_io.open_regular(fifo, "load"))
    assert isinstance(err, ValueError) and "FIFO" in str(err)


# ------------------------------------------------------------------ crafted checkpoints
def _npy(a=None, header=None) -> bytes:
    buf = io.BytesIO()
    if header is not None:
        np.lib.format.write_array_header_1_0(buf, header)
    else:
        np.lib.format.write_array(buf, a)
    return buf.getvalue()


def _checkpoint(path, tree, entries):
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("header.json", json.dumps({"format": ser.FORMAT, "version": 1,
                                              "tree": tree}))
        for name, data in entries.items():
            z.writestr(name, data)


V0_HUGE = {"descr": "|V0", "fortran_order": False, "shape": (10 ** 12,)}
CRAFTED = [
    ("zero-size dtype claiming 10**12 elements", {"t": "array", "k": "arrays/0.npy"},
     {"arrays/0.npy": _npy(header=V0_HUGE)}, "zero-size dtype"),
    ("scalar node pointing at a (3,) array", {"t": "scalar", "k": "arrays/0.npy"},
     {"arrays/0.npy": _npy(np.arange(3.0))}, r"scalar node .* shape \(3,\)"),
    ("int node holding 1.5", {"t": "int", "v": 1.5}, {}, "malformed 'int' node"),
    ("int node holding '1.5'", {"t": "int", "v": "1.5"}, {}, "malformed 'int' node"),
    ("float node holding a number", {"t": "float", "v": 1.5}, {}, "malformed 'float' node"),
]


@pytest.mark.parametrize("tree, entries, match", [c[1:] for c in CRAFTED],
                         ids=[c[0] for c in CRAFTED])
def test_crafted_checkpoints_are_refused_naming_the_file(tmp_path, tree, entries, match):
    path = tmp_path / "crafted.ckpt"
    _checkpoint(path, tree, entries)
    with pytest.raises(ValueError, match=match) as e:
        ns.load(path)
    assert str(path) in str(e.value)


def test_the_header_is_capped_before_it_is_parsed(tmp_path, monkeypatch):
    path = tmp_path / "big-header.ckpt"
    ns.save({"history": list(range(2000))}, path)
    monkeypatch.setattr(ser, "MAX_HEADER", 4096)
    with pytest.raises(ValueError, match="more than the 4096-byte limit"):
        ns.load(path)
    monkeypatch.setattr(ser, "MAX_HEADER", 2 ** 20)
    assert ns.load(path)["history"][-1] == 1999


# ------------------------------------------------------------------ safetensors headers
def _safetensors(path, header: dict, data=b""):
    text = json.dumps(header).encode()
    path.write_bytes(len(text).to_bytes(8, "little") + text + data)


@pytest.mark.parametrize("entry, match", [
    ({"dtype": ["F32"], "shape": [1], "data_offsets": [0, 4]}, "has dtype"),
    ({"dtype": {"F32": 1}, "shape": [1], "data_offsets": [0, 4]}, "has dtype"),
    ({"dtype": "F32", "shape": [0, 10 ** 19], "data_offsets": [0, 0]}, "NumPy's limit"),
    ({"dtype": "F32", "shape": [0, 2 ** 40, 2 ** 40], "data_offsets": [0, 0]}, "NumPy's limit"),
])
def test_safetensors_headers_get_a_clear_error(tmp_path, entry, match):
    path = tmp_path / "x.safetensors"
    _safetensors(path, {"w": entry})
    with pytest.raises(ValueError, match=match):
        ns.load_safetensors(path)


# ------------------------------------------------------------------ saved models
def _saved_model(path, sizes_in_file, weights=None):
    net = ns.models.saved.build_mlp([4, 3, 2])
    state = {k: np.asarray(v) for k, v in net.state_dict().items()}
    state.update(weights or {})
    ns.save({"architecture": {"builder": "mlp", "sizes": sizes_in_file, "activation": "relu"},
             "model": state, "preprocessing": {"scaler": None}}, path)


@pytest.mark.parametrize("sizes, weights, match", [
    ([60000, 60000, 2], None, r"shape \(60000, 60000\)"),
    ([4, 3, 2, 2], None, "has the weights"),
    ([4, 3, 2], {"0.weight": np.full((3, 4), np.nan, np.float32)}, "NaN or infinite"),
    ([4, 3, 2], {"0.bias": np.zeros(3, np.complex64)}, "float array"),
    ([4, -3, 2], None, "positive ints"),
    ("4,3,2", None, "positive ints"),
])
def test_load_model_checks_sizes_against_the_stored_weights_before_building(
        tmp_path, sizes, weights, match):
    path = tmp_path / "m.ckpt"
    _saved_model(path, sizes, weights)
    peak = refusal_peak(lambda: ns.load_model(path), ValueError, match)
    assert peak < 8 * 2 ** 20, f"load_model allocated {peak} bytes before refusing"


def test_check_alloc_names_the_request_and_the_budget(monkeypatch):
    monkeypatch.setenv("NNSCRATCH_MAX_ALLOC_BYTES", "1000")
    assert _bounded_io.check_alloc(1000, "x", "f") == 1000
    with pytest.raises(ValueError, match=r"f: y needs .*1001 bytes.*budget of 1000 B"):
        _bounded_io.check_alloc(1001, "y", "f")


# ------------------------------------------------------------------ the CLI
@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A model and a checkpoint from 'nnscratch train' on iris (1 epoch)."""
    d = tmp_path_factory.mktemp("cli")
    assert cli.main(["train", "--data", "iris", "--epochs", "2", "--quiet", "--hidden", "5",
                     "--save", str(d / "m.ckpt"), "--checkpoint", str(d / "c.ckpt")]) == 0
    state = ns.load(d / "m.ckpt")
    state["model"]["0.weight"][0, 0] = np.nan
    ns.save(state, d / "nan.ckpt")
    np.save(d / "complex.npy", np.ones((2, 4), np.complex128))
    np.save(d / "text.npy", np.array([["a"] * 4] * 2))
    np.savez(d / "npz.npz", a=np.ones((2, 4)))
    os.replace(d / "npz.npz", d / "npz.npy")
    (d / "nan.csv").write_text("1,2,3,4\n1,nan,3,4\n")
    (d / "huge.npy").write_bytes(_npy(header={"descr": "<f8", "fortran_order": False,
                                              "shape": (10 ** 12, 64)}))
    np.save(d / "ok.npy", np.ones((2, 4)))
    np.save(d / "rows0.npy", np.ones((0, 4)))
    os.mkfifo(d / "fifo.npy")
    return d


TRAIN = ["train", "--data", "iris", "--epochs", "2", "--quiet", "--hidden", "5"]
CLI_CASES = [
    ("save ''", TRAIN + ["--save", ""], 2, "--save must be a file path"),
    ("lr inf", TRAIN + ["--lr", "inf"], 2, "--lr: must be > 0 and finite, got inf"),
    ("lr nan", TRAIN + ["--lr", "nan"], 2, "--lr: must be > 0 and finite, got nan"),
    ("lr 1e30 diverges", TRAIN + ["--lr", "1e30", "--optimizer", "sgd"], 1,
     "the loss became nan"),
    ("seed -1", TRAIN + ["--seed", "-1"], 2, "--seed: must be an int in"),
    ("hidden 1e9", TRAIN + ["--hidden", "1000000000"], 2, "more than the memory budget"),
    ("resume other hidden", TRAIN[:-1] + ["7", "--resume", "{d}/c.ckpt"], 2,
     "does not fit this model and optimizer"),
    ("resume other optimizer", TRAIN + ["--optimizer", "sgd", "--resume", "{d}/c.ckpt"], 2,
     "does not fit this model and optimizer"),
    ("resume fewer epochs", ["train", "--data", "iris", "--epochs", "1", "--hidden", "5",
                             "--resume", "{d}/c.ckpt"], 2, "has already trained 2 epochs"),
    ("predict NaN weights", ["predict", "{d}/nan.ckpt", "{d}/ok.npy"], 2, "NaN or infinite"),
    ("predict complex", ["predict", "{d}/m.ckpt", "{d}/complex.npy"], 2, "holds complex128"),
    ("predict strings", ["predict", "{d}/m.ckpt", "{d}/text.npy"], 2, "holds <U1"),
    ("predict npz as npy", ["predict", "{d}/m.ckpt", "{d}/npz.npy"], 2, "an .npz file named"),
    ("predict CSV with NaN", ["predict", "{d}/m.ckpt", "{d}/nan.csv"], 2, "must be finite"),
    ("predict 466 TiB claim", ["predict", "{d}/m.ckpt", "{d}/huge.npy"], 2, "but stores 0"),
    ("predict FIFO", ["predict", "{d}/m.ckpt", "{d}/fifo.npy"], 2, "is a FIFO"),
    ("predict no rows", ["predict", "{d}/m.ckpt", "{d}/rows0.npy"], 2, r"holds no rows"),
    ("predict device model", ["predict", "/dev/zero", "{d}/ok.npy"], 2, "character device"),
    ("evaluate device model", ["evaluate", "/dev/zero"], 2, "character device"),
]


@pytest.mark.parametrize("argv, status, message", [c[1:] for c in CLI_CASES],
                         ids=[c[0] for c in CLI_CASES])
def test_cli_bad_input_is_one_line_and_a_status(trained, capsys, argv, status, message):
    argv = [a.format(d=trained) for a in argv]
    rc = _finishes(lambda: cli.main(argv))
    code = rc.code if isinstance(rc, SystemExit) else rc      # argparse's errors exit 2
    assert code == status, capsys.readouterr()
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert len([line for line in err.splitlines() if message in line]) == 1


def test_cli_predicts_a_good_file(trained, capsys):
    assert cli.main(["predict", str(trained / "m.ckpt"), str(trained / "ok.npy")]) == 0
    assert capsys.readouterr().out.split() in (["0", "0"], ["1", "1"], ["2", "2"])


def test_a_file_object_over_a_device_is_refused_and_a_buffer_is_bounded(tmp_path):
    with open("/dev/zero", "rb") as f:
        err = _finishes(lambda: ns.load(f))
    assert isinstance(err, ValueError) and "character device" in str(err)
    # a BytesIO is bounded by its length: an entry claiming 10**12 elements is refused
    path = tmp_path / "claim.ckpt"
    _checkpoint(path, {"t": "array", "k": "arrays/0.npy"},
                {"arrays/0.npy": _npy(header={"descr": "<f8", "fortran_order": False,
                                              "shape": (10 ** 12,)})})
    with pytest.raises(ValueError, match="claims shape"):
        ns.load(io.BytesIO(path.read_bytes()))
