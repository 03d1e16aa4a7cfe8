"""Regenerate the "Names provided" section of docs/torch-compat.md from the code and the tests.

Usage::

    python tools/torch_compat.py [--doc docs/torch-compat.md] [--check]

A torch name counts as provided when nnscratch has it (``getattr`` succeeds on the matching
nnscratch object) **and** a parity test exercises it: the name appears in a test file that
imports torch (``tests/**/*.py``) as an attribute (``t.erf``, ``ns.meshgrid``; not of ``np``,
``math`` …), a string constant that is exactly that name (the tables of table-driven tests:
``("erfinv", ...)``; docstrings are skipped), or, for Tensor's operator methods, the operator
itself (``a & b`` counts ``__and__`` and ``__rand__``, ``a >>= b``
``__irshift__``).  Names nnscratch has without such a test are listed apart, uncounted.
torch's public names are read from the installed torch 2.13, as
tests/torch_api/test_torch_api_surface.py reads them.  ``--check`` exits 1 when the document is
not up to date (nothing is written).
"""
from __future__ import annotations

import argparse
import ast
import importlib
import inspect
import os
import sys
import textwrap
import types

BEGIN = "## Names provided\n"
END = "nnscratch's own names next to torch's"

# (heading, torch object, nnscratch object): dotted paths; "Tensor"/"Module" are instances
NAMESPACES = [
    ("torch", "torch", "nnscratch"),
    ("torch.Tensor", "torch.Tensor", "Tensor"),
    ("torch.nn", "torch.nn", "nnscratch.nn"),
    ("torch.nn.Module", "torch.nn.Module", "Module"),
    ("torch.nn.functional", "torch.nn.functional", "nnscratch.nn.functional"),
    ("torch.nn.init", "torch.nn.init", "nnscratch.nn.init"),
    ("torch.nn.utils", "torch.nn.utils", "nnscratch.nn.utils"),
    ("torch.nn.utils.rnn", "torch.nn.utils.rnn", "nnscratch.nn.utils.rnn"),
    ("torch.optim", "torch.optim", "nnscratch.optim"),
    ("torch.optim.lr_scheduler", "torch.optim.lr_scheduler", "nnscratch.optim.lr_scheduler"),
    ("torch.utils.data", "torch.utils.data", "nnscratch.utils.data"),
    ("torch.autograd", "torch.autograd", "nnscratch.autograd"),
    ("torch.autograd.functional", "torch.autograd.functional",
     "nnscratch.autograd.functional"),
]

_OPERATORS = {
    ast.Add: "add", ast.Sub: "sub", ast.Mult: "mul", ast.Div: "truediv", ast.FloorDiv: "floordiv",
    ast.Mod: "mod", ast.Pow: "pow", ast.MatMult: "matmul", ast.BitAnd: "and", ast.BitOr: "or",
    ast.BitXor: "xor", ast.LShift: "lshift", ast.RShift: "rshift",
}
_COMPARE = {ast.Eq: "__eq__", ast.NotEq: "__ne__", ast.Lt: "__lt__", ast.LtE: "__le__",
            ast.Gt: "__gt__", ast.GtE: "__ge__"}
_UNARY = {ast.Invert: "__invert__", ast.USub: "__neg__", ast.UAdd: "__pos__"}


def _resolve(path):
    if path == "Tensor":
        import nnscratch
        return nnscratch.tensor([1.0])
    if path == "Module":
        import nnscratch
        return nnscratch.nn.Linear(1, 1)
    module, _, attr = path.rpartition(".")
    try:
        return importlib.import_module(path)
    except ModuleNotFoundError:
        return getattr(importlib.import_module(module), attr)


def torch_names(obj) -> list:
    """torch's own public names of a namespace (the rule of
    tests/torch_api/test_torch_api_surface.py: no re-exported stdlib module, typing helper or
    ALL-CAPS constant)."""
    names = []
    for n in dir(obj):
        v = getattr(obj, n, None)
        if n.startswith("_") and not (n.startswith("__") and n.endswith("__")
                                      and inspect.isclass(obj) and n in _DUNDERS):
            continue
        if n.isupper() and not inspect.isclass(v):
            continue
        where = v.__name__ if isinstance(v, types.ModuleType) else getattr(v, "__module__", None)
        if not isinstance(where, str) or where.startswith("torch"):
            names.append(n)
    return sorted(names)


# operator methods counted for Tensor (torch lists them among its public names)
_DUNDERS = {f"__{p}{op}__" for op in list(_OPERATORS.values()) for p in ("", "r", "i")} \
    | set(_COMPARE.values()) | set(_UNARY.values()) | {"__abs__", "__getitem__",
                                                        "__setitem__", "__len__", "__iter__"}


def _parsed_tests(test_dir: str) -> dict:
    """``{module name: (path, tree)}`` of every Python file under ``test_dir``, the module
    name as tests import it (``helpers.conv_cases`` for tests/helpers/conv_cases.py)."""
    found = {}
    for root, _, files in os.walk(test_dir):
        for fn in files:
            if fn.endswith(".py"):
                path = os.path.join(root, fn)
                with open(path, encoding="utf-8") as fh:
                    tree = ast.parse(fh.read())
                name = os.path.relpath(path, test_dir)[:-3].replace(os.sep, ".")
                found[name] = (path, tree)
    return found


