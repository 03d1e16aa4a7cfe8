"""Which first-derivative gradcheck rows have no second-derivative row (issue 31 item 2).

A *first-derivative row* is one collected test (one parametrization) of ``tests/`` whose
function calls ``gradcheck``/``check_gradcheck`` (found by walking each test file's AST, then
``pytest --collect-only`` for the parametrizations); tests of gradcheck itself
(tests/autograd/test_gradcheck.py) and the second-derivative files are not rows.

A row is *covered* when a second-derivative row (gradgradcheck, float64, random cotangents,
and double-backward parity with torch 2.13) names it:

* ``tests/autograd/test_double_backward.py`` doubles every row of
  ``tests/ops/test_ops_gradcheck.py``'s
  table (same row ids) and, in ``WINDOW``, rows keyed by the node ids they double (``COVERS``);
* ``tests/autograd/test_double_backward_ops.py``'s ``KEYS`` are the node ids they double.

Usage: ``python tools/second_derivative_coverage.py [REPO]`` (REPO defaults to this checkout);
prints the counts and every uncovered row.  Not part of ``make test`` (it collects the suite).
"""
from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

CALLS = {"gradcheck", "check_gradcheck"}
NOT_ROWS = {"test_gradcheck.py", "test_double_backward.py", "test_double_backward_ops.py"}
# tests of gradcheck's own arguments and errors, not of an op
MACHINERY = {"test_api_contract.py::test_gradcheck_true_or_raises_naming_input_index_and_values",
             "test_bad_input.py::test_gradcheck_arguments"}


def _calls_gradcheck(fn: ast.AST) -> bool:
    for node in ast.walk(fn):
        if isinstance(node, ast.Call):
            f = node.func
            name = f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", None)
            if name in CALLS:
                return True
    return False


def first_order_functions(tests: Path) -> dict[str, set[str]]:
    """{test file name: names of its test functions that call gradcheck}.  Test files are
    named uniquely across the folders of tests/, so a node id is keyed by its file's name."""
    out: dict[str, set[str]] = {}
    for path in sorted(tests.rglob("test_*.py"), key=lambda p: p.name):
        if path.name in NOT_ROWS:
            continue
        tree = ast.parse(path.read_text())
        names = {n.name for n in tree.body if isinstance(n, ast.FunctionDef)
                 and n.name.startswith("test_") and _calls_gradcheck(n)}
        if names:
            out[path.name] = names
    return out


def collect(repo: Path, files: list[str]) -> list[str]:
    """pytest's node ids of the test files named ``files``, keyed by the file's name
    (``test_conv.py::test_conv2d_gradcheck[...]``, whatever folder of tests/ holds it)."""
    paths = {p.name: p for p in (repo / "tests").rglob("test_*.py")}
    res = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q",
                          "-p", "no:cacheprovider", "-n", "0",
                          *[str(paths[f].relative_to(repo)) for f in files]],
                         cwd=repo, capture_output=True, text=True,
                         env={**__import__("os").environ, "PYTHONPATH": str(repo)})
    ids = [line.strip() for line in res.stdout.splitlines() if "::" in line]
    return [i.split("::", 1)[0].rsplit("/", 1)[-1] + "::" + i.split("::", 1)[1] for i in ids]


def first_order_rows(repo: Path) -> list[str]:
    funcs = first_order_functions(repo / "tests")
    rows = []
    for nodeid in collect(repo, sorted(funcs)):
        file, rest = nodeid.split("::", 1)
        if rest.split("[", 1)[0] in funcs.get(file, ()):
            rows.append(nodeid)
    return rows


def second_order_keys(repo: Path) -> tuple[set[str], set[str], set[str]]:
    """(keys of second-derivative rows, keys of rows that refuse create_graph with a clear
    error, collected tests that run no gradcheck)."""
    sys.path[:0] = [str(repo / "tests" / "autograd"), str(repo / "tests"), str(repo)]
    keys: set[str] = set()
    refuses: set[str] = set()
    skip: set[str] = set(MACHINERY)
    try:
        db = importlib.import_module("test_double_backward")
    except ImportError:
        return keys, refuses, skip
    keys |= {f"test_ops_gradcheck.py::test_vjp_matches_finite_differences[{r[0]}]"
             for r in db.ROWS}
    for covered in getattr(db, "COVERS", {}).values():
        keys |= set(covered)
    try:
        ops = importlib.import_module("test_double_backward_ops")
    except ImportError:
        return keys, refuses, skip
    keys |= set(ops.KEYS)
    refuses |= set(getattr(ops, "REFUSES", {}))
    skip |= set(getattr(ops, "NOT_GRADCHECKED", ()))
    return keys, refuses, skip


def main(argv: list[str]) -> int:
    repo = Path(argv[1] if len(argv) > 1 else Path(__file__).resolve().parents[1]).resolve()
    keys, refuses, skip = second_order_keys(repo)
    rows = [r for r in first_order_rows(repo) if r not in skip]
    keys |= refuses
    missing = [r for r in rows if r not in keys]
    by_file: dict[str, list[int]] = {}
    for r in rows:
        f = r.split("::")[0]
        by_file.setdefault(f, [0, 0])
        by_file[f][0] += 1
        by_file[f][1] += r in keys
    print(f"first-derivative rows: {len(rows)}; with a second-derivative row: "
          f"{len(rows) - len(missing)} (of which {len(refuses & set(rows))} check that "
          f"create_graph=True is refused, naming the op); without: {len(missing)}")
    for f, (n, k) in sorted(by_file.items()):
        print(f"  {f:40s} {k:4d} / {n:4d}")
    if missing:
        print("\nwithout a second-derivative row:")
        for r in missing:
            print("  " + r)
    unknown = sorted(keys - set(rows))
    if unknown:
        print("\nsecond-derivative keys that name no collected first-derivative row:")
        for k in unknown:
            print("  " + k)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
