"""No import cycles in the package, counting imports inside functions (issue 31).

The graph: an edge from module A to module B when A imports B, or a name defined in B, at any
depth of A's source (module level, inside functions and classes, under ``if TYPE_CHECKING``).
A name taken from a package ``__init__`` that only re-exports leads to the module that defines
it, and such an ``__init__`` is not the source of edges; one that defines something of its own
(a function, a class, a value) is an ordinary module.  Cost: a fraction of a second.
"""
import ast
import pathlib

import nnscratch

ROOT = pathlib.Path(nnscratch.__file__).resolve().parent


def _modules():
    """{dotted name: (path, is package __init__)} for every module of nnscratch."""
    mods = {}
    for path in ROOT.rglob("*.py"):
        rel = path.relative_to(ROOT.parent).with_suffix("")
        parts = list(rel.parts)
        init = parts[-1] == "__init__"
        if init:
            parts = parts[:-1]
        mods[".".join(parts)] = (path, init)
    return mods


def _imports(tree, name, init):
    """(module, [imported names] or None) for every import statement in ``tree``, resolved to
    absolute module names; ``name`` is the importing module's dotted name."""
    package = name if init else name.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                yield a.name, None
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - node.level + 1]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            yield mod, [a.name for a in node.names]


def _only_reexports(tree) -> bool:
    """An ``__init__`` whose statements are imports, ``__all__`` and its docstring only."""
    for stmt in tree.body:
        if isinstance(stmt, (ast.Import, ast.ImportFrom)):
            continue
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
            continue
        if isinstance(stmt, (ast.Assign, ast.AugAssign)) and all(
                isinstance(t, ast.Name) and t.id == "__all__"
                for t in (stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target])):
            continue
        return False
    return True


def import_graph():
    """{module: {modules it depends on}} over nnscratch's modules."""
    mods = _modules()
    trees = {m: ast.parse(p.read_text(), str(p)) for m, (p, _) in mods.items()}
    reexporter = {m for m, (_, init) in mods.items() if init and _only_reexports(trees[m])}
    # where each name of a re-exporting package comes from: {package: {name: module}}
    origin: dict = {m: {} for m in reexporter}
    for m in reexporter:
        for mod, names in _imports(trees[m], m, True):
            for n in names or ():
                origin[m][n] = f"{mod}.{n}" if f"{mod}.{n}" in mods else mod

    def resolve(mod, name, seen=()):
        """The module that defines ``mod``'s ``name`` (or the submodule ``mod.name``)."""
        if f"{mod}.{name}" in mods:
            return f"{mod}.{name}"
        if mod in reexporter and name in origin[mod] and mod not in seen:
            target = origin[mod][name]
            if target.endswith("." + name) and target in mods:
                return target
            return resolve(target, name, seen + (mod,))
        return mod

    def expand(target, seen=()):
        """A re-exporting package imported as a whole (``from . import ops``) stands for every
        module it re-exports from."""
        if target not in reexporter:
            return {target}
        if target in seen:
            return set()
        return set().union(*(expand(resolve(target, n), seen + (target,))
                             for n in origin[target]))

    graph = {}
    for m in mods:
        if m in reexporter:
            continue
        deps = set()
        for mod, names in _imports(trees[m], m, mods[m][1]):
            if not mod.startswith("nnscratch"):
                continue
            for target in ([mod] if names is None else [resolve(mod, n) for n in names]):
                if target in mods:
                    deps |= expand(target)
        deps.discard(m)
        graph[m] = deps
    return graph


def cycles(graph):
    """The strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_the_package_has_no_import_cycle():
    found = cycles(import_graph())
    assert not found, "import cycles:\n" + "\n".join(" <-> ".join(c) for c in found)


def test_the_cycle_finder_sees_a_cycle_through_a_function_level_import():
    """The checker itself: a two-module circle closed by an import inside a function."""
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c"]]
    tree = ast.parse("def f():\n    from .b import g\n")
    assert list(_imports(tree, "nnscratch.a", False)) == [("nnscratch.b", ["g"])]
