"""The unary and binary math ops of ``ops/test_ops_math.py``, also doubled by
``autograd/test_double_backward_ops.py``."""




# name, torch's name, a domain sampler (rng -> float64 array inside the smooth domain)
UNARY = [
    ("tan", "tan", lambda r: r.uniform(-1.2, 1.2, (3, 4))),
    ("asin", "asin", lambda r: r.uniform(-0.95, 0.95, (3, 4))),
    ("arcsin", "arcsin", lambda r: r.uniform(-0.95, 0.95, (5,))),
    ("acos", "acos", lambda r: r.uniform(-0.95, 0.95, (3, 4))),
    ("arccos", "arccos", lambda r: r.uniform(-0.95, 0.95, (5,))),
    ("atan", "atan", lambda r: r.normal(0, 3, (3, 4))),
    ("arctan", "arctan", lambda r: r.normal(0, 3, (5,))),
    ("sinh", "sinh", lambda r: r.normal(0, 2, (3, 4))),
    ("cosh", "cosh", lambda r: r.normal(0, 2, (3, 4))),
    ("asinh", "asinh", lambda r: r.normal(0, 3, (3, 4))),
    ("arcsinh", "arcsinh", lambda r: r.normal(0, 3, (5,))),
    ("acosh", "acosh", lambda r: r.uniform(1.05, 6, (3, 4))),
    ("arccosh", "arccosh", lambda r: r.uniform(1.05, 6, (5,))),
    ("atanh", "atanh", lambda r: r.uniform(-0.95, 0.95, (3, 4))),
    ("arctanh", "arctanh", lambda r: r.uniform(-0.95, 0.95, (5,))),
    ("erf", "erf", lambda r: r.normal(0, 2, (3, 4))),
    ("erfc", "erfc", lambda r: r.normal(0, 2, (3, 4))),
    ("erfinv", "erfinv", lambda r: r.uniform(-0.99, 0.99, (3, 4))),
    ("exp2", "exp2", lambda r: r.normal(0, 3, (3, 4))),
    ("log2", "log2", lambda r: r.uniform(0.1, 9, (3, 4))),
    ("log10", "log10", lambda r: r.uniform(0.1, 9, (3, 4))),
    ("negative", "negative", lambda r: r.normal(0, 1, (3, 4))),
    ("absolute", "absolute", lambda r: r.normal(0, 1, (3, 4))),
]

def _signed(r, shape):
    """Divisors away from 0 (the quotient's floor/trunc is piecewise constant), either sign."""
    return r.uniform(0.5, 2, shape) * r.choice([-1, 1], shape)

BINARY = [
    ("atan2", lambda r: (r.normal(0, 1, (3, 4)), r.normal(0, 1, (4,)))),
    ("arctan2", lambda r: (r.normal(0, 1, (3, 1)), r.normal(0, 1, (3, 4)))),
    ("logaddexp", lambda r: (r.normal(0, 3, (3, 4)), r.normal(0, 3, (3, 4)))),
    ("logaddexp2", lambda r: (r.normal(0, 3, (3, 4)), r.normal(0, 3, (4,)))),
    ("copysign", lambda r: (r.normal(0, 1, (3, 4)), r.normal(0, 1, (3, 4)))),
    ("fmod", lambda r: (r.normal(0, 5, (3, 4)), _signed(r, (3, 4)))),
    ("remainder", lambda r: (r.normal(0, 5, (3, 4)), _signed(r, (4,)))),
    ("maximum", lambda r: (r.normal(0, 1, (3, 4)), r.normal(0, 1, (3, 4)))),
    ("minimum", lambda r: (r.normal(0, 1, (3, 4)), r.normal(0, 1, (4,)))),
    ("multiply", lambda r: (r.normal(0, 1, (3, 4)), r.normal(0, 1, (4,)))),
    ("subtract", lambda r: (r.normal(0, 1, (3, 4)), r.normal(0, 1, (4,)))),
    ("divide", lambda r: (r.normal(0, 1, (3, 4)), r.uniform(1, 2, (4,)))),
]
