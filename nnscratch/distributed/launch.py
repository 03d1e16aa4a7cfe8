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

The exit status is the script's (the first failing rank's, as mpiexec reports it); 2 when MPI
is not installed or the arguments are wrong.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys

__all__ = ["find_mpiexec", "mpiexec_command", "launch_env", "main"]

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
    return cmd + [sys.executable, script, *args]


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
    return subprocess.call(cmd, env=launch_env(args.threads))


def main(argv=None) -> int:
    return run(build_parser().parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
