"""The 3-D convolution and pooling rows of ``ops/test_torch_ops_conv3d.py``, also doubled by
``autograd/test_double_backward_ops.py``."""
import numpy as np

from helpers.torch_parity import F  # noqa: E402

R = np.random.default_rng(5)

def N(*shape):
    return R.standard_normal(shape)

ROWS = [
    ("conv3d", lambda m, x, w, b: F(m).conv3d(x, w, b), [N(2, 2, 4, 3, 4), N(3, 2, 2, 2, 3),
                                                         N(3)]),
    ("conv3d_stride_pad_dil", lambda m, x, w: F(m).conv3d(x, w, None, (2, 1, 2), (1, 0, 1),
                                                          (1, 2, 1)),
     [N(1, 2, 5, 5, 5), N(2, 2, 2, 2, 2)]),
    ("conv3d_groups", lambda m, x, w, b: F(m).conv3d(x, w, b, groups=2),
     [N(1, 4, 3, 3, 3), N(6, 2, 2, 1, 2), N(6)]),
    ("conv3d_same", lambda m, x, w: F(m).conv3d(x, w, padding="same"),
     [N(1, 1, 4, 3, 4), N(2, 1, 2, 3, 2)]),
    ("conv3d_unbatched", lambda m, x, w: F(m).conv3d(x, w), [N(2, 3, 3, 3), N(1, 2, 2, 2, 2)]),
    ("conv_transpose3d", lambda m, x, w, b: F(m).conv_transpose3d(x, w, b),
     [N(2, 2, 2, 3, 2), N(2, 3, 2, 2, 2), N(3)]),
    ("conv_transpose3d_all", lambda m, x, w: F(m).conv_transpose3d(
        x, w, None, (2, 1, 2), (1, 0, 0), (1, 0, 0), 2, (1, 2, 1)),
     [N(1, 4, 2, 3, 3), N(4, 1, 3, 2, 2)]),
    ("conv_transpose2d_groups", lambda m, x, w, b: F(m).conv_transpose2d(x, w, b, 2, 1, 1, 2),
     [N(2, 4, 3, 3), N(4, 3, 3, 2), N(6)]),
    ("conv_transpose1d_groups", lambda m, x, w: F(m).conv_transpose1d(x, w, groups=3),
     [N(2, 3, 4), N(3, 2, 3)]),
    ("conv_transpose2d_unbatched", lambda m, x, w: F(m).conv_transpose2d(x, w, stride=2),
     [N(2, 3, 3), N(2, 1, 2, 2)]),
    ("conv2d_unbatched", lambda m, x, w, b: F(m).conv2d(x, w, b, padding=1),
     [N(3, 4, 5), N(2, 3, 3, 3), N(2)]),
    ("conv1d_unbatched", lambda m, x, w: F(m).conv1d(x, w), [N(2, 6), N(3, 2, 3)]),
    ("max_pool3d", lambda m, x: F(m).max_pool3d(x, 2), [N(2, 2, 4, 4, 5)]),
    ("max_pool3d_all", lambda m, x: F(m).max_pool3d(x, (3, 2, 3), (2, 1, 2), (1, 0, 1),
                                                     (1, 2, 1), True),
     [N(1, 2, 5, 5, 6)]),
    ("max_pool3d_unbatched", lambda m, x: F(m).max_pool3d(x, 2, 1), [N(2, 3, 3, 3)]),
    ("avg_pool3d", lambda m, x: F(m).avg_pool3d(x, 2), [N(2, 2, 4, 4, 5)]),
    ("avg_pool3d_pad_ceil", lambda m, x: F(m).avg_pool3d(x, 3, 2, 1, True),
     [N(1, 2, 5, 6, 4)]),
    ("avg_pool3d_no_pad_count", lambda m, x: F(m).avg_pool3d(x, 3, 2, 1, True, False),
     [N(1, 2, 5, 6, 4)]),
    ("avg_pool3d_divisor", lambda m, x: F(m).avg_pool3d(x, 2, divisor_override=3),
     [N(1, 1, 4, 4, 4)]),
]
