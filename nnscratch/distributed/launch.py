"""``nnscratch launch -n P script.py args…``: start P ranks of a script under ``mpiexec``.

The counterpart of ``torchrun``: it finds ``mpiexec`` (the one the ``mpich`` wheel installs
beside this Python first, then the PATH), tells it what a single machine needs, and runs
``python script.py args…`` P times; each rank then calls
``nnscratch.distributed.init_process_group()``.  For a single machine, as root:

* MPICH's Hydra starts the ranks with ``fork`` (no ssh);
* Open MPI refuses root unless ``OMPI_ALLOW_RUN_AS_ROOT(_CONFIRM)=1``, and refuses more ranks
  than cores unless ``--oversubscribe``; both are set;
* every rank gets one BLAS thread (``--threads``, default 1), or P ranks on P cores would
  each start P BLAS threads and contend.

Every rank runs under ``python -m mpi4py``, which turns an uncaught exception (or a non-zero
``sys.exit``) into ``MPI_Abort`` with that status: the rank prints its traceback and mpiexec
ends every other rank within seconds, even one waiting in a collective that would otherwise
wait forever.  mpiexec runs in a process group of its own: SIGINT or SIGTERM to the launcher
is passed on to it (so the ranks see it once, not twice from the terminal), and whatever is
still alive ``GRACE`` seconds later -- mpiexec, its proxy, any rank -- is killed.

The exit status is the script's (the failing rank's, as mpiexec reports it); 128 + the signal
number after SIGINT/SIGTERM; 2 when MPI is not installed or the arguments are wrong.
"""
from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import time

__all__ = ["find_mpiexec", "mpiexec_command", "launch_env", "supervise", "main"]

GRACE = 5.0          # seconds mpiexec gets to end its ranks after a signal before a SIGKILL
INSTALL_HINT = "pip install 'nnscratch[distributed]' (mpi4py and the mpich wheel)"


class LaunchError(RuntimeError):
    """MPI is missing or unusable; the message names what and how to install it."""


def find_mpiexec(path=None) -> str:
    """The ``mpiexec`` to use: beside ``sys.executable`` (a venv with the mpich wheel), else
    on ``path`` (default: $PATH).  Raises LaunchError naming what is missing."""
    try:
        import mpi4py  # noqa: F401
    except ImportError as e:
        raise LaunchError(f"launch: MPI is not installed: mpi4py cannot be imported ({e}); "
                          f"{INSTALL_HINT}") from None
    here = os.path.join(os.path.dirname(sys.executable), "mpiexec")
    if path is None and os.access(here, os.X_OK):
        return here
    found = shutil.which("mpiexec", path=path)
    if found is None:
        raise LaunchError(f"launch: MPI is not installed: no mpiexec beside {sys.executable} "
                          f"or on the PATH; {INSTALL_HINT}")
    return found


def _flavour(mpiexec: str) -> str:
    """"openmpi", "mpich" (Hydra) or "other", from ``mpiexec --version``."""
    try:
        out = subprocess.run([mpiexec, "--version"], capture_output=True, text=True,
                             timeout=20).stdout
    except (OSError, subprocess.TimeoutExpired):
        return "other"
    if "Open MPI" in out or "OpenRTE" in out:
        return "openmpi"
    if "HYDRA" in out.upper():
        return "mpich"
    return "other"


def launch_env(threads: int = 1, base=None) -> dict:
    """The ranks' environment: ``base`` (default os.environ) plus what root, one machine and
    ``threads`` BLAS threads per rank need."""
    env = dict(os.environ if base is None else base)
    env.update(OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
               OMPI_MCA_rmaps_base_oversubscribe="1", HYDRA_LAUNCHER="fork")
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env[var] = str(threads)
    return env


def mpiexec_command(nprocs: int, script: str, args=(), mpiexec=None) -> list[str]:
    """The command line that starts ``nprocs`` ranks of ``python script args…``."""
    mpiexec = mpiexec or find_mpiexec()
    cmd = [mpiexec, "-n", str(nprocs)]
    flavour = _flavour(mpiexec)
    if flavour == "openmpi":
        cmd += ["--oversubscribe"]
    elif flavour == "mpich":
        cmd += ["-launcher", "fork"]
    # -m mpi4py: an uncaught exception in a rank becomes MPI_Abort, which ends the whole job
    return cmd + [sys.executable, "-m", "mpi4py", script, *args]


