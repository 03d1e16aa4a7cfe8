"""Running one experiment as its test file does: quick mode, seed 0, and the figures checked."""
import pathlib

from threadpoolctl import threadpool_limits

from nnscratch.app.experiments import Config, get

PNG = b"\x89PNG\r\n\x1a\n"


def run_quick(name: str, out, must_pass: bool = True):
    """Run experiment ``name`` in quick mode (seed 0) writing into ``out``; assert it drew at
    least one figure, each a PNG file over 1 kB, and (``must_pass``) that every check it runs
    passed, naming the metric and the expectation of each.  One BLAS thread: the experiments'
    small products gain nothing from two, and a shared machine's spinning OpenBLAS threads can
    slow a run many times over."""
    with threadpool_limits(limits=1, user_api="blas"):
        res = get(name)(Config(seed=0, quick=True, out=pathlib.Path(out)))
    assert res.figures, f"{name} drew no figure"
    for fig in res.figures:
        data = pathlib.Path(fig).read_bytes()
        assert data[:8] == PNG and len(data) > 1000, fig
    if must_pass:
        assert res.passed, {k: (res.metrics.get(k), str(e)) for k, e in res.expected.items()}
    return res
