"""ns.load against hostile files (sizes it must not believe), and atomic_write's temporary files."""
import json
import os
import subprocess
import sys
import textwrap
import zipfile

import numpy as np
import pytest
from conftest import refusal_peak

import nnscratch as ns
import nnscratch._atomic as atomic
import nnscratch.serialization as ser

_TREE = {"format": ser.FORMAT, "version": 1, "tree": {"t": "array", "k": "arrays/0.npy"}}


def _npy_header(shape, dtype="<f8") -> bytes:
    """A version-1.0 ``.npy`` header (magic included) and no data."""
    import io
    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        buf, {"descr": dtype, "fortran_order": False, "shape": shape})
    return buf.getvalue()


def _archive(path, entry: bytes, compression=zipfile.ZIP_STORED):
    with zipfile.ZipFile(path, "w", compression=compression) as z:
        z.writestr("header.json", json.dumps(_TREE))
        z.writestr("arrays/0.npy", entry)


def _refused(path, match):
    """``ns.load(path)`` is a ValueError matching ``match`` that names the file."""
    with pytest.raises(ValueError, match=match) as e:
        ns.load(path)
    assert str(path) in str(e.value)


# ------------------------------------------------------------------------ claimed sizes (item 4)
def test_header_claiming_a_terabyte_is_a_value_error_not_a_memory_error(tmp_path):
    path = tmp_path / "huge.ckpt"
    _archive(path, _npy_header((10 ** 12,)))
    assert os.path.getsize(path) < 600
    _refused(path, r"claims shape \(1000000000000,\)")


def test_a_gigabyte_claim_is_refused_before_it_is_allocated(tmp_path):
    path = tmp_path / "gib.ckpt"
    _archive(path, _npy_header((2 ** 27,)))  # 1 GiB of float64, 0 bytes stored
    peak = refusal_peak(lambda: ns.load(path), ValueError, "but stores 0 bytes")
    assert peak < 16 * 2 ** 20, f"load allocated {peak} bytes for a 500-byte file"


def test_header_that_claims_fewer_bytes_than_stored_is_refused(tmp_path):
    path = tmp_path / "short.ckpt"
    _archive(path, _npy_header((2,)) + np.arange(3.0).tobytes())
    with pytest.raises(ValueError, match=r"\(16 bytes\) but stores 24 bytes"):
        ns.load(path)


@pytest.mark.parametrize("which", ["arrays/0.npy", "header.json"])
def test_compressed_entries_are_refused_zip_bomb(tmp_path, which):
    import io
    buf = io.BytesIO()
    np.lib.format.write_array(buf, np.zeros(2 ** 22), allow_pickle=False)  # 32 MiB of zeros
    path = tmp_path / "bomb.ckpt"
    with zipfile.ZipFile(path, "w") as z:
        for name, data in (("header.json", json.dumps(_TREE).encode()),
                           ("arrays/0.npy", buf.getvalue())):
            z.writestr(name, data, compress_type=(zipfile.ZIP_DEFLATED if name == which
                                                  else zipfile.ZIP_STORED))
    if which == "arrays/0.npy":
        assert os.path.getsize(path) < 2 ** 20  # 32 MiB in under 1 MiB
    _refused(path, rf"entry '{which}' is compressed")


def test_unknown_compression_method_is_a_value_error(tmp_path):
    """Item 5: zipfile raises NotImplementedError for a method it does not know."""
    path = tmp_path / "c.ckpt"
    ns.save({"w": np.arange(4.0)}, path)
    raw = bytearray(path.read_bytes())
    for signature, offset in ((b"PK\x03\x04", 8), (b"PK\x01\x02", 10)):  # local, central
        at = raw.find(signature)
        while at >= 0:
            raw[at + offset:at + offset + 2] = (77).to_bytes(2, "little")
            at = raw.find(signature, at + 1)
    path.write_bytes(bytes(raw))
    _refused(path, "zip method 77")


def test_encrypted_entry_is_a_value_error(tmp_path):
    path = tmp_path / "c.ckpt"
    ns.save({"w": np.arange(4.0)}, path)
    raw = bytearray(path.read_bytes())
    at = raw.find(b"PK\x01\x02")
    raw[at + 8] |= 0x1  # central directory general-purpose flag: encrypted
    path.write_bytes(bytes(raw))
    _refused(path, "is encrypted")


# ---------------------------------------------------------------------- temporary files (item 6)
def test_a_250_character_file_name_saves(tmp_path):
    path = tmp_path / ("c" * 245 + ".ckpt")  # 250 characters: the OS accepts up to 255
    path.write_bytes(b"old")  # the OS does accept it
    ns.save({"w": np.arange(3.0)}, path)
    np.testing.assert_array_equal(ns.load(path)["w"], np.arange(3.0))
    assert os.listdir(tmp_path) == [path.name]


_WRITER = textwrap.dedent("""
    import sys
    import nnscratch.serialization as ser
    def write(f):
        f.write(b"partial")
        f.flush()
        print("writing", flush=True)
        sys.stdin.readline()          # holds the file open until the test says go (or dies)
    ser.atomic_write(sys.argv[1], write)
""")


def _start_writer(path):
    """A writer process in the middle of ``atomic_write``: it finishes when sent a line."""
    proc = subprocess.Popen([sys.executable, "-c", _WRITER, str(path)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "writing"
    return proc


def _temps(directory):
    return sorted(n for n in os.listdir(directory) if n.endswith(".tmp"))


def test_next_save_removes_dead_writers_temp_files_but_not_a_live_ones(tmp_path):
    path = tmp_path / "c.ckpt"
    other = tmp_path / "other.ckpt"
    live = _start_writer(path)  # still writing when the next save runs
    dead = _start_writer(path)
    dead.kill()
    dead.wait()
    assert len(_temps(tmp_path)) == 2  # kill -9 leaves a temporary file behind
    stranger = _start_writer(other)  # a save of another file into the directory removes it
    assert len(_temps(tmp_path)) == 2, _temps(tmp_path)  # the live one's and the stranger's
    stranger.kill()
    stranger.wait()
    ns.save({"w": np.ones(2)}, path)
    left = _temps(tmp_path)
    assert len(left) == 1, left  # the killed stranger's file went; the live one's stays
    live.communicate("go\n", timeout=30)
    assert live.returncode == 0  # the live writer finishes its rename undisturbed
    assert path.read_bytes() == b"partial"
    assert _temps(tmp_path) == []


def test_temporary_names_of_two_long_names_with_one_stem_differ():
    a, b = "x" * 200 + "a", "x" * 200 + "b"
    assert atomic._temp_prefix(a) != atomic._temp_prefix(b)
    assert len(os.fsencode(atomic._temp_prefix("é" * 250))) < 200



def test_cli_and_report_write_through_the_one_atomic_writer(tmp_path, monkeypatch):
    from nnscratch.app import report
    from nnscratch.app.experiments import runner
    written = []
    real = atomic.atomic_write

    def spy(path, write):
        written.append(os.path.basename(path))
        real(path, write)
    monkeypatch.setattr(atomic, "atomic_write", spy)      # the one writer every file goes through
    runner._write_json(tmp_path / "metrics.json", {"x": 1.5})  # the run records the CLI writes
    report.write_report([runner.import_error_record("m", "Traceback")], tmp_path)
    assert sorted(written) == ["metrics.json", "report.html", "report.md"]
    assert json.loads((tmp_path / "metrics.json").read_text()) == {"x": 1.5}
    assert _temps(tmp_path) == []
