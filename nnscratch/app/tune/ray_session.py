"""A Ray session for nnscratch's sweeps: reuse the one running, or start one and stop it after.

Locally (``address`` None or "local") ``ray.init(num_cpus=N)``; with an address, that
cluster, after a quick TCP check so that an unreachable address is a clear error at once
(``ray.init`` itself retries for minutes).  Every worker gets the given environment (one
BLAS thread).
"""
from __future__ import annotations

import contextlib
import socket

INSTALL_HINT = "pip install 'nnscratch[ray]'"


class RayUnavailable(RuntimeError):
    """Ray is not installed, or the cluster address is not reachable (the message says)."""


def import_ray(owner: str):
    try:
        import ray
    except ImportError as e:
        raise RayUnavailable(f"{owner}: Ray is not installed ({e}); {INSTALL_HINT}") from None
    return ray


def check_reachable(address: str, owner: str, timeout: float = 3.0) -> None:
    """Raise RayUnavailable unless a TCP connection to ``host:port`` opens within timeout."""
    host, sep, port = address.rpartition(":")
    if address.startswith("ray://"):
        host, _, port = address[len("ray://"):].rpartition(":")
    if not sep or not port.isdigit():
        raise RayUnavailable(f"{owner}: Ray address must be 'host:port' (or 'local'), got "
                             f"{address!r}")
    try:
        with socket.create_connection((host, int(port)), timeout=timeout):
            pass
    except OSError as e:
        raise RayUnavailable(f"{owner}: the Ray cluster at {address!r} is not reachable "
                             f"({e}); start it with 'ray start --head' or pass --ray without "
                             f"an address for a local Ray") from None


@contextlib.contextmanager
def ray_session(address, num_cpus: int, env_vars: dict, owner: str = "ray"):
    """Yield the ``ray`` module with a session up: the running one if any (left running),
    else a new one (shut down on exit)."""
    ray = import_ray(owner)
    local = address in (None, "local", "")
    if not local:
        check_reachable(address, owner)
    if ray.is_initialized():
        yield ray
        return
    kwargs = dict(runtime_env={"env_vars": dict(env_vars)}, include_dashboard=False,
                  log_to_driver=False, configure_logging=False)
    if local:
        ray.init(num_cpus=num_cpus, **kwargs)
    else:
        try:
            ray.init(address=address, **kwargs)
        except (ConnectionError, RuntimeError, TimeoutError) as e:
            raise RayUnavailable(f"{owner}: could not join the Ray cluster at {address!r}: "
                                 f"{e}") from None
    try:
        yield ray
    finally:
        ray.shutdown()
