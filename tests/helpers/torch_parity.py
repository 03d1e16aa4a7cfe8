"""One row, two libraries: run the same expression on torch 2.13 and on nnscratch and compare.

A row is ``(id, fn, inputs)``: ``fn(m, *tensors)`` is written once against the shared API
(``m`` is the ``torch`` or the ``nnscratch`` module), ``inputs`` NumPy arrays.  Float inputs
require grad.  :func:`check_parity` compares the output's shape, dtype and values (within
``rtol``/``atol``, never bit for bit) and the gradients of ``<u, fn(x)>`` for a random
cotangent ``u``; :func:`check_gradcheck` runs :func:`nnscratch.gradcheck` (float64 central
differences, random cotangent) on the nnscratch side.
"""
import numpy as np

import nnscratch as ns

try:
    import torch
except ImportError:      # the parity tests skip themselves without torch
    torch = None


class Const:
    """An input passed as a tensor that does not require grad (torch refuses gradients for
    some arguments, e.g. a loss's class ``weight``)."""

    def __init__(self, array):
        self.array = np.asarray(array)


def F(m):
    """``m``'s ``nn.functional`` (torch's or nnscratch's)."""
    import nnscratch.nn.functional as nf
    return torch.nn.functional if m is torch else nf


def _tensors(m, arrays, grad=True):
    out = []
    for a in arrays:
        if isinstance(a, Const):
            out.append(m.tensor(a.array))
        elif isinstance(a, np.ndarray):
            t = m.tensor(a)
            if grad and a.dtype.kind == "f":
                t.requires_grad_(True)
            out.append(t)
        else:
            out.append(a)
    return out


def _np(t):
    return t.detach().numpy() if hasattr(t, "detach") else np.asarray(t)


def _dtype_name(d):
    return str(d).rsplit(".", 1)[-1]


def check_parity(fn, inputs, rtol=1e-12, atol=1e-12, grad=True, seed=0):
    """``fn`` on torch and on nnscratch agree in shape, dtype, values and gradients."""
    tt = _tensors(torch, inputs, grad)
    nt = _tensors(ns, inputs, grad)
    yt = fn(torch, *tt)
    yn = fn(ns, *nt)
    assert tuple(yn.shape) == tuple(yt.shape), f"shape {tuple(yn.shape)} != {tuple(yt.shape)}"
    assert _dtype_name(yn.dtype) == _dtype_name(yt.dtype), f"dtype {yn.dtype} != {yt.dtype}"
    np.testing.assert_allclose(_np(yn), _np(yt), rtol=rtol, atol=atol, equal_nan=True)
    if not (grad and yt.requires_grad):
        return
    u = np.random.default_rng(seed).standard_normal(tuple(yt.shape)).astype(_np(yt).dtype)
    (yt * torch.tensor(u)).sum().backward()
    (yn * ns.tensor(u)).sum().backward()
    for i, (a, b) in enumerate(zip(nt, tt)):
        if isinstance(b, torch.Tensor) and b.requires_grad:
            gt = b.grad
            gn = a.grad
            if gt is None:
                assert gn is None or not np.any(_np(gn)), f"input {i}: torch has no gradient"
                continue
            assert gn is not None, f"input {i}: no gradient (torch has one)"
            np.testing.assert_allclose(_np(gn), _np(gt), rtol=rtol, atol=atol, equal_nan=True,
                                       err_msg=f"gradient of input {i}")


def check_gradcheck(fn, inputs):
    """``ns.gradcheck`` of ``fn(ns, *inputs)`` in float64 (integer inputs held fixed)."""
    xs = _tensors(ns, [a.astype(np.float64) if isinstance(a, np.ndarray) and a.dtype.kind == "f"
                       else a for a in inputs])
    assert ns.gradcheck(lambda *t: fn(ns, *t), xs)
