"""Pinning BLAS to one thread for the small-matrix workloads (not a workload itself: the
runner skips names starting with ``_``)."""


def one_blas_thread():
    """A context manager that limits every BLAS/OpenMP pool to one thread (threadpoolctl):
    small GEMMs gain nothing from threads and lose a lot to a busy machine."""
    from threadpoolctl import threadpool_limits
    return threadpool_limits(1)
