"""Tensor's methods, grouped by concern into mixin classes over the engine core
(:class:`~nnscratch.autograd.core.TensorBase`); :class:`nnscratch.Tensor` inherits them all.

* :mod:`.arithmetic`: operators, comparisons and logic, elementwise functions;
* :mod:`.reduce`: reductions, scans, sorting and selecting by value;
* :mod:`.shape`: shape, views and indexing;
* :mod:`.inplace`: in-place updates (``add_``, ``+=``, ``t[i] = v`` …) with torch's rules;
* :mod:`.convert`: dtype and device, Python and NumPy conversions, printing.

Every method is a thin call into :mod:`nnscratch.ops`, where each op's forward and VJP live
side by side.  A method marked with :func:`.args.function` is also a top-level function
(``ns.exp(t)`` is ``t.exp()``; :mod:`nnscratch.functions` makes them).
"""