def _torch_parity_files(parsed: dict) -> list:
    """The trees of the test files that import torch, and of the case tables they import
    (tests/helpers/*_cases.py hold the rows that those tests compare with torch)."""
    def imports(tree):
        for n in ast.walk(tree):
            if isinstance(n, ast.Import):
                yield from (a.name for a in n.names)
            elif isinstance(n, ast.ImportFrom) and n.module:
                yield n.module
    direct = [name for name, (_, tree) in parsed.items()
              if any(m.split(".")[0] == "torch" for m in imports(parsed[name][1]))]
    tables = {m for name in direct for m in imports(parsed[name][1]) if m in parsed}
    return [parsed[name][1] for name in sorted(set(direct) | tables)]


def tested_names(test_dir: str) -> set:
    """Every identifier a torch-importing test file (or a case table it imports) mentions
    (attributes, string constants, operators as their dunder names)."""
    seen: set = set()
    for tree in _torch_parity_files(_parsed_tests(test_dir)):
        docstrings = {id(n.value) for n in ast.walk(tree) if isinstance(n, ast.Expr)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute):
                if not (isinstance(node.value, ast.Name) and node.value.id in _NOT_TORCH):
                    seen.add(node.attr)
            elif isinstance(node, ast.Constant) and isinstance(node.value, str) \
                    and id(node) not in docstrings:
                word = node.value.strip()
                if word.isidentifier():              # a table entry: ("erfinv", ...)
                    seen.add(word)
                elif word in _SYMBOLS:               # an operator in a table: ">>"
                    seen.add(_SYMBOLS[word])
            elif isinstance(node, ast.BinOp) and type(node.op) in _OPERATORS:
                op = _OPERATORS[type(node.op)]
                seen.update({f"__{op}__", f"__r{op}__"})
            elif isinstance(node, ast.AugAssign) and type(node.op) in _OPERATORS:
                seen.add(f"__i{_OPERATORS[type(node.op)]}__")
            elif isinstance(node, ast.Compare):
                seen.update(_COMPARE[type(o)] for o in node.ops if type(o) in _COMPARE)
            elif isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
                seen.add(_UNARY[type(node.op)])
            elif isinstance(node, ast.Subscript):
                seen.add("__getitem__")
    return seen


_SYMBOLS = {"&": "__and__", "|": "__or__", "^": "__xor__", "<<": "__lshift__",
            ">>": "__rshift__", "%": "__mod__", "//": "__floordiv__"}
# receivers whose attributes are not torch names (np.sum is not a test of torch.sum)
_NOT_TORCH = {"np", "numpy", "math", "pytest", "os", "sys", "re", "json", "random", "time"}


def _has(ours, name) -> bool:
    try:
        getattr(ours, name)
        return True
    except AttributeError:
        return False
    except Exception:  # noqa: BLE001 -- a property that raises on this instance still exists
        return True


def survey(test_dir="tests"):
    tested = tested_names(test_dir)
    rows = []
    for heading, theirs, ours in NAMESPACES:
        t_obj, o_obj = _resolve(theirs), _resolve(ours)
        names = torch_names(t_obj)
        if heading != "torch.Tensor":
            names = [n for n in names if not n.startswith("__")]
        provided = [n for n in names if _has(o_obj, n)]
        counted = [n for n in provided if n in tested]
        untested = [n for n in provided if n not in tested]
        rows.append((heading, len(names), counted, untested))
    return rows


def _names(ns):
    return textwrap.fill(", ".join(f"`{n}`" for n in ns), width=100)


def render(rows) -> str:
    out = [BEGIN,
           "Counted against torch 2.13's public names (ALL-CAPS constants, typing helpers and "
           "re-exported\nstandard-library modules left out; `torch.Tensor` includes its "
           "operator methods such as\n`__and__`). A name counts only when nnscratch has it "
           "and a parity test against torch uses it\n(the rule and the script: "
           "`python tools/torch_compat.py`, which writes this section).\n"]
    for heading, total, counted, untested in rows:
        out.append(f"**`{heading}`** ({len(counted)} of torch's {total}):\n{_names(counted)}\n")
        if untested:
            out.append(f"Provided without a parity test, not counted ({len(untested)}): "
                       f"{_names(untested)}\n")
    return "\n".join(out) + "\n"


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--doc", default="docs/torch-compat.md")
    p.add_argument("--tests", default="tests")
    p.add_argument("--check", action="store_true")
    a = p.parse_args(argv)
    with open(a.doc, encoding="utf-8") as fh:
        doc = fh.read()
    start, stop = doc.index(BEGIN), doc.index(END)
    rows = survey(a.tests)
    new = doc[:start] + render(rows) + doc[stop:]
    for heading, total, counted, _ in rows[:2]:
        print(f"{heading}: {len(counted)} of {total}", file=sys.stderr)
    if a.check:
        return 0 if new == doc else 1
    from torch_names_scan import _atomic_write  # tools/ is sys.path[0] when run
    _atomic_write(a.doc, new)
    return 0


if __name__ == "__main__":
    sys.exit(main())
