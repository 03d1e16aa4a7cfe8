import numpy as np
import pytest

import nnscratch as ns
from nnscratch.models import universal


def _eval(net, x):
    with ns.no_grad():
        return net(ns.tensor(np.asarray(x, dtype=np.float64))).numpy()


def test_step_network_steps_at_s():
    net = universal.step_network(0.3, w=1000)
    y = _eval(net, [[0.2], [0.29], [0.31], [0.5]]).ravel()
    assert y[0] < 1e-6 and y[1] < 1e-4 and y[2] > 1 - 1e-4 and y[3] > 1 - 1e-6
    assert net[0].bias.numpy()[0] == pytest.approx(-0.3 * 1000)  # b = -s w


def test_bump_is_one_inside_zero_outside():
    y = _eval(universal.bump_network(0.4, 0.6), [[0.3], [0.45], [0.55], [0.7]]).ravel()
    np.testing.assert_allclose(y, [0, 1, 1, 0], atol=1e-6)


def test_tower_is_one_on_the_rectangle_only():
    pts = [[1.5, -1.0], [0.5, -1.0], [2.5, -1.0], [1.5, -3.0], [1.5, 0.5]]
    y = _eval(universal.tower_network((1, 2), (-2, 0)), pts).ravel()
    np.testing.assert_allclose(y, [1, 0, 0, 0, 0], atol=1e-6)


def test_approximation_error_shrinks_with_more_bumps():
    x = np.linspace(0, 1, 4001)[:, None]
    f = universal.nielsen_function
    errs = [np.abs(_eval(universal.approximate_1d(f, n), x) - f(x)).max() for n in (5, 20, 80)]
    assert errs[0] > errs[1] > errs[2]
    assert errs[2] < 0.05
    # the bound: at most the variation of f inside one sub-interval (plus transition blur)
    lin = universal.approximate_1d(lambda t: 2 * t, 100, (0.0, 1.0))
    assert np.abs(_eval(lin, x) - 2 * x).max() <= 2 / 100 + 1e-3


@pytest.mark.parametrize("call, match", [
    (lambda: universal.approximate_1d(np.sin, 0), "n_bumps"),
    (lambda: universal.approximate_1d(np.sin, 5, (1.0, 0.0)), "interval"),
    (lambda: universal.bump_network(0.6, 0.4), "s1"),
    (lambda: universal.step_network(0.0, w=-1.0), "w must be"),
    (lambda: universal.tower_network((0, 1), (2, 2)), "y_interval"),
])
def test_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()
