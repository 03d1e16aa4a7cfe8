"""Cost of the ONNX tracer's hook when it is off: a recorded op with and without it.

``Primitive.__call__`` tests ``declare._recorder is not None`` once per call (the hook
``nnscratch.onnx`` uses to trace a forward pass).  This runs the same small op through
today's ``__call__`` and through a copy of it with the test removed, interleaved round by
round, and reports CPU time per call (``time.process_time``: other processes on a shared
machine do not count).  ``python bench/trace_hook.py [--rounds 15]``.
"""
from __future__ import annotations

import argparse
import inspect
import textwrap
import time

import numpy as np

import nnscratch as ns
from nnscratch.autograd import declare
from nnscratch.ops.arithmetic import add


def _without_hook():
    """``Primitive.__call__`` with the recorder test deleted, compiled in declare's globals."""
    src = textwrap.dedent(inspect.getsource(declare.Primitive.__call__))
    hook = "if _recorder is not None:\n    _recorder(self, args, kwargs, t)\n"
    body = textwrap.indent(hook, "    ")
    if body not in src:
        raise SystemExit("the hook's lines were not found in Primitive.__call__")
    namespace: dict = {}
    exec(compile(src.replace(body, ""), "<no hook>", "exec"), vars(declare), namespace)
    plain = declare.Primitive(add.fn)
    plain.vjps, plain.saves, plain.per_argument = add.vjps, add.saves, add.per_argument
    cls = type("PrimitiveWithoutHook", (declare.Primitive,), {"__call__": namespace["__call__"]})
    plain.__class__ = cls
    return plain


def _per_call(op, a, b, n):
    t0 = time.process_time()
    for _ in range(n):
        op(a, b)
    return (time.process_time() - t0) / max(n, 1)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rounds", type=int, default=15)
    p.add_argument("--calls", type=int, default=20000)
    p.add_argument("--only", choices=["hook", "plain"],
                   help="just run --calls calls of one variant (requires_grad=True), for an "
                        "instruction count: perf stat -e instructions python "
                        "bench/trace_hook.py --only hook --calls 200000, minus --calls 0")
    args = p.parse_args(argv)
    plain = _without_hook()
    if args.only:
        a = ns.tensor(np.ones((4, 4), np.float32), requires_grad=True)
        b = ns.tensor(np.ones((4, 4), np.float32))
        _per_call(add if args.only == "hook" else plain, a, b, args.calls)
        return
    for grad in (True, False):
        a = ns.tensor(np.ones((4, 4), np.float32), requires_grad=grad)
        b = ns.tensor(np.ones((4, 4), np.float32))
        with_hook, without = [], []
        for r in range(args.rounds):       # interleaved, alternating which goes first
            for op in ((add, plain) if r % 2 else (plain, add)):
                (with_hook if op is add else without).append(_per_call(op, a, b, args.calls))
        for stat in (np.min, np.median):
            m1, m0 = stat(with_hook) * 1e6, stat(without) * 1e6
            print(f"add of 4x4 float32, requires_grad={grad}, {stat.__name__} of "
                  f"{args.rounds} rounds of {args.calls} calls (CPU time): with hook "
                  f"{m1:.3f} us, without {m0:.3f} us per call, difference {m1 - m0:+.3f} us "
                  f"({(m1 / m0 - 1) * 100:+.1f}%)")


if __name__ == "__main__":
    main()
