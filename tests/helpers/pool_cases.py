"""The pooling cases of ``ops/test_pool.py``, also doubled by
``autograd/test_double_backward_ops.py``."""



# (input shape, kernel, stride, padding, dilation); sizes that windows do not tile evenly
MAX2D = [
    ((2, 3, 8, 8), 2, None, 0, 1),
    ((2, 3, 9, 7), 2, None, 0, 1),
    ((2, 2, 9, 9), 3, 2, 0, 1),          # the textbook's overlapping pooling
    ((2, 2, 10, 7), 3, 2, 1, 1),
    ((1, 2, 9, 11), (3, 2), (1, 2), (1, 0), 1),
    ((1, 2, 11, 10), 2, (2, 3), 0, (2, 3)),
    ((2, 1, 5, 6), (1, 3), 1, 0, 1),
]

AVG2D = [
    ((2, 3, 8, 8), 2, None, 0, True),
    ((2, 2, 9, 7), 3, 2, 1, True),
    ((2, 2, 9, 7), 3, 2, 1, False),
    ((1, 2, 10, 11), (3, 2), (1, 2), (1, 1), False),
]

def _ids(cases):
    return ["-".join(str(v) for v in c) for c in cases]

# (input shape, kernel, stride, padding): sizes where ceil mode adds a partial last window,
# and 6/2/4/1, where its rule drops a window that would start in the right padding
CEIL = [((2, 2, 9, 7), 2, None, 0), ((1, 2, 10, 7), 3, 2, 1), ((2, 1, 8, 11), (3, 2), 2, (1, 0)),
        ((1, 2, 6, 6), 3, 3, 1), ((1, 1, 5, 9), 2, (1, 3), 1), ((1, 1, 6, 6), 2, 4, 1)]

# ------------------------------------------------------------------------ adaptive pooling
# (input shape, output size): dividing, not dividing (overlapping windows), upsampling, None
ADAPT2D = [((2, 3, 8, 8), 4), ((2, 2, 7, 9), (3, 4)), ((1, 2, 3, 8), (5, 3)),
           ((2, 1, 6, 5), (4, None)), ((1, 3, 5, 5), 1)]

ADAPT1D = [((2, 3, 10), 5), ((2, 2, 11), 4), ((1, 2, 3), 7)]

ADAPT = [(2, s, o) for s, o in ADAPT2D] + [(1, s, o) for s, o in ADAPT1D]
