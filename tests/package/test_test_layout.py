"""The test suite's own layout (issue 37): test files live in folders that mirror the package,
their names are unique (pytest imports them by file name: no ``__init__.py`` in the folders),
and no test file imports another one -- shared code is in ``conftest.py`` or ``tests/helpers``."""
import ast

from helpers import TESTS


def _test_files():
    return sorted(TESTS.rglob("test_*.py"))


def test_test_files_are_in_folders_with_unique_names():
    files = _test_files()
    assert not [f.name for f in files if f.parent == TESTS], "put new tests in a tests/<area>/"
    names = [f.name for f in files]
    assert len(names) == len(set(names)), sorted({n for n in names if names.count(n) > 1})
    assert not list(TESTS.glob("*/**/__init__.py")) or all(
        p.parent.name == "helpers" for p in TESTS.glob("*/**/__init__.py"))


def test_no_test_file_imports_another():
    stems = {f.stem for f in _test_files()}
    found = []
    for f in _test_files() + sorted((TESTS / "helpers").glob("*.py")):
        for node in ast.walk(ast.parse(f.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                mods = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                mods = [node.module or ""]
            else:
                continue
            found += [(f.name, m) for m in mods if m.split(".")[-1] in stems]
    assert not found, found