def build_parser(parser=None) -> argparse.ArgumentParser:
    p = parser or argparse.ArgumentParser(prog="nnscratch launch", description=__doc__)
    p.add_argument("-n", "--nproc", type=int, required=True, metavar="P",
                   help="number of ranks (processes) to start")
    p.add_argument("--threads", type=int, default=1,
                   help="BLAS threads per rank (default 1)")
    p.add_argument("script", help="the Python script every rank runs")
    p.add_argument("script_args", nargs=argparse.REMAINDER,
                   help="arguments passed to the script")
    return p


def run(args) -> int:
    """Launch from parsed arguments (``nproc``, ``threads``, ``script``, ``script_args``)."""
    if args.nproc < 1:
        print(f"nnscratch launch: -n must be a positive number of ranks, got {args.nproc}",
              file=sys.stderr)
        return 2
    if args.threads < 1:
        print(f"nnscratch launch: --threads must be positive, got {args.threads}",
              file=sys.stderr)
        return 2
    if not os.path.isfile(args.script):
        print(f"nnscratch launch: script {args.script!r} is not a file", file=sys.stderr)
        return 2
    try:
        cmd = mpiexec_command(args.nproc, args.script, args.script_args)
    except LaunchError as e:
        print(f"nnscratch {e}", file=sys.stderr)
        return 2
    return supervise(cmd, launch_env(args.threads))


def _descendants(pid: int) -> list[int]:
    """The processes below ``pid`` (from /proc; empty where there is none)."""
    children: dict[int, list[int]] = {}
    try:
        entries = os.listdir("/proc")
    except OSError:
        return []
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                stat = f.read().decode(errors="replace")
        except OSError:
            continue
        # the fields after the command name (which may hold spaces) start with state, ppid
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    out, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


def _kill_all(proc: subprocess.Popen, pids: list[int]) -> None:
    """SIGKILL mpiexec's process group and every process found below it."""
    for kill in ([lambda: os.killpg(proc.pid, signal.SIGKILL)]
                 + [lambda p=p: os.kill(p, signal.SIGKILL) for p in pids]):
        try:
            kill()
        except (ProcessLookupError, PermissionError):
            pass


def supervise(cmd: list[str], env: dict, grace: float = GRACE) -> int:
    """Run ``cmd`` (mpiexec) in its own process group until it exits; return its status.

    SIGINT/SIGTERM to this process are passed to mpiexec's group; if anything of the job is
    still alive ``grace`` seconds later, it is killed, and the status is 128 + the signal."""
    proc = subprocess.Popen(cmd, env=env, start_new_session=True)
    received: list[int] = []

    def forward(signum, frame):
        received.append(signum)
        try:
            os.killpg(proc.pid, signum)
        except (ProcessLookupError, PermissionError):
            pass

    import threading
    main_thread = threading.current_thread() is threading.main_thread()  # handlers only there
    previous = {sig: signal.signal(sig, forward) for sig in (signal.SIGINT, signal.SIGTERM)
                if main_thread}
    try:
        while True:
            try:
                status = proc.wait(timeout=0.2)
                break
            except subprocess.TimeoutExpired:
                if received:
                    break
        if received:
            tree = _descendants(proc.pid)
            deadline = time.monotonic() + grace
            while proc.poll() is None and time.monotonic() < deadline:
                tree = sorted(set(tree) | set(_descendants(proc.pid)))
                time.sleep(0.1)
            _kill_all(proc, tree)
            proc.wait()
            print(f"nnscratch launch: stopped by {signal.Signals(received[0]).name}; every "
                  f"rank and mpiexec have ended", file=sys.stderr)
            return 128 + received[0]
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if proc.poll() is None:       # an exception in this loop: leave nothing behind
            _kill_all(proc, _descendants(proc.pid))
            proc.wait()
    # a rank that mpiexec's abort missed (it left the group): end it too
    _kill_all(proc, [])
    status = status if status >= 0 else 128 - status
    if status:      # said by us: mpiexec's own abort message can be lost as the job tears down
        print(f"nnscratch launch: the job ended with status {status} (a rank failed; its "
              f"traceback, if it raised, is above)", file=sys.stderr)
    return status


def main(argv=None) -> int:
    return run(build_parser().parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
