"""`make test` on a fresh machine (issue 36, item 5): system programs are installed or their
tests skip naming the install command (a failure under CI=true), and an interrupted save's
temporary file is removed by the next save into the same directory -- only ours, only a dead
writer's.  ~1 s."""
import os
import signal
import subprocess
import sys

import numpy as np
import pytest
from conftest import SYSTEM_INSTALL, require_programs
from helpers import ROOT as _ROOT

import nnscratch as ns

ROOT = str(_ROOT)


@pytest.mark.parametrize("ci, outcome", [("", pytest.skip.Exception),
                                         ("false", pytest.skip.Exception),
                                         ("true", pytest.fail.Exception)])
def test_a_missing_program_skips_with_the_install_command_but_fails_under_ci(
        monkeypatch, tmp_path, ci, outcome):
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setenv("CI", ci)
    with pytest.raises(outcome) as e:
        require_programs("the browser test", "chromium", "chromedriver")
    assert SYSTEM_INSTALL in str(e.value) and "chromium, chromedriver" in str(e.value)


def test_present_programs_are_returned(monkeypatch, tmp_path):
    tool = tmp_path / "dot"
    tool.write_text("#!/bin/sh\n")
    tool.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setenv("CI", "true")
    assert require_programs("svg", "dot") == {"dot": str(tool)}


def test_the_system_package_script_names_the_command_when_it_cannot_install(tmp_path):
    if os.getuid() == 0:
        env = {"PATH": str(tmp_path)}   # root without apt-get on the PATH: cannot install
        for tool in ("id",):            # the script asks id -u
            os.symlink(f"/usr/bin/{tool}", tmp_path / tool)
    else:
        env = {"PATH": f"{tmp_path}:/usr/bin:/bin"}
    out = subprocess.run(["/bin/sh", os.path.join(ROOT, ".ci", "system-packages")], env=env,
                         capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    assert "apt-get install -y --no-install-recommends graphviz chromium chromium-driver" \
        in out.stdout


# ------------------------------------------------------------------ orphaned temporary files
_KILLED_WRITER = """
import os, sys, time
import numpy as np
import nnscratch as ns
def write(f):
    f.write(b"partial")
    print("writing", flush=True)
    time.sleep(60)
ns.serialization.atomic_write(sys.argv[1], write)
"""


def _killed_writer(path) -> str:
    """Start a save of ``path`` in a child, kill it mid-write; the orphan's name."""
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.Popen([sys.executable, "-c", _KILLED_WRITER, str(path)], env=env,
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "writing"
        (orphan,) = [n for n in os.listdir(path.parent) if n.endswith(".tmp")
                     and f".p{proc.pid}." in n]
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        proc.stdout.close()
    return orphan


def test_a_save_into_the_directory_removes_a_dead_writers_temp_of_another_target(tmp_path):
    orphan = _killed_writer(tmp_path / "other.ckpt")
    foreign = tmp_path / "notes.tmp"                     # not our pattern: left alone
    foreign.write_text("keep")
    alive = tmp_path / f".x.ckpt.{'0' * 12}.p{os.getpid()}.abc12345.tmp"   # a live pid
    alive.write_text("keep")
    assert (tmp_path / orphan).exists()
    ns.save({"w": np.ones(3)}, tmp_path / "model.ckpt")
    assert not (tmp_path / orphan).exists()
    assert foreign.exists() and alive.exists()
    assert sorted(os.listdir(tmp_path)) == sorted(["model.ckpt", "notes.tmp", alive.name])


def test_a_live_writers_temp_is_never_touched(tmp_path):
    """A temporary file locked by a live writer (this process) survives a save next to it."""
    from nnscratch import serialization as ser
    seen = []

    def write(f):
        seen.extend(n for n in os.listdir(tmp_path) if n.endswith(".tmp"))
        ns.save({"w": np.ones(2)}, tmp_path / "b.ckpt")     # another save meanwhile
        seen.extend(n for n in os.listdir(tmp_path) if n.endswith(".tmp"))
        f.write(b"data")
    ser.atomic_write(tmp_path / "a.bin", write)
    assert len(seen) == 2 and seen[0] == seen[1]           # our temp file survived
    assert (tmp_path / "a.bin").read_bytes() == b"data"
