"""The fold/unfold rows of ``ops/test_torch_ops_fold.py``, also doubled by
``autograd/test_double_backward_ops.py``."""
import numpy as np

from helpers.torch_parity import F  # noqa: E402

R = np.random.default_rng(9)

def N(*shape):
    return R.standard_normal(shape)

ROWS = [
    ("unfold", lambda m, x: F(m).unfold(x, 2), [N(2, 3, 4, 5)]),
    ("unfold_all", lambda m, x: F(m).unfold(x, (2, 3), (2, 1), (1, 0), (1, 2)),
     [N(1, 2, 5, 7)]),
    ("unfold_unbatched", lambda m, x: F(m).unfold(x, 3, padding=1), [N(2, 3, 3)]),
    ("fold", lambda m, c: F(m).fold(c, (4, 5), 2), [N(2, 12, 12)]),
    ("fold_overlap_all", lambda m, c: F(m).fold(c, (5, 7), (2, 3), (1, 2), (1, 0), (2, 1)),
     [N(1, 12, 9)]),
    ("fold_unbatched", lambda m, c: F(m).fold(c, 3, 2, stride=1), [N(8, 4)]),
    ("fold_of_unfold", lambda m, x: F(m).fold(F(m).unfold(x, 3, padding=1, stride=2), (5, 6), 3,
                                                padding=1, stride=2), [N(1, 2, 5, 6)]),
    ("module_unfold", lambda m, x: m.nn.Unfold(2, stride=2)(x), [N(1, 2, 4, 4)]),
    ("module_fold", lambda m, c: m.nn.Fold((3, 3), 2)(c), [N(1, 8, 4)]),
]
