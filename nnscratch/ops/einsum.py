"""Einstein summation (``torch.einsum``) and its VJP.

``einsum("ij,jk->ik", a, b)`` sums the product of the operands over every subscript that the
output does not name.  The gradient of operand ``i`` is itself an einsum: the output gradient
times every other operand, summed over everything operand ``i`` does not name,

    dA[s_i] = Σ g[o] · Π_{j≠i} B_j[s_j],

with two repairs: a subscript only operand ``i`` has (summed out in the forward, so the
gradient does not depend on it) is broadcast back, and a subscript repeated within operand
``i`` (``"ii->i"``, a diagonal) writes its gradient onto that diagonal of zeros.  A dimension of
size 1 that broadcast against a larger one sums its gradient back.
"""
from __future__ import annotations

import string

import numpy as np

from ..autograd import fused

_LETTERS = set(string.ascii_letters)


def _parse(equation: str, ndims: list[int]) -> tuple[list[str], str]:
    """Each operand's subscripts and the output's, with ``...`` spelled out in letters the
    equation does not use (broadcast dimensions align on the right, as in NumPy)."""
    eq = equation.replace(" ", "")
    lhs, arrow, out = eq.partition("->")
    subs = lhs.split(",")
    if len(subs) != len(ndims):
        raise ValueError(f"einsum: the equation {equation!r} names {len(subs)} operand(s), "
                         f"got {len(ndims)}")
    for s in subs + [out]:
        if set(s.replace("...", "")) - _LETTERS:
            raise ValueError(f"einsum: subscripts must be letters (and '...'), got {equation!r}")
    spare = [c for c in string.ascii_letters if c not in eq]
    widths = [n - len(s.replace("...", "")) if "..." in s else 0 for s, n in zip(subs, ndims)]
    width = max(widths, default=0)
    ell = "".join(spare[:width])
    spelled = []
    for s, w, n in zip(subs, widths, ndims):
        full = s.replace("...", ell[width - w:]) if "..." in s else s
        if len(full) != n or w < 0:
            raise ValueError(f"einsum: subscripts {s!r} do not fit an operand of {n} "
                             f"dimension(s) in {equation!r}")
        spelled.append(full)
    if arrow:
        out = out.replace("...", ell)
    else:          # implicit output: the broadcast dimensions, then the once-used letters
        once = [c for c in sorted(set(lhs) & _LETTERS) if lhs.count(c) == 1]
        out = ell + "".join(once)
    return spelled, out


@fused(polymorphic=True)
def _einsum(*xs, subs, out_sub):
    equation = ",".join(subs) + "->" + out_sub
    out = np.einsum(equation, *xs, optimize=len(xs) > 1)
    sizes = {}
    for s, x in zip(subs, xs):
        for c, n in zip(s, x.shape):
            sizes[c] = max(sizes.get(c, 1), n)

    def vjp(g):
        grads = []
        for i, (s, x) in enumerate(zip(subs, xs)):
            others = [(subs[j], xs[j]) for j in range(len(xs)) if j != i]
            unique = "".join(dict.fromkeys(s))          # first appearances, in order
            named = set(out_sub).union(*(t for t, _ in others))
            kept = "".join(c for c in unique if c in named)
            gi = np.einsum(",".join([out_sub] + [t for t, _ in others]) + "->" + kept,
                           g, *(a for _, a in others), optimize=len(others) > 0)
            # subscripts only this operand has: the gradient is constant along them
            gi = np.broadcast_to(gi.reshape([sizes[c] if c in kept else 1 for c in unique]),
                                 [sizes[c] for c in unique])
            # dimensions of size 1 that broadcast: sum back
            own = dict(zip(s, x.shape))
            wide = tuple(k for k, c in enumerate(unique) if own[c] == 1 and sizes[c] > 1)
            if wide:
                gi = gi.sum(axis=wide, keepdims=True)
            if len(unique) == len(s):                 # no repeats: unique is s itself
                grads.append(gi)
            else:          # a diagonal: gi on it, zeros elsewhere (a mask, not a write,
                # so that the same code records under create_graph)
                at = np.indices(x.shape, sparse=True)
                on = np.ones(x.shape, dtype=bool)
                for pos, c in enumerate(s):
                    if s.index(c) != pos:
                        on = on & (at[pos] == at[s.index(c)])
                firsts = [sizes[c] if s.index(c) == pos else 1 for pos, c in enumerate(s)]
                grads.append(gi.reshape(firsts) * on)
        return tuple(grads)
    return out, vjp


def einsum(equation, *operands):
    """``torch.einsum(equation, *operands)`` (or the operands as one list): the product of the
    operands summed over the subscripts the output omits; ``...`` stands for broadcast
    dimensions, and with no ``->`` the output is those, then the once-used letters in
    alphabetical order.  Differentiable in every operand."""
    from .shape import _as_operands
    if not isinstance(equation, str):
        raise TypeError(f"einsum: equation must be a str, got {type(equation).__name__}")
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    xs = _as_operands(operands, "einsum")
    subs, out_sub = _parse(equation, [getattr(x, "ndim", np.ndim(x)) for x in xs])
    return _einsum(*xs, subs=subs, out_sub=out_sub)
