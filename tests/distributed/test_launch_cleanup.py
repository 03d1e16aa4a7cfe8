"""``nnscratch launch`` never hangs and leaves nothing behind (about 10 s on 2 cores).

A rank that raises while the other waits in a barrier ends the job with its status and its
traceback; SIGTERM or SIGINT to the launcher ends mpiexec, its proxy and every rank.  Each case
runs a script with a unique name and then looks in /proc for any process still running it.
"""
import os
import signal
import subprocess
import sys
import time

import mpi4py  # noqa: F401  (a declared test dependency: a missing one fails)
import pytest
from helpers import ROOT as _ROOT

pytestmark = [pytest.mark.xdist_group("mpi"),
              pytest.mark.skipif(not os.path.isdir("/proc"), reason="needs /proc (Linux)")]

ROOT = str(_ROOT)

FAILS = """
import sys, time
import nnscratch.distributed as dist
dist.init_process_group()
if dist.get_rank() == 1:
    time.sleep(0.3)
    {failure}
dist.barrier()          # rank 0 would wait here forever
"""

SLEEPS = """
import os, sys, time
import nnscratch.distributed as dist
dist.init_process_group()
open(os.path.join(sys.argv[1], f"started{{dist.get_rank()}}"), "w").close()
time.sleep(120)
"""


def _left(marker: str) -> list[str]:
    """Command lines of live processes that mention ``marker``."""
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                cmd = f.read().replace(b"\0", b" ").decode(errors="replace")
            with open(f"/proc/{pid}/stat", "rb") as f:
                state = f.read().rsplit(b")", 1)[1].split()[0]
        except OSError:
            continue
        if marker in cmd and state != b"Z":
            found.append(cmd)
    return found


def _launch(script, *args):
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.Popen([sys.executable, "-m", "nnscratch.app.cli", "launch", "-n", "2",
                             str(script), *args], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def _gone(marker, seconds=5.0):
    deadline = time.monotonic() + seconds
    while _left(marker) and time.monotonic() < deadline:
        time.sleep(0.1)
    return _left(marker)


@pytest.mark.parametrize("failure, status, shown", [
    ("raise RuntimeError('rank one broke')", 1, "RuntimeError: rank one broke"),
    ("sys.exit(7)", 7, "the job ended with status 7"),
])
def test_a_failing_rank_ends_the_job_with_its_status_and_traceback(tmp_path, failure, status,
                                                                     shown):
    script = tmp_path / f"fails_{os.getpid()}_{status}.py"
    script.write_text(FAILS.format(failure=failure))
    t0 = time.monotonic()
    proc = _launch(script)
    try:
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert time.monotonic() - t0 < 60
    assert proc.returncode == status, err
    assert shown in err
    assert _gone(script.name) == []


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_to_the_launcher_ends_every_rank_and_mpiexec(tmp_path, sig):
    script = tmp_path / f"sleeps_{os.getpid()}_{sig.value}.py"
    script.write_text(SLEEPS.format())
    proc = _launch(script, str(tmp_path))
    try:
        deadline = time.monotonic() + 60
        while not all((tmp_path / f"started{r}").exists() for r in (0, 1)):
            assert proc.poll() is None and time.monotonic() < deadline, proc.stderr.read()
            time.sleep(0.1)
        assert len(_left(script.name)) >= 3          # mpiexec (its proxy) and two ranks
        proc.send_signal(sig)
        proc.wait(timeout=15)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 128 + sig.value
    assert _gone(script.name) == []
