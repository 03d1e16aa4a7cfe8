"""Shared test set-up: every test starts from the same seed and the float32 default dtype;
the headless browser of the browser tests; the system programs some tests need."""
import os
import shutil

import numpy as np
import pytest

import nnscratch as ns


@pytest.fixture(autouse=True)
def _fresh_state():
    """Seed the library generator and restore the default dtype, so tests never leak state."""
    ns.manual_seed(0)
    dtype = ns.get_default_dtype()
    yield
    ns.set_default_dtype(dtype)
    assert ns.is_grad_enabled(), "a test left grad recording switched off"


@pytest.fixture
def rng():
    """An independent NumPy generator for test data (never the library's own)."""
    return np.random.default_rng(1234)



CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--window-size=1400,1000"]


@pytest.fixture
def browser(tmp_path):
    """Debian's headless Chromium driven through Selenium (the playground's and the docs'
    browser tests); a missing package skips the test naming the install command (a failure
    under CI=true, see :func:`require_programs`)."""
    found = require_programs("the browser tests", "chromium", "chromedriver")
    chromium, driver = found["chromium"], found["chromedriver"]
    try:
        from selenium import webdriver
    except ImportError:
        pytest.fail("the browser tests need selenium: pip install -e '.[test]'")
    opts = webdriver.ChromeOptions()
    opts.binary_location = chromium
    for flag in CHROMIUM_FLAGS + [f"--user-data-dir={tmp_path / 'profile'}"]:
        opts.add_argument(flag)
    drv = webdriver.Chrome(options=opts, service=webdriver.ChromeService(executable_path=driver))
    drv.set_script_timeout(10)
    # each WebDriver call gives up after 90 s (selenium's default is 120 s, retried 3 times: a
    # hung renderer cost the suite 300 s, CI's stop 39); a page still loading is not a hang
    drv.command_executor.client_config.timeout = 90
    yield drv
    drv.quit()


def assert_ulp_close(actual, desired, ulps=4):
    """``actual`` equals ``desired`` to within ``ulps`` units in the last place.

    For comparing two libraries' floating point: NumPy and PyTorch (or scikit-learn) may call
    different ``pow``/``exp``/BLAS kernels on different CPUs, so bit equality is a promise
    neither can keep.  Each value may differ by ``ulps`` spacings of its dtype at the desired
    value, or by ``ulps`` spacings at the array's largest magnitude, whichever is larger (so a
    value that cancels to near zero is judged on the array's scale).  Non-finite values, and
    the dtype, must match exactly.
    """
    actual, desired = np.asarray(actual), np.asarray(desired)
    assert actual.shape == desired.shape, f"shape {actual.shape} != {desired.shape}"
    assert actual.dtype == desired.dtype, f"dtype {actual.dtype} != {desired.dtype}"
    finite = np.isfinite(desired)
    np.testing.assert_array_equal(actual[~finite], desired[~finite])
    a, d = actual[finite], desired[finite]
    scale = np.max(np.abs(d), initial=0.0)
    bound = ulps * np.maximum(np.spacing(np.abs(d)), np.spacing(d.dtype.type(scale)))
    err = np.abs(a - d)
    assert np.all(err <= bound), (
        f"{np.sum(err > bound)} of {err.size} values differ by more than {ulps} ULP; "
        f"worst {a[np.argmax(err - bound)]!r} vs {d[np.argmax(err - bound)]!r}")


SYSTEM_INSTALL = "sudo apt-get install -y --no-install-recommends graphviz chromium chromium-driver"


def require_programs(what: str, *programs: str) -> dict:
    """``{program: path}`` for the system programs a test needs (Graphviz's dot, Chromium...).

    ``make test`` installs them when it runs as root (.ci/system-packages); when one is still
    missing the test skips with the install command in its reason, except under ``CI=true``,
    where the skip is a failure: CI must prove these tests."""
    found = {p: shutil.which(p) for p in programs}
    missing = [p for p, path in found.items() if path is None]
    if missing:
        msg = (f"{what} needs {', '.join(missing)}: install with `{SYSTEM_INSTALL}` "
               f"(make test does this when run as root)")
        if os.environ.get("CI", "").strip().lower() in ("true", "1", "yes"):
            pytest.fail(f"CI=true: {msg}")
        pytest.skip(msg)
    return found


def refusal_peak(call, error, match) -> int:
    """Bytes allocated at the peak while ``call()`` raises ``error`` matching ``match``: a
    loader must refuse a file's size claims before it allocates what they ask (NumPy reports
    its array allocations to tracemalloc)."""
    import tracemalloc
    tracemalloc.start()
    try:
        with pytest.raises(error, match=match):
            call()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
