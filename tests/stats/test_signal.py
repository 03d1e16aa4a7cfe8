"""nnscratch.signal: correlation and convolution (001 §9.3–9.4) against NumPy and SciPy, and
im2col/col2im (001 §9.7) against the textbook's example and torch's unfold/fold."""
import numpy as np
import pytest
import scipy.signal
import torch

import nnscratch.nn.functional as F
from nnscratch import signal
from nnscratch.tensor import Tensor

MODES = ("full", "same", "valid")


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("n, k", [(9, 1), (9, 2), (9, 3), (10, 4), (10, 5), (6, 6)])
def test_1d_matches_numpy(n, k, mode, rng):
    x, w = rng.standard_normal(n), rng.standard_normal(k)
    np.testing.assert_allclose(signal.correlate(x, w, mode), np.correlate(x, w, mode),
                               rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(signal.convolve(x, w, mode), np.convolve(x, w, mode),
                               rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("xs, ws", [((7, 8), (3, 3)), ((7, 8), (2, 3)), ((6, 5), (4, 2)),
                                    ((5, 5), (1, 1)), ((4, 6), (4, 6))])
def test_2d_matches_scipy(xs, ws, mode, rng):
    x, w = rng.standard_normal(xs), rng.standard_normal(ws)
    np.testing.assert_allclose(signal.correlate(x, w, mode), scipy.signal.correlate(x, w, mode),
                               rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(signal.convolve(x, w, mode), scipy.signal.convolve2d(x, w, mode),
                               rtol=1e-12, atol=1e-12)


def test_convolution_flips_the_filter(rng):
    """001 eq. 9.3/9.5: equal for a symmetric filter, opposite sign for an antisymmetric one,
    and convolving with w is correlating with flip(w)."""
    x1, img = rng.standard_normal(30), rng.standard_normal((12, 10))
    sym1, anti1 = np.array([1.0, 3.0, 1.0]), np.array([-1.0, 0.0, 1.0])
    sym2 = np.outer([1.0, 2.0, 1.0], [1.0, 2.0, 1.0])
    sobel = np.array([[1.0, 0.0, -1.0], [2.0, 0.0, -2.0], [1.0, 0.0, -1.0]])
    for x, s, a in ((x1, sym1, anti1), (img, sym2, sobel)):
        for mode in MODES:
            np.testing.assert_allclose(signal.convolve(x, s, mode), signal.correlate(x, s, mode),
                                       atol=1e-12)
            np.testing.assert_allclose(signal.convolve(x, a, mode),
                                       -signal.correlate(x, a, mode), atol=1e-12)
    w = rng.standard_normal((3, 2))
    np.testing.assert_allclose(signal.convolve(img, w, "valid"),
                               signal.correlate(img, w[::-1, ::-1], "valid"), atol=1e-12)


def test_conv2d_layer_is_a_correlation(rng):
    img, w = rng.standard_normal((9, 11)), rng.standard_normal((3, 3))
    out = F.conv2d(Tensor(img[None, None]), Tensor(w[None, None]), padding=1).numpy()[0, 0]
    np.testing.assert_allclose(out, signal.correlate(img, w, "same"), atol=1e-12)


def test_im2col_textbook_example(rng):
    """001 §9.7: a 227×227×3 input, 11×11×3 filters, stride 4 -> (227 - 11)/4 + 1 = 55
    positions per axis, X_col of 363 × 3025; 96 filters as a 96 × 363 T_row give the
    96 × 3025 output, reshaped to 55 × 55 × 96."""
    x = rng.standard_normal((3, 227, 227)).astype(np.float32)
    cols = signal.im2col(x, 11, stride=4)
    assert cols.shape == (363, 3025)
    np.testing.assert_array_equal(cols[:, 0], x[:, :11, :11].ravel())          # first field
    np.testing.assert_array_equal(cols[:, 55 * 54 + 54], x[:, 216:, 216:].ravel())  # last one
    w = rng.standard_normal((96, 3, 11, 11)).astype(np.float32)
    out = (w.reshape(96, 363) @ cols).reshape(96, 55, 55)
    ref = torch.nn.functional.conv2d(torch.tensor(x[None]), torch.tensor(w), stride=4)[0]
    np.testing.assert_allclose(out, ref.numpy(), rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("kw", [dict(kernel_size=3), dict(kernel_size=(2, 3), stride=2, padding=1),
                                dict(kernel_size=2, stride=(1, 2), padding=(0, 1),
                                     dilation=(2, 1))])
def test_im2col_col2im_match_torch_unfold_fold(kw, rng):
    x = rng.standard_normal((2, 3, 7, 8))
    cols = signal.im2col(x, **kw)
    ref = torch.nn.functional.unfold(torch.tensor(x), **kw)        # (N, C·kh·kw, L)
    n, k, length = ref.shape
    np.testing.assert_allclose(cols, ref.permute(1, 0, 2).reshape(k, n * length).numpy())
    c = rng.standard_normal(cols.shape)
    back = signal.col2im(c, x.shape, **kw)
    ref_back = torch.nn.functional.fold(torch.tensor(c.reshape(k, n, length)).permute(1, 0, 2),
                                        output_size=x.shape[2:], **kw)
    np.testing.assert_allclose(back, ref_back.numpy(), rtol=1e-12, atol=1e-12)
    # col2im is the adjoint of im2col: <im2col(x), c> = <x, col2im(c)>
    np.testing.assert_allclose(np.sum(cols * c), np.sum(x * back), rtol=1e-10)


def test_signal_bad_input():
    with pytest.raises(ValueError, match=r"correlate: mode must be one of .* got 'center'"):
        signal.correlate(np.ones(5), np.ones(3), "center")
    with pytest.raises(ValueError, match=r"convolve: x and w must both be 1-D or both 2-D, "
                                         r"got shapes \(5,\) and \(2, 2\)"):
        signal.convolve(np.ones(5), np.ones((2, 2)))
    with pytest.raises(ValueError, match=r"correlate: in mode 'valid' the filter w \(6,\) must "
                                         r"not be larger than x \(5,\)"):
        signal.correlate(np.ones(5), np.ones(6))
    with pytest.raises(ValueError, match=r"correlate: x must be 1-D .* got shape \(2, 2, 2\)"):
        signal.correlate(np.ones((2, 2, 2)), np.ones(2))
    with pytest.raises(ValueError, match=r"im2col: kernel \(11, 11\).*larger than the padded "
                                         r"input \(10, 10\)"):
        signal.im2col(np.ones((3, 10, 10)), 11)
    with pytest.raises(ValueError, match=r"im2col: stride must be >= 1, got 0"):
        signal.im2col(np.ones((3, 10, 10)), 3, stride=0)
    with pytest.raises(ValueError, match=r"col2im: cols must have shape \(27, 64\)"):
        signal.col2im(np.ones((27, 63)), (3, 10, 10), 3)
