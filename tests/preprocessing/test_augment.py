import numpy as np
import pytest

import nnscratch as ns
from nnscratch.preprocessing.augment import add_noise, mixup, random_shift
from nnscratch.regularization import l1_penalty, l2_penalty


def test_add_noise_has_the_requested_spread_and_is_seeded():
    x = np.zeros((2000, 50), dtype=np.float32)
    y = add_noise(x, 0.5, seed=3)
    assert y.dtype == np.float32 and x.sum() == 0
    assert y.std() == pytest.approx(0.5, rel=0.01)
    np.testing.assert_array_equal(y, add_noise(x, 0.5, seed=3))


def test_mixup_makes_convex_combinations_of_pairs():
    x = np.eye(4, dtype=np.float32)
    t = np.eye(4, dtype=np.float32)
    xm, tm = mixup(x, t, alpha=0.5, seed=0)
    np.testing.assert_allclose(xm.sum(1), 1, rtol=1e-6)   # convex weights
    np.testing.assert_allclose(xm, tm)                    # same λ and partner for x and y
    assert np.all(xm >= 0) and np.all(xm <= 1)


def test_random_shift_moves_a_pixel_within_range():
    img = np.zeros((50, 1, 9, 9), dtype=np.float32)
    img[:, 0, 4, 4] = 1
    out = random_shift(img, 2, seed=0)
    pos = np.array([np.unravel_index(o[0].argmax(), (9, 9)) for o in out])
    assert np.all(np.abs(pos - 4) <= 2) and len({tuple(p) for p in pos}) > 5
    assert np.all(out.sum(axis=(1, 2, 3)) == 1)


def test_penalties_and_their_gradients():
    w = ns.nn.Parameter(np.array([[1.0, -2.0], [0.5, 0.0]]))
    b = ns.nn.Parameter(np.array([3.0, -1.0]))
    pen = l2_penalty([w, b], 0.1) + l1_penalty([w, b], 0.01)
    assert pen.item() == pytest.approx(0.05 * 5.25 + 0.01 * 3.5)
    pen.backward()
    np.testing.assert_allclose(w.grad, 0.1 * w.numpy() + 0.01 * np.sign(w.numpy()))
    assert b.grad is None  # biases are not penalised by default


@pytest.mark.parametrize("call, match", [
    (lambda: add_noise(np.zeros(3), -1.0), "sigma"),
    (lambda: mixup(np.zeros((3, 2)), np.zeros((4, 2))), "same length"),
    (lambda: mixup(np.zeros((3, 2)), np.zeros((3, 2)), alpha=0), "alpha"),
    (lambda: random_shift(np.zeros((3, 4)), 1), "images"),
    (lambda: l2_penalty([], 0.1), "empty"),
    (lambda: l1_penalty([ns.nn.Parameter(np.ones((2, 2)))], -1.0), "lam"),
])
def test_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()
